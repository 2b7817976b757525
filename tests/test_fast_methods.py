"""The fast methods (channels_last, depthwise, winograd, fft, phase, auto) against torch.

``tests/test_functional.py`` already runs every registered method, these included, on
small random valid and invalid calls. Here each algorithm gets calls that take its own
path (3x3 stride 1 for Winograd, groups == C_in for depthwise, large kernels for the FFT,
chunked buffers for channels_last, stride 1 for phase's ordinary conv), in float64 and
float32, with gradients.

Tolerances. Channels-last and depthwise do the same multiply-adds as a direct conv in
another order, so in float64 they agree with torch to 1e-10. Winograd and the FFT
are exact only in exact arithmetic: they are held to 1e-9 of the output's scale in
float64. In float32 every method is held to the standard error bound of a sum of ``K``
products, ``|y - y_exact| <= K * eps * (|w| * |x|)`` (``K`` terms per output, ``eps`` =
2**-24, ``|w| * |x|`` the conv of the absolute values), with the reference computed in
float64; Winograd's transforms multiply the bound by the size of their coefficients
(``|B| |G| |A|`` <= 4 per dimension, 16 in 2d), the FFT's error is norm-wise and is held
to ``C * eps * log2(L)`` times the largest ``|w| * |x|``.
"""

from __future__ import annotations

import math
import random

import pytest
import torch
import torch.nn.functional as F

import convnotes.functional as CF
from convnotes.functional import _layout, _phase_engine, auto, depthwise, fft, phase
from convnotes.functional._args import prepare_conv, prepare_conv_transpose

TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TORCH_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
OURS_CONV = {1: CF.conv1d, 2: CF.conv2d, 3: CF.conv3d}
OURS_CONV_T = {1: CF.conv_transpose1d, 2: CF.conv_transpose2d, 3: CF.conv_transpose3d}
EXACT = ("channels_last", "depthwise", "phase", "auto")
EPS32 = 2.0**-24


def _config(rng: random.Random, method: str, ndim: int) -> tuple[tuple, tuple, dict]:
    """Input shape, weight shape and keyword arguments that take ``method``'s own path."""
    batch = rng.randint(1, 3)
    groups = rng.choice([1, 1, 2])
    c_in_g, c_out_g = rng.randint(1, 3), rng.randint(1, 3)
    kernel = tuple(rng.randint(1, 4) for _ in range(ndim))
    stride = tuple(rng.randint(1, 3) for _ in range(ndim))
    dilation = tuple(rng.randint(1, 2) for _ in range(ndim))
    size = tuple(rng.randint(4, {1: 30, 2: 12, 3: 7}[ndim]) for _ in range(ndim))
    if method == "winograd":
        kernel, stride, dilation = (3,) * ndim, (1,) * ndim, (1,) * ndim
    if method == "depthwise":
        groups, c_in_g = rng.randint(2, 5), 1
    if method == "phase":  # an ordinary conv runs as a transposed one only with stride 1
        stride = (1,) * ndim
    if method == "fft":
        kernel = tuple(rng.randint(8, 13) for _ in range(ndim))
        size = tuple(k + rng.randint(0, 8) for k in kernel)
    padding = tuple(rng.randint(0, (k - 1) * d) for k, d in zip(kernel, dilation))
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return (batch, groups * c_in_g, *size), (groups * c_out_g, c_in_g, *kernel), kwargs


def _tensors(x_shape, w_shape, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(x_shape, dtype=dtype, generator=gen, requires_grad=True)
    w = torch.randn(w_shape, dtype=dtype, generator=gen, requires_grad=True)
    b = torch.randn(w_shape[0], dtype=dtype, generator=gen, requires_grad=True)
    return x, w, b


def _assert_float64(got, expected, method):
    if method in EXACT:
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
    else:
        scale = expected.abs().max().item() + 1.0
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-9 * scale)


@pytest.mark.parametrize(
    "method", ["channels_last", "depthwise", "winograd", "fft", "phase", "auto"]
)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_matches_torch_float64_with_gradients(method, ndim):
    rng = random.Random(f"{method}-{ndim}")
    for seed in range(6 if ndim < 3 else 3):
        x_shape, w_shape, kwargs = _config(rng, method, ndim)
        x, w, b = _tensors(x_shape, w_shape, torch.float64, seed)
        try:
            expected = TORCH_CONV[ndim](x, w, b, **kwargs)
        except RuntimeError:  # the random padding made the kernel too large: not our case
            continue
        got = OURS_CONV[ndim](x, w, b, **kwargs, method=method)
        _assert_float64(got, expected, method)
        upstream = torch.randn_like(expected)
        grads = torch.autograd.grad(got, (x, w, b), upstream)
        for ours, theirs in zip(grads, torch.autograd.grad(expected, (x, w, b), upstream)):
            _assert_float64(ours, theirs, method)


