"""Differential tests of :mod:`convnotes.shapes` with PyTorch as the oracle.

Every configuration (valid or not) is run through the real PyTorch op on tiny tensors:
``F.conv{n}d`` for :func:`conv_output_size`, ``F.conv_transpose{n}d`` for
:func:`conv_transpose_output_size` and ``nn.ConvTranspose{n}d.forward(x, output_size=...)``
for :func:`output_padding_for` / :func:`output_size_range`. We require the same accept/reject
decision and the same output size. When we reject, the message must name (``name=value``) one
of the parameters that an independent rule check (``*_violations`` below) says is wrong.

The fixed examples come from Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (relationships 1-15, checked against the paper's formulas *and* PyTorch) and from
PyTorch's own ``test_ConvTranspose2d_output_size*`` tests.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import cache

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from convnotes.errors import ConvArgumentError
from convnotes.shapes import (
    conv_output_size,
    conv_padding,
    conv_transpose_output_size,
    effective_kernel_size,
    expand,
    output_padding_for,
    output_size_range,
    same_padding,
)

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
CONV_T_MODULE = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
TORCH_ERRORS = (RuntimeError, ValueError, TypeError, IndexError)
# Largest spatial size per dimension count: keeps every tensor tiny.
MAX_INPUT = {1: 14, 2: 8, 3: 5}

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- oracles


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def as_tuple(value: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    """The test's own broadcast of an int (kept apart from ``shapes.expand``)."""
    return tuple(value) if isinstance(value, Sequence) else (value,) * ndim


