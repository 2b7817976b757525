"""Browser fixtures for the tool pages: Debian Chromium via Playwright, a localhost site."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest
from localhost import serve

from .harness import build_harness

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _site_url_from(value) -> str:
    url = value if isinstance(value, str) else getattr(value, "url", None) or value.base_url
    return url if url.endswith("/") else url + "/"


@pytest.fixture(scope="session")
def tools_site(request, tmp_path_factory):
    """Base URL of a served site with the tool pages (zh at /, en at /en/).

    The shared full-site fixture ``site_server`` when tests/conftest.py provides it (and
    CONVNOTES_INTERACTIVE_OWN_SITE is not set), else a quick build of the tool pages only.
    """
    if not os.environ.get("CONVNOTES_INTERACTIVE_OWN_SITE"):
        try:
            yield _site_url_from(request.getfixturevalue("site_server"))
            return
        except pytest.FixtureLookupError:
            pass
    site = build_harness(tmp_path_factory.mktemp("tools-site"))
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def chromium(chromium_browser):
    return chromium_browser


class PageWatch:
    """Records console errors, page errors and requests that leave localhost."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        self.failed: list[str] = []

    def problems(self) -> list[str]:
        # Material asks for a sitemap.xml next to each page: a local 404 there is harmless.
        unexplained = [u for u in self.failed if not u.endswith("sitemap.xml")]
        errors = [e for e in self.errors if not e.startswith("Failed to load resource")]
        if unexplained:
            errors += [e for e in self.errors if e.startswith("Failed to load resource")]
        return (
            errors
            + [f"failed: {u}" for u in unexplained]
            + [f"external: {u}" for u in self.external]
        )


@pytest.fixture
def open_page(chromium):
    """``open_page(url, width=1280, scheme="light")`` -> (page, watch); checks on teardown."""
    contexts = []
    watches = []

    def opener(url: str, width: int = 1280, scheme: str = "light"):
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme
        )
        watch = PageWatch()

        def route(route_obj):
            host = urlparse(route_obj.request.url).hostname
            if route_obj.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route_obj.continue_()
            else:
                watch.external.append(route_obj.request.url)
                route_obj.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
        page.on("response", lambda r: watch.failed.append(r.url) if r.status >= 400 else None)
        page.goto(url)
        page.wait_for_load_state("load")
        contexts.append(context)
        watches.append(watch)
        return page, watch

    yield opener
    problems = [p for w in watches for p in w.problems()]
    for context in contexts:
        context.close()
    assert not problems, problems
