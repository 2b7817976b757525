"""`mkdocs serve` sees code changes: a rebuild in the same process shows the new code's output.

``mkdocs serve`` keeps one Python process and, on each change, loads the config again and
builds. This test does the same on a small copy of the project (the hooks, the template
overrides, the package and one notebook) in a temporary folder: build, edit the function the
notebook prints and the hook that writes the notebook page, build again in the same process,
and read the rebuilt pages.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.site, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
site_name: serve probe
site_url: http://127.0.0.1:8000/
theme: {name: material, custom_dir: overrides, language: zh}
hooks: [hooks/site_assets.py, hooks/notebooks.py, hooks/search.py, hooks/page_assets.py]
plugins:
  - search
  - i18n:
      docs_structure: suffix
      reconfigure_search: false
      languages:
        - {locale: zh, name: 简体中文, default: true, build: true}
        - {locale: en, name: English, build: true}
markdown_extensions: [attr_list, pymdownx.highlight, pymdownx.superfences]
nav: [index.md, notebooks/probe.md]
"""
NOTEBOOK = """\
# %% [markdown] lang="zh"
# # 探针

# %% [markdown] lang="en"
# # Probe

# %%
from convnotes.shapes import conv_output_size

print("o =", conv_output_size(32, 3, stride=2, padding=1))
"""
# The edit: the printed function now returns 1000 more.
EDIT = """

_conv_output_size = conv_output_size


def conv_output_size(*args, **kwargs):
    return _conv_output_size(*args, **kwargs) + 1000
"""


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("hooks", "overrides", "src/convnotes"):
        shutil.copytree(ROOT / folder, project / folder, ignore=ignore)
    (project / "node_modules").symlink_to(ROOT / "node_modules")  # KaTeX for site_assets
    (project / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (project / "docs").mkdir()
    for language in ("zh", "en"):
        (project / "docs" / f"index.{language}.md").write_text("# probe\n", encoding="utf-8")
    (project / "docs_src" / "notebooks").mkdir(parents=True)
    (project / "docs_src" / "notebooks" / "probe.py").write_text(NOTEBOOK, encoding="utf-8")
    return project


def _build(project: Path) -> None:
    """What each rebuild of ``mkdocs serve`` does: load the config file again, then build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(project / "mkdocs.yml")))


def _printed(project: Path, language: str) -> str:
    prefix = "" if language == "zh" else f"{language}/"
    html = (project / "site" / prefix / "notebooks" / "probe" / "index.html").read_text("utf-8")
    match = re.search(r"o = (\d+)", html)
    assert match, f"the {language} notebook page shows no output"
    return match.group(0)


def test_rebuild_in_the_same_process_shows_edited_code(tmp_path: Path, monkeypatch) -> None:
    if not (ROOT / "node_modules" / "katex" / "dist" / "katex.min.js").is_file():
        pytest.skip("KaTeX is not installed: run `npm ci` first")
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    monkeypatch.setenv("CONVNOTES_SKIP_ASSETS", "1")  # the figures have their own cache tests
    monkeypatch.delenv("CONVNOTES_PARTIAL_NAV", raising=False)
    expected = (32 + 2 * 1 - 1 * (3 - 1) - 1) // 2 + 1  # o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1

    _build(project)
    assert [_printed(project, lang) for lang in ("zh", "en")] == [f"o = {expected}"] * 2

    shapes = project / "src" / "convnotes" / "shapes.py"
    shapes.write_text(shapes.read_text("utf-8") + EDIT, encoding="utf-8")
    hook = project / "hooks" / "notebooks.py"
    old_note = "This page is a notebook"
    assert old_note in hook.read_text("utf-8")
    hook.write_text(hook.read_text("utf-8").replace(old_note, "This page is an edited notebook"))

    _build(project)
    assert [_printed(project, lang) for lang in ("zh", "en")] == [f"o = {expected + 1000}"] * 2
    page = (project / "site" / "en" / "notebooks" / "probe" / "index.html").read_text("utf-8")
    assert "This page is an edited notebook" in page, "the edited hook did not run"


def test_serve_watches_the_code_the_pages_run() -> None:
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        watched = {Path(path) for path in yaml_load(file)["watch"]}
    for needed in ("docs_src", "src/convnotes", "hooks", "overrides"):
        assert any(Path(needed).is_relative_to(path) for path in watched), needed
