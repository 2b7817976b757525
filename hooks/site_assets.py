"""MkDocs hook: everything the pages need on disk before MkDocs collects files.

- generated figures and tables (``scripts/build_assets.py`` in a fresh interpreter, cached by
  the figures code);
- KaTeX copied from ``node_modules`` (installed by ``npm ci``; never from a CDN);
- ``extra_javascript`` / ``extra_css`` entries whose file does not exist yet are dropped
  with a log line, so the site builds while the interactive scripts are being written;
- with ``CONVNOTES_SKIP_ASSETS=1`` the figures are not regenerated (what is on disk is used);
- with ``CONVNOTES_PARTIAL_NAV=1``, nav entries whose page does not exist yet are dropped
  (for building while pages are still being written; the strict build and tests run without it);
- every build forgets the hook modules, so the next rebuild of ``mkdocs serve`` runs the hooks'
  current code.
"""

from __future__ import annotations

import filecmp
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.site_assets")

KATEX_DIST = Path("node_modules/katex/dist")
KATEX_DEST = Path("javascripts/vendor/katex")  # relative to docs_dir, gitignored
GENERATED_DEST = Path("assets/generated")  # relative to docs_dir, gitignored
KATEX_FILES = ("katex.min.js", "katex.min.css")


def _project_root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _is_optional(entry: str) -> bool:
    """Our own scripts and styles may be missing while they are written; plugins' entries
    (mkdocstrings adds one) and the KaTeX copy (made in on_pre_build) are always kept."""
    own = entry.startswith(("javascripts/", "stylesheets/"))
    return own and not entry.startswith(KATEX_DEST.as_posix())


def _existing_entries(entries: list, docs_dir: Path) -> list:
    """Keep entries (str or ExtraScriptValue) unless they are ours and not written yet."""
    kept = []
    for entry in entries:
        path = str(entry)
        if not _is_optional(path) or (docs_dir / path).is_file():
            kept.append(entry)
        else:
            log.info("extra asset %s is not there yet: left out of this build", path)
    return kept


def _page_exists(docs_dir: Path, page: str) -> bool:
    """A nav path like ``notebooks/convolution.py`` exists as ``...zh.py`` / ``...en.py``."""
    path = Path(page)
    candidates = [path] + [path.with_suffix(f".{lang}{path.suffix}") for lang in ("zh", "en")]
    return any((docs_dir / candidate).is_file() for candidate in candidates)


def _prune_nav(items: list, docs_dir: Path) -> list:
    pruned = []
    for item in items:
        if isinstance(item, dict):
            ((title, value),) = item.items()
            if isinstance(value, list):
                children = _prune_nav(value, docs_dir)
                if children:
                    pruned.append({title: children})
            elif "://" in value or _page_exists(docs_dir, value):
                pruned.append(item)
            else:
                log.info("CONVNOTES_PARTIAL_NAV: %s (%s) is not written yet", title, value)
        elif "://" in item or _page_exists(docs_dir, item):
            pruned.append(item)
    return pruned


@event_priority(100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    forget_hook_modules()
    docs_dir = Path(config.docs_dir)
    config.extra_javascript = _existing_entries(list(config.extra_javascript), docs_dir)
    config.extra_css = _existing_entries(list(config.extra_css), docs_dir)
    if os.environ.get("CONVNOTES_PARTIAL_NAV") == "1" and config.nav:
        config.nav = _prune_nav(config.nav, docs_dir)
    return config


def copy_katex(root: Path, docs_dir: Path) -> Path:
    """Copy KaTeX's dist (js, css, fonts) to docs/javascripts/vendor/katex, skipping unchanged."""
    source = root / KATEX_DIST
    if not (source / "katex.min.js").is_file():
        raise PluginError(
            f"KaTeX not found at {source}: run `npm ci` in {root} first "
            "(math is rendered by a local copy of KaTeX, never a CDN)."
        )
    dest = docs_dir / KATEX_DEST
    wanted = [Path(name) for name in KATEX_FILES]
    wanted += [font.relative_to(source) for font in sorted((source / "fonts").iterdir())]
    for relative in wanted:
        target = dest / relative
        if target.is_file() and filecmp.cmp(source / relative, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target)
    return dest


def package_env(root: Path) -> dict[str, str]:
    """The environment for code the build runs (figures, notebook kernels): this checkout's
    ``src/`` first on ``PYTHONPATH``, so pages show the code being edited."""
    paths = [str(root / "src"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def build_generated_assets(root: Path, docs_dir: Path) -> None:
    """Run the figures build (cached by content hash, so cheap when nothing changed).

    It runs in a fresh interpreter every build: ``mkdocs serve`` keeps one process, in which
    generator modules imported by an earlier build would keep the code they were imported with.
    """
    script = root / "scripts" / "build_assets.py"
    if not script.is_file():
        log.info("%s is missing: generated assets not built", script)
        return
    dest = docs_dir / GENERATED_DEST
    command = [sys.executable, str(script), "--dest", str(dest)]
    result = subprocess.run(
        command, cwd=root, env=package_env(root), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        if "No module named 'convnotes" in result.stderr:
            log.info("convnotes.figures is not available: generated assets not built")
            return
        raise PluginError(f"building the figures failed:\n{result.stdout}{result.stderr}")
    for line in result.stdout.splitlines():
        log.debug(line)
    if result.stdout.strip():
        log.info(result.stdout.strip().splitlines()[-1])


def forget_hook_modules() -> None:
    """Make the next config load (each rebuild of ``mkdocs serve``) execute the hook files
    again: MkDocs caches hook modules per process, so edits to hooks/ would go unseen."""
    config_options.Hooks._load_hook.cache_clear()


def on_pre_build(config: MkDocsConfig) -> None:
    # static-i18n runs one build per language; the second run finds everything in place.
    root = _project_root(config)
    docs_dir = Path(config.docs_dir)
    copy_katex(root, docs_dir)
    if os.environ.get("CONVNOTES_SKIP_ASSETS") == "1":
        log.info("CONVNOTES_SKIP_ASSETS=1: generated assets not rebuilt")
    else:
        build_generated_assets(root, docs_dir)
