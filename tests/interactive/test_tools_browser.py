"""The tool pages in Chromium: typed values give convnotes.shapes' answers, bad values an
inline error, the URL carries the state, the visualizer's highlights are the nonzero
pattern of the unrolled matrix C (convnotes.conv_matrix), in both languages."""

from __future__ import annotations

import io
import itertools
import random
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
import torch

from convnotes import design, shapes
from convnotes.explain import (
    explain_conv_output_size,
    explain_conv_transpose_output_size,
    explain_output_padding_for,
)
from convnotes.layers import parse_layers
from convnotes.matrix import conv_matrix

from .jsbridge import blamed_parameter, verdict_of

pytestmark = pytest.mark.browser

LANGS = {"zh": "", "en": "en/"}
SHOTS = Path("/tmp/shots-interactive")


def calculator(base: str, lang: str, **query) -> str:
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{base}{LANGS[lang]}tools/calculator/{suffix}"


def visualizer(base: str, lang: str, **query) -> str:
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{base}{LANGS[lang]}tools/visualizer/{suffix}"


def fill_per_dim(page, key: str, values: list[int]) -> None:
    for j, value in enumerate(values):
        page.fill(f'[data-field="{key}{j}"]', str(value))


def random_config(rng: random.Random, transposed: bool) -> dict:
    ndim = rng.choice([1, 2, 3])
    config = {
        "ndim": ndim,
        "i": [rng.randint(1, 20) for _ in range(ndim)],
        "k": [rng.randint(1, 5) for _ in range(ndim)],
        "s": [rng.randint(1, 3) for _ in range(ndim)],
        "p": [rng.randint(0, 3) for _ in range(ndim)],
        "d": [rng.randint(1, 2) for _ in range(ndim)],
    }
    if transposed:
        config["a"] = [rng.randint(0, 2) for _ in range(ndim)]
    return config


def python_shape(config: dict, transposed: bool):
    args = dict(
        input_size=config["i"],
        kernel_size=config["k"],
        stride=config["s"],
        padding=config["p"],
        dilation=config["d"],
    )
    try:
        if transposed:
            return list(shapes.conv_transpose_output_size(**args, output_padding=config["a"]))
        return list(shapes.conv_output_size(**args))
    except shapes.ConvArgumentError as error:
        return error


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("op", ["conv", "transpose"])
def test_calculator_results_match_convnotes_shapes(tools_site, open_page, lang, op):
    page, _ = open_page(calculator(tools_site, lang))
    page.select_option('[data-field="op"]', op)
    rng = random.Random(f"{lang}-{op}")
    seen = {"ok": 0, "error": 0}
    for _ in range(8):
        config = random_config(rng, op == "transpose")
        page.select_option('[data-field="dims"]', str(config["ndim"]))
        for key in ("i", "k", "s", "p", "d", "a"):
            if key in config:
                fill_per_dim(page, key, config[key])
        expected = python_shape(config, op == "transpose")
        result = page.locator(".cn-result:visible")
        text = result.inner_text()
        assert "NaN" not in text and text.strip()
        if isinstance(expected, Exception):
            seen["error"] += 1
            param = blamed_parameter(str(expected))
            assert result.locator(".cn-error .cn-param").inner_text() == param
            assert str(expected) in result.locator(".cn-detail").inner_text()
            assert page.locator('[aria-invalid="true"]:visible').count() >= 1
        else:
            seen["ok"] += 1
            assert result.get_attribute("data-output") == str(expected).replace(" ", "")
            cout = page.input_value('[data-field="cout"]')
            shape = page.inner_text('[data-result="shape"]')
            assert shape == f"(1, {cout}, {', '.join(map(str, expected))})"
            name = "ConvTranspose" if op == "transpose" else "Conv"
            line = page.inner_text(".cn-pytorch")
            assert line.startswith(f"nn.{name}{config['ndim']}d(")
            # the formula lines are convnotes.explain's, word for word
            explain = (
                explain_conv_transpose_output_size(config["i"], config["k"], config["s"],
                                                   config["p"], config["a"], config["d"])
                if op == "transpose"
                else explain_conv_output_size(config["i"], config["k"], config["s"], config["p"],
                                              config["d"])
            )  # fmt: skip
            shown = page.locator('[data-result="formulas"] li code').all_inner_texts()
            assert shown == [re.sub(r"^dim \d+: ", "", t) for t in explain.text.splitlines()]
            # the PyTorch line builds, in torch, the layer that gives the page's shape
            module = eval(line, {"nn": torch.nn}).to("meta")
            cin = int(page.input_value('[data-field="cin"]'))
            x = torch.zeros(1, cin, *config["i"], device="meta")
            assert tuple(module(x).shape) == (1, int(cout), *expected)
            for key, attr in [("k", "kernel_size"), ("s", "stride"), ("p", "padding"),
                              ("d", "dilation"), ("a", "output_padding")]:  # fmt: skip
                if key in config:
                    assert list(getattr(module, attr)) == config[key], (key, line)
    assert seen["ok"] and seen["error"], seen


