"""The unrolled kernel matrix C, checked against torch's conv, conv_transpose and autograd."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import convnotes
from convnotes.errors import ConvArgumentError
from convnotes.matrix import conv_matrix, conv_matrix_labels, conv_matrix_markdown
from convnotes.shapes import conv_output_size, output_padding_for

TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TORCH_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same")
TOL = {"rtol": 1e-10, "atol": 1e-10}


@st.composite
def layers(draw, string_padding: bool = True):
    """A valid conv layer and input size, any of 1d/2d/3d."""
    ndim = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    padding_kinds = ["ints", "same", "valid"] if string_padding else ["ints"]
    padding = draw(st.sampled_from(padding_kinds))
    if padding == "ints":
        padding = tuple(draw(st.integers(0, 2)) for _ in range(ndim))
    elif padding == "same":
        stride = (1,) * ndim
    size_max = {1: 8, 2: 5, 3: 4}[ndim]
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    # Large enough for the kernel even without padding.
    input_size = tuple(draw(st.integers(s, max(s, size_max))) for s in span)
    weight = torch.randn(c_out, c_in // groups, *kernel, dtype=torch.float64)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return weight, input_size, kwargs


def _sample(c: int, size: tuple[int, ...]) -> torch.Tensor:
    return torch.randn(c, *size, dtype=torch.float64)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(layer=layers())
def test_C_times_x_is_the_conv(layer):
    weight, input_size, kwargs = layer
    ndim = weight.dim() - 2
    x = _sample(weight.shape[1] * kwargs["groups"], input_size)
    C = conv_matrix(weight, input_size, **kwargs)
    y = TORCH_CONV[ndim](x.unsqueeze(0), weight, **kwargs)
    assert C.shape == (y.numel(), x.numel())
    torch.testing.assert_close(C @ x.flatten(), y.flatten(), **TOL)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(layer=layers(string_padding=False))
def test_C_transpose_is_the_transposed_conv(layer):
    weight, input_size, kwargs = layer
    ndim = weight.dim() - 2
    kernel = tuple(weight.shape[2:])
    output_size = conv_output_size(input_size, kernel, kwargs["stride"], kwargs["padding"],
                                   kwargs["dilation"])  # fmt: skip
    y = _sample(weight.shape[0], output_size)
    output_padding = output_padding_for(output_size, input_size, kernel, kwargs["stride"],
                                        kwargs["padding"], kwargs["dilation"])  # fmt: skip
    expected = TORCH_CONV_T[ndim](y.unsqueeze(0), weight, output_padding=output_padding, **kwargs)
    C = conv_matrix(weight, input_size, **kwargs)
    assert expected.shape[2:] == input_size
    torch.testing.assert_close(C.T @ y.flatten(), expected.flatten(), **TOL)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(layer=layers())
def test_C_transpose_is_the_input_gradient(layer):
    weight, input_size, kwargs = layer
    ndim = weight.dim() - 2
    x = _sample(weight.shape[1] * kwargs["groups"], input_size).requires_grad_()
    out = TORCH_CONV[ndim](x.unsqueeze(0), weight, **kwargs)
    upstream = torch.randn_like(out)
    (grad,) = torch.autograd.grad(out, x, upstream)
    C = conv_matrix(weight, input_size, **kwargs)
    torch.testing.assert_close(C.T @ upstream.flatten(), grad.flatten(), **TOL)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(layer=layers())
def test_C_is_differentiable_in_the_weight(layer):
    """d/dw (u . C x) equals d/dw (u . conv(x)) computed by torch."""
    weight, input_size, kwargs = layer
    ndim = weight.dim() - 2
    x = _sample(weight.shape[1] * kwargs["groups"], input_size)
    w = weight.clone().requires_grad_()
    out = TORCH_CONV[ndim](x.unsqueeze(0), w, **kwargs)
    upstream = torch.randn(out.numel(), dtype=torch.float64)
    (expected,) = torch.autograd.grad(out.flatten() @ upstream, w)
    (got,) = torch.autograd.grad((conv_matrix(w, input_size, **kwargs) @ x.flatten()) @ upstream, w)
    torch.testing.assert_close(got, expected, **TOL)


def test_padding_removes_columns_not_rows():
    """Padded pixels are zero, so C has a column per real input pixel only."""
    C = conv_matrix(torch.ones(1, 1, 3, 3), (4, 4), padding=1)
    assert C.shape == (16, 16)
    # A corner output sees a 2x2 corner of the real input, the rest of its kernel is padding.
    assert C[0].count_nonzero() == 4


def test_top_level_import():
    assert convnotes.conv_matrix is conv_matrix


def test_conv_matrix_rejects_what_torch_rejects():
    with pytest.raises(ConvArgumentError, match="kernel"):
        conv_matrix(torch.ones(1, 1, 5), 3)
    with pytest.raises(ConvArgumentError, match="groups=2"):
        conv_matrix(torch.ones(3, 1, 2), 4, groups=2)
    with pytest.raises(ConvArgumentError, match="same"):
        conv_matrix(torch.ones(1, 1, 2), 4, stride=2, padding="same")
    with pytest.raises(TypeError):
        conv_matrix(torch.ones(1, 1, 2), 4, stride=1.5)
    with pytest.raises(TypeError, match="weight"):
        conv_matrix(torch.ones(3), 4)


# ---------------------------------------------------------------------- symbolic labels

# Seed note 000, 4x4 input, 3x3 kernel: its K1..K9 are w00..w22 read row by row.
SEED_FIRST_ROW = "K1 K2 K3 0 K4 K5 K6 0 K7 K8 K9 0 0 0 0 0".split()  # noqa: SIM905
SEED_LAST_ROW = "0 0 0 0 0 K1 K2 K3 0 K4 K5 K6 0 K7 K8 K9".split()  # noqa: SIM905


def _seed_label(entry: str) -> str:
    if entry == "0":
        return "0"
    r, c = divmod(int(entry[1:]) - 1, 3)
    return "w" + f"{r}{c}".translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def test_labels_reproduce_the_seed_table():
    table = conv_matrix_labels((3, 3), (4, 4))
    assert len(table) == 4 and all(len(row) == 16 for row in table)
    assert table[0] == [_seed_label(e) for e in SEED_FIRST_ROW]
    assert table[3] == [_seed_label(e) for e in SEED_LAST_ROW]


@pytest.mark.parametrize(
    ("kernel", "size", "kwargs"),
    [((3, 3), (4, 4), {}), ((2, 3), (5, 4), {"stride": 2, "padding": 1}),
     (3, 7, {"dilation": 2, "padding": "same"}), ((2, 2, 2), (3, 3, 2), {"stride": (1, 2, 1)})],
)  # fmt: skip
def test_labels_match_the_numeric_matrix(kernel, size, kwargs):
    """Label w_j sits exactly where C holds weight entry j (weights numbered 1..K)."""
    ks = (kernel,) if isinstance(kernel, int) else kernel
    taps = math.prod(ks)
    weight = torch.arange(1.0, taps + 1).reshape(1, 1, *ks)
    C = conv_matrix(weight, size, **kwargs)
    table = conv_matrix_labels(kernel, size, **kwargs)
    label_of_tap = {}
    for row, labels in zip(C.tolist(), table):
        for value, label in zip(row, labels):
            assert (value == 0) == (label == "0")
            if value:
                assert label_of_tap.setdefault(int(value), label) == label
    assert len(set(label_of_tap.values())) == len(label_of_tap)


def test_one_dimensional_and_two_digit_labels():
    assert conv_matrix_labels(2, 3) == [["w₀", "w₁", "0"], ["0", "w₀", "w₁"]]
    labels = {e for row in conv_matrix_labels((1, 11), (1, 11)) for e in row}
    assert "w₀,₁₀" in labels


def test_markdown_table_has_labelled_rows_and_columns():
    text = conv_matrix_markdown((3, 3), (4, 4))
    lines = text.strip().splitlines()
    assert len(lines) == 2 + 4
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:3] == ["x₀₀", "x₀₁"] and len(header) == 17
    assert "y₁₁" in lines[-1]
    body = [[c.strip() for c in line.strip("|").split("|")][1:] for line in lines[2:]]
    assert body == conv_matrix_labels((3, 3), (4, 4))


def test_markdown_transposed_is_the_transpose():
    lines = conv_matrix_markdown((3, 3), (4, 4), transposed=True).strip().splitlines()
    assert len(lines) == 2 + 16
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == ["y₀₀", "y₀₁", "y₁₀", "y₁₁"]
    body = [[c.strip() for c in line.strip("|").split("|")][1:] for line in lines[2:]]
    assert body == [list(col) for col in zip(*conv_matrix_labels((3, 3), (4, 4)))]
