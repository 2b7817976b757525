"""The built site: strict build, zh/en parity, executed notebooks, links, assets, offline, math.

Checks iterate over what was built, so pages added later are checked without editing this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_html import css_urls, html_pages, is_external, is_ignorable, page_refs, resolve

pytestmark = [pytest.mark.site, pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[2] / "docs"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
# Generated or copied files under docs/ (figures, KaTeX, notebook pages), not written per language.
NOT_PAGES = ("assets/generated/", "javascripts/vendor/", "notebooks/")
CONTRACT_PAGES = [
    "index",
    "convolution",
    "output-size",
    "transposed",
    "output-padding",
    "why-transposed",
    "checkerboard",
    "dimensions",
    "from-scratch",
    "reference",
    "glossary",
    "mistakes",
    "tools/calculator",
    "tools/visualizer",
    "speed",
]
CONTRACT_NOTEBOOKS = [
    "convolution",
    "output-size",
    "transposed",
    "output-padding",
    "why-transposed",
    "checkerboard",
    "dimensions",
    "from-scratch",
]
KATEX_FILES = ("katex.min.js", "katex.min.css", "katex-init.js")


def _written_sources(pattern: str) -> list[Path]:
    return [
        path
        for path in sorted(DOCS.rglob(pattern))
        if not path.relative_to(DOCS).as_posix().startswith(NOT_PAGES)
    ]


def _page_dir(site: Path, name: str, language: str) -> Path:
    prefix = site if language == DEFAULT_LANGUAGE else site / language
    return prefix if name == "index" else prefix / name


def _twin(path: Path, language: str) -> Path:
    stem, _, _ = path.name.partition(".")
    return path.with_name(f"{stem}.{language}{path.suffix}")


NOTEBOOK_SOURCES = DOCS.parent / "docs_src" / "notebooks"


def _notebook_pages() -> list[tuple[str, str]]:
    """(name, language) of every notebook page hooks/notebooks.py writes."""
    return [(s.stem, lang) for s in sorted(NOTEBOOK_SOURCES.glob("*.py")) for lang in LANGUAGES]


# --- the build --------------------------------------------------------------------------------
def test_strict_build_produces_both_languages(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
    assert (built_site / "en" / "index.html").is_file()
    assert '<html lang="zh"' in (built_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in (built_site / "en" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CONTRACT_PAGES)
def test_contract_page_is_built_in_both_languages(built_site: Path, name: str) -> None:
    for language in LANGUAGES:
        page = _page_dir(built_site, name, language) / "index.html"
        assert page.is_file(), f"{name} ({language}) was not built: {page}"


# --- parity ------------------------------------------------------------------------------------
def test_every_page_has_its_twin() -> None:
    pages = _written_sources("*.md")
    assert pages, "no pages under docs/"
    missing = []
    for page in pages:
        parts = page.name.split(".")
        assert len(parts) == 3 and parts[1] in LANGUAGES, (
            f"{page.relative_to(DOCS)} should be named <name>.zh.md or <name>.en.md"
        )
        other = "en" if parts[1] == "zh" else "zh"
        if not _twin(page, other).is_file():
            missing.append(f"{page.relative_to(DOCS)} has no {other} twin")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("name", CONTRACT_NOTEBOOKS)
def test_contract_notebook_has_one_source(name: str) -> None:
    assert (NOTEBOOK_SOURCES / f"{name}.py").is_file()
    assert not list((DOCS / "notebooks").glob(f"{name}.*.ipynb")), "a second, hand-kept copy"


def test_notebook_pages_are_written_for_both_languages(built_site: Path) -> None:
    pages = _notebook_pages()
    assert pages
    written = {path.name for path in (DOCS / "notebooks").glob("*.md")}
    assert written == {f"{name}.{language}.md" for name, language in pages}


# --- executed notebooks ------------------------------------------------------------------------
def test_notebook_pages_show_executed_outputs_in_both_languages(built_site: Path) -> None:
    problems = []
    for name, language in _notebook_pages():
        page_dir = _page_dir(built_site, f"notebooks/{name}", language)
        html = (page_dir / "index.html").read_text(encoding="utf-8")
        refs = page_refs(html)
        download = re.search(r'<a download(?:="")? href="([^"]+\.ipynb)"', html)
        if not download:
            problems.append(f"{name} ({language}): no download link")
            continue
        executed = json.loads((page_dir / download[1]).read_text(encoding="utf-8"))
        code = [c for c in executed["cells"] if c["cell_type"] == "code" and c["source"]]
        shown_code = [c for c in refs.classes if c.split() == ["highlight"]]  # code blocks
        shown_output = [c for c in refs.classes if "cn-output" in c.split()]
        # Cells that print or return text: each shows at least one output block.
        text_outputs = [
            c
            for c in code
            if any(
                "".join(o.get("text", "")).strip() or "text/plain" in o.get("data", {})
                for o in c["outputs"]
                # plots are images, display(Markdown(...)) is rendered as part of the page
                if not {"image/png", "text/markdown"} & set(o.get("data", {}))
            )
        ]
        if len(shown_code) < len(code):
            problems.append(f"{name} ({language}): {len(shown_code)} of {len(code)} cells shown")
        if not any(c["outputs"] for c in code):
            problems.append(f"{name} ({language}): the executed notebook has no outputs")
        if len(shown_output) < len(text_outputs):
            problems.append(f"{name} ({language}): {len(shown_output)} outputs shown")
        if "IPython.core.display" in html:
            problems.append(f"{name} ({language}): a rich output shown as its Python repr")
        if any(c["execution_count"] is None for c in code):
            problems.append(f"{name} ({language}): a code cell was not executed")
    assert not problems, "\n".join(problems)


# --- links, assets, offline --------------------------------------------------------------------
def test_every_resource_and_internal_link_resolves(built_site: Path) -> None:
    problems = []
    ids_by_page: dict[Path, set[str]] = {}
    pages = html_pages(built_site)
    refs_by_page = {page: page_refs(page.read_text(encoding="utf-8")) for page in pages}
    for page, refs in refs_by_page.items():
        ids_by_page[page] = refs.ids
    for page, refs in refs_by_page.items():
        where = page.relative_to(built_site)
        for tag, url in refs.resources:
            if is_ignorable(url) or is_external(url) or not url:
                continue  # reported by the offline test
            target, _ = resolve(built_site, page, url)
            if not target.is_file():
                problems.append(f"{where}: <{tag}> {url} -> missing {target}")
        for url in refs.links:
            if is_external(url) or urlsplit(url).scheme or url.startswith("#"):
                continue
            target, fragment = resolve(built_site, page, url)
            if not target.is_file():
                problems.append(f"{where}: link {url} -> missing {target}")
            elif fragment and target in ids_by_page and fragment not in ids_by_page[target]:
                problems.append(f"{where}: link {url} -> no id '{fragment}' there")
    assert not problems, "\n".join(problems[:60])


def test_images_resolve_to_nonempty_files(built_site: Path) -> None:
    problems = []
    count = 0
    for page in html_pages(built_site):
        for tag, url in page_refs(page.read_text(encoding="utf-8")).resources:
            if tag != "img" or is_ignorable(url) or is_external(url):
                continue
            count += 1
            target, _ = resolve(built_site, page, url)
            if not target.is_file() or target.stat().st_size == 0:
                problems.append(f"{page.relative_to(built_site)}: {url}")
    assert not problems, "\n".join(problems)


def test_nothing_is_loaded_from_another_host(built_site: Path) -> None:
    problems = []
    for page in html_pages(built_site):
        for tag, url in page_refs(page.read_text(encoding="utf-8")).resources:
            if is_external(url) or not url:
                problems.append(f"{page.relative_to(built_site)}: <{tag}> {url or 'empty src'}")
    for stylesheet in built_site.rglob("*.css"):
        for url in css_urls(stylesheet.read_text(encoding="utf-8", errors="replace")):
            if is_external(url):
                problems.append(f"{stylesheet.relative_to(built_site)}: url({url})")
            elif not is_ignorable(url):
                target, _ = resolve(built_site, stylesheet, url)
                if not target.is_file():
                    problems.append(f"{stylesheet.relative_to(built_site)}: url({url}) missing")
    assert not problems, "\n".join(problems[:60])


def test_katex_is_loaded_where_there_is_math(built_site: Path) -> None:
    pages_with_math = 0
    problems = []
    for page in html_pages(built_site):
        html = page.read_text(encoding="utf-8")
        refs = page_refs(html)
        has_math = any("arithmatex" in c.split() for c in refs.classes)
        if not has_math:
            continue
        pages_with_math += 1
        loaded = [url for _, url in refs.resources]
        for name in KATEX_FILES:
            if not any(url.split("?")[0].endswith(name) for url in loaded):
                problems.append(f"{page.relative_to(built_site)}: {name} not loaded")
    assert pages_with_math > 0, "no page with math found"
    fonts = list((built_site / "javascripts" / "vendor" / "katex" / "fonts").glob("*.woff2"))
    assert fonts, "KaTeX fonts were not copied"
    assert not problems, "\n".join(problems)


ARTICLE_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="(?!data:)([^"]+)"')
LANGUAGE_VARIANT = re.compile(r"-(zh|en)(?=(\.dark)?\.(png|gif|svg)$)")
# Display math that Markdown did not parse as a block: "$$" left in the text,
# or "$" around an inline span.
STRAY_DOLLARS = re.compile(r'\$<span class="arithmatex">|</span>\$|<p>\$\$')


def _article(html: str) -> str:
    return html[html.find("<article") : html.find("</article>")]


def test_twin_pages_show_the_same_figures(built_site: Path) -> None:
    """A figure missing in one language (e.g. a full-width "！[" in Chinese) is a drift."""
    problems = []
    for page in html_pages(built_site):
        relative = page.relative_to(built_site)
        if relative.parts[0] in (*LANGUAGES, "assets", "search") or page.name != "index.html":
            continue
        if relative.parts[0] == "notebooks":  # notebook plots are drawn in each language
            continue
        twin = built_site / "en" / relative
        if not twin.is_file():
            continue
        figures = [
            [
                # a chart drawn per language (speed-ratio-zh.png) is the same figure
                LANGUAGE_VARIANT.sub("", src.lstrip("./"))
                for src in ARTICLE_IMG_SRC.findall(_article(path.read_text("utf-8")))
            ]
            for path in (page, twin)
        ]
        if figures[0] != figures[1]:
            problems.append(f"{relative.parent}: zh {figures[0]} != en {figures[1]}")
    assert not problems, "\n".join(problems)


def test_no_unparsed_display_math(built_site: Path) -> None:
    problems = [
        f"{page.relative_to(built_site)}: {match.group(0)}"
        for page in html_pages(built_site)
        for match in STRAY_DOLLARS.finditer(page.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems[:20])


def test_notebook_plots_have_alt_text_in_the_page_language(built_site: Path) -> None:
    plot = re.compile(r'<img alt="([^"]*)" class="cn-plot"')
    problems, plots = [], 0
    for name, language in _notebook_pages():
        page = _page_dir(built_site, f"notebooks/{name}", language) / "index.html"
        for alt in plot.findall(page.read_text(encoding="utf-8")):
            plots += 1
            chinese = re.search(r"[\u4e00-\u9fff]", alt) is not None
            if not alt or chinese != (language == "zh"):
                problems.append(f"{name} ({language}): alt={alt!r}")
    assert plots > 0, "no notebook plot found"
    assert not problems, "\n".join(problems)


def _search_index(site: Path, language: str) -> dict:
    prefix = "" if language == DEFAULT_LANGUAGE else f"{language}/"
    return json.loads((site / prefix / "search" / "search_index.json").read_text("utf-8"))


def _page_locations(site: Path, language: str) -> set[str]:
    """Site-relative URLs (``transposed/``, ``en/transposed/``) of the language's pages."""
    locations = set()
    for page in html_pages(site):
        relative = page.parent.relative_to(site).as_posix()
        if page.name != "index.html" or relative.startswith(("assets", "javascripts", "search")):
            continue
        url = "" if relative == "." else relative + "/"
        is_english = url.startswith("en/")
        if is_english == (language == "en") and page.read_text("utf-8").find("md-content") >= 0:
            locations.add(url)
    return locations


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_index_holds_every_page_of_its_language_only(
    built_site: Path, language: str
) -> None:
    index = _search_index(built_site, language)
    indexed = {doc["location"].split("#")[0] for doc in index["docs"]}
    pages = _page_locations(built_site, language)
    assert pages, f"no {language} page found"
    assert indexed == pages, (
        f"{language} index: missing {sorted(pages - indexed)}, foreign {sorted(indexed - pages)}"
    )
    config = index["config"]
    assert "\u200b" in config["separator"] or "\\u200b" in config["separator"], (
        "jieba's separator is missing"
    )
    assert "stemmer" not in config["pipeline"]
    assert language in config["lang"]


