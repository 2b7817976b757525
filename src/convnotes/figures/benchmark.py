"""Speed page assets from the newest `benchmarks/results/*.json` of `scripts/bench.py`.

`speed-ratio-{zh,en}.png`: time of each method divided by torch's native time, per problem and
dtype (log scale; left of 1 is faster than native). `speed-gflops-{zh,en}.png`: GFLOP/s with
the GEMM peak measured in the same run. `tables/speed.{zh,en}.md`: the machine and
versions, the targets of the default method, and the full table.
`tables/speed-networks.{zh,en}.md`: whole networks, forward and training, their targets
and the costliest layers.

Without a results file every asset still builds, with a placeholder saying how to make
one. `results_fingerprint` (stdlib only, cheap) names the newest file's content, so
the registry can put it in the cache key and a new benchmark rebuilds the assets.
"""

from __future__ import annotations

import hashlib
import json
import re
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

# The targets scripts/bench.py records, as "<subject> <= <bound>x[ <qualifier>]", in words.
TARGET_PATTERN = re.compile(
    r"(?P<subject>networks float32 training geomean|networks float32 training worst"
    r"|networks float32 forward geomean|networks training memory|networks float64 worst"
    r"|float32 geomean|float32 worst|float32 transposed|float64 geomean|transposed|memory)"
    r" <= (?P<bound>[\d.]+)x(?: (?P<qualifier>\(both\)|native))?"
)
TARGET_TEXT = {
    "zh": {
        "float32 geomean": "单层 float32 几何平均 ≤ 原生的 {bound} 倍",
        "float32 worst": "单层 float32 最差 ≤ 原生的 {bound} 倍",
        "float32 transposed": "单层 float32 转置卷积最差 ≤ 原生的 {bound} 倍",
        "float64 geomean": "单层 float64 几何平均 ≤ 原生的 {bound} 倍",
        "transposed": "转置卷积（两种精度）≤ 原生的 {bound} 倍",
        "memory": "单层峰值内存 ≤ 原生的 {bound} 倍",
        "networks float32 training geomean": "整网 float32 训练几何平均 ≤ 原生的 {bound} 倍",
        "networks float32 training worst": "整网 float32 训练最差 ≤ 原生的 {bound} 倍",
        "networks float32 forward geomean": "整网 float32 前向几何平均 ≤ 原生的 {bound} 倍",
        "networks training memory": "整网训练峰值内存 ≤ 原生的 {bound} 倍",
        "networks float64 worst": "整网 float64 每个网络 ≤ 原生的 {bound} 倍",
    },
    "en": {
        "float32 geomean": "single layers, float32 geometric mean ≤ {bound}× native",
        "float32 worst": "single layers, float32 worst ≤ {bound}× native",
        "float32 transposed": "single layers, float32 transposed worst ≤ {bound}× native",
        "float64 geomean": "single layers, float64 geometric mean ≤ {bound}× native",
        "transposed": "transposed convolutions (both dtypes) ≤ {bound}× native",
        "memory": "single layers, peak memory ≤ {bound}× native",
        "networks float32 training geomean": "networks, float32 training geometric mean "
        "≤ {bound}× native",
        "networks float32 training worst": "networks, float32 training worst ≤ {bound}× native",
        "networks float32 forward geomean": "networks, float32 forward geometric mean "
        "≤ {bound}× native",
        "networks training memory": "networks, training peak memory ≤ {bound}× native",
        "networks float64 worst": "networks, float64: every network ≤ {bound}× native",
    },
}


def target_text(target: str, lang: str) -> str:
    """A target recorded by `scripts/bench.py` (`"float32 worst <= 3x"`) in `lang`."""
    match = TARGET_PATTERN.fullmatch(target)
    if match is None:
        raise ValueError(f"benchmark target {target!r} has no {lang} wording in TARGET_TEXT")
    return TARGET_TEXT[lang][match["subject"]].format(bound=match["bound"])


def public_command(command: str) -> str:
    """The benchmark's command line without `--out FOLDER`, which names the machine's
    scratch folder and means nothing to a reader (the default folder is used here)."""
    words = command.split()
    kept, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word == "--out":
            skip = True
        elif not word.startswith("--out="):
            kept.append(word)
    return " ".join(kept)


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
        f"**{t['command']}**: `{public_command(results['command'])}` · "
        f"**{t['date']}**: {results['created']}",
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
            parts.append(f"- {target_text(target, lang)}: {t['met'] if met else t['missed']}")
        parts.append("")
    parts.append(_markdown(t["header"], [_row_cells(r) for r in results["rows"]]))
    return "\n".join(parts)


