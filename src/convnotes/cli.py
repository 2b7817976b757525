"""The `convnotes` command line: output sizes with the formula written out, inverse design,
and encoder/decoder chains.

    convnotes shape conv -i 32 -k 3 -s 2 -p 1
    convnotes shape transpose -i 16 -k 3 -s 2 -p 1 --output-padding 1
    convnotes shape transpose -i 16 -k 3 -s 2 -p 1 --output-size 32
    convnotes solve transpose 17 33
    convnotes chain 65 enc1=conv:k3s2p1 enc2=conv:k3s2p1 transpose:k3s2p1 transpose:k3s2p1
    convnotes chain 65 "nn.Conv2d(3, 16, 3, stride=2, padding=1)" "MaxPool2d(2)" upsample:x4
    convnotes doctor model.py:build_unet --input 1,3,65,65

Every subcommand takes `--json`. Bad input prints one line `convnotes: error: ...` on
stderr and exits with status 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import __version__
from .design import SOLVER_LIMITS, plan_chain, solve_conv, solve_conv_transpose
from .errors import ConvArgumentError
from .explain import (
    explain_conv_output_size,
    explain_conv_transpose_output_size,
    explain_output_padding_for,
)
from .layers import parse_layer
from .shapes import output_size_range

__all__ = ["main"]

LAYER_HELP = """\
layer syntax (each LAYER one argument; quote PyTorch calls):
  [NAME=]KIND:SETTINGS   KIND conv | transpose | maxpool | avgpool | upsample
      SETTINGS k<kernel> s<stride> p<padding> d<dilation> op<output_padding>, run
      together, each an int or a comma list (one per dimension); conv padding may be
      psame / pvalid; pools: ceil for ceil_mode=True, stride defaults to the kernel;
      upsample: x<scale> or size<n>.
      examples  conv:k3s2p1  enc1=conv:k3,3s2p1  dec1=transpose:k4s2p1op0  maxpool:k2
  KIND k=3 s=2 p=1 ...   the calculator's form: "convT k=4 s=2 p=1 a=1"
  a PyTorch call         "nn.Conv2d(3, 16, 3, stride=2, padding=1)", "MaxPool2d(2)",
                         "ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1)",
                         "AvgPool2d(3, 2, 1, ceil_mode=True)", "Upsample(scale_factor=2)"
  layers that keep the size (ReLU, BatchNorm2d, ...) are skipped.
exit status: 0 every decoder mirrors its encoder, 1 a mismatch is flagged, 2 bad input
or an invalid layer."""


class _UsageError(Exception):
    """Raised instead of argparse's print-usage-and-exit, so main() prints one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _size(text: str) -> int | tuple[int, ...]:
    """`"65"` -> 65, `"65,64"` -> (65, 64)."""
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: expected an integer or a comma list like 65,64"
        ) from None
    return values[0] if len(values) == 1 else values


def _padding(text: str) -> int | str | tuple[int, ...]:
    return text if text in ("same", "valid") else _size(text)


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _show(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _emit(args: argparse.Namespace, data: dict, text: str) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text)


# ----------------------------------------------------------------------------- commands


def _shape_conv(args: argparse.Namespace) -> int:
    e = explain_conv_output_size(
        args.input_size, args.kernel_size, args.stride, args.padding, args.dilation
    )
    data = {
        "command": "shape conv",
        "input_size": _jsonable(args.input_size),
        "kernel_size": _jsonable(args.kernel_size),
        "stride": _jsonable(args.stride),
        "padding": _jsonable(args.padding),
        "dilation": _jsonable(args.dilation),
        "output_size": _jsonable(e.result),
        "formula": e.text,
        "latex": e.latex,
    }
    _emit(args, data, f"output size: {_show(e.result)}\n{e.text}")
    return 0


