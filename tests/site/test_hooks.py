"""hooks/notebooks.py without a site build: split, Markdown, cache (test_build checks the rest)."""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "hooks" / "notebooks.py"
SOURCES = sorted((ROOT / "docs_src" / "notebooks").glob("*.py"))
LANGUAGES = ["zh", "en"]
# A 1×1 PNG: what a plot output looks like to the hook.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

SOURCE = """# %% [markdown] lang="zh"
# # 标题
#
# ## 一节

# %% [markdown] lang="en"
# # Title
#
# ## A section

# %%
LANG = "zh"  # the language of printed labels
print({"zh": "你好", "en": "hello"}[LANG])

# %% lang="en"
note = "english only"
"""


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("convnotes_notebooks_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def _cells(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in notebook.cells]


# --- the split ------------------------------------------------------------------------------
def test_each_language_keeps_its_cells_and_sets_lang(hook) -> None:
    zh = _cells(hook.split_notebook(SOURCE, "zh", LANGUAGES))
    en = _cells(hook.split_notebook(SOURCE, "en", LANGUAGES))
    assert [source for kind, source in zh if kind == "markdown"] == ["# 标题\n\n## 一节"]
    assert [source for kind, source in en if kind == "markdown"] == ["# Title\n\n## A section"]
    assert 'LANG = "zh"  # the language of printed labels' in zh[1][1]
    assert 'LANG = "en"  # the language of printed labels' in en[1][1]
    assert en[-1] == ("code", 'note = "english only"')
    assert len(zh) == 2 and len(en) == 3
    assert all("lang" not in c.metadata for c in hook.split_notebook(SOURCE, "en", LANGUAGES).cells)


def test_unknown_language_tag_is_an_error(hook) -> None:
    with pytest.raises(ValueError, match='lang="fr"'):
        hook.split_notebook('# %% [markdown] lang="fr"\n# salut\n', "zh", LANGUAGES)


def test_lang_must_be_settable(hook) -> None:
    assert hook.uses_lang_without_setting_it("# %%\nprint(LANG)\n")
    assert not hook.uses_lang_without_setting_it('# %%\nLANG = "en"\nprint(LANG)\n')
    assert not hook.uses_lang_without_setting_it("# %%\nprint(1)\n")


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_notebook_source_has_both_languages_and_its_code_once(hook, source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    assert not hook.uses_lang_without_setting_it(text)
    for language in LANGUAGES:
        cells = _cells(hook.split_notebook(text, language, LANGUAGES))
        assert any(kind == "markdown" for kind, _ in cells), f"no {language} markdown"
    cells = jupytext.reads(text, fmt="py:percent").cells
    tags = [c.metadata.get("lang") for c in cells if c.cell_type == "markdown"]
    assert "zh" in tags and "en" in tags
    code_tags = [c.metadata.get("lang") for c in cells if c.cell_type == "code"]
    # Code is written once: a one-language code cell is the exception, never the rule.
    assert code_tags.count(None) > 2 * (len(code_tags) - code_tags.count(None))


# --- the page -------------------------------------------------------------------------------
def test_fence_outgrows_backticks_inside(hook) -> None:
    assert hook.fence("x = 1", "python") == "```python\nx = 1\n```"
    assert hook.fence("a ```` b", "text").startswith("`````text\n")


def test_markdown_page_in_the_page_language(hook) -> None:
    notebook = hook.split_notebook(SOURCE, "zh", LANGUAGES)
    notebook.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="你"),
        nbformat.v4.new_output("stream", name="stdout", text="好\n"),
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(PNG).decode()}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
        nbformat.v4.new_output(
            "display_data", data={"text/markdown": "| a |\n|---|\n| 1 |", "text/plain": "<md>"}
        ),
    ]
    plots = []

    def store(cell: int, number: int, png: bytes) -> str:
        plots.append((cell, number, png))
        return f"outputs/p-{cell}-{number}.png"

    page = hook.to_markdown(notebook, "zh", "outputs/demo-zh.ipynb", store)
    assert page.startswith("# 标题\n\n## 一节\n\n")
    assert "[下载笔记本（.ipynb）](outputs/demo-zh.ipynb){ download }" in page
    assert '```python\nLANG = "zh"' in page
    assert "```{ .text .cn-output }\n你好\n```" in page
    assert "![「一节」一节代码单元输出的图](outputs/p-1-1.png){ loading=lazy .cn-plot }" in page
    assert "```{ .text .cn-output }\n42\n```" in page
    assert "\n\n| a |\n|---|\n| 1 |\n" in page and "<md>" not in page
    assert plots == [(1, 1, PNG)]
    english = hook.to_markdown(hook.split_notebook(SOURCE, "en", LANGUAGES), "en", "d.ipynb", store)
    assert "[Download the notebook (.ipynb)](d.ipynb){ download }" in english


def test_package_fingerprint_changes_with_the_package(hook, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = hook.package_fingerprint(tmp_path)
    assert hook.package_fingerprint(tmp_path) == before
    (tmp_path / "a.py").write_text("x = 2\n")
    assert hook.package_fingerprint(tmp_path) != before


@pytest.mark.slow
def test_build_page_executes_once_then_reads_the_cache(hook, tmp_path, monkeypatch) -> None:
    source = tmp_path / "demo.py"
    source.write_text(SOURCE + "\n# %%\n6 * 7\n", encoding="utf-8")
    pages = tmp_path / "docs" / "notebooks"
    written = hook.build_page(source, "en", LANGUAGES, tmp_path, pages, "pkg-1")
    page = (pages / "demo.en.md").read_text(encoding="utf-8")
    assert "```{ .text .cn-output }\nhello\n```" in page
    assert "```{ .text .cn-output }\n42\n```" in page
    executed = nbformat.read(pages / "outputs" / "demo-en.ipynb", as_version=4)
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
    assert set(written) == {pages / "demo.en.md", pages / "outputs" / "demo-en.ipynb"}

    def no_kernel(*args, **kwargs):
        raise AssertionError("executed again although nothing changed")

    monkeypatch.setattr(hook, "execute", no_kernel)
    hook.build_page(source, "en", LANGUAGES, tmp_path, pages, "pkg-1")
    with pytest.raises(AssertionError, match="executed again"):
        hook.build_page(source, "en", LANGUAGES, tmp_path, pages, "pkg-2")  # package changed
