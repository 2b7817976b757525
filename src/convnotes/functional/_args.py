"""Argument normalisation and checks for the functional API, mirroring PyTorch's rules.

Every public function in [`convnotes.functional`][convnotes.functional] calls `prepare_conv` or
`prepare_conv_transpose` first. They

* raise `TypeError` where PyTorch's argument parser does (a float or bool stride, a
  string padding for a transposed conv, a list instead of a tensor, ...);
* raise [`ConvArgumentError`][convnotes.errors.ConvArgumentError] (a `RuntimeError` *and* a
  `ValueError`) where PyTorch raises `RuntimeError`: wrong number of dimensions,
  channel/group mismatches, bias shape, dtype mismatch, and every size rule, which
  [`convnotes.shapes`][convnotes.shapes] (the one source of truth for sizes) checks;
* add a batch dimension to unbatched input, so the kernels (direct, unrolled, im2col, ...)
  only ever see `(N, C, *spatial)` tensors and fully resolved integer arguments.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import torch

from ..errors import ConvArgumentError, ConvDtypeError
from ..shapes import (
    conv_output_size,
    conv_padding,
    conv_transpose_output_size,
    expand,
    output_padding_for,
)

IntOrInts = int | Sequence[int]


@dataclass(frozen=True)
class ConvSpec:
    """Resolved arguments of a convolution; `padding` is `(before, after)` per dimension."""

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    input_size: tuple[int, ...]
    output_size: tuple[int, ...]


@dataclass(frozen=True)
class ConvTransposeSpec:
    """Resolved arguments of a transposed convolution (`padding` is symmetric)."""

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    input_size: tuple[int, ...]
    output_size: tuple[int, ...]


SpecT = TypeVar("SpecT", ConvSpec, ConvTransposeSpec)


@dataclass(frozen=True)
class PreparedCall(Generic[SpecT]):
    """A checked call: batched `input` plus what is needed to give the output back."""

    input: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor | None
    spec: SpecT
    unbatched: bool
    memory_format: torch.memory_format
    out_channels: int

    def finish(self, output: torch.Tensor) -> torch.Tensor:
        """Lay the output out as PyTorch does (contiguous in its memory format; a kernel may
        return a cropped view) and drop the batch dimension we added."""
        output = output.contiguous(memory_format=self.memory_format)
        return output.squeeze(0) if self.unbatched else output

    @property
    def output_numel(self) -> int:
        return self.input.shape[0] * self.out_channels * math.prod(self.spec.output_size)

    def empty_output(self) -> torch.Tensor:
        """An uninitialised output of the right shape, dtype and layout (for tracing, and
        the whole answer when it has no elements)."""
        x = self.input
        output = x.new_empty((x.shape[0], self.out_channels, *self.spec.output_size))
        output = output.contiguous(memory_format=self.memory_format)
        return output.squeeze(0) if self.unbatched else output


# ---------------------------------------------------------------- argument types (TypeError)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _as_int(fn: str, name: str, value: object) -> int:
    if isinstance(value, bool) or (isinstance(value, torch.Tensor) and value.dtype == torch.bool):
        raise TypeError(f"{fn}(): argument '{name}' must be an int or a tuple of ints, not bool")
    try:
        # int, numpy integer, 0-d integer tensor; operator.index's TypeError is the check.
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{fn}(): argument '{name}' must be an int or a tuple of ints, "
            f"not {type(value).__name__} ({value!r})"
        ) from None
    if not INT64_MIN <= number <= INT64_MAX:
        raise ConvArgumentError(
            f"{fn}: {name}={number} does not fit in a 64-bit integer "
            f"(PyTorch's int arguments range from {INT64_MIN} to {INT64_MAX})"
        )
    return number


def parse_ints(fn: str, name: str, value: object) -> int | tuple[int, ...]:
    """An int or a tuple of ints, or `TypeError` like PyTorch's argument parser."""
    if isinstance(value, str):
        raise TypeError(
            f"{fn}(): argument '{name}' must be an int or a tuple of ints, not str ({value!r})"
        )
    if isinstance(value, Sequence):
        return parse_int_sequence(fn, name, value)
    return _as_int(fn, name, value)


