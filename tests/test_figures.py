"""Tests of the asset generators: their content is checked by properties, never by stored
images; torch's own convolution is the oracle where numbers are involved."""

from __future__ import annotations

import importlib.util
import io
import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as torch_F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convnotes import shapes
from convnotes.errors import ConvArgumentError
from convnotes.figures import (
    _render,
    animation,
    build_assets,
    checkerboard,
    learned,
    matrix,
    multichannel,
    photo,
    tables,
)
from convnotes.figures.build import select_assets
from convnotes.figures.cache import MANIFEST_NAME
from convnotes.figures.registry import CONV_CASES, TRANSPOSED_CASES, all_assets
from convnotes.matrix import conv_matrix

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"

# Cheap assets covering every family except the CNN (tested on its own, with few epochs).
QUICK = [
    "tables/*",
    "conv-matrix-padded",
    "multichannel",
    "checkerboard-1d",
    "anim/conv-strides",
    "anim/transposed-strides-scatter",
    "anim/transposed-strides-direct",
]


# ----------------------------------------------------------------------- matrix tables


def _parse_table(text: str) -> list[list[str]]:
    rows = [line.strip("|").split("|") for line in text.strip().splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]  # skip header + alignment


def _label_value(label: str, weight: np.ndarray) -> float:
    if label == "0":
        return 0.0
    match = re.fullmatch(r"w([₀-₉])([₀-₉])", label)
    assert match, label
    u, v = (SUBSCRIPT_DIGITS.index(ch) for ch in match.groups())
    return float(weight[u, v])


@pytest.mark.parametrize(
    ("n", "k", "s", "p"), [(4, 3, 1, 0), (5, 3, 2, 0), (3, 3, 1, 1), (4, 2, 2, 1)]
)
@pytest.mark.parametrize("transposed", [False, True])
def test_matrix_table_entries_equal_conv_matrix(n, k, s, p, transposed):
    weight = torch.randn(
        1, 1, k, k, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
    )
    cells = _parse_table(matrix.matrix_table("en", n, k, s, p, transposed=transposed))
    from_table = np.array(
        [[_label_value(c, weight[0, 0].numpy()) for c in row[1:]] for row in cells]
    )
    c = conv_matrix(weight, (n, n), s, p).numpy()
    expected = c.T if transposed else c
    np.testing.assert_array_equal(from_table, expected)
    # The table itself is the convolution: C x equals torch's conv2d.
    x = torch.randn(1, 1, n, n, dtype=torch.float64)
    y = torch_F.conv2d(x, weight, stride=s, padding=p).flatten().numpy()
    c_table = from_table.T if transposed else from_table
    np.testing.assert_allclose(c_table @ x.flatten().numpy(), y, atol=1e-12)


def test_matrix_tables_per_language_differ_only_in_words():
    zh, en = (matrix.matrix_table(lang, 4, 3) for lang in ("zh", "en"))
    assert _parse_table(zh) == _parse_table(en)
    assert "输出" in zh and "output" in en


# ------------------------------------------------------------------ overlap / gradient


def _brute_force_overlap(n: int, k: int, s: int, ndim: int) -> np.ndarray:
    """For each output pixel, the number of (input pixel, kernel tap) pairs landing on it."""
    size = (n - 1) * s + k
    counts = np.zeros((size,) * ndim, dtype=int)
    for pixel in itertools.product(range(n), repeat=ndim):
        for tap in itertools.product(range(k), repeat=ndim):
            counts[tuple(i * s + u for i, u in zip(pixel, tap))] += 1
    return counts


@pytest.mark.parametrize(("k", "s"), [*checkerboard.CASES, (1, 3), (6, 4)])
@pytest.mark.parametrize("n", [1, 3, 5])
def test_overlap_maps_equal_brute_force_counts(k, s, n):
    np.testing.assert_array_equal(
        checkerboard.overlap_1d(k, s, n), _brute_force_overlap(n, k, s, 1)
    )
    np.testing.assert_array_equal(
        checkerboard.overlap_2d(k, s, n), _brute_force_overlap(n, k, s, 2)
    )


