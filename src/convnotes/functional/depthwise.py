"""Depthwise convolution (`groups == C_in`): multiply-adds per tap, no GEMM.

With one input channel per group, each output channel is a 2d (or 1d, 3d) filter of one
input plane; there is no channel sum to hand to a matrix product, and im2col would copy
`prod(k)` times the input to then do a tiny product per column. Here each kernel tap
is one fused multiply-add over a strided window of the padded input:

    y[n, c*m + r, o] = b[c*m + r] + sum_j w[c*m + r, 0, j] * x_pad[n, c, o*s + j*d]

(`m = C_out / C_in` is the channel multiplier). The work is memory-bound, so it runs on
chunks of planes small enough to stay in the cache while all `prod(k)` taps pass over
them. Other group settings go to `channels_last`.
"""

from __future__ import annotations

import torch

from . import channels_last
from ._args import ConvSpec, ConvTransposeSpec
from ._common import kernel_offsets, needs_autograd, window, zero_pad
from ._layout import chunk_length, chunks

# Output elements per chunk (8 MiB of float32): measured, smaller chunks lose more to the
# per-operation overhead than they gain in cache hits.
PLANES_CHUNK_ELEMENTS = 1 << 21


def is_depthwise(input: torch.Tensor, weight: torch.Tensor, groups: int) -> bool:
    """One input channel per group (`weight.shape[1] == 1`) and more than one group."""
    return groups > 1 and groups == input.shape[1] and weight.shape[1] == 1


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`(N, C, *i)` -> `(N, C*m, *o)`, one multiply-add per tap and chunk of planes."""
    if not is_depthwise(input, weight, spec.groups) or input.shape[0] == 0:
        return channels_last.conv(input, weight, bias, spec)
    n, c = input.shape[:2]
    m = weight.shape[0] // c
    x = zero_pad(input, spec.padding).unsqueeze(2)  # (N, C, 1, *padded)
    ndim = len(spec.kernel_size)
    w = weight.reshape(c, m, *spec.kernel_size)
    out = input.new_empty(n, c, m, *spec.output_size)
    per_plane = m * out[0, 0, 0].numel()
    planes = chunk_length(c, per_plane, PLANES_CHUNK_ELEMENTS)
    samples = chunk_length(n, c * per_plane, PLANES_CHUNK_ELEMENTS) if planes == c else 1
    taps = [
        (window(offset, spec.dilation, spec.stride, spec.output_size), offset)
        for offset in kernel_offsets(spec.kernel_size)
    ]
    spatial_ones = (1,) * ndim
    # Without autograd the first tap writes its products (out= is not differentiable)
    # instead of adding them to zeros: one pass over the output less.
    overwrite = bias is None and not needs_autograd(input, weight)
    for batch in chunks(n, samples):
        for channels in chunks(c, planes):
            y = out[batch, channels]
            if bias is not None:
                y.copy_(bias.view(c, m, *spatial_ones)[channels].expand_as(y))
            elif not overwrite:
                y.zero_()
            for k, (region, offset) in enumerate(taps):
                w_tap = w[(channels, slice(None), *offset)].view(-1, m, *spatial_ones)
                source = x[(batch, channels, slice(None), *region)]
                if overwrite and k == 0:
                    torch.mul(source, w_tap, out=y)
                else:
                    y.addcmul_(source, w_tap)
    return out.view(n, c * m, *spec.output_size)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """Depthwise transposed conv (`groups == C_in`, weight `(C_in, m, *k)`): every tap
    scatters its products with one multiply-add into a strided window of the uncropped
    output, `y_full[n, c*m + r, i*s + j*d] += x[n, c, i] * w[c, r, j]`, which is then
    cropped by the padding. It is the input gradient of a depthwise conv. Other group
    settings go to `channels_last`."""
    n, c = input.shape[:2]
    if spec.groups != c or c <= 1 or input.shape[0] == 0:
        return channels_last.conv_transpose(input, weight, bias, spec)
    m = weight.shape[1]
    ndim = len(spec.kernel_size)
    full = [
        max(p + o, (i - 1) * s + d * (k - 1) + 1)
        for p, o, i, s, d, k in zip(
            spec.padding, spec.output_size, spec.input_size, spec.stride, spec.dilation,
            spec.kernel_size,
        )
    ]  # fmt: skip
    y = input.new_zeros(n, c, m, *full)
    x = input.unsqueeze(2)  # (N, C, 1, *i)
    w = weight.reshape(c, m, *spec.kernel_size)
    spatial_ones = (1,) * ndim
    for offset in kernel_offsets(spec.kernel_size):
        region = window(offset, spec.dilation, spec.stride, spec.input_size)
        w_tap = w[(slice(None), slice(None), *offset)].view(c, m, *spatial_ones)
        y[(slice(None), slice(None), slice(None), *region)].addcmul_(x, w_tap)
    crop = tuple(slice(p, p + o) for p, o in zip(spec.padding, spec.output_size))
    out = y[(slice(None), slice(None), slice(None), *crop)].reshape(n, c * m, *spec.output_size)
    if bias is not None:
        out += bias.view(-1, *spatial_ones)
    return out
