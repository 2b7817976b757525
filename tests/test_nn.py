"""convnotes.nn modules against torch.nn: parameters, state dicts, outputs, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import convnotes.functional as CF
import convnotes.nn as cnn

PAIRS = [
    (cnn.Conv1d, nn.Conv1d, 1),
    (cnn.Conv2d, nn.Conv2d, 2),
    (cnn.Conv3d, nn.Conv3d, 3),
]
TRANSPOSE_PAIRS = [
    (cnn.ConvTranspose1d, nn.ConvTranspose1d, 1),
    (cnn.ConvTranspose2d, nn.ConvTranspose2d, 2),
    (cnn.ConvTranspose3d, nn.ConvTranspose3d, 3),
]
METHODS = sorted(CF.METHODS)
TOL = {"rtol": 1e-10, "atol": 1e-10}
SIZE = {1: (9,), 2: (6, 5), 3: (4, 5, 3)}


def _twins(ours_cls, torch_cls, *args, method="im2col", **kwargs):
    torch.manual_seed(0)
    theirs = torch_cls(*args, dtype=torch.float64, **kwargs)
    torch.manual_seed(0)
    ours = ours_cls(*args, dtype=torch.float64, method=method, **kwargs)
    return ours, theirs


def _assert_same_forward_backward(ours, theirs, x, **forward_kwargs):
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    expected = theirs(x1, **forward_kwargs)
    got = ours(x2, **forward_kwargs)
    torch.testing.assert_close(got, expected, **TOL)
    upstream = torch.randn_like(expected)
    expected.backward(upstream)
    got.backward(upstream)
    torch.testing.assert_close(x2.grad, x1.grad, **TOL)
    for (name, p_ours), p_theirs in zip(ours.named_parameters(), theirs.parameters()):
        torch.testing.assert_close(p_ours.grad, p_theirs.grad, **TOL, msg=name)


@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), PAIRS + TRANSPOSE_PAIRS)
def test_same_parameters_init_and_state_dict(ours_cls, torch_cls, ndim):
    ours, theirs = _twins(ours_cls, torch_cls, 4, 6, 3, stride=2, groups=2)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for a, b in zip(ours.state_dict().values(), theirs.state_dict().values()):
        assert torch.equal(a, b)  # same shapes and the same random initialisation


@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), PAIRS + TRANSPOSE_PAIRS)
def test_state_dicts_load_both_ways(ours_cls, torch_cls, ndim):
    source_theirs = torch_cls(2, 4, 3, dtype=torch.float64)
    source_ours = ours_cls(2, 4, 3, dtype=torch.float64)
    ours, theirs = ours_cls(2, 4, 3, dtype=torch.float64), torch_cls(2, 4, 3, dtype=torch.float64)
    ours.load_state_dict(source_theirs.state_dict())
    theirs.load_state_dict(source_ours.state_dict())
    for a, b in zip(ours.parameters(), source_theirs.parameters()):
        assert torch.equal(a, b)
    for a, b in zip(theirs.parameters(), source_ours.parameters()):
        assert torch.equal(a, b)
    x = torch.randn(2, 2, *SIZE[ndim], dtype=torch.float64)
    torch.testing.assert_close(ours(x), source_theirs(x), **TOL)


CONV_KWARGS = [
    {"padding": 1},
    {"padding": 2, "stride": 2, "dilation": 1, "groups": 2},
    {"padding": "same", "dilation": 2},
    {"padding": (1, 0, 2)},
]
PADDING_MODES = ["zeros", "reflect", "replicate", "circular"]
# Every padding mode and setting with the default method; each method on a mixed subset.
CONV_CASES = [("im2col", mode, kw) for mode in PADDING_MODES for kw in CONV_KWARGS] + [
    (method, mode, kw)
    for method in METHODS
    if method != "im2col"
    for mode, kw in zip(PADDING_MODES, CONV_KWARGS)
]


@pytest.mark.parametrize(("method", "padding_mode", "kwargs"), CONV_CASES)
@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), PAIRS)
def test_conv_modules_match_torch(ours_cls, torch_cls, ndim, padding_mode, method, kwargs):
    kwargs = dict(kwargs)
    if isinstance(kwargs["padding"], tuple):
        kwargs["padding"] = kwargs["padding"][:ndim]
    ours, theirs = _twins(
        ours_cls, torch_cls, 4, 6, 2, padding_mode=padding_mode, method=method, **kwargs
    )
    x = torch.randn(2, 4, *SIZE[ndim], dtype=torch.float64)
    _assert_same_forward_backward(ours, theirs, x)
    _assert_same_forward_backward(ours, theirs, x[0])  # unbatched


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), TRANSPOSE_PAIRS)
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"stride": 3, "padding": 2, "dilation": 2, "groups": 2},
        {"stride": 1, "output_padding": 1, "dilation": 2},
    ],
)
def test_transposed_modules_match_torch(ours_cls, torch_cls, ndim, method, kwargs):
    ours, theirs = _twins(ours_cls, torch_cls, 4, 2, 3, method=method, **kwargs)
    x = torch.randn(2, 4, *SIZE[ndim], dtype=torch.float64)
    _assert_same_forward_backward(ours, theirs, x)
    _assert_same_forward_backward(ours, theirs, x[0])


@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), TRANSPOSE_PAIRS)
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_output_size_like_torch(ours_cls, torch_cls, ndim, stride, batched):
    """In the spirit of torch's test_ConvTranspose*_output_size: every requested size in
    and around the valid range is accepted or rejected as torch does, with equal results."""
    ours, theirs = _twins(ours_cls, torch_cls, 3, 2, 3, stride=stride, padding=1)
    x = torch.randn(2, 3, *SIZE[ndim], dtype=torch.float64)
    x = x if batched else x[0]
    lead = tuple(x.shape[: x.dim() - ndim])
    default = tuple(theirs(x).shape[-ndim:])  # the smallest valid size
    lo = default[-1]
    for size in range(lo - 2, lo + stride + 2):
        spatial = (*default[:-1], size)
        for requested in (spatial, lead + spatial):
            try:
                expected = theirs(x, output_size=requested)
            except ValueError:
                with pytest.raises(ValueError):
                    ours(x, output_size=requested)
                continue
            torch.testing.assert_close(ours(x, output_size=requested), expected, **TOL)


@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), TRANSPOSE_PAIRS)
def test_output_size_errors_name_the_range(ours_cls, torch_cls, ndim):
    ours = ours_cls(1, 1, 3, stride=2, padding=1)
    x = torch.randn(1, 1, *([4] * ndim))
    with pytest.raises(ValueError, match=r"range from \(7.*\) to \(8"):
        ours(x, output_size=[10] * ndim)
    with pytest.raises(ValueError):
        torch_cls(1, 1, 3, stride=2, padding=1)(x, output_size=[10] * ndim)
    with pytest.raises(ValueError, match="output_size must have"):
        ours(x, output_size=[7] * (ndim + 1))
    with pytest.raises(ValueError):
        torch_cls(1, 1, 3, stride=2, padding=1)(x, output_size=[7] * (ndim + 1))


@pytest.mark.parametrize(("ours_cls", "torch_cls", "ndim"), TRANSPOSE_PAIRS)
def test_transposed_rejects_non_zero_padding_mode_like_torch(ours_cls, torch_cls, ndim):
    with pytest.raises(ValueError):
        torch_cls(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="zeros"):
        ours_cls(1, 1, 3, padding_mode="reflect")


@pytest.mark.parametrize(
    "kwargs",
    [{"padding_mode": "mirror"}, {"padding": "same", "stride": 2}, {"groups": 3},
     {"padding": "full"}],
)  # fmt: skip
def test_constructor_rejects_like_torch(kwargs):
    with pytest.raises(ValueError):
        nn.Conv2d(4, 4, 3, **kwargs)
    with pytest.raises(ValueError):
        cnn.Conv2d(4, 4, 3, **kwargs)


def test_unknown_method_is_rejected_at_construction():
    with pytest.raises(ValueError, match="method='winograd2'"):
        cnn.Conv2d(1, 1, 3, method="winograd2")


def test_forward_errors_are_catchable_like_torch():
    """A wrong channel count is a RuntimeError in torch's module; ours is one too."""
    x = torch.randn(1, 3, 8, 8)
    with pytest.raises(RuntimeError):
        nn.Conv2d(4, 4, 3)(x)
    with pytest.raises(RuntimeError, match="channels"):
        cnn.Conv2d(4, 4, 3)(x)


def test_method_shows_in_repr():
    assert "method='direct'" in repr(cnn.ConvTranspose2d(1, 1, 3, method="direct"))
