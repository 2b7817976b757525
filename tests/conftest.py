"""Shared fixtures: the built site (one strict MkDocs build per test session) and a local server.

``built_site`` builds once even under pytest-xdist: the first worker builds into a shared
temporary folder under a file lock, the others wait and reuse it. Set
``CONVNOTES_BUILT_SITE=/path/to/site`` to test a site that is already built (it must come
from ``mkdocs build --strict``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_LOG = "mkdocs-build.log"


def _build(site_dir: Path) -> None:
    """``mkdocs build --strict`` in a subprocess (the hooks patch plugin internals)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("CONVNOTES_PARTIAL_NAV", None)
    env.pop("CONVNOTES_SKIP_ASSETS", None)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = result.stdout + result.stderr
    (site_dir.parent / BUILD_LOG).write_text(log, encoding="utf-8")
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed (exit {result.returncode}):\n{log[-6000:]}")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the site built with ``mkdocs build --strict`` (zh at ./, en at ./en/)."""
    given = os.environ.get("CONVNOTES_BUILT_SITE")
    if given:
        site = Path(given).resolve()
        assert (site / "index.html").is_file(), f"CONVNOTES_BUILT_SITE={given} has no index.html"
        return site
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    # xdist workers get sibling base folders: their parent is shared by this run only.
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built-site"
    shared.mkdir(parents=True, exist_ok=True)
    site = shared / "site"
    done = shared / "done"
    failed = shared / "failed"
    with FileLock(str(shared / "lock")):
        if failed.exists():
            pytest.fail(f"the site build failed in another worker:\n{failed.read_text()[-6000:]}")
        if not done.exists():
            try:
                _build(site)
            except pytest.fail.Exception as error:
                failed.write_text(str(error), encoding="utf-8")
                raise
            done.touch()
    return site


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
