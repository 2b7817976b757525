"""Learned kernels: first-layer kernels learned from colour photos on a CPU, in seconds.

Independent component analysis (ICA) of small colour patches of natural images finds
oriented edges, bars and colour blobs (Bell & Sejnowski 1997, "The 'independent components'
of natural scenes are edge filters"; Hyvärinen, Hurri & Hoyer 2009, *Natural Image
Statistics*), the same kinds of kernels as the first layer of AlexNet (Krizhevsky, Sutskever
& Hinton 2012, figure 3). The patches come from the two photos bundled with scikit-learn
(`china.jpg` and `flower.jpg`), so nothing is downloaded.

The steps, for patches `x` of `k×k×3` values:

1. contrast normalisation: `x ← (x − mean(x)) / sqrt(var(x) + ε_c)` per patch;
2. ZCA whitening: with the covariance `C = V Λ Vᵀ` of the patches,
   `x ← V (Λ + ε_z λ_max)^(-1/2) Vᵀ x` (`ε_z` keeps pixel noise from being amplified);
3. FastICA finds `n` directions in which the whitened patches are as non-Gaussian as
   possible; the kernels shown are the columns of its mixing matrix, reshaped to `k×k×3`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._render import image_png
from ._style import ANIM_DARK, markdown_table

PHOTOS = ("china.jpg", "flower.jpg")


@dataclass(frozen=True)
class LearnedKernels:
    kernels: np.ndarray  # (n_kernels, k, k, 3), largest patch variance first
    patch_size: int
    n_patches: int
    downsample: int
    contrast_eps: float
    zca_eps: float
    seed: int
    iterations: int  # FastICA iterations until convergence


def load_photos(downsample: int) -> list[np.ndarray]:
    """scikit-learn's bundled photos as `(H, W, 3)` in [0, 1], each `downsample×downsample`
    block averaged into one pixel (removes JPEG block noise finer than a kernel's detail)."""
    from sklearn.datasets import load_sample_images

    if not isinstance(downsample, int) or downsample < 1:
        raise ValueError(f"downsample must be a positive int, got {downsample!r}")
    bundle = load_sample_images()
    names = [name.replace("\\", "/").rsplit("/", 1)[-1] for name in bundle.filenames]
    photos = []
    for name in PHOTOS:
        image = bundle.images[names.index(name)].astype(np.float64) / 255.0
        h, w = image.shape[0] // downsample, image.shape[1] // downsample
        blocks = image[: h * downsample, : w * downsample].reshape(h, downsample, w, downsample, 3)
        photos.append(blocks.mean(axis=(1, 3)))
    return photos


def sample_patches(photos: list[np.ndarray], patch_size: int, count: int, seed: int) -> np.ndarray:
    """`count` patches of `patch_size×patch_size×3` at random places, taken from the
    photos in turn: `(count, patch_size² · 3)`."""
    smallest = min(min(photo.shape[:2]) for photo in photos)
    if not 1 <= patch_size <= smallest:
        raise ValueError(f"patch_size must be in 1..{smallest}, got {patch_size}")
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    rng = np.random.default_rng(seed)
    patches = np.empty((count, patch_size * patch_size * 3))
    for i in range(count):
        photo = photos[i % len(photos)]
        r = rng.integers(0, photo.shape[0] - patch_size + 1)
        c = rng.integers(0, photo.shape[1] - patch_size + 1)
        patches[i] = photo[r : r + patch_size, c : c + patch_size].ravel()
    return patches


def normalize_contrast(patches: np.ndarray, eps: float) -> np.ndarray:
    """Each patch minus its mean, divided by `sqrt(its variance + eps)`."""
    centred = patches - patches.mean(axis=1, keepdims=True)
    return centred / np.sqrt(centred.var(axis=1, keepdims=True) + eps)


def zca_whiten(patches: np.ndarray, eps: float) -> np.ndarray:
    """`V (Λ + eps·λ_max)^(-1/2) Vᵀ x` for every centred patch `x`, with `C = V Λ Vᵀ`
    the patches' covariance: decorrelated pixels that still look like image patches."""
    centred = patches - patches.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / len(centred))
    scale = 1.0 / np.sqrt(np.maximum(values, 0.0) + eps * values.max())
    return centred @ (vectors * scale) @ vectors.T


