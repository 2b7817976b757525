"""FFT convolution by overlap-save tiles: the cost no longer grows with the kernel size.

Cross-correlation becomes a product in the frequency domain. For a signal of `L` points
per dimension the *circular* cross-correlation is

    y[o] = sum_j x[(o + j) mod L] w_dil[j]   <=>   Y[f] = X[f] * conj(W[f])

where `w_dil` is the kernel with `d - 1` zeros between taps (dilation), `span =
d*(k - 1) + 1` points long. It equals the linear cross-correlation for every `o` with
`o + span - 1 < L` (`o + j` never wraps). The sum over the input channels `c` of a
group stays a sum, one per frequency:

    Y[n, o, f] = sum_c X[n, c, f] * conj(W[o, c, f])

**Overlap-save.** One transform of the whole padded input would need spectra as large as
the image, for every channel and every channel pair of the kernel. Instead the stride-1
output is cut into tiles of `T` points per dimension, `T + span - 1 <= L` with `L` a
fast FFT length: tile `t` reads the `L` padded-input points from `t*T` on (its
neighbours' points included, hence "overlap"), and of its circular result keeps `o < T`
("save"), which never wrapped:

    y[t*T + o] = irfft(rfft(x_pad[t*T : t*T + L]) * conj(W))[o]     for 0 <= o < T

`W` (the kernel's spectrum at size `L`) is computed once per call. The tile is the
largest for which the spectra of one tile and the kernel's fit `CHUNK_VALUES`, and a
chunk of tiles (and samples) that share one batched transform fits it too, so the memory
stays bounded however large the image is. The cost is
`O(log L)` per point for the transforms plus one complex multiply-add per frequency and
channel pair, against `prod(k)` multiply-adds per output and channel pair for a direct
conv, so it wins for large kernels (`auto.FFT_MIN_TAPS`); overlapping tiles
transform `(L/T)**ndim` times the output's points.

A stride `s > 1` computes every stride-1 output of a tile and keeps each `s`-th (`T`
is a multiple of `s`, so every tile keeps the same offsets). Rounding error grows like
`log L` times the machine epsilon of the *largest* values, so small outputs next to large
ones lose relative precision (tested to 1e-9 in float64). Integer tensors go to
`channels_last`; so do transposed convs.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch

from . import channels_last
from ._args import ConvSpec, ConvTransposeSpec
from ._common import add_bias

# Complex values of the input and output spectra of one chunk of tiles, and of one tile's
# next to the kernel's: about twice this is alive at once. 2**17 are 1 MiB in complex64:
# tiles of ~150 points per side for a few channels (the benchmark's k31 problem: two
# chunks of two 160x160 tiles for 256x256), large enough for the transforms to run at full
# speed while the peak memory stays near torch's.
CHUNK_VALUES = 1 << 17


def is_fast(n: int) -> bool:
    """Whether the prime factors of `n >= 1` are all 2, 3 or 5 (fast FFT sizes)."""
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def _odd_parts(limit: int) -> list[int]:
    """Every `3^b * 5^c <= limit` (`limit >= 1`): `O(log(limit)^2)` values."""
    parts, p5 = [], 1
    while p5 <= limit:
        p35 = p5
        while p35 <= limit:
            parts.append(p35)
            p35 *= 3
        p5 *= 5
    return parts


def fast_length(n: int) -> int:
    """The smallest fast FFT size `m >= n`: for each odd part `q = 3^b 5^c`, the least
    power of two with `2^a q >= n`; the best of those (`q` up to the first `>= n`)."""
    if n <= 1:
        return 1
    return min(q << (-(-n // q) - 1).bit_length() for q in _odd_parts(3 * n))


def fast_length_below(n: int) -> int:
    """The largest fast FFT size `m < n` (`n >= 2`): for each odd part `q < n`, the
    largest power of two with `2^a q <= n - 1`; the best of those."""
    return max(q << ((n - 1) // q).bit_length() - 1 for q in _odd_parts(n - 1))


def dilated(weight: torch.Tensor, dilation: tuple[int, ...]) -> torch.Tensor:
    """`w_dil[.., j*d] = w[.., j]`, zeros between the taps."""
    if all(d == 1 for d in dilation):
        return weight
    span = tuple(d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation))
    out = weight.new_zeros(*weight.shape[:2], *span)
    out[(..., *(slice(None, None, d) for d in dilation))] = weight
    return out


def spectrum_size(lengths: tuple[int, ...]) -> int:
    """Complex values of one real `rfftn` of size `lengths` (the last dimension halved)."""
    return math.prod(lengths[:-1]) * (lengths[-1] // 2 + 1)


def ceil_div(n: int, d: int) -> int:
    return -(-n // d)


def round_up(n: int, multiple: int) -> int:
    return ceil_div(n, multiple) * multiple


@dataclass(frozen=True)
class Tiling:
    """Overlap-save tiles along one dimension of the stride-1 output (`extent` points)."""

    extent: int  # stride-1 outputs: (o - 1)*s + 1
    span: int  # dilated kernel size
    stride: int
    tile: int  # T: stride-1 outputs per tile, a multiple of the stride
    length: int  # L: FFT size, a fast length >= T + span - 1

    @property
    def count(self) -> int:
        return ceil_div(self.extent, self.tile)

    @property
    def kept(self) -> int:
        """Outputs each tile keeps: every `s`-th of its `T`."""
        return self.tile // self.stride

    @classmethod
    def fitting(cls, extent: int, span: int, stride: int, max_length: int | None) -> Tiling:
        """The fewest equal tiles whose FFT size is at most `max_length` (a fast length).

        `None`: one tile. A tile never gets smaller than the span (rounded up to the
        stride): below that the overlap would cost more than the tile computes.
        """
        if max_length is None:
            largest = round_up(extent, stride)
        else:
            smallest = round_up(span, stride)
            largest = max((max_length - span + 1) // stride * stride, smallest)
        count = ceil_div(extent, largest)
        tile = round_up(ceil_div(extent, count), stride)
        return cls(extent, span, stride, tile, fast_length(tile + span - 1))

    def shrunk(self) -> Tiling | None:
        """Tiles for the next smaller fast length, or `None` if they cannot shrink."""
        if self.length <= 1:
            return None
        smaller = Tiling.fitting(
            self.extent, self.span, self.stride, fast_length_below(self.length)
        )
        return smaller if smaller.length < self.length else None


def plan_tiles(spec: ConvSpec, channels: int, kernel_spectra: int) -> list[Tiling]:
    """Per dimension, the largest tiles with `(channels + kernel_spectra) * F <= CHUNK_VALUES`.

    `F` is the spectrum size of one tile, `channels` the spectra one tile of one sample
    needs (`C_in + C_out`), `kernel_spectra` the kernel's (`C_out * C_in/g`). Starts
    from one tile per dimension and shrinks the longest FFT size until it fits.
    """
    tilings = [
        Tiling.fitting((o - 1) * s + 1, d * (k - 1) + 1, s, None)
        for o, s, k, d in zip(spec.output_size, spec.stride, spec.kernel_size, spec.dilation)
    ]
    shrinkable = set(range(len(tilings)))
    while shrinkable:
        lengths = tuple(t.length for t in tilings)
        if (channels + kernel_spectra) * spectrum_size(lengths) <= CHUNK_VALUES:
            break
        k = max(shrinkable, key=lambda k: lengths[k])
        smaller = tilings[k].shrunk()
        if smaller is None:
            shrinkable.remove(k)
        else:
            tilings[k] = smaller
    return tilings


def box_shape(counts: tuple[int, ...], tiles: int) -> tuple[int, ...]:
    """Tiles per dimension of a box of at most `tiles` tiles, filled last dimension first."""
    shape = []
    for count in reversed(counts):
        shape.append(max(1, min(count, tiles)))
        tiles //= shape[-1]
    return tuple(reversed(shape))


def input_region(x: torch.Tensor, start: list[int], stop: list[int]) -> torch.Tensor:
    """`x[..., start:stop]` per spatial dimension, zeros where that lies outside `x`."""
    if all(a >= 0 and b <= n for a, b, n in zip(start, stop, x.shape[2:])):
        return x[(..., *(slice(a, b) for a, b in zip(start, stop)))]
    region = x.new_zeros(*x.shape[:2], *(b - a for a, b in zip(start, stop)))
    inside = [(min(max(a, 0), n), min(max(b, 0), n)) for a, b, n in zip(start, stop, x.shape[2:])]
    if all(lo < hi for lo, hi in inside):
        source = tuple(slice(lo, hi) for lo, hi in inside)
        target = tuple(slice(lo - a, hi - a) for (lo, hi), a in zip(inside, start))
        region[(..., *target)] = x[(..., *source)]
    return region


def kernel_spectra(weight: torch.Tensor, spec: ConvSpec, lengths: tuple[int, ...]) -> torch.Tensor:
    """`conj(W)` at FFT size `lengths`: `(G, C_out/g, C_in/g, 1, F)`, frequencies flat."""
    c_out, c_in_g, g = weight.shape[0], weight.shape[1], spec.groups
    dims = tuple(range(2, 2 + len(lengths)))
    w_f = torch.fft.rfftn(dilated(weight, spec.dilation), s=lengths, dim=dims)
    return w_f.conj_physical_().reshape(g, c_out // g, c_in_g, 1, -1)


def spectral_product(x_f: torch.Tensor, w_f: torch.Tensor) -> torch.Tensor:
    """`Y[n, g, o, b, f] = sum_c X[n, g, c, b, f] * conj(W)[g, o, c, f]`.

    `x_f`: `(n, G, C_in/g, B, F)` (`B` tiles), `w_f` from `kernel_spectra`.
    One broadcast multiply-add per input channel. With the few rows (tiles times samples)
    a chunk holds, that measured 1.5-5x faster than a batched matrix product per frequency
    up to 32 channels per group, as fast at 64, and needs no copy to move the channels
    innermost.
    """
    y_f = x_f[:, :, :1] * w_f[:, :, 0]
    for c in range(1, x_f.shape[2]):
        y_f.addcmul_(x_f[:, :, c : c + 1], w_f[:, :, c])
    return y_f


def interleave(y: torch.Tensor) -> torch.Tensor:
    """`(n, C, *b, *t)` -> `(n, C, *(b*t))`: the tiles side by side."""
    ndim = (y.dim() - 2) // 2
    order = [0, 1, *itertools.chain.from_iterable((2 + k, 2 + ndim + k) for k in range(ndim))]
    sizes = [b * t for b, t in zip(y.shape[2 : 2 + ndim], y.shape[2 + ndim :])]
    return y.permute(order).reshape(*y.shape[:2], *sizes)


def chunk_output(
    x: torch.Tensor,
    w_f: torch.Tensor,
    tilings: list[Tiling],
    corner: tuple[int, ...],
    counts: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
) -> torch.Tensor:
    """Overlap-save on `counts` tiles from tile index `corner` on: `(n, C_out, *(b*t))`.

    Tile `c` reads the padded input from `c*T` to `c*T + L` and keeps its first `T`
    outputs (every `s`-th: `t = T/s` of them). Each buffer is freed as soon as the next
    one exists, so that about two chunks of spectra are alive at once.
    """
    n = x.shape[0]
    g, c_out_g, c_in_g, _, f = w_f.shape
    dims = tuple(range(-len(tilings), 0))
    start = [c * t.tile - p for c, t, (p, _) in zip(corner, tilings, padding)]
    stop = [a + (b - 1) * t.tile + t.length for a, b, t in zip(start, counts, tilings)]
    tiles = input_region(x, start, stop)
    for k, t in enumerate(tilings):
        tiles = tiles.unfold(2 + k, t.length, t.tile)  # (n, C_in, *b, *L)
    tiles = tiles.contiguous()  # the tiles overlap: copy them, and free a region first
    x_f = torch.fft.rfftn(tiles, dim=dims)  # (n, C_in, *b, *F)
    del tiles
    spectra = (n, g * c_out_g, *x_f.shape[2:])
    y_f = spectral_product(x_f.reshape(n, g, c_in_g, -1, f), w_f).reshape(spectra)
    del x_f
    if len(dims) > 1:  # irfftn's two steps, so that the product's spectra go before y comes
        y_f = torch.fft.ifftn(y_f, dim=dims[:-1])
    y = torch.fft.irfft(y_f, n=tilings[-1].length, dim=-1)
    del y_f
    return interleave(y[(..., *(slice(0, t.tile, t.stride) for t in tilings))])


def applies(input: torch.Tensor, weight: torch.Tensor, spec: ConvSpec) -> bool:
    """Real floating point, something to compute, and a stride that wastes less than the
    kernel saves: the tiles compute every stride-1 output, `prod(s)` times the kept ones,
    while a direct method spends `prod(k)` multiply-adds per kept output."""
    return (
        input.dtype.is_floating_point
        and input.numel() > 0
        and weight.numel() > 0
        and math.prod(spec.stride) <= math.prod(spec.kernel_size)
    )


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`: overlap-save tiles, chunk by chunk."""
    if not applies(input, weight, spec):
        return channels_last.conv(input, weight, bias, spec)
    n, c_in = input.shape[:2]
    c_out = weight.shape[0]
    tilings = plan_tiles(spec, c_in + c_out, c_out * weight.shape[1])
    lengths = tuple(t.length for t in tilings)
    w_f = kernel_spectra(weight, spec, lengths)
    # A chunk holds one tile of several samples, or several tiles of every sample.
    units = max(1, CHUNK_VALUES // ((c_in + c_out) * spectrum_size(lengths)))
    samples = min(n, units)
    box = box_shape(tuple(t.count for t in tilings), units // samples)
    out = input.new_empty(n, c_out, *spec.output_size)
    for first in range(0, n, samples):
        x = input[first : first + samples]
        for corner in itertools.product(*(range(0, t.count, b) for t, b in zip(tilings, box))):
            counts = tuple(min(b, t.count - c) for b, c, t in zip(box, corner, tilings))
            y = chunk_output(x, w_f, tilings, corner, counts, spec.padding)
            target = tuple(
                slice(c * t.kept, min((c + b) * t.kept, o))
                for c, b, t, o in zip(corner, counts, tilings, spec.output_size)
            )
            y = y[(..., *(slice(0, r.stop - r.start) for r in target))]
            out[(slice(first, first + samples), slice(None), *target)] = add_bias(y, bias)
    return out


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """Transposed convs go to `channels_last.conv_transpose`."""
    return channels_last.conv_transpose(input, weight, bias, spec)
