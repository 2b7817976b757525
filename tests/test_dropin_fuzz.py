"""Fuzzing the drop-in promise against PyTorch: every dtype, memory layout, empty size and
extreme argument, in every method.

Each random call goes to ``torch.nn.functional`` and to ours. Both must accept or both
reject (our error an instance of the type torch raised); accepted calls must agree in
shape, dtype, values and layout (contiguous in the memory format torch returns).
Reduced precision is judged against a float64 reference: our error at most 1.5 times
torch's. Extreme arguments (strides, paddings, dilations far beyond the input) run under a
generous time budget: ten times torch's time plus a second.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convnotes.functional as CF
from convnotes.shapes import same_padding

METHODS = sorted(CF.METHODS)
FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
COMPLEX = [torch.complex32, torch.complex64, torch.complex128]
INTEGERS = [torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64, torch.bool]
DTYPES = FLOATS + COMPLEX + INTEGERS
pytestmark = pytest.mark.filterwarnings("ignore")
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass
class Call:
    ndim: int
    transposed: bool
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    bias: bool
    kwargs: dict
    dtype: torch.dtype
    layout: str  # "contiguous", "channels_last" (2d), "strided" (a non-contiguous view)

    def name(self) -> str:
        return f"conv{'_transpose' if self.transposed else ''}{self.ndim}d"

    def tensors(self, seed: int = 0):
        gen = torch.Generator().manual_seed(seed)

        def make(shape):
            if self.dtype.is_floating_point or self.dtype.is_complex:
                wide = torch.complex128 if self.dtype.is_complex else torch.float64
                t = torch.randn(shape, dtype=wide, generator=gen)
            else:  # small values: no integer overflow in any accumulation order
                low = 0 if self.dtype in (torch.uint8, torch.bool) else -2
                t = torch.randint(low, 3, shape, generator=gen, dtype=torch.int64)
            return t.to(self.dtype)

        x = make(self.input_shape)
        if self.layout == "channels_last" and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        elif self.layout == "strided":
            x = make((*self.input_shape[:-1], 2 * self.input_shape[-1]))[..., ::2]
        w = make(self.weight_shape)
        channels = self.weight_shape[1] * self.kwargs.get("groups", 1)
        b = make((channels if self.transposed else self.weight_shape[0],)) if self.bias else None
        return x, w, b

    def run(self, module, x, w, b, **extra):
        return getattr(module, self.name())(x, w, b, **self.kwargs, **extra)


@st.composite
def calls(draw, dtypes=DTYPES) -> Call:
    ndim = draw(st.sampled_from([1, 1, 2, 2, 3]))
    transposed = draw(st.booleans())
    groups = draw(st.sampled_from([1, 1, 2]))
    batch = draw(st.sampled_from([0, 1, 2]))
    c_in = (
        groups * draw(st.sampled_from([0, 1, 2]))
        if not transposed
        else groups * draw(st.sampled_from([1, 2]))
    )
    c_out = groups * draw(st.sampled_from([1, 2]))
    spatial = tuple(draw(st.integers(0, 6)) for _ in range(ndim))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    kwargs: dict = {"stride": stride, "dilation": dilation, "groups": groups}
    if transposed:
        kwargs["padding"] = draw(st.integers(0, 2))
        kwargs["output_padding"] = draw(st.integers(0, 2))
        weight_shape = (c_in, c_out // groups, *kernel)
    else:
        padding = draw(st.sampled_from([0, 1, 2, "same", "valid"]))
        if padding == "same":
            kwargs["stride"] = 1
        kwargs["padding"] = padding
        weight_shape = (c_out, c_in // groups, *kernel)
    unbatched = draw(st.booleans()) and batch == 1
    input_shape = (c_in, *spatial) if unbatched else (batch, c_in, *spatial)
    layout = draw(st.sampled_from(["contiguous", "channels_last", "strided"]))
    if layout == "channels_last" and len(input_shape) != 4:
        layout = "contiguous"
    return Call(
        ndim, transposed, input_shape, weight_shape, draw(st.booleans()), kwargs,
        draw(st.sampled_from(dtypes)), layout,
    )  # fmt: skip


def _outcome(fn):
    try:
        return fn(), None
    except Exception as error:  # any exception is an outcome to compare
        return None, error


def _reference(call: Call, x, w, b):
    wide = torch.complex128 if call.dtype.is_complex else torch.float64
    return call.run(F, x.to(wide), w.to(wide), None if b is None else b.to(wide))


def _layout(t: torch.Tensor) -> tuple[bool, ...]:
    return (t.is_contiguous(), t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last))


def torch_quirk(call: Call, expected: torch.Tensor | None) -> bool:
    """A float32/complex64 transposed conv with an output size of 0 that torch accepts:
    its oneDNN path returns an empty output (batched, or unbatched with groups, seen for
    a depthwise 1d call) where its other paths (float64, float16, int64) reject it, as
    ``convnotes.shapes`` does."""
    return (
        expected is not None
        and call.transposed
        and 0 in expected.shape[-call.ndim :]
        and (expected.dim() == call.ndim + 1 or expected.shape[0] > 0)
    )


def check_against_torch(call: Call, method: str) -> None:
    x, w, b = call.tensors()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, torch_error = _outcome(lambda: call.run(F, x, w, b))
        got, our_error = _outcome(lambda: call.run(CF, x, w, b, method=method))
    if torch_quirk(call, expected):
        return
    if torch_error is not None:
        assert our_error is not None, f"{call} {method}: torch raised {torch_error!r}, we did not"
        assert isinstance(our_error, type(torch_error)), (
            f"{call} {method}: torch raised {torch_error!r}, we raised {our_error!r}"
        )
        return
    assert our_error is None, f"{call} {method}: torch accepted, we raised {our_error!r}"
    assert got.shape == expected.shape and got.dtype == expected.dtype, (call, method)
    if got.numel() == 0:  # the strides of an empty tensor mean nothing
        return
    assert _layout(got) == _layout(expected), (call, method, got.stride(), expected.stride())
    if expected.is_contiguous():
        got.view(-1)  # a view of a cropped buffer would not flatten
    if call.dtype in (torch.float16, torch.bfloat16, torch.complex32):
        exact = _reference(call, x, w, b)
        ours = (got.to(exact.dtype) - exact).abs().max().item()
        theirs = (expected.to(exact.dtype) - exact).abs().max().item()
        scale = exact.abs().max().item()
        assert ours <= 1.5 * theirs + 1e-6 * scale, (call, method, ours, theirs)
    elif call.dtype.is_floating_point or call.dtype.is_complex:
        tol = 1e-10 if call.dtype in (torch.float64, torch.complex128) else 1e-4
        torch.testing.assert_close(got, expected, rtol=tol, atol=tol)
    else:
        assert torch.equal(got, expected), (call, method)


@FUZZ
@given(call=calls(), method=st.sampled_from(METHODS))
def test_every_dtype_layout_and_empty_size_as_torch(call: Call, method: str):
    check_against_torch(call, method)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=calls(dtypes=[torch.float16, torch.bfloat16]))
def test_auto_takes_reduced_precision_even_where_it_picks_fft(call: Call):
    """A kernel of span >= 11 at stride 1 sends ``auto`` to FFT: it must still compute."""
    if call.transposed or call.kwargs.get("padding") == "valid":
        return
    ndim = call.ndim
    k = 11
    shape = (*call.weight_shape[:2], *(k,) * ndim)
    spatial = (*call.input_shape[:-ndim], *(12,) * ndim)
    big = Call(ndim, False, spatial, shape, call.bias, {**call.kwargs, "stride": 1},
               call.dtype, "contiguous")  # fmt: skip
    check_against_torch(big, "auto")


def test_reduced_precision_accumulates_in_float32():
    """The DCGAN-sized bfloat16 case of the issue: error within 1.5x of torch's in every
    method, against a float64 reference."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 32, 16, 16, generator=gen, dtype=torch.float64)
    w = torch.randn(32, 16, 4, 4, generator=gen, dtype=torch.float64) * 0.05
    exact = F.conv_transpose2d(x.bfloat16().double(), w.bfloat16().double(), stride=2, padding=1)
    theirs = F.conv_transpose2d(x.bfloat16(), w.bfloat16(), stride=2, padding=1).double() - exact
    for method in METHODS:
        ours = CF.conv_transpose2d(x.bfloat16(), w.bfloat16(), stride=2, padding=1, method=method)
        assert ours.dtype == torch.bfloat16
        error = (ours.double() - exact).abs().max()
        assert error <= 1.5 * theirs.abs().max(), method


