"""Speed page assets from the newest `benchmarks/results/*.json` of `scripts/bench.py`.

`speed-ratio.png`: time of each method divided by torch's native time, per problem and
dtype (log scale; left of 1 is faster than native). `speed-gflops.png`: GFLOP/s with
the GEMM peak measured in the same run. `tables/speed.{zh,en}.md`: the machine and
versions, the targets of the default method, and the full table.

Without a results file every asset still builds, with a placeholder saying how to make
one. `results_fingerprint` (stdlib only, cheap) names the newest file's content, so
the registry can put it in the cache key and a new benchmark rebuilds the assets.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

RESULTS = Path("benchmarks/results")
LANGUAGES = ("zh", "en")
COMMAND = "python scripts/bench.py"
COLORS = {
    "im2col": "#9a9a9a",
    "channels_last": "#1f77b4",
    "depthwise": "#2ca02c",
    "winograd": "#9467bd",
    "fft": "#d62728",
    "phase": "#8c564b",
    "auto": "#ff7f0e",
}

TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "none": f"还没有基准测试结果：请运行 `{COMMAND}`",
        "machine": "机器",
        "cores": "核",
        "threads": "线程",
        "load": "负载",
        "command": "命令",
        "date": "时间",
        "peak": "GEMM 峰值",
        "targets": "目标（默认方法 `{method}`，最短时间与原生之比）",
        "met": "达到",
        "missed": "未达到",
        "header": [
            "问题", "精度", "方法", "最短 ms", "中位 ms", "GFLOP/s", "× 原生",
            "峰值占比", "float32 误差", "峰值内存 MiB",
        ],
        "geomean": "几何平均",
        "worst": "最差",
    },
    "en": {
        "none": f"No benchmark results yet: run `{COMMAND}`",
        "machine": "Machine",
        "cores": "cores",
        "threads": "threads",
        "load": "load average",
        "command": "Command",
        "date": "Date",
        "peak": "GEMM peak",
        "targets": "Targets (default method `{method}`, min time / native min time)",
        "met": "met",
        "missed": "missed",
        "header": [
            "problem", "dtype", "method", "min ms", "median ms", "GFLOP/s", "× native",
            "of peak", "float32 error", "peak MiB",
        ],
        "geomean": "geometric mean",
        "worst": "worst",
    },
}  # fmt: skip


def newest_results_file(folder: Path = RESULTS) -> Path | None:
    """The most recently written `*.json` in `folder` (None if there is none)."""
    files = sorted(Path(folder).glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    return files[-1] if files else None


def results_fingerprint(folder: Path = RESULTS) -> str:
    """SHA-256 of the newest results file, or `"none"`: a cache-key parameter."""
    path = newest_results_file(folder)
    return "none" if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


def load_results(folder: Path = RESULTS) -> dict | None:
    path = newest_results_file(folder)
    return None if path is None else json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------ tables


def _row_cells(row: dict) -> list[str]:
    memory = "—" if row.get("memory_mib") is None else f"{row['memory_mib']:.1f}"
    error = f"{row['error']:.1e}" if row["dtype"] == "float32" else "—"
    return [
        row["problem"],
        row["dtype"],
        f"`{row['method']}`",
        f"{row['min_ms']:.2f}",
        f"{row['median_ms']:.2f}",
        f"{row['gflops']:.1f}",
        f"{row['ratio']:.2f}",
        f"{row['peak_fraction']:.2f}",
        error,
        memory,
    ]


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def speed_table(results: dict | None, lang: str) -> str:
    """Machine, targets and the full table, in `lang`; a placeholder without results."""
    t = TEXT[lang]
    if results is None:
        return f"!!! note\n\n    {t['none']}\n\n" + _markdown(t["header"], [["—"] * 10])
    m = results["machine"]
    peaks = ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in m["gemm_peak_gflops"].items())
    load = m.get("load_average")
    load_text = "—" if not load else ", ".join(f"{v:.1f}" for v in load)
    parts = [
        f"**{t['machine']}**: {m['cpu']}, {m['cores']} {t['cores']}, torch {m['torch']} "
        f"({m['torch_threads']} {t['threads']}), Python {m['python']}, numpy {m['numpy']}; "
        f"{t['peak']}: {peaks}; {t['load']}: {load_text}.  ",
        f"**{t['command']}**: `{results['command']}` · **{t['date']}**: {results['created']}",
        "",
    ]
    for summary in results["summary"][:1]:
        parts.append(f"**{t['targets'].format(method=summary['method'])}**:")
        parts.append("")
        for dtype in ("float32", "float64"):
            s = summary[dtype]
            parts.append(
                f"- {dtype}: {t['geomean']} {s['geomean_ratio']:.2f}×, {t['worst']} "
                f"{s['worst_ratio']:.2f}×"
            )
        for target, met in summary["targets"].items():
            parts.append(f"- {target}: {t['met'] if met else t['missed']}")
        parts.append("")
    parts.append(_markdown(t["header"], [_row_cells(r) for r in results["rows"]]))
    return "\n".join(parts)


# ----------------------------------------------------------------------------------- figures


def _placeholder_png() -> bytes:
    from ._render import figure_png, new_figure, style

    with style():
        fig = new_figure(6, 1.2)
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, f"$ {COMMAND}", ha="center", va="center", family="monospace")
        return figure_png(fig)


def _problems(rows: list[dict]) -> list[str]:
    seen: list[str] = []
    for r in rows:
        if r["problem"] not in seen:
            seen.append(r["problem"])
    return seen


def _bar_panels(results: dict, value: str, xlabel: str, log: bool) -> bytes:
    """One panel per dtype: per problem, one horizontal bar per method timed on it."""
    from ._render import figure_png, new_figure, style

    rows = results["rows"]
    problems = _problems(rows)
    with style():
        fig = new_figure(11, 0.6 * len(problems) + 1.4)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, dtype in zip(axes, ("float32", "float64")):
            for p, problem in enumerate(problems):
                mine = [r for r in rows if (r["problem"], r["dtype"]) == (problem, dtype)]
                bars = [r for r in mine if r["method"] in COLORS]
                height = 0.8 / max(1, len(bars))
                for i, r in enumerate(bars):
                    y = p + (i - (len(bars) - 1) / 2) * height
                    ax.barh(y, r[value], height=height, color=COLORS[r["method"]])
                native = [r[value] for r in mine if r["method"] == "native"]
                if value == "gflops" and native:
                    ax.plot([native[0]] * 2, [p - 0.45, p + 0.45], color="black", linewidth=2)
            if value == "ratio":
                ax.axvline(1.0, color="black", linewidth=1)
            else:
                peak = results["machine"]["gemm_peak_gflops"][dtype]
                ax.axvline(peak, color="black", linewidth=1, linestyle="--")
            if log:
                ax.set_xscale("log")
            ax.set_title(dtype)
            ax.set_xlabel(xlabel)
            ax.set_yticks(range(len(problems)), problems)
            ax.set_ylim(len(problems) - 0.5, -0.5)
            ax.grid(axis="x", alpha=0.3)
        from matplotlib.patches import Patch

        present = [m for m in COLORS if any(r["method"] == m for r in rows)]
        handles = [Patch(color=COLORS[m], label=m) for m in present]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
        return figure_png(fig)


def build_speed(results_digest: str = "", folder: str = str(RESULTS)) -> dict[str, bytes]:
    """`speed-ratio.png`, `speed-gflops.png` and `tables/speed.{zh,en}.md`.

    `results_digest` is unused here: it is in the registry so that the cache key
    changes with the newest results file.
    """
    results = load_results(Path(folder))
    files = {f"tables/speed.{lang}.md": speed_table(results, lang).encode() for lang in LANGUAGES}
    if results is None:
        placeholder = _placeholder_png()
        files["speed-ratio.png"] = placeholder
        files["speed-gflops.png"] = placeholder
        return files
    files["speed-ratio.png"] = _bar_panels(results, "ratio", "time / native time", log=True)
    files["speed-gflops.png"] = _bar_panels(results, "gflops", "GFLOP/s", log=False)
    return files
