"""Claims of the checkerboard page checked beyond its samples: against torch and by counting.

The samples (docs_src/checkerboard/*.py) assert one case each; here the same statements are
checked over several scales, kernel sizes and stacks.
"""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

DOUBLE = torch.float64


def _tent_kernel(scale: int) -> torch.Tensor:
    """Bilinear weights from their definition: the weight of a source pixel for each output
    pixel of ``F.interpolate(align_corners=False)``, read off torch with unit impulses."""
    n = 5
    centre = torch.zeros(1, 1, n, n, dtype=DOUBLE)
    centre[0, 0, n // 2, n // 2] = 1
    up = F.interpolate(centre, scale_factor=scale, mode="bilinear", align_corners=False)[0, 0]
    rows = up.abs().sum(dim=1).nonzero().flatten()
    return up[rows][:, rows]


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_fcn_bilinear_kernel_is_interpolates_impulse_response(scale):
    from convnotes.figures.checkerboard import bilinear_geometry, bilinear_kernel

    k, _ = bilinear_geometry(scale)
    assert k == (2 * scale if scale % 2 == 0 else 2 * scale - 1)
    expected = _tent_kernel(scale)
    assert expected.shape == (k, k)
    torch.testing.assert_close(torch.from_numpy(bilinear_kernel(scale)), expected)


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("size", [5, 8])
def test_bilinear_transposed_equals_interpolate_inside_and_differs_on_the_border(scale, size):
    from convnotes.figures.checkerboard import bilinear_geometry, bilinear_kernel

    _, p = bilinear_geometry(scale)
    w = torch.from_numpy(bilinear_kernel(scale))[None, None]
    x = torch.rand(1, 1, size, size, dtype=DOUBLE, generator=torch.Generator().manual_seed(1))
    x = x + 0.5  # positive: every border pixel loses weight
    ours = F.conv_transpose2d(x, w, stride=scale, padding=p)
    resized = F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)
    assert ours.shape == resized.shape
    diff = (ours - resized).abs()[0, 0]
    inner = diff[p : diff.shape[0] - p, p : diff.shape[1] - p]
    assert inner.max() < 1e-12
    # every pixel of the outer p rows and columns differs (transposed conv is smaller there)
    border = torch.ones_like(diff, dtype=torch.bool)
    border[p : diff.shape[0] - p, p : diff.shape[1] - p] = False
    assert (diff[border] > 1e-3).all()
    assert ((ours - resized)[0, 0][border] < 0).all()
    # the difference is the padding: replicate the edge and they agree everywhere
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    fixed = F.conv_transpose2d(padded, w, stride=scale, padding=p + scale)
    torch.testing.assert_close(fixed, resized, atol=1e-12, rtol=0)


def test_all_ones_border_values_for_scale_2():
    import numpy as np

    from convnotes.figures.checkerboard import bilinear_transposed

    up = bilinear_transposed(np.ones((6, 6)), 2)
    assert up[0, 0] == up[-1, -1] == 0.75**2
    assert (up[0, 1:-1] == 0.75).all() and (up[1:-1, 0] == 0.75).all()
    assert (up[1:-1, 1:-1] == 1).all()


def _subpixel_to_transposed(w: torch.Tensor, r: int) -> torch.Tensor:
    """The rearrangement the subpixel sample uses (odd m, padding m // 2)."""
    c_r2, c_in, m, _ = w.shape
    c_out = c_r2 // (r * r)
    return (
        w.reshape(c_out, r, r, c_in, m, m)
        .flip(-2, -1)
        .permute(3, 0, 4, 1, 5, 2)
        .reshape(c_in, c_out, m * r, m * r)
    )


