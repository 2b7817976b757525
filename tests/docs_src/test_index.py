"""The home page's install commands (docs_src/index/*.sh) against the wheel the site publishes.

The wheel is built as the site build builds it (hooks/wheel.py), installed by the page's own
command into a fresh virtual environment that has no torch, and the page's commands run there.
Offline: the wheel has no dependencies and pip is told to use no index.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs_src" / "index"
HOOK = ROOT / "hooks" / "wheel.py"
# The modules that need the torch extra (PyTorch, NumPy, Matplotlib).
TORCH_MODULES = ("convnotes.functional", "convnotes.nn", "convnotes.matrix", "convnotes.figures")


def _load_hook():
    spec = importlib.util.spec_from_file_location("convnotes_wheel_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _load_hook().build_wheel(ROOT, tmp_path_factory.mktemp("wheel-cache"))


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(archive.read(name).decode())


def _commands(sample: str, wheel: Path) -> list[str]:
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    text = _load_hook().fill(text, wheel.as_uri(), wheel.name)
    return [line for line in text.splitlines() if line.strip()]


def test_every_install_sample_is_valid_bash() -> None:
    for sample in sorted(SAMPLES.glob("*.sh")):
        result = subprocess.run(["bash", "-n", str(sample)], capture_output=True, text=True)
        assert result.returncode == 0, f"{sample.name}: {result.stderr}"


def test_wheel_needs_nothing_and_its_torch_extra_adds_what_the_notebooks_import(
    wheel: Path,
) -> None:
    import convnotes

    metadata = _metadata(wheel)
    assert metadata["Version"] == convnotes.__version__
    assert wheel.name == f"convnotes-{convnotes.__version__}-py3-none-any.whl"
    requires = metadata.get_all("Requires-Dist") or []
    assert [r for r in requires if "extra ==" not in r] == []
    torch_extra = {re.split(r"[<>=;\s]", r)[0] for r in requires if 'extra == "torch"' in r}
    assert torch_extra == {"torch", "numpy", "matplotlib"}
    assert "torch" in (metadata.get_all("Provides-Extra") or [])
    # The page's commands name the extra the wheel provides.
    assert '"convnotes[torch] @ ' in (SAMPLES / "notebooks.sh").read_text(encoding="utf-8")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "convnotes/__main__.py" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)


@pytest.mark.slow
def test_page_commands_install_and_run_the_wheel_without_torch(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    # The venv has no pip of its own: the page's `pip` is this interpreter's pip aimed at it.
    pip = f"{shlex.quote(sys.executable)} -m pip --python {shlex.quote(str(python))}"
    prelude = f'pip() {{ {pip} "$@" --no-index --no-deps --quiet; }}\nset -e\n'
    commands = _commands("install.sh", wheel)
    assert commands[0].startswith("pip install ")
    result = subprocess.run(
        ["bash", "-c", prelude + "\n".join(commands)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # convnotes shape conv -i 32 -k 3 -s 2 -p 1: floor((32 + 2*1 - 1*(3 - 1) - 1) / 2) + 1
    assert f"output size: {(32 + 2 - 2 - 1) // 2 + 1}" in result.stdout
    # convnotes solve transpose 17 33 lists ConvTranspose settings taking 17 to 33.
    assert "17 -> 33" in result.stdout
    assert "usage: convnotes" in result.stdout  # python -m convnotes --help

    check = r"""
import importlib, importlib.util, sys
import convnotes
assert convnotes.__file__.startswith(sys.prefix), convnotes.__file__
assert importlib.util.find_spec("torch") is None, "the test venv must not have torch"
print(convnotes.conv_output_size((65, 64), 3, stride=2, padding=1))
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        print(module, "|", error)
try:
    convnotes.conv_matrix
except ModuleNotFoundError as error:
    print("conv_matrix |", error)
"""
    result = subprocess.run(
        [str(python), "-c", check, *TORCH_MODULES],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "(33, 32)"
    refused = dict(line.split(" | ", 1) for line in lines[1:])
    assert sorted(refused) == sorted([*TORCH_MODULES, "conv_matrix"])
    for message in refused.values():
        assert "needs torch" in message and 'pip install "convnotes[torch]"' in message, message


def test_wheel_cache_key_follows_every_input(tmp_path: Path) -> None:
    hook = _load_hook()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    package = tmp_path / "src" / "convnotes"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0"\n')
    before = hook.sources_hash(tmp_path)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    assert hook.sources_hash(tmp_path) == before
    (package / "shapes.py").write_text("")
    after_new_module = hook.sources_hash(tmp_path)
    assert after_new_module != before
    (tmp_path / "README.md").write_text("changed")
    assert hook.sources_hash(tmp_path) != after_new_module


def test_wheel_address_is_absolute_under_the_site_url() -> None:
    hook = _load_hook()
    name = "convnotes-1.0-py3-none-any.whl"
    assert hook.wheel_url("https://example.org/notes/", name) == (
        f"https://example.org/notes/downloads/{name}"
    )
    assert hook.fill("pip install {{ wheel_url }}  # {{ wheel_name }}", "U", name) == (
        f"pip install U  # {name}"
    )


def test_cli_commands_on_the_page_say_what_torch_says() -> None:
    """`convnotes shape conv ...` prints torch's output size; every layer `convnotes solve
    transpose 17 33` suggests really turns 17 into 33 when torch builds it."""
    import torch
    import torch.nn as nn

    commands = [
        line
        for line in (SAMPLES / "install.sh").read_text().splitlines()
        if line.startswith("convnotes ")
    ]
    scripts = Path(sys.executable).parent
    outputs = {}
    for command in commands:
        argv = shlex.split(command)
        result = subprocess.run(
            [str(scripts / argv[0]), *argv[1:]], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        outputs[" ".join(argv[1:3])] = result.stdout
    conv = nn.Conv2d(1, 1, 3, stride=2, padding=1)(torch.zeros(1, 1, 32, 32))
    assert re.search(rf"^output size: {conv.shape[-1]}$", outputs["shape conv"], re.M | re.I)
    layers = re.findall(r"(nn\.ConvTranspose2d\(.*\))$", outputs["solve transpose"], re.M)
    assert layers, outputs["solve transpose"]
    for layer in layers:
        # the constructor the CLI printed, its channel placeholders filled in
        up = eval(layer, {"nn": nn, "in_channels": 2, "out_channels": 3})
        assert up(torch.zeros(1, up.in_channels, 17, 17)).shape[-2:] == (33, 33), layer
