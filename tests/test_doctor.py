"""The shape doctor on models of our own (tests/doctor_models/models.py): it finds the
failing op, and every fix it lists is applied here to a real CPU model and run by torch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from torch import nn

from convnotes.cli import main
from convnotes.doctor import DoctorInputError, diagnose, load_factory

MODELS = Path(__file__).parent / "doctor_models" / "models.py"

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def factory(name: str):
    return load_factory(f"{MODELS}:{name}")


def apply_fix(model: nn.Module, fix: dict) -> nn.Module:
    """Apply a doctor fix of the form "NAME: k=v, ..." (or "k=v" for one layer) with torch."""
    parts = fix["change"].split("; ")
    if len(parts) == 1 and ": " not in parts[0]:
        parts = [f"{fix['layer']}: {parts[0]}"]
    for part in parts:
        name, _, kwargs = part.partition(": ")
        old = model.get_submodule(name)
        args = dict(in_channels=old.in_channels, out_channels=old.out_channels,
                    kernel_size=old.kernel_size, stride=old.stride, padding=old.padding,
                    output_padding=old.output_padding)  # fmt: skip
        args.update(eval(f"dict({kwargs})"))
        parent, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent) if parent else model, child, type(old)(**args))
    return model


def runs(model: nn.Module, shape) -> torch.Size:
    with torch.no_grad():
        return model(torch.zeros(shape)).shape


@pytest.mark.parametrize(
    ("name", "shape", "out"),
    [("unet_padded", (1, 3, 64, 64), (1, 2, 64, 64)), ("dcgan_generator", (1, 100, 1, 1),
     (1, 3, 64, 64)), ("pix2pix", (1, 3, 64, 64), (1, 3, 64, 64)),
     ("encdec_1d", (1, 2, 64), (1, 2, 64))],
)  # fmt: skip
def test_fitting_models_report_every_layer_as_torch_runs_it(name, shape, out):
    d = diagnose(factory(name), shape)
    assert (
        d.ok and d.error is None and tuple(d.output) == out == tuple(runs(factory(name)(), shape))
    )
    model = factory(name)()
    seen = {}

    def record(name):
        def hook(module, inputs, output):
            seen.setdefault(name, list(output.shape))

        return hook

    hooks = [m.register_forward_hook(record(n))
             for n, m in model.named_modules() if n and not any(m.children())]  # fmt: skip
    runs(model, shape)
    for h in hooks:
        h.remove()
    table = {row["name"]: row["output"] for row in d.layers if "#" not in row["name"]}
    assert table == seen


@pytest.mark.parametrize(
    ("name", "shape", "op", "operands", "encoder"),
    [
        ("unet_padded", (1, 3, 65, 65), "cat#2", ["enc1.3", "up1"], ("pool1", [65, 65])),
        ("unet_padded", (1, 3, 66, 66), "cat#1", ["enc2.3", "up2"], ("pool2", [33, 33])),
        ("unet_valid", (1, 3, 92, 92), "cat#1", ["enc2.3", "up2"], ("pool2", [40, 40])),
        ("pix2pix", (1, 3, 72, 72), "cat#1", ["ups.0", "downs.2"], ("downs.3", [9, 9])),
        ("encdec_1d", (1, 2, 65), "add#1", ["up2", "down1"], ("down2", [33])),
        ("encdec_3d", (1, 2, 9, 10, 11), "add#1", ["up2", "down1"], ("down2", [5, 5, 6])),
    ],
)
def test_mismatch_is_located_and_every_fix_runs_in_torch(name, shape, op, operands, encoder):
    with pytest.raises(RuntimeError):
        runs(factory(name)(), shape)  # torch agrees that it fails
    d = diagnose(factory(name), shape)
    assert not d.ok and d.error["op"] == op and d.error["layers"] == operands
    assert (d.error["encoder"]["layer"], d.error["encoder"]["input"]) == encoder
    assert d.error["fixes"]
    for fix in d.error["fixes"]:
        assert fix["result"].startswith("fits: output ")
        if re.search(r"(output_padding|kernel_size)=", fix["change"]):
            out = runs(apply_fix(factory(name)(), fix), shape)
            assert str(tuple(out)) in fix["result"]
            assert tuple(out[2:]) == shape[2:]  # the decoder restored every encoder size
    kinds = " ".join(f["change"] for f in d.error["fixes"])
    assert "center-crop" in kinds and "pad the smaller" in kinds


def test_padded_unet_65_gets_output_padding_and_output_size():
    d = diagnose(factory("unet_padded"), (1, 3, 65, 65))
    changes = [f["change"] for f in d.error["fixes"]]
    assert "output_padding=(1, 1)" in changes
    assert "call up1(x, output_size=[65, 65]) in forward" in changes
    model = factory("unet_padded")()
    forward = model.up1.forward
    model.up1.forward = lambda x: forward(x, output_size=[65, 65])
    assert tuple(runs(model, (1, 3, 65, 65))) == (1, 2, 65, 65)


def test_a_functional_upsample_is_named_and_the_skip_fix_runs_in_torch():
    d = diagnose(factory("interpolate_decoder"), (1, 3, 33, 33))
    assert d.error["op"] == "add#1" and d.error["layers"] == ["interpolate()", "input"]
    assert d.error["shapes"] == [[1, 3, 34, 34], [1, 3, 33, 33]]
    crop = next(f for f in d.error["fixes"] if "center-crop" in f["change"])
    model = factory("interpolate_decoder")()
    y = nn.functional.interpolate(model.down(torch.zeros(1, 3, 33, 33)), scale_factor=2.0)
    assert f"(1, 3, {min(y.shape[-1], 33)}, {min(y.shape[-1], 33)})" in crop["result"]


def test_linear_fed_the_wrong_size_gets_its_in_features():
    d = diagnose(factory("classifier"), (1, 3, 65, 60))
    assert d.error["op"] == "fc" and d.error["shapes"] == [[1, 1920]]
    [fix] = d.error["fixes"]
    model = factory("classifier")()
    model.fc = eval(fix["change"].split(" (")[0], {"nn": nn})
    assert tuple(runs(model, (1, 3, 65, 60))) == (1, 10)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_schema_and_exit_codes(capsys):
    code, out, _ = run_cli(capsys, "doctor", f"{MODELS}:unet_padded", "--input", "1,3,64,64",
                           "--json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["error"] is None and set(data) == {"layers", "error"}
    assert all(set(row) == {"name", "type", "input", "output"} for row in data["layers"])
    code, out, _ = run_cli(capsys, "doctor", f"{MODELS}:unet_padded", "--input", "1,3,65,65",
                           "--json")  # fmt: skip
    error = json.loads(out)["error"]
    assert code == 1 and set(error) == {"op", "shapes", "layers", "fixes"}
    assert all(set(f) == {"layer", "change", "result"} for f in error["fixes"])
    code, out, _ = run_cli(capsys, "doctor", f"{MODELS}:unet_padded", "--input", "1,3,65,65")
    assert code == 1 and "FAILS at cat#2" in out and "pool1" in out


@pytest.mark.parametrize(
    ("target", "shape", "word"),
    [
        ("nope.py:f", "1,3,8,8", "no such file"),
        ("MODELS:missing", "1,3,8,8", "no callable 'missing'"),
        ("MODELS:not_a_model", "1,3,8,8", "not an nn.Module"),
        ("MODELS", "1,3,8,8", "FILE.py:FACTORY"),
        ("MODELS:unet_padded", "1,3,x", "--input"),
        ("MODELS:unet_padded", "1,3,0,8", "input="),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(capsys, target, shape, word):
    code, _, err = run_cli(
        capsys, "doctor", target.replace("MODELS", str(MODELS)), "--input", shape
    )
    assert code == 2 and err.count("\n") == 1 and word in err and "Traceback" not in err


def test_a_file_that_fails_to_import_is_bad_input(capsys, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import dataclasses\n@dataclasses.dataclass\nclass A:\n    x: int = 1\n"
                      "raise ImportError('no such package')\n")  # fmt: skip
    code, _, err = run_cli(capsys, "doctor", f"{broken}:build", "--input", "1,3,8,8")
    assert code == 2 and "importing it failed" in err and "no such package" in err


def test_bad_factory_raises_doctor_input_error():
    with pytest.raises(DoctorInputError, match="factory failed"):
        diagnose(lambda: 1 / 0, (1, 3, 8, 8))


DOCS = Path(__file__).resolve().parents[1] / "docs"
SAMPLES = Path(__file__).resolve().parents[1] / "docs_src" / "doctor"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_doctor_page_shows_what_the_doctor_prints(lang, monkeypatch):
    """The report on docs/doctor.*.md is the doctor's output for the page's U-Net, verbatim."""
    monkeypatch.syspath_prepend(str(SAMPLES))
    from unet import build_unet

    page = (DOCS / f"doctor.{lang}.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(.*?)\n```", page, re.S).group(1)
    assert shown == str(diagnose(build_unet, (1, 3, 65, 65)))
