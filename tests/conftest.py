"""Shared fixtures: the built site (one strict MkDocs build per test session) and a local server.

``built_site`` builds once even under pytest-xdist, into a temporary folder the workers
share. The build starts in the background as soon as the tests are collected (by the first
worker to get there, under a file lock), and the tests that need the site run last, so the
other tests use the cores meanwhile. Set ``CONVNOTES_BUILT_SITE=/path/to/site`` to test a
site that is already built (it must come from ``mkdocs build --strict``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_LOG = "mkdocs-build.log"


def _shared_folder(base: Path) -> Path:
    """The folder this run's workers share: xdist workers get sibling base folders."""
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built-site"
    shared.mkdir(parents=True, exist_ok=True)
    return shared


def _start_build(shared: Path) -> None:
    """``mkdocs build --strict`` in a background process (the hooks patch plugin internals),
    once per run: its exit status goes to ``shared/status``, its output to the log."""
    from filelock import FileLock

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("CONVNOTES_PARTIAL_NAV", None)
    env.pop("CONVNOTES_SKIP_ASSETS", None)
    with FileLock(str(shared / "lock")):
        if (shared / "started").exists():
            return
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir"]
        script = (
            f"{subprocess.list2cmdline([*command, str(shared / 'site')])} "
            f"> {shared / BUILD_LOG} 2>&1; echo $? > {shared / 'status'}"
        )
        subprocess.Popen(["bash", "-c", script], cwd=REPO_ROOT, env=env)
        (shared / "started").touch()


# Fixtures that lead to the built site (tools_site asks for it with getfixturevalue).
SITE_FIXTURES = frozenset({"built_site", "tools_site"})


def _needs_site(item: pytest.Item) -> bool:
    return not SITE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that need the built site last (a stable sort: the same order on every
    xdist worker)."""
    items.sort(key=_needs_site)


def pytest_collection_finish(session: pytest.Session) -> None:
    if os.environ.get("CONVNOTES_BUILT_SITE") or not any(map(_needs_site, session.items)):
        return
    _start_build(_shared_folder(session.config._tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the site built with ``mkdocs build --strict`` (zh at ./, en at ./en/)."""
    given = os.environ.get("CONVNOTES_BUILT_SITE")
    if given:
        site = Path(given).resolve()
        assert (site / "index.html").is_file(), f"CONVNOTES_BUILT_SITE={given} has no index.html"
        return site
    shared = _shared_folder(tmp_path_factory.getbasetemp())
    _start_build(shared)  # started at collection already, unless collected without it
    status = shared / "status"
    while not status.exists() or not status.read_text().strip():
        time.sleep(1)
    code = status.read_text().strip()
    if code != "0":
        log = (shared / BUILD_LOG).read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"mkdocs build --strict failed (exit {code}):\n{log[-6000:]}")
    return shared / "site"


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Tiny tensors: extra intra-op threads only fight over a busy machine's cores."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never `playwright install`), one per session.

    Playwright's sync API allows one running instance per process, so every browser test
    shares this one. Skips when /usr/bin/chromium is missing, unless
    CONVNOTES_REQUIRE_BROWSER=1 (CI), where that is a failure.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("CONVNOTES_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (CONVNOTES_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>/``) of the built site served on localhost."""
    from localhost import serve

    with serve(built_site) as url:
        yield url
