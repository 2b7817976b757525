"""Small tensor helpers shared by the kernels: padding, strided windows, bias, crop."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from ..shapes import conv_transpose_output_size
from ._args import ConvSpec, ConvTransposeSpec


def zero_pad(x: torch.Tensor, padding: tuple[tuple[int, int], ...]) -> torch.Tensor:
    """Pad the spatial dimensions of `x` with zeros, `(before, after)` per dimension."""
    if not any(before or after for before, after in padding):
        return x
    # F.pad lists the last dimension first.
    flat = [p for before_after in reversed(padding) for p in before_after]
    return F.pad(x, flat)


def kernel_offsets(kernel_size: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    """Every kernel position `(j_0, j_1, ...)`, last dimension fastest."""
    return itertools.product(*(range(k) for k in kernel_size))


def window(
    offset: tuple[int, ...],
    dilation: tuple[int, ...],
    stride: tuple[int, ...],
    length: tuple[int, ...],
) -> tuple[slice, ...]:
    """The strided slice that kernel tap `offset` touches, per spatial dimension.

    Output position `o` reads the padded input at `o*s + j*d`; for `o = 0 .. n-1`
    that is `slice(j*d, j*d + s*(n - 1) + 1, s)`.
    """
    return tuple(
        slice(j * d, j * d + s * (n - 1) + 1, s)
        for j, d, s, n in zip(offset, dilation, stride, length)
    )


def add_bias(output: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """`output[:, c] + bias[c]` for every channel `c`."""
    if bias is None:
        return output
    return output + bias.reshape(1, -1, *([1] * (output.dim() - 2)))


def transpose_buffer_size(spec: ConvTransposeSpec) -> tuple[int, ...]:
    """Size of the uncropped scatter buffer of a transposed conv, per dimension.

    Every input pixel scatters a dilated kernel; together they cover the output size for
    padding 0 and output_padding 0. The crop `[p, p + o)` may reach past that by
    `output_padding - padding` zeros, so the buffer is the larger of the two.
    """
    full = conv_transpose_output_size(
        spec.input_size, spec.kernel_size, spec.stride, 0, 0, spec.dilation
    )
    return tuple(max(f, p + o) for f, p, o in zip(full, spec.padding, spec.output_size))


def crop(buffer: torch.Tensor, spec: ConvTransposeSpec) -> torch.Tensor:
    """Cut `padding` off the start of each spatial dimension and keep `output_size`."""
    region = tuple(slice(p, p + o) for p, o in zip(spec.padding, spec.output_size))
    return buffer[(..., *region)]


def needs_autograd(*tensors: torch.Tensor | None) -> bool:
    """Whether autograd will record this call: grad mode is on and a tensor requires grad.
    Without it, kernels may write through `out=` and reuse buffers."""
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def gemm_(out: torch.Tensor, a: torch.Tensor, b: torch.Tensor, beta: float = 1) -> torch.Tensor:
    """`out = beta*out + a @ b` in place, batched over the first dimension (groups) of
    3-d operands.

    One group goes through the 2-d GEMM: torch's batched path measured up to 1.8x slower
    than `addmm_` for a single small product on the benchmark machine.
    """
    if out.dim() == 2:
        out.addmm_(a, b, beta=beta)
    elif out.shape[0] == 1:
        out[0].addmm_(a[0], b[0], beta=beta)
    else:
        out.baddbmm_(a, b, beta=beta)
    return out


def padding_only_outputs(spec: ConvSpec) -> tuple[tuple[int, int], ...]:
    """Per dimension, how many outputs at the start and at the end read only padding.

    Output `o` reads padded positions `o*s .. o*s + d*(k - 1)`; with `b` padding
    before, it misses the input when `o*s + d*(k - 1) < b`: the first
    `(b - span)//s + 1` outputs when `b >= span`. At the end, outputs whose window
    starts at or after `b + i`. Those outputs are the bias alone.
    """
    counts = []
    for i, k, s, (before, _), d, o in zip(
        spec.input_size, spec.kernel_size, spec.stride, spec.padding, spec.dilation,
        spec.output_size,
    ):  # fmt: skip
        span = d * (k - 1) + 1
        lead = (before - span) // s + 1 if before >= span else 0
        # First output whose window starts at or after the input's end: o*s >= b + i.
        first_after = -(-(before + i) // s)
        counts.append((lead, max(0, o - first_after)))
    return tuple(counts)


@functools.lru_cache(maxsize=256)
def without_padding_only_outputs(
    spec: ConvSpec,
) -> tuple[ConvSpec, tuple[slice, ...], tuple[slice, ...]] | None:
    """The conv that computes only the outputs reading some input: its spec, where its
    outputs go in the full output, and the part of the input it reads. `None` when
    every output reads some input."""
    counts = padding_only_outputs(spec)
    if not any(lead or trail for lead, trail in counts):
        return None
    padding, input_size, output_size, region, reads = [], [], [], [], []
    for (before, _), (lead, trail), s, o, i, k, d in zip(
        spec.padding, counts, spec.stride, spec.output_size, spec.input_size,
        spec.kernel_size, spec.dilation,
    ):  # fmt: skip
        inner = o - lead - trail
        # The first kept output starts at lead*s - before in input coordinates.
        start = lead * s - before
        skip = max(0, start)  # input positions before it are never read
        new_before = max(0, -start)
        # The last kept output reads up to (inner - 1)*s + d*(k - 1) past its start.
        end = (inner - 1) * s + d * (k - 1) + 1
        padding.append((new_before, max(0, end - new_before - (i - skip))))
        input_size.append(i - skip)
        output_size.append(inner)
        region.append(slice(lead, lead + inner))
        reads.append(slice(skip, i))
    inner_spec = dataclasses.replace(
        spec, padding=tuple(padding), input_size=tuple(input_size), output_size=tuple(output_size)
    )
    return inner_spec, tuple(region), tuple(reads)
