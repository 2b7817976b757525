"""Tests of :mod:`convnotes.design` with PyTorch as the oracle.

* every returned choice, run through the real ``F.conv1d`` / ``F.conv_transpose1d`` (and the
  ``nn`` line it prints, evaluated), gives the target size;
* completeness: a brute force over the same bounds *with torch* finds no setting the solver
  missed (and the solver's output_padding is the smallest torch accepts);
* ``even_overlap`` / ``gaps`` agree with a transposed conv of ones (torch) having a constant,
  non-zero interior;
* :func:`plan_chain` sizes equal those of the real ``nn`` layers chained.
"""

from __future__ import annotations

from functools import cache

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convnotes.design import (
    SOLVER_LIMITS,
    ChainPlan,
    Choice,
    Layer,
    overlap_profile,
    plan_chain,
    solve_conv,
    solve_conv_transpose,
)
from convnotes.errors import ConvArgumentError

FAST = settings(max_examples=25, deadline=None)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@cache
def torch_transpose_size(i, k, s, p, a, d):
    try:
        x, w = torch.zeros(1, 1, i), torch.zeros(1, 1, k)
        size = F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=a, dilation=d).shape
    except RuntimeError:
        return None
    return size[-1] if size[-1] >= 1 else None


@cache
def torch_conv_size(i, k, s, p, d):
    try:
        return F.conv1d(
            torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d
        ).shape[-1]
    except RuntimeError:
        return None


def brute_force(kind, i, o, max_kernel, max_stride, d):
    """{(k, s, p): smallest a} for every setting torch maps i -> o, within the documented bounds."""
    found = {}
    for k in range(1, max_kernel + 1):
        for s in range(1, max_stride + 1):
            for p in range(d * (k - 1) + 1):
                pads = [0] if kind == "conv" else range(max(s, d))
                for a in pads:
                    size = (
                        torch_conv_size(i, k, s, p, d)
                        if kind == "conv"
                        else torch_transpose_size(i, k, s, p, a, d)
                    )
                    if size == o:
                        found[(k, s, p)] = a
                        break
    return found


def check_solver_against_torch(kind, i, o, max_kernel, max_stride, d):
    solve = solve_conv if kind == "conv" else solve_conv_transpose
    choices = solve(i, o, max_kernel=max_kernel, max_stride=max_stride, dilation=d)
    # Sound: torch gives the target size for every choice.
    for c in choices:
        assert (c.input_size, c.output_size, c.dilation) == (i, o, d)
        if kind == "conv":
            assert c.output_padding == 0
            assert torch_conv_size(i, c.kernel_size, c.stride, c.padding, d) == o
        else:
            assert (
                torch_transpose_size(i, c.kernel_size, c.stride, c.padding, c.output_padding, d)
                == o
            )
    # Complete: nothing torch accepts is missing; minimal output_padding; no duplicates.
    ours = {(c.kernel_size, c.stride, c.padding): c.output_padding for c in choices}
    assert len(ours) == len(choices)
    assert ours == brute_force(kind, i, o, max_kernel, max_stride, d)
    # Ordered by the documented key.
    keys = [c.sort_key() for c in choices]
    assert keys == sorted(keys)
    return choices


@FAST
@given(
    st.sampled_from(["conv", "transpose"]),
    st.integers(1, 20),
    st.integers(1, 3),
    st.data(),
)
def test_solver_sound_and_complete_against_torch(kind, i, d, data):
    # Targets: sizes torch can reach from i (found by the brute force), plus any size.
    reachable = sorted(
        {v for v in (torch_conv_size(i, k, s, 0, d) for k in range(1, 6) for s in range(1, 4)) if v}
        if kind == "conv"
        else {
            v
            for v in (
                torch_transpose_size(i, k, s, 1, 0, d) for k in range(1, 6) for s in range(1, 4)
            )
            if v
        }
    )
    o = data.draw(st.sampled_from(reachable) if reachable else st.integers(1, 40))
    if data.draw(st.booleans()):
        o = data.draw(st.integers(1, 3 * i + 6))
    check_solver_against_torch(kind, i, o, 5, 3, d)


