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

The input is unrolled **channels first** (its own layout) for shifted GEMMs. Unroll every
dimension but the first,
`U[(c, t_rest), (n, p_0, u_rest)] = x_pad[n, c, p_0, u_rest + t_rest*step]` (contiguous
runs along the last dimension). Output row `u_0` with first-dimension tap `t_0` reads
`p_0 = u_0 + t_0*step_0`: the same matrix shifted by `t_0*step_0*prod(u_rest)` columns,

    Y[:, cols] = sum_t0 A[t_0]^T @ U[:, cols + t_0*step_0*prod(u_rest)]

with `A[t_0]` of shape `(C_in/g*prod(T_rest)) x (prod(s)*C_out/g)`: every phase's
weights side by side, one GEMM per `t_0`. The columns between the wanted ones are computed
and dropped. In float32 the GEMMs write `Y^T` (measured faster with MKL, see
`_columns_first`). The pixel shuffle is then one strided copy per chunk.

An ordinary conv with stride 1 and symmetric padding `p <= d*(k-1)` is a transposed conv
with one phase (`as_transposed`): `conv` runs it through the same pipeline,
where the "shuffle" only moves `Y^T`'s channels back in front.

Samples go in chunks that share one workspace for `U` and `Y`: on the measured machine
fresh memory cost a page fault per 4 KiB, a third of the time with a new buffer per chunk.
Without autograd every view a call slices depends only on shapes and strides: they are
recorded once per geometry (`_program`) and rebuilt with one `as_strided` each.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Iterable, Iterator

import torch

from . import _layout, channels_last, im2col
from ._args import ConvSpec, ConvTransposeSpec
from ._common import gemm_, needs_autograd
from ._layout import MIN_ROWS_PER_WASTED_ROW, chunk_length, chunks, new_output


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
    kernel_index = [[None] * stride for _ in range(taps)]
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
    `C_in/g` blocks of `prod(T_rest)` taps, matching `_unroll`'s `U`; columns:
    one block of `C_out/g` per phase).

    `flipped`: `weight` is an ordinary conv's `(C_out, C_in/g, *k)`, and the transposed
    conv's weight is it with the channel axes swapped and the kernel flipped (`conv`).

    One gather of whole kernels per input channel, `w[c, :, j]` for every tap position
    `j`: on the benchmark's 64x32x4x4 weight 39-45 us, against 78-82 us for a gather of
    single elements through a precomputed index (minimum and median, warm).
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
    size once more in memory; a 512x512 3x3 conv on 4x4 maps spent 9 of 12 ms per call
    gathering it.
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
    positions, missing = [], []
    taps = itertools.product(*(range(dim.taps) for dim in (*dims[1:], dims[0])))
    for *rest, t0 in taps:
        for residues in itertools.product(*(range(len(dim.starts)) for dim in dims)):
            j = [dim.kernel_index[t][r] for dim, t, r in zip(dims, (t0, *rest), residues)]
            if None in j:
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


def _pairs_as_complex(view: torch.Tensor, source: torch.Tensor) -> bool:
    """Whether a recorded shuffle (no autograd) may write `view` through its complex
    view: two residues along the last dimension, pairs aligned as complex numbers."""
    return (
        view.shape[-1] == 2
        and view.stride(-1) == 1
        and source.dtype in (torch.float32, torch.float64)
        and view.storage_offset() % 2 == 0
        and all(st % 2 == 0 for st in view.stride()[:-1])
    )


def _write(
    target: torch.Tensor,
    source: torch.Tensor,
    imaginary: torch.Tensor | None,
    bias: torch.Tensor | None,
) -> None:
    """`target = source + bias`, where both are `(n, g, c, ...)` views. With
    `imaginary`, `target`'s last dimension holds the pairs `(source, imaginary)`
    (residues 0 and 1): torch.complex writes them as complex numbers with contiguous stores
    (measured 2.5x faster than the strided copy; not differentiable, so no_grad only)."""
    if imaginary is None:
        target.copy_(source)
    else:
        torch.complex(source, imaginary, out=torch.view_as_complex(target))
    if bias is not None:
        target.add_(bias.view(1, *target.shape[1:3], *([1] * (target.dim() - 3))))


