"""The built site in Debian's Chromium via Playwright (never `playwright install`), on localhost.

One pass visits every built page and records what the browser did; the tests below read that
record (requests, console errors, images, math, overflow at 375/1280 px in light and dark), so
pages added later are covered without editing this file. Skips when /usr/bin/chromium is
missing, unless CONVNOTES_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.site, pytest.mark.slow]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WIDTHS = (375, 1280)
SCHEMES = ("default", "slate")  # Material's light and dark palettes
TIMEOUT_MS = 20_000


@dataclass
class PageVisit:
    path: str
    errors: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    math_elements: int = 0
    unrendered_math: int = 0
    katex_errors: int = 0
    overflow: list[str] = field(default_factory=list)


@dataclass
class SiteVisit:
    pages: list[PageVisit]
    requests: list[str]


@pytest.fixture(scope="module")
def browser(chromium_browser) -> object:
    return chromium_browser


def _page_paths(site: Path) -> list[str]:
    """URL paths of every built page (directory URLs), default language first."""
    paths = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        if relative.startswith(("assets", "javascripts", "search")):
            continue
        paths.append("" if relative == "." else relative + "/")
    return paths


def _set_scheme(page, scheme: str) -> None:
    """Click Material's palette toggle until the wanted scheme is on."""
    for _ in range(len(SCHEMES)):
        if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme:
            return
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_timeout(50)
    raise AssertionError(f"could not switch the palette to {scheme}")


# Figures are lazy, and each has a variant per colour scheme that is never shown in the other:
# load the images this scheme shows now, and check those (test_figures_screens checks that
# every variant's file exists).
LOAD_SHOWN_IMAGES = """() => {
  const shown = [...document.images].filter(img => img.getClientRects().length > 0);
  shown.forEach(img => { img.loading = 'eager'; });
  return Promise.all(shown.map(img => img.decode().catch(() => 0)));
}"""
PAGE_PROBE = """() => {
  const images = [...document.images].filter(img => img.getClientRects().length > 0)
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => img.currentSrc || img.src);
  const arithmatex = [...document.querySelectorAll('.arithmatex')];
  const unrendered = arithmatex.filter(el => !el.querySelector('.katex')).length;
  // TeX left as text: "$...$" outside code, or arithmatex that KaTeX did not replace.
  const article = document.querySelector('article') || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, script, style, textarea, .katex, .clipboard-copy-txt')
    .forEach(el => el.remove());
  const rawTex = (prose.textContent.match(/\\$[^$\\s][^$]*\\$/g) || []).length;
  return {
    images,
    math: arithmatex.length,
    unrendered: unrendered + rawTex,
    katexErrors: document.querySelectorAll('.katex-error').length,
  };
}"""
OVERFLOW = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


def _record_console(visit: PageVisit, message) -> None:
    # Failed loads are recorded with their URL by _record_response.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        visit.errors.append(f"console error: {message.text}")


def _record_response(visit: PageVisit, response) -> None:
    # Material looks for a sitemap.xml next to the page to match languages: a local 404.
    if response.status >= 400 and not response.url.endswith("sitemap.xml"):
        visit.errors.append(f"HTTP {response.status}: {response.url}")


def _overflow(page, width: int) -> int | None:
    """Page width beyond the window, if it stays there (Material animates some resizes)."""
    page.set_viewport_size({"width": width, "height": 900})
    excess = None
    for _ in range(3):
        page.wait_for_timeout(150)
        scroll_width, inner_width = page.evaluate(OVERFLOW)
        if scroll_width <= inner_width:
            return None
        excess = scroll_width
    return excess


