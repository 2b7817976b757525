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
REFERENCE = RESULTS / "reference.json"
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
            tuple(size), k, self.kwargs.get("stride", 1), self.kwargs.get("padding", 0),
            self.kwargs.get("dilation", 1),
        )  # fmt: skip
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
    # layers of the networks suite that the ones above miss
    Problem("conv2d 4×512→512 4² k3", (4, 512, 4, 4), (512, 512, 3, 3), {"padding": 1}),
    Problem(
        "conv2d g=576 4×576 7² k3", (4, 576, 7, 7), (576, 1, 3, 3), {"padding": 1, "groups": 576}
    ),
    Problem(
        "conv1d 8×64→64 L1024 k7 d8", (8, 64, 1024), (64, 64, 7), {"padding": 48, "dilation": 8}
    ),
    Problem(
        "conv_transpose2d 1×256→128 32²→64² k3 s2 op1",
        (1, 256, 32, 32),
        (256, 128, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
        transposed=True,
    ),
)


def methods_for(problem: Problem) -> list[str]:
    """The convnotes methods worth timing on ``problem``: those that take their own path
    for it, as each method's module says (``applies`` and friends), then ``auto``."""
    import torch

    from convnotes.functional import _args, auto, depthwise, phase, winograd

    x = torch.empty(problem.input_shape, device="meta")
    w = torch.empty(problem.weight_shape, device="meta")
    kw = problem.kwargs
    if problem.transposed:
        spec = _args.prepare_conv_transpose(
            problem.ndim, x, w, None, kw.get("stride", 1), kw.get("padding", 0),
            kw.get("output_padding", 0), kw.get("groups", 1), kw.get("dilation", 1),
        ).spec  # fmt: skip
        methods = ["im2col", "channels_last"]
        if phase.applies_transposed(spec):
            methods.append("phase")
        if kw.get("groups", 1) == problem.input_shape[1] > 1:
            methods.append("depthwise")
        return [*methods, "auto"]
    spec = _args.prepare_conv(
        problem.ndim, x, w, None, kw.get("stride", 1), kw.get("padding", 0),
        kw.get("dilation", 1), kw.get("groups", 1),
    ).spec  # fmt: skip
    methods = ["channels_last"]
    # im2col's columns hold prod(k) copies of the input: ~1000x for the 31x31 kernel
    if math.prod(spec.kernel_size) < auto.FFT_MIN_TAPS:
        methods.insert(0, "im2col")
    if depthwise.is_depthwise(x, w, spec.groups):
        methods.append("depthwise")
    elif phase.as_transposed(spec) is not None:
        methods.append("phase")
    if winograd.applies(x, spec):
        methods.append("winograd")
    if auto.uses_fft(x, w, spec):
        methods.append("fft")
    return [*methods, "auto"]


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
        "float32 geomean <= 1.3x": f32["geomean_ratio"] <= 1.3,
        "float32 transposed <= 1.5x": f32["transposed_worst_ratio"] <= 1.5,
        "float64 geomean <= 1.0x": f64["geomean_ratio"] <= 1.0,
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


def add_memory(rows: list[dict], only: str | None, threads: int, suite: str) -> dict:
    """Fill ``memory_mib`` from a child process with large blocks ``mmap``-ed (Linux);
    returns everything the child measured (networks too)."""
    if not sys.platform.startswith("linux"):
        return {}
    import subprocess

    env = dict(os.environ, **{MMAP_ENV: "65536", "MALLOC_TRIM_THRESHOLD_": "0"})
    command = [sys.executable, __file__, "--memory-child", "--threads", str(threads)]
    command += ["--suite", suite]
    if only is not None:
        command += ["--only", only]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    memory = json.loads(done.stdout.strip().splitlines()[-1])
    for row in rows:
        row["memory_mib"] = memory[f"{row['problem']}|torch.{row['dtype']}"][row["method"]]
    return memory


def load_average() -> list[float] | None:
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


# An idle machine: the 1-minute load average below this many runnable processes per core.
IDLE_LOAD_PER_CORE = 0.25