@pytest.mark.parametrize(
    ("kind", "i", "o"),
    [
        ("transpose", 17, 33),
        ("transpose", 33, 65),
        ("transpose", 16, 32),
        ("conv", 65, 33),
        ("conv", 33, 17),
    ],
)
def test_unet_sizes_with_default_bounds(kind, i, o):
    choices = check_solver_against_torch(kind, i, o, 7, 4, 1)
    first = choices[0]
    assert not first.gaps and first.stride == 2


def test_no_solution_is_an_empty_list():
    assert solve_conv_transpose(5, 1000) == []
    assert solve_conv(5, 1000) == []


@pytest.mark.parametrize("kernel_size", range(1, 8))
@pytest.mark.parametrize("stride", range(1, 5))
@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_overlap_profile_matches_transposed_conv_of_ones(kernel_size, stride, dilation):
    """Interior of conv_transpose(ones, ones): constant <=> even overlap, zeros <=> gaps."""
    span = dilation * (kernel_size - 1)
    n = span + 4  # long enough for an interior with every stride phase
    y = F.conv_transpose1d(
        torch.ones(1, 1, n, dtype=torch.float64),
        torch.ones(1, 1, kernel_size, dtype=torch.float64),
        stride=stride,
        dilation=dilation,
    )[0, 0]
    interior = y[span : (n - 1) * stride + 1]  # positions every tap can reach
    profile = overlap_profile(kernel_size, stride, dilation)
    assert sorted(set(interior.tolist())) == sorted(set(float(c) for c in profile))
    assert (len(set(profile)) == 1) == (len(set(interior.tolist())) == 1)
    if dilation == 1:
        assert (len(set(profile)) == 1) == (kernel_size % stride == 0)
        assert (0 in profile) == (kernel_size < stride)


def test_choice_flags_use_the_profile():
    for c in solve_conv_transpose(17, 33) + solve_conv(65, 33):
        profile = overlap_profile(c.kernel_size, c.stride, c.dilation)
        assert c.even_overlap == (len(set(profile)) == 1)
        assert c.gaps == (0 in profile)


@pytest.mark.parametrize(
    ("kind", "i", "o"), [("transpose", 17, 33), ("conv", 65, 33), ("transpose", 8, 16)]
)
def test_pytorch_line_builds_a_layer_that_gives_the_target(kind, i, o):
    solve = solve_conv if kind == "conv" else solve_conv_transpose
    for choice in solve(i, o)[:6]:
        line = choice.pytorch(in_channels=2, out_channels=3)
        assert line.startswith(
            "nn.ConvTranspose2d(2, 3," if kind == "transpose" else "nn.Conv2d(2, 3,"
        )
        layer = eval(line, {"nn": nn})
        assert layer(torch.zeros(1, 2, i, i)).shape == (1, 3, o, o)


def test_pytorch_line_dimensions_and_defaults():
    c = solve_conv_transpose(16, 32)[0]
    # channels the caller did not give are never invented: they stay names
    assert c.pytorch(ndim=1).startswith(
        "nn.ConvTranspose1d(in_channels, out_channels, kernel_size="
    )
    assert "output_padding" not in solve_conv_transpose(17, 33)[1].pytorch()
    assert "dilation=2" in solve_conv_transpose(16, 32, dilation=2)[0].pytorch()