# TeX left in the index: \(..\), \[..\], or $...$ (outside <code>/<pre>, where code may hold it).
RAW_TEX = re.compile(r"\\[()\[\]]|\$[^$\s][^$]*\$|\\(?:frac|times|le|lfloor|sum)\b")
CODE_IN_INDEX = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.DOTALL)


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_snippets_are_plain_text(built_site: Path, language: str) -> None:
    problems = []
    for doc in _search_index(built_site, language)["docs"]:
        for field in ("title", "text"):
            prose = CODE_IN_INDEX.sub(" ", doc[field])
            match = RAW_TEX.search(prose)
            if match:
                where = prose[max(0, match.start() - 30) : match.end() + 30]
                problems.append(f"{doc['location']} {field}: …{where}…")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_entry_carries_its_nav_title(built_site: Path, language: str) -> None:
    pages = [d for d in _search_index(built_site, language)["docs"] if "#" not in d["location"]]
    missing = [d["location"] for d in pages if not d.get("nav")]
    assert not missing, f"{language}: page entries without a nav field: {missing}"


# Scripts and styles that belong to content: (the HTML that needs it, the asset).
CONTENT_ASSETS = [
    ('data-convnotes="calculator"', "javascripts/calculator.js"),
    ('data-convnotes="visualizer"', "javascripts/visualizer.js"),
    ("data-convnotes=", "javascripts/shapes.js"),
    ("data-convnotes=", "javascripts/dom.js"),
    ('class="arithmatex"', "katex.min.js"),
]


