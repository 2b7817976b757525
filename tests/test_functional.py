"""Differential tests: convnotes.functional against torch.nn.functional as the oracle.

Random configurations (valid and invalid) for every method, 1d/2d/3d, conv and transposed
conv: the same calls must be accepted and rejected (our error caught by ``except`` with the
type torch raised), values must agree to 1e-10 in float64, gradients too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convnotes.functional as CF
from convnotes.errors import ConvArgumentError

METHODS = sorted(CF.METHODS)
TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TORCH_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
OURS_CONV = {1: CF.conv1d, 2: CF.conv2d, 3: CF.conv3d}
OURS_CONV_T = {1: CF.conv_transpose1d, 2: CF.conv_transpose2d, 3: CF.conv_transpose3d}
# Fewer examples where the method is slow (the dense matrix grows like size^2).
EXAMPLES = {1: 40, 2: 25, 3: 12}
TOL64 = {"rtol": 1e-10, "atol": 1e-10}
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same")
TOL32 = {"rtol": 1e-4, "atol": 1e-4}


@dataclass
class Case:
    """One call: tensor shapes plus keyword arguments for the functional op."""

    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    bias_shape: tuple[int, ...] | None
    kwargs: dict = field(default_factory=dict)

    def tensors(self, dtype: torch.dtype, seed: int = 0):
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(self.input_shape, dtype=dtype, generator=gen)
        w = torch.randn(self.weight_shape, dtype=dtype, generator=gen)
        b = None if self.bias_shape is None else torch.randn(self.bias_shape, dtype=dtype)
        return x, w, b


def _per_dim(draw, ndim: int, values):
    """An int, or a tuple of ``ndim`` ints (sometimes a 1-tuple, which torch broadcasts)."""
    kind = draw(st.sampled_from(["int", "tuple", "tuple"]))
    if kind == "int":
        return draw(values)
    return tuple(draw(values) for _ in range(ndim))


# Deliberate breakages, each applied to an otherwise random case.
MUTATIONS = [
    "negative_padding",
    "zero_stride",
    "zero_dilation",
    "zero_groups",
    "channel_mismatch",
    "bias_size",
    "float_stride",
    "wrong_len",
    "input_dims",
    "weight_dims",
    "string_padding",
]


@st.composite
def cases(draw, ndim: int, transposed: bool) -> Case:
    groups = draw(st.integers(1, 3))
    in_per_group = draw(st.integers(1, 2))
    out_per_group = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    dilation = _per_dim(draw, ndim, st.integers(1, 2))
    dilations = (dilation,) * ndim if isinstance(dilation, int) else dilation
    size_max = {1: 7, 2: 5, 3: 4}[ndim]
    # Mostly sizes the dilated kernel fits in; sometimes any size (often too small).
    fits = draw(st.sampled_from([True, True, True, False]))
    spatial = tuple(
        d * (k - 1) + 1 + draw(st.integers(0, 2)) if fits else draw(st.integers(1, size_max))
        for k, d in zip(kernel, dilations)
    )
    batch = draw(st.sampled_from([None, 0, 1, 2, 2]))  # None: unbatched
    channels = groups * in_per_group
    input_shape = (channels, *spatial) if batch is None else (batch, channels, *spatial)
    stride = _per_dim(draw, ndim, st.integers(1, 3))
    kwargs: dict = {"stride": stride, "dilation": dilation, "groups": groups}
    if transposed:
        weight_shape = (channels, out_per_group, *kernel)
        kwargs["padding"] = _per_dim(draw, ndim, st.integers(0, 2))
        # Mostly a valid output_padding (below stride or dilation), sometimes any.
        strides = (stride,) * ndim if isinstance(stride, int) else stride
        kwargs["output_padding"] = (
            tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(strides, dilations))
            if draw(st.sampled_from([True, True, True, False]))
            else _per_dim(draw, ndim, st.integers(0, 2))
        )
    else:
        weight_shape = (groups * out_per_group, in_per_group, *kernel)
        padding_kind = draw(st.sampled_from(["ints", "ints", "same", "valid"]))
        kwargs["padding"] = (
            _per_dim(draw, ndim, st.integers(0, 2)) if padding_kind == "ints" else padding_kind
        )
    bias_shape = (groups * out_per_group,) if draw(st.booleans()) else None
    case = Case(input_shape, weight_shape, bias_shape, kwargs)
    if draw(st.sampled_from([False, False, False, True])):  # a quarter: break it
        _mutate(case, draw(st.sampled_from(MUTATIONS)), ndim)
    return case


def _mutate(case: Case, mutation: str, ndim: int) -> None:
    kw = case.kwargs
    if mutation == "negative_padding":
        kw["padding"] = -1
    elif mutation == "zero_stride":
        kw["stride"] = 0
    elif mutation == "zero_dilation":
        kw["dilation"] = (1,) * (ndim - 1) + (0,)
    elif mutation == "zero_groups":
        kw["groups"] = 0
    elif mutation == "channel_mismatch":
        shape = list(case.input_shape)
        shape[-ndim - 1] += 1
        case.input_shape = tuple(shape)
    elif mutation == "bias_size":
        case.bias_shape = (case.weight_shape[0] + 2,)
    elif mutation == "float_stride":
        kw["stride"] = 1.0
    elif mutation == "wrong_len":
        kw["dilation"] = (1,) * (ndim + 1)
    elif mutation == "input_dims":
        case.input_shape = (1, *case.input_shape) if len(case.input_shape) == ndim + 2 else (5,)
    elif mutation == "weight_dims":
        case.weight_shape = case.weight_shape[:-1]
    elif mutation == "string_padding":
        kw["padding"] = "same"


def _run(fn, x, w, b, kwargs):
    try:
        return fn(x, w, b, **kwargs), None
    except Exception as error:  # the oracle's error type is what we compare against
        return None, error


def _check_against_torch(case: Case, ours, theirs, method: str, dtype, tol) -> None:
    x, w, b = case.tensors(dtype)
    for t in (x, w, b):
        if t is not None:
            t.requires_grad_(True)
    expected, torch_error = _run(theirs, x, w, b, case.kwargs)
    got, our_error = _run(lambda *a, **k: ours(*a, **k, method=method), x, w, b, case.kwargs)
    if torch_error is not None:
        assert our_error is not None, f"torch rejects ({torch_error}) but we accept {case}"
        assert isinstance(our_error, type(torch_error)), (
            f"torch raised {type(torch_error).__name__}: {torch_error}; "
            f"we raised {type(our_error).__name__}: {our_error}"
        )
        return
    if our_error is not None:
        # Torch's checks depend on its backend: with an empty batch it skips the kernel-level
        # checks (output_padding rule, empty spatial size), and its float32 (oneDNN) path lets
        # a transposed conv produce an empty output. We always apply the checks of torch's
        # reference path, so such a call must be rejected there: float64 with a real batch.
        x1 = torch.randn((1, *x.shape[-len(case.weight_shape) + 1 :]), dtype=torch.float64)
        w64, b64 = w.detach().double(), None if b is None else b.detach().double()
        _, reference_error = _run(theirs, x1, w64, b64, case.kwargs)
        assert isinstance(reference_error, RuntimeError), (our_error, case)
        return
    assert our_error is None, f"torch accepts but we raise {our_error!r} for {case}"
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, **tol)
    upstream = torch.randn(expected.shape, dtype=dtype, generator=torch.Generator().manual_seed(1))
    wrt = [t for t in (x, w, b) if t is not None]
    grads_expected = torch.autograd.grad(expected, wrt, upstream, allow_unused=True)
    grads_got = torch.autograd.grad(got, wrt, upstream, allow_unused=True)
    for g_got, g_expected in zip(grads_got, grads_expected):
        if g_expected is None:  # empty output: torch returns no gradient
            assert g_got is None or not g_got.any()
        else:
            torch.testing.assert_close(g_got, g_expected, **tol)


def _differential(ndim: int, transposed: bool, examples: int):
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(case=cases(ndim, transposed))
    def check(method, case):
        ours = OURS_CONV_T[ndim] if transposed else OURS_CONV[ndim]
        theirs = TORCH_CONV_T[ndim] if transposed else TORCH_CONV[ndim]
        _check_against_torch(case, ours, theirs, method, torch.float64, TOL64)

    return check


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_matches_torch_float64(method, ndim):
    _differential(ndim, transposed=False, examples=EXAMPLES[ndim])(method)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_transpose_matches_torch_float64(method, ndim):
    _differential(ndim, transposed=True, examples=EXAMPLES[ndim])(method)


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=10, deadline=None, derandomize=True)
@given(case=cases(2, transposed=False), transposed_case=cases(2, transposed=True))
def test_float32_matches_torch(method, case, transposed_case):
    _check_against_torch(case, CF.conv2d, F.conv2d, method, torch.float32, TOL32)
    _check_against_torch(
        transposed_case, CF.conv_transpose2d, F.conv_transpose2d, method, torch.float32, TOL32
    )


# ----------------------------------------------------------------- specific behaviours


@pytest.mark.parametrize("method", METHODS)
def test_output_padding_below_dilation_with_stride_one(method):
    """PyTorch allows output_padding < dilation even when stride is 1."""
    x = torch.randn(2, 3, 5, 4, dtype=torch.float64)
    w = torch.randn(3, 2, 3, 2, dtype=torch.float64)
    kwargs = {"stride": 1, "padding": (1, 0), "output_padding": (2, 1), "dilation": (3, 2)}
    expected = F.conv_transpose2d(x, w, **kwargs)
    torch.testing.assert_close(CF.conv_transpose2d(x, w, **kwargs, method=method), expected)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("layout", ["channels_last", "transposed_view", "sliced"])
def test_non_contiguous_input(method, layout):
    base = torch.randn(2, 4, 9, 8, dtype=torch.float64)
    if layout == "channels_last":
        x = base.contiguous(memory_format=torch.channels_last)
    elif layout == "transposed_view":
        x = base.transpose(2, 3)
    else:
        x = base[:, ::2, 1::2, ::3]
    c = x.shape[1]
    w = torch.randn(4, c, 3, 2, dtype=torch.float64)
    wt = torch.randn(c, 3, 2, 3, dtype=torch.float64)
    expected = F.conv2d(x, w, stride=2, padding=1)
    got = CF.conv2d(x, w, stride=2, padding=1, method=method)
    torch.testing.assert_close(got, expected, **TOL64)
    assert got.is_contiguous(memory_format=torch.channels_last) == expected.is_contiguous(
        memory_format=torch.channels_last
    )
    expected_t = F.conv_transpose2d(x, wt, stride=2, padding=1, output_padding=1)
    got_t = CF.conv_transpose2d(x, wt, stride=2, padding=1, output_padding=1, method=method)
    torch.testing.assert_close(got_t, expected_t, **TOL64)


@pytest.mark.parametrize("method", METHODS)
def test_channels_last_3d(method):
    x = torch.randn(1, 2, 4, 5, 3, dtype=torch.float64).contiguous(
        memory_format=torch.channels_last_3d
    )
    w = torch.randn(3, 2, 2, 2, 2, dtype=torch.float64)
    expected = F.conv3d(x, w, padding="same")
    got = CF.conv3d(x, w, padding="same", method=method)
    torch.testing.assert_close(got, expected, **TOL64)


@pytest.mark.parametrize("method", METHODS)
def test_zero_input_channels(method):
    """torch accepts 0 input channels and returns an output without channels, (N, 0, o):
    a drop-in returns the same (not the empty sum's bias, which would change the shapes
    the rest of a network sees)."""
    x = torch.randn(2, 0, 5, dtype=torch.float64)
    w = torch.randn(3, 0, 2, dtype=torch.float64)
    b = torch.randn(3, dtype=torch.float64)
    expected = F.conv1d(x, w, b)
    assert expected.shape == (2, 0, 4)
    torch.testing.assert_close(CF.conv1d(x, w, b, method=method), expected)


@pytest.mark.parametrize("method", METHODS)
def test_integer_tensors_like_torch(method):
    x = torch.randint(-5, 5, (1, 2, 6))
    w = torch.randint(-5, 5, (3, 2, 3))
    assert torch.equal(CF.conv1d(x, w, method=method), F.conv1d(x, w))
    wt = torch.randint(-5, 5, (2, 3, 3))
    assert torch.equal(
        CF.conv_transpose1d(x, wt, stride=2, method=method), F.conv_transpose1d(x, wt, stride=2)
    )


def test_default_method_is_auto():
    assert CF.DEFAULT_METHOD == "auto"
    assert set(CF.METHODS) >= {"direct", "unrolled", "im2col"}


def test_unknown_method_names_the_choices():
    with pytest.raises(ValueError, match=r"method='fast'.*direct"):
        CF.conv1d(torch.randn(1, 1, 4), torch.randn(1, 1, 2), method="fast")


def test_never_calls_torch_conv_kernels(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a torch convolution kernel was called")

    for name in ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d", "unfold", "fold"]:  # fmt: skip
        monkeypatch.setattr(F, name, forbidden)
        monkeypatch.setattr(torch, name, forbidden, raising=False)
    monkeypatch.setattr(torch, "convolution", forbidden)
    x = torch.randn(1, 2, 5, 5, requires_grad=True)
    w = torch.randn(2, 2, 3, 3, requires_grad=True)
    for method in METHODS:
        CF.conv2d(x, w, padding=1, method=method).sum().backward()
        CF.conv_transpose2d(x, w, stride=2, method=method).sum().backward()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: CF.conv2d(torch.randn(1, 3, 5, 5), torch.randn(4, 2, 3, 3)), ConvArgumentError,
         ["channels", "3"]),
        (lambda: CF.conv2d(torch.randn(1, 4, 5, 5), torch.randn(3, 2, 3, 3), groups=2),
         ConvArgumentError, ["groups=2", "multiple"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), torch.randn(3)),
         ConvArgumentError, ["bias", "2 elements"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), stride=1.5), TypeError,
         ["stride"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), padding="full"),
         ConvArgumentError, ["padding", "'same', 'valid'"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), stride=2, padding="same"),
         ConvArgumentError, ["same", "stride"]),
        (lambda: CF.conv_transpose1d(torch.randn(1, 1, 5), torch.randn(1, 2, 3), padding="same"),
         TypeError, ["padding", "str"]),
        (lambda: CF.conv_transpose1d(torch.randn(1, 1, 5), torch.randn(1, 2, 3), output_padding=1),
         ConvArgumentError, ["output_padding", "stride or dilation"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 2), torch.randn(2, 1, 3)), ConvArgumentError,
         ["kernel", "padded input"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 0), torch.randn(2, 1, 1), padding=1),
         ConvArgumentError, ["input_size", "at least 1"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5, 5), torch.randn(2, 1, 3)), ConvArgumentError,
         ["2D", "3D", "input"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3).double()),
         ConvArgumentError, ["dtype", "float64"]),
        (lambda: CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), groups=0),
         ConvArgumentError, ["groups=0"]),
    ],
)  # fmt: skip
def test_errors_name_parameter_and_rule(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_errors_are_catchable_as_torch_errors():
    """ConvArgumentError is a RuntimeError (functional) and a ValueError (modules)."""
    with pytest.raises(RuntimeError):
        CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), stride=0)
    with pytest.raises(ValueError):
        CF.conv1d(torch.randn(1, 1, 5), torch.randn(2, 1, 3), stride=0)
