"""The phase method keeps its gathered weight on the weight tensor: every way PyTorch
changes a weight must be seen by the next call."""

from __future__ import annotations

import torch

import convnotes.nn as cnn

CACHE = "_convnotes_phase_weight"


def _pair(transposed: bool) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(0)
    kind = "ConvTranspose2d" if transposed else "Conv2d"
    kwargs = {"stride": 2, "padding": 1} if transposed else {"padding": 1}
    native = getattr(torch.nn, kind)(4, 6, 3, **kwargs).double()
    ours = getattr(cnn, kind)(4, 6, 3, **kwargs, method="phase").double()
    ours.load_state_dict(native.state_dict())
    return native, ours


def _same(native: torch.nn.Module, ours: torch.nn.Module, x: torch.Tensor) -> None:
    with torch.no_grad():
        torch.testing.assert_close(ours(x), native(x), rtol=1e-12, atol=1e-12)


def test_cache_follows_every_weight_update() -> None:
    for transposed in (False, True):
        native, ours = _pair(transposed)
        x = torch.randn(2, 4, 7, 7, dtype=torch.float64)
        _same(native, ours, x)
        assert hasattr(ours.weight, CACHE)  # inference caches
        for model in (native, ours):  # an optimizer step (in-place, under no_grad)
            opt = torch.optim.SGD(model.parameters(), lr=0.5)
            model(x).square().sum().backward()
            opt.step()
        _same(native, ours, x)
        with torch.no_grad():  # a write of the user's own
            native.weight.mul_(-2)
            ours.weight.mul_(-2)
        _same(native, ours, x)
        state = {k: torch.randn_like(v) for k, v in native.state_dict().items()}
        native.load_state_dict(state)
        ours.load_state_dict(state)
        _same(native, ours, x)


def test_training_leaves_no_cache_on_the_parameter() -> None:
    native, ours = _pair(False)
    x = torch.randn(2, 4, 7, 7, dtype=torch.float64, requires_grad=True)
    ours(x).square().sum().backward()
    assert not hasattr(ours.weight, CACHE)
    expected = torch.autograd.grad(native(x).square().sum(), native.weight)[0]
    torch.testing.assert_close(ours.weight.grad, expected, rtol=1e-12, atol=1e-12)
