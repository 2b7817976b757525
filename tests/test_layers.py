"""The one layer syntax (convnotes.layers), pooling/upsample sizes and the chain's fixes,
checked against PyTorch: every parsed PyTorch line is also built with torch.nn and run."""

from __future__ import annotations

import random

import pytest
import torch
from torch import nn

from convnotes.design import Layer, plan_chain
from convnotes.errors import ConvArgumentError
from convnotes.layers import parse_layer, parse_layers
from convnotes.shapes import pool_output_size, upsample_output_size

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def torch_size(module: nn.Module, size: int, ndim: int = 1):
    """The module's output size on a meta tensor of spatial ``size`` (None: torch rejects)."""
    x = torch.zeros(1, getattr(module, "in_channels", 1), *(size,) * ndim, device="meta")
    try:
        return module.to("meta")(x).shape[-1]
    except (RuntimeError, ValueError):
        return None


def ours(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ConvArgumentError:
        return None


def test_pool_sizes_and_rules_match_torch():
    """ceil_mode's "the last window starts inside the input" rule included."""
    rng = random.Random(3)
    seen = set()
    for _ in range(600):
        i, k = rng.randint(1, 12), rng.randint(1, 5)
        s, p, d = rng.randint(1, 4), rng.randint(0, 3), rng.randint(1, 2)
        ceil = rng.random() < 0.5
        if rng.random() < 0.5:
            module = nn.MaxPool1d(k, s, p, dilation=d, ceil_mode=ceil)
        else:
            module, d = nn.AvgPool1d(k, s, p, ceil_mode=ceil), 1
        want = torch_size(module.cpu(), i)  # AvgPool has no meta kernel in every version
        x = torch.zeros(1, 1, i)
        try:
            want = module(x).shape[-1]
        except RuntimeError:
            want = None
        got = ours(pool_output_size, i, k, s, p, d, ceil)
        assert got == want, (type(module).__name__, i, k, s, p, d, ceil)
        seen.add((want is None, ceil))
    assert len(seen) == 4
    # 5 with k2 s2 ceil: ceil((5-2)/2)+1 = 3 windows, the last one starting at 4 (inside)
    assert pool_output_size(5, 2, ceil_mode=True) == 3
    # 4 with k2 s2 p1 ceil: ceil(3/2)+1 = 3, but the 3rd window starts at 4 >= i + p = 5? no:
    # it starts at (3-1)*2 = 4 < 5, kept; with i=3 it would start at 4 >= 3+1 and is dropped
    assert (
        pool_output_size(3, 2, 2, 1, ceil_mode=True)
        == nn.MaxPool1d(2, 2, 1, ceil_mode=True)(torch.zeros(1, 1, 3)).shape[-1]
    )


def test_pool_2d_tuples_match_torch():
    module = nn.AvgPool2d((3, 2), (2, 1), (1, 0), ceil_mode=True)
    assert pool_output_size((7, 6), (3, 2), (2, 1), (1, 0), 1, True) == tuple(
        module(torch.zeros(1, 1, 7, 6)).shape[2:]
    )


@pytest.mark.parametrize(
    ("i", "kwargs"), [(5, {"scale_factor": 2}), (5, {"scale_factor": 2.5}), (7, {"size": 12})]
)
def test_upsample_size_matches_torch(i, kwargs):
    assert (
        upsample_output_size(i, **kwargs) == nn.Upsample(**kwargs)(torch.zeros(1, 1, i)).shape[-1]
    )


def random_pytorch_line(rng: random.Random) -> tuple[str, int]:
    ndim = rng.choice([1, 2, 3])
    k, s, p = rng.randint(1, 4), rng.randint(1, 3), rng.randint(0, 2)
    family = rng.choice(["Conv", "ConvTranspose", "MaxPool", "AvgPool", "Upsample"])
    tup = lambda v: f"({', '.join([str(v)] * ndim)}{',' if ndim == 1 else ''})"  # noqa: E731
    val = lambda v: tup(v) if rng.random() < 0.4 else str(v)  # noqa: E731
    prefix = rng.choice(["", "nn.", "torch.nn.", "self.layer = nn.", "(enc1): "])
    if family == "Conv":
        args = f"2, 3, {val(k)}, stride={val(s)}, padding={val(p)}"
    elif family == "ConvTranspose":
        a = rng.randint(0, s - 1)
        args = f"2, 3, kernel_size={val(k)}, stride={val(s)}, padding={val(p)}, output_padding={a}"
    elif family == "MaxPool":
        p = min(p, k // 2)
        args = rng.choice(
            [f"{val(k)}", f"{val(k)}, {val(s)}, {p}", f"kernel_size={k}, ceil_mode=True"]
        )
    elif family == "AvgPool":
        p = min(p, k // 2)
        args = rng.choice([f"{val(k)}", f"{k}, {s}, {p}, ceil_mode=True"])
    else:
        return f"{prefix}Upsample(scale_factor={rng.choice(['2', '2.0', '3'])})", ndim
    return f"{prefix}{family}{ndim}d({args})", ndim


def test_parsed_pytorch_lines_give_torchs_sizes():
    rng = random.Random(5)
    for _ in range(300):
        line, ndim = random_pytorch_line(rng)
        layer = parse_layer(line)
        code = line.split(": ", 1)[-1].split("= ", 1)[-1]
        module = eval(code if "nn." in code else f"nn.{code}", {"nn": nn, "torch": torch})
        i = rng.randint(4, 20)
        x = torch.zeros(1, 2, *(i,) * ndim)
        try:
            want = tuple(module(x).shape[2:])
        except RuntimeError:
            want = None
        got = ours(layer.output_size, (i,) * ndim)
        got = got if got is None or isinstance(got, tuple) else (got,) * ndim
        assert got == want, line
        if layer.kind in ("conv", "transpose"):
            assert (layer.in_channels, layer.out_channels) == (2, 3)


def test_three_spellings_read_the_same_layer():
    same = [
        ("transpose:k3s2p1", "convT k=3 s=2 p=1"),
        ("conv:k3s2p1", "conv k=3 s=2 p=1"),
        ("maxpool:k2", "maxpool k=2"),
        ("avgpool:k3s2p1ceil", "avgpool k=3 s=2 p=1 ceil"),
        ("upsample:x2", "upsample x=2"),
    ]
    for short, keyed in same:
        assert parse_layer(short) == parse_layer(keyed)
    torch_line = parse_layer("nn.ConvTranspose2d(64, 32, kernel_size=3, stride=2, padding=1)")
    assert torch_line.output_size(17) == parse_layer("transpose:k3s2p1").output_size(17) == 33
    assert parse_layer("ReLU(inplace=True)") is None


def test_print_model_block_parses_skipping_what_keeps_the_size():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.MaxPool2d(2), nn.ConvTranspose2d(8, 4, 4, 2, 1), nn.Upsample(scale_factor=2),
    )  # fmt: skip
    found = parse_layers(str(model))
    assert [layer.kind for _, _, layer in found] == ["conv", "maxpool", "transpose", "upsample"]
    size = 33
    for _, _, layer in found:
        size = layer.output_size(size)
    assert size == model(torch.zeros(1, 3, 33, 33)).shape[-1]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Conv2d(3, 16)", "needs kernel_size"),
        ("Conv2d(3, 16, 3, foo=2)", "no argument 'foo'"),
        ("nn.Linear(3, 4)", "Linear is not a layer"),
        ("Conv2d(3, 16, (3, 3, 3))", "kernel_size=(3, 3, 3)"),
        ("Conv2d(3, 16, 3, stride=2.5)", "stride=2.5"),
        ("Conv2d(3, 16, 3, 99999999999999999999)", "too large"),
        ("MaxPool2d(2, ceil_mode=1)", "ceil_mode"),
        ("Upsample()", "one of size and scale_factor"),
        ("pool:k2", "KIND"),
        ("conv:k3q", "cannot read 'q'"),
        ("conv k=3 z=2", "'z=2'"),
        ("upsample:k3", "no setting k"),
        ("conv:k3ceil", "ceil"),
    ],
)
def test_bad_layers_get_an_error_naming_the_problem(text, words):
    with pytest.raises(ConvArgumentError, match="layer ") as info:
        parse_layer(text)
    assert words in str(info.value)


