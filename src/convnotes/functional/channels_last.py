"""im2col + GEMM in channels-last layout, chunked: the fast general convolution.

The plain `im2col` spends most of its time copying: its columns
`cols[n, (c, j), o]` gather one value at a time from far-apart addresses. Here the input
is first copied once to `xp[g, n, *padded, c]` (channels of a group innermost, zero
padding included, `grouped_channels_last`). Then:

* **shifted GEMMs** (stride 1 along the first spatial dimension): only the *other*
  spatial dimensions are unrolled,

      U[g, n, p_0, o_r, (j_r, c)] = xp[g, n, p_0, o_r*s_r + j_r*d_r, c]

  and output row `o_0` with first-dimension tap `j_0` reads row `p_0 = o_0 + j_0*d_0`.
  Flattening `(n, p_0, o_r)` into one row index turns every tap `j_0` into the *same*
  matrix shifted by `j_0*d_0*prod(o_r)` rows, so

      Y[rows] = sum_{j_0} U[rows + j_0*d_0*prod(o_r)] @ W[j_0]        (no copy)

  Rows whose `p_0` lies past the last output row are computed and thrown away (a few
  percent). The unrolled buffer is `prod(k_r)` times the input instead of `prod(k)`.
* **full unroll** (stride > 1 along the first dimension): `U` also unrolls `j_0` and one
  GEMM does the rest. Each copied run is `k_last * C/g` contiguous values.

Both work on chunks of samples (and of output rows for a single large sample) so that the
buffers stay within `CHUNK_ELEMENTS`, and batch the GEMMs over groups.
The transposed conv is the same in reverse: one GEMM gives every sample's contribution
`cols[.., i, j, c] = sum_c' x[.., i, c'] w[c', c, j]` with channels innermost, and
col2im adds each tap `j` into the strided slice `o = i*s + j*d` (runs of `C/g`
contiguous values), one chunk of samples at a time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch

from . import _layout, im2col
from ._args import ConvSpec, ConvTransposeSpec
from ._common import gemm_, kernel_offsets, transpose_buffer_size, window
from ._layout import (
    MIN_ROWS_PER_WASTED_ROW,
    chunk_length,
    chunks,
    grouped_channels_last,
    new_output,
    write_slab,
)


def shifted_dims(spec: ConvSpec) -> int:
    """How many leading spatial dimensions the shifted GEMMs handle (0: full unroll).

    The first one if its stride is 1 (and it has more than one tap); in 3d also the second
    one if its stride is 1: then only the last dimension is unrolled, and the buffer is
    `k_last` instead of `k_1 * k_2` times the input.
    """
    if spec.stride[0] != 1 or spec.kernel_size[0] == 1:
        return 0
    return 2 if len(spec.kernel_size) == 3 and spec.stride[1] == 1 else 1


def _strided_view(xs: torch.Tensor, spec: ConvSpec, rows: int, lead: int) -> torch.Tensor:
    """The receptive fields of `xs[g, n, *padded, c]` as a view, no copy.

    Shape `(g, n, rows, *p_1.., *o_r, *j_r, c)`: the `lead` shifted dimensions keep
    their padded positions (`rows` of the first one), the others are unrolled into
    output positions `o_r` and taps `j_r`. With `lead = 0` everything is unrolled:
    `(g, n, rows, *o_r, j_0, *j_r, c)` with `rows` output rows.
    """
    st = xs.stride()
    spatial = st[2:-1]
    unrolled = range(max(lead, 1), len(spatial))
    size = [rows, *xs.shape[3 : 2 + max(lead, 1)], *(spec.output_size[d] for d in unrolled)]
    stride = [spatial[0] * (spec.stride[0] if lead == 0 else 1), *spatial[1 : max(lead, 1)]]
    stride += [spatial[d] * spec.stride[d] for d in unrolled]
    taps = range(lead, len(spatial))
    size += [spec.kernel_size[d] for d in taps]
    stride += [spatial[d] * spec.dilation[d] for d in taps]
    return xs.as_strided(
        (*xs.shape[:2], *size, xs.shape[-1]), (*st[:2], *stride, st[-1]), xs.storage_offset()
    )


def _shifted_slab(xp: torch.Tensor, w_taps: torch.Tensor, spec: ConvSpec, rows: slice):
    """Output rows `rows` of a chunk of samples by shifted GEMMs: `(g, n, rows, *o_r, c)`.

    `w_taps` is `(g, depth, taps, C_out/g)`, one weight block per tap of the shifted
    dimensions. In float64 the blocks go side by side into **one** wide GEMM
    `Z = U @ [W_0 | W_1 | ..]` and `Y = sum_t Z[rows + shift_t, t]` (measured 1.4-2.2x
    faster than narrow GEMMs); in float32 the narrow GEMMs accumulate into `Y` directly,
    which saves the adds over `Z` (measured faster for 64 output channels).
    """
    lead = shifted_dims(spec)
    count = rows.stop - rows.start
    padded_rows = count + (spec.kernel_size[0] - 1) * spec.dilation[0]
    xs = xp[:, :, rows.start : rows.start + padded_rows]
    g, n = xs.shape[:2]
    # U rows are (n, p_0, p_1.., o_r): the row strides of the shifted dimensions
    row_size = [padded_rows, *xs.shape[3 : 2 + lead], *spec.output_size[lead:]]
    row_stride = [math.prod(row_size[d + 1 :]) for d in range(lead)]
    shifts = [
        sum(j * d * r for j, d, r in zip(tap, spec.dilation, row_stride))
        for tap in itertools.product(*(range(k) for k in spec.kernel_size[:lead]))
    ]
    total = n * math.prod(row_size)
    depth = w_taps.shape[1]  # prod(k_r) * C/g
    u = xs.new_empty(g, total, depth)
    fields = _strided_view(xs, spec, padded_rows, lead)
    u.view(fields.shape).copy_(fields)
    # Rows past total - shift only feed rows beyond the last sample's outputs: skipped.
    if u.dtype == torch.float64:
        z = torch.matmul(u, w_taps.flatten(2)).unflatten(2, (len(shifts), -1))
        y = z[:, :, 0].clone()
        for tap, shift in enumerate(shifts[1:], 1):
            y[:, : total - shift] += z[:, shift:, tap]
    else:
        y = gemm_(u.new_empty(g, total, w_taps.shape[-1]), u, w_taps[:, :, 0], beta=0)
        for tap, shift in enumerate(shifts[1:], 1):
            gemm_(y[:, : total - shift], u[:, shift:], w_taps[:, :, tap])
    y = y.view(g, n, *row_size, -1)
    return y[
        (
            slice(None),
            slice(None),
            slice(0, count),
            *(slice(0, o) for o in spec.output_size[1:lead]),
        )
    ]


def _unrolled_slab(xp: torch.Tensor, w_all: torch.Tensor, spec: ConvSpec, rows: slice):
    """Output rows `rows` of a chunk of samples by one GEMM on fully unrolled columns."""
    s0, k0, d0 = spec.stride[0], spec.kernel_size[0], spec.dilation[0]
    count = rows.stop - rows.start
    xs = xp[:, :, rows.start * s0 : rows.start * s0 + (count - 1) * s0 + (k0 - 1) * d0 + 1]
    g, n = xs.shape[:2]
    cols = _strided_view(xs, spec, count, 0).reshape(g, -1, w_all.shape[1])
    y = torch.matmul(cols, w_all)
    return y.view(g, n, count, *spec.output_size[1:], -1)


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)` by channels-last GEMMs, chunk by chunk (the
    channels-last copy of the input too)."""
    n, c_in = input.shape[:2]
    if n == 0:  # nothing to chunk; im2col still links the empty output to the graph
        return im2col.conv(input, weight, bias, spec)
    c_out, g = weight.shape[0], spec.groups
    c_in_g, c_out_g = c_in // g, c_out // g
    ndim = len(spec.kernel_size)
    lead = shifted_dims(spec)
    # w[g, o, c, *j_lead, *j_r] -> (g, (*j_r, c), prod(j_lead), o) or (g, (*j, c), o)
    w = weight.reshape(g, c_out_g, c_in_g, *spec.kernel_size)
    shifted_taps, rest = range(3, 3 + lead), range(3 + lead, 3 + ndim)
    slab: Callable[[torch.Tensor, torch.Tensor, ConvSpec, slice], torch.Tensor]
    if lead:
        w_mat = w.permute(0, *rest, 2, *shifted_taps, 1).reshape(
            g, -1, math.prod(spec.kernel_size[:lead]), c_out_g
        )
        slab = _shifted_slab
        wasted = (spec.kernel_size[0] - 1) * spec.dilation[0]
    else:
        w_mat = w.permute(0, *range(3, 3 + ndim), 2, 1).reshape(g, -1, c_out_g)
        slab = _unrolled_slab
        wasted = 0
    depth = w_mat.shape[1]
    width = w_mat.shape[2] * c_out_g if lead else c_out_g  # columns of the GEMM result
    padded = [i + a + b for i, (a, b) in zip(spec.input_size, spec.padding)]
    per_row = math.prod([*padded[1:lead], *spec.output_size[max(lead, 1) :]]) * g
    per_row *= max(depth, width)
    o0 = spec.output_size[0]
    per_sample = (o0 + wasted) * per_row
    # A buffer no larger than the input or the output (what the call holds anyway), so
    # that the peak memory stays a small multiple of it; at most CHUNK_ELEMENTS.
    budget = min(
        _layout.CHUNK_ELEMENTS, max(input.numel(), n * c_out * math.prod(spec.output_size))
    )
    samples = chunk_length(n, per_sample, budget)
    row_count = o0
    if samples == 1 and per_sample > budget:  # one large sample: chunk its rows
        row_count = max(chunk_length(o0, per_row, budget), MIN_ROWS_PER_WASTED_ROW * wasted)
    out = new_output(input, c_out, spec.output_size)
    b = None if bias is None else bias.view(g, 1, 1, *([1] * (ndim - 1)), c_out_g)
    for batch in chunks(n, samples):
        xp = grouped_channels_last(input[batch], g, spec.padding)
        for rows in chunks(o0, row_count):
            y = slab(xp, w_mat, spec, rows)
            if b is not None:
                y = y + b
            write_slab(out, y, batch, rows)
    return out


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`: channels-last GEMM, then col2im per chunk."""
    n, c_in = input.shape[:2]
    if n == 0:
        return im2col.conv_transpose(input, weight, bias, spec)
    g, c_out_g = spec.groups, weight.shape[1]
    c_in_g, ndim = c_in // g, len(spec.kernel_size)
    taps = math.prod(spec.kernel_size)
    x = grouped_channels_last(input, g, ((0, 0),) * ndim)
    x = x.view(g, n, math.prod(spec.input_size), c_in_g)
    # w[g, c, o, *j] -> (g, c, (*j, o))
    w = weight.reshape(g, c_in_g, c_out_g, *spec.kernel_size)
    w = w.permute(0, 1, *range(3, 3 + ndim), 2).reshape(g, c_in_g, taps * c_out_g)
    buffer_size = transpose_buffer_size(spec)
    out = new_output(input, g * c_out_g, spec.output_size)
    per_sample = g * c_out_g * (taps * math.prod(spec.input_size) + math.prod(buffer_size))
    crop = tuple(slice(p, p + o) for p, o in zip(spec.padding, spec.output_size))
    b = None if bias is None else bias.view(g, 1, *([1] * ndim), c_out_g)
    for batch in chunks(n, chunk_length(n, per_sample)):
        m = batch.stop - batch.start
        cols = torch.matmul(x[:, batch].reshape(g, m * x.shape[2], c_in_g), w)
        cols = cols.view(g, m, *spec.input_size, *spec.kernel_size, c_out_g)
        acc = cols.new_zeros(g, m, *buffer_size, c_out_g)
        for offset in kernel_offsets(spec.kernel_size):
            region = window(offset, spec.dilation, spec.stride, spec.input_size)
            tap = (slice(None),) * (2 + ndim) + offset
            acc[(slice(None), slice(None), *region)] += cols[tap]
        y = acc[(slice(None), slice(None), *crop)]
        if b is not None:
            y = y + b
        write_slab(out, y, batch, slice(None))
    return out
