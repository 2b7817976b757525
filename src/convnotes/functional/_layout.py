"""Layout helpers of the fast kernels: channels-last padded copies, chunk sizes, output format.

The fast kernels keep the channels of one group innermost ("channels last"): then every
receptive-field row `x[.., o*s + j*d, c]` for `c = 0 .. C/g - 1` is one contiguous run
of memory, so unrolling (im2col) copies whole runs and the GEMM reads plain row-major
matrices. `grouped_channels_last` makes that layout with the zero padding in the
same copy.
"""

from __future__ import annotations

import torch

# Elements of a working buffer (unrolled columns, GEMM result) per chunk: 2**20 float32
# values are 4 MiB, small enough to stay near the caches and to keep the peak memory
# close to torch's, large enough that each GEMM runs near the machine's peak.
CHUNK_ELEMENTS = 1 << 20

# When one large sample is chunked by rows, a chunk must be at least this many times the
# rows a shifted GEMM computes and throws away at its end.
MIN_ROWS_PER_WASTED_ROW = 4


def grouped_channels_last(
    x: torch.Tensor, groups: int, padding: tuple[tuple[int, int], ...]
) -> torch.Tensor:
    """`xp[g, n, *p, c] = x_pad[n, g*C/g + c, *p]`: shape `(groups, N, *padded, C/groups)`.

    One copy does both the layout change and the zero padding.
    """
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    padded = tuple(i + before + after for i, (before, after) in zip(spatial, padding))
    if all(before == after == 0 for before, after in padding):
        buffer = x.new_empty(groups, n, *padded, c // groups)
    else:
        buffer = x.new_zeros(groups, n, *padded, c // groups)
    inside = tuple(slice(before, before + i) for i, (before, _) in zip(spatial, padding))
    # (N, C, *i) -> (G, N, *i, C/G)
    source = x.reshape(n, groups, c // groups, *spatial).permute(
        1, 0, *range(3, 3 + len(spatial)), 2
    )
    buffer[(slice(None), slice(None), *inside)] = source
    return buffer


def wants_channels_last(x: torch.Tensor) -> bool:
    """PyTorch returns a channels-last output for a channels-last 2d input (see `_args`)."""
    return (
        x.dim() == 4
        and not x.is_contiguous()
        and x.is_contiguous(memory_format=torch.channels_last)
    )


def new_output(x: torch.Tensor, channels: int, size: tuple[int, ...]) -> torch.Tensor:
    """Uninitialised `(N, channels, *size)` output, channels-last in memory if `x` is."""
    if wants_channels_last(x):
        return x.new_empty(x.shape[0], *size, channels).permute(0, 3, 1, 2)
    return x.new_empty(x.shape[0], channels, *size)


def write_slab(out: torch.Tensor, slab: torch.Tensor, samples: slice, rows: slice) -> None:
    """Copy `slab[g, n, o_0, *o_rest, c]` into `out[n, g*C/g + c, o_0, *o_rest]`.

    `samples` and `rows` say where the slab goes along the batch and the first spatial
    dimension; a chunk is written as soon as it is done, so no full-size temporary exists.
    """
    groups, ndim = slab.shape[0], slab.dim() - 3
    target = out.unflatten(1, (groups, slab.shape[-1]))[samples, :, :, rows]
    target.copy_(slab.permute(1, 0, ndim + 2, *range(2, ndim + 2)))


def chunk_length(total: int, elements_per_item: int, budget: int | None = None) -> int:
    """How many items (samples, rows) fit in `budget` (default `CHUNK_ELEMENTS`)."""
    budget = CHUNK_ELEMENTS if budget is None else budget
    return max(1, min(total, budget // max(1, elements_per_item)))


def chunks(total: int, length: int) -> list[slice]:
    """`slice(0, length), slice(length, 2*length), ...` covering `range(total)`."""
    return [slice(start, min(start + length, total)) for start in range(0, total, length)]
