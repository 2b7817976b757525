"""Inverse design: which layer settings map one size to another, and does a chain mirror itself?

The question users really have: "my encoder goes 65 -> 33 -> 17; which `ConvTranspose2d`
brings 17 back to 33?" [`solve_conv_transpose`][convnotes.design.solve_conv_transpose] and
[`solve_conv`][convnotes.design.solve_conv] enumerate the
`(kernel_size, stride, padding, output_padding)` choices inside small bounds and keep those
that [`convnotes.shapes`][convnotes.shapes] (the one source of truth) maps to the target
size: no output-size formula is re-derived here. [`plan_chain`][convnotes.design.plan_chain]
runs a list of layers (convolutions, transposed convolutions, pools, upsamples) and flags a
decoder that does not undo its encoder.

Search bounds (per dimension, `d` = dilation, fixed by the caller):

* `1 <= kernel_size <= max_kernel` and `1 <= stride <= max_stride`;
* `0 <= padding <= d*(kernel_size - 1)` ("full" padding; more only adds all-zero borders
  to a conv, or crops a transposed conv beyond the kernel's reach), unless `max_padding`;
* `0 <= output_padding < max(stride, dilation)` (PyTorch's rule), transposed only.

The bounds themselves are capped ([`SOLVER_LIMITS`][convnotes.design.SOLVER_LIMITS]:
`max_kernel <= 16`, `max_stride <= 16`, `dilation <= 8`, `max_padding <= 64`, at most 3
dimensions), so one call checks at most about 50 000 settings and returns well within a
second; a larger bound is a [`ConvArgumentError`][convnotes.errors.ConvArgumentError]
naming the parameter.

Ordering, "simplest first" ([`Choice.sort_key`][convnotes.design.Choice.sort_key]):

1. no gaps (every input/output position is touched: see
   [`overlap_profile`][convnotes.design.overlap_profile]);
2. stride closest to the size ratio (`output/input` for a transposed conv,
   `input/output` for a conv);
3. smaller kernel;
4. smaller padding;
5. smaller output_padding;
6. even overlap (kernel divisible by stride: no checkerboard) before uneven.

Tuple sizes: a choice is one `(kernel_size, stride, padding)` that works for *every*
dimension, with `output_padding` per dimension (a tuple when the dimensions need different
ones). Settings that differ per dimension (say stride `(2, 1)`) are not searched: solve each
dimension with its own int sizes instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

from .errors import ConvArgumentError
from .shapes import (
    Size,
    conv_output_size,
    conv_transpose_output_size,
    output_padding_for,
    output_size_range,
    pool_output_size,
    upsample_output_size,
)

__all__ = [
    "SOLVER_LIMITS",
    "ChainPlan",
    "ChainStep",
    "Choice",
    "Fix",
    "Layer",
    "overlap_profile",
    "plan_chain",
    "solve_conv",
    "solve_conv_transpose",
]

KINDS = ("conv", "transpose", "maxpool", "avgpool", "upsample")
DOWN_KINDS = ("conv", "maxpool", "avgpool")  # a shrinking one is an encoder step
UP_KINDS = ("transpose", "upsample")  # a growing one restores an encoder step

SOLVER_LIMITS = {"max_kernel": 16, "max_stride": 16, "dilation": 8, "max_padding": 64, "ndim": 3}
"""The largest bounds the solvers accept, and at most 3 spatial dimensions (the JS mirror
in `docs/javascripts/shapes.js` has the same numbers)."""


def overlap_profile(kernel_size: int, stride: int, dilation: int = 1) -> tuple[int, ...]:
    """How many kernel taps land on each of the `stride` phases of the (interior) output.

    A transposed conv writes input `j` with tap `t` to position `j*stride + t*dilation`,
    so an output position receives one contribution per tap with
    `t*dilation ≡ position (mod stride)`. Equal counts: even overlap (no checkerboard);
    a zero count: gaps (positions that no input reaches). Read the other way, the same counts
    say how many windows of a strided conv read each input position. With `dilation=1` this
    is "`kernel_size % stride == 0`" and "`kernel_size < stride`".

    Args:
        kernel_size: `k`.
        stride: `s`.
        dilation: `d`.

    Returns:
        One count per phase `0 .. stride - 1`.

    Examples:
        >>> overlap_profile(3, 2)
        (2, 1)
    """
    counts = [0] * stride
    for tap in range(kernel_size):
        counts[(tap * dilation) % stride] += 1
    return tuple(counts)


@dataclass(frozen=True)
class Choice:
    """One layer setting that maps `input_size` to `output_size`."""

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
        self,
        in_channels: int | None = None,
        out_channels: int | None = None,
        ndim: int | None = None,
    ) -> str:
        """The PyTorch line to copy.

        Args:
            in_channels: Shown as the first argument; if not given, the name `in_channels`
                stays (never a made-up number).
            out_channels: Shown as the second argument; if not given, the name
                `out_channels` stays.
            ndim: `1`, `2` or `3` in the class name; default: the number of dimensions of the
                sizes (2 for int sizes).

        Returns:
            For example `nn.ConvTranspose2d(in_channels, out_channels, kernel_size=3,
                stride=2, padding=1, output_padding=1)`.

        Examples:
            >>> solve_conv_transpose(17, 33)[0].pytorch(32, 16, ndim=1)
            'nn.ConvTranspose1d(32, 16, kernel_size=2, stride=2, padding=1, output_padding=1)'
        """
        if ndim is None:
            ndim = len(self.input_size) if isinstance(self.input_size, tuple) else 2
        name = "ConvTranspose" if self.kind == "transpose" else "Conv"
        args = [
            "in_channels" if in_channels is None else f"{in_channels}",
            "out_channels" if out_channels is None else f"{out_channels}",
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


def _check_bounds(max_kernel: int, max_stride: int, dilation: int, max_padding: int | None) -> None:
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
    bounds: tuple[tuple[str, int | None], ...] = (
        ("max_kernel", max_kernel),
        ("max_stride", max_stride),
        ("dilation", dilation),
        ("max_padding", max_padding),
    )
    for name, bound in bounds:
        if bound is not None and bound > SOLVER_LIMITS[name]:
            raise ConvArgumentError(
                f"{name}={bound}: the solver searches at most {name}={SOLVER_LIMITS[name]} "
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
    size `lo` (`output_size_range`), so the only candidate is
    `a = o - lo`; `conv_transpose_output_size` then checks it.
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
    """Every `ConvTranspose` setting within the bounds that maps `input_size` to `output_size`.

    Simplest first (the module docstring gives the bounds and the order). Each is verified
    with [`conv_transpose_output_size`][convnotes.shapes.conv_transpose_output_size]:
    `o = (i - 1)*s - 2p + d*(k - 1) + a + 1`.

    Args:
        input_size: `i`, an int or one int per dimension (at most 3).
        output_size: `o`, the size wanted, an int or one int per dimension.
        max_kernel: Largest kernel size tried (at most 16).
        max_stride: Largest stride tried (at most 16).
        dilation: The dilation, fixed (at most 8).
        max_padding: Largest padding tried (at most 64); default `dilation*(kernel_size - 1)`.

    Returns:
        The [`Choice`][convnotes.design.Choice]s, simplest first; empty if none fits.

    Raises:
        ConvArgumentError: a size below 1, sizes of different lengths, more than 3
            dimensions, or a bound below its minimum or above
            [`SOLVER_LIMITS`][convnotes.design.SOLVER_LIMITS].

    Examples:
        >>> for choice in solve_conv_transpose(17, 33)[:2]:
        ...     print(choice.pytorch(32, 16), choice.even_overlap)
        nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2, padding=1, output_padding=1) True
        nn.ConvTranspose2d(32, 16, kernel_size=3, stride=2, padding=1) False
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
    """Every `Conv` setting within the bounds that maps `input_size` to `output_size`.

    Simplest first; `output_padding` is always 0. Each is verified with
    [`conv_output_size`][convnotes.shapes.conv_output_size]:
    `o = floor((i + 2p - d*(k - 1) - 1)/s) + 1`.

    Args:
        input_size: `i`, an int or one int per dimension (at most 3).
        output_size: `o`, the size wanted, an int or one int per dimension.
        max_kernel: Largest kernel size tried (at most 16).
        max_stride: Largest stride tried (at most 16).
        dilation: The dilation, fixed (at most 8).
        max_padding: Largest padding tried (at most 64); default `dilation*(kernel_size - 1)`.

    Returns:
        The [`Choice`][convnotes.design.Choice]s, simplest first; empty if none fits.

    Raises:
        ConvArgumentError: a size below 1, sizes of different lengths, more than 3
            dimensions, or a bound below its minimum or above
            [`SOLVER_LIMITS`][convnotes.design.SOLVER_LIMITS].

    Examples:
        >>> for choice in solve_conv(65, 33)[:2]:
        ...     print(choice.pytorch())
        nn.Conv2d(in_channels, out_channels, kernel_size=2, stride=2, padding=1)
        nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=2, padding=1)
    """
    return _solve("conv", input_size, output_size, max_kernel, max_stride, dilation, max_padding)