def test_calculator_same_padding_and_groups(tools_site, open_page):
    page, _ = open_page(calculator(tools_site, "en", dims="1", i="10", k="4", s="1", d="2"))
    page.select_option('[data-field="pm"]', "same")
    expected = shapes.conv_output_size([10], 4, padding="same", dilation=2)
    assert page.get_attribute(".cn-result:visible", "data-output") == f"[{expected[0]}]"
    assert "padding='same'" in page.inner_text(".cn-pytorch")
    page.fill('[data-field="s0"]', "2")
    assert page.inner_text(".cn-error .cn-param") == "padding"
    page.fill('[data-field="s0"]', "1")
    page.fill('[data-field="g"]', "4")
    page.fill('[data-field="cin"]', "6")
    assert page.inner_text(".cn-error .cn-param") == "in_channels"
    page.fill('[data-field="cin"]', "8")
    page.fill('[data-field="cout"]', "6")
    assert page.inner_text(".cn-error .cn-param") == "out_channels"
    page.fill('[data-field="cout"]', "12")
    assert "groups=4" in page.inner_text(".cn-pytorch")


def _torch_channel_verdict(op: str, cin: int, cout: int, groups: int) -> str | None:
    """The parameter torch.nn's constructor blames (None: accepted). Ground truth."""
    layer = torch.nn.ConvTranspose2d if op == "transpose" else torch.nn.Conv2d
    try:
        layer(cin, cout, 3, groups=groups)
    except ValueError as error:
        message = str(error)
        for param in ("in_channels", "out_channels", "groups"):
            if message.startswith(param):
                return param
        raise AssertionError(f"unexpected torch message: {message}") from None
    return None


@pytest.mark.parametrize("op", ["conv", "transpose"])
def test_calculator_channel_rules_match_torch(tools_site, open_page, op):
    """Typed channel/group numbers: the calculator blames what torch.nn rejects, and shows
    a PyTorch line that torch.nn accepts otherwise."""
    rng = random.Random(15 + len(op))
    cases = [(8, 12, 4), (6, 12, 4), (8, 6, 4), (3, 3, 3), (4, 4, 8), (1, 1, 1)]
    cases += [(rng.randint(1, 24), rng.randint(1, 24), rng.randint(1, 6)) for _ in range(14)]
    page, _ = open_page(calculator(tools_site, "en", dims="2", i="10", k="3"))
    page.select_option('[data-field="op"]', op)
    seen = set()
    for cin, cout, groups in cases:
        page.fill('[data-field="g"]', "1")
        page.fill('[data-field="cin"]', str(cin))
        page.fill('[data-field="cout"]', str(cout))
        page.fill('[data-field="g"]', str(groups))
        expected = _torch_channel_verdict(op, cin, cout, groups)
        seen.add(expected)
        if expected is None:
            assert page.locator(".cn-error").count() == 0, (cin, cout, groups)
            line = page.inner_text(".cn-pytorch")
            layer = eval(line, {"nn": torch.nn})  # the line as a user would paste it
            assert (layer.in_channels, layer.out_channels, layer.groups) == (cin, cout, groups)
        else:
            assert page.inner_text(".cn-error .cn-param") == expected, (cin, cout, groups)
    assert {None, "in_channels", "out_channels"} <= seen


