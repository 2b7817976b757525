"""The built API reference page: examples are code blocks, cross references are links,
no Sphinx markup shows, numbered lists count right (both languages render the same
docstrings)."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = [pytest.mark.site, pytest.mark.slow]

PAGES = {"zh": Path("reference/index.html"), "en": Path("en/reference/index.html")}
# The modules the page renders (docs/reference.*.md).
MODULES = (
    "convnotes.shapes",
    "convnotes.design",
    "convnotes.layers",
    "convnotes.doctor",
    "convnotes.explain",
    "convnotes.functional",
    "convnotes.matrix",
    "convnotes.nn",
)
# mkdocstrings' section titles in each page's language.
SECTION_TITLES = {
    "zh": {"参数：", "返回：", "引发：", "示例："},
    "en": {"Parameters:", "Returns:", "Raises:", "Examples:"},
}
SPHINX = re.compile(r":(func|class|mod|meth|data|attr|exc|obj):`")


@pytest.fixture(scope="module", params=sorted(PAGES))
def page(request: pytest.FixtureRequest, built_site: Path) -> BeautifulSoup:
    html = (built_site / PAGES[request.param]).read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def _content(page: BeautifulSoup):
    return page.select_one("article") or page


def _documented(page: BeautifulSoup, identifier: str):
    """The `div.doc-object` documenting `identifier` (mkdocstrings gives its heading that id)."""
    heading = page.find(id=identifier)
    assert heading is not None, f"{identifier} is not on the page"
    return heading.find_parent("div", class_="doc-object")


def test_no_sphinx_roles_or_rst_literals(page: BeautifulSoup) -> None:
    text = _content(page).get_text()
    assert not SPHINX.search(text), SPHINX.search(text)
    assert "``" not in text


def test_every_docstring_example_is_a_code_block(page: BeautifulSoup) -> None:
    content = _content(page)
    assert content.find("blockquote") is None  # what `>>>` turns into outside code
    prompts = [s for s in content.find_all(string=re.compile(">>>"))]
    outside = [s for s in prompts if s.find_parent("code") is None]
    assert not outside, outside[:3]
    shown = {
        re.sub(r"\s+", " ", code.get_text()).strip()
        for code in content.select("div.highlight pre code")
    }
    finder = doctest.DocTestFinder()
    sources = [
        example.source.strip()
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
        if test.name.rsplit(".", 1)[-1][:1] != "_"  # private: not on the page
        for example in test.examples
    ]
    assert len(sources) >= 15
    for source in sources:
        line = re.sub(r"\s+", " ", source.splitlines()[0])
        assert any(line in block for block in shown), f"example not shown as code: {line}"


def test_cross_references_are_links(page: BeautifulSoup) -> None:
    content = _content(page)
    assert not re.search(r"\]\[convnotes\.", content.get_text()), "an unresolved reference"
    see_range = _documented(page, "convnotes.shapes.output_padding_for")
    link = see_range.find("a", href="#convnotes.shapes.output_size_range")
    assert link is not None and link.get_text() == "output_size_range"
    design = _documented(page, "convnotes.design")
    targets = {a["href"] for a in design.find_all("a", href=True)}
    assert {"#convnotes.design.solve_conv", "#convnotes.design.plan_chain"} <= targets


@pytest.mark.parametrize("language", sorted(PAGES))
def test_sections_are_in_the_page_language_and_numbered_lists_count(
    built_site: Path, language: str
) -> None:
    html = (built_site / PAGES[language]).read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    conv = _documented(page, "convnotes.shapes.conv_output_size")
    titles = {t.get_text(strip=True) for t in conv.select(".doc-section-title")}
    assert titles == SECTION_TITLES[language]
    every_title = {t.get_text(strip=True) for t in page.select(".doc-section-title")}
    other = "en" if language == "zh" else "zh"
    assert not every_title & SECTION_TITLES[other]
    names = [code.get_text() for code in conv.select("table code")]
    for parameter in ("input_size", "kernel_size", "stride", "padding", "dilation"):
        assert parameter in names
    design = _documented(page, "convnotes.design")
    ordering = design.find("ol")
    assert ordering is not None and len(ordering.find_all("li", recursive=False)) == 6
    assert ordering.get("start") in (None, "1")
