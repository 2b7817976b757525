"""Differential test: docs/javascripts/shapes.js against convnotes.shapes.

Thousands of random argument sets, valid and invalid, 1d/2d/3d, numbers mixed with
lists, 'same'/'valid'/bad strings, floats, bools and None, go through the Python
functions and, in one Node batch, through their JS mirrors. Required: the same
result, the same accept/reject, the same parameter blamed, and the same message.
"""

from __future__ import annotations

import random

import pytest

from convnotes import shapes

from .jsbridge import JS_KEYS, blamed_parameter, run_js, to_json

CASES_PER_FUNCTION = 4000

# name -> (python function, js function, required params, optional params)
FUNCTIONS = {
    "conv_output_size": (
        shapes.conv_output_size,
        "convOutputSize",
        ["input_size", "kernel_size"],
        ["stride", "padding", "dilation"],
    ),
    "conv_transpose_output_size": (
        shapes.conv_transpose_output_size,
        "convTransposeOutputSize",
        ["input_size", "kernel_size"],
        ["stride", "padding", "output_padding", "dilation"],
    ),
    "output_padding_for": (
        shapes.output_padding_for,
        "outputPaddingFor",
        ["input_size", "output_size", "kernel_size"],
        ["stride", "padding", "dilation"],
    ),
    "output_size_range": (
        shapes.output_size_range,
        "outputSizeRange",
        ["input_size", "kernel_size"],
        ["stride", "padding", "dilation"],
    ),
    "effective_kernel_size": (
        shapes.effective_kernel_size,
        "effectiveKernelSize",
        ["kernel_size"],
        ["dilation"],
    ),
    "conv_padding": (
        shapes.conv_padding,
        "convPadding",
        ["padding", "kernel_size"],
        ["stride", "dilation"],
    ),
}

# Typical ranges of a valid value per parameter (bad values are mixed in separately).
VALID_RANGE = {
    "input_size": (1, 40),
    "output_size": (1, 90),
    "kernel_size": (1, 7),
    "stride": (1, 4),
    "padding": (0, 4),
    "dilation": (1, 3),
    "output_padding": (0, 3),
}

BAD_SCALARS = [0, -1, -3, 2.5, -0.5, True, False, None, "3", "full", [], [[2]]]


def random_int(rng: random.Random, name: str) -> int:
    lo, hi = VALID_RANGE[name]
    if rng.random() < 0.06:
        return rng.choice([lo - 1, lo - 2, hi + rng.randint(1, 20)])
    return rng.randint(lo, hi)


def random_value(rng: random.Random, name: str, ndim: int, bad_rate: float):
    """A number, a list (usually of ``ndim`` values), a padding string, or a bad value."""
    if rng.random() < bad_rate:
        return rng.choice(BAD_SCALARS)
    if name == "padding" and rng.random() < 0.2:
        return rng.choice(["same", "valid", "same", "valid", "SAME", "full"])
    if rng.random() < 0.5:
        return random_int(rng, name)
    length = ndim if rng.random() > 0.05 else rng.choice([1, 2, 4])
    values = [random_int(rng, name) for _ in range(length)]
    if rng.random() < bad_rate:
        values[rng.randrange(length)] = rng.choice([2.5, None, "2", True])
    return values


def realistic_output(rng: random.Random, args: dict):
    """An output size near the valid range, so output_padding_for succeeds often."""
    try:
        lo, hi = shapes.output_size_range(**{k: v for k, v in args.items() if k != "output_size"})
    except ValueError:
        return args["output_size"]
    shift = rng.choice([0, 0, 0, 1, -1])
    if isinstance(lo, tuple):
        return [rng.randint(a, b) + shift for a, b in zip(lo, hi)]
    return rng.randint(lo, hi) + shift


def make_cases(seed: int = 2024) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    cases = []
    for name, (_, _, required, optional) in FUNCTIONS.items():
        for _ in range(CASES_PER_FUNCTION):
            ndim = rng.choice([1, 2, 3])
            bad_rate = rng.choice([0.0, 0.0, 0.02, 0.1])
            args = {p: random_value(rng, p, ndim, bad_rate) for p in required}
            given = [p for p in optional if rng.random() < 0.8]
            args |= {p: random_value(rng, p, ndim, bad_rate) for p in given}
            if name == "output_padding_for" and rng.random() < 0.7:
                args["output_size"] = realistic_output(rng, args)
            cases.append((name, args))
    return cases


def python_outcome(name: str, args: dict) -> dict:
    function = FUNCTIONS[name][0]
    try:
        return {"ok": True, "value": to_json(function(**args))}
    except shapes.ConvArgumentError as error:
        return {"ok": False, "message": str(error), "param": blamed_parameter(str(error))}


@pytest.fixture(scope="module")
def outcomes():
    cases = make_cases()
    python = [python_outcome(name, args) for name, args in cases]
    batch = [
        {"fn": FUNCTIONS[name][1], "args": {JS_KEYS[k]: v for k, v in args.items()}}
        for name, args in cases
    ]
    js = run_js(batch, ["shapes.js"])
    return cases, python, js


def test_cases_cover_both_outcomes_per_function(outcomes):
    cases, python, _ = outcomes
    for name in FUNCTIONS:
        results = [p["ok"] for (n, _), p in zip(cases, python) if n == name]
        accepted = sum(results) / len(results)
        assert 0.2 < accepted < 0.9, (name, accepted)


