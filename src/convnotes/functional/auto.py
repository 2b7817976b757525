"""`method="auto"`: pick the algorithm per call. Every threshold is stated here, once.

Ordinary convolutions, first rule that holds:

1. depthwise (one input channel per group): `depthwise`, a multiply-add per tap
   (no channel sum for a GEMM to do);
2. stride 1 and at least `FFT_MIN_TAPS` kernel taps, or at least
   `FFT_FEW_OUTPUTS_MIN_TAPS` taps into at most `FFT_FEW_OUTPUTS` channels: `fft`, whose
   cost does not grow with the kernel. Taps, not the dilated span: a dilated `k=7` conv
   (a TCN's) does 7 multiply-adds per output whatever its dilation, and FFT ran it 5-7x
   slower than native against 1.1-1.2x for the GEMM methods;
3. small maps for the weight (`phase_pays` false): `im2col`, whose GEMM reads the
   weight as it is stored (4x512 on 4x4: 1.4x native, against channels_last's 3.5x);
4. stride 1, symmetric padding of at most `d*(k-1)`, except 3d float32: `phase`, the
   ordinary conv as a one-phase transposed conv (channels first, GEMMs writing the
   channels contiguous);
5. 2d/3d with stride 1 along the first spatial dimension: `channels_last`;
6. everything else: `im2col` (with a stride, measured faster than channels_last: DCGAN's
   k4 s2 convs 1.4x native against 1.6-1.9x, the 7x7 stride-2 stem 2.1x against 2.3x).

Transposed convolutions: `depthwise` for one input channel per group (the input
gradient of a depthwise conv: a multiply-add per tap); `phase` (one conv with
`prod(s)*C_out` channels, then a pixel shuffle) when it applies, wastes no multiplies
(`phase.work_ratio` 1: `k=3, s=2` pads its phases to 16 taps for 9) and the gather pays;
else `im2col` (one GEMM over all samples with the weight as stored, then col2im; measured
on DCGAN's and CycleGAN's layers: a 1x1 input 0.9x native against phase's 3.6x, `k=3,
s=2` 1.0-1.3x against 1.6-1.7x).

`phase` lays the weight out anew for its GEMMs. A weight that persists across calls (an
`nn.Parameter` read without autograd: inference) keeps that copy (`phase.cached_weight`),
and phase then needs `positions >= PHASE_CACHED_POSITIONS_PER_CHANNEL * channels`.
Otherwise it is gathered on every call, which pays only on large maps:
`positions >= PHASE_POSITIONS_PER_CHANNEL * channels` (positions: samples times output
pixels of the GEMMs, channels: the weight's other side). Measured on ResNet-18's 3x3
convs, float32, 2 threads, uncached, against im2col: 4x512 on 4x4 5.9x native against
1.4x; 4x256 on 7x7 1.9x against 1.5x; 1x64 on 56x56 1.3x against 1.6x; 2x32 on 128x128
1.8x against 3.7x.

The rules only choose; every algorithm computes the same function and the arguments are
checked before any kernel runs, so "auto" accepts and rejects exactly what the others (and
PyTorch) do. `scripts/bench.py` times the methods on whole networks and single layers.
"""

from __future__ import annotations

import math

import torch

from . import channels_last, depthwise, fft, im2col, phase
from ._args import ConvSpec, ConvTransposeSpec

# FFT's crossover: 11x11 taps on 256x256 (measured: FFT wins from k=11, by ~50-200x at k=31).
FFT_MIN_TAPS = 121
# CycleGAN's last layer, 64 -> 3 channels 7x7 on 134x134: FFT 1.1x native, phase 4.7x,
# channels_last 3.9x, im2col 8.2x.
FFT_FEW_OUTPUTS = 4
FFT_FEW_OUTPUTS_MIN_TAPS = 49
PHASE_POSITIONS_PER_CHANNEL = 16
# With the weight cached, phase still carries more per-call work than one GEMM: DCGAN's
# first layer (a 1x1 input, 16 samples, 100 channels) ran 3.6x native against im2col's 0.9x.
PHASE_CACHED_POSITIONS_PER_CHANNEL = 1
# Transposed convs: im2col's col2im (a scatter-add per tap) costs more than its columns,
# so phase wins earlier: 1x64->32 28^2 k4 s2 (12 positions per channel) phase 1.2x native
# against im2col's 2.1x; DCGAN's 256->128 8x8 (4 per channel) 1.4x against 1.4x.
PHASE_TRANSPOSED_POSITIONS_PER_CHANNEL = 8


