"""Claims of the transposed-convolution page that its samples do not assert themselves.

Checked against PyTorch: the arithmetic table's equivalent direct convolutions, the
hand-computed matrices written in the page's LaTeX, the default initialisation bound, and
the parameter table's statements about groups, bias, padding and the signature.
"""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.testing import assert_close

from convnotes.figures import animation, transposed_tables
from convnotes.figures.registry import TRANSPOSED_CASES

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {"zh": DOCS / "transposed.zh.md", "en": DOCS / "transposed.en.md"}
HAND_SECTION = {"zh": "## 拿笔算一遍", "en": "## By hand, with a pencil"}


def _direct(x, w, row: transposed_tables.EquivalentConv):
    """The row's direct conv: stretch, pad q (+a at the end), flipped kernel, stride 1."""
    n, s, q, a = row.input_size, row.stride, row.edge_padding, row.output_padding
    stretched = x.new_zeros(*x.shape[:2], (n - 1) * s + 1, (n - 1) * s + 1)
    stretched[..., ::s, ::s] = x
    padded = F.pad(stretched, (q, q + a, q, q + a))  # negative amounts crop
    assert padded.shape[-1] == row.padded_size
    return F.conv2d(padded, w.flip(-2, -1).transpose(0, 1), dilation=row.dilation)


@pytest.mark.parametrize("case", TRANSPOSED_CASES, ids=lambda c: c.name)
def test_arithmetic_row_is_a_direct_conv_equal_to_conv_transpose(case) -> None:
    row = transposed_tables.case_equivalent(case)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, 2, row.input_size, row.input_size, dtype=torch.float64, generator=generator)
    w = torch.randn(
        2, 3, row.kernel_size, row.kernel_size, dtype=torch.float64, generator=generator
    )
    expected = F.conv_transpose2d(
        x,
        w,
        stride=row.stride,
        padding=row.padding,
        output_padding=row.output_padding,
        dilation=row.dilation,
    )
    assert expected.shape[-1] == row.output_size == row.direct_output_size
    assert_close(_direct(x, w, row), expected)


@pytest.mark.parametrize("case", TRANSPOSED_CASES, ids=lambda c: c.name)
def test_arithmetic_row_matches_the_animation_geometry(case) -> None:
    row = transposed_tables.case_equivalent(case)
    kinds, _ = animation.stretched_axis(
        row.input_size, row.kernel_size, row.stride, row.padding, row.output_padding, row.dilation
    )
    assert len(kinds) == row.padded_size


def _table_rows(markdown: str) -> list[list[list[str]]]:
    """The body rows of each pipe table in ``markdown``, as lists of cell texts."""
    tables, rows = [], None
    for line in markdown.splitlines():
        if line.startswith("| :---"):
            rows = []
            tables.append(rows)
        elif line.startswith("|") and rows is not None:
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif not line.startswith("|"):
            rows = None
    return tables


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_arithmetic_tables_have_one_row_per_animation(lang: str) -> None:
    transposed, direct = _table_rows(transposed_tables.arithmetic_table(lang))
    assert len(transposed) == len(direct) == len(TRANSPOSED_CASES)
    for cells, equal, case in zip(transposed, direct, TRANSPOSED_CASES):
        title = transposed_tables.CASE_TITLES[lang][case.name]
        assert cells[0] == equal[0] == title
        params = [case.kernel_size, case.stride, case.padding, case.dilation]
        assert cells[1:6] == [str(v) for v in (*params, case.output_padding)]
        size = F.conv_transpose2d(
            torch.zeros(1, 1, case.input_size, case.input_size),
            torch.zeros(1, 1, case.kernel_size, case.kernel_size),
            stride=case.stride,
            padding=case.padding,
            output_padding=case.output_padding,
            dilation=case.dilation,
        ).shape[-1]
        assert cells[6] == f"{case.input_size} → **{size}**"
        assert equal[-1] == f"**{size}**"


