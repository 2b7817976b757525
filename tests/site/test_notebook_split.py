"""hooks/notebook_split.py: one source per notebook, one notebook per language."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "hooks" / "notebook_split.py"
SOURCES = sorted((ROOT / "docs_src" / "notebooks").glob("*.py"))
LANGUAGES = ["zh", "en"]

SOURCE = '''# %% [markdown] lang="zh"
# # 标题

# %% [markdown] lang="en"
# # Title

# %%
LANG = "zh"  # the language of printed labels
print({"zh": "你好", "en": "hello"}[LANG])

# %% lang="en"
note = "english only"
'''


@pytest.fixture(scope="module")
def split():
    spec = importlib.util.spec_from_file_location("convnotes_notebook_split_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def _cells(text: str) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in jupytext.reads(text, fmt="py:percent").cells]


def test_each_language_keeps_its_cells_and_sets_lang(split) -> None:
    zh = _cells(split.split_notebook(SOURCE, "zh", LANGUAGES))
    en = _cells(split.split_notebook(SOURCE, "en", LANGUAGES))
    assert [source for kind, source in zh if kind == "markdown"] == ["# 标题"]
    assert [source for kind, source in en if kind == "markdown"] == ["# Title"]
    assert 'LANG = "zh"  # the language of printed labels' in zh[1][1]
    assert 'LANG = "en"  # the language of printed labels' in en[1][1]
    assert [s for _, s in en][-1] == 'note = "english only"'
    assert len(zh) == 2 and len(en) == 3
    assert "lang=" not in split.split_notebook(SOURCE, "en", LANGUAGES)


def test_unknown_language_tag_is_an_error(split) -> None:
    with pytest.raises(ValueError, match='lang="fr"'):
        split.split_notebook('# %% [markdown] lang="fr"\n# salut\n', "zh", LANGUAGES)


def test_split_all_writes_both_languages_and_removes_stale(split, tmp_path: Path) -> None:
    sources, dest = tmp_path / "src", tmp_path / "docs" / "notebooks"
    sources.mkdir()
    (sources / "demo.py").write_text(SOURCE, encoding="utf-8")
    dest.mkdir(parents=True)
    (dest / "gone.zh.py").write_text("# %%\n", encoding="utf-8")
    written = split.split_all(sources, dest, LANGUAGES)
    assert sorted(p.name for p in written) == ["demo.en.py", "demo.zh.py"]
    assert sorted(p.name for p in dest.iterdir()) == ["demo.en.py", "demo.zh.py"]
    mtime = (dest / "demo.zh.py").stat().st_mtime_ns
    split.split_all(sources, dest, LANGUAGES)  # unchanged: not rewritten (serve would loop)
    assert (dest / "demo.zh.py").stat().st_mtime_ns == mtime


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_notebook_source_has_both_languages_and_one_copy_of_its_code(
    split, source: Path
) -> None:
    text = source.read_text(encoding="utf-8")
    assert not split.uses_lang_without_setting_it(text)
    notebooks = {lang: _cells(split.split_notebook(text, lang, LANGUAGES)) for lang in LANGUAGES}
    for language, cells in notebooks.items():
        assert any(kind == "markdown" for kind, _ in cells), f"no {language} markdown"
    tags = [c.metadata.get("lang") for c in jupytext.reads(text, fmt="py:percent").cells]
    code_tags = [
        c.metadata.get("lang")
        for c in jupytext.reads(text, fmt="py:percent").cells
        if c.cell_type == "code"
    ]
    assert tags.count("zh") and tags.count("en")
    # Code is written once: a language-only code cell is the exception, never the rule.
    assert code_tags.count(None) > 2 * (code_tags.count("zh") + code_tags.count("en"))
