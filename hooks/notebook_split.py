"""MkDocs hook: one notebook source per topic, split into one notebook per language.

``docs_src/notebooks/<name>.py`` (jupytext percent format) holds every code cell once and
the markdown of both languages, each language's cells tagged ``lang="zh"`` or ``lang="en"``
in the cell header. Before MkDocs collects files, each source becomes
``docs/notebooks/<name>.<lang>.py`` (gitignored): the other language's cells are dropped and
the line ``LANG = "..."`` is set to the notebook's language, so that printed and plotted
labels follow the page. hooks/notebooks.py then renders these like any other notebook.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import jupytext
import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.notebook_split")

SOURCES = Path("docs_src/notebooks")  # relative to the project root
DEST = Path("notebooks")  # relative to docs_dir, gitignored
LANG_LINE = re.compile(r'^LANG = "[a-z]+"(?P<rest>.*)$', re.MULTILINE)


def split_notebook(source: str, language: str, languages: list[str]) -> str:
    """The percent-format notebook for ``language``: cells tagged with another language
    dropped, the ``lang`` tags removed, and ``LANG = "..."`` set to ``language``."""
    notebook = jupytext.reads(source, fmt="py:percent")
    kept = []
    for cell in notebook.cells:
        tag = cell.metadata.pop("lang", None)
        if tag is not None and tag not in languages:
            raise ValueError(f'cell tagged lang="{tag}": expected one of {languages}')
        if tag in (None, language):
            if cell.cell_type == "code":
                cell.source = LANG_LINE.sub(f'LANG = "{language}"\\g<rest>', cell.source)
            kept.append(cell)
    notebook.cells = kept
    return jupytext.writes(notebook, fmt="py:percent")


def uses_lang_without_setting_it(notebook_text: str) -> bool:
    """A notebook that reads ``LANG`` must set it in a line the split can rewrite."""
    notebook = jupytext.reads(notebook_text, fmt="py:percent")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    return bool(re.search(r"\bLANG\b", code)) and not LANG_LINE.search(code)


def write_if_changed(path: Path, text: str) -> None:
    """`mkdocs serve` watches docs/: rewriting an unchanged file would rebuild forever."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def split_all(sources: Path, dest: Path, languages: list[str]) -> list[Path]:
    """Write every language's notebook of every source; remove outputs whose source is gone."""
    written = []
    for source in sorted(sources.glob("*.py")):
        text = source.read_text(encoding="utf-8")
        if uses_lang_without_setting_it(text):
            raise PluginError(f"{source} uses LANG but has no line `LANG = \"...\"` to set")
        for language in languages:
            target = dest / f"{source.stem}.{language}.py"
            try:
                write_if_changed(target, split_notebook(text, language, languages))
            except ValueError as error:
                raise PluginError(f"{source}: {error}") from None
            written.append(target)
    for stale in set(dest.glob("*.*.py")) - set(written):
        stale.unlink()
    return written


@event_priority(100)
def on_pre_build(config: MkDocsConfig) -> None:
    root = Path(config.config_file_path).resolve().parent
    i18n = config.plugins.get("i18n")
    languages = [lang.locale for lang in i18n.config.languages] if i18n else ["en"]
    written = split_all(root / SOURCES, Path(config.docs_dir) / DEST, languages)
    log.debug("notebook split: %d notebooks written", len(written))
