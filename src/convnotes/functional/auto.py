"""``method="auto"``: pick the algorithm per problem, by rules measured in ``scripts/bench.py``.

* depthwise (one input channel per group): :mod:`.depthwise`, multiply-adds per tap;
* large kernels (every dilated kernel side at least :data:`FFT_MIN_SPAN`, stride 1,
  floating point): :mod:`.fft`, whose cost does not grow with the kernel;
* 2d 3x3, stride 1, dilation 1, floating point: :mod:`.winograd` (2.25x fewer multiplies);
* everything else: :mod:`.channels_last` im2col + GEMM.

Transposed convs: :mod:`.channels_last` (GEMM + col2im with channels innermost) in
float64, :mod:`.im2col` otherwise, whichever the benchmark found faster. The rules only
choose; every algorithm computes the same function, so the arguments are accepted and
rejected exactly as by the others (the checks run before any kernel).
"""

from __future__ import annotations

import torch

from . import channels_last, depthwise, fft, im2col, winograd
from ._args import ConvSpec, ConvTransposeSpec

# Measured crossover: FFT already wins at k = 11 on 256x256 and by ~50-200x at k = 31.
FFT_MIN_SPAN = 11


def uses_fft(input: torch.Tensor, spec: ConvSpec) -> bool:
    spans = [d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation)]
    return (
        input.dtype.is_floating_point
        and min(spans) >= FFT_MIN_SPAN
        and all(s == 1 for s in spec.stride)
    )


def conv_method(input: torch.Tensor, weight: torch.Tensor, spec: ConvSpec) -> str:
    """The name of the module :func:`conv` runs for these arguments."""
    if depthwise.is_depthwise(input, weight, spec.groups):
        return "depthwise"
    if uses_fft(input, spec):
        return "fft"
    if winograd.applies(input, spec):
        return "winograd"
    return "channels_last"


def conv_transpose_method(input: torch.Tensor, spec: ConvTransposeSpec) -> str:
    return "channels_last" if input.dtype == torch.float64 else "im2col"


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """Run the algorithm :func:`conv_method` picks."""
    modules = {
        "depthwise": depthwise,
        "fft": fft,
        "winograd": winograd,
        "channels_last": channels_last,
    }
    return modules[conv_method(input, weight, spec)].conv(input, weight, bias, spec)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """Run the algorithm :func:`conv_transpose_method` picks."""
    module = channels_last if conv_transpose_method(input, spec) == "channels_last" else im2col
    return module.conv_transpose(input, weight, bias, spec)
