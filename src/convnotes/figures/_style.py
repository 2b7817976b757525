"""Colours and small drawing helpers shared by the figure modules."""

from __future__ import annotations

import numpy as np

# Cell colours of the animations (Pillow RGB hex). Data blue, kernel orange, output green;
# padding white with a dashed edge; zeros inserted by the stride pale yellow with a grey 0.
ANIM = {
    "background": "#ffffff",
    "text": "#1a1a1a",
    "muted": "#7a7a7a",
    "grid": "#9a9a9a",
    "dash": "#8a8a8a",
    "data": "#bcd6ee",
    "pad": "#ffffff",
    "zero": "#fbf0c0",
    "out": "#c5e6c0",
    "outpad": "#e6d3f0",
    "crop": "#f2f2f2",
    "empty": "#ffffff",
    "w": "#fbd3b0",
    "kernel_edge": "#d2560f",
    "focus": "#1b7a2e",
}

# The same roles on a dark page (Material's slate scheme): deep cell colours under light
# text, the kernel and focus outlines brighter than on white.
ANIM_DARK = {
    "background": "#1e2129",
    "text": "#e6e8ee",
    "muted": "#a2a8b6",
    "grid": "#5c6374",
    "dash": "#737a8c",
    "data": "#284a6e",
    "pad": "#1e2129",
    "zero": "#4d4422",
    "out": "#2b5532",
    "outpad": "#4b3659",
    "crop": "#2a2e38",
    "empty": "#1e2129",
    "w": "#6e4324",
    "kernel_edge": "#ff8f45",
    "focus": "#52d06c",
}

# Matplotlib colormaps: a diverging one for signed values, a sequential one for counts.
DIVERGING = "RdBu_r"
SEQUENTIAL = "viridis"
GRAY = "gray"


def symmetric_limits(values: np.ndarray) -> tuple[float, float]:
    """`(-m, m)` with `m` the largest magnitude, so that 0 is the centre colour."""
    m = float(np.max(np.abs(values))) or 1.0
    return -m, m


def annotate(ax, values: np.ndarray, fmt: str = "{:g}", fontsize: float = 8, dark=None) -> None:
    """Write each value in its heatmap cell, white on dark cells and black on light ones."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            v = values[r, c]
            if isinstance(v, float) and np.isnan(v):
                continue
            on_dark = bool(dark[r, c]) if dark is not None else False
            ax.text(
                c,
                r,
                v if isinstance(v, str) else fmt.format(v),
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if on_dark else "black",
                gid="cell",  # on its cell's colour, which dark mode keeps
            )


def bare(ax) -> None:
    """No ticks, no frame: for image panels."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def markdown_table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A GitHub/Python-Markdown pipe table; `align` is one of l/c/r per column."""
    align = align or "c" * len(header)
    marks = {"l": ":---", "c": ":---:", "r": "---:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
