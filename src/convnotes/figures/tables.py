"""Markdown tables of output sizes, one per language, computed by `convnotes.shapes`."""

from __future__ import annotations

from .. import shapes
from ..errors import ConvArgumentError
from ._style import markdown_table

LANGUAGES = ("zh", "en")

HEADERS = {
    "zh": {"k": "卷积核 k", "s": "步长 s", "p": "填充 p", "d": "膨胀率 d", "a": "输出填充 a"},
    "en": {
        "k": "kernel k",
        "s": "stride s",
        "p": "padding p",
        "d": "dilation d",
        "a": "output padding a",
    },
}
INVALID = "—"

# (k, s, p, d): the settings a reader meets most, incl. "same" padding for odd k.
CONV_SETTINGS = (
    (1, 1, 0, 1),
    (3, 1, 0, 1),
    (3, 1, 1, 1),
    (5, 1, 2, 1),
    (7, 1, 3, 1),
    (3, 1, 2, 2),
    (2, 2, 0, 1),
    (3, 2, 0, 1),
    (3, 2, 1, 1),
    (4, 2, 1, 1),
    (5, 2, 2, 1),
    (7, 2, 3, 1),
)
CONV_INPUTS = (5, 6, 7, 8, 28, 32, 224)

# (k, s, p, a): transposed settings, incl. the common "double the size" ones.
TRANSPOSE_SETTINGS = (
    (3, 1, 1, 0),
    (2, 2, 0, 0),
    (3, 2, 0, 0),
    (3, 2, 1, 0),
    (3, 2, 1, 1),
    (4, 2, 1, 0),
    (5, 2, 2, 1),
    (4, 4, 0, 0),
)
TRANSPOSE_INPUTS = (2, 3, 4, 5, 7, 8, 14, 16)


def _cell(size_function, *args) -> str:
    """The size as text, or a dash where PyTorch rejects the arguments."""
    try:
        return str(size_function(*args))
    except ConvArgumentError:
        return INVALID


def conv_sizes_table(lang: str, settings=CONV_SETTINGS, inputs=CONV_INPUTS) -> str:
    """Rows (k, s, p, d); columns the conv's output size `o` for each input size `i`."""
    h = HEADERS[lang]
    header = [h["k"], h["s"], h["p"], h["d"], *(f"i={i}" for i in inputs)]
    rows = [
        [str(k), str(s), str(p), str(d)]
        + [_cell(shapes.conv_output_size, i, k, s, p, d) for i in inputs]
        for k, s, p, d in settings
    ]
    return markdown_table(header, rows, "cccc" + "r" * len(inputs))


def transpose_sizes_table(lang: str, settings=TRANSPOSE_SETTINGS, inputs=TRANSPOSE_INPUTS) -> str:
    """Rows (k, s, p, a); columns the transposed conv's output size for each input size."""
    h = HEADERS[lang]
    header = [h["k"], h["s"], h["p"], h["a"], *(f"i={i}" for i in inputs)]
    rows = [
        [str(k), str(s), str(p), str(a)]
        + [_cell(shapes.conv_transpose_output_size, i, k, s, p, a) for i in inputs]
        for k, s, p, a in settings
    ]
    return markdown_table(header, rows, "cccc" + "r" * len(inputs))


def doubling_settings(max_kernel: int = 7, max_padding: int = 3, sizes=range(1, 65)):
    """Transposed-conv settings (k, s=2, p, a) with `o = 2i` for every input size tried."""
    found = []
    for k in range(1, max_kernel + 1):
        for p in range(max_padding + 1):
            for a in (0, 1):
                try:
                    if all(
                        shapes.conv_transpose_output_size(i, k, 2, p, a) == 2 * i for i in sizes
                    ):
                        found.append((k, 2, p, a))
                except ConvArgumentError:
                    continue
    return found


def halving_settings(max_kernel: int = 7, max_padding: int = 3, sizes=range(2, 130, 2)):
    """Conv settings (k, s=2, p) with `o = i/2` for every even input size tried."""
    found = []
    for k in range(1, max_kernel + 1):
        for p in range(max_padding + 1):
            try:
                if all(shapes.conv_output_size(i, k, 2, p) == i // 2 for i in sizes):
                    found.append((k, 2, p))
            except ConvArgumentError:
                continue
    return found


DOUBLE_HALVE_TEXT = {
    "zh": {
        "double": "转置卷积：对每个 i 都有 o = 2i",
        "halve": "卷积：对每个偶数 i 都有 o = i/2",
        "odd": "奇数 i=7 时",
    },
    "en": {
        "double": "Transposed conv: o = 2i for every i",
        "halve": "Conv: o = i/2 for every even i",
        "odd": "odd i=7 gives",
    },
}


def double_halve_table(lang: str) -> str:
    """Two tables: the settings that exactly double (transposed) and halve (conv) a size."""
    h, text = HEADERS[lang], DOUBLE_HALVE_TEXT[lang]
    double_rows = [
        [str(k), str(s), str(p), str(a), f"{shapes.conv_transpose_output_size(8, k, s, p, a)}"]
        for k, s, p, a in doubling_settings()
    ]
    halve_rows = [
        [
            str(k),
            str(s),
            str(p),
            str(shapes.conv_output_size(8, k, s, p)),
            str(shapes.conv_output_size(7, k, s, p)),
        ]
        for k, s, p in halving_settings()
    ]
    return (
        f"**{text['double']}**\n\n"
        + markdown_table([h["k"], h["s"], h["p"], h["a"], "i=8 → o"], double_rows)
        + f"\n**{text['halve']}**\n\n"
        + markdown_table([h["k"], h["s"], h["p"], "i=8 → o", f"{text['odd']} o"], halve_rows)
    )


def _per_language(stem: str, make) -> dict[str, bytes]:
    return {f"tables/{stem}.{lang}.md": make(lang).encode() for lang in LANGUAGES}


def build_conv_sizes() -> dict[str, bytes]:
    return _per_language("conv-sizes", conv_sizes_table)


def build_transpose_sizes() -> dict[str, bytes]:
    return _per_language("transpose-sizes", transpose_sizes_table)


def build_double_halve() -> dict[str, bytes]:
    return _per_language("double-halve", double_halve_table)