def test_cases_cover_every_parameter_being_blamed(outcomes):
    _, python, _ = outcomes
    blamed = {p["param"] for p in python if not p["ok"]}
    assert set(JS_KEYS) <= blamed


def agrees(py: dict, js: dict) -> bool:
    """Same accept/reject; same value; or an Error blaming the same parameter, same text."""
    if py["ok"] or js["ok"]:
        return py == {"ok": js["ok"], "value": js.get("value")}
    return (
        js["isError"]
        and js["param"] == py["param"] == blamed_parameter(js["message"])
        and js["message"] == py["message"]
    )


def test_js_matches_python_results_and_errors(outcomes):
    cases, python, js = outcomes
    mismatches = [
        (name, args, py, j) for (name, args), py, j in zip(cases, python, js) if not agrees(py, j)
    ]
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:3]}"


def test_js_number_in_number_out_array_in_array_out():
    results = run_js(
        [
            {"fn": "convOutputSize", "args": {"input": 32, "kernel": 3, "stride": 2, "padding": 1}},
            {"fn": "convOutputSize", "args": {"input": [32], "kernel": 3}},
            {"fn": "convOutputSize", "args": {"input": 8, "kernel": 3, "padding": "same"}},
        ],
        ["shapes.js"],
    )
    assert results[0]["value"] == shapes.conv_output_size(32, 3, stride=2, padding=1)
    assert results[1]["value"] == list(shapes.conv_output_size([32], 3))
    assert results[2]["value"] == shapes.conv_output_size(8, 3, padding="same")


@pytest.mark.parametrize(
    ("fn", "args", "param"),
    [
        ("convOutputSize", {"input": 1e20, "kernel": 3}, "input_size"),
        ("convOutputSize", {"input": 2**53, "kernel": 3}, "input_size"),
        ("convOutputSize", {"input": [32, 2**60], "kernel": 3}, "input_size"),
        ("convOutputSize", {"input": 32, "kernel": 3, "stride": 1e300}, "stride"),
        ("convTransposeOutputSize", {"input": 2**52, "kernel": 3, "stride": 4}, "input_size"),
        ("outputPaddingFor", {"input": 2**51, "output": 2**53, "kernel": 3, "stride": 4},
         "input_size"),
        ("solveConvTranspose", {"input": 17, "output": 2**53}, "output_size"),
    ],
)  # fmt: skip
def test_js_refuses_integers_it_cannot_hold_exactly(fn, args, param):
    """Beyond 2^53 - 1 JavaScript's numbers skip integers (1e20 is not the 1e20 typed):
    such inputs, and results that would land there, are refused, never computed wrong.
    Python's ints are exact, so there the same numbers compute (checked for the first)."""
    [result] = run_js([{"fn": fn, "args": args}], ["shapes.js"])
    assert not result["ok"] and result["isError"], result
    assert result["param"] == param and result["rule"] == "safe-integer", result
    assert result["message"].startswith(f"{param}=") and "2^53" in result["message"]
    assert shapes.conv_output_size(10**20, 3) == 10**20 - 2


def test_js_formula_text_matches_convnotes_explain():
    """The calculator's formula lines come from these JS mirrors of convnotes.explain."""
    from convnotes import explain

    rng = random.Random(17)
    cases = []
    for _ in range(600):
        ndim = rng.choice([None, 1, 2, 3])

        def pick(lo, hi, ndim=ndim):
            return (
                rng.randint(lo, hi) if ndim is None else [rng.randint(lo, hi) for _ in range(ndim)]
            )

        kind = rng.choice(["conv", "transpose", "output_padding"])
        args = {"input": pick(1, 40), "kernel": pick(1, 5), "stride": pick(1, 3),
                "dilation": pick(1, 2)}  # fmt: skip
        args["padding"] = (
            rng.choice(["same", "valid", pick(0, 2)]) if kind == "conv" else pick(0, 2)
        )
        if kind == "transpose":
            args["outputPadding"] = pick(0, 1)
        if kind == "output_padding":
            args["output"] = pick(1, 90)
        cases.append((kind, args))
    names = {"conv": "explainConvOutputSize", "transpose": "explainConvTransposeOutputSize",
             "output_padding": "explainOutputPaddingFor"}  # fmt: skip
    js = run_js([{"fn": names[kind], "args": args} for kind, args in cases], ["shapes.js"])
    ok = 0
    for (kind, args), got in zip(cases, js):
        a = args
        try:
            if kind == "conv":
                want = explain.explain_conv_output_size(
                    a["input"], a["kernel"], a["stride"], a["padding"], a["dilation"])  # fmt: skip
            elif kind == "transpose":
                want = explain.explain_conv_transpose_output_size(
                    a["input"], a["kernel"], a["stride"], a["padding"], a["outputPadding"],
                    a["dilation"])  # fmt: skip
            else:
                want = explain.explain_output_padding_for(
                    a["input"], a["output"], a["kernel"], a["stride"], a["padding"],
                    a["dilation"])  # fmt: skip
        except shapes.ConvArgumentError as error:
            assert not got["ok"] and got["message"] == str(error)
            continue
        ok += 1
        assert got["ok"] and got["value"]["text"] == want.text, (kind, args)
        assert got["value"]["result"] == to_json(want.result)
    assert ok > 300
