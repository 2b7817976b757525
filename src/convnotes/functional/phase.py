"""Transposed convolution by sub-pixel phases: ``s^ndim`` ordinary convs, no scatter-add.

In a transposed conv every input pixel ``i`` adds ``x[i] w[j]`` at (uncropped) output
position ``q = i*s + j*d``. Group the outputs by their *phase* ``r = q mod s``: output
``q = s*(m + c) + r`` only receives the taps with ``j*d = r (mod s)``, each from the input

    i = m + shift_j,     shift_j = c - (j*d - r) / s

so each phase is an *ordinary* stride-1 convolution of the input with a sub-kernel (the
taps ``j = j_0, j_0 + e, ..``, ``e = s / gcd(s, d)``), and the transposed conv is
``s_0 * s_1 * ...`` small convs interleaved into ``out[.., r_0::s_0, r_1::s_1, ..]``
("sub-pixel convolution"). No zeros are inserted into the input, no product is thrown
away and nothing overlaps, so there is no col2im. A phase without taps (``k*d < s``, or
``gcd(s, d)`` not dividing ``r``) is zero plus the bias.

Each phase's conv runs as **shifted GEMMs**, without unrolling anything: pad the input
with enough zeros that every tap reads inside, and flatten ``(sample, *padded)`` into one
row index ``f`` (strides ``S``). Output ``m`` of sample ``n`` sits at row
``f = n*P + sum_d m_d S_d`` and tap ``j`` reads row ``f + sum_d (shift_d + before_d) S_d``,
the same offset for every output, so

    Y_r[rows] = sum_{j in phase r} X[rows + offset_j] @ W_j        (W_j: C_in/g x C_out/g)

one matrix product per tap, each reading a contiguous block of ``X``. The rows between
the wanted ones (past ``count`` along a dimension, or between samples) are computed and
dropped. ``X`` has channels innermost (``(rows, C)``) in float32 and outermost
(``(C, rows)``) in float64, the faster GEMM shape of each on the measured machine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch

from . import channels_last, im2col
from ._args import ConvSpec, ConvTransposeSpec
from ._layout import chunk_length, chunks, grouped_channels_last, new_output, write_slab


@dataclass(frozen=True)
class Tap1d:
    """Tap ``j`` feeds the phase's output ``m`` from input ``m + shift``."""

    j: int
    shift: int


@dataclass(frozen=True)
class Phase1d:
    """Outputs ``o = residue + s*m`` for ``m < count`` along one dimension, and their taps."""

    residue: int
    count: int
    taps: tuple[Tap1d, ...]


