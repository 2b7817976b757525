"""The shape doctor: why a model's forward fails on a shape, and what to change.

[`diagnose`][convnotes.doctor.diagnose] builds the model on the meta device (no memory,
no arithmetic: only shapes), runs one forward and records every leaf layer's input and
output shape (forward hooks) and every `torch.cat`/`stack`/addition (a
`TorchFunctionMode`), remembering which layer produced each tensor. When the forward
raises, it reports the failing operation, its operand shapes, the layers that produced
them, and the encoder layer whose input size the decoder had to restore (the mirror rule
of [`plan_chain`][convnotes.design.plan_chain]: a layer that shrinks the size pushes its
input size, one that grows it pops). It then proposes fixes (`output_padding`,
`output_size=`, another kernel/padding, `Upsample(size=)`, the encoder's padding, a crop
or pad of the skip) and keeps only those that a rebuilt model, rerun on meta with the fix
applied, confirms. It needs torch (`convnotes[torch]`).

From the command line:

```text
convnotes doctor my_model.py:build_unet --input 1,3,65,65 [--json]
```
"""

from __future__ import annotations

import copy
import importlib.util
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from .design import solve_conv_transpose
from .errors import ConvArgumentError
from .shapes import output_padding_for

__all__ = ["Diagnosis", "DoctorInputError", "diagnose", "load_factory"]

_JOINS = {"cat", "concat", "concatenate", "stack", "add", "__add__", "__radd__", "__iadd__",
          "sub", "__sub__", "mul", "__mul__", "__rmul__"}  # fmt: skip
_MAX_FIX_ROUNDS = 64  # a fix applied to each failing layer in turn: at most this many layers


class DoctorInputError(ConvArgumentError):
    """Bad input to the doctor: the file, the factory or the input shape (CLI exit 2)."""


@dataclass
class _Run:
    layers: list[dict] = field(default_factory=list)
    error: dict | None = None
    output: list[int] | None = None
    up_layers: list[str] = field(default_factory=list)  # growing layers, in order
    resamplers: set[str] = field(default_factory=set)  # strided layers, pools, upsamples


def load_factory(spec: str) -> Callable[[], nn.Module]:
    """The model factory named by `"path/to/file.py:FACTORY"`, imported from that file.

    The file is imported as a module (its folder first on `sys.path` while it runs), so
    it can import its neighbours.

    Args:
        spec: `FILE.py:FACTORY`: a Python file and the name of a callable in it that
            returns a fresh model (a function, or an `nn.Module` class taking no arguments).

    Returns:
        The callable.

    Raises:
        DoctorInputError: a spec without `:`, a missing file, a file whose import fails,
            or no callable of that name in it.

    Examples:
        >>> load_factory("no_such_model.py:build_unet")
        Traceback (most recent call last):
        ...
        convnotes.doctor.DoctorInputError: no_such_model.py: no such file
    """
    path_text, colon, name = spec.rpartition(":")
    if not colon or not path_text or not name:
        raise DoctorInputError(f"{spec!r}: expected FILE.py:FACTORY, e.g. model.py:build_unet")
    path = Path(path_text)
    if not path.is_file():
        raise DoctorInputError(f"{path_text}: no such file")
    module_spec = importlib.util.spec_from_file_location(f"_convnotes_doctor_{path.stem}", path)
    if module_spec is None or module_spec.loader is None:
        raise DoctorInputError(f"{path_text}: not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module  # dataclasses and pickling look their module up
    sys.path.insert(0, str(path.resolve().parent))
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:  # the user's file: any failure is bad input
        del sys.modules[module_spec.name]
        raise DoctorInputError(f"{path_text}: importing it failed: {error!r}") from None
    finally:
        sys.path.pop(0)
    factory = getattr(module, name, None)
    if not callable(factory):
        raise DoctorInputError(f"{path_text}: has no callable {name!r}")
    return factory


def _build(factory: Callable[[], nn.Module]) -> nn.Module:
    try:
        with torch.device("meta"):
            model = factory()
    except Exception as error:
        raise DoctorInputError(f"the factory failed: {error!r}") from None
    if not isinstance(model, nn.Module):
        raise DoctorInputError(f"the factory returned {type(model).__name__}, not an nn.Module")
    return model.eval()


def _check_shape(shape) -> tuple[int, ...]:
    shape = tuple(shape)
    if len(shape) < 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in shape):
        raise DoctorInputError(
            f"input={shape}: expected at least two positive integers (N, C, spatial...)"
        )
    return shape