@pytest.mark.parametrize("method", ["channels_last", "phase", "auto"])
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_transpose_matches_torch_float64_with_gradients(method, ndim):
    rng = random.Random(f"t-{method}-{ndim}")
    for seed in range(6 if ndim < 3 else 3):
        x_shape, w_shape, kwargs = _config(rng, "channels_last", ndim)
        groups = kwargs["groups"]
        # Transposed weight: (C_in, C_out/groups, *k); output_padding below stride or dilation.
        w_shape = (x_shape[1], w_shape[0] // groups, *w_shape[2:])
        kwargs["output_padding"] = tuple(
            rng.randint(0, max(s, d) - 1) for s, d in zip(kwargs["stride"], kwargs["dilation"])
        )
        x, w, _ = _tensors(x_shape, w_shape, torch.float64, seed)
        b = torch.randn(w_shape[1] * groups, dtype=torch.float64, requires_grad=True)
        try:
            expected = TORCH_CONV_T[ndim](x, w, b, **kwargs)
        except RuntimeError:
            continue
        got = OURS_CONV_T[ndim](x, w, b, **kwargs, method=method)
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
        upstream = torch.randn_like(expected)
        grads = torch.autograd.grad(got, (x, w, b), upstream)
        for ours, theirs in zip(grads, torch.autograd.grad(expected, (x, w, b), upstream)):
            torch.testing.assert_close(ours, theirs, rtol=1e-10, atol=1e-10)


def _float32_bound(method, x, w, kwargs, ndim) -> torch.Tensor:
    """Elementwise error bound of a float32 conv (see the module docstring)."""
    magnitude = TORCH_CONV[ndim](x.abs().double(), w.abs().double(), **kwargs)
    terms = math.prod(w.shape[1:])
    if method == "winograd":
        return 16 * terms * EPS32 * magnitude
    if method == "fft":
        length = max(x.shape[2:]) + 2 * max(kwargs["padding"])
        return 8 * EPS32 * math.log2(length) * terms * magnitude.max() * torch.ones_like(magnitude)
    return terms * EPS32 * magnitude


@pytest.mark.parametrize(
    "method", ["channels_last", "depthwise", "winograd", "fft", "phase", "auto"]
)
def test_float32_within_the_rounding_bound(method):
    rng = random.Random(f"f32-{method}")
    checked = 0
    for seed in range(8):
        x_shape, w_shape, kwargs = _config(rng, method, 2)
        x, w, _ = (t.detach() for t in _tensors(x_shape, w_shape, torch.float32, seed))
        try:
            exact = F.conv2d(x.double(), w.double(), **kwargs)
        except RuntimeError:
            continue
        got = CF.conv2d(x, w, **kwargs, method=method)
        assert got.dtype == torch.float32
        error = (got.double() - exact).abs()
        assert (error <= _float32_bound(method, x, w, kwargs, 2)).all(), error.max()
        checked += 1
    assert checked >= 4


def test_chunks_agree_with_one_chunk(monkeypatch):
    """Tiny chunk budgets force chunking over samples and over the rows of one sample."""
    x = torch.randn(3, 4, 11, 9, dtype=torch.float64)
    w = torch.randn(6, 2, 3, 2, dtype=torch.float64)
    wt = torch.randn(4, 3, 3, 2, dtype=torch.float64)
    expected = F.conv2d(x, w, padding=1, groups=2)
    expected_strided = F.conv2d(x, w, stride=(2, 1), groups=2)
    expected_t = F.conv_transpose2d(x, wt, stride=2, padding=1, groups=2)
    for budget in (1, 50, 400):
        monkeypatch.setattr(_layout, "CHUNK_ELEMENTS", budget)
        monkeypatch.setattr(depthwise, "PLANES_CHUNK_ELEMENTS", budget)
        for method in ("channels_last", "im2col"):
            got = CF.conv2d(x, w, padding=1, groups=2, method=method)
            torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
            got = CF.conv2d(x, w, stride=(2, 1), groups=2, method=method)
            torch.testing.assert_close(got, expected_strided, rtol=1e-10, atol=1e-10)
        for method in ("channels_last", "phase"):
            got = CF.conv_transpose2d(x, wt, stride=2, padding=1, groups=2, method=method)
            torch.testing.assert_close(got, expected_t, rtol=1e-10, atol=1e-10)
        dw = torch.randn(8, 1, 3, 3, dtype=torch.float64)
        got = CF.conv2d(x, dw, padding=1, groups=4, method="depthwise")
        torch.testing.assert_close(
            got, F.conv2d(x, dw, padding=1, groups=4), rtol=1e-10, atol=1e-10
        )
        wino = torch.randn(5, 4, 3, 3, dtype=torch.float64)
        got = CF.conv2d(x, wino, padding=(0, 1), method="winograd")
        expected_w = F.conv2d(x, wino, padding=(0, 1))
        torch.testing.assert_close(got, expected_w, rtol=0, atol=1e-9 * expected_w.abs().max())


FFT_TILED_CALLS = [
    # 1d: padding 30 beyond the dilated span 25, so whole tiles lie in the zero padding
    ((3, 2, 97), (4, 2, 13), {"padding": 30, "stride": 3, "dilation": 2}),
    # 2d: groups, a stride and a dilation along different dimensions
    (
        (2, 4, 45, 38),
        (6, 2, 9, 7),
        {"padding": (4, 25), "stride": (2, 1), "dilation": (1, 3), "groups": 2},
    ),
    # 2d "same" with an even kernel: unequal padding before and after
    ((1, 3, 40, 33), (2, 3, 8, 11), {"padding": "same", "dilation": 2}),
    # 3d: a different stride along each dimension
    (
        (2, 2, 17, 12, 14),
        (4, 1, 5, 4, 6),
        {"padding": (2, 5, 1), "stride": (1, 2, 3), "dilation": (2, 1, 1), "groups": 2},
    ),
    ((1, 2, 70, 70), (2, 2, 31, 31), {"padding": 15}),  # the benchmark's problem, smaller
]


@pytest.mark.filterwarnings("ignore:Using padding=.same")
@pytest.mark.parametrize("chunk", [1, 3000, fft.CHUNK_VALUES])
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), FFT_TILED_CALLS)
def test_fft_tiles_match_torch(monkeypatch, chunk, x_shape, w_shape, kwargs):
    """Small chunk budgets force many overlap-save tiles (the last ones partial) and chunks
    of tiles and of samples; every tiling gives torch's values, gradients included."""
    monkeypatch.setattr(fft, "CHUNK_VALUES", chunk)
    chunks = []
    chunk_output = fft.chunk_output
    monkeypatch.setattr(fft, "chunk_output", lambda *a: chunks.append(1) or chunk_output(*a))
    ndim = len(x_shape) - 2
    x, w, b = _tensors(x_shape, w_shape, torch.float64, seed=0)
    expected = TORCH_CONV[ndim](x, w, b, **kwargs)
    got = OURS_CONV[ndim](x, w, b, **kwargs, method="fft")
    _assert_float64(got, expected, "fft")
    if chunk == 1:
        assert len(chunks) > x_shape[0], "the budget should split every sample into tiles"
    upstream = torch.randn_like(expected)
    grads = torch.autograd.grad(got, (x, w, b), upstream)
    for ours, theirs in zip(grads, torch.autograd.grad(expected, (x, w, b), upstream)):
        _assert_float64(ours, theirs, "fft")


