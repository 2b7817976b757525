"""Learned kernels: a small CNN trained on scikit-learn's bundled 8×8 digits (no download),
its first-layer kernels shown beside hand-made edge kernels, with the accuracy it reached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import nn as cnn
from ._render import figure_png, new_figure, style
from ._style import DIVERGING, bare, markdown_table, symmetric_limits

HAND_KERNELS = {
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "↗": [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
    "Laplace": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}


@dataclass(frozen=True)
class TrainingResult:
    kernels: np.ndarray  # (C_out, k, k) first-layer weights
    train_accuracy: float
    test_accuracy: float
    n_train: int
    n_test: int
    epochs: int
    channels: int
    kernel_size: int
    seed: int
    sample: np.ndarray  # one test digit (8×8)
    responses: np.ndarray  # its first-layer feature maps (C_out, 8, 8)


def train_digits(
    epochs: int = 40, channels: int = 8, kernel_size: int = 5, seed: int = 0
) -> TrainingResult:
    """Train `Conv2d(1, C, k, padding=k//2) → ReLU → MaxPool 2 → Linear` with Adam on
    75 % of the digits (full batch, single thread so the result is bit-reproducible)."""
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.25, random_state=seed, stratify=digits.target
    )
    to_x = lambda a: torch.from_numpy(a)[:, None]  # noqa: E731
    xt, xv = to_x(x_train), to_x(x_test)
    yt, yv = torch.from_numpy(y_train), torch.from_numpy(y_test)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        conv = cnn.Conv2d(1, channels, kernel_size, padding=kernel_size // 2)
        model = torch.nn.Sequential(
            conv,
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(channels * 16, 10),
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt), yt)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            train_acc = (model(xt).argmax(1) == yt).double().mean().item()
            test_acc = (model(xv).argmax(1) == yv).double().mean().item()
            sample = x_test[0]
            responses = conv(to_x(x_test[:1]))[0].numpy()
    finally:
        torch.set_num_threads(threads)
    return TrainingResult(
        kernels=conv.weight.detach()[:, 0].numpy().astype(np.float64),
        train_accuracy=train_acc,
        test_accuracy=test_acc,
        n_train=len(x_train),
        n_test=len(x_test),
        epochs=epochs,
        channels=channels,
        kernel_size=kernel_size,
        seed=seed,
        sample=sample,
        responses=responses,
    )


def learned_figure(result: TrainingResult):
    c = result.channels
    fig = new_figure(1.25 * c, 5.2)
    grid = fig.add_gridspec(3, c, height_ratios=[1, 1, 1.05])
    for j in range(c):
        ax = fig.add_subplot(grid[0, j])
        lo, hi = symmetric_limits(result.kernels[j])
        ax.imshow(result.kernels[j], cmap=DIVERGING, vmin=lo, vmax=hi)
        ax.set_title(f"w[{j}]", fontsize=9)
        bare(ax)
        ax = fig.add_subplot(grid[1, j])
        ax.imshow(np.maximum(result.responses[j], 0), cmap="gray")
        ax.set_title(f"relu(y[{j}])", fontsize=8)
        bare(ax)
    ax = fig.add_subplot(grid[2, 0])
    ax.imshow(result.sample, cmap="gray_r")
    ax.set_title("x: 8×8", fontsize=9)
    bare(ax)
    for t, (name, kernel) in enumerate(HAND_KERNELS.items()):
        col = min(2 + t, c - 1)
        ax = fig.add_subplot(grid[2, col])
        k = np.array(kernel, dtype=float)
        lo, hi = symmetric_limits(k)
        ax.imshow(k, cmap=DIVERGING, vmin=lo, vmax=hi)
        ax.set_title(name, fontsize=9)
        bare(ax)
    return fig


CAPTION: dict[str, dict[str, Any]] = {
    "zh": {
        "item": "项目",
        "value": "值",
        "data": ("数据", "scikit-learn `load_digits`：1797 张 8×8 手写数字（随库附带，无需下载）"),
        "split": ("训练 / 测试", "{n_train} / {n_test}（分层抽样，random_state={seed}）"),
        "model": (
            "模型",
            "Conv2d(1, {c}, {k}, padding={p}) → ReLU → MaxPool2d(2) → Linear({f}, 10)",
        ),
        "train": ("训练", "Adam，lr=0.02，全批量 {epochs} 轮，CPU 单线程，随机种子 {seed}"),
        "acc_train": ("训练集准确率", "{train:.1%}"),
        "acc_test": ("测试集准确率", "{test:.1%}"),
    },
    "en": {
        "item": "item",
        "value": "value",
        "data": (
            "data",
            "scikit-learn `load_digits`: 1797 handwritten digits, 8×8 (bundled, no download)",
        ),
        "split": ("train / test", "{n_train} / {n_test} (stratified, random_state={seed})"),
        "model": (
            "model",
            "Conv2d(1, {c}, {k}, padding={p}) → ReLU → MaxPool2d(2) → Linear({f}, 10)",
        ),
        "train": (
            "training",
            "Adam, lr=0.02, {epochs} full-batch epochs, CPU, one thread, seed {seed}",
        ),
        "acc_train": ("train accuracy", "{train:.1%}"),
        "acc_test": ("test accuracy", "{test:.1%}"),
    },
}


def caption_table(lang: str, result: TrainingResult) -> str:
    text = CAPTION[lang]
    fields = {
        "n_train": result.n_train,
        "n_test": result.n_test,
        "seed": result.seed,
        "c": result.channels,
        "k": result.kernel_size,
        "p": result.kernel_size // 2,
        "f": result.channels * 16,
        "epochs": result.epochs,
        "train": result.train_accuracy,
        "test": result.test_accuracy,
    }
    rows = [
        [text[key][0], text[key][1].format(**fields)]
        for key in ("data", "split", "model", "train", "acc_train", "acc_test")
    ]
    return markdown_table([text["item"], text["value"]], rows, "ll")


def build_learned_kernels(epochs: int = 40, channels: int = 8) -> dict[str, bytes]:
    result = train_digits(epochs=epochs, channels=channels)
    with style():
        files = {"learned-kernels.png": figure_png(learned_figure(result), dpi=100)}
    for lang in ("zh", "en"):
        files[f"tables/learned-kernels.{lang}.md"] = caption_table(lang, result).encode()
    return files
