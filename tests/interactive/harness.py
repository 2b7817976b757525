"""A small Material + static-i18n site holding only the tool pages, served on localhost.

Used when the shared ``site_server`` fixture (tests/conftest.py, the full site) is not
available, or when CONVNOTES_INTERACTIVE_OWN_SITE=1 asks for the quick build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ["shapes.js", "dom.js", "calculator.js", "visualizer.js"]
PAGES = ["calculator", "visualizer"]

CONFIG = """\
site_name: convnotes tools harness
site_url: http://127.0.0.1/
docs_dir: docs
site_dir: site
theme:
  name: material
  language: zh
  font: false
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {{icon: material/weather-night, name: dark}}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {{icon: material/weather-sunny, name: light}}
plugins:
  - i18n:
      docs_structure: suffix
      languages:
        - {{locale: zh, name: 简体中文, default: true, build: true}}
        - {{locale: en, name: English, build: true}}
markdown_extensions: [attr_list, md_in_html, admonition]
extra_css: [stylesheets/interactive.css]
extra_javascript: [{scripts}]
nav:
  - tools/calculator.md
  - tools/visualizer.md
"""


def build_harness(dest: Path) -> Path:
    """Copy the tool pages + scripts into ``dest`` and build them; returns the site dir."""
    docs = dest / "docs"
    (docs / "tools").mkdir(parents=True)
    (docs / "javascripts").mkdir()
    (docs / "stylesheets").mkdir()
    (docs / "index.zh.md").write_text("# harness\n", encoding="utf-8")
    (docs / "index.en.md").write_text("# harness\n", encoding="utf-8")
    for page in PAGES:
        for lang in ("zh", "en"):
            name = f"{page}.{lang}.md"
            source = ROOT / "docs" / "tools" / name
            text = source.read_text("utf-8") if source.exists() else f"# {page}\n"
            (docs / "tools" / name).write_text(text, encoding="utf-8")
    present = [s for s in SCRIPTS if (ROOT / "docs" / "javascripts" / s).exists()]
    for script in present:
        shutil.copy(ROOT / "docs" / "javascripts" / script, docs / "javascripts" / script)
    shutil.copy(ROOT / "docs/stylesheets/interactive.css", docs / "stylesheets")
    scripts = ", ".join(f"javascripts/{s}" for s in present)
    (dest / "mkdocs.yml").write_text(CONFIG.format(scripts=scripts), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(dest / "mkdocs.yml")],
        check=True,
        cwd=dest,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    return dest / "site"
