"""The unrolled kernel matrix `C` (`y = C x`) and its transpose, as heatmaps and tables.

Entries come from `convnotes.matrix.conv_matrix` (numbers) and
`convnotes.matrix.conv_matrix_labels` (symbols `w₀₀` … and `0`); nothing here computes a
matrix entry itself.
"""

from __future__ import annotations

import numpy as np

from .. import shapes
from ..matrix import conv_matrix, conv_matrix_labels
from ._render import figure_pngs, new_figure, style
from ._style import markdown_table

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
CORNER = {
    "zh": ("输出 y / 输入 x", "输出 / 输入 y"),
    "en": ("output y / input x", "output / input y"),
}
UNIT = 0.37  # inches per matrix cell
CELL_PT = 10  # text in and around the cells: 15 px at 110 dpi, 9.6 px in a 690 px column
# C wider than this many columns puts Cᵀ under it (beside w, x, y), not beside it, so the
# figure is no wider than C and its text stays readable in the page's column.
BESIDE_LIMIT = 16


def indexed(symbol: str, index: int) -> str:
    """`indexed("x", 12) == "x₁₂"`."""
    return symbol + str(index).translate(SUBSCRIPTS)


def distinct_weight(kernel_size: int):
    """A `(1, 1, k, k)` kernel whose entries `1 … k²` tell the taps apart."""
    import torch

    k = kernel_size
    return torch.arange(1, k * k + 1, dtype=torch.float64).reshape(1, 1, k, k)


def matrix_data(input_size: int, kernel_size: int, stride: int = 1, padding: int = 0):
    """`(C numbers, C labels)` for one channel: numbers with `w[u, v] = u·k + v + 1`."""
    numbers = conv_matrix(distinct_weight(kernel_size), (input_size, input_size), stride, padding)
    labels = conv_matrix_labels(
        (kernel_size, kernel_size), (input_size, input_size), stride, padding
    )
    return numbers.numpy(), np.array(labels, dtype=object)


def matrix_table(
    lang: str,
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    transposed: bool = False,
) -> str:
    """`C` (or `Cᵀ`) as a Markdown table with `x`/`y` indices on the margins."""
    _, labels = matrix_data(input_size, kernel_size, stride, padding)
    rows_symbol, cols_symbol = ("y", "x")
    if transposed:
        labels = labels.T
        rows_symbol, cols_symbol = ("x", "y")
    corner = CORNER[lang][1 if transposed else 0]
    header = [corner, *(indexed(cols_symbol, j) for j in range(labels.shape[1]))]
    rows = [[indexed(rows_symbol, r), *(str(v) for v in labels[r])] for r in range(labels.shape[0])]
    return markdown_table(header, rows, "l" + "c" * labels.shape[1])


