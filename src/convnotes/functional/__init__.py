"""Convolution and transposed convolution written from scratch, with PyTorch's signatures.

`conv1d/2d/3d` and `conv_transpose1d/2d/3d` take the same arguments as
`torch.nn.functional` plus a keyword `method` choosing the implementation:

* `"direct"`: loops over the kernel taps, the readable version (`direct`);
* `"unrolled"`: a product with the explicit kernel matrix `C` (`unrolled`);
* `"im2col"`: im2col + one GEMM per group, col2im for the transposed conv
  (`im2col`);
* fast algorithms: `"channels_last"` (`channels_last`), `"depthwise"`,
  `"winograd"` (F(2x2, 3x3)), `"fft"`, `"phase"` (sub-pixel transposed conv, and an
  ordinary stride-1 conv as a one-phase transposed conv, `phase`), and `"auto"`
  (the default) which picks one per problem (`auto`). Each falls back to
  `"channels_last"` where it does not apply.

No PyTorch convolution kernel is called: only views, slicing, padding and matrix products.
Arguments are checked as PyTorch checks them (`_args`); sizes come from
[`convnotes.shapes`][convnotes.shapes]. `METHODS` maps each method name to its pair of kernels
`(conv, conv_transpose)`; each kernel takes a batched input, the weight, the bias and a
resolved spec, so adding a method is adding an entry.

Every call goes through `_ops.conv` or `_ops.conv_transpose`, the PyTorch
operators `convnotes::conv` and `convnotes::conv_transpose`: every dtype PyTorch's CPU
convolutions take (float16/bfloat16 computed in float32), their backward (`_grad`,
our own kernels), and PyTorch's program transforms (`torch.jit`, `torch.fx`,
`torch.export`, `torch.compile`, `torch.func`) see one node per call.
"""

from __future__ import annotations

from collections.abc import Callable

from .._extras import missing_extra

try:
    import torch
except ModuleNotFoundError as error:
    raise missing_extra(__name__, "torch") from error

from ..shapes import expand
from . import (
    _ops,
    auto,
    channels_last,
    depthwise,
    direct,
    fft,
    im2col,
    phase,
    unrolled,
    winograd,
)
from ._args import ConvSpec, ConvTransposeSpec, IntOrInts, check_tensors, parse_groups, parse_ints

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]

Tensor = torch.Tensor
ConvKernel = Callable[[Tensor, Tensor, "Tensor | None", ConvSpec], Tensor]
ConvTransposeKernel = Callable[[Tensor, Tensor, "Tensor | None", ConvTransposeSpec], Tensor]

METHODS: dict[str, tuple[ConvKernel, ConvTransposeKernel]] = {
    "direct": (direct.conv, direct.conv_transpose),
    "unrolled": (unrolled.conv, unrolled.conv_transpose),
    "im2col": (im2col.conv, im2col.conv_transpose),
    # Fast algorithms (scripts/bench.py measures them against torch; docs/speed.*.md):
    "channels_last": (channels_last.conv, channels_last.conv_transpose),
    "depthwise": (depthwise.conv, depthwise.conv_transpose),
    "winograd": (winograd.conv, winograd.conv_transpose),
    "fft": (fft.conv, fft.conv_transpose),
    "phase": (phase.conv, phase.conv_transpose),
    "auto": (auto.conv, auto.conv_transpose),
}
DEFAULT_METHOD = "auto"
_ops.KERNELS.update(METHODS)


def _check_method(method: object) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r}: unknown method, choose one of {sorted(METHODS)}")
    return method


def _ints(fn: str, name: str, value: object, ndim: int) -> list[int]:
    """An int or a sequence of ints as `ndim` Python ints (`TypeError` as PyTorch's
    argument parser, `ConvArgumentError` for a wrong length)."""
    return list(expand(name, parse_ints(fn, name, value), ndim))


def _conv(ndim, input, weight, bias, stride, padding, dilation, groups, method) -> Tensor:
    fn = f"conv{ndim}d"
    check_tensors(fn, input, weight, bias)
    padding_string = padding if isinstance(padding, str) else ""
    pads = [] if padding_string else _ints(fn, "padding", padding, ndim)
    return _ops.conv(
        input, weight, bias, _ints(fn, "stride", stride, ndim), pads,
        _ints(fn, "dilation", dilation, ndim), parse_groups(fn, groups), padding_string,
        _check_method(method),
    )  # fmt: skip


