"""MkDocs hook: each page loads only the scripts and styles its content uses.

``extra_javascript`` / ``extra_css`` in mkdocs.yml list every asset once. The assets named in
:data:`USED_BY` belong to a kind of content (a tool widget, math); a page whose HTML has no
such content is rendered with those entries left out. Everything else loads on every page.
"""

from __future__ import annotations

import copy
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

# Asset path (as in mkdocs.yml) -> the pattern of the page HTML that needs it.
CALCULATOR = r'data-convnotes="calculator"'
VISUALIZER = r'data-convnotes="visualizer"'
MATH = r'class="arithmatex"'
USED_BY = {
    "javascripts/vendor/katex/katex.min.js": MATH,
    "javascripts/vendor/katex/katex.min.css": MATH,
    "javascripts/katex-init.js": MATH,
    "javascripts/shapes.js": f"{CALCULATOR}|{VISUALIZER}",
    "javascripts/dom.js": f"{CALCULATOR}|{VISUALIZER}",
    "javascripts/calculator.js": CALCULATOR,
    "javascripts/visualizer.js": VISUALIZER,
    "stylesheets/interactive.css": f"{CALCULATOR}|{VISUALIZER}",
}


def needed(entries: list, html: str) -> list:
    """The entries (str or ExtraScriptValue) a page with body ``html`` uses."""
    return [
        entry
        for entry in entries
        if str(entry) not in USED_BY or re.search(USED_BY[str(entry)], html)
    ]


@event_priority(-100)
def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
    # The template reads config.extra_javascript / extra_css: give it this page's view of
    # the config (a shallow copy), never change the config the other pages share.
    html = page.content or ""
    view = copy.copy(config)
    view.extra_javascript = needed(list(config.extra_javascript), html)
    view.extra_css = needed(list(config.extra_css), html)
    context["config"] = view
    return context


def on_template_context(context: dict, template_name: str, config: MkDocsConfig) -> dict:
    # Static templates (404.html) have no content of their own.
    view = copy.copy(config)
    view.extra_javascript = needed(list(config.extra_javascript), "")
    view.extra_css = needed(list(config.extra_css), "")
    context["config"] = view
    return context