def test_fft_tiles_are_bounded_for_a_large_image():
    """4096x4096, k31: tiles far smaller than the image, whose spectra and the kernel's fit
    the budget; they cover the output, each tile's circular result never wraps."""
    x = torch.empty(1, 2, 4096, 4096, device="meta")
    w = torch.empty(3, 2, 31, 31, device="meta")
    spec = prepare_conv(2, x, w, None, (1, 2), 15, 1, 1).spec
    tilings = fft.plan_tiles(spec, 2 + 3, 3 * 2)
    lengths = tuple(t.length for t in tilings)
    assert (2 + 3 + 3 * 2) * fft.spectrum_size(lengths) <= fft.CHUNK_VALUES
    for t, o, s in zip(tilings, spec.output_size, spec.stride):
        assert fft.is_fast(t.length) and t.length >= t.tile + t.span - 1
        assert t.tile % s == 0 and t.count * t.kept >= o > (t.count - 1) * t.kept
        assert 31 <= t.tile < 200


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "expected"),
    [
        ((2, 8, 20, 20), (8, 1, 3, 3), {"padding": 1, "groups": 8}, "depthwise"),
        ((1, 2, 64, 64), (2, 2, 15, 15), {"padding": 7}, "fft"),
        ((2, 4, 20, 20), (4, 4, 3, 3), {"padding": 1}, "phase"),
        ((2, 4, 20, 20), (4, 4, 4, 4), {"padding": "same"}, "channels_last"),  # asymmetric
        ((2, 4, 20, 20), (4, 4, 3, 3), {"padding": 3}, "channels_last"),  # p > d*(k - 1)
        ((2, 4, 20, 20), (4, 4, 3, 3), {"stride": 2}, "im2col"),
        ((2, 4, 20, 20), (4, 4, 3, 3), {"stride": (1, 2)}, "channels_last"),
        ((2, 4, 8, 9, 7), (4, 4, 3, 3, 3), {"padding": 1}, "phase"),
        ((1, 3, 40, 40), (8, 3, 7, 7), {"stride": 2, "padding": 3}, "im2col"),
        ((2, 4, 64), (4, 4, 3), {"padding": 1}, "phase"),
        ((2, 4, 64), (4, 4, 3), {"padding": 1, "stride": 2}, "im2col"),
    ],
)
def test_auto_picks_the_algorithm_and_matches_torch(x_shape, w_shape, kwargs, expected):
    x = torch.randn(x_shape, dtype=torch.float64)
    w = torch.randn(w_shape, dtype=torch.float64)
    ndim = len(x_shape) - 2
    from convnotes.functional._args import prepare_conv

    call = prepare_conv(
        ndim, x, w, None, kwargs.get("stride", 1), kwargs.get("padding", 0), 1,
        kwargs.get("groups", 1),
    )  # fmt: skip
    assert auto.conv_method(call.input, call.weight, call.spec) == expected
    reference = TORCH_CONV[ndim](x, w, **kwargs)
    got = OURS_CONV[ndim](x, w, **kwargs, method="auto")
    torch.testing.assert_close(got, reference, rtol=0, atol=1e-9 * reference.abs().max())