def parse_int_sequence(fn: str, name: str, values: Sequence[object]) -> tuple[int, ...]:
    """A sequence of ints as a tuple, each checked as `parse_ints` checks one int."""
    plain = [v for v in values if type(v) is int and INT64_MIN <= v <= INT64_MAX]
    if len(plain) == len(values):  # the usual case, without a call per value
        return tuple(plain)
    return tuple(_as_int(fn, name, v) for v in values)


def _parse_padding(fn: str, value: object) -> int | tuple[int, ...] | str:
    return value if isinstance(value, str) else parse_ints(fn, "padding", value)


def parse_groups(fn: str, value: object) -> int:
    groups = _as_int(fn, "groups", value)
    if groups < 1:
        raise ConvArgumentError(f"{fn}: groups={groups}: non-positive groups is not supported")
    return groups


def check_tensors(fn: str, input: object, weight: object, bias: object) -> None:
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{fn}(): argument '{name}' must be a Tensor, not {type(value).__name__}"
            )
    if bias is not None and not isinstance(bias, torch.Tensor):
        raise TypeError(
            f"{fn}(): argument 'bias' must be a Tensor or None, not {type(bias).__name__}"
        )


# ----------------------------------------------------------- tensor checks (ConvArgumentError)


def _check_dims(fn: str, ndim: int, input: torch.Tensor, weight: torch.Tensor, layout: str) -> None:
    if weight.dim() != ndim + 2:
        raise ConvArgumentError(
            f"{fn}: weight must have {ndim + 2} dimensions {layout}, "
            f"but got weight of shape {list(weight.shape)}"
        )
    if input.dim() not in (ndim + 1, ndim + 2):
        raise ConvArgumentError(
            f"{fn}: expected a {ndim + 1}D (unbatched: channels, *spatial) or {ndim + 2}D "
            f"(batched: batch, channels, *spatial) input, but got input of shape "
            f"{list(input.shape)}"
        )


# Integer dtypes PyTorch's CPU kernels implement only for ordinary convs without dilation
# (int64 everywhere).
_NARROW_INTEGERS = (torch.int8, torch.uint8, torch.int16, torch.int32)


def _check_supported_dtype(
    fn: str, input: torch.Tensor, transposed: bool, dilation: tuple[int, ...]
) -> None:
    """Checked last, as PyTorch finds out only when it looks for a kernel; an input without
    elements needs none (PyTorch returns the empty output without looking)."""
    if input.numel() == 0:
        return
    narrow = input.dtype in _NARROW_INTEGERS and (transposed or any(d > 1 for d in dilation))
    if input.dtype == torch.bool or narrow:
        kind = "transposed convolution" if transposed else "dilated convolution"
        raise ConvDtypeError(
            f"{fn}: input dtype {input.dtype} is not supported"
            + (f" in a {kind}" if narrow else "")
            + ": PyTorch's CPU kernels do not implement it"
        )


def _check_dtypes(
    fn: str,
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    transposed: bool,
) -> None:
    """Weight and bias in the input's dtype; PyTorch does not compare the weight's (nor, in
    a transposed conv, the bias's) for an input without elements."""
    if input.numel() == 0:
        bias = None if transposed else bias
    elif weight.dtype != input.dtype:
        raise ConvArgumentError(
            f"{fn}: input and weight must have the same dtype, but input is {input.dtype} "
            f"and weight is {weight.dtype}"
        )
    if bias is not None and bias.dtype != input.dtype:
        raise ConvArgumentError(
            f"{fn}: input and bias must have the same dtype, but input is {input.dtype} "
            f"and bias is {bias.dtype}"
        )


def _check_groups(fn: str, weight: torch.Tensor, groups: int, role: str) -> None:
    """`weight.shape[0]` (`role` channels) must be a positive multiple of `groups`."""
    channels = weight.shape[0]
    if channels < groups or channels % groups:
        raise ConvArgumentError(
            f"{fn}: groups={groups} but weight of shape {list(weight.shape)} has {channels} "
            f"{role} channels in dimension 0: it must be a positive multiple of groups"
        )


def _check_channels(fn: str, input: torch.Tensor, expected: int, rule: str) -> None:
    if input.shape[1] != expected:
        raise ConvArgumentError(
            f"{fn}: expected input of shape {list(input.shape)} to have {expected} channels "
            f"({rule}), but got {input.shape[1]} channels"
        )


