"""`method="auto"`: pick the algorithm per problem, by rules measured with `scripts/bench.py`.

* depthwise (one input channel per group): `depthwise`, multiply-adds per tap;
* large kernels (every dilated kernel side at least `FFT_MIN_SPAN`, stride 1,
  floating point): `fft`, whose cost does not grow with the kernel;
* stride 1 and symmetric padding of at most `d*(k-1)` (an ordinary conv that is a
  transposed conv with one phase), except 3d float32: `phase`, channels first with
  the GEMMs writing the channels contiguous, then one transpose back. Measured against
  the previous rules: conv2d 8x64 56^2 1.26x native against 1.51x (float32) and 0.37x
  against Winograd's 0.50x (float64); conv1d L4096 1.45x against im2col's 1.76x and 0.38x
  against 0.50x; conv3d 16^3 0.24x against 0.36x in float64, a tie with channels_last in
  float32 (2.19x, 2.31-2.61x against 2.48-2.62x) that needs more memory (3.9 against 3.3
  MiB; native 1.8). `winograd` (2.25x fewer multiplies, measured slower than phase
  in both precisions) is no longer picked; `method="winograd"` still runs it;
* 2d/3d with stride 1 along the first spatial dimension: `channels_last`, whose
  shifted GEMMs unroll only the last dimensions; in float32 also with a stride there (its
  GEMM writes the channels contiguous, which MKL's float32 GEMM measured faster: the
  7x7 stride-2 stem ran 2.1-2.6x native against im2col's 2.8x, and took 7.7 MiB against
  10.0);
* everything else (1d, float64 with a stride along the first dimension): `im2col`,
  whose copy is cheap there (contiguous runs along the last dimension) and needs no
  layout change.

Transposed convs: `phase`, one ordinary convolution with `prod(s)*C_out` output
channels by shifted GEMMs, then a pixel shuffle (no col2im, no inserted zeros).

The rules only choose; every algorithm computes the same function and the arguments are
checked before any kernel runs, so "auto" accepts and rejects exactly what the others (and
PyTorch) do.
"""

from __future__ import annotations

import torch

from . import channels_last, depthwise, fft, im2col, phase
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
    """The name of the module `conv` runs for these arguments."""
    if depthwise.is_depthwise(input, weight, spec.groups):
        return "depthwise"
    if uses_fft(input, spec):
        return "fft"
    float32_3d = len(spec.kernel_size) == 3 and input.dtype == torch.float32
    if phase.as_transposed(spec) is not None and not float32_3d:
        return "phase"
    shifted = spec.stride[0] == 1 or input.dtype == torch.float32
    if len(spec.kernel_size) > 1 and spec.kernel_size[0] > 1 and shifted:
        return "channels_last"
    return "im2col"


def conv_transpose_method(input: torch.Tensor, spec: ConvTransposeSpec) -> str:
    """Sub-pixel phases (see the module docstring); integer tensors too."""
    return "phase"


def conv(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvSpec
) -> torch.Tensor:
    """Run the algorithm `conv_method` picks."""
    modules = {
        "depthwise": depthwise,
        "fft": fft,
        "phase": phase,
        "channels_last": channels_last,
        "im2col": im2col,
    }
    return modules[conv_method(input, weight, spec)].conv(input, weight, bias, spec)


def conv_transpose(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, spec: ConvTransposeSpec
) -> torch.Tensor:
    """Run the algorithm `conv_transpose_method` picks."""
    modules = {"im2col": im2col, "phase": phase}
    return modules[conv_transpose_method(input, spec)].conv_transpose(input, weight, bias, spec)