NETWORK_TEXT = {
    "zh": {
        "none": "这次运行没有整网结果：请运行 `python scripts/bench.py --suite networks`",
        "header": [
            "网络", "精度", "前向 ms（我们 / 原生）", "前向 ×", "训练一步 ms（我们 / 原生）",
            "训练 ×", "训练峰值内存 MiB（我们 / 原生）",
        ],
        "targets": "整网目标（最短时间之比）",
        "summary": "{dtype}：前向几何平均 {fg:.2f}×（最差 {fw:.2f}×），训练几何平均 "
        "{tg:.2f}×（最差 {tw:.2f}×）",
        "layers": "各网络中代价最大的卷积层（单独计时，前向 + 反向，我们减原生）",
    },
    "en": {
        "none": "This run has no network results: run `python scripts/bench.py --suite networks`",
        "header": [
            "network", "dtype", "forward ms (ours / native)", "forward ×",
            "training step ms (ours / native)", "training ×",
            "training peak MiB (ours / native)",
        ],
        "targets": "Network targets (ratio of minimum times)",
        "summary": "{dtype}: forward geometric mean {fg:.2f}× (worst {fw:.2f}×), training "
        "geometric mean {tg:.2f}× (worst {tw:.2f}×)",
        "layers": "The costliest conv layers of each network (timed alone, forward + backward, "
        "ours minus native)",
    },
}  # fmt: skip


def networks_table(results: dict | None, lang: str) -> str:
    """The whole-network table, its targets and the costliest layers, in `lang`."""
    t: dict[str, Any] = NETWORK_TEXT[lang]
    done = TEXT[lang]
    rows = (results or {}).get("networks") or []
    if not rows:
        return f"!!! note\n\n    {t['none']}\n"
    cells = []
    for r in rows:
        memory = r.get("memory") or {}
        mib = (
            f"{memory['ours']:.0f} / {memory['native']:.0f}"
            if memory.get("ours") is not None and memory.get("native") is not None
            else "—"
        )
        f, tr = r["forward"], r["training"]
        cells.append([
            r["network"], r["dtype"], f"{f['ours_ms']:.1f} / {f['native_ms']:.1f}",
            f"{f['ratio']:.2f}", f"{tr['ours_ms']:.1f} / {tr['native_ms']:.1f}",
            f"{tr['ratio']:.2f}", mib,
        ])  # fmt: skip
    parts = [_markdown(t["header"], cells), "", f"**{t['targets']}**:", ""]
    summary = results.get("network_summary", {}) if results else {}
    for dtype in ("float32", "float64"):
        if dtype in summary:
            d = summary[dtype]
            parts.append("- " + t["summary"].format(
                dtype=dtype, fg=d["forward"]["geomean_ratio"], fw=d["forward"]["worst_ratio"],
                tg=d["training"]["geomean_ratio"], tw=d["training"]["worst_ratio"],
            ))  # fmt: skip
    for target, met in summary.get("targets", {}).items():
        parts.append(f"- {target_text(target, lang)}: {done['met'] if met else done['missed']}")
    layers = results.get("costly_layers", {}) if results else {}
    if layers:
        parts += ["", f"**{t['layers']}**:", ""]
        for network, found in layers.items():
            items = "; ".join(
                f"`{layer['call']}` {layer['ours_ms'] - layer['native_ms']:+.1f} ms "
                f"({layer['ratio']:.2f}×)"
                for layer in found[:3]
            )
            parts.append(f"- {network}: {items}")
    return "\n".join(parts) + "\n"


# ----------------------------------------------------------------------------------- figures


CHART = {
    "zh": {
        "ratio": "时间 / PyTorch 原生时间（对数坐标）",
        "gflops": "GFLOP/s",
        "none": "还没有基准测试结果：",
    },
    "en": {
        "ratio": "time / PyTorch native time (log scale)",
        "gflops": "GFLOP/s",
        "none": "No benchmark results yet:",
    },
}
# Chinese labels need a CJK font: matplotlib falls back to it glyph by glyph after DejaVu Sans.
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC")