def _check_bias(fn: str, bias: torch.Tensor | None, expected: int, rule: str) -> None:
    if bias is not None and tuple(bias.shape) != (expected,):
        raise ConvArgumentError(
            f"{fn}: expected bias to be 1-dimensional with {expected} elements ({rule}), "
            f"but got bias of shape {list(bias.shape)}"
        )


def _memory_format(ndim: int, *tensors: torch.Tensor) -> torch.memory_format:
    """PyTorch's CPU conv2d returns channels-last output for a channels-last input or weight.

    (Its 3d choice depends on the backend and dtype, so 3d outputs stay contiguous.)
    """
    fmt = torch.channels_last
    for t in tensors:
        if ndim == 2 and not t.is_contiguous() and t.is_contiguous(memory_format=fmt):
            return fmt
    return torch.contiguous_format


def _static(sizes: Sequence[int]) -> tuple[int, ...]:
    """Sizes as Python ints. Under `torch.compile` with dynamic shapes a spatial size may
    be symbolic: `int` specializes the graph to its value (a recompile per spatial size,
    the batch stays dynamic), as the size arithmetic needs plain ints."""
    return tuple(int(s) for s in sizes)


def _batched(input: torch.Tensor, ndim: int) -> tuple[torch.Tensor, bool]:
    unbatched = input.dim() == ndim + 1
    return (input.unsqueeze(0) if unbatched else input), unbatched


# ------------------------------------------------------------------------------ entry points


# The sizes are a pure function of the shapes and the integer arguments: computed (and
# checked, by convnotes.shapes) once per combination. An error is raised again on every
# call, since lru_cache does not keep exceptions.


@functools.lru_cache(maxsize=256)
def _conv_spec(
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: int | tuple[int, ...],
    padding: int | tuple[int, ...] | str,
    dilation: int | tuple[int, ...],
    groups: int,
    empty_batch: bool,
) -> ConvSpec:
    ndim = len(kernel_size)
    strides, dilations = expand("stride", stride, ndim), expand("dilation", dilation, ndim)
    pads = padding if isinstance(padding, str) else expand("padding", padding, ndim)
    return ConvSpec(
        kernel_size=kernel_size,
        stride=strides,
        padding=conv_padding(pads, kernel_size, strides, dilations),
        dilation=dilations,
        groups=groups,
        input_size=input_size,
        output_size=conv_output_size(
            input_size, kernel_size, strides, pads, dilations, empty_batch=empty_batch
        ),
    )


@functools.lru_cache(maxsize=256)
def _conv_transpose_spec(
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: int | tuple[int, ...],
    padding: int | tuple[int, ...],
    output_padding: int | tuple[int, ...],
    dilation: int | tuple[int, ...],
    groups: int,
    empty_batch: bool,
) -> ConvTransposeSpec:
    ndim = len(kernel_size)
    strides, pads = expand("stride", stride, ndim), expand("padding", padding, ndim)
    out_pads = expand("output_padding", output_padding, ndim)
    dilations = expand("dilation", dilation, ndim)
    return ConvTransposeSpec(
        kernel_size=kernel_size,
        stride=strides,
        padding=pads,
        output_padding=out_pads,
        dilation=dilations,
        groups=groups,
        input_size=input_size,
        output_size=conv_transpose_output_size(
            input_size, kernel_size, strides, pads, out_pads, dilations, empty_batch=empty_batch
        ),
    )


def prepare_conv(
    ndim: int,
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: IntOrInts,
    padding: IntOrInts | str,
    dilation: IntOrInts,
    groups: int,
) -> PreparedCall[ConvSpec]:
    """Check the arguments of `conv{ndim}d` as PyTorch does and resolve them."""
    fn = f"conv{ndim}d"
    check_tensors(fn, input, weight, bias)
    stride, padding = parse_ints(fn, "stride", stride), _parse_padding(fn, padding)
    dilation, groups = parse_ints(fn, "dilation", dilation), parse_groups(fn, groups)
    _check_dims(fn, ndim, input, weight, "(out_channels, in_channels / groups, *kernel_size)")
    _check_dtypes(fn, input, weight, bias, transposed=False)
    _check_groups(fn, weight, groups, "output")
    x, unbatched = _batched(input, ndim)
    rule = f"weight.shape[1] * groups = {weight.shape[1]} * {groups}"
    _check_channels(fn, x, weight.shape[1] * groups, rule)
    _check_bias(fn, bias, weight.shape[0], "one per output channel, weight.shape[0]")
    sizes = _static(x.shape[2:]), _static(weight.shape[2:])
    # PyTorch accepts empty spatial sizes when no value is computed; with no input
    # channels its output has no channels either.
    empty_batch = x.shape[0] == 0 or x.shape[1] == 0
    spec = _conv_spec(*sizes, stride, padding, dilation, groups, empty_batch)
    _check_supported_dtype(fn, input, False, spec.dilation)
    out_channels = weight.shape[0] if x.shape[1] else 0
    memory_format = _memory_format(ndim, input, weight)
    return PreparedCall(x, weight, bias, spec, unbatched, memory_format, out_channels)