def network_summary(rows: list[dict]) -> dict:
    """The issue's targets over the networks (min-time ratios to native)."""
    out: dict = {}
    for dtype in ("float32", "float64"):
        mine = [r for r in rows if r["dtype"] == dtype]
        if not mine:
            continue
        out[dtype] = {
            mode: {
                "geomean_ratio": geometric_mean([r[mode]["ratio"] for r in mine]),
                "worst_ratio": max(r[mode]["ratio"] for r in mine),
            }
            for mode in ("forward", "training")
        }
        memory = [
            r["memory"]["ours"] / r["memory"]["native"]
            for r in mine
            if r.get("memory") and r["memory"]["native"]
        ]
        out[dtype]["worst_memory_ratio"] = max(memory, default=float("nan"))
    targets = {}
    if "float32" in out:
        f32 = out["float32"]
        targets["networks float32 training geomean <= 1.5x"] = (
            f32["training"]["geomean_ratio"] <= 1.5
        )
        targets["networks float32 training worst <= 2.5x"] = f32["training"]["worst_ratio"] <= 2.5
        targets["networks float32 forward geomean <= 1.3x"] = f32["forward"]["geomean_ratio"] <= 1.3
        targets["networks training memory <= 1.5x native"] = f32["worst_memory_ratio"] <= 1.5
    if "float64" in out:
        worst = max(out["float64"][m]["worst_ratio"] for m in ("forward", "training"))
        targets["networks float64 worst <= 1.0x"] = worst <= 1.0
    out["targets"] = targets
    return out


def headline(result: dict) -> dict[str, float]:
    """The figures the speed page states, by name: what `--check` compares."""
    figures = {}
    for dtype in ("float32", "float64"):
        summary = result["summary"][0].get(dtype) if result.get("summary") else None
        if summary:
            figures[f"layers {dtype} geomean"] = summary["geomean_ratio"]
        nets = result.get("network_summary", {}).get(dtype)
        if nets:
            for mode in ("forward", "training"):
                figures[f"networks {dtype} {mode} geomean"] = nets[mode]["geomean_ratio"]
    for row in result.get("networks", []):
        figures[f"{row['network']} {row['dtype']} training"] = row["training"]["ratio"]
    return figures


def check(reference: dict, now: dict, tolerance: float = 0.15) -> list[str]:
    """Headline figures of `reference` that `now` does not reproduce within `tolerance`."""
    ref, new = headline(reference), headline(now)
    return [
        f"{name}: reference {ref[name]:.2f}x, now {new[name]:.2f}x"
        for name in ref
        if name in new and abs(new[name] / ref[name] - 1) > tolerance
    ]


