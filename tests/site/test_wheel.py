"""The built site publishes the convnotes wheel, and the home page installs it by its address."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import convnotes

pytestmark = [pytest.mark.site, pytest.mark.slow]

HOME = {"zh": Path("index.html"), "en": Path("en/index.html")}
WHEEL = f"convnotes-{convnotes.__version__}-py3-none-any.whl"


def test_site_holds_the_wheel_of_this_version(built_site: Path) -> None:
    wheels = sorted(p.name for p in (built_site / "downloads").glob("*.whl"))
    assert wheels == [WHEEL]
    with zipfile.ZipFile(built_site / "downloads" / WHEEL) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    for module in ("__init__", "__main__", "shapes", "design", "explain", "cli"):
        assert f"convnotes/{module}.py" in names


@pytest.mark.parametrize("language", sorted(HOME))
def test_home_page_links_the_wheel_and_installs_it(built_site: Path, language: str) -> None:
    page = BeautifulSoup((built_site / HOME[language]).read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in page.select("article a[href]") if a["href"].endswith(WHEEL)]
    assert len(links) == 1 and links[0].startswith(("http://", "https://")), links
    url = links[0]
    assert url.endswith(f"/downloads/{WHEEL}")
    commands = "\n".join(code.get_text() for code in page.select("article pre code"))
    assert f'pip install "convnotes @ {url}"' in commands
    assert f'pip install "convnotes[torch] @ {url}"' in commands
    assert "--index-url https://download.pytorch.org/whl/cpu" in commands
    assert "convnotes shape conv -i 32 -k 3 -s 2 -p 1" in commands


def test_no_page_keeps_a_wheel_placeholder(built_site: Path) -> None:
    left = [
        path.relative_to(built_site).as_posix()
        for path in built_site.rglob("*.html")
        if "{{ wheel_" in path.read_text(encoding="utf-8")
    ]
    assert not left