def learn_kernels(
    patch_size: int = 11,
    n_kernels: int = 64,
    n_patches: int = 10_000,
    downsample: int = 3,
    contrast_eps: float = 0.01,
    zca_eps: float = 0.001,
    seed: int = 0,
) -> LearnedKernels:
    """FastICA on whitened colour patches; single BLAS thread so every run gives the same bits."""
    from sklearn.decomposition import FastICA
    from threadpoolctl import threadpool_limits

    patches = sample_patches(load_photos(downsample), patch_size, n_patches, seed)
    whitened = zca_whiten(normalize_contrast(patches, contrast_eps), zca_eps)
    with threadpool_limits(limits=1):
        ica = FastICA(
            n_components=n_kernels,
            whiten="unit-variance",
            max_iter=1000,
            tol=1e-4,
            random_state=seed,
        )
        ica.fit(whitened)
    mixing = ica.mixing_.T  # (n_kernels, k·k·3): the patch pattern of each component
    order = np.argsort(-np.linalg.norm(mixing, axis=1), kind="stable")
    return LearnedKernels(
        kernels=mixing[order].reshape(n_kernels, patch_size, patch_size, 3),
        patch_size=patch_size,
        n_patches=n_patches,
        downsample=downsample,
        contrast_eps=contrast_eps,
        zca_eps=zca_eps,
        seed=seed,
        iterations=int(ica.n_iter_),
    )


def kernel_colours(kernel: np.ndarray) -> np.ndarray:
    """A signed kernel as RGB in [0, 1]: 0 is mid grey, the largest magnitude reaches 0 or 1."""
    return 0.5 + 0.5 * kernel / (np.abs(kernel).max() or 1.0)


def kernel_grid(
    kernels: np.ndarray, columns: int = 16, zoom: int = 6, gap: int = 4, background=(1.0,) * 3
):
    """The kernels as one Pillow image, `columns` per row, each pixel `zoom×zoom`, on
    `background` (RGB in 0..1)."""
    from PIL import Image

    n, k = kernels.shape[:2]
    rows = -(-n // columns)
    cell = k * zoom + gap
    canvas = np.ones((rows * cell + gap, columns * cell + gap, 3)) * np.asarray(background)
    for index, kernel in enumerate(kernels):
        r, c = divmod(index, columns)
        tile = np.kron(kernel_colours(kernel), np.ones((zoom, zoom, 1)))
        canvas[gap + r * cell : (r + 1) * cell, gap + c * cell : (c + 1) * cell] = tile
    return Image.fromarray(np.round(canvas * 255).astype(np.uint8))


CAPTION = {
    "zh": {
        "header": ("项目", "值"),
        "data": (
            "数据",
            "scikit-learn 自带的两张照片 `china.jpg`、`flower.jpg`（427×640，无需下载）",
        ),
        "patches": (
            "图块",
            "每 {d}×{d} 像素平均成 1 个后，随机取 {n} 块 {k}×{k}×3（随机种子 {seed}）",
        ),
        "prep": ("预处理", "每块减去均值、除以 √(方差 + {ceps})，再做 ZCA 白化（ε = {zca}·λ_max）"),
        "method": (
            "方法",
            "scikit-learn `FastICA`，{c} 个分量，{it} 次迭代收敛；显示混合矩阵的各列",
        ),
    },
    "en": {
        "header": ("item", "value"),
        "data": (
            "data",
            "the two photos bundled with scikit-learn, `china.jpg` and `flower.jpg` "
            "(427×640, no download)",
        ),
        "patches": (
            "patches",
            "{n} random {k}×{k}×3 patches after averaging {d}×{d} pixels into one (seed {seed})",
        ),
        "prep": (
            "preprocessing",
            "each patch minus its mean, divided by √(its variance + {ceps}); "
            "ZCA whitening (ε = {zca}·λ_max)",
        ),
        "method": (
            "method",
            "scikit-learn `FastICA`, {c} components, converged in {it} iterations; "
            "the columns of the mixing matrix are shown",
        ),
    },
}


def caption_table(lang: str, result: LearnedKernels) -> str:
    """The set-up of the learned-kernels figure as a two-column Markdown table."""
    text = CAPTION[lang]
    fields = {
        "n": f"{result.n_patches:,}".replace(",", " "),
        "k": result.patch_size,
        "d": result.downsample,
        "seed": result.seed,
        "ceps": f"{result.contrast_eps:g}",
        "zca": f"{result.zca_eps:g}",
        "c": len(result.kernels),
        "it": result.iterations,
    }
    rows = [
        [text[key][0], text[key][1].format(**fields)]
        for key in ("data", "patches", "prep", "method")
    ]
    return markdown_table(list(text["header"]), rows, "ll")


def build_learned_kernels(
    patch_size: int = 11, n_kernels: int = 64, n_patches: int = 10_000, downsample: int = 3
) -> dict[str, bytes]:
    result = learn_kernels(patch_size, n_kernels, n_patches, downsample)
    dark_page = tuple(int(ANIM_DARK["background"][i : i + 2], 16) / 255 for i in (1, 3, 5))
    files = {
        "learned-kernels.png": image_png(kernel_grid(result.kernels)),
        "learned-kernels.dark.png": image_png(kernel_grid(result.kernels, background=dark_page)),
    }
    for lang in ("zh", "en"):
        files[f"tables/learned-kernels.{lang}.md"] = caption_table(lang, result).encode()
    return files