def _shape_transpose(args: argparse.Namespace) -> int:
    common = {
        "command": "shape transpose",
        "input_size": _jsonable(args.input_size),
        "kernel_size": _jsonable(args.kernel_size),
        "stride": _jsonable(args.stride),
        "padding": _jsonable(args.padding),
        "dilation": _jsonable(args.dilation),
    }
    if args.output_size is None:
        e = explain_conv_transpose_output_size(
            args.input_size,
            args.kernel_size,
            args.stride,
            args.padding,
            args.output_padding,
            args.dilation,
        )
        data = {**common, "output_padding": _jsonable(args.output_padding)}
        data.update(output_size=_jsonable(e.result), formula=e.text, latex=e.latex)
        _emit(args, data, f"output size: {_show(e.result)}\n{e.text}")
        return 0
    e = explain_output_padding_for(
        args.input_size,
        args.output_size,
        args.kernel_size,
        args.stride,
        args.padding,
        args.dilation,
    )
    lo, hi = output_size_range(
        args.input_size, args.kernel_size, args.stride, args.padding, args.dilation
    )
    data = {**common, "output_size": _jsonable(args.output_size)}
    data.update(
        output_padding=_jsonable(e.result),
        valid_output_sizes=[_jsonable(lo), _jsonable(hi)],
        formula=e.text,
        latex=e.latex,
    )
    text = (
        f"output_padding: {_show(e.result)}  (what forward(x, output_size="
        f"{_show(args.output_size)}) uses; valid output sizes {_show(lo)} .. {_show(hi)})\n"
        f"{e.text}"
    )
    _emit(args, data, text)
    return 0


