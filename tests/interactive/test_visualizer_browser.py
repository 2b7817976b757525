"""The visualizer in Chromium: its tap counts are the nonzero counts of the unrolled matrix C
(convnotes.conv_matrix, all-ones kernel), its values are torch's, its caption follows the
counts, hovering never moves the grids, and bad settings or links get a message in the
page's language instead of a blank widget."""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest
import torch
import torch.nn.functional as F

from convnotes import shapes
from convnotes.matrix import conv_matrix

pytestmark = pytest.mark.browser

LANGS = {"zh": "", "en": "en/"}
RANGES = {"i": (1, 12), "k": (1, 7), "s": (1, 4), "p": (0, 6), "d": (1, 3), "a": (0, 3)}
VIEWS = ["conv", "scatter", "direct"]


def visualizer(base: str, lang: str, **query) -> str:
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{base}{LANGS[lang]}tools/visualizer/{suffix}"


def query_of(view: str, i: int, k: int, s: int, p: int, d: int, a: int, heat: bool = True):
    return dict(vm=view, vi=i, vk=k, vs=s, vp=p, vd=d, va=a, vh=int(heat))


def output_size(view: str, i: int, k: int, s: int, p: int, d: int, a: int) -> int:
    """The output size, or ConvArgumentError for a setting PyTorch rejects."""
    if view == "conv":
        return shapes.conv_output_size(i, k, s, p, d)
    return shapes.conv_transpose_output_size(i, k, s, p, a, d)


def python_counts(view: str, i: int, k: int, s: int, p: int, d: int, a: int):
    """(taps per output cell, taps per input cell) as o×o and i×i tensors, read off C.

    Conv: C maps i×i to o×o; an output's count is its row's nonzeros, an input's its
    column's. Transposed: the layer is Cᵀ for the conv o×o -> n×n (n >= i; with a >= s
    that conv has more outputs than the layer has inputs, so only rows j < i take part).
    """
    ones = torch.ones(1, 1, k, k, dtype=torch.float64)
    o = output_size(view, i, k, s, p, d, a)
    if view == "conv":
        nonzero = conv_matrix(ones, (i, i), stride=s, padding=p, dilation=d) != 0
        return nonzero.sum(1).reshape(o, o), nonzero.sum(0).reshape(i, i)
    n = shapes.conv_output_size(o, k, s, p, d)
    matrix = conv_matrix(ones, (o, o), stride=s, padding=p, dilation=d)
    nonzero = matrix.reshape(n, n, o * o)[:i, :i].reshape(i * i, o * o) != 0
    return nonzero.sum(0).reshape(o, o), nonzero.sum(1).reshape(i, i)


READ_GRID = """
(grid) => [...document.querySelectorAll(`[data-grid="${grid}"]`)]
  .map((el) => [Number(el.dataset.r), Number(el.dataset.c), el.textContent])
"""


def read_grid(page, grid: str, n: int) -> list[list[str]]:
    """Cell texts of an n×n grid by (r, c), from the cells' own data-r/data-c."""
    cells = [[None] * n for _ in range(n)]
    for r, c, text in page.evaluate(READ_GRID, grid):
        assert cells[r][c] is None, (grid, r, c)
        cells[r][c] = text
    assert all(text is not None for row in cells for text in row), grid
    return cells


def numbers(cells: list[list[str]]) -> list[list[int]]:
    return [[int(text) for text in row] for row in cells]


def as_text(tensor: torch.Tensor) -> list[list[str]]:
    return [[str(int(v)) for v in row] for row in tensor.tolist()]


def random_settings(rng: random.Random, view: str) -> tuple[int, ...]:
    """A setting PyTorch accepts, drawn from the sliders' ranges (dilation > 1 often)."""
    while True:
        values = {name: rng.randint(lo, hi) for name, (lo, hi) in RANGES.items()}
        values["d"] = rng.choice([1, 2, 2, 3, 3])
        setting = tuple(values[x] for x in "ikspda")
        try:
            output_size(view, *setting)
        except shapes.ConvArgumentError:
            continue
        return setting


def interior(caption: str) -> tuple[int, int]:
    """The rows/columns the verdict calls "away from the edges" (en: 'columns 2–5')."""
    match = re.search(r"(\d+)–(\d+)", caption)
    assert match, caption
    return int(match[1]), int(match[2])