def prepare_conv_transpose(
    ndim: int,
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: IntOrInts,
    padding: IntOrInts,
    output_padding: IntOrInts,
    groups: int,
    dilation: IntOrInts,
    output_size: Sequence[int] | None = None,
) -> PreparedCall[ConvTransposeSpec]:
    """Check the arguments of `conv_transpose{ndim}d` as PyTorch does and resolve them;
    `output_size` (`ConvTranspose*d.forward`'s) replaces `output_padding`."""
    fn = f"conv_transpose{ndim}d"
    check_tensors(fn, input, weight, bias)
    if isinstance(padding, str):
        raise TypeError(
            f"{fn}(): argument 'padding' must be an int or a tuple of ints, not str "
            f"({padding!r}): 'same' and 'valid' exist only for the forward convolution"
        )
    stride, padding = parse_ints(fn, "stride", stride), parse_ints(fn, "padding", padding)
    output_padding = parse_ints(fn, "output_padding", output_padding)
    dilation, groups = parse_ints(fn, "dilation", dilation), parse_groups(fn, groups)
    _check_dims(fn, ndim, input, weight, "(in_channels, out_channels / groups, *kernel_size)")
    _check_dtypes(fn, input, weight, bias, transposed=True)
    _check_groups(fn, weight, groups, "input")
    x, unbatched = _batched(input, ndim)
    _check_channels(fn, x, weight.shape[0], "weight.shape[0] of a transposed convolution")
    if weight.shape[1] == 0:
        raise ConvArgumentError(
            f"{fn}: weight of shape {list(weight.shape)} has 0 output channels per group "
            "in dimension 1: a transposed convolution needs at least one"
        )
    out_channels = weight.shape[1] * groups
    _check_bias(fn, bias, out_channels, "one per output channel, weight.shape[1] * groups")
    sizes = _static(x.shape[2:]), _static(weight.shape[2:])
    if output_size is not None:
        output_padding = output_padding_from_size(
            fn, input.dim(), ndim, *sizes, output_size, stride, padding, dilation
        )
    spec = _conv_transpose_spec(
        *sizes, stride, padding, output_padding, dilation, groups, x.shape[0] == 0
    )
    _check_supported_dtype(fn, input, True, spec.dilation)
    memory_format = _memory_format(ndim, input, weight)
    return PreparedCall(x, weight, bias, spec, unbatched, memory_format, out_channels)


def output_padding_from_size(
    fn: str,
    input_dim: int,
    ndim: int,
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    output_size: Sequence[int],
    stride: IntOrInts,
    padding: IntOrInts,
    dilation: IntOrInts,
) -> tuple[int, ...]:
    """The output_padding `ConvTranspose*d.forward(x, output_size=...)` uses.

    `output_size` may include the batch and channel dimensions; a size outside
    `[lo, lo + stride - 1]` raises a `ValueError` stating the range
    ([`output_padding_for`][convnotes.shapes.output_padding_for]).
    """
    sizes = parse_int_sequence(fn, "output_size", output_size)
    non_spatial = input_dim - ndim
    if len(sizes) == non_spatial + ndim:
        sizes = sizes[non_spatial:]
    if len(sizes) != ndim:
        raise ConvArgumentError(
            f"{fn}: for {input_dim}D input, output_size must have {ndim} or "
            f"{non_spatial + ndim} elements, got output_size={list(output_size)}"
        )
    return output_padding_for(
        input_size, sizes, kernel_size, expand("stride", stride, ndim),
        expand("padding", padding, ndim), expand("dilation", dilation, ndim),
    )  # fmt: skip
