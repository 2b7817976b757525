"""Checkerboard artifacts: how many kernel copies of a transposed conv land on each pixel.

The overlap map is the transposed conv of an all-ones input with an all-ones kernel
(`convnotes.functional.conv_transpose1d` / `2d`): pixel `t` receives one copy for every
input pixel `i` and tap `u` with `i·s + u = t`. Uneven counts in the
interior (`k` not divisible by `s`) are the checkerboard.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ._render import figure_pngs, new_figure, style
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
        return figure_pngs(fig, "checkerboard-1d", dpi=110)


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
            annotate(ax, counts.astype(float), fmt="{:.0f}", fontsize=9, dark=counts < 0.6 * top)
            bare(ax)
            lo, hi = overlap_ratio(k, s)
            ax.set_title(f"k={k}, s={s}   {hi}:{lo}", fontsize=10)
        return figure_pngs(fig, "checkerboard-2d", dpi=110)


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
                ax.set_title(title, fontsize=9.5)
                bare(ax)
                for spine in ax.spines.values():
                    spine.set_visible(True)
                    spine.set_color("#9a9a9a")
        return figure_pngs(fig, "resize-conv", dpi=100)


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
        return figure_pngs(fig, "checkerboard-gradient", dpi=110)


# ------------------------------------------------------------------ stacked layers

Layers = tuple[tuple[int, int], ...]

# (kernel_size, stride) per layer, first layer first. The first row compounds; in the
# second a later layer evens the pattern out, or (k divisible by s is not enough) does not.
STACKS: tuple[Layers, ...] = (
    ((3, 2),),
    ((3, 2), (3, 2)),
    ((3, 2), (3, 2), (3, 2)),
    ((3, 2), (4, 2)),
    ((3, 2), (2, 2)),
    ((3, 2), (6, 2)),
)


def _check_layers(layers: Layers) -> None:
    if not layers:
        raise ValueError("layers must hold at least one (kernel_size, stride) pair")
    for k, s in layers:
        if k < 1 or s < 1:
            raise ValueError(f"kernel_size and stride must be ≥ 1 in every layer, got k={k}, s={s}")


def stacked_overlap_1d(layers: Layers, input_size: int) -> np.ndarray:
    """Tap counts after a stack of transposed convs: ones in, every kernel all ones (1-D)."""
    _check_layers(layers)
    x = _ones(1, 1, input_size)
    for k, s in layers:
        x = F.conv_transpose1d(x, _ones(1, 1, k), stride=s)
    return x[0, 0].numpy().round().astype(int)


def stacked_overlap_2d(layers: Layers, input_size: int) -> np.ndarray:
    """The 2-D tap counts of a stack: ones in, every kernel all ones (k × k)."""
    _check_layers(layers)
    x = _ones(1, 1, input_size, input_size)
    for k, s in layers:
        x = F.conv_transpose2d(x, _ones(1, 1, k, k), stride=s)
    return x[0, 0].numpy().round().astype(int)


def composed_kernel(layers: Layers) -> tuple[np.ndarray, int]:
    """The single transposed conv a stack equals: kernel `K` and stride `S = s₁·s₂·…`.

    Two layers compose as `K = conv_transpose(w₁, w₂, stride=s₂)`, `S = s₁·s₂`, so
    `len(K) = (k₁ − 1)·s₂ + k₂` (1-D, all-ones kernels).
    """
    _check_layers(layers)
    (k, stride), *rest = layers
    kernel = _ones(1, 1, k)
    for k, s in rest:
        kernel = F.conv_transpose1d(kernel, _ones(1, 1, k), stride=s)
        stride *= s
    return kernel[0, 0].numpy().round().astype(int), stride


def interior_values(layers: Layers) -> list[int]:
    """The interior tap counts of a stack, one per phase `t mod S`: `Σ_d K[d·S + phase]`.

    Away from the borders every tap of the composed kernel lands, so position `t`
    receives the taps `K[d]` with `d ≡ t (mod S)`; the counts are even iff these
    `S` sums are equal.
    """
    kernel, stride = composed_kernel(layers)
    return [int(kernel[phase::stride].sum()) for phase in range(stride)]


def stack_label(layers: Layers) -> str:
    return " → ".join(f"({k},{s})" for k, s in layers)


def stacked_window(layers: Layers, window: int = 8) -> np.ndarray:
    """A `window × window` piece of the 2-D interior, starting at phase 0 in both axes."""
    kernel, stride = composed_kernel(layers)
    start = -(-(len(kernel) - 1) // stride) * stride
    # input_size so that (n − 1)·S + 1 > start + window: the window lies in the interior
    input_size = (start + window - 1) // stride + 2
    counts = stacked_overlap_2d(layers, input_size)
    return counts[start : start + window, start : start + window]


def build_stacked(stacks: tuple[Layers, ...] = STACKS, window: int = 8) -> dict[str, bytes]:
    with style():
        cols = 3
        rows = -(-len(stacks) // cols)
        fig = new_figure(9.4, 3.45 * rows)
        axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
        for ax, layers in zip(axes, stacks):
            counts = stacked_window(layers, window)
            values = interior_values(layers)
            # 2-D counts are products of two 1-D ones: extremes hi², lo²
            lo, hi = min(values) ** 2, max(values) ** 2
            ax.imshow(counts, cmap=SEQUENTIAL, vmin=0, vmax=hi)
            annotate(ax, counts.astype(float), fmt="{:.0f}", fontsize=9, dark=counts < 0.6 * hi)
            bare(ax)
            ax.set_title(f"{stack_label(layers)}\nmax/min = {hi}/{lo}", fontsize=9.5)
        for ax in axes[len(stacks) :]:
            ax.set_visible(False)
        return figure_pngs(fig, "checkerboard-stacked", dpi=110)


# ------------------------------------------------------- bilinear transposed conv


def bilinear_geometry(scale: int) -> tuple[int, int]:
    """`(kernel_size, padding)` of the FCN bilinear upsampler for an integer `scale`:
    `k = 2s − (s mod 2)` (`2s` for even `s`), `p = ⌊s/2⌋`, so that `o = s·i`."""
    if scale < 1:
        raise ValueError(f"scale must be an integer ≥ 1, got {scale}")
    return 2 * scale - scale % 2, scale // 2


def bilinear_kernel(scale: int) -> np.ndarray:
    """The `k × k` bilinear weights `(1 − |u − c|/f)(1 − |v − c|/f)` with `f = ⌈k/2⌉`,
    `c = f − 1` (odd `k`) or `f − ½` (even `k`), as in FCN's upsampling layer."""
    k, _ = bilinear_geometry(scale)
    factor = (k + 1) // 2
    centre = factor - 1 if k % 2 else factor - 0.5
    line = 1 - np.abs(np.arange(k) - centre) / factor
    return np.outer(line, line)


