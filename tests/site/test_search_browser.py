"""Search on the built site in Chromium: each language's site searches its own pages, a query
that is a page's nav title finds that page first, and no index is fetched before search opens.

The expected pages come from mkdocs.yml's nav (titles and their English translations), not from
the index, so a nav entry added later is checked too.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.site, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 20_000


def _nav() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(zh title, page) of every nav entry, and the English titles (nav_translations)."""
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        config = yaml_load(file)
    entries: list[tuple[str, str]] = []

    def walk(items: list) -> None:
        for item in items:
            ((title, value),) = item.items()
            if isinstance(value, list):
                walk(value)
            else:
                entries.append((title, value))

    walk(config["nav"])
    (i18n,) = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    (english,) = [lang for lang in i18n["languages"] if lang["locale"] == "en"]
    return entries, english["nav_translations"]


def _page_url(page: str, language: str) -> str:
    """nav path (``tools/calculator.md``) -> site path (``en/tools/calculator/``)."""
    stem = page.removesuffix(".md")
    path = "" if stem == "index" else stem.removesuffix("/index") + "/"
    return ("en/" if language == "en" else "") + path


def _title_queries() -> list[tuple[str, str, str]]:
    """(language, query, expected page path) for every nav title but the home page's."""
    entries, english = _nav()
    cases = []
    for title, page in entries:
        if page == "index.md":
            continue  # "首页"/"Home" is not a title the home page has
        cases.append(("zh", title, _page_url(page, "zh")))
        # Material reads "word:" as lunr's field syntax, so "Notebook: x" is typed without ":".
        cases.append(("en", english[title].replace(":", ""), _page_url(page, "en")))
    return cases


@pytest.fixture(scope="module")
def search(chromium_browser, site_server: str):
    """``search(path, query)`` -> (result hrefs as site paths, requests before the search box
    was clicked, all requests)."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})

    def run(path: str, query: str) -> tuple[list[str], list[str]]:
        requests: list[str] = []
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(site_server + path, wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)
        before = list(requests)
        box = page.locator("input.md-search__input")
        box.click()
        box.fill(query)
        page.keyboard.press("End")  # Material searches on key events; fill() alone sends none
        items = page.locator(".md-search-result__item > a")
        items.first.wait_for(state="attached", timeout=3 * TIMEOUT_MS)
        page.wait_for_timeout(200)  # the list is replaced once, when the worker answers
        links = items.evaluate_all("anchors => anchors.map(a => a.href)")
        hrefs = [urlsplit(link).path.lstrip("/") for link in links]
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in requests)
        page.close()
        return hrefs, before, requests

    yield run
    context.close()


@pytest.mark.parametrize(
    ("path", "query"), [("", "checkerboard"), ("en/", "checkerboard"), ("en/", "棋盘效应")]
)
def test_results_are_in_the_site_language(search, path: str, query: str) -> None:
    hrefs, _, _ = search(path, query)
    assert hrefs, f"{query!r} on /{path} found nothing"
    english = [href.startswith("en/") for href in hrefs]
    assert all(english) if path == "en/" else not any(english), hrefs


@pytest.mark.parametrize(("language", "query", "expected"), _title_queries())
def test_a_nav_title_finds_its_page_first(search, language: str, query: str, expected: str):
    hrefs, _, _ = search("en/" if language == "en" else "", query)
    assert hrefs and hrefs[0] == expected, f"{query!r}: first results {hrefs[:3]}"


@pytest.mark.parametrize(("path", "index"), [("", "search/"), ("en/transposed/", "en/search/")])
def test_the_language_index_loads_only_when_search_opens(search, path: str, index: str) -> None:
    _, before, requests = search(path, "stride")
    assert not [url for url in before if url.endswith("search_index.json")], before
    fetched = [urlsplit(url).path for url in requests if url.endswith("search_index.json")]
    assert fetched == [f"/{index}search_index.json"], fetched