def test_calculator_url_round_trips_state(tools_site, open_page):
    page, _ = open_page(calculator(tools_site, "zh"))
    page.select_option('[data-field="op"]', "transpose")
    page.select_option('[data-field="dims"]', "3")
    fill_per_dim(page, "i", [5, 6, 7])
    fill_per_dim(page, "s", [2, 3, 1])
    fill_per_dim(page, "a", [1, 2, 0])
    page.fill('[data-field="cout"]', "7")
    shared = page.evaluate("location.href")  # page.url lags behind history.replaceState
    assert "op=transpose" in shared
    before = page.inner_text(".cn-result:visible")
    again, _ = open_page(shared)
    assert again.input_value('[data-field="op"]') == "transpose"
    assert again.input_value('[data-field="i2"]') == "7"
    assert again.inner_text(".cn-result:visible") == before
    expected = shapes.conv_transpose_output_size(
        [5, 6, 7], [3, 3, 3], stride=[2, 3, 1], padding=[1, 1, 1], output_padding=[1, 2, 0]
    )
    assert again.get_attribute(".cn-result:visible", "data-output") == str(list(expected)).replace(
        " ", ""
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inverse_mode_lists_only_valid_choices(tools_site, open_page, lang):
    page, _ = open_page(calculator(tools_site, lang, mode="inverse", ii="17", io="33"))
    rows = page.locator("tr[data-choice]")
    assert rows.count() > 3
    expected = [
        f"{c.kernel_size},{c.stride},{c.padding},{c.output_padding}"
        for c in design.solve_conv_transpose(17, 33)
    ]
    assert [rows.nth(j).get_attribute("data-choice") for j in range(rows.count())] == expected
    for j in range(rows.count()):
        k, s, p, a = map(int, rows.nth(j).get_attribute("data-choice").split(","))
        assert shapes.conv_transpose_output_size(17, k, s, p, a) == 33
        even = rows.nth(j).locator(".cn-even").count() == 1
        assert even == (k % s == 0)
    page.fill('[data-field="io"]', "0")
    assert page.inner_text(".cn-error .cn-param") == "output_size"


def fill_output_size(page, ndim: int, values: dict[str, list[int]]) -> None:
    page.select_option('[data-field="odim"]', str(ndim))
    for field, per_dim in values.items():
        fill_per_dim(page, field, per_dim)


def test_output_size_mode_matches_output_padding_for(tools_site, open_page):
    page, _ = open_page(calculator(tools_site, "en", mode="outputSize"))
    for i, o, k, s, p in [(16, 32, 3, 2, 1), (16, 31, 3, 2, 1), (7, 23, 5, 3, 0), (7, 30, 5, 3, 0)]:
        fill_output_size(page, 1, {"oi": [i], "oo": [o], "ok": [k], "os": [s], "opd": [p]})
        try:
            a = shapes.output_padding_for(i, o, k, stride=s, padding=p)
        except shapes.ConvArgumentError as error:
            assert page.inner_text(".cn-error .cn-param") == blamed_parameter(str(error))
        else:
            assert page.inner_text('[data-result="output-padding"]').endswith(f"= {a}")


OUTPUT_SIZE_TUPLES = [
    # (i, o, k, s, p, d) per dimension
    ([16, 15], [32, 29], [3, 3], [2, 2], [1, 1], [1, 1]),
    ([7, 8, 9], [24, 23, 30], [5, 4, 3], [3, 3, 3], [0, 1, 0], [1, 1, 2]),
    ([5, 5], [10, 12], [3, 3], [2, 2], [0, 0], [1, 1]),  # 12 is out of range in W
    ([4, 4, 4], [8, 8, 8], [2, 2, 2], [2, 2, 0], [0, 0, 0], [1, 1, 1]),  # stride 0
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_output_size_mode_per_dimension_matches_output_padding_for(tools_site, open_page, lang):
    page, _ = open_page(calculator(tools_site, lang, mode="outputSize"))
    seen = {"ok": 0, "error": 0}
    for i, o, k, s, p, d in OUTPUT_SIZE_TUPLES:
        ndim = len(i)
        fill_output_size(page, ndim, {"oi": i, "oo": o, "ok": k, "os": s, "opd": p, "od": d})
        result = page.locator(".cn-result:visible")
        try:
            a = shapes.output_padding_for(i, o, k, s, p, d)  # lists, as the page sends
            lo, hi = shapes.output_size_range(i, k, s, p, d)
        except shapes.ConvArgumentError as error:
            seen["error"] += 1
            assert result.locator(".cn-param").inner_text() == blamed_parameter(str(error))
            assert str(error) in result.locator(".cn-detail").inner_text()
            assert page.locator('[aria-invalid="true"]:visible').count() == ndim
        else:
            seen["ok"] += 1
            assert isinstance(a, tuple) and len(a) == ndim
            assert result.get_attribute("data-output") == str(list(a)).replace(" ", "")
            picked = page.inner_text('[data-result="output-padding"]')
            lines = result.locator(".cn-formulas").first.locator("li code").all_inner_texts()
            explain = explain_output_padding_for(i, o, k, s, p, d).text.splitlines()
            assert lines == [re.sub(r"^dim \d+: ", "", t) for t in explain]
            assert picked.endswith(f"= ({', '.join(map(str, a))})")
            ranges = page.locator('[data-result="range"] li').all_inner_texts()
            assert [r.split(": ")[1] for r in ranges] == [f"{x} … {y}" for x, y in zip(lo, hi)]
            assert f"output_size=[{', '.join(map(str, o))}]" in page.inner_text(".cn-pytorch")
    assert seen["ok"] and seen["error"], seen
    shared = page.evaluate("location.href")
    again, _ = open_page(shared)
    assert again.input_value('[data-field="odim"]') == "3"
    assert again.input_value('[data-field="os2"]') == "0"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chain_mode_flags_the_decoder_that_does_not_mirror(tools_site, open_page, lang):
    page, _ = open_page(calculator(tools_site, lang, mode="chain"))
    sizes = [65]
    for kind, k in [("conv", 3), ("conv", 3), ("t", 4), ("t", 4)]:
        if kind == "conv":
            sizes.append(shapes.conv_output_size(sizes[-1], k, stride=2, padding=1))
        else:
            sizes.append(shapes.conv_transpose_output_size(sizes[-1], k, stride=2, padding=1))
    cells = page.locator("tr[data-step] td:nth-child(3)").all_inner_texts()
    assert cells == [f"{a} → {b}" for a, b in itertools.pairwise(sizes)]
    flagged = page.locator("tr[data-step].cn-flagged").count()
    assert flagged == sum(out != want for out, want in [(sizes[3], 33), (sizes[4], 65)])
    page.click('[data-preset="unetFixed"]')
    assert page.locator("tr[data-step].cn-flagged").count() == 0
    page.fill('[data-field="cl"]', "conv k=9 s=1\nbogus")
    assert page.locator(".cn-error").count() == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chain_sizes_and_verdicts_stay_on_one_line_on_a_phone(tools_site, open_page, lang):
    """At 375 px the layer text may wrap, but "17 → 34" and "✗ mismatch" must not."""
    page, _ = open_page(calculator(tools_site, lang, mode="chain"), width=375)
    lines = page.evaluate(
        """() => [...document.querySelectorAll(
            'tr[data-step] td:nth-child(3), tr[data-step] td:nth-child(5)')].map((td) => {
          const range = document.createRange();
          range.selectNodeContents(td);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        })"""
    )
    assert len(lines) == 8 and all(n == 1 for n in lines), lines


CHAIN_CASES = [
    # U-Net 65 with k=4 decoders (mismatch, solver fixes) and with k=3 (mirrors)
    ("65", "conv k=3 s=2 p=1\nconv k=3 s=2 p=1\nconvT k=4 s=2 p=1\nconvT k=4 s=2 p=1"),
    ("65", "conv k=3 s=2 p=1\nconv k=3 s=2 p=1\nconvT k=3 s=2 p=1\nconvT k=3 s=2 p=1"),
    # 2d: an output_padding per dimension fixes it
    ("64,63", "conv k=3 s=2 p=1\nconvT k=3 s=2 p=1"),
    # keeps, changes, upsamples with nothing to mirror, downsamples, mismatch, invalid layer
    ("16", "conv k=3 p=1\nconv k=1 p=2\nconvT k=2 s=2\nconv k=3 s=2 p=1\nconvT k=3\nconv k=99"),
    # pasted print(model) lines with pools: up2 is wrong, up1 mirrors once up2 is fixed
    (
        "33",
        "(enc1): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "(pool1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "(relu): ReLU(inplace=True)\n"
        "(pool2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "(up2): ConvTranspose2d(32, 32, kernel_size=(2, 2), stride=(2, 2))\n"
        "(up1): ConvTranspose2d(32, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))",
    ),
    # ceil_mode pools, an upsample to fix, an invalid pool
    ("65", "avgpool k=3 s=2 p=1 ceil\nnn.Upsample(scale_factor=2)\nMaxPool2d(9, padding=5)"),
]


def python_chain(size: str, text: str):
    """design.plan_chain on the calculator's chain text, read by convnotes.layers."""
    layers = [layer for _, _, layer in parse_layers(text)]
    sizes = tuple(int(v) for v in size.split(","))
    return design.plan_chain(sizes[0] if len(sizes) == 1 else sizes, layers).to_dict()["steps"]


# The chain table's own words: without code, Python's error detail and the layer names.
CHAIN_PROSE = """
() => {
  const table = document.querySelector(".cn-chain").cloneNode(true);
  table.querySelectorAll("code, .cn-detail").forEach((el) => el.remove());
  return table.textContent.replace(/\\b[A-Za-z_]+\\d+\\b/g, "");
}
"""


def why_rows(page) -> list[dict]:
    rows = page.locator("tr.cn-why")
    return [
        {
            "verdict": rows.nth(j).get_attribute("data-verdict"),
            "text": rows.nth(j).locator("small").first.inner_text(),
            "fixes": rows.nth(j).locator(".cn-fixes li").all_inner_texts(),
        }
        for j in range(rows.count())
    ]


@pytest.mark.parametrize(("size", "text"), CHAIN_CASES)
def test_chain_verdicts_in_both_languages(tools_site, open_page, size, text):
    steps = python_chain(size, text)
    zh, _ = open_page(calculator(tools_site, "zh", mode="chain", ci=size, cl=text))
    rows = why_rows(zh)
    assert [r["verdict"] for r in rows] == [verdict_of(s["message"]) for s in steps]
    prose = zh.evaluate(CHAIN_PROSE)
    assert re.findall(r"[A-Za-z]{3,}", prose) == [], prose
    for row, step in zip(rows, steps):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in row["text"]), row
        assert len(row["fixes"]) == len(step["suggestions"])
        if step["mirrors"]:
            assert step["mirrors"] in row["text"]
        if step["output_size"] is None:
            assert row["text"].startswith("这一层无效")
            assert step["message"].removeprefix("invalid layer: ") in row["text"]
    en, _ = open_page(calculator(tools_site, "en", mode="chain", ci=size, cl=text))
    for row, step in zip(why_rows(en), steps, strict=True):
        if step["output_size"] is None:  # the rule, then design's message
            assert row["text"].startswith("Invalid layer: ")
            assert step["message"].removeprefix("invalid layer: ") in row["text"]
        else:  # design's own sentences, word for word
            assert (row["text"], row["fixes"]) == (step["message"], step["suggestions"])


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("query", "key"),
    [({"dims": "7"}, "dims"), ({"dims": "-1"}, "dims"),
     ({"mode": "outputSize", "odim": "9"}, "odim"), ({"mode": "nonsense"}, "mode"),
     ({"op": "deconv", "pm": "full"}, "op")],
)  # fmt: skip
def test_bad_share_links_get_a_message_never_a_blank_widget(
    tools_site, open_page, lang, query, key
):
    page, _ = open_page(calculator(tools_site, lang, **query))  # teardown: no page errors
    notices = page.locator('[data-result="link-error"]').all_inner_texts()
    assert len(notices) == len(query) - ("mode" in query and query["mode"] == "outputSize")
    assert any(f"{key}={query[key]}" in text for text in notices)
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in "".join(notices))
    assert chinese == (lang == "zh"), notices
    result = page.locator(".cn-result:visible")
    assert result.count() == 1 and result.inner_text().strip()  # the tool still answers