def test_phases_cover_every_product_exactly_once():
    """Each (output o, input i, tap j) with ``o + p = i*s + j*d`` in exactly one phase."""
    rng = random.Random("phases")
    for _ in range(300):
        i_size, k, s, d = rng.randint(1, 9), rng.randint(1, 6), rng.randint(1, 5), rng.randint(1, 4)
        p = rng.randint(0, d * (k - 1))
        o_size = (i_size - 1) * s - 2 * p + d * (k - 1) + 1 + rng.randint(0, max(s, d) - 1)
        if o_size <= 0:
            continue
        expected = sorted(
            (o, i, j)
            for o in range(o_size)
            for i in range(i_size)
            for j in range(k)
            if o + p == i * s + j * d
        )
        got = []
        for ph in phase.phases_1d(o_size, k, s, p, d):
            for tap in ph.taps:
                for m in range(ph.count):
                    if 0 <= m + tap.shift < i_size:
                        got.append((ph.residue + s * m, m + tap.shift, tap.j))
        assert sorted(got) == expected


@pytest.mark.filterwarnings("ignore")
def test_phase_accepts_and_rejects_like_torch_on_random_calls():
    """Random transposed calls, valid or not: same values (float64) or same error type."""
    rng = random.Random("phase-random")
    valid = 0
    for seed in range(150):
        ndim = rng.randint(1, 3)
        groups = rng.choice([1, 1, 2])
        c_in = rng.randint(1, 3) * groups
        k = [rng.randint(1, 5) for _ in range(ndim)]
        kwargs = {
            "stride": [rng.randint(1, 4) for _ in range(ndim)],
            "padding": [rng.randint(0, 5) for _ in range(ndim)],
            "output_padding": [rng.randint(0, 3) for _ in range(ndim)],
            "dilation": [rng.randint(1, 3) for _ in range(ndim)],
            "groups": groups,
        }
        size = [rng.randint(1, {1: 12, 2: 6, 3: 4}[ndim]) for _ in range(ndim)]
        x, w, _ = _tensors((rng.randint(1, 2), c_in, *size), (c_in, rng.randint(1, 3), *k),
                           torch.float64, seed)  # fmt: skip
        b = torch.randn(w.shape[1] * groups, dtype=torch.float64)
        try:
            expected = TORCH_CONV_T[ndim](x, w, b, **kwargs)
        except RuntimeError as error:
            with pytest.raises(type(error)):
                OURS_CONV_T[ndim](x, w, b, **kwargs, method="phase")
            continue
        got = OURS_CONV_T[ndim](x, w, b, **kwargs, method="phase")
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
        valid += 1
    assert valid >= 30


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_auto_transposed_uses_phase(dtype):
    x = torch.randn(2, 4, 6, 6, dtype=dtype)
    w = torch.randn(4, 3, 4, 4, dtype=dtype)

    call = prepare_conv_transpose(2, x, w, None, 2, 1, 0, 1, 1)
    assert auto.conv_transpose_method(call.input, call.weight, call.spec) == "phase"
    got = CF.conv_transpose2d(x, w, stride=2, padding=1, method="auto")
    expected = F.conv_transpose2d(x.double(), w.double(), stride=2, padding=1)
    bound = (
        16 * 4 * EPS32 * F.conv_transpose2d(x.abs().double(), w.abs().double(), stride=2, padding=1)
    )
    assert ((got.double() - expected).abs() <= bound + 1e-300).all()


