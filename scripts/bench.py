"""Benchmark convnotes' from-scratch convolutions against PyTorch's native ones.

    python scripts/bench.py            # full suite, >= 20 timed rounds and >= 2 s per problem
    python scripts/bench.py --quick    # >= 3 rounds, >= 0.2 s (under a minute on 2 quiet cores)
    python scripts/bench.py --quick --threads 1 --clock cpu   # robust on a loaded machine

For every problem of the fixed suite and each dtype (float32, float64) it times torch's
native op and each applicable convnotes method **in the same process, interleaved**
(round-robin after one warm-up call each, so that a slow phase of the machine hits all of
them alike; each round in a new random order, so that no call always follows the same
one; at least 20 rounds, more for a quick problem, so that each problem is timed for at
least 2 s) and reports min and median wall time, GFLOP/s, the ratio to native and the fraction of
the GEMM peak (a large ``torch.matmul`` timed in the same run). ``--clock cpu``
times with ``time.process_time()`` (CPU seconds of this process) instead of the wall clock:
with ``--threads 1`` that is robust to other processes competing for the cores. Float32
results are compared with a float64 reference (native float64 on the same inputs): the
error column is ``max |y - y_ref| / max |y_ref|``.

Peak memory: tracemalloc does not see torch's allocations, and there is no CPU
counterpart of ``torch.cuda.max_memory_allocated``. We reset the kernel's resident-set
high-water mark (``/proc/self/clear_refs``), run the call once and read ``VmHWM`` from
``/proc/self/status``: peak RSS minus RSS before the call is the memory the call touched
(output included). glibc would keep freed blocks mapped and hide later peaks, so memory is
measured in a child process run with a fixed ``MALLOC_MMAP_THRESHOLD_`` (large blocks are
``mmap``-ed and returned at ``free``). The timings are not taken there: every large
temporary would then cost fresh zeroed pages, which penalises algorithms with many
temporaries (Winograd measured 5x slower) far beyond what a normal process sees. Linux
only; elsewhere the column is empty.

Torch runs on ``os.cpu_count()`` threads unless ``--threads`` says otherwise (stated in
the output). A table is printed and
the results are written to ``benchmarks/results/bench-<time>.json``, which
``convnotes.figures.benchmark`` turns into the speed page's figures and tables.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MMAP_ENV = "MALLOC_MMAP_THRESHOLD_"
RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
DEFAULT_CANDIDATE = "auto"


@dataclass(frozen=True)
class Problem:
    """One conv call of the suite: shapes and keyword arguments."""

    name: str
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    kwargs: dict = field(default_factory=dict)
    transposed: bool = False

    @property
    def ndim(self) -> int:
        return len(self.input_shape) - 2

    def flops(self) -> int:
        """2 * multiply-adds: every input/output channel pair of a group, every tap."""
        import convnotes.shapes as shapes

        n, c_in, *size = self.input_shape
        k = self.weight_shape[2:]
        groups = self.kwargs.get("groups", 1)
        if self.transposed:
            return 2 * n * c_in * math.prod(size) * self.weight_shape[1] * math.prod(k)
        out = shapes.conv_output_size(
            tuple(size), k, self.kwargs.get("stride", 1), self.kwargs.get("padding", 0)
        )
        return 2 * n * self.weight_shape[0] * math.prod(out) * (c_in // groups) * math.prod(k)


SUITE = (
    Problem("conv2d 8×64→64 56² k3", (8, 64, 56, 56), (64, 64, 3, 3), {"padding": 1}),
    Problem(
        "conv2d 1×3→64 224² k7 s2", (1, 3, 224, 224), (64, 3, 7, 7), {"stride": 2, "padding": 3}
    ),
    Problem(
        "conv2d g=64 8×64 56² k3", (8, 64, 56, 56), (64, 1, 3, 3), {"padding": 1, "groups": 64}
    ),
    Problem("conv1d 8×64→64 L4096 k3", (8, 64, 4096), (64, 64, 3), {"padding": 1}),
    Problem("conv3d 2×32→32 16³ k3", (2, 32, 16, 16, 16), (32, 32, 3, 3, 3), {"padding": 1}),
    Problem(
        "conv_transpose2d 8×64→32 28²→56² k4 s2",
        (8, 64, 28, 28),
        (64, 32, 4, 4),
        {"stride": 2, "padding": 1},
        transposed=True,
    ),
    Problem(
        "conv_transpose2d 1×64→32 28²→56² k4 s2",
        (1, 64, 28, 28),
        (64, 32, 4, 4),
        {"stride": 2, "padding": 1},
        transposed=True,
    ),
    Problem("conv2d 1×2→2 256² k31", (1, 2, 256, 256), (2, 2, 31, 31), {"padding": 15}),
)


def methods_for(problem: Problem) -> list[str]:
    """The convnotes methods worth timing on ``problem`` (those that take their own path)."""
    if problem.transposed:
        return ["im2col", "channels_last", "phase", "auto"]
    k = problem.weight_shape[2:]
    methods = ["channels_last", "auto"]
    if min(k) < 15:  # im2col of a 31x31 kernel would need ~1000x the input in memory
        methods.insert(0, "im2col")
    if problem.kwargs.get("groups", 1) == problem.input_shape[1] > 1:
        methods.append("depthwise")
    if k == (3, 3) and problem.kwargs.get("stride", 1) == 1:
        methods.append("winograd")
    if min(k) >= 11:
        methods.append("fft")
    stride_1 = problem.kwargs.get("stride", 1) == 1
    if stride_1 and min(k) < 15 and "depthwise" not in methods:
        methods.insert(-1, "phase")  # stride 1: the transposed conv's pipeline, one phase
    return methods


# ------------------------------------------------------------------------------ measuring


def _vm_kib(key: str) -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"{key}:\s+(\d+)", status)
    return int(match.group(1)) if match else None


def peak_memory_mib(call) -> float | None:
    """Peak resident memory that ``call()`` adds, in MiB (Linux ``VmHWM``; see the docstring)."""
    import gc

    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    before = _vm_kib("VmRSS")
    result = call()
    peak = _vm_kib("VmHWM")
    del result
    if before is None or peak is None:
        return None
    return max(0.0, (peak - before) / 1024)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def time_interleaved(
    calls: dict, rounds: int, warm_up: bool = True, clock=time.perf_counter, seed: int = 0
) -> dict[str, list[float]]:
    """Times of each call, round-robin: one warm-up each, then ``rounds`` rounds, each in a
    new random order (seeded). In a fixed order every call would always follow the same
    one, and inherit its cache state: ``auto``, timed right after ``phase`` (the same code
    for transposed convs), measured 6-20% faster than ``phase`` itself."""
    for call in calls.values() if warm_up else ():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    shuffle = random.Random(seed).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name in order:
            start = clock()
            calls[name]()
            times[name].append(clock() - start)
    return times


def rounds_for(round_seconds: float, rounds: int, min_seconds: float, cap: int = 500) -> int:
    """At least ``rounds`` rounds, and for a quick problem enough that its timed rounds take
    ``min_seconds`` (a round calls every method once), at most ``cap``. The minimum of 20
    calls of a 1 ms problem swings with every busy moment of the machine; as with
    ``timeit``'s autorange, the budget is a time, not a count."""
    if round_seconds <= 0:
        return max(rounds, cap)
    return max(rounds, min(cap, math.ceil(min_seconds / round_seconds)))