@pytest.mark.parametrize("view", VIEWS)
def test_tap_counts_are_the_nonzeros_of_c(tools_site, open_page, view):
    rng = random.Random(f"counts-{view}")
    page, _ = open_page(visualizer(tools_site, "en"))
    settings = [(3, 3, 2, 1, 2, 1), (12, 7, 4, 6, 3, 3)] + [
        random_settings(rng, view) for _ in range(10)
    ]
    verdicts = set()
    for setting in settings:
        i, k, s, p, d, a = setting
        page.goto(visualizer(tools_site, "en", **query_of(view, *setting)))
        out_counts, in_counts = python_counts(view, *setting)
        o = out_counts.shape[0]
        assert read_grid(page, "output", o) == as_text(out_counts), setting
        assert read_grid(page, "input", i) == as_text(in_counts), setting
        if view != "conv":  # a second oracle: torch scatters an all-ones kernel
            ones = F.conv_transpose2d(
                torch.ones(1, 1, i, i, dtype=torch.float64),
                torch.ones(1, 1, k, k, dtype=torch.float64),
                stride=s,
                padding=p,
                output_padding=a,
                dilation=d,
            )
            assert torch.equal(ones[0, 0].long(), out_counts), setting
        # the caption states these counts, and its verdict follows them
        big, small = (out_counts, in_counts) if view != "conv" else (in_counts, out_counts)
        for side, counts in [("out", out_counts), ("in", in_counts)]:
            line = page.locator(f'.cn-caption [data-side="{side}"]')
            expected = [int(counts.min()), int(counts.max()), int((counts == 0).sum())]
            got = [int(line.get_attribute(f"data-{x}")) for x in ("lo", "hi", "zeros")]
            assert got == expected, (setting, side)
            says_every = line.inner_text().startswith("Every")
            assert says_every == (expected[0] == expected[1]), (setting, line.inner_text())
        verdict = page.locator(".cn-verdict")
        kind = verdict.get_attribute("data-verdict")
        verdicts.add(kind)
        if kind != "small":
            lo, hi = interior(verdict.inner_text())
            assert hi - lo + 1 >= s, setting  # at least one period of the pattern
            inner = big[lo : hi + 1, lo : hi + 1]
            assert (kind == "even") == bool((inner == inner.flatten()[0]).all()), setting
            # "away from the edges": every tap there comes from a real cell, so each axis
            # counts the taps t with t*d = x + p (mod s)
            n_small = small.shape[0]
            for x in range(lo, hi + 1):
                assert all(0 <= (x + p - t * d) // s < n_small for t in range(k)), setting
            profile = [sum((x + p - t * d) % s == 0 for t in range(k)) for x in range(lo, hi + 1)]
            assert inner.tolist() == [[u * v for v in profile] for u in profile], setting
    assert {"even", "uneven"} <= verdicts, verdicts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_issue_case_shows_its_holes(tools_site, open_page, lang):
    """i=3, k=3, s=2, p=1, d=2, a=1: whole rows and columns get no tap; they read 0."""
    setting = (3, 3, 2, 1, 2, 1)
    out_counts, _ = python_counts("scatter", *setting)
    zeros = int((out_counts == 0).sum())
    assert zeros > 0
    page, _ = open_page(visualizer(tools_site, lang, **query_of("scatter", *setting)))
    line = page.locator('[data-side="out"]')
    assert [line.get_attribute(f"data-{x}") for x in ("lo", "hi", "zeros")] == [
        "0",
        str(int(out_counts.max())),
        str(zeros),
    ]
    assert str(zeros) in line.inner_text()
    every = "每个输出格子都接收" if lang == "zh" else "Every output cell"
    assert every not in page.locator(".cn-caption").inner_text()
    assert page.get_attribute(".cn-verdict", "data-verdict") != "even"
    shown = read_grid(page, "output", out_counts.shape[0])
    assert (out_counts[:, ::2] == 0).all()  # whole columns no tap reaches
    assert all(text == "0" for row in shown for text in row[::2])


@pytest.mark.parametrize("view", VIEWS)
def test_values_are_torchs(tools_site, open_page, view):
    """Finished outputs are F.conv2d / F.conv_transpose2d of the shown input and kernel;
    cells no tap reaches read 0, not blank."""
    rng = random.Random(f"values-{view}")
    page, _ = open_page(visualizer(tools_site, "en"))
    for setting in [(3, 3, 2, 1, 2, 1)] + [random_settings(rng, view) for _ in range(4)]:
        i, k, s, p, d, a = setting
        page.goto(visualizer(tools_site, "en", **query_of(view, *setting, heat=False)))
        x = torch.tensor(numbers(read_grid(page, "input", i)), dtype=torch.float64)
        w = torch.tensor(numbers(read_grid(page, "kernel", k)), dtype=torch.float64)
        if view == "conv":
            y = F.conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)
        else:
            y = F.conv_transpose2d(
                x[None, None], w[None, None], stride=s, padding=p, output_padding=a, dilation=d
            )
        o = y.shape[-1]
        assert read_grid(page, "output", o) == as_text(y[0, 0]), setting