def _visit(context, base_url: str, path: str) -> PageVisit:
    visit = PageVisit(path=path)
    page = context.new_page()
    page.on("console", lambda message: _record_console(visit, message))
    page.on("response", lambda response: _record_response(visit, response))
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
    page.goto(base_url + path, wait_until="load", timeout=TIMEOUT_MS)
    page.evaluate(LOAD_SHOWN_IMAGES)
    page.wait_for_timeout(100)
    probe = page.evaluate(PAGE_PROBE)
    visit.broken_images = probe["images"]
    visit.math_elements = probe["math"]
    visit.unrendered_math = probe["unrendered"]
    visit.katex_errors = probe["katexErrors"]
    for scheme in SCHEMES:
        _set_scheme(page, scheme)
        for width in WIDTHS:
            excess = _overflow(page, width)
            if excess is not None:
                visit.overflow.append(f"{width}px {scheme}: page is {excess}px wide")
    _set_scheme(page, SCHEMES[0])
    page.close()
    return visit


@pytest.fixture(scope="module")
def site_visit(browser, site_server: str, built_site: Path) -> SiteVisit:
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    pages = [_visit(context, site_server, path) for path in _page_paths(built_site)]
    context.close()
    return SiteVisit(pages=pages, requests=requests)


def test_no_request_leaves_localhost(site_visit: SiteVisit) -> None:
    assert site_visit.requests, "no requests were recorded"
    foreign = sorted(
        {
            url
            for url in site_visit.requests
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and urlsplit(url).hostname not in LOCAL_HOSTS
        }
    )
    assert not foreign, "requests to other hosts:\n" + "\n".join(foreign)


def test_no_console_errors(site_visit: SiteVisit) -> None:
    problems = [f"/{visit.path}: {error}" for visit in site_visit.pages for error in visit.errors]
    assert not problems, "\n".join(problems)


def test_images_load(site_visit: SiteVisit) -> None:
    problems = [f"/{v.path}: {src}" for v in site_visit.pages for src in v.broken_images]
    assert not problems, "images that did not load:\n" + "\n".join(problems)


def test_math_is_rendered_by_katex(site_visit: SiteVisit) -> None:
    assert sum(visit.math_elements for visit in site_visit.pages) > 0, "no math on any page"
    problems = [
        f"/{v.path}: {v.unrendered_math} unrendered, {v.katex_errors} KaTeX errors"
        for v in site_visit.pages
        if v.unrendered_math or v.katex_errors
    ]
    assert not problems, "\n".join(problems)


def test_no_horizontal_overflow(site_visit: SiteVisit) -> None:
    problems = [f"/{v.path}: {o}" for v in site_visit.pages for o in v.overflow]
    assert not problems, "pages wider than the window:\n" + "\n".join(problems)


def _deep_page(built_site: Path) -> str:
    for candidate in ("tools/calculator/", "notebooks/transposed/", "transposed/"):
        if (built_site / candidate / "index.html").is_file():
            return candidate
    return next(path for path in _page_paths(built_site) if path and not path.startswith("en/"))


def _switch_language(page, hreflang: str) -> None:
    page.locator(".md-header .md-select").first.hover()
    page.locator(f".md-select__link[hreflang={hreflang}]").first.click()
    page.wait_for_load_state("load")


def test_language_switcher_works_both_ways(browser, site_server: str, built_site: Path) -> None:
    deep = _deep_page(built_site)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_server + deep, wait_until="load", timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.lang") == "zh"
    _switch_language(page, "en")
    page.wait_for_url(site_server + "en/" + deep, timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.lang") == "en"
    _switch_language(page, "zh")
    page.wait_for_url(site_server + deep, timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.lang") == "zh"
    context.close()


@pytest.mark.parametrize(("path", "query"), [("", "转置"), ("en/", "transposed")])
def test_search_finds_pages(browser, site_server: str, path: str, query: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(site_server + path, wait_until="load", timeout=TIMEOUT_MS)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").fill(query)
    page.keyboard.press("End")  # Material searches on key events; fill() alone sends none
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="attached", timeout=3 * TIMEOUT_MS)  # the worker builds the index
    assert results.count() > 0, f"search for {query!r} on /{path} found nothing"
    # The index is fetched by the search web worker: its requests are recorded too.
    assert any(url.endswith("search_index.json") for url in requests)
    foreign = [url for url in requests if urlsplit(url).hostname not in LOCAL_HOSTS]
    assert not foreign, foreign
    context.close()
