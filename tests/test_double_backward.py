"""Second derivatives through our own backward, for every method: `gradgradcheck`
(finite differences of the gradient against the analytic second derivative)."""

from __future__ import annotations

import pytest
import torch

import convnotes.functional as CF

METHODS = sorted(CF.METHODS)
# (operator, input shape, weight shape, bias size, keyword arguments)
CALLS = {
    "conv": (
        CF.conv2d, (1, 4, 4, 3), (4, 2, 2, 2), 4,
        {"stride": (1, 2), "padding": 1, "groups": 2},
    ),
    "conv_transpose": (
        CF.conv_transpose2d, (1, 2, 3, 2), (2, 2, 3, 2), 2,
        {"stride": 2, "padding": (1, 0), "output_padding": 1},
    ),
}  # fmt: skip


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_gradcheck_and_gradgradcheck(name: str, method: str) -> None:
    op, x_shape, w_shape, bias, kwargs = CALLS[name]
    gen = torch.Generator().manual_seed(0)
    tensors = [
        torch.randn(shape, generator=gen, dtype=torch.float64, requires_grad=True)
        for shape in (x_shape, w_shape, (bias,))
    ]

    def f(x, w, b):
        return op(x, w, b, **kwargs, method=method)

    assert torch.autograd.gradcheck(f, tuple(tensors))
    assert torch.autograd.gradgradcheck(f, tuple(tensors))