def _spatial(shape) -> tuple[int, ...]:
    return tuple(shape[2:])


class _Recorder(TorchFunctionMode):
    """Records joins (cat, add, ...) and which layer produced each tensor."""

    def __init__(self, run: _Run, producer: dict[int, str], keep: list, edit=None) -> None:
        super().__init__()
        self.run, self.producer, self.keep, self.edit = run, producer, keep, edit
        self.count: dict[str, int] = {}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", str(func))
        if name in _JOINS and len(_operands(name, args)) >= 2:  # x * 0.5 is not a join
            tensors = _operands(name, args)
            if self.edit is not None:
                args = self.edit(name, args)
                tensors = _operands(name, args)
            label = name.strip("_").replace("concatenate", "cat").replace("concat", "cat")
            self.count[label] = self.count.get(label, 0) + 1
            op = f"{label}#{self.count[label]}"
            shapes = [list(t.shape) for t in tensors]
            sources = [self.producer.get(id(t), "?") for t in tensors]
            try:
                out = func(*args, **kwargs)
            except RuntimeError as error:
                self.run.error = {"op": op, "shapes": shapes, "layers": sources,
                                  "message": str(error).splitlines()[0]}  # fmt: skip
                raise
            if isinstance(out, torch.Tensor):
                self.run.layers.append(
                    {"name": op, "type": label, "input": shapes, "output": list(out.shape)}
                )
                self._own(out, op)
            return out
        out = func(*args, **kwargs)
        if isinstance(out, torch.Tensor) and id(out) not in self.producer:
            for t in _tensors(args):  # an elementwise op keeps the producer of its input
                if t.shape == out.shape and id(t) in self.producer:
                    self._own(out, self.producer[id(t)])
                    break
            else:  # a function that resizes (F.interpolate, F.max_pool2d, ...): its name
                self._own(out, f"{name}()")
        return out

    def _own(self, tensor: torch.Tensor, name: str) -> None:
        self.keep.append(tensor)  # keeps the id unique for the run
        self.producer[id(tensor)] = name


def _tensors(args) -> list[torch.Tensor]:
    found = []
    for a in args:
        if isinstance(a, torch.Tensor):
            found.append(a)
        elif isinstance(a, (list, tuple)):
            found.extend(t for t in a if isinstance(t, torch.Tensor))
    return found


def _operands(name: str, args) -> list[torch.Tensor]:
    if name in ("cat", "concat", "concatenate", "stack"):
        return [t for t in args[0] if isinstance(t, torch.Tensor)] if args else []
    return _tensors(args[:2])


def _run(model: nn.Module, shape: tuple[int, ...], edit=None) -> _Run:
    """One forward on meta, recording every leaf layer and join."""
    run = _Run()
    producer: dict[int, str] = {}
    keep: list = []
    active: list[tuple[str, nn.Module, list]] = []
    handles = []
    leaves = [(n, m) for n, m in model.named_modules() if n and not any(m.children())]

    def pre(name):
        def hook(module, inputs):
            active.append((name, module, [list(t.shape) for t in _tensors(inputs)]))

        return hook

    def post(name):
        def hook(module, inputs, output):
            _, _, shapes = active.pop()
            out = output if isinstance(output, torch.Tensor) else None
            row = {"name": name, "type": type(module).__name__,
                   "input": shapes[0] if len(shapes) == 1 else shapes,
                   "output": list(out.shape) if out is not None else None}  # fmt: skip
            run.layers.append(row)
            if out is not None:
                keep.append(out)
                producer[id(out)] = name
                before, after = tuple(shapes[0][2:]) if shapes else (), tuple(out.shape[2:])
                grows = all(o >= i for o, i in zip(after, before)) and after != before
                if shapes and len(shapes[0]) == out.dim() > 2 and grows:
                    run.up_layers.append(name)

        return hook

    for name, module in leaves:
        stride = getattr(module, "stride", 1)
        if isinstance(module, (nn.Upsample, nn.modules.pooling._MaxPoolNd,
                               nn.modules.pooling._AvgPoolNd)) or any(
            v > 1 for v in (stride if isinstance(stride, tuple) else (stride,))
        ):  # fmt: skip
            run.resamplers.add(name)
        handles.append(module.register_forward_pre_hook(pre(name)))
        handles.append(module.register_forward_hook(post(name)))
    x = torch.zeros(shape, device="meta")
    producer[id(x)] = "input"
    try:
        with _Recorder(run, producer, keep, edit), torch.no_grad():
            y = model(x)
        run.output = list(y.shape) if isinstance(y, torch.Tensor) else None
    except Exception as error:  # any failure of the user's forward is what we diagnose
        if run.error is None:
            name, module, shapes = active[-1] if active else ("forward", model, [list(shape)])
            run.error = {"op": name, "shapes": shapes, "layers": [name],
                         "message": str(error).splitlines()[0] if str(error) else repr(error),
                         "type": type(module).__name__}  # fmt: skip
    finally:
        for handle in handles:
            handle.remove()
    return run