# Extreme integer arguments: (function, input shape, weight shape, keyword arguments).
EXTREMES = [
    ("conv_transpose2d", (1, 4, 4, 4), (4, 4, 3, 3), {"stride": 300}),
    ("conv_transpose2d", (1, 2, 2, 2), (2, 2, 3, 3), {"stride": (3000, 1)}),
    ("conv_transpose3d", (1, 2, 2, 2, 2), (2, 2, 1, 1, 1), {"stride": 40}),
    ("conv1d", (1, 2, 50), (2, 2, 13), {"padding": 10**5}),
    ("conv1d", (1, 2, 50), (2, 2, 13), {"stride": 10**6}),
    ("conv1d", (1, 2, 5), (2, 2, 3), {"stride": 10**15}),
    ("conv1d", (0, 2, 5), (2, 2, 3), {"padding": 10**15}),
    ("conv2d", (1, 2, 6, 6), (2, 2, 3, 3), {"padding": (5000, 1)}),
    ("conv_transpose1d", (1, 2, 2), (2, 2, 3), {"dilation": 10**6, "output_padding": 10**5}),
    ("conv_transpose1d", (1, 2, 5), (2, 2, 3), {"padding": 10**15}),
    ("conv1d", (1, 2, 5), (2, 2, 3), {"dilation": 10**15}),
]