def run_networks(torch, args, dtypes, rounds, min_seconds, clock) -> tuple[list, dict]:
    """Whole-network rows for every dtype, and the costliest layers (float32)."""
    import bench_networks

    nets = [n for n in bench_networks.NETWORKS if args.only is None or args.only in n.name]
    rows, layers = [], {}
    for dtype in dtypes:
        for network in nets:
            row = bench_networks.run_network(
                torch, network, dtype, time_interleaved, clock, rounds, min_seconds, rounds_for
            )
            rows.append(row)
            print(
                f"{network.name:24} {row['dtype']:7} forward {row['forward']['ratio']:5.2f}x "
                f"({row['forward']['ours_ms']:.1f} vs {row['forward']['native_ms']:.1f} ms), "
                f"training {row['training']['ratio']:5.2f}x "
                f"({row['training']['ours_ms']:.1f} vs {row['training']['native_ms']:.1f} ms)",
                flush=True,
            )
            if dtype == torch.float32 and not args.quick:
                native, ours, x = bench_networks.network_models(torch, network, dtype)
                found = bench_networks.layer_rows(
                    torch, native, ours, x, time_interleaved, clock, max(3, rounds // 2)
                )
                found.sort(key=lambda r: r["native_ms"] - r["ours_ms"])
                layers[network.name] = found[:5]
    return rows, layers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 timed rounds instead of 20")
    parser.add_argument("--rounds", type=int, help="timed rounds per method (overrides)")
    parser.add_argument(
        "--min-seconds",
        type=float,
        help="more rounds for a problem whose rounds take less (default 2, --quick 0.2)",
    )
    parser.add_argument(
        "--suite", choices=("all", "layers", "networks"), default="all", help="what to time"
    )
    parser.add_argument("--only", help="run problems/networks whose name contains this text")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    parser.add_argument("--threads", type=int, help="torch threads (default: every core)")
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="wall time or CPU time"
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help=f"write {REFERENCE.name} (refused unless the machine is idle before and after)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"rerun quickly and report headline figures of {REFERENCE.name} that moved > 15%%",
    )
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        args.quick = True

    import torch
    import torch.nn.functional as F

    import convnotes.functional as CF

    threads = args.threads or os.cpu_count() or 1
    cores = os.cpu_count() or 1
    torch.set_num_threads(threads)
    layers_on = args.suite in ("all", "layers")
    networks_on = args.suite in ("all", "networks")
    suite = [p for p in SUITE if layers_on and (args.only is None or args.only in p.name)]
    dtypes = (torch.float32, torch.float64)
    if args.memory_child:
        memory = {
            f"{p.name}|{dtype}": problem_memory(torch, F, CF, p, dtype)
            for dtype in dtypes
            for p in suite
        }
        if networks_on:
            import bench_networks

            for network in bench_networks.NETWORKS:
                if args.only is None or args.only in network.name:
                    memory[f"network {network.name}"] = bench_networks.network_memory(
                        torch, network, torch.float32, peak_memory_mib
                    )
        print(json.dumps(memory))
        return 0
    load_before = load_average()
    if args.reference and load_before and load_before[0] > IDLE_LOAD_PER_CORE * cores:
        print(f"not idle (load average {load_before}): no reference taken", file=sys.stderr)
        return 1
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
    network_rows, costly_layers = [], {}
    if networks_on:
        network_rounds = args.rounds or (3 if args.quick else 10)
        network_rows, costly_layers = run_networks(
            torch, args, dtypes, network_rounds, min_seconds / 2, clock
        )
    memory = add_memory(rows, args.only, threads, args.suite)
    for row in network_rows:
        float32 = row["dtype"] == "float32"
        row["memory"] = memory.get(f"network {row['network']}") if float32 else None
    load_after = load_average()
    info = machine(torch, threads, peaks)
    info["clock"] = args.clock
    info["load_average"] = load_before
    info["load_average_after"] = load_after
    result = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python", "scripts/bench.py", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "rounds": rounds,
        "min_seconds": min_seconds,
        "default_method": CF.DEFAULT_METHOD,
        "machine": info,
        "rows": rows,
        "summary": [summarize(rows, m) for m in (DEFAULT_CANDIDATE, "im2col")] if rows else [],
        "networks": network_rows,
        "network_summary": network_summary(network_rows) if network_rows else {},
        "costly_layers": costly_layers,
        "seconds": time.perf_counter() - started,
    }
    print()
    print(
        f"{info['cpu']}, {info['cores']} cores, torch {info['torch']} on "
        f"{threads} threads, {args.clock} clock, at least {rounds} rounds and "
        f"{min_seconds:g} s per problem, load average {load_before} before, {load_after} after"
    )
    if rows:
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
    if network_rows:
        print("\nnetworks:")
        summary = result["network_summary"]
        for dtype in ("float32", "float64"):
            if dtype in summary:
                d = summary[dtype]
                print(
                    f"  {dtype}: forward geomean {d['forward']['geomean_ratio']:.2f}x "
                    f"(worst {d['forward']['worst_ratio']:.2f}x), training geomean "
                    f"{d['training']['geomean_ratio']:.2f}x "
                    f"(worst {d['training']['worst_ratio']:.2f}x), "
                    f"memory worst {d['worst_memory_ratio']:.2f}x"
                )
        for target, met in summary["targets"].items():
            print(f"  {'met ' if met else 'MISS'} {target}")
        for network, found in costly_layers.items():
            print(f"  {network}: costliest layers (forward + backward, ours - native)")
            for layer in found[:3]:
                print(
                    f"    {layer['ours_ms'] - layer['native_ms']:+7.2f} ms "
                    f"({layer['ratio']:.2f}x) {layer['call']}"
                )
    if args.check:
        reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
        moved = check(reference, result)
        for line in moved:
            print(f"MOVED {line}")
        print(f"\n{len(moved)} headline figure(s) moved more than 15% from {REFERENCE.name}")
        return 1 if moved else 0
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    if args.reference:
        if load_after and load_after[0] > (IDLE_LOAD_PER_CORE + 1) * cores:
            print(f"busy at the end (load {load_after}): no reference taken", file=sys.stderr)
            return 1
        path = REFERENCE
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {path} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
