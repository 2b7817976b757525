"""Inverse design: which layer settings map one size to another, and does a chain mirror itself?

The question users really have: "my encoder goes 65 -> 33 -> 17; which ``ConvTranspose2d``
brings 17 back to 33?" :func:`solve_conv_transpose` and :func:`solve_conv` enumerate the
``(kernel_size, stride, padding, output_padding)`` choices inside small bounds and keep those
that :mod:`convnotes.shapes` (the one source of truth) maps to the target size: no output-size
formula is re-derived here. :func:`plan_chain` runs a list of layers and flags a decoder that
does not undo its encoder.

Search bounds (per dimension, ``d`` = dilation, fixed by the caller):

* ``1 <= kernel_size <= max_kernel`` and ``1 <= stride <= max_stride``;
* ``0 <= padding <= d*(kernel_size - 1)`` ("full" padding; more only adds all-zero borders
  to a conv, or crops a transposed conv beyond the kernel's reach), unless ``max_padding``;
* ``0 <= output_padding < max(stride, dilation)`` (PyTorch's rule), transposed only.

The bounds themselves are capped (:data:`SOLVER_LIMITS`: ``max_kernel <= 16``,
``max_stride <= 16``, ``dilation <= 8``, ``max_padding <= 64``, at most 3 dimensions), so
one call checks at most about 50 000 settings and returns well within a second; a larger
bound is a :class:`~convnotes.errors.ConvArgumentError` naming the parameter.

Ordering, "simplest first" (:meth:`Choice.sort_key`):

1. no gaps (every input/output position is touched: see :func:`overlap_profile`);
2. stride closest to the size ratio (``output/input`` for a transposed conv,
   ``input/output`` for a conv);
3. smaller kernel, 4. smaller padding, 5. smaller output_padding;
6. even overlap (kernel divisible by stride: no checkerboard) before uneven.

Tuple sizes: a choice is one ``(kernel_size, stride, padding)`` that works for *every*
dimension, with ``output_padding`` per dimension (a tuple when the dimensions need different
ones). Settings that differ per dimension (say stride ``(2, 1)``) are not searched: solve each
dimension with its own int sizes instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from .errors import ConvArgumentError
from .shapes import (
    conv_output_size,
    conv_transpose_output_size,
    output_padding_for,
    output_size_range,
)

__all__ = [
    "SOLVER_LIMITS",
    "ChainPlan",
    "ChainStep",
    "Choice",
    "Layer",
    "overlap_profile",
    "plan_chain",
    "solve_conv",
    "solve_conv_transpose",
]

KINDS = ("conv", "transpose")

#: The largest bounds the solvers accept (the JS mirror has the same numbers).
SOLVER_LIMITS = {"max_kernel": 16, "max_stride": 16, "dilation": 8, "max_padding": 64, "ndim": 3}


def overlap_profile(kernel_size: int, stride: int, dilation: int = 1) -> tuple[int, ...]:
    """How many kernel taps land on each of the ``stride`` phases of the (interior) output.

    A transposed conv writes input ``j`` with tap ``t`` to position ``j*stride + t*dilation``,
    so an output position receives one contribution per tap with
    ``t*dilation ≡ position (mod stride)``. Equal counts: even overlap (no checkerboard);
    a zero count: gaps (positions that no input reaches). Read the other way, the same counts
    say how many windows of a strided conv read each input position. With ``dilation=1`` this
    is "``kernel_size % stride == 0``" and "``kernel_size < stride``".

    >>> overlap_profile(3, 2)
    (2, 1)
    """
    counts = [0] * stride
    for tap in range(kernel_size):
        counts[(tap * dilation) % stride] += 1
    return tuple(counts)


@dataclass(frozen=True)
class Choice:
    """One layer setting that maps ``input_size`` to ``output_size``."""

    kind: str  # "conv" or "transpose"
    input_size: int | tuple[int, ...]
    output_size: int | tuple[int, ...]
    kernel_size: int
    stride: int
    padding: int
    output_padding: int | tuple[int, ...]
    dilation: int
    even_overlap: bool  # every phase gets the same number of taps: no checkerboard
    gaps: bool  # some output (transpose) / input (conv) positions are never touched

    def sort_key(self) -> tuple:
        """The "simplest first" order documented in the module docstring."""
        ins, outs = _as_tuple(self.input_size), _as_tuple(self.output_size)
        ratio = sum(outs) / sum(ins) if self.kind == "transpose" else sum(ins) / sum(outs)
        return (
            self.gaps,
            abs(self.stride - ratio),
            self.kernel_size,
            self.padding,
            max(_as_tuple(self.output_padding)),
            not self.even_overlap,
        )

    def pytorch(
        self, in_channels: int = 64, out_channels: int = 32, ndim: int | None = None
    ) -> str:
        """The PyTorch line to copy, e.g.
        ``nn.ConvTranspose2d(64, 32, kernel_size=3, stride=2, padding=1, output_padding=1)``.

        ``ndim`` defaults to the number of dimensions of the sizes (2 for int sizes).
        """
        if ndim is None:
            ndim = len(self.input_size) if isinstance(self.input_size, tuple) else 2
        name = "ConvTranspose" if self.kind == "transpose" else "Conv"
        args = [
            f"{in_channels}",
            f"{out_channels}",
            f"kernel_size={self.kernel_size}",
            f"stride={self.stride}",
            f"padding={self.padding}",
        ]
        if self.kind == "transpose" and _as_tuple(self.output_padding) != (0,) * len(
            _as_tuple(self.output_padding)
        ):
            args.append(f"output_padding={self.output_padding}")
        if self.dilation != 1:
            args.append(f"dilation={self.dilation}")
        return f"nn.{name}{ndim}d({', '.join(args)})"

    def to_dict(self) -> dict:
        """JSON-ready: tuples become lists, plus the PyTorch line."""
        data = {key: _jsonable(value) for key, value in asdict(self).items()}
        data["pytorch"] = self.pytorch()
        return data


def _as_tuple(value: int | Sequence[int]) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, Sequence) else (value,)


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _check_bounds(max_kernel: int, max_stride: int, dilation: int, max_padding) -> None:
    for name, value in (("max_kernel", max_kernel), ("max_stride", max_stride)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConvArgumentError(f"{name}={value!r}: must be an integer of at least 1")
    if isinstance(dilation, bool) or not isinstance(dilation, int) or dilation < 1:
        raise ConvArgumentError(
            f"dilation={dilation!r}: the solver takes one integer dilation of at least 1"
        )
    if max_padding is not None and (
        isinstance(max_padding, bool) or not isinstance(max_padding, int) or max_padding < 0
    ):
        raise ConvArgumentError(f"max_padding={max_padding!r}: must be an integer of at least 0")
    for name, value in (
        ("max_kernel", max_kernel),
        ("max_stride", max_stride),
        ("dilation", dilation),
        ("max_padding", max_padding),
    ):
        if value is not None and value > SOLVER_LIMITS[name]:
            raise ConvArgumentError(
                f"{name}={value}: the solver searches at most {name}={SOLVER_LIMITS[name]} "
                "(a bound on its work)"
            )


def _sizes(input_size, output_size) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    """Both sizes as tuples of equal length, and whether the caller gave sequences."""
    is_seq = not isinstance(input_size, int) or not isinstance(output_size, int)
    n = max(len(v) if isinstance(v, Sequence) else 1 for v in (input_size, output_size))
    ins = tuple(input_size) if isinstance(input_size, Sequence) else (input_size,) * n
    outs = tuple(output_size) if isinstance(output_size, Sequence) else (output_size,) * n
    if len(ins) != len(outs):
        raise ConvArgumentError(
            f"input_size={input_size} and output_size={output_size} have different numbers "
            "of dimensions"
        )
    for name, values in (("input_size", ins), ("output_size", outs)):
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConvArgumentError(
                    f"{name}={input_size if name == 'input_size' else output_size}: "
                    "every size must be an integer of at least 1"
                )
    if len(ins) > SOLVER_LIMITS["ndim"]:
        raise ConvArgumentError(
            f"input_size={input_size}: the solver takes at most {SOLVER_LIMITS['ndim']} "
            "spatial dimensions"
        )
    return ins, outs, is_seq


def _solve(kind, input_size, output_size, max_kernel, max_stride, dilation, max_padding):
    _check_bounds(max_kernel, max_stride, dilation, max_padding)
    ins, outs, is_seq = _sizes(input_size, output_size)
    found = []
    for k in range(1, max_kernel + 1):
        pad_limit = dilation * (k - 1) if max_padding is None else max_padding
        for s in range(1, max_stride + 1):
            profile = overlap_profile(k, s, dilation)
            for p in range(pad_limit + 1):
                out_pad = _matching_output_padding(kind, ins, outs, k, s, p, dilation)
                if out_pad is None:
                    continue
                found.append(
                    Choice(
                        kind=kind,
                        input_size=ins if is_seq else ins[0],
                        output_size=outs if is_seq else outs[0],
                        kernel_size=k,
                        stride=s,
                        padding=p,
                        output_padding=out_pad if len(set(out_pad)) > 1 else out_pad[0],
                        dilation=dilation,
                        even_overlap=len(set(profile)) == 1,
                        gaps=0 in profile,
                    )
                )
    return sorted(found, key=Choice.sort_key)


def _matching_output_padding(kind, ins, outs, k, s, p, d) -> tuple[int, ...] | None:
    """Per dimension, the output_padding with which shapes maps ins to outs (None: none does).

    A transposed conv's size grows by one per unit of output_padding from its smallest
    size ``lo`` (:func:`~convnotes.shapes.output_size_range`), so the only candidate is
    ``a = o - lo``; :func:`~convnotes.shapes.conv_transpose_output_size` then checks it.
    """
    chosen = []
    for i, o in zip(ins, outs):
        a = 0 if kind == "conv" else o - output_size_range(i, k, s, p, d)[0]
        try:
            if kind == "conv":
                size = conv_output_size(i, k, s, p, d)
            else:
                size = conv_transpose_output_size(i, k, s, p, a, d)
        except ConvArgumentError:
            return None
        if size != o:
            return None
        chosen.append(a)
    return tuple(chosen)


def solve_conv_transpose(
    input_size: int | Sequence[int],
    output_size: int | Sequence[int],
    *,
    max_kernel: int = 7,
    max_stride: int = 4,
    dilation: int = 1,
    max_padding: int | None = None,
) -> list[Choice]:
    """Every ``ConvTranspose`` setting within the bounds that maps ``input_size`` to
    ``output_size``, simplest first (see the module docstring for bounds and order).

    Each is verified with :func:`convnotes.shapes.conv_transpose_output_size`:
    ``o = (i - 1)*s - 2p + d*(k - 1) + a + 1``.

    >>> for choice in solve_conv_transpose(17, 33)[:2]:
    ...     print(choice.pytorch(), choice.even_overlap)
    nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2, padding=1, output_padding=1) True
    nn.ConvTranspose2d(64, 32, kernel_size=3, stride=2, padding=1) False
    """
    return _solve(
        "transpose", input_size, output_size, max_kernel, max_stride, dilation, max_padding
    )


def solve_conv(
    input_size: int | Sequence[int],
    output_size: int | Sequence[int],
    *,
    max_kernel: int = 7,
    max_stride: int = 4,
    dilation: int = 1,
    max_padding: int | None = None,
) -> list[Choice]:
    """Every ``Conv`` setting within the bounds that maps ``input_size`` to ``output_size``,
    simplest first; ``output_padding`` is always 0.

    Each is verified with :func:`convnotes.shapes.conv_output_size`:
    ``o = floor((i + 2p - d*(k - 1) - 1)/s) + 1``.

    >>> for choice in solve_conv(65, 33)[:2]:
    ...     print(choice.pytorch())
    nn.Conv2d(64, 32, kernel_size=2, stride=2, padding=1)
    nn.Conv2d(64, 32, kernel_size=3, stride=2, padding=1)
    """
    return _solve("conv", input_size, output_size, max_kernel, max_stride, dilation, max_padding)


# ------------------------------------------------------------------------- chain planner


@dataclass(frozen=True)
class Layer:
    """One layer of a chain: ``kind`` is ``"conv"`` or ``"transpose"``."""

    kind: str
    kernel_size: int | tuple[int, ...]
    stride: int | tuple[int, ...] = 1
    padding: int | str | tuple[int, ...] = 0
    output_padding: int | tuple[int, ...] = 0
    dilation: int | tuple[int, ...] = 1
    name: str | None = None

    @classmethod
    def coerce(cls, spec: Layer | Mapping, index: int) -> Layer:
        """A :class:`Layer` from a dict (unknown keys are an error), named if unnamed."""
        if isinstance(spec, Mapping):
            known = set(cls.__dataclass_fields__)
            unknown = sorted(set(spec) - known)
            if unknown:
                raise ConvArgumentError(
                    f"layer {index}: unknown key(s) {unknown}; expected some of {sorted(known)}"
                )
            if "kind" not in spec or "kernel_size" not in spec:
                raise ConvArgumentError(f"layer {index}: needs 'kind' and 'kernel_size'")
            spec = cls(**spec)
        if not isinstance(spec, Layer):
            raise ConvArgumentError(f"layer {index}: expected a dict or Layer, got {spec!r}")
        if spec.kind not in KINDS:
            raise ConvArgumentError(
                f"layer {index}: kind={spec.kind!r}: must be 'conv' or 'transpose'"
            )
        if (
            spec.kind == "conv"
            and spec.output_padding not in (0, (0,))
            and any(_as_tuple(spec.output_padding))
        ):
            raise ConvArgumentError(
                f"layer {index}: output_padding={spec.output_padding}: only a transposed "
                "convolution has an output_padding"
            )
        if spec.name is None:
            spec = cls(**{**asdict(spec), "name": f"{spec.kind}{index}"})
        return spec

    def output_size(self, input_size):
        """This layer's output size, from :mod:`convnotes.shapes`."""
        if self.kind == "conv":
            return conv_output_size(
                input_size, self.kernel_size, self.stride, self.padding, self.dilation
            )
        return conv_transpose_output_size(
            input_size,
            self.kernel_size,
            self.stride,
            self.padding,
            self.output_padding,
            self.dilation,
        )

    def describe(self) -> str:
        parts = [f"k={self.kernel_size}", f"s={self.stride}", f"p={self.padding}"]
        if self.kind == "transpose":
            parts.append(f"op={self.output_padding}")
        if self.dilation != 1:
            parts.append(f"d={self.dilation}")
        return f"{self.name}: {self.kind} " + " ".join(parts)