def bilinear_transposed(image: np.ndarray, scale: int) -> np.ndarray:
    """`image` upsampled by a transposed conv with the bilinear kernel (zero padding)."""
    import torch

    _, p = bilinear_geometry(scale)
    x = torch.from_numpy(np.asarray(image, dtype=np.float64))[None, None]
    w = torch.from_numpy(bilinear_kernel(scale))[None, None]
    return F.conv_transpose2d(x, w, stride=scale, padding=p)[0, 0].numpy()


def bilinear_interpolated(image: np.ndarray, scale: int) -> np.ndarray:
    """`F.interpolate(mode="bilinear", align_corners=False)` by `scale` (torch's)."""
    import torch

    x = torch.from_numpy(np.asarray(image, dtype=np.float64))[None, None]
    up = torch.nn.functional.interpolate(
        x, scale_factor=scale, mode="bilinear", align_corners=False
    )
    return up[0, 0].numpy()


def border_mask(shape: tuple[int, int], width: int) -> np.ndarray:
    """True on the outer `width` rows and columns."""
    mask = np.zeros(shape, dtype=bool)
    if width:
        mask[:width] = mask[-width:] = True
        mask[:, :width] = mask[:, -width:] = True
    return mask


def bilinear_differences(image: np.ndarray, scale: int) -> tuple[float, float, int]:
    """`(max |Δ| interior, max |Δ| border, border width)` between the bilinear transposed
    conv and `F.interpolate`; the border is the outer `p = ⌊s/2⌋` rows and columns."""
    diff = np.abs(bilinear_transposed(image, scale) - bilinear_interpolated(image, scale))
    _, width = bilinear_geometry(scale)
    border = border_mask(diff.shape, width)
    inner = float(diff[~border].max()) if (~border).any() else 0.0
    edge = float(diff[border].max()) if border.any() else 0.0
    return inner, edge, width


BILINEAR_SCALES = (2, 3, 4)
BILINEAR_HEADERS = {
    "zh": ["倍数 s", "k", "p", "边框宽度", "内部最大差", "边框最大差", "全 1 图像的角"],
    "en": [
        "scale s",
        "k",
        "p",
        "border width",
        "interior: max diff",
        "border: max diff",
        "corner, all-ones",
    ],
}


def _random_image(size: int = 16, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, 1.0, (size, size))