def test_overlap_table_matches_brute_force_interior():
    rows = _parse_table(checkerboard.overlap_table("en", input_size=8))
    for row, (k, s) in zip(rows, checkerboard.CASES):
        counts = _brute_force_overlap(8, k, s, 2)
        inner = counts[k - 1 : 7 * s + 1, k - 1 : 7 * s + 1]
        assert (int(row[5]), int(row[6])) == (inner.min(), inner.max())
        assert (row[8] == "yes") == (k % s == 0 or k <= s)  # even iff s divides k (or no overlap)


@pytest.mark.parametrize(("k", "s"), [(3, 2), (4, 2), (2, 3)])
def test_conv_gradient_counts_windows_reading_each_pixel(k, s):
    n = 9
    o = shapes.conv_output_size(n, k, s)
    expected = np.zeros((n, n), dtype=int)
    for r, c in itertools.product(range(o), repeat=2):
        expected[r * s : r * s + k, c * s : c * s + k] += 1
    np.testing.assert_array_equal(checkerboard.conv_input_gradient(n, k, s), expected)


@pytest.mark.parametrize("layers", checkerboard.STACKS, ids=checkerboard.stack_label)
def test_stacked_window_is_interior_phase_sums(layers):
    window = checkerboard.stacked_window(layers, 8)
    values = np.array(checkerboard.interior_values(layers))
    line = values[np.arange(8) % len(values)]  # the window starts at phase 0
    np.testing.assert_array_equal(window, np.outer(line, line))


def test_stacks_reject_empty_or_bad_layers():
    with pytest.raises(ValueError, match="at least one"):
        checkerboard.composed_kernel(())
    with pytest.raises(ValueError, match="stride must be ≥ 1"):
        checkerboard.stacked_overlap_1d(((3, 0),), 4)


@pytest.mark.parametrize("scale", [1, 2, 3, 4, 5])
def test_bilinear_geometry_multiplies_the_size_by_the_scale(scale):
    k, p = checkerboard.bilinear_geometry(scale)
    for n in (1, 4, 7):
        assert shapes.conv_transpose_output_size(n, k, scale, p) == scale * n
    np.testing.assert_allclose(checkerboard.bilinear_kernel(scale).sum(), scale * scale)


def test_bilinear_geometry_rejects_scale_below_one():
    with pytest.raises(ValueError, match="scale must be an integer ≥ 1"):
        checkerboard.bilinear_geometry(0)


def test_bilinear_table_rows_are_measured_differences():
    zh, en = (_parse_table(checkerboard.bilinear_table(lang)) for lang in ("zh", "en"))
    assert zh == en
    for row, s in zip(en, checkerboard.BILINEAR_SCALES):
        inner, edge, width = checkerboard.bilinear_differences(checkerboard._random_image(), s)
        assert (int(row[0]), int(row[3])) == (s, width)
        assert float(row[4]) == pytest.approx(inner, rel=0.5) and inner < 1e-12
        assert float(row[5]) == pytest.approx(edge, abs=1e-3) and edge > 0.1
        # the corner of an all-ones image: below 1 (torch's interpolate gives 1)
        ones = torch.ones(1, 1, 4, 4, dtype=torch.float64)
        _, p = checkerboard.bilinear_geometry(s)
        w = torch.from_numpy(checkerboard.bilinear_kernel(s))[None, None]
        corner = torch_F.conv_transpose2d(ones, w, stride=s, padding=p)[0, 0, 0, 0].item()
        assert float(row[6]) == pytest.approx(corner, abs=1e-4) and corner < 1


def test_subpixel_panels_random_init_is_periodic_and_icnr_is_conv_then_nearest():
    flat = np.ones((10, 10))
    (_, transposed), (_, random_init), (_, icnr) = checkerboard.subpixel_panels(flat)
    assert transposed.shape == random_init.shape == icnr.shape == (20, 20)
    inner = [panel[2:-2, 2:-2] for panel in (transposed, random_init, icnr)]
    for panel in inner[:2]:  # period 2, not flat
        assert np.ptp(panel) > 0.1
        np.testing.assert_allclose(panel[2:], panel[:-2], atol=1e-12)
        np.testing.assert_allclose(panel[:, 2:], panel[:, :-2], atol=1e-12)
    assert np.ptp(inner[2]) < 1e-12
    # ICNR on any image: the conv with the one kernel, then nearest-neighbour ×2
    image = np.random.default_rng(0).uniform(size=(5, 7))
    *_, (_, icnr) = checkerboard.subpixel_panels(image)
    gen = torch.Generator().manual_seed(0)
    torch.randn(1, 1, 3, 3, dtype=torch.float64, generator=gen)  # the transposed conv's draw
    kernel = torch.randn(4, 1, 3, 3, dtype=torch.float64, generator=gen)[:1]
    low = torch_F.conv2d(torch.from_numpy(image)[None, None], kernel, padding=1)
    expected = torch_F.interpolate(low, scale_factor=2, mode="nearest")[0, 0].numpy()
    np.testing.assert_allclose(icnr, expected, atol=1e-12)