def test_invalid_sizes_in_a_link_get_an_error_in_the_widget(tools_site, open_page):
    page, _ = open_page(calculator(tools_site, "zh", i="1e20,3,3", k="3,3,3"))
    box = page.locator(".cn-error:visible")
    assert box.count() == 1 and "2^53" in box.inner_text() and "浏览器" in box.inner_text()


def test_language_switcher_keeps_the_tool_state(tools_site, open_page):
    page, _ = open_page(calculator(tools_site, "zh", mode="chain", ci="33"))
    page.fill('[data-field="ci"]', "41")
    links = page.locator("a[hreflang]")
    assert links.count() >= 2
    hrefs = [links.nth(j).get_attribute("href") for j in range(links.count())]
    assert all("mode=chain" in h and "ci=41" in h for h in hrefs), hrefs
    english = next(h for h in hrefs if "/en/" in h)
    again, _ = open_page(
        english if english.startswith("http") else tools_site + english.lstrip("/")
    )
    assert again.input_value('[data-field="ci"]') == "41"
    assert again.evaluate("document.documentElement.lang").startswith("en")


# ---------------- visualizer ----------------

READ_HIGHLIGHTS = """
([source, target]) => {
  const result = {};
  const positions = [...document.querySelectorAll(`[data-grid-name] [data-grid="${source}"]`)]
    .filter((el) => el.closest("[data-grid-name]").dataset.gridName !== "zeros")
    .map((el) => [el.closest("[data-grid-name]").dataset.gridName, el.dataset.pos]);
  for (const [name, pos] of positions) {
    const el = document.querySelector(`[data-grid-name="${name}"] [data-pos="${pos}"]`);
    el.focus();
    const cell = `${el.dataset.r},${el.dataset.c}`;
    result[cell] = [...document.querySelectorAll(`[data-grid="${target}"].cn-on`)]
      .map((x) => `${x.dataset.r},${x.dataset.c}`).sort();
  }
  return result;
}
"""


