"""Transposed convolution as **one** ordinary convolution plus a pixel shuffle.

In a transposed conv every input pixel `i` adds `x[i] w[j]` at (uncropped) output
position `q = i*s + j*d`. Group the outputs by their *phase* `r = o mod s`: output
`o = s*m + r` (`q = o + p = s*(m + c) + r'`, `c, r' = divmod(r + p, s)`) only
receives the taps with `j*d = r' (mod s)`, each from the input

    i = m + shift_j,     shift_j = c - (j*d - r') / s

Consecutive taps of a phase are `e = s / gcd(s, d)` apart, so their shifts are
`step = d / gcd(s, d)` apart: phase `r` reads the inputs `m + start_r + t*step` for
`t = 0 .. T_r - 1`. Every phase is an ordinary stride-1 convolution with a sub-kernel of
`T_r` taps and dilation `step`, shifted by its own `start_r`.

Line the phases up on the input they read first, `u = m + start_r`: then all `s`
phases are **the same** convolution `y[u, r] = sum_t x[u + t*step] w_r[t]` with
`T = max T_r` taps (a phase with fewer taps gets zero weights) and `s * C_out` output
channels, one block of `C_out` per phase, and

    out[s*m + r] = y[m + start_r, r]          (the "pixel shuffle")

In `ndim` dimensions the phases are the `prod(s)` combinations of residues and the
sub-kernel has `prod(T)` taps. When `s` divides `k*d`, e.g. `k=4, s=2`, no
multiply is wasted; otherwise the zero taps cost up to a factor `prod(T*s/(k*d))`.
No zeros are inserted into the input and nothing overlaps, so there is no col2im.

An ordinary conv with stride 1 and symmetric padding `p <= d*(k-1)` is a transposed conv
with one phase (`as_transposed`): `conv` runs it through the same pipeline,
where the "shuffle" only moves `Y^T`'s channels back in front.

This module is the algorithm: the phases (`phases_1d`), the common convolution
(`shuffle_1d`, `phase_conv`, `plan`), its weight (`shuffled_weight`) and the pixel
shuffle (`pixel_shuffle`). `_phase_engine` runs the common convolution (unrolled input,
one GEMM per first-dimension tap, in chunks).

Measured (torch 2.13 CPU, warm, minimum and median):

- the shuffled weight is one gather of whole kernels per input channel, `w[c, :, j]` for
  every tap position `j`: on the benchmark's 64x32x4x4 weight 39-45 us, against 78-82 us
  for a gather of single elements through a precomputed index;
- gathering it on every call dominated large weights on small maps (a 512x512 3x3 conv
  on 4x4 maps spent 9 of 12 ms per call gathering it), so `cached_weight` keeps it on
  the weight tensor.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Iterator

import torch

from . import _phase_engine, channels_last, im2col
from ._args import ConvSpec, ConvTransposeSpec
from ._common import needs_autograd


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`: one conv with `prod(s)*C_out` channels
    (`_phase_engine.run`, chunk by chunk), then the pixel shuffle."""
    if not applies_transposed(spec):
        return im2col.conv_transpose(input, weight, bias, spec)
    dims, window, _ = plan(spec)
    if _reads_nothing(input, window):
        return im2col.conv_transpose(input, weight, bias, spec)
    a = cached_weight(weight, spec.groups, dims)  # (g, C_in/g*T_rest, T_0, P*C_out/g)
    return _phase_engine.run(input, a, bias, spec, spec.groups * weight.shape[1])


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """An ordinary conv with stride 1 and symmetric padding is a transposed conv with one
    phase (`as_transposed`): the same pipeline, channels first, where the "pixel
    shuffle" only moves `Y^T`'s channels back in front. Other convs:
    `channels_last.conv`."""
    spec_t = as_transposed(spec)
    if spec_t is None:
        return channels_last.conv(input, weight, bias, spec)
    dims, window, _ = plan(spec_t)
    if _reads_nothing(input, window):
        return im2col.conv(input, weight, bias, spec)
    a = cached_weight(weight, spec.groups, dims, flipped=True)
    return _phase_engine.run(input, a, bias, spec_t, weight.shape[0])


def applies_transposed(spec: ConvTransposeSpec) -> bool:
    """At most as many phases as the dilated kernel has positions: `prod(s) <=
    prod(d*(k - 1) + 1)`. A larger stride leaves phases without taps (outputs that are
    only the bias), the shuffled weight `prod(s)` times wider and `prod(s)` copies per
    call; col2im (`im2col.conv_transpose`) costs what the taps cost, whatever the
    stride."""
    spans = (d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation))
    return math.prod(spec.stride) <= math.prod(spans)


