"""Shape arithmetic of convolution and transposed convolution: the one source of truth.

Pure functions, no torch import. Every size argument is an `int` or a sequence of ints
(one per spatial dimension). If all arguments are ints the result is an int; if any is a
sequence the result is a tuple and the int arguments are broadcast over its dimensions.
Works for any number of spatial dimensions (1d, 2d, 3d, ...).

The accept/reject rules are PyTorch's (checked against it in `tests/test_shapes.py`);
a rejected argument raises [`ConvArgumentError`][convnotes.errors.ConvArgumentError], a `ValueError`
whose message names the parameter, the value and the rule.

Symbols used in the docstrings: `i` input size, `k` kernel size, `s` stride,
`p` padding, `d` dilation, `a` output_padding, `o` output size.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, TypeGuard, overload

from .errors import ConvArgumentError

Size = int | Sequence[int]
Padding = int | Sequence[int] | str

__all__ = [
    "ConvArgumentError",
    "conv_output_size",
    "conv_padding",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "expand",
    "output_padding_for",
    "output_size_range",
    "pool_output_size",
    "same_padding",
    "upsample_output_size",
]

PADDING_STRINGS = ("same", "valid")


def _is_sequence(value: object) -> TypeGuard[Sequence[Any]]:
    if type(value) in (tuple, list):  # the common case, without the slow ABC check
        return True
    return isinstance(value, Sequence) and not isinstance(value, str)


def _check_int(name: str, value: object) -> int:
    if type(value) is int:  # the common case, without the slow ABC check
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConvArgumentError(f"{name} must be an integer, got {value!r}")
    return int(value)


# Sizes fix the number of dimensions; the other parameters broadcast from one value.
_SIZE_PARAMETERS = ("input_size", "output_size", "kernel_size")


def _ndim_of(**params: object) -> int | None:
    """The number of spatial dimensions the sequence arguments agree on (None if all ints).

    `input_size`, `output_size` and `kernel_size` fix it; a one-element stride,
    padding, dilation or output_padding broadcasts like an int, as in PyTorch
    (`stride=(2,)`).
    """
    lengths = {name: len(value) for name, value in params.items() if _is_sequence(value)}
    for name, n in lengths.items():
        if n == 0:
            raise ConvArgumentError(f"{name} must have at least one value, got {params[name]!r}")
    if not lengths:
        return None
    sized = [(name, n) for name, n in lengths.items() if name in _SIZE_PARAMETERS]
    first, ndim = sized[0] if sized else max(lengths.items(), key=lambda item: item[1])
    for name, n in lengths.items():
        broadcasts = n == 1 and name not in _SIZE_PARAMETERS
        if n != ndim and not broadcasts:
            raise ConvArgumentError(
                f"{name} has {n} values but {first} has {ndim}: "
                "give one value per spatial dimension, or a single int for all of them"
            )
    return ndim


def expand(name: str, value: Size, ndim: int) -> tuple[int, ...]:
    """`value` as a tuple of `ndim` ints: an int is repeated, a sequence is checked.

    Args:
        name: The parameter's name, for the error message.
        value: An int, or a sequence of `ndim` ints (a single value broadcasts).
        ndim: The number of spatial dimensions.

    Returns:
        `ndim` ints.

    Raises:
        ConvArgumentError: `value` has another length or holds a non-integer.

    Examples:
        >>> expand("stride", 2, 3)
        (2, 2, 2)
    """
    if _is_sequence(value):
        values = tuple(value)
        if len(values) == 1 and ndim != 1:
            values = values * ndim
        if len(values) != ndim:
            raise ConvArgumentError(
                f"expected {name} to be a single integer value or a list of {ndim} values "
                f"to match the convolution dimensions, but got {name}={list(values)}"
            )
        return tuple(_check_int(name, v) for v in values)
    return (_check_int(name, value),) * ndim


def _result(values: tuple[int, ...], ndim: int | None) -> int | tuple[int, ...]:
    return values if ndim is not None else values[0]


def _show(values: tuple[int, ...]) -> int | tuple[int, ...]:
    return values[0] if len(values) == 1 else values


def _check_at_least(name: str, values: tuple[int, ...], low: int, rule: str) -> None:
    for v in values:
        if v < low:
            raise ConvArgumentError(f"{name}={_show(values)}: {rule}")


def _check_common(
    inputs: tuple[int, ...],
    kernels: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    input_name: str = "input_size",
    empty_batch: bool = False,
) -> None:
    if empty_batch:
        _check_at_least(input_name, inputs, 0, "a spatial size cannot be negative")
    else:
        _check_at_least(
            input_name,
            inputs,
            1,
            "every spatial size must be at least 1 (PyTorch rejects empty "
            "spatial dimensions; only the batch or channel dimension may be 0)",
        )
    _check_at_least("kernel_size", kernels, 1, "kernel size should be greater than zero")
    _check_at_least("stride", strides, 1, "non-positive stride is not supported")
    _check_at_least("dilation", dilations, 1, "dilation should be greater than zero")


def effective_kernel_size(kernel_size: Size, dilation: Size = 1) -> int | tuple[int, ...]:
    """The span of a dilated kernel: `d*(k - 1) + 1`.

    Args:
        kernel_size: `k`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.

    Returns:
        The span: an int if every argument is an int, else a tuple.

    Raises:
        ConvArgumentError: `k < 1` or `d < 1`.

    Examples:
        >>> effective_kernel_size(3, dilation=2)
        5
    """
    ndim = _ndim_of(kernel_size=kernel_size, dilation=dilation)
    n = ndim or 1
    ks, ds = expand("kernel_size", kernel_size, n), expand("dilation", dilation, n)
    _check_at_least("kernel_size", ks, 1, "kernel size should be greater than zero")
    _check_at_least("dilation", ds, 1, "dilation should be greater than zero")
    return _result(tuple(d * (k - 1) + 1 for k, d in zip(ks, ds)), ndim)


def same_padding(kernel_size: Size, dilation: Size = 1) -> tuple[tuple[int, int], ...]:
    """Padding `(before, after)` per dimension that PyTorch uses for `padding="same"`.

    The total is `d*(k - 1)`; when it is odd the extra pixel goes after (right/bottom):
    `before = total // 2`, `after = total - before`.

    Args:
        kernel_size: `k`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.

    Returns:
        One `(before, after)` pair per dimension.

    Examples:
        >>> same_padding(4)
        ((1, 2),)
    """
    ndim = _ndim_of(kernel_size=kernel_size, dilation=dilation) or 1
    ks, ds = expand("kernel_size", kernel_size, ndim), expand("dilation", dilation, ndim)
    _check_at_least("kernel_size", ks, 1, "kernel size should be greater than zero")
    _check_at_least("dilation", ds, 1, "dilation should be greater than zero")
    pads = []
    for k, d in zip(ks, ds):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def conv_padding(
    padding: Padding, kernel_size: Size, stride: Size = 1, dilation: Size = 1
) -> tuple[tuple[int, int], ...]:
    """Resolve `padding` to `(before, after)` pairs per dimension, with PyTorch's rules.

    Args:
        padding: `p`: an int, one int per dimension, `"same"` or `"valid"`.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`; `"same"` needs every stride to be 1.
        dilation: `d`, an int or one int per dimension.

    Returns:
        One `(before, after)` pair per dimension.

    Raises:
        ConvArgumentError: an unknown padding string, `"same"` with a stride above 1, or a
            negative padding.

    Examples:
        >>> conv_padding("valid", 3)
        ((0, 0),)
        >>> conv_padding(1, (3, 3))
        ((1, 1), (1, 1))
    """
    ndim = _ndim_of(kernel_size=kernel_size, stride=stride, dilation=dilation, padding=padding) or 1
    if isinstance(padding, str):
        if padding not in PADDING_STRINGS:
            raise ConvArgumentError(
                f"padding={padding!r}: invalid padding string, should be one of "
                "'same', 'valid' or an integer / tuple of integers"
            )
        if padding == "valid":
            return ((0, 0),) * ndim
        strides = expand("stride", stride, ndim)
        if any(s != 1 for s in strides):
            raise ConvArgumentError(
                f"padding='same' with stride={_show(strides)}: padding='same' is not supported for "
                "strided convolutions (every stride must be 1)"
            )
        return same_padding(
            expand("kernel_size", kernel_size, ndim), expand("dilation", dilation, ndim)
        )
    pads = expand("padding", padding, ndim)
    _check_at_least("padding", pads, 0, "negative padding is not supported")
    return tuple((p, p) for p in pads)


# Typing only: all ints give an int; a sequence input size gives a tuple.
@overload
def conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = ...,
    padding: int | str = ...,
    dilation: int = ...,
    *,
    empty_batch: bool = ...,
) -> int: ...
@overload
def conv_output_size(
    input_size: Sequence[int],
    kernel_size: Size,
    stride: Size = ...,
    padding: Padding = ...,
    dilation: Size = ...,
    *,
    empty_batch: bool = ...,
) -> tuple[int, ...]: ...
@overload
def conv_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = ...,
    padding: Padding = ...,
    dilation: Size = ...,
    *,
    empty_batch: bool = ...,
) -> int | tuple[int, ...]: ...


def conv_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Padding = 0,
    dilation: Size = 1,
    *,
    empty_batch: bool = False,
) -> int | tuple[int, ...]:
    """Output size of `nn.Conv*d` / `F.conv*d`: `o = floor((i + 2p - d*(k - 1) - 1) / s) + 1`.

    The floor is why several input sizes give the same output size when `s > 1`.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`: an int, one int per dimension, `"valid"` (no padding) or `"same"`
            (`o = i`, stride 1 only).
        dilation: `d`, an int or one int per dimension.
        empty_batch: The batch or the channels are empty (no output value is computed):
            PyTorch then also accepts `i = 0`.

    Returns:
        `o`: an int if every argument is an int, else a tuple with one size per dimension.

    Raises:
        ConvArgumentError: what PyTorch rejects: an empty input (`i < 1`; `i < 0` with
            `empty_batch`), `k < 1`, `s < 1`, `d < 1`, `p < 0`, `"same"` with `s > 1`, or
            a dilated kernel `d*(k - 1) + 1` larger than the padded input `i + 2p`.

    Examples:
        >>> conv_output_size(32, 3, stride=2, padding=1)
        16
        >>> conv_output_size((65, 64), 3, stride=2, padding=1)
        (33, 32)
    """
    ndim = _ndim_of(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    n = ndim or 1
    inputs = expand("input_size", input_size, n)
    kernels = expand("kernel_size", kernel_size, n)
    strides = expand("stride", stride, n)
    dilations = expand("dilation", dilation, n)
    _check_common(inputs, kernels, strides, dilations, empty_batch=empty_batch)
    pads = conv_padding(padding, kernels, strides, dilations)
    out = []
    for axis, (i, k, s, (before, after), d) in enumerate(
        zip(inputs, kernels, strides, pads, dilations)
    ):
        padded = i + before + after
        span = d * (k - 1) + 1
        if span > padded:
            where = f" (dimension {axis})" if n > 1 else ""
            raise ConvArgumentError(
                f"kernel_size={k} with dilation={d} spans {span} but the padded input is only "
                f"{padded} (input_size={i} + padding {before}+{after}){where}: "
                "kernel size can't be greater than the padded input size"
            )
        out.append((padded - span) // s + 1)
    return _result(tuple(out), ndim)


def _check_transpose_params(
    inputs: tuple[int, ...],
    kernels: tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    dilations: tuple[int, ...],
    empty_batch: bool = False,
) -> None:
    _check_common(inputs, kernels, strides, dilations, empty_batch=empty_batch)
    _check_at_least("padding", pads, 0, "negative padding is not supported")


def _min_transpose_sizes(inputs, kernels, strides, pads, dilations) -> tuple[int, ...]:
    return tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + 1
        for i, k, s, p, d in zip(inputs, kernels, strides, pads, dilations)
    )


@overload
def conv_transpose_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = ...,
    padding: int = ...,
    output_padding: int = ...,
    dilation: int = ...,
    *,
    empty_batch: bool = ...,
) -> int: ...
@overload
def conv_transpose_output_size(
    input_size: Sequence[int],
    kernel_size: Size,
    stride: Size = ...,
    padding: Size = ...,
    output_padding: Size = ...,
    dilation: Size = ...,
    *,
    empty_batch: bool = ...,
) -> tuple[int, ...]: ...
@overload
def conv_transpose_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = ...,
    padding: Size = ...,
    output_padding: Size = ...,
    dilation: Size = ...,
    *,
    empty_batch: bool = ...,
) -> int | tuple[int, ...]: ...


def conv_transpose_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
    *,
    empty_batch: bool = False,
) -> int | tuple[int, ...]:
    """Output size of `nn.ConvTranspose*d` / `F.conv_transpose*d`.

    `o = (i - 1)*s - 2p + d*(k - 1) + a + 1`

    `a` (output_padding) adds rows/columns on one side only, to pick one of the `s`
    input sizes that a conv with the same parameters maps to `i`.
    PyTorch requires `0 <= a < s` **or** `0 <= a < d` per dimension, and `o >= 1`; with
    `empty_batch=True` (an empty batch: no output value is computed) it skips the
    output_padding rule and accepts `i = 0` and `o = 0`.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`, an int or one int per dimension (no strings: PyTorch raises a
            TypeError for them).
        output_padding: `a`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.
        empty_batch: The batch is empty (see above).

    Returns:
        `o`: an int if every argument is an int, else a tuple with one size per dimension.

    Raises:
        ConvArgumentError: what PyTorch rejects: string padding, `i < 1`, `k < 1`,
            `s < 1`, `d < 1`, `p < 0`, `a < 0`, `a` not below `s` or `d` in some
            dimension, or `o < 1`. With `empty_batch`: `i < 0` and `o < 0` instead of
            `i < 1` and `o < 1`, and `a` need not be below `s` or `d`.

    Examples:
        >>> conv_transpose_output_size(16, 3, stride=2, padding=1, output_padding=1)
        32
    """
    if isinstance(padding, str):
        raise ConvArgumentError(
            f"padding={padding!r}: transposed convolution takes integer padding only "
            "('same'/'valid' exist only for the forward convolution)"
        )
    ndim = _ndim_of(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    n = ndim or 1
    inputs = expand("input_size", input_size, n)
    kernels = expand("kernel_size", kernel_size, n)
    strides = expand("stride", stride, n)
    pads = expand("padding", padding, n)
    out_pads = expand("output_padding", output_padding, n)
    dilations = expand("dilation", dilation, n)
    _check_transpose_params(inputs, kernels, strides, pads, dilations, empty_batch)
    _check_at_least("output_padding", out_pads, 0, "negative output_padding is not supported")
    for a, s, d in zip(out_pads, strides, dilations):
        if a >= s and a >= d and not empty_batch:
            raise ConvArgumentError(
                f"output_padding={output_padding} with stride={stride} and dilation={dilation}: "
                f"output padding must be smaller than either stride or dilation in every "
                f"dimension (got output_padding {a}, stride {s}, dilation {d})"
            )
    mins = _min_transpose_sizes(inputs, kernels, strides, pads, dilations)
    out = tuple(m + a for m, a in zip(mins, out_pads))
    if any(o < (0 if empty_batch else 1) for o in out):
        raise ConvArgumentError(
            f"input_size={input_size} with kernel_size={kernel_size}, stride={stride}, "
            f"padding={padding}, output_padding={output_padding}, dilation={dilation} gives "
            f"an output size of {_result(out, ndim)}: output size is too small "
            + (
                "(no output size may be negative; reduce padding)"
                if empty_batch
                else "(every output size must be at least 1; reduce padding)"
            )
        )
    return _result(out, ndim)


@overload
def output_size_range(
    input_size: int, kernel_size: int, stride: int = ..., padding: int = ..., dilation: int = ...
) -> tuple[int, int]: ...
@overload
def output_size_range(
    input_size: Sequence[int],
    kernel_size: Size,
    stride: Size = ...,
    padding: Size = ...,
    dilation: Size = ...,
) -> tuple[tuple[int, ...], tuple[int, ...]]: ...
@overload
def output_size_range(
    input_size: Size,
    kernel_size: Size,
    stride: Size = ...,
    padding: Size = ...,
    dilation: Size = ...,
) -> tuple[int | tuple[int, ...], int | tuple[int, ...]]: ...


def output_size_range(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    dilation: Size = 1,
) -> tuple[int | tuple[int, ...], int | tuple[int, ...]]:
    """The sizes `nn.ConvTranspose*d.forward(x, output_size=...)` accepts: `(lo, hi)`.

    `lo = (i - 1)*s - 2p + d*(k - 1) + 1` and `hi = lo + s - 1`: exactly the input
    sizes that a conv with the same parameters maps back to `i` (when `lo >= 1`).

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.

    Returns:
        `(lo, hi)`, each an int if every argument is an int, else a tuple.

    Raises:
        ConvArgumentError: string padding, or a parameter PyTorch rejects.

    Examples:
        >>> output_size_range(16, 3, stride=2, padding=1)
        (31, 32)
    """
    if isinstance(padding, str):
        raise ConvArgumentError(
            f"padding={padding!r}: transposed convolution takes integer padding only"
        )
    ndim = _ndim_of(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    n = ndim or 1
    inputs = expand("input_size", input_size, n)
    kernels = expand("kernel_size", kernel_size, n)
    strides = expand("stride", stride, n)
    pads = expand("padding", padding, n)
    dilations = expand("dilation", dilation, n)
    _check_transpose_params(inputs, kernels, strides, pads, dilations)
    lo = _min_transpose_sizes(inputs, kernels, strides, pads, dilations)
    hi = tuple(m + s - 1 for m, s in zip(lo, strides))
    return _result(lo, ndim), _result(hi, ndim)


@overload
def output_padding_for(
    input_size: int,
    output_size: int,
    kernel_size: int,
    stride: int = ...,
    padding: int = ...,
    dilation: int = ...,
) -> int: ...
@overload
def output_padding_for(
    input_size: Sequence[int],
    output_size: Size,
    kernel_size: Size,
    stride: Size = ...,
    padding: Size = ...,
    dilation: Size = ...,
) -> tuple[int, ...]: ...
@overload
def output_padding_for(
    input_size: Size,
    output_size: Size,
    kernel_size: Size,
    stride: Size = ...,
    padding: Size = ...,
    dilation: Size = ...,
) -> int | tuple[int, ...]: ...


def output_padding_for(
    input_size: Size,
    output_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    dilation: Size = 1,
) -> int | tuple[int, ...]:
    """The output_padding that `nn.ConvTranspose*d.forward(x, output_size=...)` uses.

    `a = o - ((i - 1)*s - 2p + d*(k - 1) + 1)`, valid when `lo <= o <= lo + s - 1`
    (see [`output_size_range`][convnotes.shapes.output_size_range]).

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        output_size: `o`, the size asked for, an int or one int per dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.

    Returns:
        `a`: an int if every argument is an int, else a tuple.

    Raises:
        ConvArgumentError: `o` is outside `[lo, hi]` (the message states the range, as
            PyTorch's does), or a parameter PyTorch rejects.

    Examples:
        >>> output_padding_for(16, 32, 3, stride=2, padding=1)
        1
    """
    ndim = _ndim_of(
        input_size=input_size,
        output_size=output_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    n = ndim or 1
    lo, hi = output_size_range(
        expand("input_size", input_size, n),
        expand("kernel_size", kernel_size, n),
        expand("stride", stride, n),
        padding if isinstance(padding, str) else expand("padding", padding, n),
        expand("dilation", dilation, n),
    )
    outs = expand("output_size", output_size, n)
    for o, low, high in zip(outs, lo, hi):
        if not low <= o <= high:
            raise ConvArgumentError(
                f"output_size={_result(outs, ndim)}: requested an output size of "
                f"{_result(outs, ndim)}, but valid sizes range from {_result(lo, ndim)} to "
                f"{_result(hi, ndim)} (for an input of {input_size})"
            )
    _check_at_least(
        "output_size", outs, 1, "output size is too small (every output size must be at least 1)"
    )
    return _result(tuple(o - low for o, low in zip(outs, lo)), ndim)


def pool_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
) -> int | tuple[int, ...]:
    """Output size of `nn.MaxPool*d` / `nn.AvgPool*d`: `o = floor((i + 2p - d*(k - 1) - 1)/s) + 1`.

    With `ceil_mode` it is the ceiling, `o = ceil((i + 2p - d*(k - 1) - 1)/s) + 1`, minus
    one when that last window would start in the right padding (`(o - 1)*s >= i + p`):
    every window starts inside the input or the left padding.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`; `None` (or an empty sequence) means `kernel_size`, PyTorch's default.
        padding: `p`, an int or one int per dimension (no padding strings).
        dilation: `d`, an int or one int per dimension (`nn.AvgPool*d` has none: keep 1).
        ceil_mode: Round up instead of down.

    Returns:
        `o`: an int if every argument is an int, else a tuple with one size per dimension.

    Raises:
        ConvArgumentError: what PyTorch rejects: an empty input, `k < 1`, `s < 1`,
            `d < 1`, `p < 0`, `p > k/2`, a non-bool `ceil_mode`, or `o < 1`.

    Examples:
        >>> pool_output_size(5, 2), pool_output_size(5, 2, ceil_mode=True)
        (2, 3)
    """
    if stride is None or (_is_sequence(stride) and len(stride) == 0):
        stride = kernel_size
    if not isinstance(ceil_mode, bool):
        raise ConvArgumentError(f"ceil_mode={ceil_mode!r}: must be True or False")
    ndim = _ndim_of(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    n = ndim or 1
    inputs = expand("input_size", input_size, n)
    kernels = expand("kernel_size", kernel_size, n)
    strides = expand("stride", stride, n)
    pads = expand("padding", padding, n)
    dilations = expand("dilation", dilation, n)
    _check_common(inputs, kernels, strides, dilations)
    _check_at_least("padding", pads, 0, "pad must be non-negative")
    for p, k in zip(pads, kernels):
        if 2 * p > k:
            raise ConvArgumentError(
                f"padding={_show(pads)} with kernel_size={_show(kernels)}: pad should be at "
                "most half of kernel size"
            )
    out = []
    for i, k, s, p, d in zip(inputs, kernels, strides, pads, dilations):
        span = i + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= i + p:
            o -= 1
        out.append(o)
    if min(out) < 1:
        raise ConvArgumentError(
            f"input_size={_show(inputs)} gives an output size of {_show(tuple(out))}: "
            "output size is too small"
        )
    return _result(tuple(out), ndim)


def upsample_output_size(
    input_size: Size,
    size: Size | None = None,
    scale_factor: float | Sequence[float] | None = None,
) -> int | tuple[int, ...]:
    """Output size of `nn.Upsample`: `size` if given, else `o = floor(i * scale_factor)`.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        size: The output size, an int or one int per dimension.
        scale_factor: A positive number, or one per dimension.

    Returns:
        `o`: an int if every argument is an int, else a tuple with one size per dimension.

    Raises:
        ConvArgumentError: both or neither of `size` and `scale_factor`, a size below 1, a
            scale factor that is not a positive number, or `o < 1`.

    Examples:
        >>> upsample_output_size(5, scale_factor=2.5)
        12
        >>> upsample_output_size((5, 7), size=(10, 14))
        (10, 14)
    """
    if (size is None) == (scale_factor is None):
        raise ConvArgumentError(
            f"size={size!r}, scale_factor={scale_factor!r}: give exactly one of size or "
            "scale_factor"
        )
    if size is not None:
        ndim = _ndim_of(input_size=input_size, output_size=size)
        n = ndim or 1
        expand("input_size", input_size, n)
        outs = expand("size", size, n)
        _check_at_least("size", outs, 1, "every output size must be at least 1")
        return _result(outs, ndim)
    scales: tuple[object, ...] = (
        tuple(scale_factor)
        if isinstance(scale_factor, Sequence) and not isinstance(scale_factor, str)
        else (scale_factor,)
    )
    ndim = _ndim_of(input_size=input_size)
    if ndim is None and len(scales) > 1:
        ndim = len(scales)
    n = ndim or 1
    if len(scales) not in (1, n):
        raise ConvArgumentError(f"scale_factor={scale_factor!r}: give one value or {n}")
    inputs = expand("input_size", input_size, n)
    not_positive = f"scale_factor={scale_factor!r}: must be a positive number"
    factors: list[numbers.Real] = []
    for f in scales * n if len(scales) == 1 else scales:
        if isinstance(f, bool) or not isinstance(f, numbers.Real):
            raise ConvArgumentError(not_positive)
        # `not f > 0` also rejects NaN. typeshed's numbers.Real declares only < and <=;
        # every concrete Real (int, float, Fraction, NumPy floats) has > as well.
        if not f > 0:  # type: ignore[operator]
            raise ConvArgumentError(not_positive)
        factors.append(f)
    _check_at_least("input_size", inputs, 1, "every spatial size must be at least 1")
    outs = tuple(math.floor(i * float(f)) for i, f in zip(inputs, factors))
    _check_at_least("scale_factor", outs, 1, "output size is too small")
    return _result(outs, ndim)