def test_flipped_kernel_panel_shows_the_flip(tools_site, open_page):
    for k in range(2, 8):
        page, _ = open_page(visualizer(tools_site, "en", vm="scatter", vk=k))
        kernel = page.locator('[data-grid-name="kernel"] .cn-cell').all_inner_texts()
        page.select_option('[data-field="view"]', "direct")
        flipped = page.locator('[data-grid-name="flipped"] .cn-cell').all_inner_texts()
        grid = [kernel[r * k : (r + 1) * k] for r in range(k)]
        assert flipped == [v for row in grid[::-1] for v in row[::-1]]
        assert flipped != kernel, k


CELL_BOXES = """
() => [...document.querySelectorAll(".cn-grid")].map((g) => {
  const box = g.getBoundingClientRect();
  return [g.dataset.gridName, box.x, box.y, box.width, box.height];
})
"""

UNDER_POINTER = """
([x, y]) => {
  const el = document.elementFromPoint(x, y);
  return el && el.dataset.grid ? [el.dataset.grid, el.dataset.r, el.dataset.c] : null;
}
"""


@pytest.mark.parametrize(
    ("lang", "width", "setting"),
    [
        ("en", 1280, ("scatter", 5, 7, 2, 1, 2, 1)),
        ("zh", 375, ("conv", 7, 5, 1, 2, 1, 0)),
        ("zh", 1280, ("direct", 4, 4, 3, 2, 1, 2)),
        ("en", 375, ("scatter", 12, 7, 4, 6, 3, 3)),
    ],
)
def test_hover_highlights_the_hovered_cell_and_nothing_moves(
    tools_site, open_page, lang, width, setting
):
    page, _ = open_page(visualizer(tools_site, lang, **query_of(*setting, heat=False)), width)
    rng = random.Random(str(setting))
    cells = page.locator('[data-grid="output"], [data-grid="input"]')
    picks = rng.sample(range(cells.count()), 14)
    for j in picks:
        cell = cells.nth(j)
        # Centred, not at the top edge, where Material's sticky header would cover it.
        cell.evaluate("(e) => e.scrollIntoView({block: 'center', inline: 'center'})")
        before = page.evaluate(CELL_BOXES)
        box = cell.bounding_box()
        point = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
        hovered = [cell.get_attribute(x) for x in ("data-grid", "data-r", "data-c")]
        page.mouse.move(*point)
        for _ in range(3):  # the pointer rests: the highlight must not wander
            page.mouse.move(point[0] + 1, point[1])
            page.mouse.move(*point)
        assert page.evaluate(UNDER_POINTER, point) == hovered
        assert "cn-on" in cell.get_attribute("class").split(), hovered
        lit = page.locator(f'[data-grid="{hovered[0]}"].cn-on')
        assert lit.count() == 1  # the hovered cell is the only lit cell of its kind
        assert f"({hovered[1]},{hovered[2]})" in page.inner_text(".cn-hover-line")
        assert page.evaluate(CELL_BOXES) == before