def _conv_transpose(
    ndim, input, weight, bias, stride, padding, output_padding, groups, dilation, method
) -> Tensor:
    fn = f"conv_transpose{ndim}d"
    check_tensors(fn, input, weight, bias)
    if isinstance(padding, str):
        raise TypeError(
            f"{fn}(): argument 'padding' must be an int or a tuple of ints, not str "
            f"({padding!r}): 'same' and 'valid' exist only for the forward convolution"
        )
    return _ops.conv_transpose(
        input, weight, bias, _ints(fn, "stride", stride, ndim),
        _ints(fn, "padding", padding, ndim), _ints(fn, "output_padding", output_padding, ndim),
        parse_groups(fn, groups), _ints(fn, "dilation", dilation, ndim), None,
        _check_method(method),
    )  # fmt: skip


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrInts = 1,
    padding: IntOrInts | str = 0,
    dilation: IntOrInts = 1,
    groups: int = 1,
    *,
    method: str = DEFAULT_METHOD,
) -> Tensor:
    """1d convolution (cross-correlation), like `torch.nn.functional.conv1d`.

    `y[n, o_c, o] = b[o_c] + sum_c sum_j w[o_c, c, j] * x_pad[n, g*C_in/g + c, o*s + j*d]`
    with `o = floor((i + 2p - d*(k - 1) - 1) / s) + 1` outputs per dimension.

    Args:
        input: `(N, C_in, L)`, or `(C_in, L)` unbatched.
        weight: `(C_out, C_in/groups, k)`.
        bias: `(C_out,)`, or None.
        stride: `s`, an int or a 1-tuple.
        padding: `p`: an int, a 1-tuple, `"same"` or `"valid"`.
        dilation: `d`, an int or a 1-tuple.
        groups: Split the channels into this many groups.
        method: The implementation (a key of `METHODS`); `"auto"` picks one per problem.

    Returns:
        `(N, C_out, o)` (or `(C_out, o)` for an unbatched input).

    Raises:
        TypeError: an argument of the wrong type, as torch raises it.
        RuntimeError: shapes or values torch rejects (a
            [`ConvArgumentError`][convnotes.errors.ConvArgumentError], also a ValueError).
        NotImplementedError: a dtype PyTorch's CPU kernels lack: bool, or int8, uint8,
            int16 or int32 with a dilation above 1 (a `ConvDtypeError`).
        ValueError: an unknown `method`.

    Examples:
        >>> import torch
        >>> x, w = torch.randn(1, 2, 8), torch.randn(3, 2, 3)
        >>> conv1d(x, w, stride=2, padding=1, method="direct").shape
        torch.Size([1, 3, 4])
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups, method)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrInts = 1,
    padding: IntOrInts | str = 0,
    dilation: IntOrInts = 1,
    groups: int = 1,
    *,
    method: str = DEFAULT_METHOD,
) -> Tensor:
    """2d convolution (cross-correlation), like `torch.nn.functional.conv2d`.

    Input `(N, C_in, H, W)` or `(C_in, H, W)`, weight `(C_out, C_in/groups, kH, kW)`;
    see [`conv1d`][convnotes.functional.conv1d] for the formula, applied per spatial dimension,
    the arguments and the errors.

    Examples:
        >>> import torch
        >>> x, w = torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3)
        >>> conv2d(x, w, stride=2, padding=1).shape
        torch.Size([1, 4, 4, 4])
        >>> y = conv2d(x, w, padding="same", method="im2col")
        >>> torch.allclose(y, torch.nn.functional.conv2d(x, w, padding="same"), atol=1e-5)
        True
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups, method)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrInts = 1,
    padding: IntOrInts | str = 0,
    dilation: IntOrInts = 1,
    groups: int = 1,
    *,
    method: str = DEFAULT_METHOD,
) -> Tensor:
    """3d convolution (cross-correlation), like `torch.nn.functional.conv3d`.

    Input `(N, C_in, D, H, W)` or unbatched; see [`conv1d`][convnotes.functional.conv1d] for
    the formula, the arguments and the errors.

    Examples:
        >>> import torch
        >>> x, w = torch.randn(1, 2, 4, 4, 4), torch.randn(3, 2, 3, 3, 3)
        >>> conv3d(x, w, padding=1).shape
        torch.Size([1, 3, 4, 4, 4])
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups, method)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrInts = 1,
    padding: IntOrInts = 0,
    output_padding: IntOrInts = 0,
    groups: int = 1,
    dilation: IntOrInts = 1,
    *,
    method: str = DEFAULT_METHOD,
) -> Tensor:
    """1d transposed convolution, like `torch.nn.functional.conv_transpose1d`.

    Each input pixel `x[n, c, i]` adds `x * w[c, o_c, j]` at output `i*s + j*d - p`;
    `o = (i - 1)*s - 2p + d*(k - 1) + output_padding + 1` outputs. It is the adjoint
    (`Cᵀ`) of the conv with these arguments.

    Args:
        input: `(N, C_in, L)`, or `(C_in, L)` unbatched.
        weight: `(C_in, C_out/groups, k)`.
        bias: `(C_out,)`, or None.
        stride: `s`, an int or a 1-tuple.
        padding: `p`, an int or a 1-tuple.
        output_padding: `a`, an int or a 1-tuple; below `s` or `d`.
        groups: Split the channels into this many groups.
        dilation: `d`, an int or a 1-tuple.
        method: The implementation (a key of `METHODS`); `"auto"` picks one per problem.

    Returns:
        `(N, C_out, o)` (or `(C_out, o)` for an unbatched input).

    Raises:
        TypeError: an argument of the wrong type, as torch raises it.
        RuntimeError: shapes or values torch rejects (a
            [`ConvArgumentError`][convnotes.errors.ConvArgumentError], also a ValueError).
        NotImplementedError: a dtype PyTorch's CPU kernels lack: bool, int8, uint8, int16
            or int32 (a `ConvDtypeError`).
        ValueError: an unknown `method`.

    Examples:
        >>> import torch
        >>> y, w = torch.randn(1, 3, 4), torch.randn(3, 2, 3)
        >>> conv_transpose1d(y, w, stride=2, padding=1, output_padding=1).shape
        torch.Size([1, 2, 8])
    """
    return _conv_transpose(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation, method
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrInts = 1,
    padding: IntOrInts = 0,
    output_padding: IntOrInts = 0,
    groups: int = 1,
    dilation: IntOrInts = 1,
    *,
    method: str = DEFAULT_METHOD,
) -> Tensor:
    """2d transposed convolution, like `torch.nn.functional.conv_transpose2d`.

    Weight `(C_in, C_out/groups, kH, kW)`; see
    [`conv_transpose1d`][convnotes.functional.conv_transpose1d] for the formula, the
    arguments and the errors.

    Examples:
        >>> import torch
        >>> y, w = torch.randn(1, 4, 4, 4), torch.randn(4, 3, 3, 3)
        >>> conv_transpose2d(y, w, stride=2, padding=1, output_padding=1).shape
        torch.Size([1, 3, 8, 8])
    """
    return _conv_transpose(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation, method
    )


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrInts = 1,
    padding: IntOrInts = 0,
    output_padding: IntOrInts = 0,
    groups: int = 1,
    dilation: IntOrInts = 1,
    *,
    method: str = DEFAULT_METHOD,
) -> Tensor:
    """3d transposed convolution, like `torch.nn.functional.conv_transpose3d`.

    Weight `(C_in, C_out/groups, kD, kH, kW)`; see
    [`conv_transpose1d`][convnotes.functional.conv_transpose1d] for the formula, the
    arguments and the errors.

    Examples:
        >>> import torch
        >>> y, w = torch.randn(1, 2, 3, 3, 3), torch.randn(2, 1, 2, 2, 2)
        >>> conv_transpose3d(y, w, stride=2).shape
        torch.Size([1, 1, 6, 6, 6])
    """
    return _conv_transpose(
        3, input, weight, bias, stride, padding, output_padding, groups, dilation, method
    )