def matrix_pattern(view: str, i: int, k: int, s: int, p: int, d: int, a: int):
    """Map from each output cell to the input cells that feed it, read off C (or Cᵀ)."""
    weight = torch.rand(1, 1, k, k, dtype=torch.float64) + 0.5
    if view == "conv":
        o = shapes.conv_output_size(i, k, s, p, d)
        rows = conv_matrix(weight, (i, i), stride=s, padding=p, dilation=d)
        side_in = i
    else:
        o = shapes.conv_transpose_output_size(i, k, s, p, a, d)
        # The transposed conv is Cᵀ for the conv that maps o back to i.
        rows = conv_matrix(weight, (o, o), stride=s, padding=p, dilation=d).T
        side_in = i
    assert rows.shape == (o * o, side_in * side_in)
    pattern = {}
    for row in range(o * o):
        cols = torch.nonzero(rows[row]).flatten().tolist()
        pattern[f"{row // o},{row % o}"] = sorted(f"{c // side_in},{c % side_in}" for c in cols)
    return pattern


VIS_CASES = [
    ("conv", 4, 3, 1, 0, 1, 0),
    ("conv", 5, 3, 2, 1, 1, 0),
    ("conv", 6, 2, 2, 1, 2, 0),
    ("scatter", 3, 3, 2, 0, 1, 0),
    ("scatter", 3, 3, 2, 1, 1, 1),
    ("direct", 3, 4, 2, 1, 1, 0),
    ("direct", 2, 3, 3, 2, 2, 1),
]