def _tap_colors(kernel_size: int):
    """One pastel colour per kernel tap (white for 0), shared by C, Cᵀ and w."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    n = kernel_size * kernel_size
    base = colormaps["Set3" if n <= 12 else "tab20"]
    white = (1.0, 1.0, 1.0, 1.0)
    return ListedColormap([white, *(base(t % base.N) for t in range(n))])


def _heatmap(fig, rect, codes, labels, cmap, n_codes, row_names=None, col_names=None, title=""):
    """Draw a labelled grid of cells in figure-inch `rect` (left, bottom, width, height)."""
    fw, fh = fig.get_size_inches()
    left, bottom, width, height = rect
    ax = fig.add_axes((left / fw, bottom / fh, width / fw, height / fh))
    ax.imshow(codes, cmap=cmap, vmin=0, vmax=n_codes, aspect="auto")
    rows, cols = codes.shape
    for r in range(rows):
        for c in range(cols):
            text = labels[r][c]
            ax.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=CELL_PT,
                color="#b0b0b0" if text == "0" else "#1a1a1a",
                gid="cell",
            )
    ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="#c8c8c8", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelsize=CELL_PT)
    ax.set_xticks(range(cols), col_names or [""] * cols)
    ax.set_yticks(range(rows), row_names or [""] * rows)
    ax.xaxis.tick_top()
    if title:
        ax.set_title(title, fontsize=CELL_PT + 1.5, pad=18 if col_names else 5, loc="left")
    return ax


def conv_matrix_figure(input_size: int, kernel_size: int, stride: int = 1, padding: int = 0):
    """C beside Cᵀ, with the kernel w, the input x and the output y indexed underneath C."""
    numbers, labels = matrix_data(input_size, kernel_size, stride, padding)
    k, n = kernel_size, input_size
    o = shapes.conv_output_size(n, k, stride, padding)
    codes = numbers.astype(int)  # 0 or the tap number 1..k²
    cmap = _tap_colors(k)
    n_out, n_in = codes.shape
    margin, gap, top = 0.5, 0.8, 0.8
    c_w, c_h = n_in * UNIT, n_out * UNIT
    small = UNIT * 1.15
    below = 0.9 + max(n, k, o) * small
    pieces_w = (n + k + o) * small + 3 * 0.6
    ct_w, ct_h = n_out * UNIT, n_in * UNIT
    beside = n_in <= BESIDE_LIMIT
    if beside:
        width = margin + c_w + gap + ct_w + 0.2
        height = top + max(c_h + below, ct_h) + 0.2
    else:
        width = margin + max(c_w, pieces_w + ct_w) + 0.3
        height = top + c_h + 0.9 + max(below, ct_h) + 0.2
    fig = new_figure(width, height)
    fig.set_layout_engine(None)
    ys = [indexed("y", j) for j in range(n_out)]
    xs = [indexed("x", j) for j in range(n_in)]
    _heatmap(
        fig,
        (margin, height - top - c_h, c_w, c_h),
        codes,
        labels,
        cmap,
        k * k,
        ys,
        xs,
        f"C: {n_out}×{n_in}   (y = C x)",
    )
    if beside:
        ct_rect = (margin + c_w + gap, height - top - ct_h, ct_w, ct_h)
    else:
        ct_rect = (width - 0.2 - ct_w, height - top - c_h - 0.9 - ct_h, ct_w, ct_h)
    _heatmap(fig, ct_rect, codes.T, labels.T, cmap, k * k, xs, ys, f"Cᵀ: {n_in}×{n_out}")
    # The pieces C is made of, drawn with the same colours.
    base = height - top - c_h - 0.55
    tap = np.arange(1, k * k + 1).reshape(k, k)
    w_labels = [
        [f"w{str(u).translate(SUBSCRIPTS)}{str(v).translate(SUBSCRIPTS)}" for v in range(k)]
        for u in range(k)
    ]
    pieces = [
        (f"w: {k}×{k}", tap, w_labels, cmap),
        (
            f"x: {n}×{n}" + (f", p={padding}" if padding else ""),
            np.zeros((n, n), int),
            [[indexed("x", r * n + c) for c in range(n)] for r in range(n)],
            "Blues",
        ),
        (
            f"y: {o}×{o}" + (f", s={stride}" if stride > 1 else ""),
            np.zeros((o, o), int),
            [[indexed("y", r * o + c) for c in range(o)] for r in range(o)],
            "Greens",
        ),
    ]
    x0 = margin
    for title, grid, grid_labels, grid_cmap in pieces:
        size = grid.shape[0] * small
        if isinstance(grid_cmap, str):
            from matplotlib import colormaps
            from matplotlib.colors import ListedColormap

            grid_cmap = ListedColormap([colormaps[grid_cmap](0.2)])
            n_codes = 1
        else:
            n_codes = k * k
        _heatmap(
            fig, (x0, base - size, size, size), grid, grid_labels, grid_cmap, n_codes, title=title
        )
        x0 += size + 0.6
    return fig


def build_conv_matrix(
    input_size: int, kernel_size: int, stride: int = 1, padding: int = 0, tables: bool = False
) -> dict[str, bytes]:
    """`conv-matrix-….png` (and, for the seed's case, the C and Cᵀ tables per language)."""
    name = {
        (4, 3, 1, 0): "conv-matrix-4x4-k3",
        (5, 3, 2, 0): "conv-matrix-stride2",
        (3, 3, 1, 1): "conv-matrix-padded",
    }.get((input_size, kernel_size, stride, padding))
    if name is None:
        name = f"conv-matrix-i{input_size}-k{kernel_size}-s{stride}-p{padding}"
    with style():
        files = figure_pngs(
            conv_matrix_figure(input_size, kernel_size, stride, padding), name, dpi=110
        )
    if tables:
        for lang in ("zh", "en"):
            files[f"tables/{name}.{lang}.md"] = matrix_table(
                lang, input_size, kernel_size, stride, padding
            ).encode()
            files[f"tables/{name}-transposed.{lang}.md"] = matrix_table(
                lang, input_size, kernel_size, stride, padding, transposed=True
            ).encode()
    return files