def phases_1d(
    input_size: int, output_size: int, kernel: int, stride: int, padding: int, dilation: int
) -> list[Phase1d]:
    """The ``stride`` phases of one dimension (formulas in the module docstring).

    Taps that read only outside ``[0, input_size)`` for this phase's outputs (cut away
    by ``padding``) are left out.
    """
    phases = []
    for residue in range(stride):
        count = max(0, -(-(output_size - residue) // stride))
        c, r = divmod(residue + padding, stride)  # q = o + p = s*(m + c) + r
        taps = []
        for j in range(kernel):
            if (j * dilation - r) % stride:
                continue
            shift = c - (j * dilation - r) // stride
            if max(0, -shift) < min(count, input_size - shift):
                taps.append(Tap1d(j, shift))
        phases.append(Phase1d(residue, count, tuple(taps)))
    return phases


def _padding(phases: list[Phase1d], input_size: int) -> tuple[int, int]:
    """Zeros before and after the input so that every tap of every phase reads inside."""
    taps = [(t, p.count) for p in phases for t in p.taps]
    before = max((-t.shift for t, _ in taps), default=0)
    after = max((count - 1 + t.shift - (input_size - 1) for t, count in taps), default=0)
    return max(0, before), max(0, after)


def rows_first_layout(dtype: torch.dtype) -> bool:
    """Channels innermost (``X @ W``) except in float64 (``W^T @ X``): measured faster."""
    return dtype != torch.float64


def _phase_rows(x: torch.Tensor, w: torch.Tensor, offsets: list[int], length: int, rows_first):
    """``sum_j X[offset_j : offset_j + length] @ W_j`` (or ``W_j^T @ X[:, ..]``), batched
    over groups: ``x`` is ``(g, rows, C_in/g)`` or ``(g, C_in/g, rows)``."""
    y = None
    for w_tap, offset in zip(w, offsets):
        if rows_first:
            a, b = x[:, offset : offset + length], w_tap
        else:
            a, b = w_tap, x[:, :, offset : offset + length]
        y = torch.bmm(a, b) if y is None else y.baddbmm_(a, b)
    return y


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """``(N, C_in, *i)`` -> ``(N, C_out, *o)``: shifted GEMMs per output phase."""
    n, c_in = input.shape[:2]
    if n == 0:
        return im2col.conv_transpose(input, weight, bias, spec)
    g, c_out_g = spec.groups, weight.shape[1]
    c_in_g, ndim = c_in // g, len(spec.kernel_size)
    rows_first = rows_first_layout(input.dtype)
    per_dim = [
        phases_1d(*args)
        for args in zip(
            spec.input_size,
            spec.output_size,
            spec.kernel_size,
            spec.stride,
            spec.padding,
            spec.dilation,
        )
    ]
    if not all(any(p.taps for p in phases) for phases in per_dim):
        # No product at all (every input lands in the cropped padding): nothing to compute,
        # but im2col's GEMM still links the zero output to the input for autograd.
        return im2col.conv_transpose(input, weight, bias, spec)
    pads = tuple(_padding(p, i) for p, i in zip(per_dim, spec.input_size))
    padded = tuple(i + a + b for i, (a, b) in zip(spec.input_size, pads))
    plane = math.prod(padded)
    strides = [math.prod(padded[d + 1 :]) for d in range(ndim)]
    # w[g, c, o, *j] -> (*j, g, c, o) for X @ W, or (*j, g, o, c) for W^T @ X
    w = weight.reshape(g, c_in_g, c_out_g, *spec.kernel_size)
    order = (1, 2) if rows_first else (2, 1)
    w = w.permute(*range(3, 3 + ndim), 0, *order).contiguous()
    xp = grouped_channels_last(input, g, pads)  # (g, N, *padded, C_in/g)
    out = new_output(input, g * c_out_g, spec.output_size)
    b = None if bias is None else bias.view(g, 1, *([1] * ndim), c_out_g)
    samples = chunk_length(n, plane * (c_in + g * c_out_g))
    for batch in chunks(n, samples):
        m = batch.stop - batch.start
        x = xp[:, batch].reshape(g, m * plane, c_in_g)
        if not rows_first:
            x = x.transpose(1, 2).contiguous()
        for phase in itertools.product(*per_dim):
            if any(p.count == 0 for p in phase):
                continue
            region = tuple(slice(p.residue, None, s) for p, s in zip(phase, spec.stride))
            target = out[(slice(None), slice(None), *region)]
            taps = list(itertools.product(*(p.taps for p in phase)))
            if not taps:
                target[batch] = 0 if bias is None else bias.view(-1, *([1] * ndim))
                continue
            offsets = [
                sum((t.shift + before) * s for t, (before, _), s in zip(tap, pads, strides))
                for tap in taps
            ]
            length = (m - 1) * plane + sum((p.count - 1) * s for p, s in zip(phase, strides)) + 1
            y = _phase_rows(x, [w[tuple(t.j for t in tap)] for tap in taps], offsets, length,
                            rows_first)  # fmt: skip
            # Rows -> (g, m, *count, C_out/g): sample n, output m_d at row n*P + sum m_d S_d.
            row, channel = (y.stride(1), y.stride(2)) if rows_first else y.stride()[2:0:-1]
            y = y.as_strided(
                (g, m, *(p.count for p in phase), c_out_g),
                (y.stride(0), plane * row, *(s * row for s in strides), channel),
            )
            if b is not None:
                y = y + b
            write_slab(target, y, batch, slice(None))
    return out


def conv(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec):
    """An ordinary conv is a single phase: :func:`.channels_last.conv`."""
    return channels_last.conv(input, weight, bias, spec)