# --------------------------------------------------------------------------- animations


def _positions(case) -> int:
    """Kernel positions from convnotes.shapes: one per output pixel (conv, direct view) or
    one per input pixel (scatter view: one kernel copy each)."""
    args = (case["input_size"], case["kernel_size"], case["stride"], case["padding"])
    if not case["transposed"]:
        return shapes.conv_output_size(*args, case["dilation"]) ** 2
    if case["view"] == "scatter":
        return case["input_size"] ** 2
    return shapes.conv_transpose_output_size(*args, case["output_padding"], case["dilation"]) ** 2


def _check_plan(case: dict) -> None:
    plan = animation.plan_animation(**case)
    assert len(plan.frames) == _positions(case)
    n, k, s, p = case["input_size"], case["kernel_size"], case["stride"], case["padding"]
    d, a = case["dilation"], case["output_padding"]
    x, w = animation.example_values(n, k)
    tx, tw = torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None]
    last = plan.frames[-1].right_values
    if not case["transposed"]:
        expected = torch_F.conv2d(tx, tw, stride=s, padding=p, dilation=d)[0, 0].numpy()
        np.testing.assert_allclose(last, expected)
        assert plan.left.size == n + 2 * p
        return
    expected = torch_F.conv_transpose2d(tx, tw, stride=s, padding=p, output_padding=a, dilation=d)[
        0, 0
    ].numpy()
    o = expected.shape[0]
    if case["view"] == "direct":
        np.testing.assert_allclose(last, expected)
        # The stretched input is exactly the size a stride-1 conv needs to give o.
        assert shapes.conv_output_size(plan.left.size, k, 1, 0, d) == o
        # Data pixels sit at i·s on the stretched line, padded by q = d(k−1) − p before and
        # q + a after; a negative amount crops, and cropped pixels are not shown.
        q, length = d * (k - 1) - p, (n - 1) * s + 1
        shown = sum(max(-q, 0) <= i * s < length - max(-(q + a), 0) for i in range(n))
        assert (plan.left.kinds == animation.DATA).sum() == shown**2
        assert (plan.left.values[plan.left.kinds == animation.ZERO] == 0).all()
        np.testing.assert_array_equal(plan.kernel.values, w[::-1, ::-1])
    else:
        np.testing.assert_allclose(last[p : p + o, p : p + o], expected)
        kinds = plan.right.kinds
        assert ((kinds == animation.OUT) | (kinds == animation.OUTPAD)).sum() == o * o


@pytest.mark.parametrize("asset", [a for a in all_assets() if a.name.startswith("anim/")], ids=str)
def test_registry_animations_have_one_frame_per_kernel_position(asset):
    params = {key: v for key, v in asset.params.items() if key != "name"}
    params.setdefault("view", "scatter")
    _check_plan(params)


def test_every_guide_case_is_registered_in_both_views():
    names = {a.name for a in all_assets()}
    for case in CONV_CASES:
        assert f"anim/{case.name}" in names
    for case in TRANSPOSED_CASES:
        assert {f"anim/{case.name}-scatter", f"anim/{case.name}-direct"} <= names


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 5),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    p=st.integers(0, 3),
    d=st.integers(1, 2),
    a=st.integers(0, 2),
    view=st.sampled_from(["scatter", "direct"]),
    transposed=st.booleans(),
)
def test_any_valid_case_animates_correctly(n, k, s, p, d, a, view, transposed):
    case = dict(
        input_size=n,
        kernel_size=k,
        stride=s,
        padding=p,
        dilation=d,
        output_padding=a if transposed else 0,
        transposed=transposed,
        view=view,
    )
    try:
        if transposed:
            shapes.conv_transpose_output_size(n, k, s, p, case["output_padding"], d)
        else:
            shapes.conv_output_size(n, k, s, p, d)
    except ConvArgumentError:
        with pytest.raises(ConvArgumentError):
            animation.plan_animation(**case)
        return
    _check_plan(case)