def _solve(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise ConvArgumentError(f"--limit {args.limit}: rows to show must be 0 (all) or more")
    solver = solve_conv_transpose if args.kind == "transpose" else solve_conv
    choices = solver(
        args.input_size,
        args.output_size,
        max_kernel=args.max_kernel,
        max_stride=args.max_stride,
        dilation=args.dilation,
    )
    shown = choices if args.limit == 0 else choices[: args.limit]
    data = {
        "command": f"solve {args.kind}",
        "input_size": _jsonable(args.input_size),
        "output_size": _jsonable(args.output_size),
        "count": len(choices),
        "choices": [c.to_dict() for c in shown],
    }
    layer = "ConvTranspose" if args.kind == "transpose" else "Conv"
    lines = [
        f"{_show(args.input_size)} -> {_show(args.output_size)} with {layer} "
        f"(kernel <= {args.max_kernel}, stride <= {args.max_stride}, dilation {args.dilation}): "
        f"{len(choices)} choice(s), simplest first"
    ]
    if shown:
        lines.append(f"{'#':>3}  {'k':>2} {'s':>2} {'p':>2} {'op':>5}  {'overlap':<8} PyTorch")
    for n, c in enumerate(shown, start=1):
        overlap = "gaps" if c.gaps else ("even" if c.even_overlap else "uneven")
        lines.append(
            f"{n:>3}  {c.kernel_size:>2} {c.stride:>2} {c.padding:>2} "
            f"{_show(c.output_padding):>5}  {overlap:<8} {c.pytorch()}"
        )
    if len(shown) < len(choices):
        lines.append(f"... {len(choices) - len(shown)} more (--limit 0 shows all)")
    lines.append(
        "overlap: even = kernel divisible by stride (the overlap adds no checkerboard);"
        " gaps = kernel < stride"
    )
    _emit(args, data, "\n".join(lines))
    return 0


def _chain(args: argparse.Namespace) -> int:
    parsed = [parse_layer(text) for text in args.layers]
    layers = [layer for layer in parsed if layer is not None]
    if not layers:
        raise ConvArgumentError("LAYER: every layer given keeps the size; give at least one")
    plan = plan_chain(args.input_size, layers)
    _emit(args, {"command": "chain", **plan.to_dict()}, str(plan))
    invalid = [step for step in plan.steps if step.output_size is None]
    if invalid:
        reason = invalid[0].message.removeprefix("invalid layer: ")
        print(f"convnotes: error: layer {invalid[0].spec.name}: {reason}", file=sys.stderr)
        return 2
    return 0 if plan.ok else 1


def _shape_arg(text: str) -> tuple[int, ...]:
    """`"1,3,65,65"` -> (1, 3, 65, 65)."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid shape {text!r}: expected integers like 1,3,65,65"
        ) from None


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import diagnose, load_factory  # imports torch: only for this command

    diagnosis = diagnose(load_factory(args.model), args.input)
    _emit(args, diagnosis.to_dict(), str(diagnosis))
    return 0 if diagnosis.ok else 1


# ------------------------------------------------------------------------------- parser


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="convnotes",
        description="Convolution and transposed-convolution sizes, with the formula written out.",
    )
    parser.add_argument("--version", action="version", version=f"convnotes {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_json(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--json", action="store_true", help="print JSON (for scripts)")
        return p

    shape = commands.add_parser("shape", help="output size of one layer, formula written out")
    kinds = shape.add_subparsers(dest="kind", required=True, metavar="KIND")
    sizes_help = "an int, or a comma list with one value per dimension (65,64)"
    conv = with_json(kinds.add_parser("conv", help="nn.Conv*d / F.conv*d"))
    transpose = with_json(kinds.add_parser("transpose", help="nn.ConvTranspose*d"))
    for p in (conv, transpose):
        p.add_argument("-i", "--input-size", type=_size, required=True, help=sizes_help)
        p.add_argument("-k", "--kernel-size", type=_size, required=True, help=sizes_help)
        p.add_argument("-s", "--stride", type=_size, default=1, help="default 1")
        p.add_argument("-d", "--dilation", type=_size, default=1, help="default 1")
    conv.add_argument("-p", "--padding", type=_padding, default=0, help="int(s), same or valid")
    conv.set_defaults(handler=_shape_conv)
    transpose.add_argument("-p", "--padding", type=_size, default=0, help="default 0")
    target = transpose.add_mutually_exclusive_group()
    target.add_argument("-a", "--output-padding", type=_size, default=0, help="default 0")
    target.add_argument(
        "-o",
        "--output-size",
        type=_size,
        help="print the output_padding that forward(x, output_size=...) picks",
    )
    transpose.set_defaults(handler=_shape_transpose)

    solve = with_json(
        commands.add_parser(
            "solve",
            help="which kernel/stride/padding/output_padding map one size to another",
        )
    )
    solve.add_argument("kind", choices=["conv", "transpose"])
    solve.add_argument("input_size", type=_size, help=sizes_help)
    solve.add_argument("output_size", type=_size, help=sizes_help)
    limits = SOLVER_LIMITS
    solve.add_argument(
        "--max-kernel", type=int, default=7, help=f"default 7, at most {limits['max_kernel']}"
    )
    solve.add_argument(
        "--max-stride", type=int, default=4, help=f"default 4, at most {limits['max_stride']}"
    )
    solve.add_argument(
        "-d", "--dilation", type=int, default=1, help=f"default 1, at most {limits['dilation']}"
    )
    solve.add_argument("--limit", type=int, default=10, help="rows to show, 0 = all (default 10)")
    solve.set_defaults(handler=_solve)

    chain = with_json(
        commands.add_parser(
            "chain",
            help="run layers from an input size; flag decoders that do not mirror encoders",
            epilog=LAYER_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    chain.add_argument("input_size", type=_size, help=sizes_help)
    chain.add_argument("layers", nargs="+", metavar="LAYER", help="e.g. conv:k3s2p1")
    chain.set_defaults(handler=_chain)

    doctor = with_json(
        commands.add_parser(
            "doctor",
            help="run a model on the meta device; locate a shape mismatch and verify fixes",
            epilog="exit status: 0 the model runs, 1 a mismatch is found, 2 bad input "
            "(file, factory or shape)",
        )
    )
    doctor.add_argument("model", metavar="FILE.py:FACTORY", help="a function returning the model")
    doctor.add_argument(
        "--input", type=_shape_arg, required=True, help="input shape, e.g. 1,3,65,65"
    )
    doctor.set_defaults(handler=_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `convnotes` console script; returns the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return args.handler(args)
    except _UsageError as error:
        print(f"convnotes: error: {error}", file=sys.stderr)
        return 2
    except ConvArgumentError as error:
        print(f"convnotes: error: {error}", file=sys.stderr)
        return 2
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