def work_ratio(spec: ConvTransposeSpec) -> float:
    """Multiplies of the common convolution per multiply of the transposed conv: 1 when
    every phase has as many taps as the others (`s` divides `k*d`), up to
    `prod(T*s/(k*d))` when phases with fewer taps are padded with zero weights (16/9 for
    `k=3, s=2`)."""
    dims, _, _ = plan(spec)
    done = math.prod(dim.taps * len(dim.starts) for dim in dims)
    return done / math.prod(spec.kernel_size)


def as_transposed(spec: ConvSpec) -> ConvTransposeSpec | None:
    """The transposed conv that computes this ordinary conv, if there is one: stride 1,
    padding `d*(k-1) - p` (symmetric, at least 0), the same sizes. Its weight is the
    ordinary one with the channel axes swapped and the kernel flipped (the transposed conv
    is the adjoint: `o = i + j*d - p'` reverses `i = o + j*d - p`)."""
    extents = [d * (k - 1) for k, d in zip(spec.kernel_size, spec.dilation)]
    symmetric = all(before == after for before, after in spec.padding)
    if any(s != 1 for s in spec.stride) or not symmetric:
        return None
    padding = tuple(extent - before for extent, (before, _) in zip(extents, spec.padding))
    if any(p < 0 for p in padding):
        return None
    ndim = len(spec.kernel_size)
    return ConvTransposeSpec(
        kernel_size=spec.kernel_size,
        stride=(1,) * ndim,
        padding=padding,
        output_padding=(0,) * ndim,
        dilation=spec.dilation,
        groups=spec.groups,
        input_size=spec.input_size,
        output_size=spec.output_size,
    )


def _reads_nothing(input: torch.Tensor, window: tuple[slice, ...]) -> bool:
    """No samples, or every kept output reads only padding (the output is the bias): then
    im2col runs the call, whose GEMM still links the output to the input for autograd."""
    return input.shape[0] == 0 or any(w.stop <= w.start for w in window)


@dataclasses.dataclass(frozen=True)
class Tap1d:
    """Tap `j` feeds the phase's output `m` from input `m + shift`."""

    j: int
    shift: int


@dataclasses.dataclass(frozen=True)
class Phase1d:
    """Outputs `o = residue + s*m` for `m < count` along one dimension, and their taps
    (in order of increasing `shift`)."""

    residue: int
    count: int
    taps: tuple[Tap1d, ...]