def test_gif_frame_count_and_strip():
    from PIL import Image

    plan = animation.plan_animation(3, 3, 2, 1, 1, 1, transposed=True, view="direct")
    files = animation.animation_files(plan, "anim/t", cell=20)
    with Image.open(io.BytesIO(files["anim/t.gif"])) as gif:
        assert (
            gif.n_frames
            == len(plan.frames)
            == shapes.conv_transpose_output_size(3, 3, 2, 1, 1) ** 2
        )
    with Image.open(io.BytesIO(files["anim/t-strip.png"])) as strip:
        assert strip.format == "PNG"
    # dark-page variants: same frames on the dark background, same recorded text size
    pairs = (("anim/t.gif", "anim/t.dark.gif"), ("anim/t-strip.png", "anim/t-strip.dark.png"))
    for light, dark in pairs:
        with Image.open(io.BytesIO(files[light])) as a, Image.open(io.BytesIO(files[dark])) as b:
            assert a.size == b.size
            assert min(a.convert("RGB").getpixel((1, 1))) > 240  # white, up to the palette
            assert max(b.convert("RGB").getpixel((1, 1))) < 60
            key = _render.MIN_FONT_KEY
            recorded = a.info[key] if key in a.info else a.info["comment"].decode().split("=")[1]
            # 20 px cells: values at max(9, 20·2/5) = 9 px are the smallest text
            assert float(recorded) == animation.smallest_font_px(20) == 9


def test_strip_frames_keep_first_and_last():
    assert animation.strip_frames(5) == [0, 1, 2, 3, 4]
    chosen = animation.strip_frames(49, limit=12)
    assert chosen[0] == 0 and chosen[-1] == 48 and len(chosen) == 12


# ------------------------------------------------------------------------ photo panels


@pytest.fixture(scope="module")
def small_photo():
    return photo.load_photo(size=24)


def test_photo_random_conv_panels_have_formula_shapes(small_photo):
    h, w = small_photo.shape[:2]
    panels = photo.random_conv_panels(small_photo, out_channels=2)
    assert panels[0][1].shape == (h, w, 3)
    for _, panel in panels[1:]:
        assert panel.shape == shapes.conv_output_size((h, w), 3)


def test_photo_kernel_panels_have_formula_shapes_and_match_torch(small_photo):
    gray = small_photo.mean(axis=2)
    for _, kernel, response in photo.kernel_panels(gray):
        k = kernel.shape[0]
        assert response.shape == shapes.conv_output_size(gray.shape, k)
    _, kernel, response = photo.kernel_panels(gray)[0]
    expected = torch_F.conv2d(
        torch.from_numpy(gray)[None, None], torch.from_numpy(kernel)[None, None]
    )
    np.testing.assert_allclose(response, expected[0, 0].numpy(), atol=1e-12)


def test_photo_transposed_panel_has_formula_shape(small_photo):
    (_, x), (_, y) = photo.transposed_panels(small_photo)
    assert y.shape == shapes.conv_transpose_output_size(x.shape[:2], 3, 2)


def test_resize_conv_panels_sizes(small_photo):
    gray = small_photo.mean(axis=2)
    _, transposed, resized = (panel for _, panel in checkerboard.resize_conv_panels(gray))
    assert transposed.shape == shapes.conv_transpose_output_size(gray.shape, 3, 2)
    assert resized.shape == tuple(2 * n for n in gray.shape)


# ---------------------------------------------------------------- multichannel / groups


