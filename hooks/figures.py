"""MkDocs hook: generated figures sized for every screen, in the page's scheme and language.

Every ``<img>`` a page shows from ``assets/generated/`` is rewritten (``on_page_content``):

- the page's language variant ``NAME-<lang>.EXT`` is used when the generator wrote one
  (not ``NAME.<lang>.EXT``, which mkdocs-static-i18n would move under ``en/``);
- a dark-scheme image ``NAME.dark.EXT`` goes beside it, each shown only in its scheme
  (``cn-light`` / ``cn-dark``, see ``stylesheets/figures.css``);
- ``width``/``height`` are the image's own, ``loading="lazy"``, and a ``min-width`` in CSS
  pixels keeps the figure's smallest text (recorded by the generator, see
  ``convnotes.figures._render.MIN_FONT_KEY``) at least ``MIN_TEXT_PX`` on screen; a figure
  wider than the column then scrolls sideways inside its frame;
- an animation also gets its still strip (``NAME-strip.png``), shown instead of the GIF to
  readers who prefer reduced motion or who press its pause button (``javascripts/figures.js``).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GENERATED = "assets/generated/"
# Smallest on-screen text size (CSS px) for a figure: on a wide screen and on a phone.
MIN_TEXT_PX = {"wide": 9, "narrow": 7}
MIN_FONT_KEY = "convnotes-min-font-px"  # the same as convnotes.figures._render.MIN_FONT_KEY
LABELS = {
    "zh": {"pause": "暂停动画", "play": "播放动画"},
    "en": {"pause": "Pause animation", "play": "Play animation"},
}
IMG = re.compile(r"<img\b[^>]*\bsrc=\"(?P<src>[^\"]*" + re.escape(GENERATED) + r"[^\"]+)\"[^>]*>")


@dataclass(frozen=True)
class ImageInfo:
    """Pixel size of an image file and the smallest text in it (0 if it has none)."""

    width: int
    height: int
    min_font_px: float


@lru_cache(maxsize=512)
def _read_info(path: str, mtime: float) -> ImageInfo:
    from PIL import Image

    with Image.open(path) as img:
        recorded = img.info.get(MIN_FONT_KEY)
        comment = img.info.get("comment", b"")
        if recorded is None and comment.startswith(MIN_FONT_KEY.encode() + b"="):
            recorded = comment.split(b"=", 1)[1].decode()
        return ImageInfo(img.width, img.height, float(recorded or 0))


def image_info(path: Path) -> ImageInfo:
    return _read_info(str(path), path.stat().st_mtime)


def min_width_px(info: ImageInfo, screen: str) -> int:
    """The narrowest the image may be drawn so that its smallest text stays at least
    ``MIN_TEXT_PX[screen]``: text scales with the drawn width, ``size × drawn / natural``."""
    if not info.min_font_px:
        return 0
    return math.ceil(info.width * MIN_TEXT_PX[screen] / info.min_font_px)


def variant(rel: str, tag: str) -> str:
    """``a/b.png`` with ``tag`` before the extension: ``a/b.dark.png``."""
    stem, _, ext = rel.rpartition(".")
    return f"{stem}.{tag}.{ext}"


def page_language(url: str) -> str:
    return "en" if url.startswith("en/") else "zh"


def _attr(tag: str, name: str) -> str:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else ""


def _img(src: str, alt: str, info: ImageInfo, classes: str) -> str:
    return (
        f'<img class="{classes}" src="{html.escape(src)}" alt="{html.escape(alt)}" '
        f'width="{info.width}" height="{info.height}" loading="lazy" decoding="async">'
    )


def _style(info: ImageInfo) -> str:
    wide, narrow = min_width_px(info, "wide"), min_width_px(info, "narrow")
    return f' style="--cn-min-wide: {wide}px; --cn-min-narrow: {narrow}px"' if wide else ""


def figure_html(tag: str, generated: Path, lang: str) -> str:
    """The markup that replaces one ``<img>`` tag of a generated figure."""
    src = _attr(tag, "src")
    prefix, rel = src.split(GENERATED, 1)
    alt = _attr(tag, "alt")
    stem, _, ext = rel.rpartition(".")
    localized = f"{stem}-{lang}.{ext}"
    if (generated / localized).exists():
        rel = localized
    if not (generated / rel).exists():
        return tag  # MkDocs reports the missing file; nothing to size
    info = image_info(generated / rel)
    dark = variant(rel, "dark")
    has_dark = (generated / dark).exists()
    url = prefix + GENERATED

    def pair(light_rel: str, dark_rel: str, state: str, alt_text: str) -> str:
        if not has_dark:
            return _img(url + light_rel, alt_text, image_info(generated / light_rel), state)
        return _img(
            url + light_rel, alt_text, image_info(generated / light_rel), f"cn-light {state}"
        ) + _img(url + dark_rel, alt_text, image_info(generated / dark_rel), f"cn-dark {state}")

    if not rel.endswith(".gif"):
        return f'<span class="cn-figure"{_style(info)}>{pair(rel, dark, "", alt)}</span>'
    strip = rel.removesuffix(".gif") + "-strip.png"
    strip_info = image_info(generated / strip)
    labels = LABELS[lang]
    button = (
        f'<button type="button" class="cn-anim-toggle md-button" aria-pressed="false" hidden '
        f'data-pause="{labels["pause"]}" data-play="{labels["play"]}">{labels["pause"]}</button>'
    )
    return (
        f'<span class="cn-figure cn-anim"{_style(info)}>'
        + pair(rel, variant(rel, "dark"), "cn-moving", alt)
        + f'<span class="cn-still-frame"{_style(strip_info)}>'
        + pair(strip, variant(strip, "dark"), "cn-still", alt)
        + "</span>"
        + button
        + "</span>"
    )


def rewrite_figures(content: str, generated: Path, lang: str) -> str:
    return IMG.sub(lambda m: figure_html(m.group(0), generated, lang), content)


def on_page_content(html_text: str, page, config, files) -> str:
    generated = Path(config["docs_dir"]) / GENERATED
    return rewrite_figures(html_text, generated, page_language(page.url))