def phases_1d(
    output_size: int, kernel: int, stride: int, padding: int, dilation: int
) -> list[Phase1d]:
    """The `stride` phases of one dimension (formulas in the module docstring).

    Every tap is listed, also one that reads only zero padding for this phase's outputs.
    """
    phases = []
    for residue in range(stride):
        count = max(0, -(-(output_size - residue) // stride))
        c, r = divmod(residue + padding, stride)
        taps = [
            Tap1d(j, c - (j * dilation - r) // stride)
            for j in range(kernel)
            if (j * dilation - r) % stride == 0
        ]
        phases.append(Phase1d(residue, count, tuple(sorted(taps, key=lambda t: t.shift))))
    return phases


@dataclasses.dataclass(frozen=True)
class Shuffle1d:
    """The common convolution along one dimension (module docstring).

    Phase `r` has output `m` at row `u = m + starts[r]`; the convolution has
    `taps` taps `step` apart; `kernel_index[t][r]` is the kernel tap `j` that phase
    `r` uses as tap `t`, or `None` (a zero weight).
    """

    starts: tuple[int, ...]
    counts: tuple[int, ...]
    step: int
    taps: int
    kernel_index: tuple[tuple[int | None, ...], ...]

    @functools.cached_property
    def first(self) -> int:
        """The first row `u` any phase keeps."""
        return min(self.starts)

    @functools.cached_property
    def rows(self) -> int:
        """Rows `u` from `first` to the last one any phase keeps."""
        return max(s + c for s, c in zip(self.starts, self.counts)) - self.first

    @functools.cached_property
    def delta(self) -> int:
        """How far the phases' starts move per residue, `starts[1] - starts[0]`."""
        return self.starts[1] - self.starts[0] if len(self.starts) > 1 else 0

    @functools.cached_property
    def uniform(self) -> bool:
        """Every phase keeps the same number of outputs and `start_r = start_0 + r*delta`:
        the shuffle along this dimension is a single strided view (`delta >= 0`: torch
        views have no negative strides)."""
        return (
            self.delta >= 0
            and all(n == self.counts[0] for n in self.counts)
            and all(start == self.starts[0] + r * self.delta for r, start in enumerate(self.starts))
        )

    @functools.cached_property
    def last_read(self) -> int:
        """The last input any tap of any kept row reads."""
        return self.first + self.rows - 1 + (self.taps - 1) * self.step


def shuffle_1d(
    output_size: int, kernel: int, stride: int, padding: int, dilation: int
) -> Shuffle1d:
    """Line the phases of one dimension up on a common sub-kernel."""
    phases = phases_1d(output_size, kernel, stride, padding, dilation)
    step = dilation // math.gcd(stride, dilation)
    starts = tuple(p.taps[0].shift if p.taps else 0 for p in phases)
    taps = max((p.taps[-1].shift - start) // step + 1 for p, start in zip(phases, starts) if p.taps)
    kernel_index: list[list[int | None]] = [[None] * stride for _ in range(taps)]
    for phase, start in zip(phases, starts):
        for tap in phase.taps:
            kernel_index[(tap.shift - start) // step][phase.residue] = tap.j
    return Shuffle1d(
        starts,
        tuple(p.count for p in phases),
        step,
        taps,
        tuple(tuple(row) for row in kernel_index),
    )


def shuffled_weight(
    weight: torch.Tensor, groups: int, dims: tuple[Shuffle1d, ...], flipped: bool = False
) -> torch.Tensor:
    """The weight of the common convolution, laid out for the GEMMs:
    `A[g, (c, t_rest), t_0, (r, o)] = w[g*C_in/g + c, o, *j_r(t)]`, zero where phase `r`
    has no tap `t`. `A[:, :, t_0]` is the `(K, N)` operand of tap `t_0` (rows:
    `C_in/g` blocks of `prod(T_rest)` taps, matching `_phase_engine._unroll`'s `U`; columns:
    one block of `C_out/g` per phase).

    `flipped`: `weight` is an ordinary conv's `(C_out, C_in/g, *k)`, and the transposed
    conv's weight is it with the channel axes swapped and the kernel flipped (`conv`).

    One gather of whole kernels per input channel, `w[c, :, j]` for every tap position
    `j`: half the time of a gather of single elements (module docstring).
    """
    kernel = tuple(weight.shape[2:])
    positions, missing = _tap_positions(kernel, dims, flipped)
    taps = math.prod(kernel)
    if flipped:
        c_out, c_in_g = weight.shape[:2]
        c_out_g = c_out // groups
        w = weight.reshape(groups, c_out_g, c_in_g, taps).permute(0, 2, 3, 1)
    else:
        c_in, c_out_g = weight.shape[:2]
        c_in_g = c_in // groups
        w = weight.reshape(groups, c_in_g, c_out_g, taps).transpose(2, 3)
    a = w[:, :, positions].contiguous()  # (g, C_in/g, (t_rest, t_0, r), C_out/g)
    if missing is not None:
        a.index_fill_(2, missing, 0)
    depth = c_in_g * math.prod(dim.taps for dim in dims[1:])
    phases = math.prod(len(dim.starts) for dim in dims)
    return a.view(groups, depth, dims[0].taps, phases * c_out_g)


def cached_weight(
    weight: torch.Tensor, groups: int, dims: tuple[Shuffle1d, ...], flipped: bool = False
) -> torch.Tensor:
    """`shuffled_weight`, kept on the weight tensor itself for the next call.

    The entry is valid while the weight's storage, dtype and version counter are those it
    was made from: an optimizer step, `load_state_dict` or any in-place write bumps the
    version, so training and inference both read the current weight. A weight recorded by
    autograd is not cached (the gather must stay in the graph). The copy costs the weight's
    size once more in memory, and saves the gather that dominates large weights on small
    maps (module docstring).
    """
    if needs_autograd(weight) or torch.compiler.is_compiling():
        return shuffled_weight(weight, groups, dims, flipped)
    key = (weight.data_ptr(), weight._version, weight.dtype, groups, dims, flipped)
    entry = getattr(weight, "_convnotes_phase_weight", None)
    if entry is not None and entry[0] == key:
        return entry[1]
    a = shuffled_weight(weight, groups, dims, flipped)
    weight._convnotes_phase_weight = (key, a)  # type: ignore[attr-defined]
    return a


@functools.lru_cache(maxsize=32)
def _tap_positions(
    kernel: tuple[int, ...], dims: tuple[Shuffle1d, ...], flipped: bool = False
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Per `(t_rest, t_0, r)` (last index fastest) the flattened kernel position of the
    tap phase `r` uses as tap `t` (`flipped`: of the kernel flipped in every
    dimension), and the list of those with no tap (`None`: every phase has all; their
    position is a placeholder, 0)."""
    ndim = len(dims)
    strides = [math.prod(kernel[d + 1 :]) for d in range(ndim)]
    positions: list[int] = []
    missing: list[int] = []
    taps = itertools.product(*(range(dim.taps) for dim in (*dims[1:], dims[0])))
    for *rest, t0 in taps:
        for residues in itertools.product(*(range(len(dim.starts)) for dim in dims)):
            index = [dim.kernel_index[t][r] for dim, t, r in zip(dims, (t0, *rest), residues)]
            j = [jd for jd in index if jd is not None]
            if len(j) < ndim:
                missing.append(len(positions))
                positions.append(0)
            else:
                j = [k - 1 - jd for jd, k in zip(j, kernel)] if flipped else j
                positions.append(sum(jd * st for jd, st in zip(j, strides)))
    return torch.tensor(positions), torch.tensor(missing) if missing else None


def phase_conv(
    spec: ConvTransposeSpec, dims: tuple[Shuffle1d, ...]
) -> tuple[tuple[slice, ...], ConvSpec]:
    """The ordinary convolution all phases share: which part of the input it reads, and
    its spec (`T` taps `step` apart, stride 1, zero padding where rows read outside)."""
    window, padding = [], []
    for dim, size in zip(dims, spec.input_size):
        lo, hi = max(dim.first, 0), min(size, dim.last_read + 1)
        window.append(slice(lo, hi))
        padding.append((lo - dim.first, dim.last_read + 1 - hi))
    conv_spec = ConvSpec(
        kernel_size=tuple(dim.taps for dim in dims),
        stride=(1,) * len(dims),
        padding=tuple(padding),
        dilation=tuple(dim.step for dim in dims),
        groups=spec.groups,
        input_size=tuple(w.stop - w.start for w in window),
        output_size=tuple(dim.rows for dim in dims),
    )
    return tuple(window), conv_spec


@functools.lru_cache(maxsize=64)
def plan(spec: ConvTransposeSpec) -> tuple[tuple[Shuffle1d, ...], tuple[slice, ...], ConvSpec]:
    """Per dimension the shuffle, then the common convolution (pure function of the spec)."""
    dims = tuple(
        shuffle_1d(*args)
        for args in zip(
            spec.output_size,
            spec.kernel_size,
            spec.stride,
            spec.padding,
            spec.dilation,
        )
    )
    return dims, *phase_conv(spec, dims)


def _shuffle_at_once(
    y: torch.Tensor, target: torch.Tensor, dims: tuple[Shuffle1d, ...]
) -> tuple[torch.Tensor, torch.Tensor]:
    """`pixel_shuffle` as one `(into, from)` pair, when every dimension is
    `Shuffle1d.uniform`: `y[.., m + start_0 - first + r*delta, .., r, ..]` is then
    one strided view."""
    ndim = len(dims)
    st = y.stride()
    sizes, strides = [target.shape[0], target.shape[1], target.shape[2]], [st[1], st[0], st[-1]]
    offset = y.storage_offset()
    for d, dim in enumerate(dims):
        m_stride, r_stride = st[2 + d], st[2 + ndim + d]
        sizes += [dim.counts[0], len(dim.starts)]
        strides += [m_stride, r_stride + dim.delta * m_stride]
        offset += (dim.starts[0] - dim.first) * m_stride
    source = y.as_strided(sizes, strides, offset)  # (n, g, c, m_0, r_0, m_1, r_1, ..)
    view = target
    for d, dim in enumerate(dims):
        view = view.unflatten(3 + 2 * d, (dim.counts[0], len(dim.starts)))
    return view, source


def pixel_shuffle(
    y: torch.Tensor,
    out: torch.Tensor,
    batch: slice,
    rows: slice,
    spec: ConvTransposeSpec,
    dims: tuple[Shuffle1d, ...],
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The pixel shuffle of one chunk as `(into out, from y)` pairs of views:
    `out[n, g*C/g + c, *(s*m + r)] = y[g, n, *u, *r, c]` with `u = m + start_r - first`,
    where `y` holds the rows `u_0` in `rows`."""
    g, c = y.shape[0], y.shape[-1]
    ndim = len(dims)
    target = out.unflatten(1, (g, c))[batch]
    if rows == slice(0, dims[0].rows) and all(dim.uniform for dim in dims):
        yield _shuffle_at_once(y, target, dims)
        return
    for residues in itertools.product(*(range(s) for s in spec.stride)):
        kept, local = [], []  # per dimension: (first m, count) here, and where y holds them
        for d, (dim, r) in enumerate(zip(dims, residues)):
            offset = dim.starts[r] - dim.first  # u of m = 0
            lo, hi = offset, offset + dim.counts[r]
            held = rows if d == 0 else slice(0, dim.rows)
            lo, hi = max(lo, held.start), min(hi, held.stop)
            kept.append((lo - offset, hi - lo))
            local.append(slice(lo - held.start, hi - held.start))
        if any(count <= 0 for _, count in kept):
            continue
        source = y[(slice(None), slice(None), *local, *residues)]  # (g, n, *count, c)
        region = tuple(
            slice(r + s * m0, r + s * (m0 + count - 1) + 1, s)
            for r, s, (m0, count) in zip(residues, spec.stride, kept)
        )
        view = target[(slice(None), slice(None), slice(None), *region)]
        yield view, source.permute(1, 0, 2 + ndim, *range(2, 2 + ndim))