@dataclass(frozen=True)
class ChainStep:
    """One layer applied: sizes in and out, what a mirrored decoder expected, and verdict."""

    spec: Layer
    input_size: int | tuple[int, ...]
    output_size: int | tuple[int, ...] | None  # None: the layer is invalid
    expected: int | tuple[int, ...] | None  # the size of the encoder step this one mirrors
    ok: bool
    message: str
    mirrors: str | None = None  # name of the encoder layer this decoder layer undoes
    suggestions: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        data = {key: _jsonable(value) for key, value in asdict(self).items()}
        data["spec"] = {key: _jsonable(value) for key, value in asdict(self.spec).items()}
        data["suggestions"] = list(self.suggestions)
        return data


@dataclass(frozen=True)
class ChainPlan:
    """The result of :func:`plan_chain`."""

    input_size: int | tuple[int, ...]
    steps: tuple[ChainStep, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    @property
    def sizes(self) -> list:
        """The input size, then every output size up to the first invalid layer."""
        return [self.input_size] + [s.output_size for s in self.steps if s.output_size is not None]

    @property
    def output_size(self):
        return self.sizes[-1]

    def to_dict(self) -> dict:
        return {
            "input_size": _jsonable(self.input_size),
            "ok": self.ok,
            "sizes": [_jsonable(s) for s in self.sizes],
            "steps": [step.to_dict() for step in self.steps],
        }

    def __str__(self) -> str:
        lines = [f"input {_show(self.input_size)}"]
        for step in self.steps:
            mark = "ok " if step.ok else "!! "
            size = "invalid" if step.output_size is None else _show(step.output_size)
            lines.append(f"{mark}{step.spec.describe():<44} -> {size}   {step.message}")
            lines.extend(f"     suggestion: {text}" for text in step.suggestions)
        return "\n".join(lines)


def _show(size) -> str:
    return "x".join(str(v) for v in size) if isinstance(size, tuple) else str(size)


def _direction(before, after) -> int:
    """-1 if every dimension shrinks or stays (and one shrinks), +1 for growth, 0 otherwise."""
    b, a = _as_tuple(before), _as_tuple(after)
    if len(a) != len(b):
        b = b * len(a) if len(b) == 1 else b
        a = a * len(b) if len(a) == 1 else a
    if a == b:
        return 0
    if all(x <= y for x, y in zip(a, b)):
        return -1
    if all(x >= y for x, y in zip(a, b)):
        return 1
    return 0


def _same_size(a, b) -> bool:
    """Equal sizes, an int counting as that size in every dimension."""
    ta, tb = _as_tuple(a), _as_tuple(b)
    return (
        ta == tb or (len(ta) == 1 and set(tb) == set(ta)) or (len(tb) == 1 and set(ta) == set(tb))
    )


def _fixes(layer: Layer, input_size, expected) -> tuple[str, ...]:
    """Ways to make a transposed layer on ``input_size`` give ``expected``."""
    fixes = []
    try:
        a = output_padding_for(
            input_size, expected, layer.kernel_size, layer.stride, layer.padding, layer.dilation
        )
        fixes.append(
            f"keep k={layer.kernel_size} s={layer.stride} p={layer.padding} with "
            f"output_padding={a} (or call forward(x, output_size={_jsonable(expected)}))"
        )
    except ConvArgumentError:
        pass
    if isinstance(layer.dilation, int) and layer.dilation <= SOLVER_LIMITS["dilation"]:
        for choice in solve_conv_transpose(input_size, expected, dilation=layer.dilation)[:3]:
            fixes.append(choice.pytorch())
    return tuple(fixes)


def plan_chain(input_size, layers: Iterable[Layer | Mapping]) -> ChainPlan:
    """Run ``layers`` (dicts or :class:`Layer`) from ``input_size``; check the mirror rule.

    Mirror rule (a stack): a conv that shrinks the size pushes its *input* size; a transposed
    conv that grows the size pops the size it is expected to restore. A mismatch is flagged
    with suggestions (the output_padding that would fix it, or the simplest solver choices).
    An invalid layer is reported at its step with the error message, and the chain stops.

    >>> plan = plan_chain(65, [dict(kind="conv", kernel_size=3, stride=2, padding=1),
    ...                        dict(kind="transpose", kernel_size=4, stride=2, padding=1)])
    >>> plan.sizes, plan.ok
    ([65, 33, 66], False)
    """
    steps = []
    stack: list[tuple[object, str]] = []
    size = tuple(input_size) if isinstance(input_size, Sequence) else input_size
    for index, raw in enumerate(layers, start=1):
        layer = Layer.coerce(raw, index)
        try:
            out = layer.output_size(size)
        except ConvArgumentError as error:
            steps.append(ChainStep(layer, size, None, None, False, f"invalid layer: {error}"))
            break
        direction = _direction(size, out)
        expected, mirrors, ok, suggestions = None, None, True, ()
        if layer.kind == "conv" and direction < 0:
            stack.append((size, layer.name))
            message = "downsamples; a decoder layer should bring it back"
        elif layer.kind == "transpose" and direction > 0 and stack:
            expected, mirrors = stack.pop()
            ok = _same_size(out, expected)
            if ok:
                message = f"mirrors {mirrors}"
            else:
                message = (
                    f"gives {_show(out)} but {mirrors} started from {_show(expected)}: "
                    "the decoder does not mirror its encoder"
                )
                suggestions = _fixes(layer, size, expected)
        elif layer.kind == "transpose" and direction > 0:
            message = "upsamples (no encoder step left to mirror)"
        else:
            message = "keeps the size" if direction == 0 else "changes the size"
        steps.append(ChainStep(layer, size, out, expected, ok, message, mirrors, suggestions))
        size = out
    return ChainPlan(input_size, tuple(steps))
