"""The shifted-GEMM weight gradient against PyTorch's own convolution backward."""

from __future__ import annotations

import random

import pytest
import torch

from convnotes.functional.weight_grad import weight_grad


def _case(rng: random.Random) -> dict:
    while True:
        ndim = rng.choice([1, 2, 3])
        groups = rng.choice([1, 1, 2, 3])
        k = [rng.randint(1, 4) for _ in range(ndim)]
        d = [rng.randint(1, 3) for _ in range(ndim)]
        p = [rng.choice([0, 1, 2, 7]) for _ in range(ndim)]
        i = [rng.randint(1, 9) for _ in range(ndim)]
        if all(n + 2 * q >= e * (m - 1) + 1 for n, q, e, m in zip(i, p, d, k)):
            return {
                "ndim": ndim, "groups": groups, "kernel": k, "dilation": d, "padding": p,
                "input": i, "stride": [rng.randint(1, 3) for _ in range(ndim)],
                "batch": rng.randint(1, 3), "c": groups * rng.randint(1, 3),
                "o": groups * rng.randint(1, 3),
            }  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_weight_grad_matches_torch(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        case = _case(rng)
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(
            case["batch"], case["c"], *case["input"], generator=gen, dtype=torch.float64
        )
        w = torch.randn(
            case["o"], case["c"] // case["groups"], *case["kernel"], generator=gen,
            dtype=torch.float64,
        )  # fmt: skip
        args = (case["stride"], case["padding"], case["dilation"])
        y = torch.convolution(x, w, None, *args, False, [0] * case["ndim"], case["groups"])
        grad = torch.randn(y.shape, generator=gen, dtype=torch.float64)
        expected = torch.ops.aten.convolution_backward(
            grad, x, w, None, *args, False, [0] * case["ndim"], case["groups"],
            [False, True, False],
        )[1]  # fmt: skip
        got = weight_grad(
            x, grad, tuple(case["kernel"]), tuple((q, q) for q in case["padding"]),
            tuple(case["stride"]), tuple(case["dilation"]), case["groups"],
        )  # fmt: skip
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10, msg=str(case))


def test_weight_grad_asymmetric_padding_as_same() -> None:
    """`padding="same"` with an even kernel pads less before than after."""
    x = torch.randn(2, 3, 10, 9, dtype=torch.float64)
    w = torch.randn(4, 3, 4, 2, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(x, w, padding="same")
    grad = torch.randn_like(y)
    (expected,) = torch.autograd.grad(y, w, grad)
    got = weight_grad(x, grad, (4, 2), ((1, 2), (0, 1)), (1, 1), (1, 1), 1)
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs"),
    [
        ((1, 16, 2, 2), (32, 16, 4, 4), {"stride": 2, "padding": 1}),  # pix2pix's inner layers
        ((2, 12, 1, 1), (24, 4, 3, 3), {"padding": 1, "groups": 3}),
        ((1, 8, 3), (20, 8, 3), {"padding": 2, "dilation": 2}),
        ((1, 6, 2, 2, 2), (16, 6, 3, 3, 3), {"padding": 1}),
    ],
)
def test_weight_grad_on_tiny_maps(x_shape, w_shape, kwargs) -> None:
    """Fewer output positions than output channels per group: one GEMM over all taps."""
    x = torch.randn(x_shape, dtype=torch.float64)
    w = torch.randn(w_shape, dtype=torch.float64, requires_grad=True)
    conv = getattr(torch.nn.functional, f"conv{len(x_shape) - 2}d")
    y = conv(x, w, **kwargs)
    grad = torch.randn_like(y)
    (expected,) = torch.autograd.grad(y, w, grad)
    ndim = len(x_shape) - 2
    pad = kwargs.get("padding", 0)
    got = weight_grad(
        x, grad, tuple(w_shape[2:]), ((pad, pad),) * ndim, (kwargs.get("stride", 1),) * ndim,
        (kwargs.get("dilation", 1),) * ndim, kwargs.get("groups", 1),
    )  # fmt: skip
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