def bilinear_table(lang: str, scales=BILINEAR_SCALES, size: int = 16) -> str:
    """Per scale: the differences on a random image in [0, 1) and the corner value a
    constant image of ones gets from the transposed conv (`F.interpolate` gives 1)."""
    rows = []
    for s in scales:
        inner, edge, width = bilinear_differences(_random_image(size), s)
        k, p = bilinear_geometry(s)
        corner = bilinear_transposed(np.ones((size, size)), s)[0, 0]
        rows.append(
            [str(s), str(k), str(p), str(width), f"{inner:.0e}", f"{edge:.3f}", f"{corner:.4g}"]
        )
    return markdown_table(BILINEAR_HEADERS[lang], rows)


def build_bilinear(scale: int = 2, size: int = 16) -> dict[str, bytes]:
    from .photo import load_photo

    photo = load_photo(gray=True, size=size)
    interpolated = bilinear_interpolated(photo, scale)
    transposed = bilinear_transposed(photo, scale)
    diff = np.abs(transposed - interpolated)
    k, p = bilinear_geometry(scale)
    panels = [
        (f"F.interpolate(×{scale}, bilinear)", interpolated, "gray", 1.0),
        (f"conv_transpose2d(k={k}, s={scale}, p={p})", transposed, "gray", 1.0),
        ("|Δ|", diff, "magma", float(diff.max()) or 1.0),
    ]
    with style():
        fig = new_figure(9.6, 3.5)
        axes = fig.subplots(1, 3)
        for ax, (title, panel, cmap, top) in zip(axes, panels):
            image = ax.imshow(panel, cmap=cmap, vmin=0, vmax=top)
            ax.set_title(title, fontsize=9.5)
            bare(ax)
        fig.colorbar(image, ax=axes[-1], shrink=0.8)
        files = figure_pngs(fig, "bilinear-transposed", dpi=110)
    for lang in ("zh", "en"):
        files[f"tables/bilinear-transposed.{lang}.md"] = bilinear_table(lang).encode()
    return files


# ------------------------------------------------------------ sub-pixel convolution


def icnr_weight(kernel, scale: int):
    """ICNR (Aitken et al. 2017): each output channel's `r²` sub-kernels are copies of
    its kernel, `(C, C_in, m, m) → (C·r², C_in, m, m)` in PixelShuffle's channel order."""
    return kernel.repeat_interleave(scale * scale, dim=0)


def subpixel_panels(image: np.ndarray, scale: int = 2, seed: int = 0):
    """`[(title, array)]` for one grey image: a stride-`r` transposed conv, a sub-pixel
    conv (3×3 conv to `r²` channels, then PixelShuffle) with random weights, and the same
    sub-pixel conv with ICNR weights built from one random 3×3 kernel."""
    import torch

    r = scale
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(np.asarray(image, dtype=np.float64))[None, None]
    w_t = torch.randn(1, 1, 3, 3, dtype=torch.float64, generator=gen)
    w_sub = torch.randn(r * r, 1, 3, 3, dtype=torch.float64, generator=gen)
    transposed = F.conv_transpose2d(x, w_t, stride=r, padding=1, output_padding=r - 1)
    shuffle = torch.nn.functional.pixel_shuffle
    random_init = shuffle(F.conv2d(x, w_sub, padding=1), r)
    icnr = shuffle(F.conv2d(x, icnr_weight(w_sub[:1], r), padding=1), r)
    return [
        (f"conv_transpose2d(k=3, s={r})", transposed[0, 0].numpy()),
        (f"conv2d → PixelShuffle({r})", random_init[0, 0].numpy()),
        (f"conv2d (ICNR) → PixelShuffle({r})", icnr[0, 0].numpy()),
    ]


def build_subpixel(size: int = 16) -> dict[str, bytes]:
    from .photo import load_photo

    # The constant image is shown without its 2-pixel border (zero padding's frame), so
    # that a flat interior reads as one grey instead of being stretched to black.
    inputs = ((np.ones((10, 10)), 2), (load_photo(gray=True, size=size), 0))
    with style():
        fig = new_figure(9.6, 6.6)
        axes = fig.subplots(2, 3)
        for row, (image, crop) in zip(axes, inputs):
            for ax, (title, panel) in zip(row, subpixel_panels(image)):
                if crop:
                    panel = panel[crop:-crop, crop:-crop]
                lo, hi = float(panel.min()), float(panel.max())
                if hi - lo < 1e-9:
                    lo, hi = lo - 1, lo + 1
                ax.imshow(panel, cmap="gray", vmin=lo, vmax=hi)
                ax.set_title(title, fontsize=9.5)
                bare(ax)
                for spine in ax.spines.values():
                    spine.set_visible(True)
                    spine.set_color("#9a9a9a")
        return figure_pngs(fig, "subpixel-icnr", dpi=100)
