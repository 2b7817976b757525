"""The speed page's shell sample is not run (benchmarks take minutes); its options must exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _help(script: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_option_the_bench_sample_uses_exists() -> None:
    lines = (ROOT / "docs_src" / "speed" / "bench.sh").read_text(encoding="utf-8").splitlines()
    helps = {}
    for line in lines:
        command = line.split("#")[0].split()
        if not command:
            continue
        assert command[:2] == ["python", command[1]] and command[1].startswith("scripts/"), line
        script = Path(command[1]).name
        helps.setdefault(script, _help(script))
        for option in (word for word in command[2:] if word.startswith("--")):
            assert re.search(rf"\s{re.escape(option)}\b", helps[script]), (option, script)
        if "--clock" in command:
            assert command[command.index("--clock") + 1] in ("cpu", "wall")


def test_native_float32_is_onednn_and_float64_a_generic_path() -> None:
    """The page's claim, asked of PyTorch's own backend selection."""
    import torch

    backends = {}
    for dtype in (torch.float32, torch.float64):
        x = torch.randn(2, 8, 16, 16, dtype=dtype)
        w = torch.randn(8, 8, 3, 3, dtype=dtype)
        backend = torch._C._select_conv_backend(
            x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, None
        )
        backends[dtype] = str(backend)
    assert backends[torch.float32].endswith("Mkldnn")
    assert backends[torch.float64].endswith("Slow2d")
