"""Run the page scripts' functions in Node on a batch of cases (one subprocess per batch)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "docs" / "javascripts"
RUNNER = Path(__file__).with_name("node_runner.cjs")

# Python keyword -> key of the one object the JS functions take.
JS_KEYS = {
    "input_size": "input",
    "output_size": "output",
    "kernel_size": "kernel",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "output_padding": "outputPadding",
}


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the JS mirror of convnotes.shapes cannot be run")
    return node


def run_js(cases: list[dict], scripts: list[str]) -> list[dict]:
    """``cases``: ``{"fn": jsName, "args": {...}}``; returns one result dict per case."""
    node = node_or_skip()
    files = [str(SCRIPTS / name) for name in scripts]
    proc = subprocess.run(
        [node, str(RUNNER), *files],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(proc.stdout)


def blamed_parameter(message: str) -> str:
    """The parameter a convnotes error message names first (its subject)."""
    match = re.match(r"expected (\w+) to be", message) or re.match(r"(\w+)", message)
    assert match, message
    return match.group(1)


def to_json(value):
    """Python result -> what JSON.stringify of the JS result gives (tuples become lists)."""
    return json.loads(json.dumps(value))


def verdict_of(message: str) -> str:
    """The kind of a design.plan_chain message (what the page's data-verdict must say)."""
    prefixes = {
        "downsamples": "downsample",
        "mirrors ": "mirror",
        "gives ": "mismatch",
        "upsamples": "upsample",
        "keeps the size": "keep",
        "changes the size": "change",
        "invalid layer": "invalid",
    }
    return next(kind for prefix, kind in prefixes.items() if message.startswith(prefix))