def _shuffle_at_once(
    y: torch.Tensor, target: torch.Tensor, dims: tuple[Shuffle1d, ...]
) -> tuple[torch.Tensor, torch.Tensor]:
    """`_shuffle` as one `(into, from)` pair, when every dimension is
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


def _shuffle(
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


@functools.lru_cache(maxsize=64)
def _plan(spec: ConvTransposeSpec) -> tuple[tuple[Shuffle1d, ...], tuple[slice, ...], ConvSpec]:
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


def _unroll(
    x: torch.Tensor, spec: ConvSpec, first_row: int, u: torch.Tensor
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """`u[g, c, *t_rest, n, p, *u_rest] = x_pad[n, g*C/g + c, first_row + p, *(u_rest +
    t_rest*step)]`, where `x_pad` is `x` with `spec.padding` zeros around it, as
    `(into u, from x)` pairs of views: one per tap of `t_rest`, the box of its real
    inputs (contiguous runs along the last dimension). The padded input is never made;
    where the convolution pads, `u` is zeroed first.
    """
    g, ndim = spec.groups, len(spec.kernel_size)
    source = x.unflatten(1, (g, x.shape[1] // g)).movedim(0, 2)  # (g, c, n, *i)
    everything = (slice(None),) * 3
    for taps, target, read in _boxes(spec, first_row, tuple(u.shape[ndim + 2 :])):
        into = u[(slice(None), slice(None), *taps, slice(None), *target)]
        yield into, source[(*everything, *read)]


@functools.lru_cache(maxsize=256)
def _boxes(spec: ConvSpec, first_row: int, lengths: tuple[int, ...]) -> list:
    """For `_unroll`: per tap `t_rest`, where its real inputs go in `u` (`lengths`:
    rows, then `u_rest`) and where they come from in `x`."""
    boxes = []
    for taps in itertools.product(*(range(k) for k in spec.kernel_size[1:])):
        # input index = position + offset, per spatial dimension
        offsets = [first_row - spec.padding[0][0]]
        offsets += [
            t * d - before for t, d, (before, _) in zip(taps, spec.dilation[1:], spec.padding[1:])
        ]
        target, read = [], []
        for offset, length, size in zip(offsets, lengths, spec.input_size):
            lo, hi = max(0, -offset), min(length, size - offset)
            target.append(slice(lo, max(lo, hi)))
            read.append(slice(lo + offset, max(lo, hi) + offset))
        boxes.append((taps, tuple(target), tuple(read)))
    return boxes


@dataclasses.dataclass(frozen=True)
class Strided:
    """Where a view sits in the storage of its base tensor: `on(base)` rebuilds it with
    a single `as_strided` call."""

    size: tuple[int, ...]
    stride: tuple[int, ...]
    offset: int

    @classmethod
    def of(cls, view: torch.Tensor, base: torch.Tensor) -> Strided:
        return cls(tuple(view.shape), view.stride(), view.storage_offset() - base.storage_offset())

    def on(self, base: torch.Tensor) -> torch.Tensor:
        return base.as_strided(self.size, self.stride, base.storage_offset() + self.offset)


def _merged_copies(
    copies: Iterable[tuple[Strided, Strided]],
) -> tuple[tuple[Strided, Strided], ...]:
    """Consecutive `(into, source)` copies of one shape whose offsets step by the same
    amounts in both tensors, as single copies through views with one more dimension:
    fewer ops per call (for `k = 4, s = 2` in 2d both unroll boxes become one copy)."""
    runs: list[list[tuple[Strided, Strided]]] = []
    for into, source in copies:
        run = runs[-1] if runs else None
        if run and (into.size, into.stride, source.size, source.stride) == (
            run[0][0].size, run[0][0].stride, run[0][1].size, run[0][1].stride,
        ):  # fmt: skip
            steps = (into.offset - run[-1][0].offset, source.offset - run[-1][1].offset)
            if steps[0] > 0 and steps[1] >= 0 and (len(run) == 1 or steps == _steps(run)):
                run.append((into, source))
                continue
        runs.append([(into, source)])
    merged = []
    for run in runs:
        if len(run) == 1:
            merged.append(run[0])
            continue
        merged.append(
            tuple(
                Strided((len(run), *view.size), (step, *view.stride), view.offset)
                for view, step in zip(run[0], _steps(run))
            )
        )
    return tuple(merged)


def _steps(run: list[tuple[Strided, Strided]]) -> tuple[int, int]:
    """How far the first two copies of a run are apart, in `into` and in `source`."""
    return run[1][0].offset - run[0][0].offset, run[1][1].offset - run[0][1].offset


@dataclasses.dataclass(frozen=True)
class ChunkWork:
    """Everything one chunk does, as views (tensors, or `Strided` recorded from
    them): `unroll` copies (into `u`, from the input), after zeroing `u` if
    `zero`; per `(t_0, y_part, u_part)` in `gemms` the GEMM
    `y_part (+)= u_part^T @ A[t_0]` (`=` for the first; `y_part (+)= A[t_0]^T @ u_part`
    unless `columns_first`); `shuffle` writes `(into the output, from y, imaginary
    part or None)`, see `_write`. With one group the GEMM operands are 2-d.

    Live work (autograd) holds `unroll`, `gemms` and `shuffle` as generators: autograd
    rejects an in-place write into a view made before an earlier in-place write to the same
    tensor.
    """

    u: object
    columns_first: bool
    zero: bool
    unroll: Iterable[tuple[object, object]]
    gemms: Iterable[tuple[int, object, object]]
    shuffle: Iterable[tuple[object, object, object | None]]

    def record(self, input: torch.Tensor, workspace: torch.Tensor, out: torch.Tensor) -> ChunkWork:
        """The same work as `Strided` records relative to the three tensors; the
        shuffle writes pairs of residues as complex numbers where they can."""
        ws = workspace
        shuffle = []
        for o, y, _ in self.shuffle:
            if _pairs_as_complex(o, y):
                shuffle.append(
                    (Strided.of(o, out), Strided.of(y[..., 0], ws), Strided.of(y[..., 1], ws))
                )
            else:
                shuffle.append((Strided.of(o, out), Strided.of(y, ws), None))
        return ChunkWork(
            Strided.of(self.u, ws),
            self.columns_first,
            self.zero,
            _merged_copies((Strided.of(u, ws), Strided.of(x, input)) for u, x in self.unroll),
            tuple((t, Strided.of(y, ws), Strided.of(u, ws)) for t, y, u in self.gemms),
            tuple(shuffle),
        )

    def replay(self, input: torch.Tensor, workspace: torch.Tensor, out: torch.Tensor) -> ChunkWork:
        """The recorded work as views of these tensors."""
        ws = workspace
        return ChunkWork(
            self.u.on(ws) if self.zero else None,
            self.columns_first,
            self.zero,
            tuple((u.on(ws), x.on(input)) for u, x in self.unroll),
            tuple((t, y.on(ws), u.on(ws)) for t, y, u in self.gemms),
            tuple((o.on(out), y.on(ws), i if i is None else i.on(ws)) for o, y, i in self.shuffle),
        )

    def run(self, a: list[torch.Tensor], bias: torch.Tensor | None) -> None:
        """Do the work; `a[t_0]`: the GEMM operand of tap `t_0` (`_a_operands`)."""
        if self.zero:
            self.u.zero_()
        for into, source in self.unroll:
            into.copy_(source)
        for k, (t, y, u) in enumerate(self.gemms):
            beta = 0 if k == 0 else 1
            if self.columns_first:  # Y^T = U^T A
                gemm_(y, u, a[t], beta)
            else:
                gemm_(y, a[t], u, beta)
        for into, source, imaginary in self.shuffle:
            _write(into, source, imaginary, bias)


def _chunk_work(
    x: torch.Tensor,
    a_shape: tuple[int, ...],
    spec: ConvTransposeSpec,
    rows: slice,
    batch: slice,
    buffer: torch.Tensor | None,
    out: torch.Tensor,
) -> ChunkWork:
    """Rows `rows` of the common convolution for the samples `batch` of `x` (the input
    window, unpadded), channels first, with `U` and `Y` in `buffer` (`None`: fresh
    memory); then their pixel shuffle into `out`.

    `U[g, (c, t_rest), (n, p_0, u_rest)] = x_pad[n, g*C/g + c, p_0, *(u_rest + t_rest*step)]`
    (`_unroll`); row `u_0` with tap `t_0` reads `p_0 = u_0 + t_0*step_0`, the
    same matrix shifted by `t_0*step_0*prod(u_rest)` columns, so
    `Y = sum_t0 A[t_0]^T @ U[:, :, shift_t0:]`: one GEMM per `t_0`.
    """
    dims, _, conv_spec = _plan(spec)
    g, depth, taps0, width = a_shape
    x = x[batch]
    m = x.shape[0]
    count = rows.stop - rows.start
    padded_rows = count + (conv_spec.kernel_size[0] - 1) * conv_spec.dilation[0]
    rest_out = conv_spec.output_size[1:]
    per_row = math.prod(rest_out)
    total = m * padded_rows * per_row
    # Y's layout: float32 GEMMs measured 10-35% faster writing Y^T (the P*C_out/g channels
    # contiguous: float32 takes the "columns first" orientation), float64 ones 60-70% slower.
    columns_first = _columns_first(x.dtype)
    y_shape = (g, total, width) if columns_first else (g, width, total)
    if buffer is None:  # two tensors: writing Y must not change the version of U's base
        u, y = x.new_empty(g, depth, total), x.new_empty(y_shape)
    else:
        u = buffer[: g * depth * total].view(g, depth, total)
        y = buffer[g * depth * total : g * (depth + width) * total].view(y_shape)
    shape = (g, depth // math.prod(conv_spec.kernel_size[1:]), *conv_spec.kernel_size[1:])
    unroll = _unroll(x, conv_spec, rows.start, u.view(*shape, m, padded_rows, *rest_out))
    pads = any(before or after for before, after in conv_spec.padding)
    gemms = _gemm_views(u, y, taps0, conv_spec.dilation[0] * per_row, columns_first)
    if columns_first:
        y = y.view(g, m, padded_rows, *rest_out, width)[:, :, :count]
    else:
        y = y.view(g, width, m, padded_rows, *rest_out)[:, :, :, :count]
        y = y.permute(0, 2, 3, *range(4, 4 + len(rest_out)), 1)  # (g, m, rows, *u_rest, P*C/g)
    y = y.unflatten(-1, (*spec.stride, width // math.prod(spec.stride)))
    shuffle = ((into, source, None) for into, source in _shuffle(y, out, batch, rows, spec, dims))
    return ChunkWork(u, columns_first, pads, unroll, gemms, shuffle)


def _gemm_views(
    u: torch.Tensor, y: torch.Tensor, taps0: int, step: int, columns_first: bool
) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
    """`(t_0, y_part, u_part)` per first-dimension tap: `U` shifted by `t_0*step`
    columns. Every GEMM stops `(taps0 - 1)*step` columns before the end: the columns past
    that only feed rows past the last sample's outputs (they are left unwritten).
    One group: 2-d operands (`addmm_`, see `_common.gemm_`)."""
    end = u.shape[2] - (taps0 - 1) * step
    for t in range(taps0):
        shift = t * step
        if columns_first:
            y_part, u_part = y[:, :end], u[:, :, shift : shift + end].transpose(1, 2)
        else:
            y_part, u_part = y[:, :, :end], u[:, :, shift : shift + end]
        if u.shape[0] == 1:
            y_part, u_part = y_part[0], u_part[0]
        yield t, y_part, u_part


def _a_operands(a: torch.Tensor, columns_first: bool) -> list[torch.Tensor]:
    """Per tap `t_0` the weight operand of `ChunkWork`'s GEMMs: `A[:, :, t_0]`
    (`K x N`) for `Y^T = U^T A`, its transpose for `Y = A^T U`; 2-d with one group."""
    operands = []
    for t in range(a.shape[2]):
        operand = a[0, :, t] if a.shape[0] == 1 else a[:, :, t]
        operands.append(operand if columns_first else operand.transpose(-1, -2))
    return operands


def _columns_first(dtype: torch.dtype) -> bool:
    """Whether `_chunk_work` lays `Y` out as `Y^T`: one row per column of `U`."""
    return dtype == torch.float32


def _balanced(total: int, length: int) -> int:
    """The same number of chunks of at most `length`, made as equal as they can be
    (chunks of equal size share the workspace's layout, see `_program`)."""
    return -(-total // -(-total // length))


def _chunks(
    n: int, a_shape: tuple[int, ...], dims: tuple[Shuffle1d, ...], budget: int
) -> tuple[list[tuple[slice, slice]], int]:
    """The `(samples, rows)` chunks of a call and the elements of `U` and `Y` the
    largest one needs (about `budget`, `_layout.CHUNK_ELEMENTS`)."""
    g, depth, _, width = a_shape
    rows, wasted = dims[0].rows, (dims[0].taps - 1) * dims[0].step
    per_row = math.prod(dim.rows for dim in dims[1:]) * g * (width + depth)
    samples = _balanced(n, chunk_length(n, (rows + wasted) * per_row, budget))
    row_count = rows
    if samples == 1 and (rows + wasted) * per_row > budget:
        row_count = max(chunk_length(rows, per_row, budget), MIN_ROWS_PER_WASTED_ROW * wasted)
        row_count = _balanced(rows, row_count)
    pieces = [(batch, part) for batch in chunks(n, samples) for part in chunks(rows, row_count)]
    return pieces, min(samples, n) * (row_count + wasted) * per_row


@dataclasses.dataclass(frozen=True)
class Program:
    """A call without autograd, recorded once per geometry: the workspace it needs, the
    GEMM operands relative to the shuffled weight, and each chunk's work relative to the
    input, the workspace and the output."""

    workspace: int
    operands: tuple[Strided, ...]
    chunks: tuple[ChunkWork, ...]


@functools.lru_cache(maxsize=64)
def _program(
    spec: ConvTransposeSpec,
    input_layout: tuple[tuple[int, ...], tuple[int, ...]],
    output_layout: tuple[tuple[int, ...], tuple[int, ...]],
    a_shape: tuple[int, ...],
    dtype: torch.dtype,
    budget: int,
) -> Program:
    """Build every chunk's views once on `meta` tensors (shapes and strides, no data)."""
    dims, window, _ = _plan(spec)
    input = torch.empty_strided(*input_layout, dtype=dtype, device="meta")
    out = torch.empty_strided(*output_layout, dtype=dtype, device="meta")
    pieces, size = _chunks(input.shape[0], a_shape, dims, budget)
    workspace = torch.empty(size, dtype=dtype, device="meta")
    x = input[(slice(None), slice(None), *window)]
    works = [
        _chunk_work(x, a_shape, spec, rows, batch, workspace, out).record(input, workspace, out)
        for batch, rows in pieces
    ]
    for k in range(1, len(works)):
        # U's zeros (the padding) are still there if the previous chunk wrote the same
        # boxes of the same U: nothing else writes into U's part of the workspace.
        before, now = works[k - 1], works[k]
        same = [into for into, _ in now.unroll] == [into for into, _ in before.unroll]
        if now.u == before.u and same:
            works[k] = dataclasses.replace(now, zero=False)
    a = torch.empty(a_shape, dtype=dtype, device="meta")
    operands = tuple(Strided.of(op, a) for op in _a_operands(a, _columns_first(dtype)))
    return Program(size, operands, tuple(works))


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """`(N, C_in, *i)` -> `(N, C_out, *o)`: one conv with `prod(s)*C_out` channels
    (`_chunk_work`, chunk by chunk), then the pixel shuffle."""
    if not applies_transposed(spec):
        return im2col.conv_transpose(input, weight, bias, spec)
    dims, window, _ = _plan(spec)
    if _reads_nothing(input, window):
        return im2col.conv_transpose(input, weight, bias, spec)
    a = cached_weight(weight, spec.groups, dims)  # (g, C_in/g*T_rest, T_0, P*C_out/g)
    return _run(input, a, bias, spec, spec.groups * weight.shape[1])


def applies_transposed(spec: ConvTransposeSpec) -> bool:
    """At most as many phases as the dilated kernel has positions: `prod(s) <=
    prod(d*(k - 1) + 1)`. A larger stride leaves phases without taps (outputs that are
    only the bias), the shuffled weight `prod(s)` times wider and `prod(s)` copies per
    call; col2im (`im2col.conv_transpose`) costs what the taps cost, whatever the
    stride."""
    spans = (d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation))
    return math.prod(spec.stride) <= math.prod(spans)


def _reads_nothing(input: torch.Tensor, window: tuple[slice, ...]) -> bool:
    """No samples, or every kept output reads only padding (the output is the bias): then
    im2col runs the call, whose GEMM still links the output to the input for autograd."""
    return input.shape[0] == 0 or any(w.stop <= w.start for w in window)


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
    dims, window, _ = _plan(spec_t)
    if _reads_nothing(input, window):
        return im2col.conv(input, weight, bias, spec)
    a = cached_weight(weight, spec.groups, dims, flipped=True)
    return _run(input, a, bias, spec_t, weight.shape[0])


def _run(
    input: torch.Tensor,
    a: torch.Tensor,
    bias: torch.Tensor | None,
    spec: ConvTransposeSpec,
    out_channels: int,
) -> torch.Tensor:
    """The transposed conv with the shuffled weight `a` (`shuffled_weight`)."""
    n = input.shape[0]
    dims, window, _ = _plan(spec)
    out = new_output(input, out_channels, spec.output_size)
    if needs_autograd(input, a, bias):
        # Autograd keeps each chunk's U for the backward pass: fresh buffers, live views.
        x = input[(slice(None), slice(None), *window)]
        pieces, _ = _chunks(n, tuple(a.shape), dims, _layout.CHUNK_ELEMENTS)
        for batch, rows in pieces:
            work = _chunk_work(x, tuple(a.shape), spec, rows, batch, None, out)
            work.run(_a_operands(a, work.columns_first), bias)
        return out
    # Without autograd the views are the same on every call with this geometry: recorded
    # once, rebuilt with one as_strided each (on a tiny input, where the arithmetic is
    # negligible, a call measured 245 us before, 111-112 us now; native: 83-87 us).
    # Fresh memory costs a page fault per 4 KiB (measured: a third of the time with a new
    # buffer per chunk), so the chunks share one workspace.
    program = _program(
        spec,
        (tuple(input.shape), input.stride()),
        (tuple(out.shape), out.stride()),
        tuple(a.shape),
        input.dtype,
        _layout.CHUNK_ELEMENTS,
    )
    workspace = input.new_empty(program.workspace)
    operands = [operand.on(a) for operand in program.operands]
    for work in program.chunks:
        work.replay(input, workspace, out).run(operands, bias)
    return out