# The widget's right edge, leaving out what scrolls inside it (big grids).
WIDGET_RIGHT = """
() => Math.max(...[...document.querySelectorAll('.cn-widget, .cn-widget *')]
  .map((e) => e.closest('.cn-scroll') ? 0 : e.getBoundingClientRect().right))
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("query", "slider", "rule"),
    [
        (dict(vm="scatter", vs=2, vd=1, va=2), "a", "output-padding-too-large"),
        (dict(vm="direct", vs=1, vd=2, va=2), "a", "output-padding-too-large"),
        (dict(vm="conv", vi=1, vk=5, vp=0), "k", "kernel-too-large"),
        (dict(vm="scatter", vi=1, vk=1, vp=3), "i", "output-too-small"),
    ],
)
def test_impossible_settings_are_explained_in_the_pages_language(
    tools_site, open_page, lang, query, slider, rule
):
    defaults = zip("ikspda", (3, 3, 2, 0, 1, 0), strict=True)
    settings = {name: int(query.get(f"v{name}", default)) for name, default in defaults}
    with pytest.raises(shapes.ConvArgumentError):  # PyTorch's rule, not ours
        output_size(query["vm"], *(settings[x] for x in "ikspda"))
    page, _ = open_page(visualizer(tools_site, lang, **query), width=375)
    error = page.locator(".cn-visualizer .cn-error")
    assert error.get_attribute("data-rule") == rule
    text = error.inner_text()
    has_han = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert has_han == (lang == "zh"), text
    assert page.get_attribute(f'[data-field="{slider}"]', "aria-invalid") == "true"
    widget = page.locator(".cn-visualizer").bounding_box()
    box = error.bounding_box()
    assert box["x"] >= widget["x"] and box["x"] + box["width"] <= widget["x"] + widget["width"]
    assert page.evaluate(WIDGET_RIGHT) <= 375
    # moving the blamed slider to a valid value brings the grids back
    page.fill(f'[data-field="{slider}"]', str({"a": 0, "k": 1, "i": 4}[slider]))
    assert page.locator(".cn-visualizer .cn-error").count() == 0
    assert page.get_attribute(f'[data-field="{slider}"]', "aria-invalid") is None
    assert page.locator('[data-grid="output"]').count() > 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_link_parameters_get_a_message_not_a_blank_widget(tools_site, open_page, lang):
    bad = {"vi": "99", "vk": "abc", "vd": "-1", "vm": "bogus", "vh": "2", "vs": "1e1"}
    page, _ = open_page(visualizer(tools_site, lang, **bad, vp="2"))
    notes = page.locator(".cn-notice [data-param]")
    assert sorted(notes.evaluate_all("(els) => els.map((e) => e.dataset.param)")) == sorted(bad)
    for text in notes.all_inner_texts():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text) == (lang == "zh"), text
    assert page.input_value('[data-field="p"]') == "2"  # the good parameter is kept
    assert page.input_value('[data-field="i"]') == "3"
    assert page.locator('[data-grid="output"]').count() > 0
    page.fill('[data-field="i"]', "4")
    assert page.locator(".cn-notice [data-param]").count() == 0
    assert "vi=4" in page.evaluate("location.search")


def test_language_switcher_keeps_the_state(tools_site, open_page):
    page, _ = open_page(visualizer(tools_site, "zh", vm="direct", vi=5))
    page.fill('[data-field="k"]', "4")
    page.click('[data-field="heat"]')
    search = page.evaluate("location.search")
    assert "vk=4" in search and "vh=1" in search
    link = page.locator('a[hreflang="en"]').first
    assert link.get_attribute("href").endswith(f"/en/tools/visualizer/{search}")
    page.locator(".md-header .md-select").first.hover()
    link.click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang").startswith("en")
    assert page.input_value('[data-field="view"]') == "direct"
    assert page.input_value('[data-field="i"]') == "5"
    assert page.input_value('[data-field="k"]') == "4"
    assert page.is_checked('[data-field="heat"]')


def test_slider_ranges(tools_site, open_page):
    page, _ = open_page(visualizer(tools_site, "en"))
    for name, (lo, hi) in RANGES.items():
        slider = page.locator(f'[data-field="{name}"]')
        assert (slider.get_attribute("min"), slider.get_attribute("max")) == (str(lo), str(hi))


@pytest.mark.parametrize(
    ("query", "entries"),
    [
        (dict(vm="conv", vp=0), ["on"]),
        (dict(vm="conv", vp=2), ["on", "pad"]),
        (dict(vm="scatter", vp=1, va=1), ["on", "crop", "extra"]),
        (dict(vm="scatter", vp=0, va=0), ["on"]),
        (dict(vm="direct", vs=2, vp=0, va=1), ["on", "pad", "zero", "extraPad", "extra"]),
        (dict(vm="direct", vs=2, vp=3, va=0), ["on", "zero", "cropNote"]),
    ],
)
def test_legend_lists_the_kinds_of_cells_shown(tools_site, open_page, query, entries):
    page, _ = open_page(visualizer(tools_site, "en", **query))
    legend = page.locator(".cn-legend li").evaluate_all("(els) => els.map((e) => e.dataset.legend)")
    assert legend == entries
    if query["vm"] != "scatter":
        return
    # the scatter view draws the uncropped result: p on every side is cropped, then a
    # rows/columns at the bottom and right come back as the output_padding strip
    i, k, s, p, d, a = 3, 3, 2, query["vp"], 1, query["va"]
    full = shapes.conv_transpose_output_size(i, k, s, 0, 0, d)
    o = shapes.conv_transpose_output_size(i, k, s, p, a, d)
    assert page.locator(".cn-grid .cn-crop").count() == full * full - o * o
    assert page.locator('.cn-grid [data-grid="output"].cn-extra').count() == o * o - (o - a) ** 2