def test_multichannel_sum_of_slices_plus_bias_is_the_output():
    x, w, b, slices, y = multichannel.multichannel_data()
    np.testing.assert_allclose(sum(slices) + b[0], y[0])
    oracle = torch_F.conv2d(*(torch.from_numpy(t) for t in (x[None], w, b)))
    np.testing.assert_allclose(y, oracle[0].numpy())


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_connectivity(groups):
    links = multichannel.group_connectivity(4, groups)
    per = 4 // groups
    expected = np.array([[j // per == c // per for c in range(4)] for j in range(4)])
    np.testing.assert_array_equal(links, expected)
    assert multichannel.weight_shape(4, groups) == (4, 4 // groups, 2, 2)


# ---------------------------------------------------------------------- tables / shapes


def test_size_tables_agree_with_torch():
    rows = _parse_table(tables.conv_sizes_table("en", inputs=(5, 8)))
    for row, (k, s, p, d) in zip(rows, tables.CONV_SETTINGS):
        for cell, i in zip(row[4:], (5, 8)):
            x = torch.zeros(1, 1, i)
            try:
                o = torch_F.conv1d(x, torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[
                    -1
                ]
            except RuntimeError:
                assert cell == tables.INVALID
            else:
                assert cell == str(o)
    rows = _parse_table(tables.transpose_sizes_table("en", inputs=(3, 4)))
    for row, (k, s, p, a) in zip(rows, tables.TRANSPOSE_SETTINGS):
        for cell, i in zip(row[4:], (3, 4)):
            y = torch_F.conv_transpose1d(
                torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, output_padding=a
            )
            assert cell == str(y.shape[-1])


def test_double_and_halve_settings_are_exactly_the_derived_ones():
    # o = (i-1)·2 − 2p + k + a = 2i  ⇔  k + a − 2p = 2, with a < s = 2.
    derived = [
        (k, 2, p, a) for k in range(1, 8) for p in range(4) for a in (0, 1) if k + a - 2 * p == 2
    ]
    assert tables.doubling_settings() == derived
    # ⌊(i + 2p − k)/2⌋ + 1 = i/2 for even i  ⇔  ⌊(2p − k)/2⌋ = −1  ⇔  k ∈ {2p + 1, 2p + 2}.
    halving = [(k, 2, p) for k in range(1, 8) for p in range(4) if k in (2 * p + 1, 2 * p + 2)]
    assert tables.halving_settings() == halving


# -------------------------------------------------------------------- learned kernels


def _orientation_strength(gray: np.ndarray, size: int = 32) -> float:
    """|Σ P(f) e^{2iθ(f)}| / Σ P(f) over the 2-D power spectrum P of a kernel (DC removed):
    1 when all energy lies along one orientation θ, near 0 when it is spread over all."""
    power = np.abs(np.fft.fft2(gray - gray.mean(), s=(size, size))) ** 2
    freq = np.fft.fftfreq(size)
    fy, fx = np.meshgrid(freq, freq, indexing="ij")
    return float(abs((power * np.exp(2j * np.arctan2(fy, fx))).sum()) / power.sum())


def _luminance_and_colour(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A k×k×3 kernel split into its grey part (mean of R, G, B) and the rest (colour)."""
    luminance = kernel.mean(axis=-1)
    return luminance, kernel - luminance[..., None]


def _opponent_share(colour: np.ndarray) -> float:
    """Share of the colour energy on the weaker side of the kernel's main colour axis:
    0 for one hue everywhere, 0.5 for equal amounts of a hue and its opposite."""
    pixels = colour.reshape(-1, 3)
    axis = np.linalg.svd(pixels, full_matrices=False)[2][0]
    along = pixels @ axis
    positive, negative = (along[along > 0] ** 2).sum(), (along[along < 0] ** 2).sum()
    return float(min(positive, negative) / (positive + negative))


@pytest.fixture(scope="module")
def learned_kernels():
    (asset,) = [a for a in all_assets() if a.name == "learned-kernels"]
    params = dict(asset.params)
    return learned.learn_kernels(
        params["patch_size"], params["n_kernels"], params["n_patches"], params["downsample"]
    )


def test_orientation_measure_tells_gratings_from_noise():
    rows, cols = np.mgrid[0:11, 0:11]
    for angle in np.linspace(0, np.pi, 7):
        grating = np.cos(0.8 * (np.cos(angle) * cols + np.sin(angle) * rows))
        assert _orientation_strength(grating) > 0.6  # edge leakage of the 11×11 square
    noise = np.random.default_rng(0).standard_normal((64, 11, 11))
    assert max(_orientation_strength(n) for n in noise) < 0.4


def test_learned_kernels_are_mostly_oriented_edges(learned_kernels):
    grey = []
    for kernel in learned_kernels.kernels:
        luminance, colour = _luminance_and_colour(kernel)
        if 3 * (luminance**2).sum() >= (colour**2).sum():
            grey.append(_orientation_strength(luminance))
    assert len(grey) >= len(learned_kernels.kernels) // 2
    oriented = sum(strength > 0.4 for strength in grey)
    assert oriented >= 0.75 * len(grey), sorted(grey)


def test_learned_kernels_include_colour_blobs_and_colour_opponent_kernels(learned_kernels):
    colour_kernels = []
    for kernel in learned_kernels.kernels:
        luminance, colour = _luminance_and_colour(kernel)
        if (colour**2).sum() > 3 * (luminance**2).sum():
            colour_kernels.append(colour)
    assert len(colour_kernels) >= 5
    assert sum(_opponent_share(colour) > 0.25 for colour in colour_kernels) >= 5


def test_learned_kernels_are_reproducible_and_their_table_states_the_set_up():
    first = learned.learn_kernels(patch_size=6, n_kernels=8, n_patches=1500, downsample=4)
    second = learned.learn_kernels(patch_size=6, n_kernels=8, n_patches=1500, downsample=4)
    np.testing.assert_array_equal(first.kernels, second.kernels)
    assert first.kernels.shape == (8, 6, 6, 3)
    for lang in ("zh", "en"):
        table = learned.caption_table(lang, first)
        assert "6×6×3" in table and "1 500" in table and f"{first.iterations}" in table


def test_whitening_steps_do_what_their_formulas_say():
    patches = np.random.default_rng(0).standard_normal((4000, 12)) @ np.diag(np.arange(1, 13))
    normal = learned.normalize_contrast(patches, eps=0.0)
    np.testing.assert_allclose(normal.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(normal.var(axis=1), 1, atol=1e-12)
    white = learned.zca_whiten(patches, eps=0.0)
    np.testing.assert_allclose(white.T @ white / len(white), np.eye(12), atol=1e-9)
    # ZCA is the symmetric whitening matrix: of all whitenings, the closest to the input
    symmetric = np.linalg.lstsq(patches - patches.mean(0), white, rcond=None)[0]
    np.testing.assert_allclose(symmetric, symmetric.T, atol=1e-9)


def test_learned_kernel_inputs_are_checked():
    with pytest.raises(ValueError, match="downsample"):
        learned.load_photos(0)
    photos = [np.zeros((20, 30, 3))]
    with pytest.raises(ValueError, match="patch_size"):
        learned.sample_patches(photos, 21, 10, seed=0)
    with pytest.raises(ValueError, match="count"):
        learned.sample_patches(photos, 5, 0, seed=0)


# ------------------------------------------------------------------ build and the cache


def _snapshot(dest: Path, with_manifest: bool = True) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every file; the manifest records cache keys, which change
    whenever package source changes, so it is not an asset to compare across builds."""
    return {
        p.relative_to(dest).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(dest.rglob("*"))
        if p.is_file() and (with_manifest or p.name != MANIFEST_NAME)
    }


@pytest.fixture(scope="module")
def quick_builds(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    results = build_assets(first, only=QUICK)
    build_assets(second, only=QUICK)
    return first, second, results


def test_two_builds_give_identical_bytes(quick_builds):
    first, second, results = quick_builds
    assert all(r.status == "built" for r in results)
    a, b = _snapshot(first, with_manifest=False), _snapshot(second, with_manifest=False)
    assert a.keys() == b.keys() and len(a) > 10
    for name in a:
        assert a[name][0] == b[name][0], name


def test_second_run_is_a_cache_hit_and_rewrites_nothing(quick_builds):
    first, _, _ = quick_builds
    before = _snapshot(first)
    results = build_assets(first, only=QUICK)
    assert {r.status for r in results} == {"cached"}
    assert all(r.written == () for r in results)
    assert _snapshot(first) == before


def test_damaged_output_is_rebuilt_and_force_rewrites_nothing_new(quick_builds):
    _, second, _ = quick_builds
    target = second / "tables" / "conv-sizes.en.md"
    original = target.read_bytes()
    target.write_bytes(b"edited")
    results = build_assets(second, only="tables/conv-sizes")
    assert results[0].status == "built" and target.read_bytes() == original
    forced = build_assets(second, only="tables/conv-sizes", force=True)
    assert forced[0].status == "built" and forced[0].written == ()


def test_output_sizes_are_within_budget(quick_builds):
    first, _, _ = quick_builds
    for path in first.rglob("*.png"):
        assert path.stat().st_size < 150_000, path
    for path in first.rglob("*.gif"):
        assert path.stat().st_size < 600_000, path


def test_png_has_no_metadata(quick_builds):
    first, _, _ = quick_builds
    data = (first / "multichannel.png").read_bytes()
    assert b"Software" not in data and b"tIME" not in data and b"Creation" not in data


def test_only_accepts_globs_and_rejects_unknown_names():
    assets = all_assets()
    assert {a.name for a in select_assets(assets, "anim/conv-*")} == {
        f"anim/{c.name}" for c in CONV_CASES
    }
    with pytest.raises(ValueError, match="matches no asset"):
        select_assets(assets, "no-such-asset")


# ------------------------------------------------------- pages <-> registered assets

GENERATED = ROOT / "docs" / "assets" / "generated"
IMAGE_LINK = re.compile(r'(?:\]\(|src=")(?:\.\./)*assets/generated/(?P<path>[^)"\s]+)')
SNIPPET = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$', re.MULTILINE)


def referenced_generated_files() -> dict[str, set[str]]:
    """Generated file (relative to assets/generated) -> the pages that show it: image links
    and ``--8<--`` includes that are not docs_src samples."""
    used: dict[str, set[str]] = {}
    docs = ROOT / "docs"
    for page in sorted(docs.rglob("*.md")):
        relative = page.relative_to(docs).as_posix()
        if relative.startswith(("assets/generated/", "javascripts/vendor/")):
            continue
        text = page.read_text(encoding="utf-8")
        files = [m["path"] for m in IMAGE_LINK.finditer(text)]
        files += [
            m["path"]
            for m in SNIPPET.finditer(text)
            if not (ROOT / "docs_src" / m["path"]).is_file()
        ]
        for file in files:
            used.setdefault(file, set()).add(relative)
    return used


def owner(path: str, names: set[str]) -> str | None:
    """The registered asset that writes a generated file: the one named like the file
    (language and extension dropped, tables possibly under ``tables/``), or, for an asset
    that writes several files, the longest name the file's stem extends with ``-part``."""
    stem = re.sub(r"(\.(zh|en))?(\.dark)?\.(png|gif|md)$", "", path)
    candidates = [stem, stem.removeprefix("tables/")]
    for candidate in candidates:
        if candidate in names:
            return candidate
    extended = [n for n in names for c in candidates if c.startswith(f"{n}-")]
    return max(extended, key=len, default=None)


def test_owner_names_what_the_generators_really_write(quick_builds):
    _, _, results = quick_builds
    names = {a.name for a in all_assets()}
    assert results
    for result in results:
        for output in result.outputs:
            assert owner(output, names) == result.name, output


def test_every_generated_file_a_page_shows_is_registered():
    names = {a.name for a in all_assets()}
    used = referenced_generated_files()
    assert len(used) > 20
    orphans = {file: pages for file, pages in used.items() if owner(file, names) is None}
    assert not orphans, f"pages show generated files no registered asset writes: {orphans}"


def test_every_registered_asset_is_shown_on_a_page():
    names = {a.name for a in all_assets()}
    shown = {owner(file, names) for file in referenced_generated_files()}
    assert not names - shown, f"registered assets no page shows: {sorted(names - shown)}"


def test_owner_rejects_what_no_asset_writes():
    names = {"anim/conv-strides", "anim/conv-strides-odd", "speed", "tables/conv-sizes"}
    assert owner("anim/conv-strides-odd-strip.png", names) == "anim/conv-strides-odd"
    assert owner("speed-ratio-en.png", names) == "speed"
    assert owner("tables/speed.en.md", names) == "speed"
    assert owner("tables/conv-sizes.zh.md", names) == "tables/conv-sizes"
    assert owner("anim/conv-padding.gif", names) is None
    assert owner("tables/double-halve.en.md", names) is None


# ---------------------------------------------------------------------------- scripts


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def test_animate_script_writes_gif_and_strip(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "out.gif"
    args = ["--transposed", "-i", "2", "-k", "3", "-s", "2", "-p", "1", "--strip", "-o", str(out)]
    assert _script("animate").main(args) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 4
    assert (tmp_path / "out-strip.png").exists()
    assert _script("animate").main(["-i", "2", "-k", "3", "-o", str(out)]) == 2
    assert "kernel size" in capsys.readouterr().err


def test_build_script_lists_assets(capsys):
    assert _script("build_assets").main(["--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == [a.name for a in all_assets()]
