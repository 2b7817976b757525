"""Every code sample the site shows: one file in docs_src/, run here, included by both languages.

A page never writes a Python or shell block inline: it includes ``docs_src/<page>/<name>.py``
(or ``.sh``) with pymdownx.snippets, so the zh and en pages show the same code and that code
is what this test runs. What a page claims about a sample's result is an ``assert`` in the
sample (the reader sees it) or a check in ``tests/docs_src/test_<page>.py``. A sample that
shows an error is run too, and must fail with the error listed in ``EXPECTED_ERRORS``.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SAMPLES = ROOT / "docs_src"
LANGUAGES = ("zh", "en")
NOT_PAGES = ("assets/generated/", "javascripts/vendor/", "notebooks/")
CHECKED_LANGUAGES = {"python", "py", "python3", "pycon", "bash", "sh", "shell", "console"}
INCLUDE = re.compile(r'^--8<--\s+"([^"]+)"\s*$')
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")

# sample -> (exception type, pattern its message must match): samples that show an error.
EXPECTED_ERRORS: dict[str, tuple[type[BaseException], str]] = {
    "mistakes/same_with_stride.py": (
        ValueError,
        r"padding='same' is not supported for strided convolutions",
    ),
    "mistakes/skip_mismatch.py": (
        RuntimeError,
        r"Sizes of tensors must match except in dimension 1\. Expected size 34 but got size 33",
    ),
    "mistakes/output_padding_rule.py": (
        RuntimeError,
        r"output padding must be smaller than either stride or dilation",
    ),
    "transposed/padding_same.py": (
        TypeError,
        r"conv_transpose2d\(\): argument 'padding' \(position 5\) must be tuple of ints, "
        r"but found element of type str at pos 0",
    ),
    "transposed/padding_mode.py": (
        ValueError,
        r'Only "zeros" padding mode is supported for ConvTranspose2d',
    ),
    "output-padding/rule_refused.py": (
        RuntimeError,
        r"output padding must be smaller than either stride or dilation, but got "
        r"output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 "
        r"dilation_height: 1 dilation_width: 1",
    ),
    "output-padding/forward_output_size.py": (
        ValueError,
        r"requested an output size of \(67, 67\), but valid sizes range from "
        r"\[65, 65\] to \[66, 66\]",
    ),
    "output-padding/unet_bug.py": (
        RuntimeError,
        r"Sizes of tensors must match except in dimension 1\. "
        r"Expected size 34 but got size 33",
    ),
}
# shell sample -> (exit code, pattern stderr must match): commands that show a refusal.
EXPECTED_EXIT: dict[str, tuple[int, str]] = {}
# shell sample -> why it is only syntax-checked here (it installs or runs for minutes).
NOT_RUN: dict[str, str] = {
    "index/install.sh": "installs the site's wheel: test_index.py runs it in a fresh venv",
    "index/notebooks.sh": "installs packages, starts Jupyter Lab (test_wheel.py runs a notebook)",
    "index/torch-cpu.sh": "installs torch from PyTorch's index (no network in tests)",
    "speed/bench.sh": "runs for minutes, writes benchmarks/results/: test_speed.py checks "
    "the options exist",
}


def _samples(suffix: str) -> list[Path]:
    return sorted(path for path in SAMPLES.rglob(f"*{suffix}") if "notebooks" not in path.parts)


def _pages() -> list[Path]:
    return [
        path
        for path in sorted(DOCS.rglob("*.md"))
        if not path.relative_to(DOCS).as_posix().startswith(NOT_PAGES)
    ]


def code_blocks(markdown: str) -> list[tuple[int, str, list[str]]]:
    """(line number, language, body lines) of every fenced block, nested ones included."""
    blocks = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence, language = match["indent"], match["fence"], match["lang"].lower()
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        start, index = index, index + 1
        body = []
        while index < len(lines) and not closing.match(lines[index]):
            body.append(
                lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index]
            )
            index += 1
        blocks.append((start + 1, language, body))
        index += 1
    return blocks


def included_samples(page: Path) -> list[str]:
    """The docs_src files a page includes in its code blocks, in order."""
    found = []
    for _, language, body in code_blocks(page.read_text(encoding="utf-8")):
        if language in CHECKED_LANGUAGES:
            found += [m[1] for line in body if (m := INCLUDE.match(line.strip()))]
    return found


def _id(path: Path) -> str:
    return path.relative_to(SAMPLES).as_posix()


# --- the pages --------------------------------------------------------------------------------
@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_page_code_blocks_are_included_samples(page: Path) -> None:
    problems = []
    for line, language, body in code_blocks(page.read_text(encoding="utf-8")):
        if language not in CHECKED_LANGUAGES:
            continue
        content = [text.strip() for text in body if text.strip()]
        if not content or not all(INCLUDE.match(text) for text in content):
            problems.append(f"line {line}: a ```{language} block written inline")
            continue
        for text in content:
            target = INCLUDE.match(text)[1]
            if not (SAMPLES / target).is_file():
                problems.append(f"line {line}: includes {target}, not a file in docs_src/")
    assert not problems, f"{page.relative_to(DOCS)}:\n" + "\n".join(problems)


def test_both_languages_include_the_same_samples() -> None:
    problems = []
    for zh in (page for page in _pages() if page.name.endswith(".zh.md")):
        en = zh.with_name(zh.name.replace(".zh.md", ".en.md"))
        if en.is_file() and included_samples(zh) != included_samples(en):
            problems.append(f"{zh.relative_to(DOCS)}: {included_samples(zh)}")
            problems.append(f"{en.relative_to(DOCS)}: {included_samples(en)}")
    assert not problems, "\n".join(problems)


def test_every_sample_is_shown_on_a_page() -> None:
    shown = {name for page in _pages() for name in included_samples(page)}
    unused = [_id(path) for path in _samples(".py") + _samples(".sh") if _id(path) not in shown]
    assert not unused, f"samples no page includes: {unused}"
    listed = set(EXPECTED_ERRORS) | set(EXPECTED_EXIT) | set(NOT_RUN)
    assert listed <= {_id(p) for p in _samples(".py") + _samples(".sh")}


# --- running them -----------------------------------------------------------------------------
@pytest.mark.parametrize("sample", _samples(".py"), ids=_id)
def test_python_sample_runs(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.syspath_prepend(str(sample.parent))
    expected = EXPECTED_ERRORS.get(_id(sample))
    if expected is None:
        runpy.run_path(str(sample), run_name="__main__")
        return
    error_type, pattern = expected
    with pytest.raises(error_type, match=pattern):
        runpy.run_path(str(sample), run_name="__main__")


@pytest.mark.parametrize("sample", _samples(".sh"), ids=_id)
def test_shell_sample_runs(sample: Path, tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash
    syntax = subprocess.run([bash, "-n", str(sample)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    if _id(sample) in NOT_RUN:
        return
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [bash, "-e", str(sample)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    code, pattern = EXPECTED_EXIT.get(_id(sample), (0, ""))
    assert result.returncode == code, result.stdout + result.stderr
    assert re.search(pattern, result.stderr), result.stderr