def test_tuple_sizes_share_kernel_stride_padding_with_per_dimension_output_padding():
    choices = solve_conv_transpose((17, 16), (33, 32))
    assert choices
    for c in choices:
        layer = eval(c.pytorch(in_channels=1, out_channels=1), {"nn": nn})
        assert layer(torch.zeros(1, 1, 17, 16)).shape[2:] == (33, 32)
        assert isinstance(c.input_size, tuple) and isinstance(c.output_size, tuple)
    assert any(c.output_padding == (0, 1) for c in choices)
    assert solve_conv((65, 64), (33, 32))[0].output_size == (33, 32)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: solve_conv_transpose(0, 4), "input_size"),
        (lambda: solve_conv_transpose(4, -1), "output_size"),
        (lambda: solve_conv(4, 2, max_kernel=0), "max_kernel"),
        (lambda: solve_conv(4, 2, max_stride=0), "max_stride"),
        (lambda: solve_conv(4, 2, dilation=0), "dilation"),
        (lambda: solve_conv((4, 4), (2, 2, 2)), "input_size"),
        (lambda: solve_conv(4, 2, max_padding=-1), "max_padding"),
        # the bounds on the solver's work (SOLVER_LIMITS), one past each
        (lambda: solve_conv_transpose(17, 33, max_kernel=17), "max_kernel=17"),
        (lambda: solve_conv_transpose(17, 33, max_stride=17), "max_stride=17"),
        (lambda: solve_conv_transpose(17, 33, dilation=9), "dilation=9"),
        (lambda: solve_conv_transpose(17, 33, max_padding=65), "max_padding=65"),
        (lambda: solve_conv_transpose((4,) * 4, (8,) * 4), "at most 3 spatial"),
    ],
)
def test_solver_rejects_bad_arguments_naming_them(call, name):
    with pytest.raises(ConvArgumentError, match=name):
        call()


def test_solver_limits_are_accepted_up_to_the_bound():
    assert SOLVER_LIMITS == {
        "max_kernel": 16, "max_stride": 16, "dilation": 8, "max_padding": 64, "ndim": 3
    }  # fmt: skip
    choices = solve_conv_transpose(
        (17, 9, 5), (33, 17, 9), max_kernel=16, max_stride=16, dilation=8
    )
    assert choices and all(c.dilation == 8 for c in choices)
    x = torch.zeros(1, 1, 17, 9, 5, device="meta")
    for c in choices[:5]:
        w = torch.zeros(1, 1, *(c.kernel_size,) * 3, device="meta")
        y = F.conv_transpose3d(
            x, w, stride=c.stride, padding=c.padding, output_padding=c.output_padding, dilation=8
        )
        assert y.shape[2:] == (33, 17, 9)


def test_choice_to_dict_is_json_ready():
    import json

    data = solve_conv_transpose((17, 16), (33, 32))[0].to_dict()
    assert json.loads(json.dumps(data))["pytorch"].startswith("nn.ConvTranspose2d")
    assert data["input_size"] == [17, 16]


# ----------------------------------------------------------------------------- plan_chain


def layer(kind, k=3, s=2, p=1, a=0, name=None, d=1):
    spec = {"kind": kind, "kernel_size": k, "stride": s, "padding": p, "dilation": d, "name": name}
    if kind == "transpose":
        spec["output_padding"] = a
    return spec


def torch_sizes(input_size, layers):
    """Every intermediate size through the real nn layers (spatial, square)."""
    x = torch.zeros(1, 1, input_size, input_size)
    sizes = [input_size]
    for spec in layers:
        if spec["kind"] == "conv":
            module = nn.Conv2d(
                1, 1, spec["kernel_size"], spec["stride"], spec["padding"], spec["dilation"]
            )
        else:
            module = nn.ConvTranspose2d(
                1, 1, spec["kernel_size"], spec["stride"], spec["padding"], spec["output_padding"],
                dilation=spec["dilation"],
            )  # fmt: skip
        x = module(x)
        sizes.append(x.shape[-1])
    return sizes


def test_unet_65_mirrors():
    layers = [
        layer("conv", name="enc1"),
        layer("conv", name="enc2"),
        layer("transpose", name="dec1"),
        layer("transpose", name="dec2"),
    ]
    plan = plan_chain(65, layers)
    assert isinstance(plan, ChainPlan)
    assert plan.sizes == torch_sizes(65, layers) == [65, 33, 17, 33, 65]
    assert plan.ok and all(step.ok for step in plan.steps)
    assert [step.mirrors for step in plan.steps] == [None, None, "enc2", "enc1"]
    assert [step.expected for step in plan.steps] == [None, None, 33, 65]


