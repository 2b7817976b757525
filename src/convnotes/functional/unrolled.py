"""Convolution as a product with the explicit unrolled kernel matrix `C`.

For one sample, flatten the input `x` (shape `(C_in, *i)`) and the output `y`
(shape `(C_out, *o)`). The conv is linear, so `y = C @ x` for a dense matrix `C` of
shape `(C_out*prod(o), C_in*prod(i))` whose entries are weights or zeros:

    C[(o_c, o), (c, o*s + j*d - p)] = w[o_c, c - g*C_in/g, j]     (c in o_c's group g)

where the input index `o*s + j*d - p` lies inside the input; taps that land on padding
drop out, because padded pixels are zero. The transposed conv multiplies by `C^T`.
Slow (`C` is mostly zeros) but it is the picture behind the name "transposed". A `C`
of more than `MAX_MATRIX_ELEMENTS` entries is not built: such calls go to
`im2col`, which computes the same products without the zeros.
"""

from __future__ import annotations

import math

import torch

from . import im2col
from ._args import ConvSpec, ConvTransposeSpec
from ._common import add_bias

# 2**24 entries: 64 MiB in float32, built in well under a second.
MAX_MATRIX_ELEMENTS = 1 << 24


def _fits(weight: torch.Tensor, groups: int, rows: tuple[int, ...], cols: tuple[int, ...]):
    """Whether `C` (rows: channels times `rows` positions; columns likewise) is small
    enough to build."""
    c_out, c_in = weight.shape[0], weight.shape[1] * groups
    return c_out * math.prod(rows) * c_in * math.prod(cols) <= MAX_MATRIX_ELEMENTS


def _ravel(indices: list[torch.Tensor], sizes: tuple[int, ...]) -> torch.Tensor:
    """Row-major flat index of a multi-index (like `numpy.ravel_multi_index`)."""
    flat = torch.zeros_like(indices[0])
    for index, size in zip(indices, sizes):
        flat = flat * size + index
    return flat


def kernel_index_map(
    kernel_size: tuple[int, ...],
    input_size: tuple[int, ...],
    output_size: tuple[int, ...],
    stride: tuple[int, ...],
    padding_before: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Where each kernel tap lands in the single-channel matrix `C`.

    Returns `(rows, cols, taps)`, equally long: `C[rows[m], cols[m]] = w.flatten()[taps[m]]`
    and every other entry of `C` is 0. Rows enumerate output positions `o`, columns input
    positions `o*s + j*d - p` (only those inside the input), taps kernel positions `j`,
    all flattened row-major.
    """
    ndim = len(kernel_size)
    grids = torch.meshgrid(
        *(torch.arange(n) for n in output_size),
        *(torch.arange(k) for k in kernel_size),
        indexing="ij",
    )
    outs, taps = list(grids[:ndim]), list(grids[ndim:])
    positions = [
        o * s + j * d - p for o, j, s, d, p in zip(outs, taps, stride, dilation, padding_before)
    ]
    inside = torch.ones_like(outs[0], dtype=torch.bool)
    for position, size in zip(positions, input_size):
        inside &= (position >= 0) & (position < size)
    rows = _ravel(outs, output_size)[inside]
    cols = _ravel(positions, input_size)[inside]
    tap_index = _ravel(taps, kernel_size)[inside]
    return rows, cols, tap_index


def unrolled_matrix(
    weight: torch.Tensor,
    input_size: tuple[int, ...],
    output_size: tuple[int, ...],
    stride: tuple[int, ...],
    padding_before: tuple[int, ...],
    dilation: tuple[int, ...],
    groups: int,
) -> torch.Tensor:
    """The dense `C` of shape `(C_out*prod(o), C_in*prod(i))`, differentiable in `weight`.

    `weight` has the conv layout `(C_out, C_in/groups, *kernel_size)`; the single-channel
    pattern of `kernel_index_map` is repeated for every (output, input) channel pair of
    the same group.
    """
    c_out, c_in_per_group = weight.shape[:2]
    kernel_size = tuple(weight.shape[2:])
    rows, cols, taps = kernel_index_map(
        kernel_size, input_size, output_size, stride, padding_before, dilation
    )
    out_pixels, in_pixels = math.prod(output_size), math.prod(input_size)
    out_channel = torch.arange(c_out)[:, None, None]
    in_channel_in_group = torch.arange(c_in_per_group)[None, :, None]
    group = out_channel // (c_out // groups)
    in_channel = group * c_in_per_group + in_channel_in_group
    shape = (c_out, c_in_per_group, rows.numel())
    row_index = (out_channel * out_pixels + rows).expand(shape)
    col_index = (in_channel * in_pixels + cols).expand(shape)
    values = weight.reshape(c_out, c_in_per_group, math.prod(kernel_size))[:, :, taps]
    matrix = weight.new_zeros(c_out * out_pixels, c_in_per_group * groups * in_pixels)
    return matrix.index_put(
        (row_index.reshape(-1), col_index.reshape(-1)), values.reshape(-1), accumulate=True
    )


def conv_spec_matrix(weight: torch.Tensor, spec: ConvSpec) -> torch.Tensor:
    """The matrix `C` of the conv that `spec` describes (checked arguments)."""
    return unrolled_matrix(
        weight,
        spec.input_size,
        spec.output_size,
        spec.stride,
        tuple(before for before, _ in spec.padding),
        spec.dilation,
        spec.groups,
    )


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`y = C @ x` for every sample `x` (flattened), plus bias."""
    if not _fits(weight, spec.groups, spec.output_size, spec.input_size):
        return im2col.conv(input, weight, bias, spec)
    n, c_in = input.shape[:2]
    matrix = conv_spec_matrix(weight, spec)
    x = input.reshape(n, c_in * math.prod(spec.input_size))
    y = x @ matrix.T  # row n is C @ x[n]
    return add_bias(y.reshape(n, weight.shape[0], *spec.output_size), bias)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """`y = C^T @ x` where `C` is the conv from the output size back to the input size."""
    if not _fits(weight, spec.groups, spec.input_size, spec.output_size):
        return im2col.conv_transpose(input, weight, bias, spec)
    n, c_in = input.shape[:2]
    # The same weight read as a conv (C_out_t -> C_in_t channels) maps our output size to
    # our input size; its matrix, transposed, is this layer.
    matrix = unrolled_matrix(
        weight,
        spec.output_size,
        spec.input_size,
        spec.stride,
        spec.padding,
        spec.dilation,
        spec.groups,
    )
    x = input.reshape(n, c_in * math.prod(spec.input_size))
    y = x @ matrix  # row n is C^T @ x[n]
    return add_bias(y.reshape(n, weight.shape[1] * spec.groups, *spec.output_size), bias)
