"""Claims of the output_padding page that its samples do not assert themselves, against PyTorch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
import torch.nn as nn

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {"zh": DOCS / "output-padding.zh.md", "en": DOCS / "output-padding.en.md"}


def _rows(lang: str, first_cell: str) -> list[list[str]]:
    """The cells of every table row on the page whose first cell starts with ``first_cell``."""
    rows = []
    for line in PAGES[lang].read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith(first_cell):
            rows.append(cells)
    return rows


def _conv_size(i: int, k: int = 3, s: int = 2, p: int = 1, d: int = 1) -> int:
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    return conv(torch.zeros(1, 1, i, i)).shape[-1]


@pytest.mark.parametrize(
    ("lang", "label_in", "label_out"),
    [
        ("zh", "卷积输入", "卷积输出"),
        ("en", "conv input", "conv output"),
    ],
)
def test_many_sizes_to_one_table(lang: str, label_in: str, label_out: str) -> None:
    (inputs,), (outputs,) = _rows(lang, label_in), _rows(lang, label_out)
    assert len(inputs) == len(outputs) > 3
    for i, o in zip(inputs[1:], outputs[1:]):
        assert _conv_size(int(i)) == int(o)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_padding_and_output_padding_choices(lang: str) -> None:
    rows = [cells for cells in _rows(lang, "") if re.fullmatch(r"\d+ → \d+", cells[0])]
    assert len(rows) == 3
    for target, t_cell, p, a in rows:
        i, o = (int(n) for n in target.split(" → "))
        up = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=int(p), output_padding=int(a))
        assert up(torch.zeros(1, 1, i, i)).shape[-1] == o
        assert t_cell.strip("$ ").endswith(f"= {2 * int(p) - int(a)}")  # t = 2p - a


def test_dilation_allowance_goes_past_the_conv_inverse() -> None:
    up = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=2, output_padding=1)
    assert up(torch.zeros(1, 1, 5, 5)).shape[-1] == 10
    assert _conv_size(10, k=3, s=1, p=0, d=2) == 6  # not back to 5


def test_rule_is_per_dimension_and_checked_at_the_call() -> None:
    up = nn.ConvTranspose2d(1, 1, 3, stride=(2, 1), dilation=1, output_padding=(1, 1))
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride"):
        up(torch.zeros(1, 1, 5, 5))


def test_output_size_overrides_the_constructors_output_padding() -> None:
    up = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)
    assert up(torch.zeros(1, 1, 33, 33)).shape[-1] == 66
    assert up(torch.zeros(1, 1, 33, 33), output_size=(65, 65)).shape[-1] == 65


def test_output_size_range_ignores_the_dilation_allowance() -> None:
    up = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=2)
    with pytest.raises(ValueError, match="valid sizes range from"):
        up(torch.zeros(1, 1, 5, 5), output_size=(10, 10))
