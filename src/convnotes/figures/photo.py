"""A real photo through conv layers: matplotlib's bundled `grace_hopper.jpg`
(a public-domain portrait) through random, hand-made and transposed kernels."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn as cnn
from .. import shapes
from ._render import figure_pngs, new_figure, style
from ._style import DIVERGING, annotate, bare, symmetric_limits

HAND_KERNELS = {
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "Laplace": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "Gauss 5×5 (×1/256)": (np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])).tolist(),
}
GAUSS_SCALE = 256


def load_photo(gray: bool = False, size: int = 160) -> np.ndarray:
    """The photo scaled so its width is `size`: `(H, W, 3)` or `(H, W)` in [0, 1]."""
    from matplotlib import cbook
    from PIL import Image

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as photo:
        img = photo.convert("L" if gray else "RGB")
        height = round(img.height * size / img.width)
        img = img.resize((size, height), Image.Resampling.LANCZOS)
        return np.asarray(img, dtype=np.float64) / 255.0


def _chw(image: np.ndarray):
    import torch

    array = image[None] if image.ndim == 2 else image.transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(array))[None]


def random_conv_panels(image: np.ndarray, out_channels: int = 4, seed: int = 3):
    """`[(title, array)]`: the RGB input and each channel of a random `Conv2d(3, C, 3)`."""
    import torch

    torch.manual_seed(seed)
    layer = cnn.Conv2d(3, out_channels, 3).double()
    torch.nn.init.xavier_normal_(layer.weight)
    with torch.no_grad():
        y = layer(_chw(image))[0].numpy()
    h, w = image.shape[:2]
    panels = [(f"x: 3×{h}×{w}", image)]
    panels += [(f"y[{c}]: {y.shape[1]}×{y.shape[2]}", y[c]) for c in range(out_channels)]
    return panels


def build_random_conv(size: int = 160) -> dict[str, bytes]:
    panels = random_conv_panels(load_photo(size=size))
    with style():
        fig = new_figure(2.0 * len(panels), 2.75)
        axes = fig.subplots(1, len(panels))
        for ax, (title, panel) in zip(axes, panels):
            ax.imshow(panel, cmap=None if panel.ndim == 3 else "gray")
            ax.set_title(title, fontsize=9.5)
            bare(ax)
        fig.suptitle("nn.Conv2d(3, 4, kernel_size=3)", fontsize=10)
        return figure_pngs(fig, "photo-random-conv", dpi=100, colors=256, dither=True)


def kernel_panels(image: np.ndarray):
    """`[(name, kernel, response)]` for each hand-made kernel (no padding)."""
    import torch

    x = _chw(image)
    out = []
    for name, kernel in HAND_KERNELS.items():
        w = np.array(kernel, dtype=np.float64)
        scale = GAUSS_SCALE if name.startswith("Gauss") else 1
        y = F.conv2d(x, torch.from_numpy(w / scale)[None, None])[0, 0].numpy()
        out.append((name, w, y))
    return out


def build_kernels(size: int = 160) -> dict[str, bytes]:
    image = load_photo(gray=True, size=size)
    panels = kernel_panels(image)
    with style():
        fig = new_figure(2.0 * (len(panels) + 1), 4.3)
        grid = fig.add_gridspec(2, len(panels) + 1, height_ratios=[1, 1.6])
        ax = fig.add_subplot(grid[:, 0])
        ax.imshow(image, cmap="gray")
        ax.set_title(f"x: {image.shape[0]}×{image.shape[1]}", fontsize=9.5)
        bare(ax)
        for col, (name, kernel, response) in enumerate(panels, start=1):
            kax = fig.add_subplot(grid[0, col])
            lo, hi = symmetric_limits(kernel)
            kax.imshow(kernel, cmap=DIVERGING, vmin=lo, vmax=hi)
            annotate(
                kax,
                kernel,
                fontsize=9.5,
                dark=np.abs(kernel) > 0.6 * hi,
            )
            kax.set_title(name, fontsize=9.5)
            bare(kax)
            rax = fig.add_subplot(grid[1, col])
            if name.startswith(("Sobel", "Laplace")):
                lo, hi = symmetric_limits(response)
                rax.imshow(response, cmap="gray", vmin=lo, vmax=hi)
            else:
                rax.imshow(response, cmap="gray")
            rax.set_title(f"{response.shape[0]}×{response.shape[1]}", fontsize=9.5)
            bare(rax)
        return figure_pngs(fig, "photo-kernels", dpi=100, colors=256, dither=True)


def transposed_panels(image: np.ndarray, kernel_size: int = 3, stride: int = 2, seed: int = 3):
    """`[(title, array)]`: the input and a random `ConvTranspose2d(3, 1, k, stride)` output."""
    import torch

    torch.manual_seed(seed)
    layer = cnn.ConvTranspose2d(3, 1, kernel_size, stride=stride).double()
    torch.nn.init.xavier_normal_(layer.weight)
    with torch.no_grad():
        y = layer(_chw(image))[0, 0].numpy()
    h, w = image.shape[:2]
    expected = shapes.conv_transpose_output_size((h, w), kernel_size, stride)
    assert y.shape == expected, (y.shape, expected)
    return [(f"x: 3×{h}×{w}", image), (f"y: 1×{y.shape[0]}×{y.shape[1]}", y)]


def build_transposed(size: int = 80, zoom: int = 24) -> dict[str, bytes]:
    from matplotlib.patches import Rectangle

    image = load_photo(size=size)
    (x_title, x), (y_title, y) = transposed_panels(image)
    r0, c0 = y.shape[0] // 3, y.shape[1] // 2 - zoom // 2
    with style():
        fig = new_figure(8.6, 3.6)
        axes = fig.subplots(1, 3, width_ratios=[1, 2, 2])
        axes[0].imshow(x)
        axes[0].set_title(x_title, fontsize=9.5)
        axes[1].imshow(y, cmap="gray")
        axes[1].add_patch(
            Rectangle((c0 - 0.5, r0 - 0.5), zoom, zoom, fill=False, color="#d2560f", lw=1.5)
        )
        axes[1].set_title(y_title, fontsize=9.5)
        axes[2].imshow(y[r0 : r0 + zoom, c0 : c0 + zoom], cmap="gray")
        axes[2].set_title(f"y[{r0}:{r0 + zoom}, {c0}:{c0 + zoom}]", fontsize=9.5)
        for ax in axes:
            bare(ax)
        for spine in axes[2].spines.values():
            spine.set_visible(True)
            spine.set_color("#d2560f")
        fig.suptitle("nn.ConvTranspose2d(3, 1, kernel_size=3, stride=2)", fontsize=10)
        return figure_pngs(fig, "photo-transposed", dpi=100, colors=256, dither=True)
