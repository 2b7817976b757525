"""Second derivatives through our own backward, for every method: `gradgradcheck`
(finite differences of the gradient against the analytic second derivative)."""

from __future__ import annotations

import pytest
import torch

import convnotes.functional as CF

METHODS = sorted(CF.METHODS)


@pytest.mark.parametrize("method", METHODS)
def test_conv_gradgradcheck(method: str) -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, 4, 4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 2, 2, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, generator=gen, dtype=torch.float64, requires_grad=True)

    def f(x, w, b):
        return CF.conv2d(x, w, b, stride=(1, 2), padding=1, groups=2, method=method)

    assert torch.autograd.gradcheck(f, (x, w, b))
    assert torch.autograd.gradgradcheck(f, (x, w, b))


@pytest.mark.parametrize("method", METHODS)
def test_conv_transpose_gradgradcheck(method: str) -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(1, 2, 3, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 2, 3, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, generator=gen, dtype=torch.float64, requires_grad=True)

    def f(x, w, b):
        return CF.conv_transpose2d(
            x, w, b, stride=2, padding=(1, 0), output_padding=1, method=method
        )

    assert torch.autograd.gradcheck(f, (x, w, b))
    assert torch.autograd.gradgradcheck(f, (x, w, b))
