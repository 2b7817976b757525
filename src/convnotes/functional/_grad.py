"""Derivatives of the two operators, written with the operators themselves.

A convolution `y = conv(x, w) + b` is linear in `x` and in `w` separately, so

* the input gradient of a conv is the transposed conv of `dL/dy` with the same weight
  (the adjoint `C^T`), cropped to the input; that of a transposed conv is the conv;
* the weight gradient is a correlation of the (padded) input with `dL/dy`:
  `dL/dw[o, c, j] = sum_n sum_t dL/dy[n, o, t] * x_pad[n, c, t*s + j*d]`, itself a conv
  whose batch and channel axes are swapped, stride `d` and dilation `s`
  (`weight_grad`);
* the bias gradient is `dL/dy` summed over everything but the channels;
* the forward-mode derivative (`jvp`) is `conv(dx, w) + conv(x, dw) + db`.

Because every formula calls `_ops.conv` / `_ops.conv_transpose` again,
higher derivatives, `vmap` of gradients and compiled backward passes need nothing more.
The one exception is speed: when no graph is recorded (an ordinary backward pass), the
weight gradient runs the shifted-GEMM kernel of `weight_grad.py` instead of the conv
formula (whose "kernel" is the whole output gradient, far too large for any conv method).
"""

from __future__ import annotations

from types import EllipsisType

import torch
import torch.nn.functional as F
from torch import Tensor

from . import _ops
from . import weight_grad as shifted
from ._args import prepare_conv, prepare_conv_transpose


def _batched(t: Tensor, unbatched: bool) -> Tensor:
    return t.unsqueeze(0) if unbatched else t


def _crop(t: Tensor, starts: list[int], lengths: tuple[int, ...]) -> Tensor:
    """`t[..., s_0 : s_0 + l_0, s_1 : s_1 + l_1, ...]` over the trailing dimensions."""
    region = (slice(s, s + n) for s, n in zip(starts, lengths))
    key: tuple[EllipsisType | slice, ...] = (..., *region)
    return t[key]


# Real dtypes take the shifted-GEMM kernel; complex keeps the operator formula.
_SHIFTED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _uncached(weight: Tensor) -> Tensor:
    """The weight as the backward's kernels should see it: a training step changes it
    every step, so without a graph to record it is detached (a new tensor object, on
    which the kernels' weight caches do not persist)."""
    return weight if torch.is_grad_enabled() else weight.detach()


def bias_grad(grad: Tensor, ndim: int) -> Tensor:
    """`dL/db[c] = sum of dL/dy[..., c, *spatial]`."""
    return grad.sum(dim=[d for d in range(grad.dim()) if d != grad.dim() - ndim - 1])


