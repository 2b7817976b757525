"""The home page's shell samples: the notebook commands work from a clone, the CLI says what
the comments claim (checked against PyTorch)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs_src" / "index"


def run_sample(name: str, cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    """Run a shell sample as a reader would, with this interpreter's scripts on PATH."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "MPLBACKEND": "Agg",
    }
    return subprocess.run(
        ["bash", "-e", str(SAMPLES / name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_notebook_commands_run_from_the_repository_root(tmp_path: Path) -> None:
    # A stand-in for a clone's root that only shares docs_src/, so the .ipynb lands in tmp_path.
    (tmp_path / "docs_src").symlink_to(ROOT / "docs_src")
    result = run_sample("notebook.sh", tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    notebook = json.loads((tmp_path / "transposed.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code and any("conv_transpose" in "".join(cell["source"]) for cell in code)


def test_cli_commands_say_what_their_comments_claim() -> None:
    result = run_sample("cli.sh", ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    conv = nn.Conv2d(1, 1, 3, stride=2, padding=1)(torch.zeros(1, 1, 32, 32))
    assert re.search(rf"^output size: {conv.shape[-1]}$", result.stdout, re.MULTILINE | re.I)
    layers = re.findall(r"(nn\.ConvTranspose2d\(.*\))$", result.stdout, re.MULTILINE)
    assert layers, result.stdout
    for layer in layers:  # every suggested layer really turns 17 into 33
        up = eval(layer, {"nn": nn})  # the constructor the CLI printed
        assert up(torch.zeros(1, up.in_channels, 17, 17)).shape[-2:] == (33, 33), layer
