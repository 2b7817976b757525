"""The convolution-arithmetic table of the animated transposed cases, one per language.

For each transposed conv (input ``i'``, kernel ``k``, stride ``s``, padding ``p``,
dilation ``d``, output_padding ``a``) the table gives its output size ``o'`` and the direct
convolution that computes the same tensor (Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning", arXiv:1603.07285, section 4):

* stretch the input with ``s - 1`` zeros between pixels: ``(i' - 1)s + 1``;
* pad ``q = d(k - 1) - p`` on each side and ``a`` more at the end;
* convolve with the flipped kernel, stride 1, dilation ``d``: ``o' = padded - d(k - 1)``.

Sizes come from :mod:`convnotes.shapes`; the table's rows are :func:`equivalent_conv`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import shapes
from ._style import markdown_table
from .registry import TRANSPOSED_CASES, AnimationCase

LANGUAGES = ("zh", "en")

CASE_TITLES = {
    "zh": {
        "transposed-no-padding": "无填充",
        "transposed-padding": "有填充",
        "transposed-half-padding": "半填充",
        "transposed-full-padding": "全填充",
        "transposed-strides": "步长 2",
        "transposed-strides-padding": "步长 2 + 填充",
        "transposed-strides-odd": "步长 2，不能整除",
        "transposed-dilation": "膨胀率 2",
        "transposed-output-padding": "输出填充",
    },
    "en": {
        "transposed-no-padding": "no padding",
        "transposed-padding": "padding",
        "transposed-half-padding": "half padding",
        "transposed-full-padding": "full padding",
        "transposed-strides": "stride 2",
        "transposed-strides-padding": "stride 2 + padding",
        "transposed-strides-odd": "stride 2, uneven",
        "transposed-dilation": "dilation 2",
        "transposed-output-padding": "output padding",
    },
}

TEXT = {
    "zh": {
        "case": "动画",
        "size": "$i' \\to o'$",
        "transposed": "转置卷积",
        "direct": "与之相等的普通卷积：翻转的卷积核 flip(w)，步长 1，膨胀率 $d$",
        "stretched": "插零后 $(i'-1)s+1$",
        "edge": "每侧补零 $d(k-1)-p$",
        "padded": "补零后",
        "out": "卷积输出",
    },
    "en": {
        "case": "animation",
        "size": "$i' \\to o'$",
        "transposed": "The transposed convolution",
        "direct": "The equal direct convolution: flipped kernel flip(w), stride 1, dilation $d$",
        "stretched": "stretched $(i'-1)s+1$",
        "edge": "padding per side $d(k-1)-p$",
        "padded": "padded",
        "out": "conv output",
    },
}


@dataclass(frozen=True)
class EquivalentConv:
    """A transposed conv's sizes and those of the stride-1 direct conv equal to it (1 axis)."""

    input_size: int
    kernel_size: int
    stride: int
    padding: int
    dilation: int
    output_padding: int
    output_size: int  # o' = (i'-1)s - 2p + d(k-1) + a + 1
    stretched_size: int  # (i'-1)s + 1: s-1 zeros between neighbouring pixels
    edge_padding: int  # q = d(k-1) - p on each side (negative: a crop)
    padded_size: int  # stretched + 2q + a
    direct_output_size: int  # the stride-1 conv of the padded input with the flipped kernel


def equivalent_conv(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> EquivalentConv:
    """The direct convolution equal to ``conv_transpose`` with these parameters.

    ``stretched = (i'-1)s + 1``, ``q = d(k-1) - p``, ``padded = stretched + 2q + a``, and a
    stride-1 conv of ``padded`` with dilation ``d`` gives ``padded - d(k-1) = o'``.

    >>> row = equivalent_conv(2, 3, stride=2)
    >>> (row.stretched_size, row.edge_padding, row.padded_size, row.output_size)
    (3, 2, 7, 5)
    """
    output_size = shapes.conv_transpose_output_size(
        input_size, kernel_size, stride, padding, output_padding, dilation
    )
    stretched = (input_size - 1) * stride + 1
    edge = dilation * (kernel_size - 1) - padding
    padded = stretched + 2 * edge + output_padding
    return EquivalentConv(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        output_padding=output_padding,
        output_size=output_size,
        stretched_size=stretched,
        edge_padding=edge,
        padded_size=padded,
        direct_output_size=shapes.conv_output_size(padded, kernel_size, 1, 0, dilation),
    )


def case_equivalent(case: AnimationCase) -> EquivalentConv:
    """The :func:`equivalent_conv` row of one animated transposed case."""
    return equivalent_conv(
        case.input_size,
        case.kernel_size,
        case.stride,
        case.padding,
        case.output_padding,
        case.dilation,
    )


def arithmetic_table(lang: str, cases: tuple[AnimationCase, ...] = TRANSPOSED_CASES) -> str:
    """Two tables, one row per animated case: the transposed conv, then the equal direct conv."""
    titles, words = CASE_TITLES[lang], TEXT[lang]
    rows = [(titles[case.name], case_equivalent(case)) for case in cases]
    transposed = markdown_table(
        [words["case"], "$k$", "$s$", "$p$", "$d$", "$a$", words["size"]],
        [
            [
                title,
                *(str(v) for v in (r.kernel_size, r.stride, r.padding, r.dilation)),
                str(r.output_padding),
                f"{r.input_size} → **{r.output_size}**",
            ]
            for title, r in rows
        ],
        "lcccccc",
    )
    direct = markdown_table(
        [words["case"], words["stretched"], words["edge"], words["padded"], words["out"]],
        [
            [
                title,
                f"{r.input_size} → {r.stretched_size}",
                str(r.edge_padding),
                str(r.padded_size),
                f"**{r.direct_output_size}**",
            ]
            for title, r in rows
        ],
        "lcccc",
    )
    return f"**{words['transposed']}**\n\n{transposed}\n**{words['direct']}**\n\n{direct}"


def build_transposed_arithmetic() -> dict[str, bytes]:
    return {
        f"tables/transposed-arithmetic.{lang}.md": arithmetic_table(lang).encode()
        for lang in LANGUAGES
    }
