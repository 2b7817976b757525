"""Claims of the convolution page that its samples do not assert themselves.

Checked against PyTorch and NumPy: cross-correlation against np.correlate and np.convolve
in both modes for many lengths, the padding-mode table as printed in both languages,
padding_mode as F.pad followed by an unpadded conv, the limits of reflect and circular
padding, how "same" splits an odd total, and that "same" refuses a stride.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {lang: DOCS / f"convolution.{lang}.md" for lang in ("zh", "en")}
# padding_mode of nn.Conv2d -> mode of F.pad
F_PAD_NAME = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


def _conv1d(x: np.ndarray, w: np.ndarray, padding: int = 0) -> np.ndarray:
    as_tensor = lambda a: torch.from_numpy(a.copy()).view(1, 1, -1)  # noqa: E731
    return F.conv1d(as_tensor(x), as_tensor(w), padding=padding).flatten().numpy()


@pytest.mark.parametrize(("n", "k"), [(n, k) for n in (1, 2, 5, 9) for k in (1, 2, 3, 4) if k <= n])
def test_conv1d_is_correlate_and_flipped_conv1d_is_convolve(n: int, k: int) -> None:
    rng = np.random.default_rng(n * 10 + k)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    np.testing.assert_allclose(_conv1d(x, w), np.correlate(x, w, mode="valid"))
    np.testing.assert_allclose(_conv1d(x, w[::-1]), np.convolve(x, w, mode="valid"))
    full = np.convolve(x, w)  # NumPy's default mode
    assert len(full) == n + k - 1
    np.testing.assert_allclose(_conv1d(x, w[::-1], padding=k - 1), full)
    if k > 1:  # without padding, conv1d never gives the full result
        assert len(_conv1d(x, w[::-1])) != len(full)


def _padding_table(page: Path) -> dict[str, list[float]]:
    """``{mode: padded values}`` from the page's table rows ``| `mode` | 0 0 **1 2 3 4** 0 0 |``."""
    rows = re.findall(r"^\| `(\w+)` \| ([\d *]+) \|", page.read_text(encoding="utf-8"), re.M)
    return {mode: [float(v) for v in values.replace("*", " ").split()] for mode, values in rows}


@pytest.mark.parametrize("lang", PAGES)
def test_padding_mode_table_is_what_f_pad_gives(lang: str) -> None:
    table = _padding_table(PAGES[lang])
    assert set(table) == set(F_PAD_NAME)
    signal = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    for mode, values in table.items():
        assert F.pad(signal, (2, 2), mode=F_PAD_NAME[mode])[0, 0].tolist() == values, mode


@pytest.mark.parametrize("mode", F_PAD_NAME)
def test_padding_mode_is_f_pad_then_a_conv_without_padding(mode: str) -> None:
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode, dtype=torch.float64)
    x = torch.randn(1, 2, 5, 6, dtype=torch.float64)
    padded = F.pad(x, (2, 2, 1, 1), mode=F_PAD_NAME[mode])  # (left, right, top, bottom)
    torch.testing.assert_close(layer(x), F.conv2d(padded, layer.weight, layer.bias))


def test_reflect_needs_less_than_the_length_and_circular_at_most_the_length() -> None:
    x = torch.randn(1, 1, 4)
    F.pad(x, (3, 3), mode="reflect")
    with pytest.raises(RuntimeError):
        F.pad(x, (4, 4), mode="reflect")
    F.pad(x, (4, 4), mode="circular")
    with pytest.raises(RuntimeError):
        F.pad(x, (5, 5), mode="circular")


@pytest.mark.parametrize("k", range(1, 8))
@pytest.mark.parametrize("d", [1, 2, 3])
def test_same_pads_the_extra_one_on_the_right(k: int, d: int) -> None:
    total = d * (k - 1)
    left = total // 2
    x, w = torch.randn(1, 1, 2 * total + 3), torch.randn(1, 1, k)
    with warnings.catch_warnings():  # torch warns that an odd total costs a padded copy
        warnings.simplefilter("ignore")
        same = F.conv1d(x, w, padding="same", dilation=d)
    assert same.shape == x.shape
    torch.testing.assert_close(same, F.conv1d(F.pad(x, (left, total - left)), w, dilation=d))


def test_same_padding_refuses_a_stride() -> None:
    with pytest.raises(ValueError, match="padding='same'"):
        torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="padding='same'"):
        F.conv2d(torch.randn(1, 1, 5, 5), torch.randn(1, 1, 3, 3), stride=2, padding="same")
