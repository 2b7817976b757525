"""Differential test: the layer parser, pool/upsample sizes and the chain planner's fixes in
docs/javascripts/shapes.js against convnotes.layers / shapes / design (same layers, same
sizes, same messages word for word), and the JS fixes applied in JS make chains match."""

from __future__ import annotations

import random

from convnotes import design, layers, shapes
from convnotes.errors import ConvArgumentError

from .jsbridge import run_js, to_json
from .test_js_design import brackets

JS_FIELDS = {
    "kernel_size": "kernel",
    "output_padding": "outputPadding",
    "ceil_mode": "ceilMode",
    "scale_factor": "scaleFactor",
    "in_channels": "inChannels",
    "out_channels": "outChannels",
}


def js_layer(layer: design.Layer) -> dict:
    return {JS_FIELDS.get(k, k): v for k, v in to_json(layer.__dict__).items()}


def python_parse(text: str):
    try:
        layer = layers.parse_layer(text)
    except ConvArgumentError as error:
        return {"ok": False, "message": str(error)}
    return {"ok": True, "value": None if layer is None else js_layer(layer)}


def mutate(rng: random.Random, text: str) -> str:
    """A typo: a character dropped, doubled or replaced."""
    j = rng.randrange(len(text))
    return rng.choice(
        [
            text[:j] + text[j + 1 :],
            text[:j] + text[j] + text[j:],
            text[:j] + rng.choice("=,()x.-3 ") + text[j + 1 :],
        ]
    )


SEEDS = [
    "conv:k3s2p1", "enc1=transpose:k4s2p1op1", "maxpool:k2", "avgpool:k3s2p1ceil", "upsample:x2",
    "upsample:size33", "conv:k3,5s2,1psame", "convT k=4 s=2 p=1 a=1", "maxpool k=2", "up k=2 s=2",
    "avgpool k=3 s=2 ceil", "upsample x=2.5", "nn.Conv2d(3, 16, 3, stride=2, padding=1)",
    "ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1, output_padding=0)",
    "(up1): ConvTranspose2d(64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))",
    "self.pool = nn.MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
    "AvgPool2d(3, 2, 1, ceil_mode=True)", "Upsample(scale_factor=2.0, mode='nearest')",
    "nn.Upsample(size=(33, 31))", "Conv1d(2, 4, (5,), stride=[2])", "ReLU(inplace=True),",
    "nn.Conv2d(3, 16, 3, padding='same', bias=False, device=torch.device)",
    "torch.nn.ConvTranspose3d(8, 4, (2, 2, 2), 2)", "UpsamplingNearest2d(scale_factor=2)",
    "Conv2d(3, 16)", "Conv2d(3, 16, 3, foo=2)", "nn.Linear(3, 4)", "Conv2d(3, 16, (3, 3, 3))",
    "Conv2d(3, 16, 3, stride=2.0)", "Conv2d(3, 16, 3, 99999999999999999999)",
    "MaxPool2d(2, ceil_mode=1)", "Upsample()", "Upsample(scale_factor=-2.5)", "pool:k2",
    "conv:k3q", "conv k=3 z=2", "upsample:k3", "conv:k3ceil", "conv:k3 extra", "Conv2d(3, 16, 3",
    "Conv2d(in_channels=3, 16, 3)", "Conv2d(3, 16, 3, 1, 1, 1, 1, True, 'zeros', None, None, 9)",
    "Conv2d(3, 16, kernel_size=3, kernel_size=3)", "maxpool:k2s2s2", "upsample:x2size4",
    "Conv2d(3, 16, (), 1)", "Conv2d((3, 3), 16, 3)", "MaxPool2d(2, -1)", "conv:k3,3.5",
]  # fmt: skip


def test_parser_matches_python_on_valid_bad_and_mistyped_layers():
    rng = random.Random(21)
    texts = SEEDS + [mutate(rng, rng.choice(SEEDS)) for _ in range(800)]
    js = run_js([{"fn": "parseLayer", "args": t} for t in texts], ["shapes.js"])
    outcomes = set()
    for text, got in zip(texts, js):
        want = python_parse(text)
        assert got["ok"] == want["ok"], (text, got, want)
        if want["ok"]:
            assert got["value"] == want["value"], text
        else:
            assert got["message"] == want["message"], text
            assert got["param"] == "layer"
        outcomes.add((want["ok"], want.get("value") is None))
    assert outcomes == {(True, True), (True, False), (False, True)}


def test_parse_layers_block_matches_python():
    block = "Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2))\n  (1): ReLU()\n"
    block += (
        "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n)\n"
    )
    block += "# a comment\nconvT k=4 s=2 p=1\n\nbad line here\n"
    [got] = run_js([{"fn": "parseLayers", "args": block}], ["shapes.js"])
    try:
        layers.parse_layers(block)
    except ConvArgumentError as error:
        assert not got["ok"] and got["message"] == str(error) and "line 9" in got["message"]
    good = block.rsplit("bad", 1)[0]
    [got] = run_js([{"fn": "parseLayers", "args": good}], ["shapes.js"])
    want = layers.parse_layers(good)
    assert got["value"]["layers"] == [js_layer(layer) for _, _, layer in want]
    assert got["value"]["numbers"] == [n for n, _, _ in want] == [2, 4, 7]


