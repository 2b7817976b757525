"""Claims of the mistakes page checked against PyTorch beyond what its samples assert."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from convnotes.shapes import conv_padding


@pytest.mark.parametrize("k, d", [(2, 1), (3, 1), (4, 1), (4, 2), (5, 3)])
def test_conv_padding_is_what_same_pads_and_the_odd_extra_goes_right(k: int, d: int) -> None:
    torch.manual_seed(0)
    x, w = torch.randn(1, 1, 9, 9), torch.randn(1, 1, k, k)
    (top, bottom), (left, right) = conv_padding("same", (k, k), 1, d)
    assert top + bottom == d * (k - 1) and bottom - top in (0, 1)
    padded = F.conv2d(F.pad(x, (left, right, top, bottom)), w, dilation=d)
    torch.testing.assert_close(F.conv2d(x, w, padding="same", dilation=d), padded)


def test_same_is_refused_with_a_stride_by_the_functional_call_too() -> None:
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), stride=2, padding="same")
