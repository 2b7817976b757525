"""The substituted formulas of :mod:`convnotes.explain`, evaluated independently.

Each line ``symbols = numbers = result`` is parsed back: the numeric middle is turned into a
Python expression (⌊x/s⌋ -> (x)//s, · -> *, − -> -; for LaTeX \\left\\lfloor\\frac{x}{s}... ->
(x)//(s)) and evaluated with ``eval`` on a whitelist of characters. It must equal the stated
result, which must equal :mod:`convnotes.shapes` and PyTorch.
"""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from convnotes.errors import ConvArgumentError
from convnotes.explain import (
    Explanation,
    explain_conv_output_size,
    explain_conv_transpose_output_size,
    explain_output_padding_for,
)
from convnotes.shapes import conv_output_size, conv_transpose_output_size, output_padding_for

FAST = settings(max_examples=60, deadline=None)
SAFE = re.compile(r"^[\d\s()+\-*/]+$")


def evaluate(expression: str) -> int:
    assert SAFE.match(expression), expression
    return eval(expression, {"__builtins__": {}})


def text_to_python(numbers: str) -> str:
    return (
        numbers.replace("⌊", "(")
        .replace(")/", ")//")
        .replace("⌋", ")")
        .replace("·", "*")
        .replace("−", "-")
        .replace("[", "(")
        .replace("]", ")")
    )


def latex_to_python(numbers: str) -> str:
    python = numbers.replace(r"\left\lfloor \frac{", "((").replace(r"}{", ")//(")
    python = python.replace(r"} \right\rfloor", "))").replace(r"\cdot", "*")
    return python.replace(r"\left[", "(").replace(r"\right]", ")")


def check_lines(explanation: Explanation, expected) -> None:
    values = expected if isinstance(expected, tuple) else (expected,)
    assert explanation.result == expected
    text_lines = explanation.text.split("\n")
    latex_lines = explanation.latex.split("\n")
    assert len(text_lines) == len(latex_lines) == len(values)
    for axis, (text, latex, value) in enumerate(zip(text_lines, latex_lines, values)):
        if isinstance(expected, tuple):
            assert text.startswith(f"dim {axis}: ")
            text = text.removeprefix(f"dim {axis}: ")
            assert re.match(rf"^[oa]_\{{{axis}\}} = ", latex)
        name, symbols, numbers, result = text.split(" = ")
        assert name in ("o", "a") and re.search("[isk]", symbols)
        assert int(result) == value
        assert evaluate(text_to_python(numbers)) == value, numbers
        _, tex_numbers, tex_result = latex.split(" = ")[-3:]
        assert int(tex_result) == value
        assert evaluate(latex_to_python(tex_numbers)) == value, tex_numbers


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_example_from_the_brief():
    e = explain_conv_output_size(32, 3, stride=2, padding=1)
    assert e.text == "o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊(32 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 16"
    assert e.result == 16 and str(e) == e.text
    assert r"\left\lfloor" in e.latex and r"\frac" in e.latex


@st.composite
def conv_args(draw):
    ndim = draw(st.integers(1, 3))
    tup = draw(st.booleans())

    def arg(strategy):
        return tuple(draw(strategy) for _ in range(ndim)) if tup else draw(strategy)

    i, k = arg(st.integers(3, 12)), arg(st.integers(1, 3))
    s, d = arg(st.integers(1, 3)), arg(st.integers(1, 2))
    p = draw(st.one_of(st.just("same"), st.just("valid"), st.integers(0, 2)))
    if p == "same":
        s = 1
    return i, k, s, p, d


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@FAST
@given(conv_args())
def test_conv_formula_evaluates_to_the_result(args):
    i, k, s, p, d = args
    try:
        expected = conv_output_size(i, k, s, p, d)
    except ConvArgumentError:
        with pytest.raises(ConvArgumentError):
            explain_conv_output_size(i, k, s, p, d)
        return
    e = explain_conv_output_size(i, k, s, p, d)
    check_lines(e, expected)
    ndim = len(expected) if isinstance(expected, tuple) else 1
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[ndim]
    x = torch.zeros((1, 1, *(i if isinstance(i, tuple) else (i,) * ndim)))
    w = torch.zeros((1, 1, *(k if isinstance(k, tuple) else (k,) * ndim)))
    got = tuple(conv(x, w, stride=s, padding=p, dilation=d).shape[2:])
    assert got == (expected if isinstance(expected, tuple) else (expected,))


def test_same_padding_with_odd_total_shows_both_sides():
    e = explain_conv_output_size(10, 4, padding="same")  # total 3: 1 before, 2 after
    assert "p₁ + p₂" in e.text and "10 + 1 + 2" in e.text
    check_lines(e, 10)


@FAST
@given(
    st.integers(1, 3),
    st.integers(1, 10),
    st.integers(1, 5),
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(1, 3),
)
def test_transpose_formula_evaluates_to_the_result(n, i, k, s, p, a, d):
    try:
        expected = conv_transpose_output_size((i,) * n if n > 1 else i, k, s, p, a, d)
    except ConvArgumentError:
        with pytest.raises(ConvArgumentError):
            explain_conv_transpose_output_size(i, k, s, p, a, d)
        return
    e = explain_conv_transpose_output_size((i,) * n if n > 1 else i, k, s, p, a, d)
    check_lines(e, expected)
    y = F.conv_transpose1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), None, s, p, a, 1, d)
    assert y.shape[-1] == (expected[0] if n > 1 else expected)


@FAST
@given(
    st.integers(1, 10),
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(0, 2),
    st.integers(1, 3),
    st.integers(0, 3),
)
def test_output_padding_formula_evaluates_to_the_result(i, k, s, p, d, extra):
    try:
        lo = conv_transpose_output_size(i, k, s, p, 0, d)
    except ConvArgumentError:
        return
    o = lo + extra
    try:
        expected = output_padding_for(i, o, k, s, p, d)
    except ConvArgumentError as error:
        assert extra >= s
        with pytest.raises(ConvArgumentError, match="output_size"):
            explain_output_padding_for(i, o, k, s, p, d)
        assert "output_size" in str(error)
        return
    check_lines(explain_output_padding_for(i, o, k, s, p, d), expected)
    module = torch.nn.ConvTranspose1d(1, 1, k, s, p, dilation=d)
    assert module(torch.zeros(1, 1, i), output_size=[o]).shape[-1] == o


def test_tuples_give_one_line_per_dimension():
    e = explain_conv_output_size((65, 64), 3, stride=2, padding=1)
    check_lines(e, (33, 32))
    assert e.text.count("\n") == 1
    check_lines(explain_conv_transpose_output_size((17, 16), 3, 2, 1, (0, 1)), (33, 32))
    check_lines(explain_output_padding_for((16, 16), (31, 32), 3, 2, 1), (0, 1))


def test_invalid_arguments_raise_like_shapes():
    with pytest.raises(ConvArgumentError, match="stride="):
        explain_conv_output_size(8, 3, stride=0)
    with pytest.raises(ConvArgumentError, match="output_padding="):
        explain_conv_transpose_output_size(8, 3, stride=1, output_padding=1)
    with pytest.raises(ConvArgumentError, match="output_size="):
        explain_output_padding_for(16, 40, 3, stride=2, padding=1)