def test_pages_load_tool_scripts_and_katex_only_where_used(built_site: Path) -> None:
    problems = []
    counts = dict.fromkeys([name for _, name in CONTENT_ASSETS], 0)
    for page in html_pages(built_site):
        html = page.read_text(encoding="utf-8")
        loaded = [url.split("?")[0] for _, url in page_refs(html).resources]
        for marker, name in CONTENT_ASSETS:
            uses = marker in html
            loads = any(url.endswith(name) for url in loaded)
            counts[name] += loads
            if uses != loads:
                state = "uses it but does not load it" if uses else "loads it without using it"
                problems.append(f"{page.relative_to(built_site)}: {name}: {state}")
    assert all(counts.values()), f"an asset is loaded nowhere: {counts}"
    assert not problems, "\n".join(problems[:40])


def test_chinese_paragraphs_have_no_line_break_between_characters(built_site: Path) -> None:
    """A browser shows a source line break as a space: "卷积核 的大小" (hooks/cjk_lines.py)."""
    wrapped = re.compile(r"[\u4e00-\u9fff，。：；、）][ \t]*\n[ \t]*[\u4e00-\u9fff（]")
    code = re.compile(r"<(pre|code|script|style)\b.*?</\1>", re.DOTALL)
    problems = []
    for page in html_pages(built_site):
        if page.relative_to(built_site).parts[0] in ("en", "assets", "search"):
            continue
        found = wrapped.search(code.sub("§", _article(page.read_text(encoding="utf-8"))))
        if found:
            problems.append(f"{page.relative_to(built_site)}: {found.group(0)!r}")
    assert not problems, "\n".join(problems)
