"""Convolution and transposed convolution as plain loops over the kernel offsets.

The readable version the notes show. For a kernel tap `j` (one position inside the
kernel), the pixels it multiplies form a strided slice of the (zero-padded) input:

    y[n, o_c, o] = b[o_c] + sum_j sum_c  w[o_c, c, j] * x_pad[n, c, o*s + j*d]

so the conv is `prod(kernel_size)` small products of a slice with the weight tap,
accumulated. The transposed conv runs the same loop backwards: each tap *scatters* the
input, multiplied by the weight tap, into a strided slice of the output, and the
`padding` is cropped off at the end.
"""

from __future__ import annotations

import torch

from ._args import ConvSpec, ConvTransposeSpec
from ._common import add_bias, crop, kernel_offsets, transpose_buffer_size, window, zero_pad


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`, one accumulation per kernel tap."""
    x = zero_pad(input, spec.padding)
    n, c_in = x.shape[:2]
    c_out, g = weight.shape[0], spec.groups
    # Split channels into groups: group k of the output only sees group k of the input.
    x = x.reshape(n, g, c_in // g, *x.shape[2:])
    w = weight.reshape(g, c_out // g, c_in // g, *spec.kernel_size)
    y = x.new_zeros(n, g, c_out // g, *spec.output_size)
    for offset in kernel_offsets(spec.kernel_size):
        patch = x[(..., *window(offset, spec.dilation, spec.stride, spec.output_size))]
        tap = w[(..., *offset)]  # (groups, C_out/g, C_in/g)
        y = y + torch.einsum("ngc...,goc->ngo...", patch, tap)
    return add_bias(y.reshape(n, c_out, *spec.output_size), bias)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`: scatter every tap, then crop the padding."""
    n, c_in = input.shape[:2]
    g, c_out_per_group = spec.groups, weight.shape[1]
    x = input.reshape(n, g, c_in // g, *spec.input_size)
    w = weight.reshape(g, c_in // g, c_out_per_group, *spec.kernel_size)
    y = x.new_zeros(n, g, c_out_per_group, *transpose_buffer_size(spec))
    for offset in kernel_offsets(spec.kernel_size):
        tap = w[(..., *offset)]  # (groups, C_in/g, C_out/g)
        y[(..., *window(offset, spec.dilation, spec.stride, spec.input_size))] += torch.einsum(
            "ngc...,gco->ngo...", x, tap
        )
    y = crop(y.reshape(n, g * c_out_per_group, *y.shape[3:]), spec)
    return add_bias(y, bias)
