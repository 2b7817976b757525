"""Byte-reproducible output: matplotlib figures and Pillow images to PNG/GIF bytes.

Every saved file must be identical across builds, so nothing time- or host-dependent may
enter it: matplotlib writes a `Software` key into PNGs and a date into SVGs unless told
not to, and its SVG element ids are random unless `svg.hashsalt` is fixed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STYLE: dict[Any, Any] = {  # matplotlib types the keys as a Literal of every rc name
    "svg.hashsalt": "convnotes",
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10,
    "image.interpolation": "nearest",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.unicode_minus": True,
}

# Metadata key (PNG text chunk, GIF comment) holding a figure's smallest font size in pixels
# of the image; the site hook sizes figures from it and tests/site checks the rendered size.
MIN_FONT_KEY = "convnotes-min-font-px"

# Colours of figure furniture on a dark page (Material's slate scheme): text and lines.
DARK_MODE = {"text": "#e2e4e9", "line": "#aab0bf", "legend": "#2e303e"}

# Matplotlib ships DejaVu Sans; Pillow draws the animations with the same font so they
# match the figures and render ×, −, subscripts and ⋆ on any machine.
FONT_FILE = "DejaVuSans.ttf"
BOLD_FONT_FILE = "DejaVuSans-Bold.ttf"


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib settings every figure is drawn under (fixed font, salt, dpi)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def new_figure(width: float, height: float):
    """A pyplot-free Figure (no global state, no GUI backend)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def figure_png(
    fig, dpi: int = 100, colors: int | None = None, dither: bool = False, transparent=False
) -> bytes:
    """The figure as PNG bytes whose only metadata is its smallest font size in pixels
    (`MIN_FONT_KEY`); `colors` quantizes to a palette (`dither` for photos, which
    otherwise show bands)."""
    min_px = smallest_font_px(fig, dpi)
    buf = io.BytesIO()
    metadata = {"Software": None, MIN_FONT_KEY: f"{min_px:.2f}"}
    fig.savefig(buf, format="png", dpi=dpi, metadata=metadata, transparent=transparent)
    data = buf.getvalue()
    if colors is None:
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        mode = "RGBA" if transparent else "RGB"
        return image_png(img.convert(mode), colors=colors, dither=dither, min_font_px=min_px)


def smallest_font_px(fig, dpi: float) -> float:
    """The smallest size, in pixels of the saved image, of any visible non-empty text:
    points × dpi / 72 (a point is 1/72 inch)."""
    from matplotlib.text import Text

    fig.draw_without_rendering()  # creates the tick labels that will be drawn
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]
    return min(sizes) * dpi / 72 if sizes else 0.0


def figure_pngs(fig, stem: str, **options) -> dict[str, bytes]:
    """`{stem}.png` for light pages and `{stem}.dark.png` for dark ones (see
    `darken`); `options` go to `figure_png`."""
    light = figure_png(fig, **options)
    darken(fig)
    return {f"{stem}.png": light, f"{stem}.dark.png": figure_png(fig, transparent=True, **options)}


def _is_dark(color) -> bool:
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(color)
    return a > 0 and 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5


def _is_white(color) -> bool:
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(color)
    return a > 0 and min(r, g, b) > 0.97


def darken(fig) -> None:
    """Recolour a drawn figure for a dark page: transparent figure and axes backgrounds,
    light text, lines and frames. Data colours (images, bars, cells) stay, and so does
    text marked `gid="cell"`, which sits on a cell whose colour does not change."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    fig.patch.set_alpha(0)
    for ax in fig.axes:
        if _is_white(ax.get_facecolor()):
            ax.set_facecolor("none")
        for spine in ax.spines.values():
            spine.set_edgecolor(DARK_MODE["line"])
        ax.tick_params(which="both", colors=DARK_MODE["line"], labelcolor=DARK_MODE["text"])
    for text in fig.findobj(Text):
        if text.get_gid() != "cell" and _is_dark(text.get_color()):
            text.set_color(DARK_MODE["text"])
    for line in fig.findobj(Line2D):
        if _is_dark(line.get_color()):
            line.set_color(DARK_MODE["line"])
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
        if legend is not None:
            legend.get_frame().set_facecolor(DARK_MODE["legend"])
            legend.get_frame().set_edgecolor(DARK_MODE["line"])
    for patch in fig.findobj(Patch):
        if patch is not fig.patch and _is_dark(patch.get_edgecolor()) and patch.get_linewidth():
            patch.set_edgecolor(DARK_MODE["line"])


def image_png(
    img, colors: int | None = None, dither: bool = False, min_font_px: float | None = None
) -> bytes:
    """A Pillow image as PNG bytes (Pillow writes no timestamp unless asked), with its
    smallest font size in pixels as `MIN_FONT_KEY` when it has text."""
    from PIL import Image, PngImagePlugin

    if colors is not None and img.mode != "P":
        mode = Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE
        method = Image.Quantize.FASTOCTREE if img.mode == "RGBA" else Image.Quantize.MEDIANCUT
        img = img.quantize(colors=colors, method=method, dither=mode)
    info = PngImagePlugin.PngInfo()
    if min_font_px is not None:
        info.add_text(MIN_FONT_KEY, f"{min_font_px:.2f}")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True, pnginfo=info)
    return buf.getvalue()


def gif_comment(min_font_px: float) -> bytes:
    """The GIF comment that records the animation's smallest font size in pixels."""
    return f"{MIN_FONT_KEY}={min_font_px:.2f}".encode()


def font_path(bold: bool = False) -> Path:
    """Path of matplotlib's bundled DejaVu Sans (regular or bold)."""
    import matplotlib

    name = BOLD_FONT_FILE if bold else FONT_FILE
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
