"""The benchmark's bookkeeping and the speed page's assets (no timings here)."""

from __future__ import annotations

import importlib.util
import io
import json
import math
import sys
from pathlib import Path

import pytest

from convnotes.figures import benchmark

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench", module)
    spec.loader.exec_module(module)
    return module


def _rows(ratios: dict[tuple[str, str], float], transposed=("t",)) -> list[dict]:
    rows = []
    for (problem, dtype), ratio in ratios.items():
        for method, r, memory in (("native", 1.0, 10.0), ("auto", ratio, 10.0 * ratio)):
            rows.append(
                {"problem": problem, "dtype": dtype, "method": method,
                 "transposed": problem in transposed, "min_ms": r, "median_ms": r,
                 "gflops": 1.0 / r, "ratio": r, "peak_fraction": 0.5, "error": 1e-7,
                 "memory_mib": memory}
            )  # fmt: skip
    return rows


def test_summary_geomean_and_targets(bench):
    ratios = {("a", "float32"): 2.0, ("t", "float32"): 0.5, ("a", "float64"): 0.9,
              ("t", "float64"): 1.4}  # fmt: skip
    summary = bench.summarize(_rows(ratios), "auto")
    assert summary["float32"]["geomean_ratio"] == pytest.approx(math.sqrt(2.0 * 0.5))
    assert summary["float32"]["worst_ratio"] == 2.0
    assert summary["float64"]["transposed_worst_ratio"] == 1.4
    assert summary["float64"]["worst_memory_ratio"] == pytest.approx(1.4)
    targets = summary["targets"]
    assert targets["float32 geomean <= 1.3x"]  # sqrt(2 * 0.5) = 1
    assert targets["float32 transposed <= 1.5x"]  # 0.5
    assert targets["float64 geomean <= 1.0x"] == (math.sqrt(0.9 * 1.4) <= 1.0)


def test_network_summary_targets_and_check(bench):
    """Geomeans and worst cases over networks, and `--check`'s 15% rule."""
    rows = [
        {"network": name, "dtype": "float32",
         "forward": {"ratio": f}, "training": {"ratio": t},
         "memory": {"ours": 15.0, "native": 10.0}}
        for name, f, t in (("a", 1.2, 1.0), ("b", 1.2, 4.0))
    ]  # fmt: skip
    summary = bench.network_summary(rows)
    assert summary["float32"]["training"]["geomean_ratio"] == pytest.approx(2.0)
    assert summary["float32"]["training"]["worst_ratio"] == 4.0
    assert summary["targets"]["networks float32 forward geomean <= 1.3x"]
    assert not summary["targets"]["networks float32 training worst <= 2.5x"]
    assert summary["targets"]["networks training memory <= 1.5x native"]  # 1.5 exactly
    reference = {"summary": [], "networks": rows, "network_summary": summary}
    moved_rows = [dict(rows[0], training={"ratio": 1.1}), dict(rows[1], training={"ratio": 4.7})]
    now = {"summary": [], "networks": moved_rows, "network_summary": summary}
    assert bench.check(reference, now) == ["b float32 training: reference 4.00x, now 4.70x"]


def test_flops_count_every_tap_of_every_channel_pair(bench):
    """2 * outputs * (C_in/g * prod(k)): outputs from torch, not from our formula."""
    import torch
    import torch.nn.functional as F

    for problem in bench.SUITE[:5]:
        x = torch.zeros(problem.input_shape)
        w = torch.zeros(problem.weight_shape)
        out = getattr(F, f"conv{problem.ndim}d")(x, w, **problem.kwargs)
        assert problem.flops() == 2 * out.numel() * math.prod(problem.weight_shape[1:])


def test_methods_for_each_problem_take_their_own_path(bench):
    names = {p.name: bench.methods_for(p) for p in bench.SUITE}
    assert "depthwise" in names["conv2d g=64 8×64 56² k3"]
    assert "winograd" in names["conv2d 8×64→64 56² k3"]
    assert "fft" in names["conv2d 1×2→2 256² k31"]
    assert all("auto" in methods for methods in names.values())


def test_every_timed_method_has_a_colour_in_the_speed_figures(bench):
    """A method without a colour would silently drop out of the plots."""
    timed = {m for p in bench.SUITE for m in bench.methods_for(p)}
    assert timed <= set(benchmark.COLORS)


def test_speed_assets_without_results_show_how_to_make_them(tmp_path):
    files = benchmark.build_speed(folder=str(tmp_path))
    charts = {f"speed-{kind}-{lang}{dark}.png" for kind in ("ratio", "gflops")
              for lang in ("zh", "en") for dark in ("", ".dark")}  # fmt: skip
    tables = {f"tables/{name}.{lang}.md" for name in ("speed", "speed-networks")
              for lang in ("zh", "en")}  # fmt: skip
    assert set(files) == charts | tables
    for lang in ("zh", "en"):
        assert "python scripts/bench.py" in files[f"tables/speed.{lang}.md"].decode()
    assert all(files[name].startswith(b"\x89PNG") for name in charts)
    assert benchmark.results_fingerprint(tmp_path) == "none"