@pytest.mark.parametrize(("view", "i", "k", "s", "p", "d", "a"), VIS_CASES)
def test_visualizer_highlights_are_the_nonzeros_of_c(tools_site, open_page, view, i, k, s, p, d, a):
    query = dict(vm=view, vi=i, vk=k, vs=s, vp=p, vd=d, va=a)
    page, _ = open_page(visualizer(tools_site, "en", **query))
    expected = matrix_pattern(view, i, k, s, p, d, a)
    assert page.locator('[data-grid-name="output"] [data-grid="output"]').count() == len(expected)
    by_output = page.evaluate(READ_HIGHLIGHTS, ["output", "input"])
    assert by_output == expected
    by_input = page.evaluate(READ_HIGHLIGHTS, ["input", "output"])
    inverse = {}
    for out, inputs in expected.items():
        for cell in inputs:
            inverse.setdefault(cell, []).append(out)
    for cell, outs in by_input.items():
        assert outs == sorted(inverse.get(cell, [])), cell


def test_visualizer_steps_through_kernel_positions(tools_site, open_page):
    page, _ = open_page(visualizer(tools_site, "zh", vm="conv", vi=4, vk=3, vs=1))
    o = shapes.conv_output_size(4, 3)
    page.click('[data-action="reset"]')
    outputs = page.locator('[data-grid-name="output"] [data-grid="output"]')
    assert outputs.all_inner_texts() == [""] * (o * o)
    expected = matrix_pattern("conv", 4, 3, 1, 0, 1, 0)
    for step in range(1, o * o + 1):
        page.click('[data-action="forward"]')
        r, c = divmod(step - 1, o)
        current = page.locator(".cn-grid .cn-current")
        assert current.get_attribute("data-r") == str(r)
        assert current.get_attribute("data-c") == str(c)
        lit = sorted(
            f"{x.get_attribute('data-r')},{x.get_attribute('data-c')}"
            for x in page.locator('[data-grid="input"].cn-on').all()
        )
        assert lit == expected[f"{r},{c}"]
    assert f"{o * o} / {o * o}" in page.inner_text(".cn-status")