def _encoder_for(run: _Run, up_name: str) -> dict | None:
    """The encoder layer whose input size `up_name` had to restore: the mirror stack of
    `convnotes.design.plan_chain` over the resampling layers (strided, pools,
    upsamples; a valid 3x3 conv that trims two pixels is not an encoder step)."""
    stack = []
    for row in run.layers:
        ins, out = row["input"], row["output"]
        if not (isinstance(ins, list) and ins and isinstance(ins[0], int)) or out is None:
            continue
        if len(ins) != len(out) or len(out) < 3 or row["name"] not in run.resamplers:
            continue
        before, after = ins[2:], out[2:]
        if before == after:
            continue
        if all(a <= b for a, b in zip(after, before)):
            stack.append({"layer": row["name"], "input": before, "output": after})
        elif all(a >= b for a, b in zip(after, before)) and stack:
            popped = stack.pop()
            if row["name"] == up_name:
                return popped
    return None


@dataclass
class Diagnosis:
    """What [`diagnose`][convnotes.doctor.diagnose] found; `str()` is the text report and
    [`to_dict`][convnotes.doctor.Diagnosis.to_dict] the `--json` document.

    Attributes:
        layers: One row per leaf layer run and per join: `{"name", "type", "input",
            "output"}`, shapes as lists.
        error: `None` if the forward ran; else the failing operation: `op`, `shapes`,
            `layers` (who produced each operand), `message`, `encoder` (when known) and
            the verified `fixes`.
        output: The output shape when the forward ran, else `None`.
    """

    layers: list[dict]
    error: dict | None
    output: list[int] | None

    @property
    def ok(self) -> bool:
        """The forward ran with this input shape."""
        return self.error is None

    def to_dict(self) -> dict:
        """The `--json` schema, exactly: `{"layers": [{"name", "type", "input", "output"}],
        "error": null | {"op", "shapes", "layers", "fixes": [{"layer", "change", "result"}]}}`
        (`error` here also has `message` and `encoder`; the text report shows them)."""
        error = None
        if self.error is not None:
            error = {key: self.error[key] for key in ("op", "shapes", "layers", "fixes")}
        return {"layers": self.layers, "error": error}

    def __str__(self) -> str:
        width = max([len(r["name"]) for r in self.layers] + [4])
        lines = [f"{'layer':<{width}}  {'type':<16} {'input':<28} output"]
        for r in self.layers:
            lines.append(f"{r['name']:<{width}}  {r['type']:<16} {_shape(r['input']):<28} "
                         f"{_shape(r['output'])}")  # fmt: skip
        if self.error is None:
            lines.append(f"fits: output {_shape(self.output)}")
            return "\n".join(lines)
        e = self.error
        lines.append("")
        lines.append(f"FAILS at {e['op']}: {e['message']}")
        lines.append("  operands: " + ", ".join(
            f"{_shape(s)} from {who}" for s, who in zip(e["shapes"], e["layers"])))  # fmt: skip
        if e.get("encoder"):
            enc = e["encoder"]
            lines.append(
                f"  {enc['decoder']} had to restore {_shape(enc['input'])}, the input of "
                f"encoder layer {enc['layer']} ({_shape(enc['input'])} -> {_shape(enc['output'])})"
            )
        if e["fixes"]:
            lines.append("fixes (each verified by rerunning the model on meta):")
            lines.extend(f"  - {f['layer']}: {f['change']}  => {f['result']}" for f in e["fixes"])
        else:
            lines.append("no verified fix found")
        return "\n".join(lines)


