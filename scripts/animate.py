"""One convolution animation for your own numbers (GIF, optionally a PNG strip of frames).

    python scripts/animate.py -i 5 -k 3 -s 2 -p 1 -o conv.gif
    python scripts/animate.py --transposed -i 3 -k 3 -s 2 -p 1 -o out.gif
    python scripts/animate.py --transposed -i 3 -k 3 -s 2 -p 1 -a 1 --view direct --strip

Sizes are square; for a transposed conv ``-i`` is the size of its own input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from convnotes.errors import ConvArgumentError
from convnotes.figures.animation import animation_files, plan_animation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--input-size", type=int, required=True)
    parser.add_argument("-k", "--kernel-size", type=int, required=True)
    parser.add_argument("-s", "--stride", type=int, default=1)
    parser.add_argument("-p", "--padding", type=int, default=0)
    parser.add_argument("-d", "--dilation", type=int, default=1)
    parser.add_argument("-a", "--output-padding", type=int, default=0)
    parser.add_argument("--transposed", action="store_true", help="a transposed convolution")
    parser.add_argument(
        "--view",
        choices=("scatter", "direct"),
        default="scatter",
        help="transposed only: scatter-add of kernel copies, or direct conv over "
        "the zero-stretched input with the flipped kernel",
    )
    parser.add_argument("--strip", action="store_true", help="also write <name>-strip.png")
    parser.add_argument("--seed", type=int, default=0, help="seed of the example numbers")
    parser.add_argument("-o", "--output", type=Path, default=Path("animation.gif"))
    args = parser.parse_args(argv)
    try:
        plan = plan_animation(
            args.input_size,
            args.kernel_size,
            args.stride,
            args.padding,
            args.dilation,
            args.output_padding,
            args.transposed,
            args.view,
            seed=args.seed,
        )
    except (ConvArgumentError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stem = args.output.with_suffix("")
    files = animation_files(plan, str(stem))
    for name, data in files.items():
        if (name.endswith("-strip.png") and not args.strip) or ".dark." in name:
            continue  # the dark-page variants are for the site
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path} ({len(data) // 1024} KB, {len(plan.frames)} frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
