"""im2col + one batched GEMM; transposed: GEMM + col2im (the plain fast method).

conv: an `as_strided` view lays every receptive field of the padded input out as a
column, `cols[n, c, j, o] = x_pad[n, c, o*s + j*d]` (no copy until the reshape), and
one matrix product per group (batched over groups) does all the multiply-adds:

    Y[n, g] = W[g] @ cols[n, g]     W[g]: (C_out/g, C_in/g * prod(k)),  cols: (.., prod(o))

transposed conv: the same product with `W[g]^T` turns each input pixel into the
columns it contributes, and col2im adds every kernel tap's column into a strided slice
of the output (a scatter-add; no zeros are inserted into the input).
"""

from __future__ import annotations

import math

import torch

from ._args import ConvSpec, ConvTransposeSpec
from ._common import add_bias, crop, kernel_offsets, transpose_buffer_size, window, zero_pad
from ._layout import chunk_length, chunks


def im2col(x: torch.Tensor, spec: ConvSpec) -> torch.Tensor:
    """View of the padded input with shape `(N, C, *kernel_size, *output_size)`."""
    x = zero_pad(x, spec.padding)
    spatial = x.stride()[2:]
    size = (*x.shape[:2], *spec.kernel_size, *spec.output_size)
    stride = (
        *x.stride()[:2],
        *(st * d for st, d in zip(spatial, spec.dilation)),
        *(st * s for st, s in zip(spatial, spec.stride)),
    )
    return x.as_strided(size, stride, x.storage_offset())


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)` with one GEMM per group.

    The columns are `prod(k)` times the input, so they are made for a chunk of samples
    at a time (`CHUNK_ELEMENTS`): the peak memory stays near the output's.
    """
    n, c_in = input.shape[:2]
    c_out, g = weight.shape[0], spec.groups
    taps, positions = math.prod(spec.kernel_size), math.prod(spec.output_size)
    w = weight.reshape(g, c_out // g, (c_in // g) * taps)
    samples = chunk_length(n, c_in * taps * positions)
    if samples >= n:  # one chunk (also N = 0): no copy into an output buffer
        return add_bias(_gemm(input, w, spec).reshape(n, c_out, *spec.output_size), bias)
    out = input.new_empty(n, c_out, *spec.output_size)
    for batch in chunks(n, samples):
        out[batch] = _gemm(input[batch], w, spec).reshape(-1, c_out, *spec.output_size)
    return add_bias(out, bias)


def _gemm(x: torch.Tensor, w: torch.Tensor, spec: ConvSpec) -> torch.Tensor:
    """`W[g] @ cols[n, g]` for the samples of `x`: `(N, groups, C_out/g, prod(o))`."""
    g, depth = w.shape[0], w.shape[2]
    cols = im2col(x, spec).reshape(x.shape[0], g, depth, math.prod(spec.output_size))
    return torch.matmul(w, cols)


def col2im(cols: torch.Tensor, spec: ConvTransposeSpec) -> torch.Tensor:
    """Scatter-add `cols` of shape `(N, C, *kernel_size, *input_size)` into the output."""
    n, c = cols.shape[:2]
    buffer = cols.new_zeros(n, c, *transpose_buffer_size(spec))
    for offset in kernel_offsets(spec.kernel_size):
        region = window(offset, spec.dilation, spec.stride, spec.input_size)
        buffer[(..., *region)] += cols[(slice(None), slice(None), *offset)]
    return crop(buffer, spec)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`: GEMM with `W^T` per group, then col2im."""
    n, c_in = input.shape[:2]
    g, c_out_per_group = spec.groups, weight.shape[1]
    taps, positions = math.prod(spec.kernel_size), math.prod(spec.input_size)
    # The samples join the GEMM's columns: one product per group, not one per sample
    # (with a 1x1 input, a GAN generator's first layer, those are matrix-vector products).
    x = input.reshape(n, g, c_in // g, positions).permute(1, 2, 0, 3)
    x = x.reshape(g, c_in // g, n * positions)
    w_t = weight.reshape(g, c_in // g, c_out_per_group * taps).transpose(1, 2)
    cols = torch.matmul(w_t, x)  # (groups, C_out/g * prod(k), N * prod(i))
    cols = cols.view(g * c_out_per_group, *spec.kernel_size, n, *spec.input_size)
    cols = cols.movedim(1 + len(spec.kernel_size), 0)  # (N, C_out, *k, *i), a view
    return add_bias(col2im(cols, spec), bias)
