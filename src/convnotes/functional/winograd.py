"""Winograd F(2x2, 3x3): 16 multiplies for a 2x2 output tile instead of 36.

For a 3-tap filter `g` and 4 inputs `d`, two outputs of the 1d correlation are
`Y = A^T [(G g) * (B^T d)]` with

    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]

and nesting it in 2d gives a 2x2 tile from a 4x4 input tile: `Y = A^T [U * V] A` with
`U = G g G^T`, `V = B^T d B`. Summed over input channels, `U * V` becomes 16
matrix products (one per tile position `(a, b)`):

    M[a, b] (C_out x tiles) = U[a, b] (C_out x C_in) @ V[a, b] (C_in x tiles)

so the GEMMs do 16/36 = 1/2.25 of the multiply-adds of im2col. The transforms cost adds
and memory traffic; the 1/2 in `G` makes it inexact in floating point (tested to
1e-9 relative in float64; float32 errors are in the benchmark). Only 2d, kernel 3x3,
stride 1, dilation 1 and floating-point tensors; anything else goes to
`channels_last`. Runs on chunks of samples so the transformed tiles
(4 times the input) stay small.
"""

from __future__ import annotations

import torch

from . import channels_last
from ._args import ConvSpec, ConvTransposeSpec
from ._common import add_bias, zero_pad
from ._layout import chunk_length, chunks

G_MATRIX = ((1.0, 0.0, 0.0), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5), (0.0, 0.0, 1.0))


def applies(input: torch.Tensor, spec: ConvSpec) -> bool:
    """2d, 3x3 kernel, stride 1, dilation 1, real floating point, a non-empty batch."""
    return (
        spec.kernel_size == (3, 3)
        and spec.stride == (1, 1)
        and spec.dilation == (1, 1)
        and input.dtype.is_floating_point
        and input.shape[0] > 0
    )


def _input_transform(r: list[torch.Tensor]) -> list[torch.Tensor]:
    """`B^T d` along one dimension, for the 4 strided slices `d_0 .. d_3`."""
    return [r[0] - r[2], r[1] + r[2], r[2] - r[1], r[1] - r[3]]


def _output_transform(m: list[torch.Tensor]) -> list[torch.Tensor]:
    """`A^T m` along one dimension: the 2 outputs of a tile."""
    return [m[0] + m[1] + m[2], m[1] - m[2] - m[3]]


def transform_weight(weight: torch.Tensor, groups: int) -> torch.Tensor:
    """`U = G g G^T` for every filter: `(16, groups, C_out/g, C_in/g)`."""
    c_out, c_in_g = weight.shape[:2]
    g_mat = weight.new_tensor(G_MATRIX)
    u = torch.einsum("ai,ocij,bj->aboc", g_mat, weight, g_mat)
    return u.reshape(16, groups, c_out // groups, c_in_g)


def _tiles(x: torch.Tensor, u: torch.Tensor, th: int, tw: int) -> torch.Tensor:
    """Winograd on padded `x` (N, C, 2th + 2, 2tw + 2): output tiles (N, C_out, 2th, 2tw)."""
    n, c = x.shape[:2]
    g = u.shape[1]
    rows = _input_transform([x[:, :, i : i + 2 * th : 2] for i in range(4)])
    v = torch.stack(
        [t for r in rows for t in _input_transform([r[..., j : j + 2 * tw : 2] for j in range(4)])]
    )  # (16, N, C, th, tw)
    v = v.view(16, n, g, c // g, th * tw)
    m = torch.matmul(u.unsqueeze(1), v)  # (16, N, G, C_out/g, th*tw)
    m = m.view(4, 4, n, -1, th, tw)
    rows_out = _output_transform([m[a] for a in range(4)])  # 2 x (4, N, C_out, th, tw)
    y = torch.stack(
        [torch.stack(_output_transform([r[b] for b in range(4)]), dim=-1) for r in rows_out],
        dim=-3,
    )  # (N, C_out, th, 2, tw, 2)
    return y.reshape(n, -1, 2 * th, 2 * tw)


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """`(N, C_in, H, W)` -> `(N, C_out, H_o, W_o)` by 2x2 Winograd tiles."""
    if not applies(input, spec):
        return channels_last.conv(input, weight, bias, spec)
    n, c_in = input.shape[:2]
    h_o, w_o = spec.output_size
    th, tw = (h_o + 1) // 2, (w_o + 1) // 2
    # Pad to exactly 2*th + 2 by 2*tw + 2: an odd output size needs one more zero row/column.
    (top, bottom), (left, right) = spec.padding
    bottom += 2 * th + 2 - (input.shape[2] + top + bottom)
    right += 2 * tw + 2 - (input.shape[3] + left + right)
    x = zero_pad(input, ((top, bottom), (left, right)))
    u = transform_weight(weight, spec.groups)
    per_sample = 16 * max(c_in, weight.shape[0]) * th * tw
    parts = [_tiles(x[batch], u, th, tw) for batch in chunks(n, chunk_length(n, per_sample))]
    y = parts[0] if len(parts) == 1 else torch.cat(parts)
    return add_bias(y[:, :, :h_o, :w_o].contiguous(), bias)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """Transposed convs go to `conv_transpose`."""
    return channels_last.conv_transpose(input, weight, bias, spec)
