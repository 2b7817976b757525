"""Multi-channel convolution: one output channel = Σ over input channels of (slice ⋆ kernel
slice) + bias; and which input channels each output channel sees under `groups`."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn as cnn
from ..matrix import conv_matrix
from ._render import figure_pngs, new_figure, style
from ._style import annotate, bare


def multichannel_data(
    in_channels: int = 3, out_channels: int = 2, size: int = 4, k: int = 3, seed: int = 1
):
    """Small integer x `(C_in, n, n)`, w `(C_out, C_in, k, k)`, b `(C_out,)`, the
    per-slice responses `x[c] ⋆ w[0, c]` and the full output y (all via the package)."""
    import torch

    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.integers(0, 4, (1, in_channels, size, size)).astype(np.float64))
    w = torch.from_numpy(rng.integers(-1, 2, (out_channels, in_channels, k, k)).astype(np.float64))
    b = torch.from_numpy(rng.integers(1, 4, (out_channels,)).astype(np.float64))
    slices = [
        F.conv2d(x[:, c : c + 1], w[0:1, c : c + 1])[0, 0].numpy() for c in range(in_channels)
    ]
    y = F.conv2d(x, w, b)[0].numpy()
    return x[0].numpy(), w.numpy(), b.numpy(), slices, y


def _grid(ax, values, cmap, title):
    lo, hi = float(values.min()), float(values.max())
    ax.imshow(values, cmap=cmap, vmin=min(lo, 0) - 1, vmax=hi + 1)
    annotate(ax, values, fontsize=10)
    ax.set_title(title, fontsize=10)
    bare(ax)
    n = values.shape[0]
    ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)


def _symbol(ax, text, fontsize=20):
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=fontsize)
    ax.axis("off")


def build_multichannel(
    in_channels: int = 3, out_channels: int = 2, size: int = 4
) -> dict[str, bytes]:
    x, w, b, slices, y = multichannel_data(in_channels, out_channels, size)
    k, o = w.shape[-1], y.shape[-1]
    with style():
        fig = new_figure(10.0, 2.0 * in_channels + 0.9)
        grid = fig.add_gridspec(
            in_channels, 9, width_ratios=[size, 0.8, k, 0.8, o, 1.2, 1.4, 0.8, o]
        )
        for c in range(in_channels):
            _grid(fig.add_subplot(grid[c, 0]), x[c], "Blues", f"x[{c}]")
            _symbol(fig.add_subplot(grid[c, 1]), "⋆", fontsize=34)
            _grid(fig.add_subplot(grid[c, 2]), w[0, c], "Oranges", f"w[0, {c}]")
            _symbol(fig.add_subplot(grid[c, 3]), "=")
            _grid(fig.add_subplot(grid[c, 4]), slices[c], "Purples", f"x[{c}] ⋆ w[0, {c}]")
            _symbol(fig.add_subplot(grid[c, 5]), "+" if c < in_channels - 1 else "")
        middle = in_channels // 2
        _symbol(fig.add_subplot(grid[:, 6]), f"Σ\n+ b[0]\n= {b[0]:g}")
        _symbol(fig.add_subplot(grid[:, 7]), "=")
        _grid(fig.add_subplot(grid[middle, 8]), y[0], "Greens", "y[0]")
        fig.suptitle(
            f"x: {in_channels}×{size}×{size}    w: {out_channels}×{in_channels}×{k}×{k}    "
            f"b: {out_channels}    →    y: {out_channels}×{o}×{o}",
            fontsize=11,
        )
        return figure_pngs(fig, "multichannel", dpi=100)


def group_connectivity(channels: int, groups: int, size: int = 3, k: int = 2) -> np.ndarray:
    """`(C_out, C_in)` booleans: does output channel `j` read input channel `c`?
    Read off the blocks of the unrolled matrix `C` of a `Conv2d(…, groups)` with all-ones
    weights."""
    c = group_matrix(channels, groups, size, k) != 0
    out_block, in_block = c.shape[0] // channels, c.shape[1] // channels
    blocks = c.reshape(channels, out_block, channels, in_block)
    return blocks.any(axis=(1, 3))


def group_matrix(channels: int, groups: int, size: int = 3, k: int = 2) -> np.ndarray:
    """The unrolled matrix of a `channels → channels` conv with `groups`, ones weights."""
    import torch

    weight = torch.ones(channels, channels // groups, k, k, dtype=torch.float64)
    return conv_matrix(weight, (size, size), groups=groups).numpy()


def weight_shape(channels: int, groups: int, k: int = 2) -> tuple[int, ...]:
    return tuple(cnn.Conv2d(channels, channels, k, groups=groups).weight.shape)


def build_groups(channels: int = 4, group_counts=(1, 2, 4)) -> dict[str, bytes]:
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"]
    with style():
        fig = new_figure(3.3 * len(group_counts), 5.0)
        axes = fig.subplots(2, len(group_counts), height_ratios=[1, 0.8])
        for col, groups in enumerate(group_counts):
            links = group_connectivity(channels, groups)
            ax = axes[0, col]
            per_group = channels // groups
            for j in range(channels):
                for c in range(channels):
                    if links[j, c]:
                        ax.plot(
                            [0, 1], [c, j], color=palette[j // per_group % len(palette)], lw=1.6
                        )
            ax.scatter(
                [0] * channels,
                range(channels),
                s=260,
                color="#bcd6ee",
                edgecolor="#4c72b0",
                zorder=3,
            )
            ax.scatter(
                [1] * channels,
                range(channels),
                s=260,
                color="#c5e6c0",
                edgecolor="#1b7a2e",
                zorder=3,
            )
            for t in range(channels):
                ax.text(-0.13, t, f"x[{t}]", ha="right", va="center", fontsize=9.5)
                ax.text(1.13, t, f"y[{t}]", ha="left", va="center", fontsize=9.5)
            ax.set_xlim(-0.5, 1.5)
            ax.set_ylim(channels - 0.4, -0.6)
            ax.axis("off")
            shape = "×".join(str(v) for v in weight_shape(channels, groups))
            ax.set_title(f"groups={groups}\nw: {shape}", fontsize=10)
            matrix = group_matrix(channels, groups)
            mx = axes[1, col]
            mx.imshow(matrix != 0, cmap="Greys", vmin=0, vmax=1.6, interpolation="nearest")
            n_out, n_in = matrix.shape
            for t in range(1, channels):
                mx.axhline(t * n_out / channels - 0.5, color="#c44e52", lw=0.6)
                mx.axvline(t * n_in / channels - 0.5, color="#c44e52", lw=0.6)
            mx.set_xticks([])
            mx.set_yticks([])
            mx.set_xlabel("x", fontsize=9.5)
            mx.set_ylabel("y", fontsize=9.5, rotation=0, labelpad=8)
            mx.set_title(f"C: {n_out}×{n_in}", fontsize=9.5)
        return figure_pngs(fig, "groups-depthwise", dpi=100)