@pytest.mark.parametrize(("r", "m"), [(2, 1), (2, 3), (3, 3), (2, 5)])
def test_subpixel_conv_is_a_stride_r_transposed_conv(r, m):
    gen = torch.Generator().manual_seed(r * 10 + m)
    c_in, c_out = 2, 3
    w = torch.randn(c_out * r * r, c_in, m, m, dtype=DOUBLE, generator=gen)
    x = torch.randn(1, c_in, 6, 5, dtype=DOUBLE, generator=gen)
    y = F.pixel_shuffle(F.conv2d(x, w, padding=m // 2), r)
    w_t = _subpixel_to_transposed(w, r)
    y_t = F.conv_transpose2d(x, w_t, stride=r, padding=r * (m // 2))
    torch.testing.assert_close(y_t, y, atol=1e-12, rtol=0)
    # a bijection: every transposed weight entry comes from exactly one conv entry
    index = torch.arange(w.numel(), dtype=DOUBLE).reshape(w.shape)
    assert sorted(_subpixel_to_transposed(index, r).flatten().tolist()) == index.flatten().tolist()


@pytest.mark.parametrize("r", [2, 3])
def test_icnr_init_is_conv_then_nearest_resize(r):
    gen = torch.Generator().manual_seed(r)
    kernel = torch.randn(3, 2, 3, 3, dtype=DOUBLE, generator=gen)
    x = torch.randn(1, 2, 5, 7, dtype=DOUBLE, generator=gen)
    icnr = kernel.repeat_interleave(r * r, dim=0)
    y = F.pixel_shuffle(F.conv2d(x, icnr, padding=1), r)
    expected = F.interpolate(F.conv2d(x, kernel, padding=1), scale_factor=r, mode="nearest")
    torch.testing.assert_close(y, expected, atol=1e-12, rtol=0)


def _stack_counts_by_hand(layers, n):
    """Tap counts of a stack by counting paths: an input pixel reaches output t through one
    tap per layer, t = (…((i·s₁ + u₁)·s₂ + u₂)…)."""
    size = n
    for k, s in layers:
        size = (size - 1) * s + k
    counts = [0] * size
    for i in range(n):
        for taps in itertools.product(*(range(k) for k, _ in layers)):
            t = i
            for (_, s), u in zip(layers, taps):
                t = t * s + u
            counts[t] += 1
    return counts


STACKS = [
    [(3, 2)],
    [(3, 2), (3, 2)],
    [(3, 2), (3, 2), (3, 2)],
    [(3, 2), (4, 2)],
    [(3, 2), (2, 2)],
    [(3, 2), (6, 2)],
    [(3, 2), (2, 1)],
]


@pytest.mark.parametrize("layers", STACKS, ids=str)
def test_stack_interior_is_the_phase_sums_of_the_composed_kernel(layers):
    from convnotes.figures.checkerboard import (
        composed_kernel,
        interior_values,
        stacked_overlap_1d,
        stacked_overlap_2d,
    )

    layers = tuple(layers)
    n = 12
    by_hand = _stack_counts_by_hand(layers, n)
    assert stacked_overlap_1d(layers, n).tolist() == by_hand
    kernel, stride = composed_kernel(layers)
    assert len(kernel) - 1 < (n - 1) * stride  # the interior below is not empty
    inner = by_hand[len(kernel) - 1 : (n - 1) * stride + 1]
    values = interior_values(layers)
    assert inner == [values[t % stride] for t in range(len(kernel) - 1, (n - 1) * stride + 1)]
    grid = stacked_overlap_2d(layers, 6)
    line = stacked_overlap_1d(layers, 6)
    assert (grid == line[:, None] * line[None, :]).all()


def test_the_ratios_the_page_states():
    from convnotes.figures.checkerboard import interior_values

    ratios = {}
    for layers in STACKS:
        values = interior_values(tuple(layers))
        ratios[tuple(layers)] = (max(values) / min(values)) ** 2  # 2-D
    assert [ratios[((3, 2),) * d] for d in (1, 2, 3)] == [4, 9, 25]
    assert ratios[((3, 2), (4, 2))] == 1
    assert ratios[((3, 2), (2, 1))] == 1
    assert ratios[((3, 2), (2, 2))] == 4
    assert ratios[((3, 2), (6, 2))] == 25 / 16
