"""FFT convolution: the cost no longer grows with the kernel size.

Cross-correlation becomes a product in the frequency domain. With ``L >= i + 2p`` points
per dimension (the padded input's size), the *circular* cross-correlation

    y[o] = sum_j x_pad[(o + j) mod L] w_dil[j]   <=>   Y[f] = X[f] * conj(W[f])

equals the linear one for every output ``o`` we keep (``o + j`` never wraps), where
``w_dil`` is the kernel with ``d - 1`` zeros between taps (dilation). The channel sum is a
matrix product per frequency and group:

    Y[f, g] (N x C_out/g) = X[f, g] (N x C_in/g) @ conj(W[f, g]) (C_in/g x C_out/g)

A direct conv costs ``prod(k)`` multiply-adds per output and channel pair; this costs
``O(log L)`` per point for the transforms plus one complex multiply-add per frequency and
channel pair, so it wins for large kernels (``k >= 15`` in the benchmark). A stride
``s > 1`` computes every output and keeps each ``s``-th. Rounding error grows like
``log L`` times the machine epsilon of the *largest* values, so small outputs next to
large ones lose relative precision (tested to 1e-9 in float64). Integer tensors go to
:mod:`.channels_last`; so do transposed convs.
"""

from __future__ import annotations

import math

import torch

from . import channels_last
from ._args import ConvSpec, ConvTransposeSpec
from ._common import add_bias, zero_pad


def fast_length(n: int) -> int:
    """The smallest ``m >= n`` whose prime factors are 2, 3 and 5 (fast FFT sizes)."""
    m = n
    while True:
        r = m
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return m
        m += 1


def dilated(weight: torch.Tensor, dilation: tuple[int, ...]) -> torch.Tensor:
    """``w_dil[.., j*d] = w[.., j]``, zeros between the taps."""
    if all(d == 1 for d in dilation):
        return weight
    span = tuple(d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation))
    out = weight.new_zeros(*weight.shape[:2], *span)
    out[(..., *(slice(None, None, d) for d in dilation))] = weight
    return out


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """``(N, C_in, *i)`` -> ``(N, C_out, *o)``: ``rfftn``, a product per frequency, ``irfftn``."""
    if not input.dtype.is_floating_point or 0 in input.shape[:2]:
        return channels_last.conv(input, weight, bias, spec)
    n, c_in = input.shape[:2]
    c_out, g = weight.shape[0], spec.groups
    ndim = len(spec.kernel_size)
    dims = tuple(range(2, 2 + ndim))
    x = zero_pad(input, spec.padding)
    lengths = tuple(fast_length(p) for p in x.shape[2:])
    x_f = torch.fft.rfftn(x, s=lengths, dim=dims)  # (N, C_in, *F)
    w_f = torch.fft.rfftn(dilated(weight, spec.dilation), s=lengths, dim=dims)
    freqs = x_f.shape[2:]
    f = math.prod(freqs)
    x_m = x_f.reshape(n, g, c_in // g, f).permute(3, 1, 0, 2)  # (F, G, N, C_in/g)
    w_m = (
        w_f.conj().reshape(g, c_out // g, c_in // g, f).permute(3, 0, 2, 1)
    )  # (F, G, C_in/g, C_out/g)
    y_m = torch.matmul(x_m, w_m)  # (F, G, N, C_out/g)
    y_f = y_m.permute(2, 1, 3, 0).reshape(n, c_out, *freqs)
    y = torch.fft.irfftn(y_f, s=lengths, dim=dims)
    keep = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(spec.output_size, spec.stride))
    return add_bias(y[(..., *keep)].contiguous(), bias)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """Transposed convs go to :func:`.channels_last.conv_transpose`."""
    return channels_last.conv_transpose(input, weight, bias, spec)
