"""The ``convnotes`` command line, called in-process through ``main()`` (and once as the real
console script). Sizes are checked against PyTorch, not against our own earlier output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from convnotes import __version__
from convnotes.cli import main, parse_layer
from convnotes.design import Layer


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize(
    ("argv", "i", "k", "s", "p", "d"),
    [
        (["-i", "32", "-k", "3", "-s", "2", "-p", "1"], 32, 3, 2, 1, 1),
        (["-i", "65,64", "-k", "3", "-s", "2", "-p", "1"], (65, 64), 3, 2, 1, 1),
        (["-i", "20", "-k", "4", "-p", "same", "-d", "3"], 20, 4, 1, "same", 3),
        (
            ["-i", "9,10,11", "-k", "3,2,1", "-p", "valid", "-s", "1,2,3"],
            (9, 10, 11),
            (3, 2, 1),
            (1, 2, 3),
            "valid",
            1,
        ),
    ],
)
def test_shape_conv_matches_torch(capsys, argv, i, k, s, p, d):
    data = run_json(capsys, "shape", "conv", *argv)
    ndim = len(i) if isinstance(i, tuple) else 2
    x = torch.zeros((1, 1, *(i if isinstance(i, tuple) else (i,) * ndim)))
    w = torch.zeros((1, 1, *(k if isinstance(k, tuple) else (k,) * ndim)))
    conv = {2: F.conv2d, 3: F.conv3d}[ndim]
    expected = list(conv(x, w, stride=s, padding=p, dilation=d).shape[2:])
    got = data["output_size"] if isinstance(i, tuple) else [data["output_size"]] * ndim
    assert got == expected
    code, out, _ = run(capsys, "shape", "conv", *argv)
    assert code == 0 and "o = ⌊(i" in out and out.splitlines()[0].startswith("output size:")


def test_shape_transpose_with_output_padding_matches_torch(capsys):
    data = run_json(
        capsys,
        "shape",
        "transpose",
        "-i",
        "16",
        "-k",
        "3",
        "-s",
        "2",
        "-p",
        "1",
        "--output-padding",
        "1",
    )
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)
    assert data["output_size"] == layer(torch.zeros(1, 1, 16, 16)).shape[-1]
    assert data["formula"].startswith("o = (i − 1)·s")


def test_shape_transpose_output_size_prints_what_pytorch_picks(capsys):
    code, out, _ = run(
        capsys,
        "shape",
        "transpose",
        "-i",
        "16",
        "-k",
        "3",
        "-s",
        "2",
        "-p",
        "1",
        "--output-size",
        "32",
    )
    assert code == 0
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
    x = torch.zeros(1, 1, 16, 16)
    picked = layer._output_padding(
        x, [32, 32], layer.stride, layer.padding, layer.kernel_size, 2, layer.dilation
    )
    assert out.startswith(f"output_padding: {picked[0]}")
    data = run_json(
        capsys, "shape", "transpose", "-i", "16,15", "-k", "3", "-s", "2", "-p", "1", "-o", "32,30"
    )
    picked = layer._output_padding(
        torch.zeros(1, 1, 16, 15),
        [32, 30],
        layer.stride,
        layer.padding,
        layer.kernel_size,
        2,
        layer.dilation,
    )
    assert data["output_padding"] == list(picked)
    assert layer(torch.zeros(1, 1, 16, 15), output_size=[32, 30]).shape[2:] == (32, 30)


@pytest.mark.parametrize(("kind", "i", "o"), [("transpose", "17", "33"), ("conv", "65", "33")])
def test_solve_choices_work_in_torch(capsys, kind, i, o):
    data = run_json(capsys, "solve", kind, i, o, "--limit", "0")
    assert data["count"] == len(data["choices"]) > 0
    for choice in data["choices"]:
        module = eval(choice["pytorch"], {"nn": nn, "in_channels": 1, "out_channels": 1})
        assert module(torch.zeros(1, 1, int(i), int(i))).shape[-1] == int(o)
    code, out, _ = run(capsys, "solve", kind, i, o)
    lines = out.splitlines()
    assert code == 0 and "simplest first" in lines[0]
    assert any(" even " in line for line in lines) and any(" uneven " in line for line in lines)
    assert data["choices"][0]["pytorch"] in lines[2]


def test_solve_limit_and_no_solution(capsys):
    assert len(run_json(capsys, "solve", "transpose", "17", "33", "--limit", "2")["choices"]) == 2
    data = run_json(capsys, "solve", "transpose", "5", "1000")
    assert data["count"] == 0 and data["choices"] == []


def torch_chain(size: int, layers: list[Layer]) -> list[int]:
    x, sizes = torch.zeros(1, 1, size, size), [size]
    for spec in layers:
        if spec.kind == "conv":
            m = nn.Conv2d(1, 1, spec.kernel_size, spec.stride, spec.padding, spec.dilation)
        else:
            m = nn.ConvTranspose2d(
                1,
                1,
                spec.kernel_size,
                spec.stride,
                spec.padding,
                spec.output_padding,
                dilation=spec.dilation,
            )
        x = m(x)
        sizes.append(x.shape[-1])
    return sizes


def test_chain_ok_mismatch_and_invalid(capsys):
    good = [
        "enc1=conv:k3s2p1",
        "enc2=conv:k3s2p1",
        "dec1=transpose:k3s2p1",
        "dec2=transpose:k3s2p1op0",
    ]
    code, out, _ = run(capsys, "chain", "65", *good)
    assert code == 0 and "mirrors enc2" in out and "mirrors enc1" in out
    data = run_json(capsys, "chain", "65", *good)
    assert data["sizes"] == torch_chain(65, [parse_layer(t) for t in good]) == [65, 33, 17, 33, 65]

    bad = ["conv:k3s2p1", "conv:k3s2p1", "dec1=transpose:k4s2p1", "transpose:k3s2p1"]
    code, out, _ = run(capsys, "chain", "65", *bad)
    assert code == 1 and "dec1" in out and "34" in out and "suggestion" in out
    assert run(capsys, "chain", "65", *bad, "--json")[0] == 1

    code, out, err = run(capsys, "chain", "5", "conv:k3", "conv:k9", "transpose:k3")
    assert code == 2 and err.startswith("convnotes: error: layer conv2: kernel_size=9")
    assert len(err.strip().splitlines()) == 1 and "transpose3" not in out


def test_parse_layer():
    assert parse_layer("enc1=conv:k3s2p1") == Layer("conv", 3, 2, 1, name="enc1")
    assert parse_layer("transpose:k4,3s2op1,0d1") == Layer("transpose", (4, 3), 2, 0, (1, 0), 1)
    assert parse_layer("conv:k3psame").padding == "same"


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["shape", "conv", "-i", "32", "-k", "3", "-s", "0"], "stride"),
        (["shape", "conv", "-i", "32", "-k", "3", "-s", "2", "-p", "same"], "padding"),
        (["shape", "conv", "-i", "32", "-k", "3", "-p", "full"], "padding"),
        (["shape", "conv", "-i", "2", "-k", "5"], "kernel_size"),
        (["shape", "conv", "-i", "3x", "-k", "3"], "input-size"),
        (["shape", "conv", "-i", "32"], "kernel-size"),
        (["shape", "conv", "-i", "8,8", "-k", "3,3,3"], "kernel_size"),
        (["shape", "transpose", "-i", "8", "-k", "3", "-a", "1"], "output_padding"),
        (["shape", "transpose", "-i", "8", "-k", "3", "-s", "2", "-o", "40"], "output_size"),
        (["shape", "transpose", "-i", "8", "-k", "3", "-a", "1", "-o", "17"], "output-size"),
        (["shape", "transpose", "-i", "1", "-k", "1", "-p", "1"], "output size"),
        (["solve", "transpose", "0", "4"], "input_size"),
        (["solve", "deconv", "4", "8"], "kind"),
        (["solve", "conv", "8", "4", "--max-kernel", "0"], "max_kernel"),
        (["solve", "transpose", "17", "33", "--max-kernel", "3000"], "max_kernel"),
        (["solve", "transpose", "17", "33", "--max-stride", "100000"], "max_stride"),
        (["solve", "transpose", "17", "33", "-d", "100000"], "dilation"),
        (["solve", "transpose", "17", "33", "--limit", "-1"], "--limit"),
        (["chain", "65", "conv:s2"], "kernel_size"),
        (["chain", "65", "pool:k2"], "KIND"),
        (["chain", "65"], "LAYER"),
        (["nonsense"], "COMMAND"),
        ([], "COMMAND"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, word):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("convnotes: error: ") and err.count("\n") == 1, err
    assert word in err and "Traceback" not in err


def test_version_and_help(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"convnotes {__version__}"
    code, out, _ = run(capsys, "chain", "--help")
    assert code == 0 and "layer syntax" in out and "transpose:k4s2p1op0" in out


def test_console_script_subprocess():
    script = Path(sys.executable).with_name("convnotes")
    assert script.exists(), "console script not installed: pip install -e ."
    done = subprocess.run(
        [str(script), "shape", "conv", "-i", "32", "-k", "3", "-s", "2", "-p", "1", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(done.stdout)["output_size"]
        == F.conv1d(torch.zeros(1, 1, 32), torch.zeros(1, 1, 3), stride=2, padding=1).shape[-1]
    )
    bad = subprocess.run(
        [str(script), "shape", "conv", "-i", "32", "-k", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("convnotes: error: kernel_size=0")
    assert "Traceback" not in bad.stderr and bad.stdout == ""