def random_pool_case(rng: random.Random) -> dict:
    ndim = rng.choice([None, 1, 2])

    def pick(lo, hi):
        return rng.randint(lo, hi) if ndim is None else [rng.randint(lo, hi) for _ in range(ndim)]

    return {
        "input": pick(0, 12), "kernel": pick(0, 5), "stride": rng.choice([None, pick(0, 4)]),
        "padding": pick(-1, 3), "dilation": pick(1, 2), "ceilMode": rng.choice([True, False, 1]),
    }  # fmt: skip


def test_pool_and_upsample_sizes_match_python():
    rng = random.Random(8)
    cases = [random_pool_case(rng) for _ in range(800)]
    js = run_js([{"fn": "poolOutputSize", "args": c} for c in cases], ["shapes.js"])
    for case, got in zip(cases, js):
        try:
            want = {"ok": True, "value": to_json(shapes.pool_output_size(
                case["input"], case["kernel"], case["stride"], case["padding"],
                case["dilation"], case["ceilMode"]))}  # fmt: skip
        except ConvArgumentError as error:
            want = {"ok": False, "message": str(error)}
        assert got["ok"] == want["ok"], (case, got, want)
        key = "value" if want["ok"] else "message"
        assert (got[key] if want["ok"] else brackets(got[key])) == (
            want[key] if want["ok"] else brackets(want[key])
        ), case
    ups = [
        {"input": rng.choice([rng.randint(0, 9), [rng.randint(1, 9), rng.randint(1, 9)]]),
         "size": rng.choice([None, rng.randint(0, 20), [3, 4]]),
         "scaleFactor": rng.choice([None, 2, 0.5, 2.5, -1, 0.01, [2, 3], [2, 3, 4]])}
        for _ in range(400)
    ]  # fmt: skip
    js = run_js([{"fn": "upsampleOutputSize", "args": c} for c in ups], ["shapes.js"])
    for case, got in zip(ups, js):
        args = {k: tuple(v) if isinstance(v, list) else v for k, v in case.items()}
        try:
            want = to_json(
                shapes.upsample_output_size(args["input"], args["size"], args["scaleFactor"])
            )
            assert got["ok"] and got["value"] == want, (case, got)
        except ConvArgumentError as error:
            assert not got["ok"] and brackets(got["message"]) == brackets(str(error)), (case, got)


def random_chain_text(rng: random.Random) -> list[str]:
    down, up = [], []
    for _ in range(rng.randint(1, 3)):
        s = rng.choice([2, 2, 3])
        k = rng.randint(s, s + 2)
        down.append(rng.choice([f"conv:k{k}s{s}p{rng.randint(0, 1)}", f"MaxPool2d({s})",
                                f"AvgPool2d({k}, {s}, {rng.randint(0, k // 2)}, ceil_mode=True)",
                                f"nn.Conv2d(3, 8, {k}, stride={s}, padding=1)"]))  # fmt: skip
        up.append(rng.choice([f"convT k={rng.randint(s, s + 2)} s={s} p={rng.randint(0, 1)}",
                              f"Upsample(scale_factor={s})",
                              f"ConvTranspose2d(16, 8, {k}, {s}, 1)"]))  # fmt: skip
    return down + up[::-1]


def test_chains_of_parsed_layers_match_python_and_their_fixes_make_them_match_in_js():
    rng = random.Random(4)
    cases = [(rng.randint(9, 90), random_chain_text(rng)) for _ in range(120)]
    batch = []
    for size, texts in cases:
        parsed = [js_layer(layers.parse_layer(t)) for t in texts]
        batch.append({"fn": "planChain", "args": {"input": size, "layers": parsed}})
    js = run_js(batch, ["shapes.js"])
    fixed_batch, flagged = [], 0
    for (size, texts), got in zip(cases, js):
        plan = design.plan_chain(size, [layers.parse_layer(t) for t in texts])
        assert got["ok"], got
        steps = got["value"]["steps"]
        for step, want in zip(steps, plan.steps, strict=True):
            assert step["message"] == want.message and step["suggestions"] == list(want.suggestions)
            assert step["shouldReceive"] == to_json(want.should_receive)
            assert [f["layer"] for f in step["fixes"]] == [
                {**js_layer(f.layer), "name": want.spec.name} for f in want.fixes
            ]
        flagged += not plan.ok
        fixed = [step["fixes"][0]["layer"] if step["fixes"] else step["spec"] for step in steps]
        fixed_batch.append({"fn": "planChain", "args": {"input": size, "layers": fixed}})
    assert flagged > 25
    for case, got in zip(fixed_batch, run_js(fixed_batch, ["shapes.js"])):
        invalid = any(step["outputSize"] is None for step in got["value"]["steps"])
        assert got["value"]["ok"] or invalid, case


def test_huge_dilation_row_matches_python_without_a_search():
    texts = ["conv:k3s2p1", "transpose:k1s2p1d300", "conv:k5s4", "convT k=5 s=4 d=300"]
    layers_ = [layers.parse_layer(t) for t in texts]
    [got] = run_js(
        [{"fn": "planChain", "args": {"input": 65, "layers": [js_layer(x) for x in layers_]}}],
        ["shapes.js"],
    )
    plan = design.plan_chain(65, layers_)
    assert plan.steps[1].suggestions  # the output_padding fix, and no solver choices
    assert [s["suggestions"] for s in got["value"]["steps"]] == [
        list(s.suggestions) for s in plan.steps
    ]