def gemm_peak(torch, dtype, rounds: int, clock, size: int = 2048) -> float:
    """GFLOP/s of a large square ``torch.matmul``: the machine's practical peak."""
    a = torch.randn(size, size, dtype=dtype)
    b = torch.randn(size, size, dtype=dtype)
    best = min(time_interleaved({"mm": lambda: a @ b}, max(3, rounds), clock=clock)["mm"])
    return 2 * size**3 / best / 1e9


def problem_calls(torch, F, CF, problem: Problem, dtype):
    """``(calls, reference)``: native and each method as closures, and the float64 result."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(problem.input_shape, generator=gen).to(dtype)
    w = torch.randn(problem.weight_shape, generator=gen).to(dtype)
    ndim = problem.ndim
    prefix = "conv_transpose" if problem.transposed else "conv"
    native = getattr(F, f"{prefix}{ndim}d")
    ours = getattr(CF, f"{prefix}{ndim}d")
    kwargs = problem.kwargs
    calls = {"native": lambda: native(x, w, **kwargs)}
    for method in methods_for(problem):
        calls[method] = lambda m=method: ours(x, w, **kwargs, method=m)
    return calls, native(x.double(), w.double(), **kwargs)


def problem_memory(torch, F, CF, problem: Problem, dtype) -> dict[str, float | None]:
    """Peak memory of each call (run in the child process, see the module docstring)."""
    calls, _ = problem_calls(torch, F, CF, problem, dtype)
    with torch.no_grad():
        for call in calls.values():  # first calls allocate caches (weights, plans)
            call()
        return {name: peak_memory_mib(call) for name, call in calls.items()}


def run_problem(
    torch,
    F,
    CF,
    problem: Problem,
    dtype,
    rounds: int,
    peak: float,
    clock=time.perf_counter,
    min_seconds: float = 0.0,
) -> list[dict]:
    """Time and error of native and each method on one problem and dtype (memory: None):
    at least ``rounds`` rounds, more if they take less than ``min_seconds`` (:func:`rounds_for`)."""
    calls, reference = problem_calls(torch, F, CF, problem, dtype)
    scale = reference.abs().max().item()
    with torch.no_grad():
        errors = {
            name: (call().double() - reference).abs().max().item() / scale
            for name, call in calls.items()
        }
        # the error calls warmed up; one more round says how long a round takes
        start = clock()
        for call in calls.values():
            call()
        rounds = rounds_for(clock() - start, rounds, min_seconds)
        times = time_interleaved(calls, rounds, warm_up=False, clock=clock)
    flops = problem.flops()
    native_min = min(times["native"])
    rows = []
    for name, samples in times.items():
        best = min(samples)
        rows.append(
            {
                "problem": problem.name,
                "dtype": str(dtype).removeprefix("torch."),
                "method": name,
                "transposed": problem.transposed,
                "min_ms": best * 1e3,
                "median_ms": statistics.median(samples) * 1e3,
                "gflops": flops / best / 1e9,
                "ratio": best / native_min,
                "peak_fraction": flops / best / 1e9 / peak,
                "error": errors[name],
                "memory_mib": None,
                "rounds": rounds,
            }
        )
    return rows


# ------------------------------------------------------------------------------- reporting


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def summarize(rows: list[dict], method: str) -> dict:
    """The issue's targets for ``method`` (min-time ratio to native, memory ratio)."""
    out = {"method": method}
    for dtype in ("float32", "float64"):
        mine = [r for r in rows if r["dtype"] == dtype and r["method"] == method]
        native = {r["problem"]: r for r in rows if r["dtype"] == dtype and r["method"] == "native"}
        ratios = [r["ratio"] for r in mine]
        memory = [
            r["memory_mib"] / native[r["problem"]]["memory_mib"]
            for r in mine
            if r["memory_mib"] is not None and native[r["problem"]]["memory_mib"]
        ]
        out[dtype] = {
            "geomean_ratio": geometric_mean(ratios),
            "worst_ratio": max(ratios, default=float("nan")),
            "transposed_worst_ratio": max(
                (r["ratio"] for r in mine if r["transposed"]), default=float("nan")
            ),
            "worst_memory_ratio": max(memory, default=float("nan")),
        }
    f32, f64 = out["float32"], out["float64"]
    out["targets"] = {
        "float32 geomean <= 1.5x": f32["geomean_ratio"] <= 1.5,
        "float32 worst <= 3x": f32["worst_ratio"] <= 3.0,
        "float64 geomean <= 1.0x": f64["geomean_ratio"] <= 1.0,
        "transposed <= 1.3x (both)": max(
            f32["transposed_worst_ratio"], f64["transposed_worst_ratio"]
        )
        <= 1.3,
        "memory <= 2x native": max(f32["worst_memory_ratio"], f64["worst_memory_ratio"]) <= 2.0,
    }
    return out