def uses_fft(input: torch.Tensor, weight: torch.Tensor, spec: ConvSpec) -> bool:
    """Stride 1, at least `FFT_MIN_TAPS` taps, and FFT takes the call (`fft.applies`)."""
    return (
        math.prod(spec.kernel_size) >= FFT_MIN_TAPS
        and all(s == 1 for s in spec.stride)
        and fft.applies(input, weight, spec)
    )


def few_outputs_fft(input: torch.Tensor, weight: torch.Tensor, spec: ConvSpec) -> bool:
    """A large kernel (`FFT_FEW_OUTPUTS_MIN_TAPS`) with at most `FFT_FEW_OUTPUTS`
    output channels (an image-producing last layer), stride 1: the GEMM methods' matrix
    products are then a few columns wide and run far below the peak."""
    return (
        weight.shape[0] <= FFT_FEW_OUTPUTS
        and math.prod(spec.kernel_size) >= FFT_FEW_OUTPUTS_MIN_TAPS
        and all(s == 1 for s in spec.stride)
        and fft.applies(input, weight, spec)
    )


def phase_pays(
    weight: torch.Tensor, positions: int, channels: int, uncached: int = PHASE_POSITIONS_PER_CHANNEL
) -> bool:
    """Whether `phase`'s weight gather costs less than it saves (module docstring):
    `positions >= per_channel * channels`, `per_channel` the cached or `uncached` one."""
    cached = isinstance(weight, torch.nn.Parameter)  # the op path and backward detach it
    per_channel = PHASE_CACHED_POSITIONS_PER_CHANNEL if cached else uncached
    return positions >= per_channel * channels


def conv_method(input: torch.Tensor, weight: torch.Tensor, spec: ConvSpec) -> str:
    """The name of the module `conv` runs for these arguments."""
    if depthwise.is_depthwise(input, weight, spec.groups):
        return "depthwise"
    if uses_fft(input, weight, spec) or few_outputs_fft(input, weight, spec):
        return "fft"
    positions = input.shape[0] * math.prod(spec.output_size)
    if not phase_pays(weight, positions, weight.shape[0]):
        return "im2col"  # small maps: channels_last's per-tap GEMMs measured slower too
    float32_3d = len(spec.kernel_size) == 3 and input.dtype == torch.float32
    if phase.as_transposed(spec) is not None and not float32_3d:
        return "phase"
    if len(spec.kernel_size) > 1 and spec.kernel_size[0] > 1 and spec.stride[0] == 1:
        return "channels_last"
    return "im2col"


def conv_transpose_method(
    input: torch.Tensor, weight: torch.Tensor, spec: ConvTransposeSpec
) -> str:
    """`depthwise` for one input channel per group; `phase` where it applies, wastes no
    multiplies and its gather pays; else `im2col`."""
    if spec.groups == input.shape[1] > 1:
        return "depthwise"
    positions = input.shape[0] * math.prod(spec.input_size)
    if (
        phase.applies_transposed(spec)
        and phase.work_ratio(spec) == 1
        and phase_pays(weight, positions, weight.shape[0], PHASE_TRANSPOSED_POSITIONS_PER_CHANNEL)
    ):
        return "phase"
    return "im2col"


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
    modules = {"depthwise": depthwise, "im2col": im2col, "phase": phase}
    return modules[conv_transpose_method(input, weight, spec)].conv_transpose(
        input, weight, bias, spec
    )