def test_auto_strided_first_dimension_goes_to_im2col():
    """A stride along the first dimension: im2col in both precisions."""
    for dtype, expected in ((torch.float32, "im2col"), (torch.float64, "im2col")):
        x, w = torch.randn(1, 3, 40, 40, dtype=dtype), torch.randn(8, 3, 7, 7, dtype=dtype)
        call = prepare_conv(2, x, w, None, 2, 3, 1, 1)
        assert auto.conv_method(call.input, call.weight, call.spec) == expected
        got = CF.conv2d(x, w, stride=2, padding=3, method="auto")
        reference = F.conv2d(x.double(), w.double(), stride=2, padding=3)
        bound = 147 * EPS32 * F.conv2d(x.abs().double(), w.abs().double(), stride=2, padding=3)
        assert ((got.double() - reference).abs() <= bound + 1e-300).all()


def test_auto_stride_1_goes_to_phase_except_3d_float32():
    """Stride 1, symmetric padding: phase in 1d/2d in both precisions and in 3d float64;
    3d float32 keeps channels_last (the same time, less memory)."""
    cases = [
        ((2, 4, 12, 12), (4, 4, 3, 3), torch.float32, "phase"),
        ((2, 4, 12, 12), (4, 4, 3, 3), torch.float64, "phase"),
        ((2, 4, 60), (4, 4, 5), torch.float32, "phase"),
        ((1, 4, 6, 6, 6), (4, 4, 3, 3, 3), torch.float64, "phase"),
        ((1, 4, 6, 6, 6), (4, 4, 3, 3, 3), torch.float32, "channels_last"),
    ]
    for x_shape, w_shape, dtype, expected in cases:
        x, w = torch.randn(x_shape, dtype=dtype), torch.randn(w_shape, dtype=dtype)
        call = prepare_conv(len(x_shape) - 2, x, w, None, 1, 1, 1, 1)
        assert auto.conv_method(call.input, call.weight, call.spec) == expected


def test_auto_gathers_for_phase_where_it_pays():
    """Large weight on a small map: `phase` only when its gathered weight persists (an
    `nn.Parameter`, as in inference), `im2col` (the weight as stored) otherwise; for
    the transposed conv (the input gradient of training) too. 128 positions for 64
    channels: enough with the cache (1 per channel), not without (16 per channel)."""
    x = torch.randn(2, 64, 8, 8)
    w = torch.randn(64, 64, 3, 3)
    call = prepare_conv(2, x, w, None, 1, 1, 1, 1)
    assert auto.conv_method(x, w, call.spec) == "im2col"
    assert auto.conv_method(x, torch.nn.Parameter(w), call.spec) == "phase"

    w4 = torch.randn(64, 64, 4, 4)  # k=4, s=2: no wasted multiplies
    call_t = prepare_conv_transpose(2, x, w4, None, 2, 1, 0, 1, 1)
    assert auto.conv_transpose_method(x, w4, call_t.spec) == "im2col"
    assert auto.conv_transpose_method(x, torch.nn.Parameter(w4), call_t.spec) == "phase"
    big = torch.randn(4, 64, 16, 16)
    assert auto.conv_method(big, w, prepare_conv(2, big, w, None, 1, 1, 1, 1).spec) == "phase"
    tiny = torch.randn(1, 64, 4, 4)  # 16 positions: im2col even with the cache
    call = prepare_conv(2, tiny, w, None, 1, 1, 1, 1)
    assert auto.conv_method(tiny, torch.nn.Parameter(w), call.spec) == "im2col"


def test_auto_transposed_phase_only_without_wasted_multiplies():
    """k=4, s=2: every phase has 2x2 taps (phase); k=3, s=2: phases padded with zero
    weights to 16 taps for 9 (im2col)."""
    x = torch.randn(2, 8, 16, 16)
    for k, expected, ratio in ((4, "phase", 1), (3, "im2col", 16 / 9)):
        w = torch.nn.Parameter(torch.randn(8, 4, k, k))
        spec = prepare_conv_transpose(2, x, w, None, 2, 1, 1, 1, 1).spec
        assert phase.work_ratio(spec) == pytest.approx(ratio)
        assert auto.conv_transpose_method(x, w, spec) == expected


def test_auto_fft_for_a_large_kernel_into_few_channels():
    """An image-producing last layer (64 -> 3 channels, 7x7): FFT; 3 -> 64: not."""
    x, w = torch.randn(1, 64, 40, 40), torch.randn(3, 64, 7, 7)
    assert auto.conv_method(x, w, prepare_conv(2, x, w, None, 1, 0, 1, 1).spec) == "fft"
    x2, w2 = torch.randn(1, 3, 40, 40), torch.randn(64, 3, 7, 7)
    assert auto.conv_method(x2, w2, prepare_conv(2, x2, w2, None, 1, 0, 1, 1).spec) != "fft"