def format_table(rows: list[dict]) -> str:
    header = (
        f"{'problem':40} {'dtype':7} {'method':13} {'min ms':>9} {'median':>9} "
        f"{'GFLOP/s':>8} {'×native':>8} {'of peak':>7} {'rel err':>8} {'MiB':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        memory = "—" if r["memory_mib"] is None else f"{r['memory_mib']:.1f}"
        lines.append(
            f"{r['problem']:40} {r['dtype']:7} {r['method']:13} {r['min_ms']:9.2f} "
            f"{r['median_ms']:9.2f} {r['gflops']:8.1f} {r['ratio']:8.2f} "
            f"{r['peak_fraction']:7.2f} {r['error']:8.1e} {memory:>7}"
        )
    return "\n".join(lines)


def machine(torch, threads: int, peaks: dict) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": threads,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "gemm_peak_gflops": peaks,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def add_memory(rows: list[dict], only: str | None, threads: int) -> None:
    """Fill ``memory_mib`` from a child process with large blocks ``mmap``-ed (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    import subprocess

    env = dict(os.environ, **{MMAP_ENV: "65536", "MALLOC_TRIM_THRESHOLD_": "0"})
    command = [sys.executable, __file__, "--memory-child", "--threads", str(threads)]
    if only is not None:
        command += ["--only", only]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    memory = json.loads(done.stdout.strip().splitlines()[-1])
    for row in rows:
        row["memory_mib"] = memory[f"{row['problem']}|torch.{row['dtype']}"][row["method"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 timed rounds instead of 20")
    parser.add_argument("--rounds", type=int, help="timed rounds per method (overrides)")
    parser.add_argument(
        "--min-seconds",
        type=float,
        help="more rounds for a problem whose rounds take less (default 2, --quick 0.2)",
    )
    parser.add_argument("--only", help="run problems whose name contains this text")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    parser.add_argument("--threads", type=int, help="torch threads (default: every core)")
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="wall time or CPU time"
    )
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    import torch
    import torch.nn.functional as F

    import convnotes.functional as CF

    threads = args.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    suite = [p for p in SUITE if args.only is None or args.only in p.name]
    dtypes = (torch.float32, torch.float64)
    if args.memory_child:
        memory = {
            f"{p.name}|{dtype}": problem_memory(torch, F, CF, p, dtype)
            for dtype in dtypes
            for p in suite
        }
        print(json.dumps(memory))
        return 0
    rounds = args.rounds or (3 if args.quick else 20)
    min_seconds = args.min_seconds if args.min_seconds is not None else 0.2 if args.quick else 2.0
    clock = CLOCKS[args.clock]
    started = time.perf_counter()
    peaks, rows = {}, []
    for dtype in dtypes:
        name = str(dtype).removeprefix("torch.")
        peaks[name] = gemm_peak(torch, dtype, rounds, clock)
        print(f"{name}: GEMM peak {peaks[name]:.1f} GFLOP/s", flush=True)
        for problem in suite:
            new = run_problem(torch, F, CF, problem, dtype, rounds, peaks[name], clock, min_seconds)
            rows.extend(new)
            print(format_table(new).split("\n", 2)[-1], flush=True)
    add_memory(rows, args.only, threads)
    info = machine(torch, threads, peaks)
    info["clock"] = args.clock
    result = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python", "scripts/bench.py", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "rounds": rounds,
        "min_seconds": min_seconds,
        "default_method": CF.DEFAULT_METHOD,
        "machine": info,
        "rows": rows,
        "summary": [summarize(rows, m) for m in (DEFAULT_CANDIDATE, "im2col")],
        "seconds": time.perf_counter() - started,
    }
    print()
    print(
        f"{info['cpu']}, {info['cores']} cores, torch {info['torch']} on "
        f"{threads} threads, {args.clock} clock, at least {rounds} rounds and "
        f"{min_seconds:g} s per problem, "
        f"load average {info['load_average']}"
    )
    print(format_table(rows))
    for summary in result["summary"]:
        print(f"\n{summary['method']}:")
        for dtype in ("float32", "float64"):
            s = summary[dtype]
            print(
                f"  {dtype}: geomean {s['geomean_ratio']:.2f}x, worst {s['worst_ratio']:.2f}x, "
                f"transposed worst {s['transposed_worst_ratio']:.2f}x, "
                f"memory worst {s['worst_memory_ratio']:.2f}x native"
            )
        for target, met in summary["targets"].items():
            print(f"  {'met ' if met else 'MISS'} {target}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {path} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
