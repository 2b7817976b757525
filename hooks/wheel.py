"""MkDocs hook: the convnotes wheel, built from this checkout and published with the site.

The wheel is built with pip (no dependencies, no build isolation: the installed setuptools)
from a copy of the package sources, and cached in ``.cache/convnotes-wheel/<hash>/`` by a
hash of everything that goes into it (``src/convnotes``, ``pyproject.toml``, ``README.md``,
``LICENSE``), so a rebuild of the site reuses it until one of them changes. It is copied to
``<site>/downloads/``. Pages and included snippets write ``{{ wheel_url }}`` (the absolute
address, from ``site_url``: what ``pip install`` needs) and ``{{ wheel_name }}`` (the file
name); the hook fills both in the Markdown and, for included code blocks, in the HTML.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.wheel")

CACHE_DIR = Path(".cache/convnotes-wheel")  # relative to the project root, gitignored
SITE_FOLDER = "downloads"
INPUT_FILES = ("pyproject.toml", "README.md", "LICENSE")
PACKAGE_DIR = Path("src/convnotes")
PLACEHOLDERS = ("{{ wheel_url }}", "{{ wheel_name }}")


def _package_files(root: Path) -> list[Path]:
    """Every file that goes into the wheel, relative to ``root``, in a fixed order."""
    package = [
        path.relative_to(root)
        for path in sorted((root / PACKAGE_DIR).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]
    return [Path(name) for name in INPUT_FILES] + package


def sources_hash(root: Path) -> str:
    """SHA-256 of the wheel's inputs: their paths and contents."""
    digest = hashlib.sha256()
    for relative in _package_files(root):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update((root / relative).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_wheel(root: Path, cache_dir: Path) -> Path:
    """The wheel of the package at ``root``: from ``cache_dir`` if its inputs are unchanged."""
    target = cache_dir / sources_hash(root)
    built = sorted(target.glob("convnotes-*.whl"))
    if built:
        return built[0]
    with tempfile.TemporaryDirectory(prefix="convnotes-wheel-") as scratch:
        # A copy keeps setuptools' build/ and *.egg-info out of the checkout.
        source = Path(scratch) / "source"
        for relative in _package_files(root):
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / relative, source / relative)
        out = Path(scratch) / "out"
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        command += ["--no-index"]  # offline: nothing to download
        command += ["--quiet", "--wheel-dir", str(out), str(source)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(out.glob("convnotes-*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            raise PluginError(
                f"building the convnotes wheel failed (exit {result.returncode}): "
                f"{' '.join(command)}\n{result.stdout}{result.stderr}"
            )
        target.mkdir(parents=True, exist_ok=True)
        partial = target / f"{wheels[0].name}.{os.getpid()}.partial"
        shutil.copy2(wheels[0], partial)
        partial.replace(target / wheels[0].name)  # atomic: parallel builds share the cache
    for stale in cache_dir.iterdir():
        if stale.is_dir() and stale != target:
            shutil.rmtree(stale, ignore_errors=True)
    return target / wheels[0].name


def wheel_url(site_url: str | None, name: str) -> str:
    """Where the published wheel lives: absolute when ``site_url`` is set (pip needs that)."""
    base = (site_url or "").rstrip("/")
    return f"{base}/{SITE_FOLDER}/{name}" if base else f"/{SITE_FOLDER}/{name}"


def fill(text: str, url: str, name: str) -> str:
    """Replace the placeholders of ``text`` by the wheel's address and file name."""
    return text.replace(PLACEHOLDERS[0], url).replace(PLACEHOLDERS[1], name)


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _wheel(config: MkDocsConfig) -> Path:
    root = _root(config)
    return build_wheel(root, root / CACHE_DIR)


def on_pre_build(config: MkDocsConfig) -> None:
    wheel = _wheel(config)
    log.info("convnotes wheel: %s", wheel.name)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files) -> str:
    if PLACEHOLDERS[0] not in markdown and PLACEHOLDERS[1] not in markdown:
        return markdown
    name = _wheel(config).name
    return fill(markdown, wheel_url(config.site_url, name), name)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    # Snippets (--8<--) are included while the Markdown is converted, after on_page_markdown.
    if PLACEHOLDERS[0] not in html and PLACEHOLDERS[1] not in html:
        return html
    name = _wheel(config).name
    return fill(html, wheel_url(config.site_url, name), name)


def on_post_build(config: MkDocsConfig) -> None:
    wheel = _wheel(config)
    dest = Path(config.site_dir) / SITE_FOLDER
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("convnotes-*.whl"):
        if old.name != wheel.name:
            old.unlink()
    shutil.copy2(wheel, dest / wheel.name)
