"""Output-size formulas written out with the numbers substituted (plain text and LaTeX).

The result always comes from [`convnotes.shapes`][convnotes.shapes] (the one source of
truth); this module only *writes* the formula, so a reader can redo the arithmetic by hand:

```text
o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊(32 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 16
```

Tuple arguments give one line per spatial dimension (`dim 0: ...` / `o_{0} = ...`).
Invalid arguments raise the same [`ConvArgumentError`][convnotes.errors.ConvArgumentError]
as shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .shapes import (
    Padding,
    Size,
    conv_output_size,
    conv_padding,
    conv_transpose_output_size,
    expand,
    output_padding_for,
)

__all__ = [
    "Explanation",
    "explain_conv_output_size",
    "explain_conv_transpose_output_size",
    "explain_output_padding_for",
]


@dataclass(frozen=True)
class Explanation:
    """A result with its formula: `text` (Unicode) and `latex`, one line per dimension."""

    result: int | tuple[int, ...]
    text: str
    latex: str

    def __str__(self) -> str:
        return self.text


def _per_dimension(result, line: Callable[[int, int], tuple[str, str]]) -> tuple[str, str]:
    """Join `line(axis, value)` -> (text, latex) over the dimensions of `result`."""
    values = result if isinstance(result, tuple) else (result,)
    texts, latexes = [], []
    for axis, value in enumerate(values):
        text, latex = line(axis, value)
        if isinstance(result, tuple):
            text = f"dim {axis}: {text}"
            latex = latex.replace("o = ", f"o_{{{axis}}} = ", 1).replace(
                "a = ", f"a_{{{axis}}} = ", 1
            )
        texts.append(text)
        latexes.append(latex)
    return "\n".join(texts), "\n".join(latexes)


def _ndim(result) -> int:
    return len(result) if isinstance(result, tuple) else 1


def explain_conv_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Padding = 0,
    dilation: Size = 1,
) -> Explanation:
    """`o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1` with the numbers in.

    With `padding="same"` and an odd total padding, the two sides differ and the
    formula shows `p₁ + p₂` (before + after) instead of `2p`.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`, an int or one int per dimension, `"same"` or `"valid"`.
        dilation: `d`, an int or one int per dimension.

    Returns:
        The size, with the formula as text and LaTeX.

    Raises:
        ConvArgumentError: what [`conv_output_size`][convnotes.shapes.conv_output_size]
            rejects.

    Examples:
        >>> print(explain_conv_output_size(32, 3, stride=2, padding=1))
        o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊(32 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 16
    """
    result = conv_output_size(input_size, kernel_size, stride, padding, dilation)
    n = _ndim(result)
    i, k, s, d = (
        expand(name, value, n)
        for name, value in (
            ("input_size", input_size),
            ("kernel_size", kernel_size),
            ("stride", stride),
            ("dilation", dilation),
        )
    )
    pads = conv_padding(padding, k, s, d)

    def line(axis: int, value: int) -> tuple[str, str]:
        before, after = pads[axis]
        if before == after:
            sym_p, num_p, tex_num_p = "2p", f"2·{before}", rf"2 \cdot {before}"
            tex_sym_p = "2p"
        else:
            sym_p, num_p, tex_num_p = "p₁ + p₂", f"{before} + {after}", f"{before} + {after}"
            tex_sym_p = "p_1 + p_2"
        num = f"{i[axis]} + {num_p} − {d[axis]}·({k[axis]}−1) − 1"
        text = f"o = ⌊(i + {sym_p} − d(k−1) − 1)/s⌋ + 1 = ⌊({num})/{s[axis]}⌋ + 1 = {value}"
        tex_num = rf"{i[axis]} + {tex_num_p} - {d[axis]} \cdot ({k[axis]}-1) - 1"
        latex = (
            rf"o = \left\lfloor \frac{{i + {tex_sym_p} - d(k-1) - 1}}{{s}} \right\rfloor + 1"
            rf" = \left\lfloor \frac{{{tex_num}}}{{{s[axis]}}} \right\rfloor + 1 = {value}"
        )
        return text, latex

    return Explanation(result, *_per_dimension(result, line))


def explain_conv_transpose_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> Explanation:
    """`o = (i − 1)·s − 2p + d(k−1) + a + 1` with the numbers in.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`, an int or one int per dimension.
        output_padding: `a`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.

    Returns:
        The size, with the formula as text and LaTeX.

    Raises:
        ConvArgumentError: what
            [`conv_transpose_output_size`][convnotes.shapes.conv_transpose_output_size]
            rejects.

    Examples:
        >>> print(explain_conv_transpose_output_size(16, 3, 2, 1, 1))
        o = (i − 1)·s − 2p + d(k−1) + a + 1 = (16 − 1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 32
    """
    result = conv_transpose_output_size(
        input_size, kernel_size, stride, padding, output_padding, dilation
    )
    n = _ndim(result)
    i, k, s, p, a, d = (
        expand(name, value, n)
        for name, value in (
            ("input_size", input_size),
            ("kernel_size", kernel_size),
            ("stride", stride),
            ("padding", padding),
            ("output_padding", output_padding),
            ("dilation", dilation),
        )
    )

    def line(axis: int, value: int) -> tuple[str, str]:
        num = f"({i[axis]} − 1)·{s[axis]} − 2·{p[axis]} + {d[axis]}·({k[axis]}−1) + {a[axis]} + 1"
        text = f"o = (i − 1)·s − 2p + d(k−1) + a + 1 = {num} = {value}"
        tex_num = (
            rf"({i[axis]} - 1) \cdot {s[axis]} - 2 \cdot {p[axis]} + {d[axis]} \cdot "
            rf"({k[axis]}-1) + {a[axis]} + 1"
        )
        latex = rf"o = (i - 1)s - 2p + d(k-1) + a + 1 = {tex_num} = {value}"
        return text, latex

    return Explanation(result, *_per_dimension(result, line))


def explain_output_padding_for(
    input_size: Size,
    output_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    dilation: Size = 1,
) -> Explanation:
    """`a = o − [(i − 1)·s − 2p + d(k−1) + 1]` with the numbers in.

    The output_padding that `nn.ConvTranspose*d.forward(x, output_size=o)` picks.

    Args:
        input_size: `i`, an int or one int per spatial dimension.
        output_size: `o`, the size asked for.
        kernel_size: `k`, an int or one int per dimension.
        stride: `s`, an int or one int per dimension.
        padding: `p`, an int or one int per dimension.
        dilation: `d`, an int or one int per dimension.

    Returns:
        The output_padding, with the formula as text and LaTeX.

    Raises:
        ConvArgumentError: what [`output_padding_for`][convnotes.shapes.output_padding_for]
            rejects.

    Examples:
        >>> print(explain_output_padding_for(16, 32, 3, stride=2, padding=1))
        a = o − [(i − 1)·s − 2p + d(k−1) + 1] = 32 − [(16 − 1)·2 − 2·1 + 1·(3−1) + 1] = 1
    """
    result = output_padding_for(input_size, output_size, kernel_size, stride, padding, dilation)
    n = _ndim(result)
    i, o, k, s, p, d = (
        expand(name, value, n)
        for name, value in (
            ("input_size", input_size),
            ("output_size", output_size),
            ("kernel_size", kernel_size),
            ("stride", stride),
            ("padding", padding),
            ("dilation", dilation),
        )
    )

    def line(axis: int, value: int) -> tuple[str, str]:
        low = f"({i[axis]} − 1)·{s[axis]} − 2·{p[axis]} + {d[axis]}·({k[axis]}−1) + 1"
        text = f"a = o − [(i − 1)·s − 2p + d(k−1) + 1] = {o[axis]} − [{low}] = {value}"
        tex_low = (
            rf"({i[axis]} - 1) \cdot {s[axis]} - 2 \cdot {p[axis]} + {d[axis]} \cdot "
            rf"({k[axis]}-1) + 1"
        )
        latex = (
            rf"a = o - \left[(i - 1)s - 2p + d(k-1) + 1\right]"
            rf" = {o[axis]} - \left[{tex_low}\right] = {value}"
        )
        return text, latex

    return Explanation(result, *_per_dimension(result, line))