def overlap_counts(i: int, k: int, s: int, p: int) -> list[str]:
    """Taps landing on each output cell of a 2d transposed conv (d=1, a=0), row-major."""
    o = shapes.conv_transpose_output_size(i, k, s, p)
    per_axis = [0] * o
    for j in range(i):
        for t in range(k):
            if 0 <= j * s - p + t < o:
                per_axis[j * s - p + t] += 1
    return [str(per_axis[r] * per_axis[c]) for r in range(o) for c in range(o)]


def test_visualizer_keyboard_only_and_heatmap(tools_site, open_page):
    page, _ = open_page(visualizer(tools_site, "en", vm="scatter", vi=4, vk=3, vs=2, vp=1))
    page.focus('[data-field="k"]')
    page.keyboard.press("ArrowRight")  # k: 3 -> 4
    assert "vk=4" in page.evaluate("location.search")
    page.focus('[data-field="heat"]')
    page.keyboard.press("Space")
    counts = page.locator('[data-grid-name="output"] [data-grid="output"]').all_inner_texts()
    assert counts == overlap_counts(4, 4, 2, 1)
    assert "even overlap" in page.inner_text(".cn-verdict")  # k=4, s=2
    page.focus('[data-field="k"]')
    page.keyboard.press("ArrowLeft")  # k=3, s=2: uneven overlap, the checkerboard
    counts = page.locator('[data-grid-name="output"] [data-grid="output"]').all_inner_texts()
    assert counts == overlap_counts(4, 3, 2, 1)
    assert "uneven overlap" in page.inner_text(".cn-verdict")
    page.focus('[data-grid-name="output"] [data-grid="output"]')
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("[document.activeElement.dataset.r, document.activeElement.dataset.c]")
    assert focused == ["1", "1"]
    assert page.locator('[data-grid="input"].cn-on').count() > 0


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screens_fit_and_render(tools_site, open_page, lang, scheme, width):
    from PIL import Image, ImageStat

    SHOTS.mkdir(exist_ok=True)
    for name, url in [
        ("calculator", calculator(tools_site, lang, op="transpose")),
        ("chain", calculator(tools_site, lang, mode="chain")),
        ("visualizer", visualizer(tools_site, lang, vh=1, vi=4)),
    ]:
        page, _ = open_page(url, width=width, scheme=scheme)
        assert page.evaluate("document.documentElement.lang").startswith(lang)
        widget = page.locator(".cn-widget")
        assert widget.count() == 1
        text = widget.inner_text()
        assert "NaN" not in text and "undefined" not in text
        if lang == "zh":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
        overflow = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.cn-widget, .cn-widget *')]"
            ".map((e) => e.closest('.cn-scroll') ? 0 : e.getBoundingClientRect().right))"
        )
        assert overflow <= width, (name, overflow)
        page.screenshot(path=str(SHOTS / f"{name}-{lang}-{scheme}-{width}.png"), full_page=True)
        pixels = Image.open(io.BytesIO(widget.screenshot())).convert("L")
        stat = ImageStat.Stat(pixels)
        assert stat.stddev[0] > 8, (name, "the widget renders blank")
        assert (stat.median[0] > 127) == (scheme == "light"), (name, scheme, stat.median)
