"""The unrolled kernel matrix `C`: convolution as one matrix product.

For one sample `x` of shape `(C_in, *input_size)` the convolution is linear, so

    conv(x).flatten() == C @ x.flatten()

for a dense `C` of shape `(C_out*prod(output_size), C_in*prod(input_size))`. Each row
is one output pixel; it holds the kernel weights at the columns of the input pixels the
kernel covers there, and zeros elsewhere (taps that fall on padding drop out). Then

* `C.T @ y` is the transposed convolution of `y` (with the output_padding that restores
  `input_size`): hence the name "transposed convolution";
* `C.T @ y` is also the gradient of `(y * conv(x)).sum()` with respect to `x`.

[`conv_matrix_labels`][convnotes.matrix.conv_matrix_labels] and
[`conv_matrix_markdown`][convnotes.matrix.conv_matrix_markdown] draw the single-channel
pattern symbolically (`w₀₀ … 0`) for the notes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._extras import missing_extra

try:
    import torch
except ModuleNotFoundError as error:
    raise missing_extra(__name__, "torch") from error

from .functional._args import IntOrInts, prepare_conv
from .functional.unrolled import conv_spec_matrix, kernel_index_map
from .shapes import Padding, conv_output_size, conv_padding, expand

__all__ = ["conv_matrix", "conv_matrix_labels", "conv_matrix_markdown"]

SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def conv_matrix(
    weight: torch.Tensor,
    input_size: IntOrInts,
    stride: IntOrInts = 1,
    padding: IntOrInts | str = 0,
    dilation: IntOrInts = 1,
    groups: int = 1,
) -> torch.Tensor:
    """The dense matrix `C` with `conv(x).flatten() == C @ x.flatten()`.

    Entry `C[(o_c, o), (c, o*s + j*d - p)] = w[o_c, c mod C_in/g, j]`. Built by scattering
    weight entries at integer positions, so it is differentiable with respect to `weight`.

    Args:
        weight: The conv weight `(C_out, C_in/groups, *kernel_size)`, any number of spatial
            dimensions.
        input_size: The spatial size of one input: an int (the same for every dimension) or
            one int per dimension.
        stride: As in `torch.nn.functional.conv*d`, checked the same way.
        padding: As in `torch.nn.functional.conv*d` (`"same"` and `"valid"` included).
        dilation: As in `torch.nn.functional.conv*d`.
        groups: As in `torch.nn.functional.conv*d`.

    Returns:
        `C`, of shape `(C_out * prod(o), C_in * prod(i))`.

    Raises:
        TypeError: `weight` is not a tensor with at least 3 dimensions.
        ConvArgumentError: an argument PyTorch's conv rejects.

    Examples:
        >>> conv_matrix(torch.ones(1, 1, 3, 3), (4, 4)).shape
        torch.Size([4, 16])
    """
    if not isinstance(weight, torch.Tensor) or weight.dim() < 3:
        raise TypeError(
            "conv_matrix: weight must be a tensor of shape (C_out, C_in/groups, *kernel_size), "
            f"got {type(weight).__name__} of shape {list(getattr(weight, 'shape', []))}"
        )
    ndim = weight.dim() - 2
    sizes = expand("input_size", input_size, ndim)
    # A shape-only stand-in for one sample lets the conv's own argument checks run.
    sample = torch.empty((weight.shape[1] * groups, *sizes), dtype=weight.dtype, device="meta")
    spec = prepare_conv(ndim, sample, weight, None, stride, padding, dilation, groups).spec
    return conv_spec_matrix(weight, spec)


def _ndim(*values: object) -> int:
    lengths = {len(v) for v in values if isinstance(v, Sequence) and not isinstance(v, str)}
    return max(lengths, default=1)


def _subscript(index: Sequence[int]) -> str:
    """`(1, 2)` -> `"₁₂"`; with a two-digit index the parts are comma-separated."""
    parts = [str(i) for i in index]
    joiner = "," if any(len(p) > 1 for p in parts) else ""
    return joiner.join(parts).translate(SUBSCRIPT_DIGITS)


def _multi_index(flat: int, sizes: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for size in reversed(sizes):
        flat, rest = divmod(flat, size)
        index.append(rest)
    return tuple(reversed(index))


def _pixel_labels(symbol: str, sizes: tuple[int, ...]) -> list[str]:
    return [symbol + _subscript(_multi_index(i, sizes)) for i in range(math.prod(sizes))]


def _single_channel_layout(kernel_size, input_size, stride, padding, dilation):
    """Resolved sizes and the index map of the single-channel matrix."""
    ndim = _ndim(kernel_size, input_size, stride, padding, dilation)
    kernels = expand("kernel_size", kernel_size, ndim)
    inputs = expand("input_size", input_size, ndim)
    strides = expand("stride", stride, ndim)
    dilations = expand("dilation", dilation, ndim)
    pads = padding if isinstance(padding, str) else expand("padding", padding, ndim)
    outputs = conv_output_size(inputs, kernels, strides, pads, dilations)
    befores = tuple(before for before, _ in conv_padding(pads, kernels, strides, dilations))
    index_map = kernel_index_map(kernels, inputs, outputs, strides, befores, dilations)
    return kernels, inputs, outputs, index_map


def conv_matrix_labels(
    kernel_size: IntOrInts,
    input_size: IntOrInts,
    stride: IntOrInts = 1,
    padding: Padding = 0,
    dilation: IntOrInts = 1,
) -> list[list[str]]:
    """The single-channel `C` with symbols: `"w₀₂"` where kernel entry `w[0, 2]` sits.

    `"0"` elsewhere; one row per output pixel, one column per input pixel.

    Args:
        kernel_size: An int for 1d (`"w₀"`, `"w₁"`, ...), a tuple for 2d (`"w₁₂"` = row 1,
            column 2) or 3d.
        input_size: An int, or one int per dimension.
        stride: An int, or one int per dimension.
        padding: An int, one int per dimension, `"same"` or `"valid"`.
        dilation: An int, or one int per dimension.

    Returns:
        The rows of `C`, as lists of labels.

    Examples:
        >>> conv_matrix_labels(2, 3)
        [['w₀', 'w₁', '0'], ['0', 'w₀', 'w₁']]
    """
    kernels, inputs, outputs, (rows, cols, taps) = _single_channel_layout(
        kernel_size, input_size, stride, padding, dilation
    )
    weight_labels = _pixel_labels("w", kernels)
    table = [["0"] * math.prod(inputs) for _ in range(math.prod(outputs))]
    for row, col, tap in zip(rows.tolist(), cols.tolist(), taps.tolist()):
        table[row][col] = weight_labels[tap]
    return table


def conv_matrix_markdown(
    kernel_size: IntOrInts,
    input_size: IntOrInts,
    stride: IntOrInts = 1,
    padding: Padding = 0,
    dilation: IntOrInts = 1,
    *,
    transposed: bool = False,
) -> str:
    """[`conv_matrix_labels`][convnotes.matrix.conv_matrix_labels] as a Markdown table.

    `C` has a row per output pixel `y₀₀, y₀₁, …` and a column per input pixel
    `x₀₀, x₀₁, …`.

    Args:
        kernel_size: As for `conv_matrix_labels`.
        input_size: As for `conv_matrix_labels`.
        stride: As for `conv_matrix_labels`.
        padding: As for `conv_matrix_labels`.
        dilation: As for `conv_matrix_labels`.
        transposed: Give `Cᵀ` instead (rows `x`, columns `y`).

    Returns:
        The table, one line per row of the matrix plus the header.
    """
    table = conv_matrix_labels(kernel_size, input_size, stride, padding, dilation)
    _, inputs, outputs, _ = _single_channel_layout(
        kernel_size, input_size, stride, padding, dilation
    )
    row_labels, col_labels = _pixel_labels("y", outputs), _pixel_labels("x", inputs)
    if transposed:
        table = [list(column) for column in zip(*table)]
        row_labels, col_labels = col_labels, row_labels
    lines = [
        "| | " + " | ".join(col_labels) + " |",
        "|---|" + "---|" * len(col_labels),
    ]
    lines += [f"| **{label}** | " + " | ".join(row) + " |" for label, row in zip(row_labels, table)]
    return "\n".join(lines) + "\n"
