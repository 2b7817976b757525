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
    "font.size": 9,
    "axes.titlesize": 10,
    "image.interpolation": "nearest",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.unicode_minus": True,
}

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


def figure_png(fig, dpi: int = 100, colors: int | None = None, dither: bool = False) -> bytes:
    """The figure as PNG bytes without metadata; `colors` quantizes to a palette
    (`dither` for photos, which otherwise show bands)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    data = buf.getvalue()
    if colors is None:
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return image_png(img.convert("RGB"), colors=colors, dither=dither)


def figure_svg(fig) -> bytes:
    """The figure as SVG bytes without date or creator (ids salted by `svg.hashsalt`)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def image_png(img, colors: int | None = None, dither: bool = False) -> bytes:
    """A Pillow image as PNG bytes (Pillow writes no timestamp unless asked)."""
    if colors is not None and img.mode != "P":
        from PIL import Image

        mode = Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE
        img = img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=mode)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def font_path(bold: bool = False) -> Path:
    """Path of matplotlib's bundled DejaVu Sans (regular or bold)."""
    import matplotlib

    name = BOLD_FONT_FILE if bold else FONT_FILE
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