@pytest.mark.parametrize("name, x_shape, w_shape, kwargs", EXTREMES)
def test_extreme_arguments_finish_in_time_and_agree(name, x_shape, w_shape, kwargs):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(x_shape, generator=gen)
    w = torch.randn(w_shape, generator=gen)
    b = torch.randn(w_shape[1] if "transpose" in name else w_shape[0], generator=gen)
    start = time.perf_counter()
    expected, torch_error = _outcome(lambda: getattr(F, name)(x, w, b, **kwargs))
    budget = 10 * (time.perf_counter() - start) + 1
    for method in METHODS:
        start = time.perf_counter()
        got, our_error = _outcome(lambda m=method: getattr(CF, name)(x, w, b, **kwargs, method=m))
        elapsed = time.perf_counter() - start
        assert elapsed <= budget, f"{method}: {elapsed:.2f} s against a budget of {budget:.2f} s"
        assert (our_error is None) == (torch_error is None), (method, our_error, torch_error)
        if got is not None:
            torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["stride", "padding", "dilation", "output_padding"])
def test_integers_beyond_int64_are_a_value_error_naming_the_parameter(name):
    x, w = torch.randn(1, 2, 5), torch.randn(2, 2, 3)
    with pytest.raises(ValueError):  # torch: "Overflow when unpacking long"
        F.conv_transpose1d(x, w, **{name: 10**20})
    with pytest.raises(ValueError, match=name):
        CF.conv_transpose1d(x, w, **{name: 10**20})


def test_same_padding_rejects_what_pytorch_rejects():
    with pytest.raises(ValueError, match="kernel_size"):
        same_padding(0)
    with pytest.raises(ValueError, match="dilation"):
        same_padding(3, 0)
    assert same_padding((3, 4), 2) == ((2, 2), (3, 3))