def weight_grad(
    source: Tensor,
    grad: Tensor,
    kernel_size: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    groups: int,
    method: str,
) -> Tensor:
    """`dL/dw` of `conv(source, w)` (`(N, C, *i)`, padding `(before, after)`) given
    `grad = dL/dy` (`(N, C_out, *o)`): shape `(C_out, C/groups, *kernel_size)`.

    Output tap `t` reads `x_pad[t*s + j*d]`, so the correlation runs over the padded
    input cut to the `L = (k - 1)*d + (o - 1)*s + 1` positions any tap reads, as a conv with
    the samples as channels (`groups` kept), `grad` as its kernel, stride `d` and
    dilation `s`: exactly `k` outputs per dimension.
    """
    differentiable = torch.is_grad_enabled() and (source.requires_grad or grad.requires_grad)
    if source.dtype in _SHIFTED_DTYPES and not differentiable:
        wide = _ops.compute_dtype(source.dtype)
        dw = shifted.weight_grad(
            source.to(wide), grad.to(wide), kernel_size, padding, stride, dilation, groups
        )
        return dw.to(source.dtype)
    c = source.shape[1]
    out_size = grad.shape[2:]
    # (N, C, *i) -> (C/g, g*N, *i): channel c of group g becomes the "sample" c.
    x = source.unflatten(1, (groups, c // groups)).transpose(0, 2).flatten(1, 2)
    pads: list[int] = []
    for axis in reversed(range(len(kernel_size))):
        k, d, s, o = kernel_size[axis], dilation[axis], stride[axis], out_size[axis]
        length = (k - 1) * d + (o - 1) * s + 1
        before = min(padding[axis][0], length)
        keep = min(x.shape[2 + axis], length - before)
        x = x.narrow(2 + axis, 0, keep)
        pads += [before, length - before - keep]
    if any(pads):
        x = F.pad(x, pads)
    kernel = grad.transpose(0, 1)  # (C_out, N, *o): input channels per group = N
    ndim = len(kernel_size)
    # The forward stride dilates this "kernel" (as large as the output): auto would pick FFT
    # for its span, whose spectra cover prod(s) times its taps; im2col's GEMM reads only
    # the taps (measured 3x faster on a stride-2 transposed layer's training step).
    if method == "auto" and any(s > 1 for s in stride):
        method = "im2col"
    y = _ops.conv(
        x, kernel, None, list(dilation), [0] * ndim, list(stride), groups, "", method
    )  # (C/g, C_out, *k)
    return y.transpose(0, 1)


def conv_backward(
    grad: Tensor,
    input: Tensor,
    weight: Tensor,
    has_bias: bool,
    args: tuple,
    needs: tuple[bool, ...],
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    """Gradients of `convnotes::conv` with respect to input, weight and bias."""
    stride, padding, dilation, groups, padding_string, method = args
    ndim = len(stride)
    call = prepare_conv(
        ndim, input, weight, None, stride, padding_string or padding, dilation, groups
    )
    spec, g = call.spec, _batched(grad, call.unbatched)
    empty = grad.numel() == 0
    grad_input = grad_weight = grad_bias = None
    weight = _uncached(weight)
    if needs[0]:
        if empty or weight.numel() == 0:
            grad_input = torch.zeros_like(input)
        else:
            # The transposed conv over the padded input, symmetric padding min(before,
            # after), output_padding for the rows the conv's floor dropped; then the crop.
            low = [min(pair) for pair in spec.padding]
            rest = [
                i + b + a - ((o - 1) * s + d * (k - 1) + 1)
                for i, (b, a), o, s, d, k in zip(
                    spec.input_size, spec.padding, spec.output_size, spec.stride,
                    spec.dilation, spec.kernel_size,
                )
            ]  # fmt: skip
            full = _ops.conv_transpose(
                g, weight, None, list(spec.stride), low, rest, groups, list(spec.dilation),
                None, method,
            )  # fmt: skip
            starts = [b - q for (b, _), q in zip(spec.padding, low)]
            grad_input = _crop(full, starts, spec.input_size)
            grad_input = grad_input.squeeze(0) if call.unbatched else grad_input
    if needs[1]:
        if empty or input.numel() == 0:
            grad_weight = torch.zeros_like(weight)
        else:
            grad_weight = weight_grad(
                call.input, g, spec.kernel_size, spec.padding, spec.stride, spec.dilation,
                groups, method,
            )  # fmt: skip
    if has_bias and needs[2]:
        grad_bias = bias_grad(grad, ndim)
    return grad_input, grad_weight, grad_bias


def conv_transpose_backward(
    grad: Tensor,
    input: Tensor,
    weight: Tensor,
    has_bias: bool,
    args: tuple,
    needs: tuple[bool, ...],
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    """Gradients of `convnotes::conv_transpose` with respect to input, weight and bias."""
    stride, padding, output_padding, groups, dilation, output_size, method = args
    ndim = len(stride)
    call = prepare_conv_transpose(
        ndim, input, weight, None, stride, padding, output_padding, groups, dilation,
        output_size,
    )  # fmt: skip
    spec, g = call.spec, _batched(grad, call.unbatched)
    empty = grad.numel() == 0
    grad_input = grad_weight = grad_bias = None
    weight = _uncached(weight)
    if needs[0]:
        if empty or weight.numel() == 0:
            grad_input = torch.zeros_like(input)
        else:
            # The conv with the same arguments maps the output size back to at least the
            # input size (more where output_padding >= stride, allowed when < dilation).
            full = _ops.conv(
                g, weight, None, list(spec.stride), list(spec.padding), list(spec.dilation),
                groups, "", method,
            )  # fmt: skip
            grad_input = _crop(full, [0] * ndim, spec.input_size)
            grad_input = grad_input.squeeze(0) if call.unbatched else grad_input
    if needs[1]:
        if empty or input.numel() == 0:
            grad_weight = torch.zeros_like(weight)
        else:
            grad_weight = weight_grad(
                g, call.input, spec.kernel_size, tuple((p, p) for p in spec.padding),
                spec.stride, spec.dilation, groups, method,
            )  # fmt: skip
    if has_bias and needs[2]:
        grad_bias = bias_grad(grad, ndim)
    return grad_input, grad_weight, grad_bias


def bilinear_jvp(
    op,
    input: Tensor,
    weight: Tensor,
    input_t: Tensor | None,
    weight_t: Tensor | None,
    bias_t: Tensor | None,
    args: tuple,
    output_shape: torch.Size,
) -> Tensor:
    """Forward-mode derivative `op(dx, w) + op(x, dw) + db` of a conv or transposed conv."""
    terms = []
    if input_t is not None:
        terms.append(op(input_t, weight, None, *args))
    if weight_t is not None:
        terms.append(op(input, weight_t, None, *args))
    ndim = len(args[0])
    if bias_t is not None:
        terms.append(bias_t.reshape(-1, *([1] * ndim)).expand(output_shape))
    if not terms:
        return input.new_zeros(output_shape)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total