def test_speed_assets_from_the_newest_results(tmp_path, bench):
    from PIL import Image

    rows = _rows({("p1", "float32"): 1.2, ("p1", "float64"): 0.8})
    result = {
        "created": "2026-01-01T00:00:00+00:00",
        "command": "python scripts/bench.py --quick --out /tmp/scratch/run1",
        "machine": {"cpu": "CPU-X", "cores": 2, "torch_threads": 2, "python": "3", "torch": "T",
                    "numpy": "N", "gemm_peak_gflops": {"float32": 50.0, "float64": 25.0},
                    "load_average": [1.0, 1.0, 1.0]},
        "rows": rows, "summary": [bench.summarize(rows, "auto")],
    }  # fmt: skip
    (tmp_path / "old.json").write_text("{}")
    newest = tmp_path / "new.json"
    newest.write_text(json.dumps(result))
    import os

    os.utime(tmp_path / "old.json", (1, 1))
    assert benchmark.newest_results_file(tmp_path) == newest
    files = benchmark.build_speed(folder=str(tmp_path))
    for lang in ("zh", "en"):
        table = files[f"tables/speed.{lang}.md"].decode()
        assert "CPU-X" in table and "p1" in table and "torch T" in table
        assert table.count("| p1 |") == 4  # native + auto, two dtypes
        assert "`python scripts/bench.py --quick`" in table and "/tmp" not in table
        # every target line in the page's language, none in the script's own words
        assert "<=" not in table
    assert "几何平均 ≤ 原生的 1.3 倍" in files["tables/speed.zh.md"].decode()
    assert "geometric mean ≤ 1.3× native" in files["tables/speed.en.md"].decode()
    for lang in ("zh", "en"):
        with Image.open(io.BytesIO(files[f"speed-ratio-{lang}.png"])) as image:
            assert image.width > 400
    assert benchmark.results_fingerprint(tmp_path) != "none"


def test_rounds_for_a_time_budget(bench):
    """A slow problem keeps the given rounds; a quick one gets enough rounds to fill the
    budget, never more than the cap."""
    assert bench.rounds_for(0.5, 20, 2.0) == 20  # 20 rounds already take 10 s
    assert bench.rounds_for(0.006, 20, 2.0) == math.ceil(2.0 / 0.006)  # 334 rounds of 6 ms
    assert bench.rounds_for(1e-6, 20, 2.0, cap=500) == 500
    assert bench.rounds_for(0.0, 3, 0.2, cap=50) == 50  # a clock too coarse to see a round
    assert bench.rounds_for(0.006, 20, 0.0) == 20  # no budget: the given count


def test_time_interleaved_round_robin_with_the_given_clock(bench):
    """Every round calls each function once, rounds in varying orders, and each time is the
    clock's difference around the call."""
    ticks = iter(range(0, 1000, 1))
    order = []
    calls = {name: (lambda name=name: order.append(name)) for name in "abc"}
    times = bench.time_interleaved(calls, rounds=8, warm_up=True, clock=lambda: next(ticks) ** 2)
    assert order[:3] == ["a", "b", "c"]  # the warm-up, in the given order
    rounds = [order[3 + 3 * r : 6 + 3 * r] for r in range(8)]
    assert all(sorted(one) == ["a", "b", "c"] for one in rounds)
    assert len({tuple(one) for one in rounds}) > 1  # not always the same order
    # clock readings t^2 at t = 0, 1, 2, ...: the k-th timed call spans (2k)^2 .. (2k + 1)^2
    for name in "abc":
        spots = [k for k, called in enumerate(order[3:]) if called == name]
        assert times[name] == [(2 * k + 1) ** 2 - (2 * k) ** 2 for k in spots]
    assert bench.CLOCKS["cpu"] is __import__("time").process_time


def test_every_target_the_benchmark_records_has_wording_in_both_languages(bench):
    rows = _rows({("p1", "float32"): 1.2, ("p1", "float64"): 0.8})
    targets = bench.summarize(rows, "auto")["targets"]
    for target in targets:
        zh, en = benchmark.target_text(target, "zh"), benchmark.target_text(target, "en")
        bound = target.split("<= ")[1].split("x")[0]
        assert bound in zh and bound in en and "<=" not in zh + en
    with pytest.raises(ValueError, match="no zh wording"):
        benchmark.target_text("float16 geomean <= 2x", "zh")


def test_public_command_drops_the_output_folder():
    assert benchmark.public_command("python scripts/bench.py --out /tmp/s/x --quick") == (
        "python scripts/bench.py --quick"
    )
    assert benchmark.public_command("python scripts/bench.py --out=/tmp/y") == (
        "python scripts/bench.py"
    )


def test_networks_table_in_both_languages(bench):
    rows = [
        {"network": "Net-A", "dtype": "float32",
         "forward": {"ratio": 1.2, "ours_ms": 12.0, "native_ms": 10.0},
         "training": {"ratio": 2.0, "ours_ms": 40.0, "native_ms": 20.0},
         "memory": {"ours": 30.0, "native": 20.0}},
    ]  # fmt: skip
    results = {"networks": rows, "network_summary": bench.network_summary(rows),
               "costly_layers": {"Net-A": [{"call": "Conv2d(1, 2, 3)", "ours_ms": 3.0,
                                            "native_ms": 1.0, "ratio": 3.0}]}}  # fmt: skip
    for lang, words in (("zh", "整网 float32 训练最差 ≤ 原生的 2.5 倍"),
                        ("en", "networks, float32 training worst ≤ 2.5× native")):  # fmt: skip
        table = benchmark.networks_table(results, lang)
        assert "| Net-A | float32 | 12.0 / 10.0 | 1.20 | 40.0 / 20.0 | 2.00 | 30 / 20 |" in table
        assert words in table and "<=" not in table
        assert "`Conv2d(1, 2, 3)` +2.0 ms (3.00×)" in table
    assert "--suite networks" in benchmark.networks_table(None, "en")