# ------------------------------------------------------------------------- chain planner


@dataclass(frozen=True)
class Layer:
    """One layer of a chain: `kind` is `"conv"`, `"transpose"`, `"maxpool"`, `"avgpool"`
    or `"upsample"`.

    Pools take `kernel_size`, `stride` (give it: PyTorch's default is the kernel size),
    `padding`, `dilation` and `ceil_mode`; `upsample` takes `size` or
    `scale_factor`. `in_channels`/`out_channels`/`ndim` are kept when known (a
    parsed PyTorch line, see [`parse_layer`][convnotes.layers.parse_layer]) so that a
    suggested fix can repeat them; they never change a size.
    """

    kind: str
    kernel_size: int | tuple[int, ...] | None = None
    stride: int | tuple[int, ...] = 1
    padding: int | str | tuple[int, ...] = 0
    output_padding: int | tuple[int, ...] = 0
    dilation: int | tuple[int, ...] = 1
    name: str | None = None
    ceil_mode: bool = False
    scale_factor: float | tuple[float, ...] | None = None
    size: int | tuple[int, ...] | None = None
    in_channels: int | None = None
    out_channels: int | None = None
    ndim: int | None = None

    @classmethod
    def coerce(cls, spec: Layer | Mapping, index: int) -> Layer:
        """A `Layer` from a dict, checked, and named `<kind><index>` if unnamed.

        Args:
            spec: A `Layer`, or a dict with the same keys.
            index: The layer's 1-based position in its chain, for the name and the errors.

        Returns:
            The layer, with a name.

        Raises:
            ConvArgumentError: a dict with unknown keys or without `kind` (or without
                `kernel_size`, except an upsample), an unknown `kind`, or an
                `output_padding` on a layer that is not a transposed convolution.

        Examples:
            >>> Layer.coerce({"kind": "conv", "kernel_size": 3, "stride": 2}, 1).name
            'conv1'
        """
        if isinstance(spec, Mapping):
            known = set(cls.__dataclass_fields__)
            unknown = sorted(set(spec) - known)
            if unknown:
                raise ConvArgumentError(
                    f"layer {index}: unknown key(s) {unknown}; expected some of {sorted(known)}"
                )
            if "kind" not in spec or ("kernel_size" not in spec and spec["kind"] != "upsample"):
                raise ConvArgumentError(f"layer {index}: needs 'kind' and 'kernel_size'")
            spec = cls(**spec)
        if not isinstance(spec, Layer):
            raise ConvArgumentError(f"layer {index}: expected a dict or Layer, got {spec!r}")
        if spec.kind not in KINDS:
            raise ConvArgumentError(
                f"layer {index}: kind={spec.kind!r}: must be one of {', '.join(KINDS)}"
            )
        if spec.kind != "upsample" and spec.kernel_size is None:
            raise ConvArgumentError(f"layer {index}: a {spec.kind} layer needs kernel_size")
        if (
            spec.kind != "transpose"
            and spec.output_padding not in (0, (0,))
            and any(_as_tuple(spec.output_padding))
        ):
            raise ConvArgumentError(
                f"layer {index}: output_padding={spec.output_padding}: only a transposed "
                "convolution has an output_padding"
            )
        if spec.name is None:
            spec = replace(spec, name=f"{spec.kind}{index}")
        return spec

    def output_size(self, input_size):
        """This layer's output size, from [`convnotes.shapes`][convnotes.shapes].

        Args:
            input_size (int | tuple[int, ...]): `i`, an int or one int per spatial
                dimension.

        Returns:
            o (int | tuple[int, ...]): An int for an int input size, else a tuple.

        Raises:
            ConvArgumentError: settings PyTorch rejects for this input (the message of
                the `convnotes.shapes` function), or a tuple input size whose length is
                not the layer's `ndim`.

        Examples:
            >>> Layer("transpose", kernel_size=4, stride=2, padding=1).output_size((33, 17))
            (66, 34)
        """
        if self.ndim is not None and isinstance(input_size, tuple) and len(input_size) != self.ndim:
            raise ConvArgumentError(
                f"input_size={input_size}: a {self.ndim}d layer takes {self.ndim} spatial sizes"
            )
        if self.kind == "conv":
            return conv_output_size(
                input_size, self.kernel_size, self.stride, self.padding, self.dilation
            )
        if self.kind in ("maxpool", "avgpool"):
            return pool_output_size(
                input_size, self.kernel_size, self.stride, self.padding, self.dilation,
                self.ceil_mode,
            )  # fmt: skip
        if self.kind == "upsample":
            return upsample_output_size(input_size, self.size, self.scale_factor)
        return conv_transpose_output_size(
            input_size,
            self.kernel_size,
            self.stride,
            self.padding,
            self.output_padding,
            self.dilation,
        )

    def describe(self) -> str:
        """One short line for the chain table: the name, the kind and the settings.

        Examples:
            >>> Layer("transpose", kernel_size=4, stride=2, padding=1, name="up1").describe()
            'up1: transpose k=4 s=2 p=1 op=0'
        """
        if self.kind == "upsample":
            what = f"size={self.size}" if self.size is not None else f"x{self.scale_factor}"
            return f"{self.name}: upsample {what}"
        parts = [f"k={self.kernel_size}", f"s={self.stride}", f"p={self.padding}"]
        if self.kind == "transpose":
            parts.append(f"op={self.output_padding}")
        if self.dilation != 1:
            parts.append(f"d={self.dilation}")
        if self.ceil_mode:
            parts.append("ceil")
        return f"{self.name}: {self.kind} " + " ".join(parts)

    def pytorch(self) -> str:
        """This layer as a PyTorch line; unknown channels stay `in_channels, out_channels`.

        Returns:
            The line, `nn.Conv2d(...)`, `nn.ConvTranspose2d(...)`, `nn.MaxPool2d(...)`,
                `nn.AvgPool2d(...)` or `nn.Upsample(...)` (2d unless `ndim` says otherwise).

        Examples:
            >>> Layer("maxpool", kernel_size=2, stride=2).pytorch()
            'nn.MaxPool2d(kernel_size=2, stride=2)'
        """
        ndim = self.ndim or 2
        if self.kind == "upsample":
            arg = (
                f"size={self.size}"
                if self.size is not None
                else f"scale_factor={self.scale_factor}"
            )
            return f"nn.Upsample({arg})"
        if self.kind in ("maxpool", "avgpool"):
            name = "MaxPool" if self.kind == "maxpool" else "AvgPool"
            args = [f"kernel_size={self.kernel_size}", f"stride={self.stride}"]
            args += [f"padding={self.padding}"] if self.padding != 0 else []
            args += [f"dilation={self.dilation}"] if self.dilation != 1 else []
            args += ["ceil_mode=True"] if self.ceil_mode else []
            return f"nn.{name}{ndim}d({', '.join(args)})"
        name = "ConvTranspose" if self.kind == "transpose" else "Conv"
        args = [
            "in_channels" if self.in_channels is None else str(self.in_channels),
            "out_channels" if self.out_channels is None else str(self.out_channels),
            f"kernel_size={self.kernel_size}",
            f"stride={self.stride}",
            f"padding={self.padding!r}"
            if isinstance(self.padding, str)
            else f"padding={self.padding}",
        ]
        if self.kind == "transpose" and any(_as_tuple(self.output_padding)):
            args.append(f"output_padding={self.output_padding}")
        if self.dilation != 1:
            args.append(f"dilation={self.dilation}")
        return f"nn.{name}{ndim}d({', '.join(args)})"