def test_unet_65_with_k4_decoder_is_flagged_with_working_suggestions():
    layers = [
        layer("conv", name="enc1"),
        layer("conv", name="enc2"),
        layer("transpose", k=4, name="dec1"),
        layer("transpose", name="dec2"),
    ]
    plan = plan_chain(65, layers)
    assert plan.sizes == torch_sizes(65, layers)
    dec1 = plan.steps[2]
    assert dec1.output_size == 34 and dec1.expected == 33 and not dec1.ok and not plan.ok
    assert "enc2" in dec1.message and "34" in dec1.message and "33" in dec1.message
    assert dec1.suggestions
    for text in dec1.suggestions:
        if text.startswith("nn."):
            module = eval(text, {"nn": nn, "in_channels": 1, "out_channels": 1})
            assert module(torch.zeros(1, 1, 17, 17)).shape[-1] == 33


def test_unet_64_output_padding_suggestion_works():
    # 64 -> 32 -> 16 with k3 s2 p1; decoder op0 gives 31: output_padding=1 fixes it.
    layers = [layer("conv"), layer("conv"), layer("transpose", a=0), layer("transpose", a=1)]
    plan = plan_chain(64, layers)
    assert plan.sizes == torch_sizes(64, layers) == [64, 32, 16, 31, 62]
    step = plan.steps[2]
    assert not step.ok and "output_padding=1" in step.suggestions[0]
    fixed = [layer("conv"), layer("conv"), layer("transpose", a=1), layer("transpose", a=1)]
    assert plan_chain(64, fixed).ok and plan_chain(64, fixed).sizes == torch_sizes(64, fixed)


def test_invalid_layer_stops_the_chain_with_the_error():
    layers = [layer("conv"), layer("conv", k=9, s=1, p=0), layer("transpose")]
    with pytest.raises(RuntimeError):
        torch_sizes(5, layers)
    plan = plan_chain(5, layers)
    assert len(plan.steps) == 2
    bad = plan.steps[1]
    assert bad.output_size is None and not bad.ok and "kernel_size" in bad.message
    assert plan.sizes == [5, 3]


def test_layer_dataclasses_and_names_are_accepted():
    plan = plan_chain(32, [Layer("conv", 3, 2, 1), Layer("transpose", 4, 2, 1)])
    assert plan.sizes == [32, 16, 32] and plan.ok
    assert [step.spec.name for step in plan.steps] == ["conv1", "transpose2"]
    assert "conv1" in str(plan)


def test_tuple_sizes_and_same_padding_in_chain():
    plan = plan_chain(
        (65, 64), [layer("conv"), {"kind": "conv", "kernel_size": 3, "padding": "same"}]
    )
    assert plan.sizes == [(65, 64), (33, 32), (33, 32)]


@pytest.mark.parametrize(
    ("spec", "word"),
    [
        ({"kind": "deconv", "kernel_size": 3}, "kind"),
        ({"kind": "conv", "kernel_size": 3, "strides": 2}, "strides"),
        ({"kind": "conv"}, "kernel_size"),
        ({"kind": "conv", "kernel_size": 3, "output_padding": 1}, "output_padding"),
    ],
)
def test_bad_layer_specs_are_rejected_naming_the_key(spec, word):
    with pytest.raises(ConvArgumentError, match=word):
        plan_chain(32, [spec])


def test_plan_to_dict_is_json_ready():
    import json

    data = plan_chain(65, [layer("conv"), layer("transpose", k=4)]).to_dict()
    assert json.loads(json.dumps(data))["sizes"] == [65, 33, 66]
    assert data["ok"] is False


def test_choice_is_a_dataclass_with_the_contract_fields():
    c = solve_conv_transpose(16, 32)[0]
    assert isinstance(c, Choice)
    for name in (
        "kernel_size",
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "even_overlap",
        "gaps",
    ):
        assert hasattr(c, name)


def test_plan_chain_accepts_a_list_input_size_like_a_tuple():
    layers = [
        {"kind": "conv", "kernel_size": 3, "stride": 2, "padding": 1},
        {
            "kind": "transpose",
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "output_padding": (0, 1),
        },
    ]
    from_list, from_tuple = plan_chain([65, 64], layers), plan_chain((65, 64), layers)
    assert [s.output_size for s in from_list.steps] == [s.output_size for s in from_tuple.steps]
    assert [s.ok for s in from_list.steps] == [True, True]