def _page_matrices(lang: str) -> list[torch.Tensor]:
    text = PAGES[lang].read_text(encoding="utf-8")
    start = text.index(HAND_SECTION[lang])
    section = text[start : text.index("\n## ", start + 3)]
    matrices = []
    for body in re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", section, re.S):
        rows = [row.split("&") for row in body.split(r"\\")]
        if all(re.fullmatch(r"\s*-?\d+\s*", cell) for row in rows for cell in row):
            matrices.append(torch.tensor([[float(cell) for cell in row] for row in rows]))
    return matrices


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hand_computed_matrices_on_the_page_are_right(lang: str) -> None:
    x, w, *stamps, stride1, stride2 = _page_matrices(lang)
    assert x.shape == w.shape == (2, 2) and len(stamps) == 4
    for (i, j), stamp in zip([(0, 0), (0, 1), (1, 0), (1, 1)], stamps):
        expected = torch.zeros(3, 3)
        expected[i : i + 2, j : j + 2] = x[i, j] * w
        assert torch.equal(stamp, expected)
    assert torch.equal(sum(stamps), stride1)
    for stride, y in ((1, stride1), (2, stride2)):
        assert torch.equal(y, F.conv_transpose2d(x[None, None], w[None, None], stride=stride)[0, 0])


# --- the parameter table ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("in_channels", "out_channels", "kernel_size", "groups"),
    [(16, 4, 3, 1), (4, 16, 3, 1), (6, 4, 3, 2), (3, 8, (2, 5), 1)],
)
def test_default_init_bound_is_one_over_sqrt_out_channels_times_k(
    in_channels, out_channels, kernel_size, groups
) -> None:
    torch.manual_seed(0)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    bound = 1 / math.sqrt(out_channels // groups * kh * kw)  # fan_in of a transposed conv
    wrong = 1 / math.sqrt(in_channels // groups * kh * kw)  # what a Conv2d would use
    layer = nn.ConvTranspose2d(in_channels, out_channels, kernel_size, groups=groups)
    weights, biases = [], []
    for _ in range(300):
        layer.reset_parameters()
        weights.append(layer.weight.detach().flatten().clone())
        biases.append(layer.bias.detach().flatten().clone())
    weights, biases = torch.cat(weights), torch.cat(biases)
    for values in (weights, biases):
        assert values.abs().max() <= bound
        assert values.abs().max() >= 0.99 * bound  # uniform up to the bound, not below it
        assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert abs(weights.abs().max() - wrong) > 0.1 * bound  # the test tells the two apart


def test_signature_on_the_page_is_torchs() -> None:
    signature = inspect.signature(nn.ConvTranspose2d.__init__)
    expected = [
        name if parameter.default is inspect.Parameter.empty else f"{name}={parameter.default!r}"
        for name, parameter in signature.parameters.items()
        if name != "self"
    ]
    expected = [item.replace("'", '"') for item in expected]
    for page in PAGES.values():
        text = page.read_text(encoding="utf-8")
        block = re.search(r"```text\n(nn\.ConvTranspose2d\(.*?\))\n```", text, re.S)[1]
        shown = [item.strip() for item in block.removeprefix("nn.ConvTranspose2d(")[:-1].split(",")]
        assert shown == expected


def test_groups_must_divide_both_channel_counts() -> None:
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.ConvTranspose2d(6, 3, 3, groups=2)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.ConvTranspose2d(3, 6, 3, groups=2)


def test_bias_reaches_the_rows_output_padding_adds() -> None:
    layer = nn.ConvTranspose2d(1, 2, 3, stride=2, output_padding=1)
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.copy_(torch.tensor([0.5, -2.0]))
        y = layer(torch.ones(1, 1, 3, 3))
    assert y.shape[-1] == 8
    assert torch.equal(y[0, :, -1], layer.bias[:, None].expand(2, 8).detach())


def test_padding_valid_fails_like_same() -> None:
    layer = nn.ConvTranspose2d(1, 1, 3, padding="valid")
    assert layer.padding == tuple("valid")
    with pytest.raises(TypeError, match=r"argument 'padding' .* must be tuple of ints"):
        layer(torch.zeros(1, 1, 5, 5))


def test_half_padding_keeps_the_size_at_stride_one() -> None:
    for k, d in ((3, 1), (5, 1), (3, 2)):
        layer = nn.ConvTranspose2d(1, 1, k, padding=d * (k - 1) // 2, dilation=d)
        assert layer(torch.zeros(1, 1, 7, 7)).shape[-1] == 7