def _font_family(lang: str) -> list[str]:
    """DejaVu Sans, plus an installed CJK font for Chinese (a clear error if none is)."""
    if lang != "zh":
        return ["DejaVu Sans"]
    from matplotlib import font_manager

    for name in CJK_FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
        except ValueError:
            continue
        return ["DejaVu Sans", name]
    raise RuntimeError(
        f"the Chinese speed charts need a CJK font, one of {', '.join(CJK_FONTS)}: "
        "install it (Debian: apt-get install fonts-noto-cjk)"
    )


def _placeholder(lang: str) -> dict[str, bytes]:
    from ._render import new_figure, style

    with style():
        fig = new_figure(4.2, 1.0)
        fig.get_layout_engine().set(rect=(0, 0, 1, 1))
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.7, CHART[lang]["none"], ha="center", va="center", family=_font_family(lang))
        ax.text(0.5, 0.25, COMMAND, ha="center", va="center", family="monospace")
        return _light_and_dark(fig, lang)


def _light_and_dark(fig, lang: str, stem: str = "speed") -> dict[str, bytes]:
    from ._render import figure_pngs

    # "-zh", not ".zh": mkdocs-static-i18n would take "NAME.zh.png" for a per-language file.
    return figure_pngs(fig, f"{stem}-{lang}")


def _problems(rows: list[dict]) -> list[str]:
    seen: list[str] = []
    for r in rows:
        if r["problem"] not in seen:
            seen.append(r["problem"])
    return seen


def _bar_panels(results: dict, value: str, lang: str, stem: str) -> dict[str, bytes]:
    """One panel per dtype, stacked so that the chart stays narrow enough for a phone: per
    problem, one horizontal bar per method timed on it; light and dark PNGs."""
    from ._render import new_figure, style

    rows = results["rows"]
    problems = _problems(rows)
    with style(), _rc({"font.family": _font_family(lang), "font.size": 10}):
        fig = new_figure(6.4, 2 * (0.42 * len(problems) + 0.9) + 0.9)
        axes = fig.subplots(2, 1, sharex=True)
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
                ax.set_xscale("log")
            else:
                peak = results["machine"]["gemm_peak_gflops"][dtype]
                ax.axvline(peak, color="black", linewidth=1, linestyle="--")
            ax.set_title(dtype, loc="left")
            ax.set_yticks(range(len(problems)), [_short(p) for p in problems])
            ax.set_ylim(len(problems) - 0.5, -0.5)
            ax.grid(axis="x", alpha=0.3)
        axes[-1].set_xlabel(CHART[lang][value])
        from matplotlib.patches import Patch

        present = [m for m in COLORS if any(r["method"] == m for r in rows)]
        handles = [Patch(color=COLORS[m], label=m) for m in present]
        fig.legend(handles=handles, loc="outside lower center", ncol=4)
        return _light_and_dark(fig, lang, stem)


def _short(problem: str) -> str:
    """A problem label on two lines (operation, then sizes), so the chart stays narrow."""
    op, _, rest = problem.partition(" ")
    return f"{op}\n{rest}"


def _rc(settings: dict):
    import matplotlib

    return matplotlib.rc_context(settings)


def build_speed(results_digest: str = "", folder: str = str(RESULTS)) -> dict[str, bytes]:
    """`speed-ratio-{lang}.png`, `speed-gflops-{lang}.png` (each with a `.dark.png`
    variant), `tables/speed.{lang}.md` and `tables/speed-networks.{lang}.md`, for each
    language.

    `results_digest` is unused here: it is in the registry so that the cache key
    changes with the newest results file.
    """
    results = load_results(Path(folder))
    files = {f"tables/speed.{lang}.md": speed_table(results, lang).encode() for lang in LANGUAGES}
    for lang in LANGUAGES:
        files[f"tables/speed-networks.{lang}.md"] = networks_table(results, lang).encode()
    for lang in LANGUAGES:
        if results is None:
            for stem in ("speed-ratio", "speed-gflops"):
                for name, data in _placeholder(lang).items():
                    files[name.replace("speed", stem, 1)] = data
            continue
        files.update(_bar_panels(results, "ratio", lang, "speed-ratio"))
        files.update(_bar_panels(results, "gflops", lang, "speed-gflops"))
    return files