def torch_conv(ndim, i, k, stride, padding, dilation):
    """Output spatial size of the real ``F.conv{ndim}d`` or the exception it raises."""
    try:
        x = torch.zeros((1, 1, *as_tuple(i, ndim)))
        w = torch.zeros((1, 1, *as_tuple(k, ndim)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = CONV[ndim](x, w, stride=stride, padding=padding, dilation=dilation)
        return tuple(y.shape[2:])
    except TORCH_ERRORS as error:
        return error


def torch_conv_transpose(ndim, i, k, stride, padding, output_padding, dilation):
    """Output spatial size of the real ``F.conv_transpose{ndim}d`` or its exception."""
    try:
        x = torch.zeros((1, 1, *as_tuple(i, ndim)))
        w = torch.zeros((1, 1, *as_tuple(k, ndim)))
        y = CONV_T[ndim](
            x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
        )
    except TORCH_ERRORS as error:
        return error
    if any(size < 1 for size in y.shape[2:]):
        # PyTorch's 3-d CPU (oneDNN) path returns an empty tensor for e.g. an output of
        # (0, 3, 3) where its 1-d/2-d paths raise "Output size is too small": we follow
        # the documented rule and the 1-d/2-d behaviour, and reject.
        return RuntimeError(f"empty output {tuple(y.shape[2:])}: Output size is too small")
    return tuple(y.shape[2:])


def torch_transpose_module(ndim, i, o, k, stride, padding, dilation):
    """``nn.ConvTranspose{ndim}d(...)(x, output_size=o)``: output size or exception."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zero-element weight init warns
            module = CONV_T_MODULE[ndim](
                1, 1, kernel_size=k, stride=stride, padding=padding, dilation=dilation, bias=False
            )
        x = torch.zeros((1, 1, *as_tuple(i, ndim)))
        y = module(x, output_size=list(as_tuple(o, ndim)))
        return tuple(y.shape[2:])
    except TORCH_ERRORS as error:
        return error


def ours(function, *args, **kwargs):
    """Call a shapes function; return its result or the ConvArgumentError it raised."""
    try:
        return function(*args, **kwargs)
    except ConvArgumentError as error:
        assert isinstance(error, ValueError) and isinstance(error, RuntimeError)
        return error


def check_same_decision(result, expected, is_tuple: bool, ndim: int, violations: set[str]):
    """Same accept/reject as PyTorch, same sizes, int->int / sequence->tuple, named parameter."""
    if isinstance(expected, Exception):
        assert isinstance(result, ConvArgumentError), (
            f"PyTorch rejects ({expected}) but we returned {result!r}"
        )
        assert violations, f"rule check found nothing wrong, yet PyTorch said: {expected}"
        message = str(result)
        assert any(f"{name}=" in message for name in violations), (
            f"message {message!r} names none of {sorted(violations)}"
        )
        return
    assert not isinstance(result, Exception), f"PyTorch accepts ({expected}) but we raised {result}"
    assert not violations, f"PyTorch accepted although rules say {violations}"
    if is_tuple:
        assert isinstance(result, tuple) and len(result) == ndim
        assert all(type(v) is int for v in result)
        assert result == expected
    else:
        assert type(result) is int
        assert (result,) * ndim == expected


# ------------------------------------------------- independent rule checks (for messages)


def common_violations(i, k, s, d) -> set[str]:
    found = set()
    for name, values in (("input_size", i), ("kernel_size", k), ("stride", s), ("dilation", d)):
        if any(v < 1 for v in values):
            found.add(name)
    return found


def conv_violations(ndim, i, k, s, p, d) -> set[str]:
    i, k, s, d = (as_tuple(v, ndim) for v in (i, k, s, d))
    found = common_violations(i, k, s, d)
    if isinstance(p, str):
        if p not in ("same", "valid") or (p == "same" and any(v != 1 for v in s)):
            found.add("padding")
        pads = (0,) * ndim if p == "valid" else None
    else:
        pads = as_tuple(p, ndim)
        if any(v < 0 for v in pads):
            found.add("padding")
    # Dumoulin & Visin: a (dilated) kernel must fit in the padded input.
    if (not found and pads is not None) and any(
        dd * (kk - 1) + 1 > ii + 2 * pp for ii, kk, pp, dd in zip(i, k, pads, d)
    ):
        found.add("kernel_size")
    return found


def transpose_violations(ndim, i, k, s, p, a, d) -> set[str]:
    i, k, s, p, a, d = (as_tuple(v, ndim) for v in (i, k, s, p, a, d))
    found = common_violations(i, k, s, d)
    if any(v < 0 for v in p):
        found.add("padding")
    if any(aa < 0 or (aa >= ss and aa >= dd) for aa, ss, dd in zip(a, s, d)):
        found.add("output_padding")
    return found


# ------------------------------------------------------------------- hypothesis strategies


@st.composite
def param(draw, ndim: int, values: st.SearchStrategy[int], tuple_only: bool = False):
    """An int, or a tuple/list of ``ndim`` ints (mixed int/tuple arguments)."""
    form = "tuple" if tuple_only else draw(st.sampled_from(["int", "tuple", "list"]))
    if form == "int":
        return draw(values)
    items = draw(st.lists(values, min_size=ndim, max_size=ndim))
    return tuple(items) if form == "tuple" else items


def padding_values(low: int, high: int):
    return st.integers(low, high)


@st.composite
def conv_configs(draw, anything: bool):
    """(ndim, input, kernel, stride, padding, dilation). ``anything`` adds invalid values."""
    ndim = draw(st.integers(1, 3))
    lo = -1 if anything else 1
    i = draw(param(ndim, st.integers(lo - 1 if anything else 1, MAX_INPUT[ndim])))
    k = draw(param(ndim, st.integers(lo, 5)))
    s = draw(param(ndim, st.integers(lo, 4)))
    d = draw(param(ndim, st.integers(lo, 3)))
    strings = ["same", "valid", "full"] if anything else ["same", "valid"]
    p = draw(
        st.one_of(
            param(ndim, st.integers(-1 if anything else 0, 3)),
            st.sampled_from(strings),
        )
    )
    return ndim, i, k, s, p, d


@st.composite
def transpose_configs(draw, anything: bool):
    """(ndim, input, kernel, stride, padding, output_padding, dilation)."""
    ndim = draw(st.integers(1, 3))
    lo = -1 if anything else 1
    i = draw(param(ndim, st.integers(lo if anything else 1, MAX_INPUT[ndim] - 2)))
    k = draw(param(ndim, st.integers(lo, 4)))
    s = draw(param(ndim, st.integers(lo, 3)))
    d = draw(param(ndim, st.integers(lo, 3)))
    p = draw(param(ndim, st.integers(-1 if anything else 0, 3)))
    a = draw(param(ndim, st.integers(-1 if anything else 0, 3)))
    return ndim, i, k, s, p, a, d


def any_sequence(*values) -> bool:
    return any(isinstance(v, (tuple, list)) for v in values)


# -------------------------------------------------------------- conv_output_size vs torch


@settings(FAST, max_examples=120)
@given(st.booleans().flatmap(lambda anything: conv_configs(anything=anything)))
def test_conv_output_size_matches_torch(config):
    """Valid ranges and (half the time) invalid values too: same decision, same size."""
    ndim, i, k, s, p, d = config
    result = ours(conv_output_size, i, k, stride=s, padding=p, dilation=d)
    expected = torch_conv(ndim, i, k, s, p, d)
    violations = conv_violations(ndim, i, k, s, p, d)
    check_same_decision(result, expected, any_sequence(i, k, s, p, d), ndim, violations)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_padding_strings_exhaustive_small(ndim, padding):
    """Every (i, k, d) in a small box, stride 1 and 2: 'same' keeps i (stride 1 only)."""
    for i in range(1, 6):
        for k in range(1, 5):  # even and odd kernels
            for d in range(1, 3):  # odd and even effective kernels
                for s in (1, 2):
                    result = ours(conv_output_size, i, k, stride=s, padding=padding, dilation=d)
                    expected = torch_conv(ndim, i, k, s, padding, d)
                    violations = conv_violations(ndim, i, k, s, padding, d)
                    check_same_decision(result, expected, False, ndim, violations)
                    if padding == "same" and s == 1:
                        assert result == i


def test_same_with_stride_names_padding_and_stride():
    with pytest.raises(ConvArgumentError, match=r"padding='same'.*stride=\(1, 2\)"):
        conv_output_size((8, 8), 3, stride=(1, 2), padding="same")
    assert isinstance(torch_conv(2, (8, 8), 3, (1, 2), "same", 1), RuntimeError)


@pytest.mark.parametrize("bad", ["full", "SAME", ""])
def test_unknown_padding_string_rejected_like_torch(bad):
    assert isinstance(torch_conv(1, 8, 3, 1, bad, 1), Exception)
    with pytest.raises(ConvArgumentError, match="padding="):
        conv_output_size(8, 3, padding=bad)


# ----------------------------------------------------- conv_transpose_output_size vs torch


@settings(FAST, max_examples=120)
@given(st.booleans().flatmap(lambda anything: transpose_configs(anything=anything)))
def test_conv_transpose_output_size_matches_torch(config):
    ndim, i, k, s, p, a, d = config
    result = ours(
        conv_transpose_output_size, i, k, stride=s, padding=p, output_padding=a, dilation=d
    )
    expected = torch_conv_transpose(ndim, i, k, s, p, a, d)
    violations = transpose_violations(ndim, i, k, s, p, a, d)
    if isinstance(expected, Exception) and not violations:
        # The only remaining rule: the output must not be empty.
        assert isinstance(result, ConvArgumentError)
        assert "output size" in str(result) and "padding=" in str(result)
        return
    check_same_decision(result, expected, any_sequence(i, k, s, p, a, d), ndim, violations)


def test_output_padding_rule_is_stride_or_dilation_exhaustive():
    """output_padding must be < stride OR < dilation: includes a < d with s = 1."""
    for s in range(1, 4):
        for d in range(1, 4):
            for a in range(0, 5):
                result = ours(conv_transpose_output_size, 4, 3, s, 0, a, d)
                expected = torch_conv_transpose(1, 4, 3, s, 0, a, d)
                check_same_decision(
                    result, expected, False, 1, transpose_violations(1, 4, 3, s, 0, a, d)
                )
                assert isinstance(expected, Exception) == (a >= s and a >= d)


def test_output_padding_below_dilation_with_stride_one():
    # stride 1, dilation 3: output_padding 1 and 2 are legal (PyTorch's "or" rule).
    for a in (1, 2):
        assert (
            conv_transpose_output_size(5, 3, 1, 0, a, 3)
            == torch_conv_transpose(1, 5, 3, 1, 0, a, 3)[0]
        )
    with pytest.raises(ConvArgumentError, match="output_padding="):
        conv_transpose_output_size(5, 3, 1, 0, 3, 3)


def test_output_padding_rule_is_per_dimension():
    # dim 0: a=1, s=1, d=1 -> illegal, even though dim 1 (s=2) would allow it.
    assert isinstance(torch_conv_transpose(2, 4, 3, (1, 2), 0, (1, 0), 1), RuntimeError)
    with pytest.raises(ConvArgumentError, match="output_padding="):
        conv_transpose_output_size(4, 3, stride=(1, 2), output_padding=(1, 0))


def test_transpose_rejects_string_padding_like_torch():
    assert isinstance(torch_conv_transpose(1, 4, 3, 1, "same", 0, 1), Exception)
    with pytest.raises(ConvArgumentError, match="padding="):
        conv_transpose_output_size(4, 3, padding="same")


def test_transpose_empty_output_rejected():
    assert isinstance(torch_conv_transpose(1, 1, 1, 1, 1, 0, 1), RuntimeError)
    with pytest.raises(ConvArgumentError, match="output size"):
        conv_transpose_output_size(1, 1, padding=1)


# ------------------------------------------- output_padding_for / output_size_range vs torch


def torch_range_from_message(message: str) -> tuple[list[int], list[int]] | None:
    found = re.search(r"from \[([-\d, ]*)\] to \[([-\d, ]*)\]", message)
    if not found:
        return None
    return tuple([int(v) for v in group.split(",")] for group in found.groups())  # type: ignore[return-value]


def check_output_padding_for(ndim, i, o, k, s, p, d):
    result = ours(output_padding_for, i, o, k, stride=s, padding=p, dilation=d)
    expected = torch_transpose_module(ndim, i, o, k, s, p, d)
    if isinstance(expected, Exception):
        assert isinstance(result, ConvArgumentError), f"torch: {expected}; ours: {result}"
        violations = transpose_violations(ndim, i, k, s, p, 0, d) | {"output_size"}
        assert any(f"{name}=" in str(result) for name in violations), str(result)
        torch_range = torch_range_from_message(str(expected))
        if isinstance(expected, ValueError) and torch_range and "output_size=" in str(result):
            # Same valid range as PyTorch states.
            ours_numbers = re.search(r"range from (.*) to (.*) \(for", str(result))
            assert ours_numbers, str(result)
            for torch_values, our_text in zip(torch_range, ours_numbers.groups()):
                our_values = [int(v) for v in re.findall(r"-?\d+", our_text)]
                assert our_values in (torch_values, torch_values[:1]), (torch_values, our_text)
        return
    assert not isinstance(result, Exception), f"torch accepts {expected}; we raised {result}"
    assert expected == as_tuple(o, ndim)
    padding_tuple = as_tuple(result, ndim)
    # The output_padding we name gives the same size through F.conv_transpose...
    assert torch_conv_transpose(ndim, i, k, s, p, result, d) == expected
    assert isinstance(result, tuple) == any_sequence(i, o, k, s, p, d)
    # ...and is the one nn.ConvTranspose*d computes internally for output_size.
    module = CONV_T_MODULE[ndim](1, 1, k, stride=s, padding=p, dilation=d)
    x = torch.zeros((1, 1, *as_tuple(i, ndim)))
    internal = module._output_padding(
        x, list(as_tuple(o, ndim)), module.stride, module.padding, module.kernel_size,
        ndim, module.dilation,
    )  # fmt: skip
    assert tuple(internal) == padding_tuple


@st.composite
def output_padding_configs(draw, anything: bool):
    ndim, i, k, s, p, _, d = draw(transpose_configs(anything=anything))
    # Aim the requested size near the valid range so that both sides of it get exercised.
    ii, kk, ss, pp, dd = (as_tuple(v, ndim) for v in (i, k, s, p, d))
    centre = [(a - 1) * b - 2 * c + e * (f - 1) + 1 for a, b, c, e, f in zip(ii, ss, pp, dd, kk)]
    offsets = draw(st.lists(st.integers(-2, 4), min_size=ndim, max_size=ndim))
    o = [c + off for c, off in zip(centre, offsets)]
    form = draw(st.sampled_from(["int", "tuple"]))
    o = o[0] if form == "int" and len(set(o)) == 1 else tuple(o)
    return ndim, i, o, k, s, p, d


@settings(FAST, max_examples=120)
@given(st.booleans().flatmap(lambda anything: output_padding_configs(anything=anything)))
def test_output_padding_for_matches_module_forward(config):
    check_output_padding_for(*config)


@FAST
@given(transpose_configs(anything=False))
def test_output_size_range_is_what_module_forward_accepts(config):
    ndim, i, k, s, p, _, d = config
    i, k, s, p, d = (as_tuple(v, ndim)[0] for v in (i, k, s, p, d))  # one dimension, ints
    result = ours(output_size_range, i, k, stride=s, padding=p, dilation=d)
    assert not isinstance(result, Exception)
    lo, hi = result
    assert type(lo) is int and type(hi) is int
    for o in range(lo - 2, hi + 3):
        accepted = not isinstance(torch_transpose_module(1, i, o, k, s, p, d), Exception)
        assert accepted == (lo <= o <= hi and o >= 1), (o, lo, hi)


def test_output_size_range_tuple_in_tuple_out():
    lo, hi = output_size_range((6, 7), 3, stride=(3, 2), padding=(0, 1))
    assert isinstance(lo, tuple) and isinstance(hi, tuple)
    assert (lo, hi) == (
        (output_size_range(6, 3, 3, 0)[0], output_size_range(7, 3, 2, 1)[0]),
        (output_size_range(6, 3, 3, 0)[1], output_size_range(7, 3, 2, 1)[1]),
    )


# --------------------------------------------------------- PyTorch's own output_size tests


def test_port_of_torch_ConvTranspose2d_output_size():
    """test_nn.py: ConvTranspose2d(3, 4, 3, 3, 0, 2) on 6x6 accepts exactly 18..20 per side."""
    module = nn.ConvTranspose2d(3, 4, 3, 3, 0, 2)
    x = torch.randn(2, 3, 6, 6)
    for h in range(15, 22):
        for w in range(15, 22):
            ok = 18 <= h <= 20 and 18 <= w <= 20
            if ok:
                assert module(x, output_size=(h, w)).shape[2:] == (h, w)
                a = output_padding_for((6, 6), (h, w), 3, stride=3, padding=0)
                assert conv_transpose_output_size((6, 6), 3, 3, 0, a) == (h, w)
            else:
                with pytest.raises(ValueError):
                    module(x, output_size=(h, w))
                with pytest.raises(ValueError, match="output_size="):
                    output_padding_for((6, 6), (h, w), 3, stride=3, padding=0)
    assert output_size_range((6, 6), 3, 3, 0) == ((18, 18), (20, 20))


def test_port_of_torch_ConvTranspose2d_output_size_downsample_upsample():
    """test_nn.py: conv then transposed conv with output_size=input shape restores the shape.

    Pure arithmetic over PyTorch's full grid; PyTorch itself checks every 29th case.
    """
    count = 0
    for h in range(13, 24):
        for w in range(13, 17):
            for k in range(2, 5):
                for d in range(1, 5):
                    for s in range(1, 4):
                        for p in range(3):
                            down = conv_output_size((h, w), k, stride=s, padding=p, dilation=d)
                            a = output_padding_for(down, (h, w), k, stride=s, padding=p, dilation=d)
                            up = conv_transpose_output_size(down, k, s, p, a, d)
                            assert up == (h, w)
                            count += 1
                            if count % 29:
                                continue
                            conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
                            t_conv = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d)
                            x = torch.zeros(1, 1, h, w)
                            y = conv(x)
                            assert tuple(y.shape[2:]) == down
                            assert tuple(t_conv(y, output_size=x.shape).shape[2:]) == (h, w)
                            assert tuple(t_conv._output_padding(
                                y, [h, w], t_conv.stride, t_conv.padding, t_conv.kernel_size,
                                2, t_conv.dilation)) == a  # fmt: skip


# ------------------------------------ Dumoulin & Visin, relationships 1-15 (+ figures)


@cache
def torch_conv_1d(i, k, s, p, d):
    return torch_conv(1, i, k, s, p, d)


@cache
def torch_conv_transpose_1d(i, k, s, p, a, d):
    return torch_conv_transpose(1, i, k, s, p, a, d)


def conv_both(i, k, s=1, p=0, d=1):
    """Our output size of a 1-d conv, after checking that PyTorch agrees."""
    got = conv_output_size(i, k, s, p, d)
    assert torch_conv_1d(i, k, s, p, d) == (got,)
    return got


def transpose_both(i, k, s=1, p=0, a=0, d=1):
    got = conv_transpose_output_size(i, k, s, p, a, d)
    assert torch_conv_transpose_1d(i, k, s, p, a, d) == (got,)
    return got


BOX = [(i, k) for i in range(1, 11) for k in range(1, 6) if k <= i]


def test_dv_relationship_1_no_padding_unit_stride():
    for i, k in BOX:
        assert conv_both(i, k) == (i - k) + 1


def test_dv_relationship_2_padding_unit_stride():
    for i, k in BOX:
        for p in range(4):
            assert conv_both(i, k, 1, p) == (i - k) + 2 * p + 1


def test_dv_relationship_3_half_padding():
    for i in range(1, 13):
        for n in range(4):
            k = 2 * n + 1
            assert conv_both(i, k, 1, k // 2) == i
            assert conv_output_size(i, k, padding="same") == i


def test_dv_relationship_4_full_padding():
    for i, k in BOX:
        assert conv_both(i, k, 1, k - 1) == i + (k - 1)


def test_dv_relationship_5_no_padding_strided():
    for i, k in BOX:
        for s in range(1, 5):
            assert conv_both(i, k, s) == (i - k) // s + 1


def test_dv_relationship_6_general():
    for i, k in BOX:
        for s in range(1, 5):
            for p in range(3):
                assert conv_both(i, k, s, p) == (i + 2 * p - k) // s + 1


def test_dv_relationship_7_pooling_has_the_conv_arithmetic():
    for i, k in BOX:
        for s in range(1, 4):
            pooled = F.max_pool1d(torch.zeros(1, 1, i), k, stride=s).shape[-1]
            assert conv_output_size(i, k, stride=s) == pooled == (i - k) // s + 1


def test_dv_relationships_8_to_11_unit_stride_transposes():
    """The transpose of a unit-stride conv (k, p) is a conv with k'=k, p'=k-p-1 on i'=o."""
    for i, k in BOX:
        for p in range(k):  # p = 0 (rel. 8), any p (9), half (10), full p = k-1 (11)
            o = conv_both(i, k, 1, p)
            back = transpose_both(o, k, 1, p)
            assert back == i
            assert back == o + (k - 1) - 2 * p  # relationship 9
            if p == 0:
                assert back == o + (k - 1)  # relationship 8
            if k % 2 and p == k // 2:
                assert back == o  # relationship 10
            if p == k - 1:
                assert back == o - (k - 1)  # relationship 11


def test_dv_relationships_12_to_14_strided_transposes():
    for i, k in BOX:
        for s in range(1, 5):
            for p in range(3):
                o = conv_both(i, k, s, p)
                a = (i + 2 * p - k) % s  # relationship 14
                back = transpose_both(o, k, s, p, a)
                assert back == s * (o - 1) + a + k - 2 * p
                assert back == i  # the transposed conv restores the input size
                if (i + 2 * p - k) % s == 0:
                    assert transpose_both(o, k, s, p) == s * (o - 1) + k - 2 * p  # rel. 13
                    if p == 0:
                        assert transpose_both(o, k, s) == s * (o - 1) + k  # rel. 12
                assert output_padding_for(o, i, k, s, p) == a


def test_dv_relationship_15_dilation():
    for i in range(1, 12):
        for k in range(1, 5):
            for d in range(1, 4):
                for s in range(1, 3):
                    for p in range(3):
                        if d * (k - 1) + 1 > i + 2 * p:
                            continue
                        expected = (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1
                        assert conv_both(i, k, s, p, d) == expected


@pytest.mark.parametrize(
    ("figure", "i", "k", "s", "p", "d", "o"),
    [
        ("2.1", 4, 3, 1, 0, 1, 2),
        ("2.2", 5, 4, 1, 2, 1, 6),
        ("2.3", 5, 3, 1, 1, 1, 5),
        ("2.4", 5, 3, 1, 2, 1, 7),
        ("2.5", 5, 3, 2, 0, 1, 2),
        ("2.6", 5, 3, 2, 1, 1, 3),
        ("2.7", 6, 3, 2, 1, 1, 3),
        ("5.1", 7, 3, 1, 0, 2, 3),
    ],
)
def test_dv_figures_conv(figure, i, k, s, p, d, o):
    """The guide's figures (sizes read off the paper, checked against torch too)."""
    assert conv_both(i, k, s, p, d) == o
    assert conv_output_size((i, i), k, s, p, d) == (o, o)


@pytest.mark.parametrize(
    ("figure", "i", "k", "s", "p", "a", "o"),
    [
        ("4.1", 2, 3, 1, 0, 0, 4),  # transpose of 2.1
        ("4.2", 6, 4, 1, 2, 0, 5),  # transpose of 2.2
        ("4.3", 5, 3, 1, 1, 0, 5),
        ("4.4", 7, 3, 1, 2, 0, 5),
        ("4.5", 2, 3, 2, 0, 0, 5),
        ("4.6", 3, 3, 2, 1, 0, 5),
        ("4.7", 3, 3, 2, 1, 1, 6),
    ],
)
def test_dv_figures_transposed(figure, i, k, s, p, a, o):
    assert transpose_both(i, k, s, p, a) == o


# ------------------------------------------------------------------------ the small helpers


@pytest.mark.parametrize("ndim", [1, 2])
def test_same_padding_puts_extra_pixel_after(ndim):
    """Values, not just sizes: F.conv(x, padding='same') == F.conv(F.pad(x, ours), padding=0)."""
    gen = torch.Generator().manual_seed(0)
    for k in range(1, 6):
        for d in range(1, 4):
            x = torch.randn((1, 1, *(7,) * ndim), generator=gen, dtype=torch.float64)
            w = torch.randn((1, 1, *(k,) * ndim), generator=gen, dtype=torch.float64)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = CONV[ndim](x, w, padding="same", dilation=d)
            pads = same_padding((k,) * ndim, d)
            assert pads == conv_padding("same", (k,) * ndim, 1, d)
            flat = [v for before_after in reversed(pads) for v in before_after]  # F.pad order
            got = CONV[ndim](F.pad(x, flat), w, dilation=d)
            torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)
            assert all(before + after == d * (k - 1) for before, after in pads)


def test_conv_padding_ints_and_valid():
    assert conv_padding(2, 3) == ((2, 2),)
    assert conv_padding((1, 0), 3) == ((1, 1), (0, 0))
    assert conv_padding("valid", (3, 3, 3)) == ((0, 0),) * 3
    with pytest.raises(ConvArgumentError, match="padding="):
        conv_padding(-1, 3)
    with pytest.raises(ConvArgumentError, match="padding='same'"):
        conv_padding("same", 3, stride=2)


def test_effective_kernel_size_is_the_smallest_input_torch_accepts():
    for k in range(1, 6):
        for d in range(1, 4):
            span = effective_kernel_size(k, d)
            assert type(span) is int
            assert torch_conv(1, span, k, 1, 0, d) == (1,)
            assert isinstance(torch_conv(1, span - 1, k, 1, 0, d), Exception) or span == 1
    assert effective_kernel_size((3, 5), 2) == (
        effective_kernel_size(3, 2),
        effective_kernel_size(5, 2),
    )
    with pytest.raises(ConvArgumentError, match="dilation="):
        effective_kernel_size(3, 0)
    with pytest.raises(ConvArgumentError, match="kernel_size="):
        effective_kernel_size(0, 1)


def test_expand():
    assert expand("stride", 2, 3) == (2, 2, 2)
    assert expand("stride", [1, 2], 2) == (1, 2)
    with pytest.raises(ConvArgumentError, match="stride"):
        expand("stride", (1, 2, 3), 2)
    with pytest.raises(ConvArgumentError, match="stride"):
        expand("stride", 2.0, 2)  # type: ignore[arg-type]
    with pytest.raises(ConvArgumentError, match="stride"):
        expand("stride", True, 2)  # type: ignore[arg-type]


# --------------------------------------------------------- int -> int, tuple -> tuple, broadcast


def test_int_in_int_out_and_tuple_in_tuple_out():
    assert type(conv_output_size(32, 3, 2, 1)) is int
    assert conv_output_size([32], 3, 2, 1) == (16,)
    assert conv_output_size((32,), 3, 2, 1) == (16,)
    assert type(conv_transpose_output_size(16, 3, 2, 1, 1)) is int
    assert conv_transpose_output_size([16], 3, 2, 1, 1) == (32,)
    assert type(output_padding_for(16, 32, 3, 2, 1)) is int
    assert output_padding_for(16, [32], 3, 2, 1) == (1,)


def test_scalars_broadcast_over_the_sequence_dimensions():
    for i in [(65, 64), (9, 10, 11)]:
        got = conv_output_size(i, 3, stride=2, padding=1)
        assert got == tuple(conv_output_size(v, 3, stride=2, padding=1) for v in i)
        assert got == torch_conv(len(i), i, 3, 2, 1, 1)
    # An int input_size broadcasts over the length given by another argument.
    assert conv_output_size(9, (3, 5), stride=(1, 2)) == torch_conv(2, (9, 9), (3, 5), (1, 2), 0, 1)
    assert conv_transpose_output_size(4, 3, stride=(1, 2, 3), output_padding=(0, 1, 2)) == (
        torch_conv_transpose(3, 4, 3, (1, 2, 3), 0, (0, 1, 2), 1)
    )
    assert output_padding_for(4, (6, 10, 14), 3, stride=(1, 2, 3)) == (0, 1, 2)


def test_arbitrary_number_of_dimensions():
    assert conv_output_size((5,) * 5, 3) == (3,) * 5
    assert conv_transpose_output_size((3,) * 4, 3, 2) == (7,) * 4


# ----------------------------------------------------------------- tuple length mismatches


@FAST
@given(st.data())
def test_length_mismatch_rejected_like_torch_and_names_parameter(data):
    """Sequences of two different lengths (both >= 2, or the kernel) are rejected by both."""
    ndim = data.draw(st.integers(1, 3))
    culprit = data.draw(st.sampled_from(["kernel_size", "stride", "padding", "dilation"]))
    wrong = data.draw(
        st.sampled_from(
            [n for n in (1, 2, 3, 4) if n != ndim and (n > 1 or culprit == "kernel_size")]
        )
    )
    args = {"kernel_size": (2,) * ndim, "stride": 1, "padding": 0, "dilation": 1}
    args[culprit] = (args[culprit][0] if culprit == "kernel_size" else args[culprit],) * wrong
    i = (4,) * ndim
    expected = torch_conv(
        ndim, i, args["kernel_size"], args["stride"], args["padding"], args["dilation"]
    )
    assert isinstance(expected, Exception)
    with pytest.raises(ConvArgumentError, match=culprit):
        conv_output_size(i, **args)
    if culprit != "kernel_size":
        k, s, p, d = (args[name] for name in ("kernel_size", "stride", "padding", "dilation"))
        assert isinstance(torch_conv_transpose(ndim, i, k, s, p, 0, d), Exception)
        with pytest.raises(ConvArgumentError, match=culprit):
            conv_transpose_output_size(i, k, s, p, 0, d)


def test_output_padding_length_mismatch_rejected():
    assert isinstance(torch_conv_transpose(2, (4, 4), 3, 2, 0, (1, 1, 1), 1), Exception)
    with pytest.raises(ConvArgumentError, match="output_padding"):
        conv_transpose_output_size((4, 4), 3, 2, 0, (1, 1, 1))


def test_output_size_length_mismatch_rejected_like_module():
    assert isinstance(torch_transpose_module(2, (4, 4), (9, 9, 9), 3, 2, 0, 1), ValueError)
    with pytest.raises(ConvArgumentError, match="output_size"):
        output_padding_for((4, 4), (9, 9, 9), 3, stride=2)


@pytest.mark.parametrize("name", ["stride", "padding", "dilation"])
def test_one_element_sequence_broadcasts_like_torch_conv(name):
    """F.conv2d(x, w, stride=(2,)) is legal: PyTorch repeats a one-element list."""
    args = {"stride": 1, "padding": 0, "dilation": 1}
    args[name] = (2,)
    expected = torch_conv(2, (9, 9), (3, 3), args["stride"], args["padding"], args["dilation"])
    assert expected == torch_conv(2, (9, 9), (3, 3), *(as_tuple(v, 1)[0] for v in args.values()))
    assert conv_output_size((9, 9), (3, 3), **args) == expected


@pytest.mark.parametrize("name", ["stride", "padding", "dilation", "output_padding"])
def test_one_element_sequence_broadcasts_like_torch_conv_transpose(name):
    args = {"stride": 3, "padding": 0, "output_padding": 0, "dilation": 1}
    args[name] = (args[name] if name == "stride" else 1,)
    expected = torch_conv_transpose(
        2, (4, 4), (3, 3), args["stride"], args["padding"], args["output_padding"], args["dilation"]
    )
    assert not isinstance(expected, Exception)
    assert conv_transpose_output_size((4, 4), (3, 3), **args) == expected
