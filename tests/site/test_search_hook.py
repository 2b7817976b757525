"""hooks/search.py and hooks/page_assets.py without a site build (test_build and
test_search_browser check the built site)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"convnotes_{name}_hook", ROOT / "hooks" / name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


search = _load("search.py")
page_assets = _load("page_assets.py")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"k \times k", "k × k"),
        (r"0 \le t - j s &lt; k", "0 ≤ t - j s &lt; k"),
        (r"\left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1", "⌊ (i + 2p - k)/(s) ⌋ + 1"),
        (r"S = s_1 s_2, \quad r^2", "S = s₁ s₂, r²"),
        (r"y = C^\top x", "y = Cᵀ x"),
        (r"\mathbf{C}\, x", "C x"),
        (r"x^{n-1} + x^{k+p}", "xⁿ⁻¹ + x^(k+p)"),
    ],
)
def test_tex_becomes_plain_text(tex: str, text: str) -> None:
    assert search.tex_to_text(tex) == text


def test_clean_text_leaves_code_alone() -> None:
    html = r"<p>size \(o\)</p> <pre><code>re.compile(r'\(x\)')</code></pre> <code>\(y\)</code>"
    assert search.clean_text(html) == (
        r"<p>size o</p> <pre><code>re.compile(r'\(x\)')</code></pre> <code>\(y\)</code>"
    )


def test_nav_fields_mark_title_words_and_favour_short_titles() -> None:
    short = search.nav_fields("卷积")
    long = search.nav_fields("卷积可视化")
    mark = search.NAV_MARK
    assert set(short["nav"].split()) == {"卷积" + mark}
    assert set(long["nav"].split()) == {"卷积可视化" + mark}
    assert len(short["nav"].split()) > len(long["nav"].split())
    assert short["nav_prefix"] == "卷" and long["nav_prefix"] == "卷积可视"
    english = search.nav_fields('Why "transposed"')
    assert set(english["nav"].split()) == {"Why" + mark, "transposed" + mark}
    assert english["nav_prefix"] == ""


def test_split_index_partitions_by_language_and_cleans() -> None:
    index = {
        "config": {"lang": ["zh"], "separator": "[\\s]+", "pipeline": [], "fields": {}},
        "docs": [
            {"location": "", "title": "首页", "text": r"\(k\)"},
            {"location": "transposed/", "title": "转置卷积", "text": ""},
            {"location": "en/transposed/", "title": "Transposed", "text": ""},
            {"location": "en/transposed/#stride", "title": "Stride", "text": r"\(s \ge 1\)"},
        ],
    }
    titles = {"transposed/": "转置卷积", "en/transposed/": "Transposed convolution"}
    parts = search.split_index(index, {"zh": "", "en": "en/"}, titles)
    assert [d["location"] for d in parts["zh"]["docs"]] == ["", "transposed/"]
    assert [d["location"] for d in parts["en"]["docs"]] == [
        "en/transposed/",
        "en/transposed/#stride",
    ]
    assert parts["zh"]["docs"][0]["text"] == "k" and parts["en"]["docs"][1]["text"] == "s ≥ 1"
    assert "nav" in parts["en"]["docs"][0] and "nav" not in parts["en"]["docs"][1]
    assert parts["en"]["config"]["lang"] == ["en"] and "zh" in parts["zh"]["config"]["lang"]
    assert index["docs"][0]["text"] == r"\(k\)", "the input index was modified"


def test_index_url_is_relative_to_the_page() -> None:
    assert search.index_url("en/tools/calculator/", "en/") == "../../search/search_index.json"
    assert search.index_url("", "") == "search/search_index.json"


def test_pages_keep_only_the_content_assets_they_use() -> None:
    entries = [
        "javascripts/vendor/katex/katex.min.js",
        "javascripts/shapes.js",
        "javascripts/calculator.js",
        "javascripts/visualizer.js",
        "javascripts/other.js",
    ]
    calculator = page_assets.needed(entries, '<div data-convnotes="calculator"></div>')
    assert calculator == ["javascripts/shapes.js", "javascripts/calculator.js", entries[-1]]
    math = page_assets.needed(entries, '<span class="arithmatex">\\(x\\)</span>')
    assert math == [entries[0], entries[-1]]
    assert page_assets.needed(entries, "<p>plain</p>") == [entries[-1]]