def test_auto_fft_counts_taps_not_span():
    """A dilated k=7 conv has 7 taps whatever its span: no FFT; 11x11 taps: FFT."""
    x, w = torch.randn(2, 4, 300), torch.randn(4, 4, 7)
    call = prepare_conv(1, x, w, None, 1, 96, 32, 1)
    assert auto.conv_method(x, w, call.spec) != "fft"
    x2, w2 = torch.randn(1, 2, 64, 64), torch.randn(2, 2, 11, 11)
    call2 = prepare_conv(2, x2, w2, None, 1, 5, 1, 1)
    assert auto.conv_method(x2, w2, call2.spec) == "fft"


def test_ordinary_conv_as_transposed_conv():
    """Stride 1 and symmetric padding p <= d*(k-1): the transposed conv with padding
    d*(k-1) - p and the flipped, channel-swapped weight gives the same values (torch's own
    ops on both sides); otherwise there is none."""
    rng = random.Random("as-transposed")
    for _ in range(30):
        ndim = rng.randint(1, 3)
        k = [rng.randint(1, 4) for _ in range(ndim)]
        d = [rng.randint(1, 2) for _ in range(ndim)]
        p = [rng.randint(0, dd * (kk - 1)) for kk, dd in zip(k, d)]
        groups = rng.choice([1, 2])
        x = torch.randn(
            1, 2 * groups, *[rng.randint(8, 10) for _ in range(ndim)], dtype=torch.float64
        )
        w = torch.randn(3 * groups, 2, *k, dtype=torch.float64)
        call = prepare_conv(ndim, x, w, None, 1, p, d, groups)
        spec_t = phase.as_transposed(call.spec)
        assert spec_t is not None and spec_t.output_size == call.spec.output_size
        w_t = (
            w.unflatten(0, (groups, 3)).transpose(1, 2).flatten(0, 1).flip(list(range(2, 2 + ndim)))
        )
        got = TORCH_CONV_T[ndim](x, w_t, padding=spec_t.padding, dilation=d, groups=groups)
        torch.testing.assert_close(
            got, TORCH_CONV[ndim](x, w, padding=p, dilation=d, groups=groups)
        )
    x, w = torch.randn(1, 2, 9, 9), torch.randn(2, 2, 3, 3)
    for stride, padding in ((2, 1), (1, 3), (1, "same")):
        call = prepare_conv(2, x, torch.randn(2, 2, 4, 4) if padding == "same" else w, None,
                            stride, padding, 1, 1)  # fmt: skip
        assert phase.as_transposed(call.spec) is None


BAD_CALLS = [
    ("conv2d", (1, 3, 5, 5), (4, 2, 3, 3), {}),  # channel mismatch
    ("conv2d", (1, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}),  # C_out not a multiple of groups
    ("conv2d", (1, 4, 5, 5), (4, 1, 3, 3), {"groups": 4, "stride": 0}),  # depthwise, stride 0
    ("conv2d", (1, 2, 8, 8), (2, 2, 3, 3), {"padding": -1}),  # winograd shape, negative padding
    ("conv2d", (1, 2, 8, 8), (2, 2, 15, 15), {}),  # kernel larger than the input
    ("conv2d", (1, 2, 8, 8), (2, 2, 3, 3), {"stride": 2, "padding": "same"}),
    ("conv2d", (1, 2, 8, 8), (2, 2, 3, 3), {"stride": 1.0}),  # TypeError
    ("conv1d", (1, 2, 8), (2, 2, 3), {"dilation": (1, 1)}),  # wrong length
    ("conv_transpose2d", (1, 2, 5, 5), (2, 2, 3, 3), {"output_padding": 1}),
    ("conv_transpose2d", (1, 2, 5, 5), (2, 2, 3, 3), {"padding": "same"}),  # TypeError
    ("conv_transpose2d", (1, 3, 5, 5), (2, 2, 3, 3), {}),  # channel mismatch
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("name", "x_shape", "w_shape", "kwargs"), BAD_CALLS)
def test_auto_rejects_what_torch_rejects(name, x_shape, w_shape, kwargs):
    x, w = torch.randn(x_shape), torch.randn(w_shape)
    with pytest.raises(Exception) as theirs:
        getattr(F, name)(x, w, **kwargs)
    with pytest.raises(type(theirs.value)):
        getattr(CF, name)(x, w, **kwargs, method="auto")


def test_auto_accepts_what_torch_accepts_at_the_edges():
    """Unbatched input, empty batch, channels-last input, integer tensors."""
    w = torch.randn(4, 1, 3, 3, dtype=torch.float64)
    for x in (
        torch.randn(4, 6, 6, dtype=torch.float64),
        torch.randn(0, 4, 6, 6, dtype=torch.float64),
        torch.randn(2, 4, 6, 6, dtype=torch.float64).contiguous(memory_format=torch.channels_last),
    ):
        expected = F.conv2d(x, w, padding=1, groups=4)
        got = CF.conv2d(x, w, padding=1, groups=4, method="auto")
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
        assert got.is_contiguous(memory_format=torch.channels_last) == expected.is_contiguous(
            memory_format=torch.channels_last
        )
    xi, wi = torch.randint(-4, 4, (1, 2, 7, 7)), torch.randint(-4, 4, (3, 2, 3, 3))
    assert torch.equal(CF.conv2d(xi, wi, method="auto"), F.conv2d(xi, wi))