def _shape(value) -> str:
    if value is None:
        return "-"
    if value and isinstance(value[0], list):
        return " + ".join(_shape(v) for v in value)
    return "(" + ", ".join(map(str, value)) + ")"


# ----------------------------------------------------------------------------- fixes


def _module(model: nn.Module, name: str) -> nn.Module:
    return model.get_submodule(name)


def _replace(model: nn.Module, name: str, new: nn.Module) -> None:
    parent, _, child = name.rpartition(".")
    setattr(_module(model, parent) if parent else model, child, new)


def _transposed_like(old: nn.Module, **changes) -> nn.Module:
    cls = type(old)
    args = dict(in_channels=old.in_channels, out_channels=old.out_channels,
                kernel_size=old.kernel_size, stride=old.stride, padding=old.padding,
                output_padding=old.output_padding, groups=old.groups,
                bias=old.bias is not None, dilation=old.dilation)  # fmt: skip
    args.update(changes)
    with torch.device("meta"):
        return cls(**args)


def _mismatch(run: _Run):
    """(up layer, its input spatial size, the size it should give) for a failing join."""
    e = run.error
    if e is None or len(e["shapes"]) < 2:
        return None
    shapes = [tuple(s) for s in e["shapes"]]
    for j, who in enumerate(e["layers"]):
        if who in run.up_layers:
            target = next((s for k, s in enumerate(shapes) if k != j), None)
            row = next(r for r in run.layers if r["name"] == who)
            if target is not None and len(target) == len(shapes[j]):
                return who, tuple(row["input"][2:]), _spatial(target)
    return None


def _describe(run: _Run) -> str:
    """ "fits: output (...)", or "" when the rerun still fails (not a fix: not listed)."""
    return f"fits: output {_shape(run.output)}" if run.error is None else ""


def _iterate(factory, shape, first: _Run, change) -> tuple[_Run, list[str]]:
    """Apply `change(model, up, size_in, target)` to each failing up layer in turn."""
    model, run, notes = _build(factory), first, []
    for _ in range(_MAX_FIX_ROUNDS):
        found = _mismatch(run)
        if found is None:
            break
        note = change(model, *found)
        if note is None or note in notes:
            break
        notes.append(note)
        run = _run(model, shape)
    return run, notes


def _fix_output_padding(model, up, size_in, target):
    module = _module(model, up)
    if not isinstance(module, nn.modules.conv._ConvTransposeNd):
        return None
    try:
        a = output_padding_for(
            size_in, target, module.kernel_size, module.stride, module.padding, module.dilation
        )
    except ConvArgumentError:
        return None
    _replace(model, up, _transposed_like(module, output_padding=a))
    return f"{up}: output_padding={a}"


def _fix_output_size(model, up, size_in, target):
    module = _module(model, up)
    if not isinstance(module, nn.modules.conv._ConvTransposeNd):
        return None
    try:  # forward(x, output_size=...) accepts only this range
        output_padding_for(
            size_in, target, module.kernel_size, module.stride, module.padding, module.dilation
        )
    except ConvArgumentError:
        return None
    forward = module.forward
    module.forward = lambda x, *rest, **kw: forward(x, output_size=list(target))
    return f"{up}: call {up}(x, output_size={list(target)}) in forward"


