"""Packaging: one version, the license, the torch-free core, `python -m convnotes`, dev.sh.

The wheel itself is installed into a fresh environment without torch by
tests/docs_src/test_index.py (with the home page's commands).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import convnotes

tomllib = pytest.importorskip("tomllib", reason="Python 3.11's tomllib reads pyproject.toml")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TORCH_MODULES = ("convnotes.functional", "convnotes.nn", "convnotes.matrix", "convnotes.figures")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_version_lives_in_the_package_only() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "convnotes.__version__"}
    assert isinstance(convnotes.__version__, str) and convnotes.__version__[0].isdigit()


def test_license_file_is_mit_as_declared() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_project_urls_and_the_torch_extra() -> None:
    project = PYPROJECT["project"]
    assert set(project["urls"]) >= {"Documentation", "Source"}
    assert all(url.startswith("https://") for url in project["urls"].values())
    assert project["dependencies"] == []
    extra = {req.split(">")[0].split("=")[0] for req in project["optional-dependencies"]["torch"]}
    assert extra == {"torch", "numpy", "matplotlib"}


def test_import_convnotes_and_the_cli_do_not_import_torch() -> None:
    code = (
        "import sys, convnotes, convnotes.shapes, convnotes.design, convnotes.explain, "
        "convnotes.cli\n"
        "print(sorted(m for m in ('torch', 'numpy', 'matplotlib') if m in sys.modules))"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("module", TORCH_MODULES)
def test_a_torch_module_without_torch_says_what_to_install(module: str) -> None:
    # None in sys.modules makes `import torch` fail as if torch were not installed.
    code = (
        "import importlib, sys\n"
        "sys.modules['torch'] = None\n"
        "try:\n"
        "    importlib.import_module(sys.argv[1])\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error.name, '|', error)\n"
    )
    result = _python(code, module)
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.strip().split(" | ")
    assert name == "torch"
    assert message.startswith(f"{module} needs torch")
    assert 'pip install "convnotes[torch]"' in message


def test_python_m_convnotes_is_the_cli() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = [sys.executable, "-m", "convnotes"]
    result = subprocess.run([*run, "--version"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout.strip() == f"convnotes {convnotes.__version__}"
    result = subprocess.run(
        [*run, "shape", "conv", "-i", "32", "-k", "3", "-s", "2", "-p", "1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    # floor((i + 2p - d(k - 1) - 1) / s) + 1 with i=32, k=3, s=2, p=1, d=1
    assert result.stdout.splitlines()[0] == f"output size: {(32 + 2 - 2 - 1) // 2 + 1}"
    result = subprocess.run(
        [*run, "shape", "conv", "-i", "4", "-k", "5"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2 and "kernel" in result.stderr


def test_dev_sh_help_exits_zero_and_a_bad_command_exits_two() -> None:
    script = ROOT / "scripts" / "dev.sh"
    for flag in ("--help", "-h"):
        result = subprocess.run(["bash", str(script), flag], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: bash scripts/dev.sh serve|build|test")
    result = subprocess.run(["bash", str(script), "nonsense"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("usage:")
