"""Differential test: the solver and chain planner in docs/javascripts/shapes.js against
convnotes.design (same choices in the same order, same chain verdicts and messages)."""

from __future__ import annotations

import random
import re

from convnotes import design

from .jsbridge import run_js, to_json, verdict_of

CHOICE_KEYS = {
    "kind": "kind",
    "input_size": "inputSize",
    "output_size": "outputSize",
    "kernel_size": "kernel",
    "stride": "stride",
    "padding": "padding",
    "output_padding": "outputPadding",
    "dilation": "dilation",
    "even_overlap": "evenOverlap",
    "gaps": "gaps",
    "pytorch": "pytorch",
}
STEP_KEYS = {
    "input_size": "inputSize",
    "output_size": "outputSize",
    "expected": "expected",
    "ok": "ok",
    "message": "message",
    "mirrors": "mirrors",
    "suggestions": "suggestions",
}


def brackets(text: str) -> str:
    """(2, 77) -> [2, 77]: Python gets a tuple where JS has an array (only the repr differs)."""
    return re.sub(r"\((\d+(?:, \d+)+)\)", r"[\1]", text)


def comparable(step: dict) -> dict:
    return {**step, "message": brackets(step["message"])}


def random_size(rng: random.Random, ndim: int | None):
    if ndim is None:
        return rng.randint(1, 70)
    return [rng.randint(1, 70) for _ in range(ndim)]


def solver_cases(rng: random.Random, count: int) -> list[dict]:
    cases = []
    for _ in range(count):
        ndim = rng.choice([None, None, None, 1, 2])
        i = random_size(rng, ndim)
        # targets near the usual ratios, so that many cases have choices
        factor = rng.choice([0.5, 1, 2, 2, 3, 4, rng.uniform(0.2, 5)])
        o = [max(1, round(v * factor) + rng.choice([-1, 0, 0, 1])) for v in (i if ndim else [i])]
        cases.append(
            {
                "kind": rng.choice(["conv", "transpose"]),
                "input": i,
                "output": o if ndim else o[0],
                "maxKernel": rng.choice([3, 5, 7]),
                "maxStride": rng.choice([2, 3, 4]),
                "dilation": rng.choice([1, 1, 1, 2, 3]),
            }
        )
    return cases


def python_choices(case: dict):
    solve = design.solve_conv if case["kind"] == "conv" else design.solve_conv_transpose
    choices = solve(
        case["input"],
        case["output"],
        max_kernel=case["maxKernel"],
        max_stride=case["maxStride"],
        dilation=case["dilation"],
    )
    return [{CHOICE_KEYS[k]: v for k, v in c.to_dict().items()} for c in choices]


def test_solvers_match_design():
    rng = random.Random(7)
    cases = solver_cases(rng, 300)
    batch = [
        {"fn": "solveConv" if c["kind"] == "conv" else "solveConvTranspose", "args": c}
        for c in cases
    ]
    js = run_js(batch, ["shapes.js"])
    nonempty = 0
    for case, result in zip(cases, js):
        expected = python_choices(case)
        assert result["ok"], (case, result)
        assert result["value"] == to_json(expected), case
        nonempty += bool(expected)
    assert nonempty > len(cases) // 3


def random_layer(rng: random.Random) -> dict:
    kind = rng.choice(["conv", "conv", "transpose", "transpose"])
    layer = {
        "kind": kind,
        "kernel_size": rng.randint(1, 5),
        "stride": rng.choice([1, 2, 2, 3]),
        "padding": rng.randint(0, 2),
        "dilation": rng.choice([1, 1, 2]),
    }
    if kind == "transpose":
        layer["output_padding"] = rng.choice([0, 0, 1])
    return layer


def test_chain_planner_matches_design():
    rng = random.Random(11)
    cases = []
    for _ in range(300):
        layers = [random_layer(rng) for _ in range(rng.randint(1, 6))]
        cases.append(
            (rng.choice([rng.randint(1, 80), [rng.randint(1, 80), rng.randint(1, 80)]]), layers)
        )
    js_layers = [
        [
            {
                {"kernel_size": "kernel", "output_padding": "outputPadding"}.get(k, k): v
                for k, v in layer.items()
            }
            for layer in layers
        ]
        for _, layers in cases
    ]
    batch = [
        {"fn": "planChain", "args": {"input": size, "layers": layers}}
        for (size, _), layers in zip(cases, js_layers)
    ]
    js = run_js(batch, ["shapes.js"])
    verdicts = set()
    for (size, layers), result in zip(cases, js):
        # design.plan_chain needs a tuple (a list input_size raises TypeError there)
        plan = design.plan_chain(tuple(size) if isinstance(size, list) else size, layers)
        plan = plan.to_dict()
        assert result["ok"], result
        got = [{k: step.get(v) for k, v in STEP_KEYS.items()} for step in result["value"]["steps"]]
        want = [{k: step[k] for k in STEP_KEYS} for step in plan["steps"]]
        if isinstance(size, list):
            got, want = [comparable(x) for x in got], [comparable(x) for x in want]
        assert got == want, (size, layers)
        # the structured verdict (what other languages are built from) says what the text says
        kinds = [step["verdict"] for step in result["value"]["steps"]]
        assert kinds == [verdict_of(step["message"]) for step in plan["steps"]], (size, layers)
        verdicts |= {(s["ok"], s["output_size"] is None) for s in want}
    assert verdicts == {(True, False), (False, False), (False, True)}


def test_solver_limits_match_design():
    """Every bound on the solvers' work is refused past the same limit, same message."""
    cases = [
        {"input": 17, "output": 33, "maxKernel": 17},
        {"input": 17, "output": 33, "maxStride": 17},
        {"input": 17, "output": 33, "dilation": 9},
        {"input": 17, "output": 33, "maxPadding": 65},
        {"input": 17, "output": 33, "maxPadding": -1},
        {"input": [4, 4, 4, 4], "output": [8, 8, 8, 8]},
        {"input": 17, "output": 33, "maxKernel": 16, "maxStride": 16, "dilation": 8},
    ]
    js = run_js([{"fn": "solveConvTranspose", "args": c} for c in cases], ["shapes.js"])
    keys = {"maxKernel": "max_kernel", "maxStride": "max_stride", "maxPadding": "max_padding"}
    for case, result in zip(cases, js):
        kwargs = {keys.get(k, k): v for k, v in case.items() if k not in ("input", "output")}
        try:
            want = design.solve_conv_transpose(
                tuple(case["input"]) if isinstance(case["input"], list) else case["input"],
                case["output"],
                **kwargs,
            )
        except design.ConvArgumentError as error:
            assert not result["ok"] and result["message"] == brackets(str(error)), (case, result)
        else:
            assert result["ok"] and len(result["value"]) == len(want) > 0, case
