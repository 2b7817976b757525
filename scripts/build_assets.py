"""Build the site's generated figures, tables and animations (cached; see convnotes.figures).

python scripts/build_assets.py                 # everything into docs/assets/generated
python scripts/build_assets.py --only 'anim/*' # some assets (names or glob patterns)
python scripts/build_assets.py --force         # ignore the cache
python scripts/build_assets.py --list          # asset names
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from convnotes.figures import DEFAULT_DEST, BuildResult, all_assets, build_assets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="output folder")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="asset name or glob (repeatable)"
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    parser.add_argument("--list", action="store_true", help="list the asset names and exit")
    args = parser.parse_args(argv)
    if args.list:
        for asset in all_assets():
            print(asset.name)
        return 0

    def report(result: BuildResult) -> None:
        written = f", wrote {len(result.written)}" if result.status == "built" else ""
        print(
            f"{result.status:6} {result.name:40} {result.seconds:6.2f} s  "
            f"({len(result.outputs)} files{written})",
            flush=True,
        )

    start = time.perf_counter()
    try:
        results = build_assets(args.dest, only=args.only, force=args.force, progress=report)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    built = sum(r.status == "built" for r in results)
    print(
        f"{len(results)} assets ({built} built, {len(results) - built} cached) "
        f"in {time.perf_counter() - start:.1f} s -> {args.dest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
