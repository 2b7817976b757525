"""How `phase` runs its common convolution: unrolled input, shifted GEMMs, chunks.

`phase` reduces a transposed conv (and a stride-1 ordinary conv) to one stride-1 conv
with `prod(s)*C_out` channels plus a pixel shuffle; this module computes that conv.

The input is unrolled **channels first** (its own layout) for shifted GEMMs. Unroll every
dimension but the first,
`U[(c, t_rest), (n, p_0, u_rest)] = x_pad[n, c, p_0, u_rest + t_rest*step]` (contiguous
runs along the last dimension). Output row `u_0` with first-dimension tap `t_0` reads
`p_0 = u_0 + t_0*step_0`: the same matrix shifted by `t_0*step_0*prod(u_rest)` columns,

    Y[:, cols] = sum_t0 A[t_0]^T @ U[:, cols + t_0*step_0*prod(u_rest)]

with `A[t_0]` of shape `(C_in/g*prod(T_rest)) x (prod(s)*C_out/g)`: every phase's
weights side by side, one GEMM per `t_0`. The columns between the wanted ones are computed
and dropped. In float32 the GEMMs write `Y^T` (`_columns_first`). The pixel shuffle is
then one strided copy per chunk.

Samples go in chunks that share one workspace for `U` and `Y`. Without autograd every
view a call slices depends only on shapes and strides: they are recorded once per
geometry (`_program`) and rebuilt with one `as_strided` each.

Measured (torch 2.13 CPU, MKL, warm):

- `Y^T` (the `prod(s)*C_out/g` channels contiguous): float32 GEMMs 10-35% faster than
  writing `Y`, float64 GEMMs 60-70% slower, so only float32 writes `Y^T`;
- fresh memory costs a page fault per 4 KiB: a new buffer per chunk took a third of
  the time, hence one workspace for all chunks;
- recorded views: on a tiny input, where the arithmetic is negligible, a call took
  245 us slicing its views and 111-112 us replaying them (native: 83-87 us);
- a shuffle that writes two residues along the last dimension as complex numbers
  (`torch.complex`, contiguous stores) ran 2.5x faster than the strided copy.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Iterable, Iterator

import torch

from . import _layout, phase
from ._args import ConvSpec, ConvTransposeSpec
from ._common import gemm_, needs_autograd
from ._layout import MIN_ROWS_PER_WASTED_ROW, chunk_length, chunks, new_output


def run(
    input: torch.Tensor,
    a: torch.Tensor,
    bias: torch.Tensor | None,
    spec: ConvTransposeSpec,
    out_channels: int,
) -> torch.Tensor:
    """The transposed conv with the shuffled weight `a` (`phase.shuffled_weight`)."""
    n = input.shape[0]
    dims, window, _ = phase.plan(spec)
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
    # once, rebuilt with one as_strided each; the chunks share one workspace (fresh memory
    # costs a page fault per 4 KiB). Measurements: module docstring.
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
    dims, _, conv_spec = phase.plan(spec)
    g, depth, taps0, width = a_shape
    x = x[batch]
    m = x.shape[0]
    count = rows.stop - rows.start
    padded_rows = count + (conv_spec.kernel_size[0] - 1) * conv_spec.dilation[0]
    rest_out = conv_spec.output_size[1:]
    per_row = math.prod(rest_out)
    total = m * padded_rows * per_row
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
    shuffle = (
        (into, source, None)
        for into, source in phase.pixel_shuffle(y, out, batch, rows, spec, dims)
    )
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
    """Whether `_chunk_work` lays `Y` out as `Y^T`: one row per column of `U`, the
    `P*C_out/g` channels contiguous. MKL's float32 GEMM writes that layout faster, its
    float64 GEMM slower (module docstring)."""
    return dtype == torch.float32


def _balanced(total: int, length: int) -> int:
    """The same number of chunks of at most `length`, made as equal as they can be
    (chunks of equal size share the workspace's layout, see `_program`)."""
    return -(-total // -(-total // length))


def _chunks(
    n: int, a_shape: tuple[int, ...], dims: tuple[phase.Shuffle1d, ...], budget: int
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
    dims, window, _ = phase.plan(spec)
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
    (faster than the strided copy, module docstring; not differentiable, so no_grad only)."""
    if imaginary is None:
        target.copy_(source)
    else:
        torch.complex(source, imaginary, out=torch.view_as_complex(target))
    if bias is not None:
        target.add_(bias.view(1, *target.shape[1:3], *([1] * (target.dim() - 3))))
