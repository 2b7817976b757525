"""Checkerboard artifacts: how many kernel copies of a transposed conv land on each pixel.

The overlap map is the transposed conv of an all-ones input with an all-ones kernel
(`convnotes.functional.conv_transpose1d` / `2d`): pixel `t` receives one copy for every
input pixel `i` and tap `u` with `i·s + u = t`. Uneven counts in the
interior (`k` not divisible by `s`) are the checkerboard.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ._render import figure_png, new_figure, style
from ._style import SEQUENTIAL, annotate, bare, markdown_table

CASES = ((3, 2), (4, 2), (5, 2), (3, 3), (2, 2))


def _ones(*shape):
    import torch

    return torch.ones(*shape, dtype=torch.float64)


def overlap_1d(kernel_size: int, stride: int, input_size: int) -> np.ndarray:
    """Copies of the kernel covering each output position (1-D), as ints."""
    out = F.conv_transpose1d(_ones(1, 1, input_size), _ones(1, 1, kernel_size), stride=stride)
    return out[0, 0].numpy().round().astype(int)


def overlap_2d(kernel_size: int, stride: int, input_size: int) -> np.ndarray:
    """Copies of the kernel covering each output pixel (2-D), as ints."""
    k, n = kernel_size, input_size
    out = F.conv_transpose2d(_ones(1, 1, n, n), _ones(1, 1, k, k), stride=stride)
    return out[0, 0].numpy().round().astype(int)


def interior(counts: np.ndarray, kernel_size: int, stride: int, input_size: int) -> np.ndarray:
    """The part of an overlap map that every kernel tap can reach (no border effect):
    positions `k − 1 … (n − 1)·s` along each axis."""
    lo, hi = kernel_size - 1, (input_size - 1) * stride + 1
    if hi <= lo:
        raise ValueError(
            f"input_size={input_size} is too small for an interior with kernel_size="
            f"{kernel_size}, stride={stride}: need (n − 1)·s + 1 > k − 1"
        )
    index = (slice(lo, hi),) * counts.ndim
    return counts[index]


def overlap_ratio(kernel_size: int, stride: int, input_size: int = 8, ndim: int = 2):
    """`(min, max)` interior overlap, 1-D or 2-D."""
    counts = (overlap_1d if ndim == 1 else overlap_2d)(kernel_size, stride, input_size)
    inner = interior(counts, kernel_size, stride, input_size)
    return int(inner.min()), int(inner.max())


def build_overlap_1d(cases=CASES, input_size: int = 6) -> dict[str, bytes]:
    with style():
        fig = new_figure(7.2, 1.1 * len(cases))
        axes = fig.subplots(len(cases), 1, sharex=True)
        top = max(int(overlap_1d(k, s, input_size).max()) for k, s in cases)
        for ax, (k, s) in zip(axes, cases):
            counts = overlap_1d(k, s, input_size)
            positions = np.arange(len(counts))
            ax.bar(positions, counts, width=0.8, color="#4c72b0")
            for t, c in zip(positions, counts):
                ax.text(t, c + 0.1, str(c), ha="center", va="bottom", fontsize=8)
            ax.set_ylim(0, top + 1.1)
            ax.set_yticks([])
            ax.set_title(
                f"k={k}, s={s}   (n={input_size} → {len(counts)})", loc="left", fontsize=9.5
            )
            for side in ("top", "right", "left"):
                ax.spines[side].set_visible(False)
        axes[-1].set_xticks(
            range(0, (input_size - 1) * max(s for _, s in cases) + max(k for k, _ in cases), 2)
        )
        return {"checkerboard-1d.png": figure_png(fig, dpi=110)}


def build_overlap_2d(cases=CASES, input_size: int = 4) -> dict[str, bytes]:
    with style():
        cols = 3
        rows = -(-len(cases) // cols)
        fig = new_figure(9.0, 3.1 * rows)
        # Two grid columns per panel, so that a short last row can be centred.
        grid = fig.add_gridspec(rows, 2 * cols)
        axes = []
        for t in range(len(cases)):
            row, col = divmod(t, cols)
            in_row = min(cols, len(cases) - row * cols)
            start = 2 * col + (cols - in_row)
            axes.append(fig.add_subplot(grid[row, start : start + 2]))
        top = max(int(overlap_2d(k, s, input_size).max()) for k, s in cases)
        for ax, (k, s) in zip(axes, cases):
            counts = overlap_2d(k, s, input_size)
            ax.imshow(counts, cmap=SEQUENTIAL, vmin=0, vmax=top)
            annotate(ax, counts.astype(float), fmt="{:.0f}", fontsize=7.5, dark=counts < 0.6 * top)
            bare(ax)
            lo, hi = overlap_ratio(k, s)
            ax.set_title(f"k={k}, s={s}   {hi}:{lo}", fontsize=10)
        return {"checkerboard-2d.png": figure_png(fig, dpi=110)}


TABLE_HEADERS = {
    "zh": [
        "k",
        "s",
        "k mod s",
        "一维 min",
        "一维 max",
        "二维 min",
        "二维 max",
        "二维 max/min",
        "均匀",
    ],
    "en": ["k", "s", "k mod s", "1-D min", "1-D max", "2-D min", "2-D max", "2-D max/min", "even"],
}
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}


def overlap_table(lang: str, cases=CASES, input_size: int = 8) -> str:
    """Interior overlap per (k, s): min, max and their ratio in 1-D and 2-D."""
    rows = []
    for k, s in cases:
        lo1, hi1 = overlap_ratio(k, s, input_size, ndim=1)
        lo2, hi2 = overlap_ratio(k, s, input_size, ndim=2)
        ratio = hi2 / lo2
        even = YES_NO[lang][0 if lo2 == hi2 else 1]
        rows.append(
            [str(k), str(s), str(k % s), str(lo1), str(hi1), str(lo2), str(hi2), f"{ratio:g}", even]
        )
    return markdown_table(TABLE_HEADERS[lang], rows)


def build_overlap_table() -> dict[str, bytes]:
    return {
        f"tables/checkerboard-overlap.{lang}.md": overlap_table(lang).encode()
        for lang in ("zh", "en")
    }


def _upsample_nearest(x, factor: int):
    """Nearest-neighbour upsampling by repeating rows and columns (no conv involved)."""
    return x.repeat_interleave(factor, dim=-2).repeat_interleave(factor, dim=-1)


def resize_conv_panels(image: np.ndarray, kernel_size: int = 3, stride: int = 2):
    """`[(title, array)]`: the input, a transposed conv and nearest-upsample + conv, both
    with the same uniform kernel."""
    import torch

    k, s = kernel_size, stride
    x = torch.from_numpy(image.astype(np.float64))[None, None]
    w = _ones(1, 1, k, k) / (k * k)
    transposed = F.conv_transpose2d(x, w, stride=s)[0, 0].numpy()
    resized = F.conv2d(_upsample_nearest(x, s), w, padding=k // 2)[0, 0].numpy()
    n = image.shape[0]
    return [
        (f"x: {n}×{image.shape[1]}", image),
        (
            f"conv_transpose2d(k={k}, s={s}): {transposed.shape[0]}×{transposed.shape[1]}",
            transposed,
        ),
        (
            f"upsample×{s} → conv2d(k={k}, p={k // 2}): {resized.shape[0]}×{resized.shape[1]}",
            resized,
        ),
    ]


def build_resize_conv(size: int = 40) -> dict[str, bytes]:
    from .photo import load_photo

    photo = load_photo(gray=True, size=size)
    flat = np.ones((12, 12))
    with style():
        fig = new_figure(9.6, 6.6)
        axes = fig.subplots(2, 3)
        for row, image in zip(axes, (flat, photo)):
            for ax, (title, panel) in zip(row, resize_conv_panels(image)):
                # Each panel from black (0) to white (its maximum): a constant is white.
                ax.imshow(panel, cmap="gray", vmin=0, vmax=panel.max())
                ax.set_title(title, fontsize=8.5)
                bare(ax)
                for spine in ax.spines.values():
                    spine.set_visible(True)
                    spine.set_color("#9a9a9a")
        return {"resize-conv.png": figure_png(fig, dpi=100)}


def conv_input_gradient(input_size: int, kernel_size: int, stride: int) -> np.ndarray:
    """`∂(Σ y)/∂x` for `y = conv2d(x, ones, stride)`: how many windows read each pixel."""
    import torch

    x = torch.zeros(1, 1, input_size, input_size, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, _ones(1, 1, kernel_size, kernel_size), stride=stride)
    (grad,) = torch.autograd.grad(y.sum(), x)
    return grad[0, 0].numpy().round().astype(int)


def build_gradient(windows: int = 5, cases=((3, 2), (4, 2))) -> dict[str, bytes]:
    """Inputs sized so that `windows` windows per axis tile them exactly: `(m − 1)s + k`."""
    with style():
        fig = new_figure(3.4 * len(cases), 3.5)
        axes = np.atleast_1d(fig.subplots(1, len(cases)))
        for ax, (k, s) in zip(axes, cases):
            grad = conv_input_gradient((windows - 1) * s + k, k, s)
            top = max(int(grad.max()), 1)
            ax.imshow(grad, cmap=SEQUENTIAL, vmin=0, vmax=top)
            annotate(ax, grad.astype(float), fmt="{:.0f}", fontsize=7.5, dark=grad < 0.6 * top)
            bare(ax)
            ax.set_title(f"∂(Σy)/∂x,  conv2d(k={k}, s={s})", fontsize=9.5)
        return {"checkerboard-gradient.png": figure_png(fig, dpi=110)}