def _fix_solver(model, up, size_in, target):
    module = _module(model, up)
    if not isinstance(module, nn.modules.conv._ConvTransposeNd):
        return None
    d = module.dilation[0]
    if len(set(module.dilation)) != 1 or d > 8:
        return None
    ratio = max(t / i for t, i in zip(target, size_in))
    max_stride = min(16, max(4, math.ceil(ratio)))
    choices = solve_conv_transpose(size_in, target, max_kernel=min(16, max(7, 2 * max_stride)),
                                   max_stride=max_stride, dilation=d)  # fmt: skip
    same_stride = [
        c
        for c in choices
        if (c.stride,) * len(size_in) == tuple(module.stride)
        and (c.kernel_size, c.padding) != (module.kernel_size[0], module.padding[0])
    ]  # another kernel or padding: output_padding alone is the first fix
    if not same_stride:
        return None
    c = same_stride[0]
    _replace(model, up, _transposed_like(module, kernel_size=c.kernel_size, padding=c.padding,
                                         output_padding=c.output_padding))  # fmt: skip
    extra = f", output_padding={c.output_padding}" if c.output_padding else ""
    return f"{up}: kernel_size={c.kernel_size}, padding={c.padding}{extra}"


def _fix_upsample(model, up, size_in, target):
    module = _module(model, up)
    if not isinstance(module, nn.Upsample):
        return None
    module.size, module.scale_factor = tuple(target), None
    return f"{up}: nn.Upsample(size={tuple(target)}, mode={module.mode!r})"