def random_chain(rng: random.Random):
    """An encoder (convs/pools that shrink) and a decoder of roughly mirrored up layers."""
    encoder, decoder = [], []
    for j in range(rng.randint(1, 4)):
        s = rng.choice([2, 2, 3])
        k = rng.randint(s, s + 2)
        if rng.random() < 0.3:
            encoder.append(Layer("maxpool", k, s, rng.randint(0, k // 2), name=f"enc{j}",
                                 ceil_mode=rng.random() < 0.5))  # fmt: skip
        else:
            encoder.append(Layer("conv", k, s, rng.randint(0, k // 2), name=f"enc{j}"))
        if rng.random() < 0.2:
            decoder.append(Layer("upsample", scale_factor=s, name=f"dec{j}"))
        else:
            kt = rng.randint(s, s + 2)
            decoder.append(
                Layer("transpose", kt, s, rng.randint(0, 1), rng.randint(0, s - 1),
                      name=f"dec{j}", in_channels=16, out_channels=8)
            )  # fmt: skip
    return encoder + decoder[::-1]


def torch_module(layer: Layer) -> nn.Module:
    if layer.kind == "conv":
        return nn.Conv1d(1, 1, layer.kernel_size, layer.stride, layer.padding)
    if layer.kind == "maxpool":
        return nn.MaxPool1d(
            layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode
        )
    if layer.kind == "upsample":
        return nn.Upsample(size=layer.size, scale_factor=layer.scale_factor)
    return nn.ConvTranspose1d(
        1, 1, layer.kernel_size, layer.stride, layer.padding, layer.output_padding
    )


def test_applying_every_suggested_fix_makes_random_chains_match():
    rng = random.Random(12)
    flagged_chains = 0
    for _ in range(150):
        layers = random_chain(rng)
        size = rng.randint(20, 90)
        plan = plan_chain(size, layers)
        n = len(layers) // 2
        if any(step.output_size is None for step in plan.steps) or not all(
            step.message.startswith("downsamples") for step in plan.steps[:n]
        ):
            continue  # an invalid layer, or an encoder layer that does not shrink (1 -> 1)
        flagged = [step for step in plan.steps if not step.ok]
        flagged_chains += bool(flagged)
        for step in flagged:
            assert step.fixes, step
            for fix in step.fixes:  # each fix alone repairs its row, from the size it should get
                assert fix.layer.output_size(step.should_receive) == step.expected
                if fix.layer.kind == "transpose":  # channels carried, never invented
                    assert (fix.layer.in_channels, fix.layer.out_channels) == (16, 8)
                    assert fix.text.startswith("keep") or "(16, 8," in fix.text
        fixed = plan.fixed_layers()
        replanned = plan_chain(size, fixed)
        assert replanned.ok, (size, layers, str(plan), str(replanned))
        # and torch agrees: every decoder output equals the input of its encoder layer
        x, sizes = torch.zeros(1, 1, size), [size]
        for layer in fixed:
            x = torch_module(layer)(x)
            sizes.append(x.shape[-1])
        assert sizes[-1] == size and sizes[n:] == sizes[: n + 1][::-1], str(replanned)
    assert flagged_chains > 30


def test_a_later_rows_fix_comes_from_the_size_it_should_receive():
    # 65 -> 33 -> 17; both decoder rows k4 s2 p1 are wrong: 17 -> 34 (want 33), and the
    # second row, fed 33 once the first is fixed, gives 66 (want 65), not 68 from 34.
    plan = plan_chain(65, [parse_layer(t) for t in (
        "conv:k3s2p1", "conv:k3s2p1", "ConvTranspose2d(64, 32, 4, 2, 1)",
        "ConvTranspose2d(32, 16, 4, 2, 1)")])  # fmt: skip
    dec2 = plan.steps[3]
    assert (dec2.input_size, dec2.should_receive, dec2.expected) == (34, 33, 65)
    assert not dec2.ok and "66" in dec2.message
    assert all("(32, 16," in text or text.startswith("keep") for text in dec2.suggestions)
    assert plan_chain(65, plan.fixed_layers()).ok


def test_a_decoder_row_with_a_huge_dilation_gets_no_solver_search():
    """d=300 is beyond SOLVER_LIMITS: the row still gets its output_padding fix, no search."""
    plan = plan_chain(65, [parse_layer("conv:k3s2p1"), parse_layer("transpose:k1s2p1d300")])
    step = plan.steps[1]  # 33 -> 63; output_padding may go up to max(s, d) - 1 = 299
    assert (step.output_size, step.expected) == (63, 65) and not step.ok
    assert [fix.text.split(" (")[0] for fix in step.fixes] == [
        "keep k=1 s=2 p=1 with output_padding=2"
    ]
    for fix in step.fixes:
        assert fix.layer.output_size(step.should_receive) == step.expected
