"""Generated figures on the built site in Chromium, at 375 and 1280 px, light and dark, zh and en.

The smallest text of a figure is read from the image file itself (the generator records it:
a PNG text chunk or the GIF comment, in pixels of the image); on screen it is that size
scaled by the width Chromium lays the image out at over the image's own width. That must
be at least 9 CSS px on a 1280 px screen and 7 px on a 375 px phone. Also checked: each
scheme shows its own variant, images are lazy with their size set, animations pause to
their still strip and show it to readers who prefer reduced motion, and the speed page's
charts are in the page's language.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_browser import SCHEMES, _set_scheme  # tests/site is on sys.path (rootdir import)

pytestmark = [pytest.mark.browser, pytest.mark.site, pytest.mark.slow]

MIN_TEXT_PX = {375: 7.0, 1280: 9.0}
MIN_FONT_KEY = "convnotes-min-font-px"
TEXTLESS = {"learned-kernels.png", "learned-kernels.dark.png"}  # kernel pictures, no text
TIMEOUT_MS = 20_000

FIGURES_PROBE = """() => [...document.querySelectorAll('.cn-figure img')].map(img => ({
  src: new URL(img.getAttribute('src'), location.href).pathname,
  shown: img.getClientRects().length > 0,
  width: img.getBoundingClientRect().width,
  loading: img.getAttribute('loading'),
  attrWidth: Number(img.getAttribute('width')),
  attrHeight: Number(img.getAttribute('height')),
  moving: img.classList.contains('cn-moving'),
}))"""


def recorded_min_font_px(path: Path) -> float | None:
    """The smallest text size the generator recorded in the image (None: not recorded)."""
    from PIL import Image

    with Image.open(path) as img:
        if MIN_FONT_KEY in img.info:
            return float(img.info[MIN_FONT_KEY])
        comment = img.info.get("comment", b"")
        if comment.startswith(MIN_FONT_KEY.encode() + b"="):
            return float(comment.split(b"=", 1)[1])
    return None


def _pages_with_figures(site: Path) -> list[str]:
    paths = []
    for index in sorted(site.rglob("index.html")):
        if "cn-figure" in index.read_text(encoding="utf-8"):
            relative = index.parent.relative_to(site).as_posix()
            paths.append("" if relative == "." else relative + "/")
    return paths


@pytest.fixture(scope="module")
def figure_pages(built_site: Path) -> list[str]:
    pages = _pages_with_figures(built_site)
    assert len(pages) >= 16, f"expected figures on the notes pages of both languages: {pages}"
    return pages


@pytest.fixture(scope="module")
def layouts(chromium_browser, site_server: str, figure_pages: list[str]) -> list[dict]:
    """Every figure image of every page, per width and scheme, as Chromium laid it out."""
    context = chromium_browser.new_context()
    records = []
    for path in figure_pages:
        page = context.new_page()
        page.goto(site_server + path, wait_until="load", timeout=TIMEOUT_MS)
        for scheme in SCHEMES:
            _set_scheme(page, scheme)
            for width in MIN_TEXT_PX:
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(150)
                for image in page.evaluate(FIGURES_PROBE):
                    records.append({"page": path, "scheme": scheme, "screen": width, **image})
        page.close()
    context.close()
    return records


def test_no_figure_text_below_the_minimum(layouts: list[dict], built_site: Path) -> None:
    shown = [r for r in layouts if r["shown"]]
    assert len({r["src"] for r in shown}) > 40
    problems = []
    for r in shown:
        file = built_site / urlsplit(r["src"]).path.lstrip("/")
        size = recorded_min_font_px(file)
        if size is None:
            assert file.name in TEXTLESS, f"{file.name} records no text size"
            continue
        on_screen = size * r["width"] / r["attrWidth"]
        if on_screen < MIN_TEXT_PX[r["screen"]] - 0.01:
            problems.append(
                f"/{r['page']} {r['screen']}px {r['scheme']}: {file.name} text {on_screen:.1f}px"
                f" ({size}px in a {r['attrWidth']}px image drawn {r['width']:.0f}px wide)"
            )
    assert not problems, "\n".join(problems)


def test_each_scheme_shows_its_own_variant(layouts: list[dict], built_site: Path) -> None:
    problems = []
    for r in (r for r in layouts if r["shown"]):
        dark_file = ".dark." in r["src"]
        has_dark = any(".dark." in other["src"] for other in layouts if other["page"] == r["page"])
        if has_dark and dark_file != (r["scheme"] == "slate"):
            problems.append(f"/{r['page']} {r['scheme']}: shows {r['src']}")
    assert not problems, "\n".join(problems)
    # Every figure but the text-free kernel grid has a dark variant.
    lights = {r["src"] for r in layouts if ".dark." not in r["src"]}
    missing = [s for s in lights if Path(s).name not in TEXTLESS and not (
        built_site / (s.lstrip("/").rsplit(".", 1)[0] + ".dark." + s.rsplit(".", 1)[1])
    ).exists()]  # fmt: skip
    assert not missing, f"figures without a dark variant: {missing}"


def test_figures_are_lazy_with_their_size_set(layouts: list[dict], built_site: Path) -> None:
    from PIL import Image

    for r in {r["src"]: r for r in layouts}.values():
        assert r["loading"] == "lazy", r["src"]
        with Image.open(built_site / r["src"].lstrip("/")) as img:
            assert (r["attrWidth"], r["attrHeight"]) == img.size, r["src"]


def test_speed_charts_in_the_page_language(layouts: list[dict]) -> None:
    for lang, prefix in (("zh", ""), ("en", "en/")):
        shown = {r["src"] for r in layouts if r["page"] == f"{prefix}speed/" and r["shown"]}
        assert shown and all(f"-{lang}." in src for src in shown), shown


def test_animation_pauses_to_its_still_strip(chromium_browser, site_server: str) -> None:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(site_server + "en/transposed/", wait_until="load", timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    gifs = [url for url in requests if url.endswith(".gif")]
    assert 1 <= len(gifs) <= 4, f"GIFs loaded before scrolling: {gifs}"
    assert not any(".dark." in url for url in gifs)
    figure = page.locator(".cn-anim").first
    button = figure.locator(".cn-anim-toggle")
    assert button.is_visible() and button.inner_text() == "Pause animation"
    assert figure.locator("img.cn-moving.cn-light").is_visible()
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "Play animation"
    assert not figure.locator("img.cn-moving.cn-light").is_visible()
    assert figure.locator("img.cn-still.cn-light").is_visible()
    button.click()
    assert figure.locator("img.cn-moving.cn-light").is_visible()
    context.close()


def test_reduced_motion_shows_the_still_strip(chromium_browser, site_server: str) -> None:
    context = chromium_browser.new_context(
        viewport={"width": 375, "height": 800}, reduced_motion="reduce"
    )
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(site_server + "transposed/", wait_until="load", timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    figure = page.locator(".cn-anim").first
    assert figure.locator("img.cn-still.cn-light").is_visible()
    assert not figure.locator("img.cn-moving").first.is_visible()
    assert not figure.locator(".cn-anim-toggle").is_visible()
    assert not [url for url in requests if url.endswith(".gif")], "GIFs loaded anyway"
    context.close()