def _crop_or_pad(mode: str):
    """An edit for the join: crop the larger operand (center) or pad the smaller one."""

    def edit(name, args):
        if name not in ("cat", "concat", "concatenate", "stack", "add", "__add__", "__radd__"):
            return args
        tensors = _operands(name, args)
        if len(tensors) < 2 or len({t.dim() for t in tensors}) != 1 or tensors[0].dim() < 3:
            return args
        sizes = [_spatial(t.shape) for t in tensors]
        goal = [min(v) if mode == "crop" else max(v) for v in zip(*sizes)]
        fitted = []
        for t, size in zip(tensors, sizes):
            if mode == "crop":
                for axis, (have, want) in enumerate(zip(size, goal)):
                    start = (have - want) // 2
                    t = t.narrow(2 + axis, start, want)
            else:
                pads = []
                for have, want in reversed(list(zip(size, goal))):
                    pads += [(want - have) // 2, want - have - (want - have) // 2]
                t = F.pad(t, pads)
            fitted.append(t)
        if name in ("cat", "concat", "concatenate", "stack"):
            return (fitted, *args[1:])
        return (*fitted, *args[2:])

    return edit


def diagnose(factory: Callable[[], nn.Module] | nn.Module, input_shape: Sequence[int]) -> Diagnosis:
    """Run the model on meta with `input_shape`; on a failure, locate it and find fixes.

    Each fix (`output_padding`, `output_size=`, another kernel/padding, `Upsample(size=)`,
    the encoder's padding or `ceil_mode`, a crop or pad at the join, a `Linear`'s
    `in_features`) is applied to a rebuilt model and kept only if the rerun fits.

    Args:
        factory: A callable returning a fresh model (each fix rebuilds it), or an
            `nn.Module`, which is deep-copied instead.
        input_shape: The input's shape, `(N, C, spatial...)`.

    Returns:
        The [`Diagnosis`][convnotes.doctor.Diagnosis]: the layer table, and the failure
            with its verified fixes (`error` is `None` when the model fits).

    Raises:
        DoctorInputError: a shape with fewer than two entries or a non-positive one, a
            factory that fails, or one that does not return an `nn.Module`.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> class Tiny(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.down = nn.Conv2d(1, 1, 3, stride=2, padding=1)
        ...         self.up = nn.ConvTranspose2d(1, 1, 2, stride=2)
        ...     def forward(self, x):
        ...         return torch.cat([x, self.up(self.down(x))], dim=1)
        >>> diagnosis = diagnose(Tiny, (1, 1, 65, 65))
        >>> diagnosis.ok, diagnosis.error["op"], diagnosis.error["shapes"]
        (False, 'cat#1', [[1, 1, 65, 65], [1, 1, 66, 66]])
        >>> diagnosis.error["fixes"][0]["layer"], diagnosis.error["fixes"][0]["change"]
        ('up', 'kernel_size=2, padding=1, output_padding=1')
    """
    if isinstance(factory, nn.Module):
        template = factory
        factory = lambda: copy.deepcopy(template).to("meta")  # noqa: E731
    shape = _check_shape(input_shape)
    run = _run(_build(factory), shape)
    if run.error is None:
        return Diagnosis(run.layers, None, run.output)
    error = {key: run.error[key] for key in ("op", "shapes", "layers")}
    error["message"] = run.error["message"]
    found = _mismatch(run)
    if found is not None:
        encoder = _encoder_for(run, found[0])
        if encoder is not None:
            error["encoder"] = {**encoder, "decoder": found[0]}
    fixes: list[dict[str, str]] = []
    if found is not None:
        for change, what in (
            (_fix_output_padding, "output_padding"),
            (_fix_output_size, "output_size"),
            (_fix_solver, "kernel"),
            (_fix_upsample, "upsample"),
        ):
            rerun, notes = _iterate(factory, shape, run, change)
            result = _describe(rerun)
            if notes and result:
                changed = notes[0].split(": ", 1)[1] if len(notes) == 1 else "; ".join(notes)
                fixes.append({"layer": ", ".join(n.split(":")[0] for n in notes),
                              "change": changed, "result": result, "kind": what})  # fmt: skip
        if error.get("encoder"):
            fixes += _encoder_fixes(factory, shape, error["encoder"]["layer"])
    linear = _fix_linear(factory, shape, run.error)
    if linear:
        fixes.append(linear)
    if len(run.error["shapes"]) >= 2:
        for mode, text in (
            ("crop", "center-crop the larger operand to the smaller before the join "
                     "(skip[..., top:top+h, left:left+w], as the original U-Net does)"),
            ("pad", "pad the smaller operand to the larger before the join (F.pad)"),
        ):  # fmt: skip
            rerun = _run(_build(factory), shape, _crop_or_pad(mode))
            result = _describe(rerun)
            if rerun.error is None:
                fixes.append({"layer": run.error["op"], "change": text,
                              "result": result, "kind": mode})  # fmt: skip
    fixes.sort(key=lambda f: not f["result"].startswith("fits"))
    error["fixes"] = [{k: f[k] for k in ("layer", "change", "result")} for f in fixes]
    return Diagnosis(run.layers, error, None)


def _encoder_fixes(factory, shape, name: str) -> list[dict[str, str]]:
    """Other padding (or ceil_mode) for the encoder layer, so its output mirrors back."""
    fixes = []
    module = _module(_build(factory), name)
    candidates: list[tuple[str, object]] = []
    if isinstance(module, nn.modules.conv._ConvNd) and not isinstance(module.padding, str):
        for delta in (1, -1):
            padding = tuple(p + delta for p in module.padding)
            if min(padding) >= 0:
                candidates.append(("padding", padding))
    if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d,
                           nn.AvgPool2d, nn.AvgPool3d)):  # fmt: skip
        candidates.append(("ceil_mode", not module.ceil_mode))
    for attr, value in candidates:
        model = _build(factory)
        setattr(_module(model, name), attr, value)
        rerun = _run(model, shape)
        result = _describe(rerun)
        if result:
            fixes.append({"layer": name, "change": f"{attr}={value}", "result": result,
                          "kind": "encoder"})  # fmt: skip
    return fixes


def _fix_linear(factory, shape, error: dict) -> dict[str, str] | None:
    """A Linear fed the wrong number of features (`error` is the failing run's):
    in_features = what it gets."""
    name = error["op"]
    model = _build(factory)
    try:
        module = _module(model, name)
    except AttributeError:
        return None
    if not isinstance(module, nn.Linear) or not error["shapes"]:
        return None
    features = error["shapes"][0][-1]
    with torch.device("meta"):
        new = nn.Linear(features, module.out_features, bias=module.bias is not None)
    _replace(model, name, new)
    rerun = _run(model, shape)
    if rerun.error is not None:
        return None
    return {"layer": name, "change": f"nn.Linear({features}, {module.out_features}) "
            f"(or an nn.AdaptiveAvgPool before it, to fit every input size)",
            "result": _describe(rerun), "kind": "linear"}  # fmt: skip