def test_fast_methods_never_call_torch_conv_kernels(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a torch convolution kernel was called")

    for name in ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d", "unfold", "fold", "conv_tbc"]:  # fmt: skip
        monkeypatch.setattr(F, name, forbidden, raising=False)
        monkeypatch.setattr(torch, name, forbidden, raising=False)
    monkeypatch.setattr(torch, "convolution", forbidden)
    x = torch.randn(2, 4, 20, 20, requires_grad=True)
    for w, kwargs in [
        (torch.randn(4, 1, 3, 3), {"groups": 4}),  # depthwise
        (torch.randn(4, 4, 13, 13), {"padding": 6}),  # fft
        (torch.randn(4, 4, 3, 3), {"padding": 1}),  # winograd
        (torch.randn(4, 4, 3, 3), {"stride": 2}),  # channels_last
    ]:
        CF.conv2d(x, w.requires_grad_(), **kwargs, method="auto").sum().backward()
    CF.conv_transpose2d(x, torch.randn(4, 2, 4, 4), stride=2, method="auto").sum().backward()
    CF.conv_transpose2d(
        x.double(), torch.randn(4, 2, 4, 4, dtype=torch.float64), stride=2, method="auto"
    ).sum().backward()


@pytest.mark.parametrize("channels_last", [False, True])
def test_phase_without_autograd_matches_torch(monkeypatch, channels_last):
    """Under no_grad the phase method reuses one workspace across chunks and writes pairs
    of residues through a complex view: check those paths against torch (float64)."""
    cases = [
        ((3, 4, 6, 7), (4, 3, 4, 4), {"stride": 2, "padding": 1}),  # uniform, pairs
        ((2, 4, 5, 6), (4, 2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
        ((2, 4, 5, 6), (4, 3, 3, 2), {"stride": (2, 3), "padding": (1, 0), "groups": 2}),
        ((2, 2, 4, 5), (2, 2, 2, 2), {"stride": 2, "dilation": 2}),
    ]
    for budget in (1, 64, 1 << 20):
        monkeypatch.setattr(_layout, "CHUNK_ELEMENTS", budget)
        for x_shape, w_shape, kwargs in cases:
            x = torch.randn(x_shape, dtype=torch.float64)
            if channels_last:
                x = x.to(memory_format=torch.channels_last)
            w = torch.randn(w_shape, dtype=torch.float64)
            b = torch.randn(w_shape[1] * kwargs.get("groups", 1), dtype=torch.float64)
            with torch.no_grad():
                got = CF.conv_transpose2d(x, w, b, **kwargs, method="phase")
            expected = F.conv_transpose2d(x, w, b, **kwargs)
            torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)


def test_phase_recorded_views_follow_the_input_layout_and_dtype():
    """Without autograd the phase method replays views recorded once per geometry: inputs
    that differ only in memory layout, storage offset or dtype must each get their own."""
    gen = torch.Generator().manual_seed(7)
    base = torch.randn(3, 6, 9, 11, dtype=torch.float64, generator=gen)
    w = torch.randn(4, 3, 4, 3, dtype=torch.float64, generator=gen)
    b = torch.randn(6, dtype=torch.float64, generator=gen)
    kwargs = {"stride": (2, 3), "padding": (1, 0), "groups": 2}
    inputs = [
        base[:, :4, 1:8, 2:10],  # storage offset, every stride unusual
        base[:, :4, 1:8, 2:10].contiguous(),
        base[:, :4, 1:8, 2:10].contiguous(memory_format=torch.channels_last),
        base[:, 2:6, 1:8, 2:10],  # same strides, another offset
    ]
    for dtype in (torch.float32, torch.float64, torch.float32):
        for x in inputs:
            x, wd, bd = x.to(dtype), w.to(dtype), b.to(dtype)
            expected = F.conv_transpose2d(x.double(), wd.double(), bd.double(), **kwargs)
            for _ in range(2):  # the second call replays the recorded views
                with torch.no_grad():
                    got = CF.conv_transpose2d(x, wd, bd, **kwargs, method="phase")
                assert got.dtype == dtype
                tol = 1e-10 if dtype == torch.float64 else 1e-4
                torch.testing.assert_close(got.double(), expected, rtol=tol, atol=tol)


def test_phase_zeroes_the_padding_once_for_chunks_of_equal_layout(monkeypatch):
    """Chunks with the same layout of U skip zeroing it (the padding zeros are still
    there): one sample per chunk, with padding, must still match torch."""
    x = torch.randn(4, 4, 6, 7, dtype=torch.float64)
    w = torch.randn(4, 3, 4, 4, dtype=torch.float64)
    kwargs = {"stride": 2, "padding": 1}

    call = prepare_conv_transpose(2, x, w, None, 2, 1, 0, 1, 1)
    dims, _, _ = phase.plan(call.spec)
    a_shape = tuple(phase.shuffled_weight(w, 1, dims).shape)
    one_sample = _phase_engine._chunks(1, a_shape, dims, 1 << 30)[1]
    monkeypatch.setattr(_layout, "CHUNK_ELEMENTS", one_sample)
    with torch.no_grad():
        got = CF.conv_transpose2d(x, w, **kwargs, method="phase")
    program = _phase_engine._program(
        call.spec, (tuple(x.shape), x.stride()), (tuple(got.shape), got.stride()), a_shape,
        x.dtype, one_sample,
    )  # fmt: skip
    assert [work.zero for work in program.chunks] == [True, False, False, False]
    torch.testing.assert_close(got, F.conv_transpose2d(x, w, **kwargs), rtol=1e-10, atol=1e-10)


def _element_map(copies) -> dict[int, int]:
    """Storage offset written -> storage offset read, for ``(into, source)`` Strided pairs."""
    mapping = {}
    for into, source in copies:
        base = torch.arange(10_000)
        written = into.on(base).reshape(-1).tolist()
        read = source.on(base).reshape(-1).tolist()
        for w, r in zip(written, read):
            assert w not in mapping, "two copies write the same element"
            mapping[w] = r
    return mapping


@pytest.mark.parametrize("seed", range(20))
def test_merged_copies_write_the_same_elements_from_the_same_places(seed):
    """Merging runs of equal boxes into one view must not change any (into, from) pair."""
    rng = random.Random(seed)
    Strided = _phase_engine.Strided
    size = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
    copies = []
    into_end, source_offset = 0, rng.randint(0, 5)  # boxes written one after another
    for _ in range(rng.randint(1, 6)):
        # equal steps, a changed step, or a changed shape: each must merge or split right
        kind = rng.choice(["same", "same", "step", "shape"])
        box = size if kind != "shape" else tuple(n + 1 for n in size)
        box_stride = tuple(math.prod(box[d + 1 :]) for d in range(len(box)))
        into_offset = into_end + (rng.randint(0, 3) if kind == "step" else 2)
        into_end = into_offset + math.prod(box)
        source_offset += rng.randint(0, 2) if kind == "step" else 1
        copies.append(
            (Strided(box, box_stride, into_offset), Strided(box, box_stride, source_offset))
        )
    merged = _phase_engine._merged_copies(copies)
    assert len(merged) <= len(copies)
    assert _element_map(merged) == _element_map(copies)


def test_merged_copies_merge_a_run_of_equal_steps():
    Strided = _phase_engine.Strided
    copies = [(Strided((2, 3), (3, 1), 10 * k), Strided((2, 3), (5, 1), 1)) for k in range(4)]
    ((into, source),) = _phase_engine._merged_copies(copies)
    assert into == Strided((4, 2, 3), (10, 3, 1), 0)
    assert source == Strided((4, 2, 3), (0, 5, 1), 1)


def test_depthwise_transposed_matches_torch_on_random_calls():
    """One input channel per group: the per-tap scatter against torch, with channel
    multipliers, strides, dilation, padding, output_padding and bias, 1d to 3d."""
    rng = random.Random("depthwise-transposed")
    for seed in range(60):
        ndim = rng.randint(1, 3)
        c, m = rng.randint(2, 5), rng.choice([1, 1, 2])
        k = [rng.randint(1, 4) for _ in range(ndim)]
        stride = [rng.randint(1, 3) for _ in range(ndim)]
        dilation = [rng.randint(1, 3) for _ in range(ndim)]
        kwargs = {
            "stride": stride, "dilation": dilation, "groups": c,
            "padding": [rng.randint(0, 2) for _ in range(ndim)],
            "output_padding": [rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)],
        }  # fmt: skip
        size = [rng.randint(1, {1: 10, 2: 6, 3: 4}[ndim]) for _ in range(ndim)]
        x, w, _ = _tensors((2, c, *size), (c, m, *k), torch.float64, seed)
        b = torch.randn(c * m, dtype=torch.float64) if seed % 2 else None
        try:
            expected = TORCH_CONV_T[ndim](x, w, b, **kwargs)
        except RuntimeError:
            continue
        call = prepare_conv_transpose(
            ndim, x, w, None, kwargs["stride"], kwargs["padding"], kwargs["output_padding"],
            c, kwargs["dilation"],
        )  # fmt: skip
        assert auto.conv_transpose_method(x, w, call.spec) == "depthwise"
        got = OURS_CONV_T[ndim](x, w, b, **kwargs, method="depthwise")
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