@dataclass(frozen=True)
class Fix:
    """One way to repair a flagged row: the layer to put there, and the sentence saying so."""

    layer: Layer
    text: str

    def to_dict(self) -> dict:
        """JSON-ready: `{"text", "layer"}`, the layer's tuples as lists."""
        return {"text": self.text, "layer": _layer_dict(self.layer)}


def _layer_dict(layer: Layer) -> dict:
    return {key: _jsonable(value) for key, value in asdict(layer).items()}


@dataclass(frozen=True)
class ChainStep:
    """One layer applied: sizes in and out, what a mirrored decoder expected, and verdict.

    `should_receive` is the size this row would get if every flagged row above it took
    its first fix; a decoder row is judged (and its fixes computed) from that size, so
    fixing every flagged row makes the whole chain match.
    """

    spec: Layer
    input_size: int | tuple[int, ...]
    output_size: int | tuple[int, ...] | None  # None: the layer is invalid
    expected: int | tuple[int, ...] | None  # the size of the encoder step this one mirrors
    ok: bool
    message: str
    mirrors: str | None = None  # name of the encoder layer this decoder layer undoes
    suggestions: tuple[str, ...] = ()
    should_receive: int | tuple[int, ...] | None = None
    fixes: tuple[Fix, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready (tuples become lists): the fields, `spec` and `fixes` as dicts."""
        data = {
            key: _jsonable(getattr(self, key))
            for key in ("input_size", "output_size", "expected", "ok", "message", "mirrors")
        }
        data["spec"] = _layer_dict(self.spec)
        data["suggestions"] = list(self.suggestions)
        data["should_receive"] = _jsonable(self.should_receive)
        data["fixes"] = [fix.to_dict() for fix in self.fixes]
        return data


@dataclass(frozen=True)
class ChainPlan:
    """The result of [`plan_chain`][convnotes.design.plan_chain]: one step per layer run."""

    input_size: int | tuple[int, ...]
    steps: tuple[ChainStep, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Every step is valid, and every decoder step mirrors its encoder step."""
        return all(step.ok for step in self.steps)

    @property
    def sizes(self) -> list[int | tuple[int, ...]]:
        """The input size, then every output size up to the first invalid layer."""
        return [self.input_size] + [s.output_size for s in self.steps if s.output_size is not None]

    @property
    def output_size(self) -> int | tuple[int, ...]:
        """The last size in [`sizes`][convnotes.design.ChainPlan.sizes]."""
        return self.sizes[-1]

    def fixed_layers(self) -> list[Layer]:
        """The chain's layers with every flagged row replaced by its first fix."""
        return [step.fixes[0].layer if step.fixes else step.spec for step in self.steps]

    def to_dict(self) -> dict:
        """JSON-ready (tuples become lists): `input_size`, `ok`, `sizes` and `steps`."""
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


def _transpose_settings(layer: Layer) -> tuple[Size, Size, Size, Size]:
    """`(kernel_size, stride, padding, dilation)` of a transposed conv.

    A transposed conv needs a kernel size and takes no padding string; `convnotes.shapes`
    rejects both with a `ConvArgumentError`, and so does this (a layer without them
    already stopped the chain at its own row).
    """
    if layer.kernel_size is None or isinstance(layer.padding, str):
        raise ConvArgumentError(
            f"{layer.describe()}: a transposed convolution needs an integer kernel_size "
            "and integer padding"
        )
    return layer.kernel_size, layer.stride, layer.padding, layer.dilation


def _larger_output_padding(
    layer: Layer, input_size: Size, expected: Size
) -> int | tuple[int, ...] | None:
    """The output_padding `a = o - lo` when it is >= stride but < dilation (PyTorch allows
    `a < max(s, d)`; `forward(x, output_size=...)` only `a < s`), else None."""
    try:
        kernel_size, stride, padding, dilation = _transpose_settings(layer)
        lo = output_size_range(input_size, kernel_size, stride, padding, dilation)[0]
        ins, outs = _as_tuple(lo), _as_tuple(expected)
        n = max(len(ins), len(outs))
        pads = tuple(o - low for low, o in zip(ins * (n // len(ins)), outs * (n // len(outs))))
        a = pads[0] if not isinstance(lo, tuple) and not isinstance(expected, tuple) else pads
        size = conv_transpose_output_size(input_size, kernel_size, stride, padding, a, dilation)
    except ConvArgumentError:
        return None
    return a if _same_size(size, expected) else None


def _fixes(
    layer: Layer, input_size: int | tuple[int, ...], expected: int | tuple[int, ...]
) -> tuple[Fix, ...]:
    """Ways to make the decoder `layer` on `input_size` give `expected`.

    A transposed conv: the same layer with the output_padding that `forward(x,
    output_size=...)` would pick, then the three simplest solver choices (stride up to the
    size ratio, within `SOLVER_LIMITS`). An upsample: `nn.Upsample(size=expected)`.
    Channels are the layer's own.
    """
    if layer.kind == "upsample":
        fixed = replace(layer, size=expected, scale_factor=None)
        return (Fix(fixed, fixed.pytorch()),)
    fixes: list[Fix] = []
    keep = f"keep k={layer.kernel_size} s={layer.stride} p={layer.padding} with output_padding="
    try:
        kernel_size, stride, padding, dilation = _transpose_settings(layer)
        a = output_padding_for(input_size, expected, kernel_size, stride, padding, dilation)
        text = f"{keep}{a} (or call forward(x, output_size={_jsonable(expected)}))"
        fixes.append(Fix(replace(layer, output_padding=a), text))
    except ConvArgumentError:
        larger = _larger_output_padding(layer, input_size, expected)
        if larger is not None:  # a >= stride: allowed below the dilation, not by output_size=
            fixes.append(Fix(replace(layer, output_padding=larger), f"{keep}{larger}"))
    if isinstance(layer.dilation, int) and layer.dilation <= SOLVER_LIMITS["dilation"]:
        ins, outs = _as_tuple(input_size), _as_tuple(expected)
        n = max(len(ins), len(outs))
        ratio = max(o / i for i, o in zip(ins * (n // len(ins)), outs * (n // len(outs))))
        max_stride = min(SOLVER_LIMITS["max_stride"], max(4, math.ceil(ratio)))
        max_kernel = min(SOLVER_LIMITS["max_kernel"], max(7, 2 * max_stride))
        choices = solve_conv_transpose(
            input_size, expected, max_kernel=max_kernel, max_stride=max_stride,
            dilation=layer.dilation,
        )  # fmt: skip
        ndim = layer.ndim or (len(input_size) if isinstance(input_size, tuple) else None)
        for choice in choices[:3]:
            fixed = replace(
                layer,
                kernel_size=choice.kernel_size,
                stride=choice.stride,
                padding=choice.padding,
                output_padding=choice.output_padding,
                ndim=ndim,
            )
            fixes.append(Fix(fixed, fixed.pytorch()))
    return tuple(fixes)


def _upsampler(layer: Layer) -> bool:
    """Built to upsample (an Upsample, a transposed conv with a stride above 1), even when
    wrong settings keep it from growing this input: it still answers an encoder step."""
    return layer.kind == "upsample" or any(s > 1 for s in _as_tuple(layer.stride))


def plan_chain(input_size: int | Sequence[int], layers: Iterable[Layer | Mapping]) -> ChainPlan:
    """Run `layers` from `input_size` and check the mirror rule.

    Mirror rule (a stack): a conv or pool that shrinks the size pushes its *input* size; a
    transposed conv or upsample that grows the size (or is built to: stride above 1, an
    Upsample) pops the size it is expected to restore.
    A decoder row is judged on the size it *should* receive (what it would get with every
    flagged row above it fixed): a mismatch there is flagged with fixes computed from that
    size, so applying the first fix of every flagged row gives a matching chain
    ([`ChainPlan.fixed_layers`][convnotes.design.ChainPlan.fixed_layers]). An invalid layer
    is reported at its step with the error message, and the chain stops.

    Args:
        input_size: The size entering the first layer: an int or one int per dimension.
        layers: [`Layer`][convnotes.design.Layer]s, or dicts with the same keys.

    Returns:
        The [`ChainPlan`][convnotes.design.ChainPlan]: one step per layer run, and `ok`.

    Raises:
        ConvArgumentError: a layer that is neither a dict nor a `Layer`, or one that
            [`Layer.coerce`][convnotes.design.Layer.coerce] rejects.

    Examples:
        >>> plan = plan_chain(65, [dict(kind="conv", kernel_size=3, stride=2, padding=1),
        ...                        dict(kind="transpose", kernel_size=4, stride=2, padding=1)])
        >>> plan.sizes, plan.ok
        ([65, 33, 66], False)
        >>> plan.steps[1].fixes[0].layer.describe()
        'transpose2: transpose k=2 s=2 p=1 op=1'
        >>> plan_chain(65, plan.fixed_layers()).ok
        True
    """
    steps: list[ChainStep] = []
    stack: list[tuple[int | tuple[int, ...], str | None]] = []
    start = tuple(input_size) if isinstance(input_size, Sequence) else input_size
    size = should = start
    for index, raw in enumerate(layers, start=1):
        layer = Layer.coerce(raw, index)
        try:
            out = layer.output_size(size)
        except ConvArgumentError as error:
            steps.append(ChainStep(layer, size, None, None, False, f"invalid layer: {error}"))
            break
        try:
            ideal = out if should == size else layer.output_size(should)
        except ConvArgumentError:
            should, ideal = size, out
        direction = _direction(should, ideal)
        expected: int | tuple[int, ...] | None = None
        mirrors: str | None = None
        ok = True
        fixes: tuple[Fix, ...] = ()
        following = ideal
        if layer.kind in DOWN_KINDS and direction < 0:
            stack.append((should, layer.name))
            message = "downsamples; a decoder layer should bring it back"
        elif layer.kind in UP_KINDS and stack and (direction > 0 or _upsampler(layer)):
            expected, mirrors = stack.pop()
            ok = _same_size(ideal, expected)
            following = expected
            if ok and _same_size(out, expected):
                message = f"mirrors {mirrors}"
            elif ok:
                message = (
                    f"mirrors {mirrors} once the rows above are fixed (from {_show(should)} it "
                    f"gives {_show(ideal)}; now it gets {_show(size)})"
                )
            else:
                received = "" if should == size else f" (from {_show(should)}, once fixed above)"
                message = (
                    f"gives {_show(ideal)}{received} but {mirrors} started from "
                    f"{_show(expected)}: the decoder does not mirror its encoder"
                )
                fixes = _fixes(layer, should, expected)
        elif layer.kind in UP_KINDS and direction > 0:
            message = "upsamples (no encoder step left to mirror)"
        else:
            message = "keeps the size" if direction == 0 else "changes the size"
        steps.append(
            ChainStep(
                layer,
                size,
                out,
                expected,
                ok,
                message,
                mirrors,
                tuple(fix.text for fix in fixes),
                should,
                fixes,
            )
        )
        size, should = out, following
    return ChainPlan(start, tuple(steps))
