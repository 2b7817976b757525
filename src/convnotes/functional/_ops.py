"""The two PyTorch operators everything runs through: `convnotes::conv` and
`convnotes::conv_transpose`.

Registering the convolutions as operators (`torch.library.custom_op`) is what makes
PyTorch's program transforms see one node per layer instead of our kernels' hundreds of
views and GEMMs: `torch.jit.trace`/`script`, `torch.fx.symbolic_trace`,
`torch.export` and `torch.compile(fullgraph=True)` record the operator; its fake
implementation (`_conv_fake`) gives them the output's shape, dtype and layout from
`convnotes.shapes` without computing anything.

What each operator carries:

* the real implementation: the argument checks of `_args`, then the kernel of the
  chosen method (`KERNELS`, filled in by the package) run without autograd and in a
  dtype it computes well (`compute_dtype`: float16/bfloat16 accumulate in float32),
  the result cast back and laid out like PyTorch's (contiguous in the input's memory
  format);
* the backward (`_grad`, the one place it is written): the input gradient of a conv
  is a transposed conv and that of a transposed conv a conv, both these operators again,
  so double backward, `vmap` of gradients and compiled training work;
* a `vmap` rule (`_conv_vmap`): a batch of inputs joins the batch dimension, a
  batch of weights (model ensembling) becomes extra groups;
* autocast: under `torch.autocast("cpu")` the floating inputs are cast to the autocast
  dtype, as PyTorch does for its convolutions.

`conv` and `conv_transpose` are the single entry points. They call the
operator, except under `torch.func` transforms and forward-mode AD, which PyTorch 2.13
does not run through a custom operator's autograd (`torch.func.grad` raises, `jvp`
silently drops the tangent, measured): there they go through an `autograd.Function`
(`_ConvFunction`) with the same backward, a `jvp` rule and a generated `vmap`
rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import EllipsisType

import torch
from torch import Tensor

from . import _grad
from ._args import ConvSpec, ConvTransposeSpec, PreparedCall, prepare_conv, prepare_conv_transpose
from ._common import without_padding_only_outputs

__all__ = ["KERNELS", "compute_dtype", "conv", "conv_transpose"]

# method name -> (conv kernel, conv_transpose kernel); filled by convnotes.functional.
KERNELS: dict[str, tuple[Callable, Callable]] = {}

# Reduced precision is computed in the next wider type, as PyTorch's CPU kernels accumulate.
_WIDER = {
    torch.float16: torch.float32,
    torch.bfloat16: torch.float32,
    torch.complex32: torch.complex64,
}


def compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype the kernels compute in: float32 for float16/bfloat16, complex64 for
    complex32, the dtype itself otherwise."""
    return _WIDER.get(dtype, dtype)


def _kernels(method: str) -> tuple[Callable, Callable]:
    try:
        return KERNELS[method]
    except (KeyError, TypeError):
        raise ValueError(
            f"method={method!r}: unknown method, choose one of {sorted(KERNELS)}"
        ) from None


def _run(kernel: Callable, call: PreparedCall) -> Tensor:
    """Run `kernel` on a checked call: no autograd (the operator's backward is ours), no
    autocast inside (our float32 accumulation must stay float32), in `compute_dtype`,
    the result cast back and contiguous in PyTorch's memory format."""
    if call.output_numel == 0:
        return call.empty_output()
    dtype = call.input.dtype
    wide = compute_dtype(dtype)
    x, w, b = call.input, call.weight, call.bias
    if wide != dtype:
        x, w = x.to(wide), w.to(wide)
        b = None if b is None else b.to(wide)
    if torch.is_grad_enabled() or torch.is_autocast_enabled("cpu"):
        with torch.no_grad(), torch.autocast("cpu", enabled=False):
            y = _kernel_call(kernel, x, w, b, call.spec)
    else:
        y = _kernel_call(kernel, x, w, b, call.spec)
    return call.finish(y.to(dtype))


def _kernel_call(
    kernel: Callable, x: Tensor, w: Tensor, b: Tensor | None, spec: ConvSpec | ConvTransposeSpec
) -> Tensor:
    """`kernel(x, w, b, spec)`; a conv whose padding leaves outputs that read no input
    (padding beyond the kernel's span) computes only the others, the rest is the bias:
    any method's cost then follows the input, not the padding."""
    trimmed = without_padding_only_outputs(spec) if isinstance(spec, ConvSpec) else None
    if trimmed is None:
        return kernel(x, w, b, spec)
    inner_spec, region, reads = trimmed
    out = x.new_zeros(x.shape[0], w.shape[0], *spec.output_size)
    if b is not None:
        out += b.reshape(-1, *[1] * len(region))
    if all(r.stop > r.start for r in region):
        into: tuple[EllipsisType | slice, ...] = (..., *region)
        read: tuple[EllipsisType | slice, ...] = (..., *reads)
        out[into] = kernel(x[read], w, b, inner_spec)
    return out


def _padding_arg(padding: Sequence[int], padding_string: str) -> Sequence[int] | str:
    return padding_string if padding_string else padding


# ------------------------------------------------------------------------------ conv


def _conv_impl(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
    padding_string: str,
    method: str,
) -> Tensor:
    # Through the operator autograd may be recording: a training step changes the weight
    # every step, so `detach` (a new tensor object) keeps kernels from caching on it.
    args = (stride, padding, dilation, groups, padding_string, method)
    return _conv_direct(input, weight.detach(), bias, *args)


def _conv_direct(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
    padding_string: str,
    method: str,
) -> Tensor:
    call = prepare_conv(
        len(stride), input, weight, bias, stride, _padding_arg(padding, padding_string),
        dilation, groups,
    )  # fmt: skip
    return _run(_kernels(method)[0], call)


_conv_op = torch.library.custom_op("convnotes::conv", _conv_impl, mutates_args=())


@_conv_op.register_fake
def _conv_fake(input, weight, bias, stride, padding, dilation, groups, padding_string, method):
    _kernels(method)
    call = prepare_conv(
        len(stride), input, weight, bias, stride, _padding_arg(padding, padding_string),
        dilation, groups,
    )  # fmt: skip
    return call.empty_output()


# -------------------------------------------------------------------- conv_transpose


def _conv_transpose_impl(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Sequence[int],
    padding: Sequence[int],
    output_padding: Sequence[int],
    groups: int,
    dilation: Sequence[int],
    output_size: Sequence[int] | None,
    method: str,
) -> Tensor:
    args = (stride, padding, output_padding, groups, dilation, output_size, method)
    return _conv_transpose_direct(input, weight.detach(), bias, *args)  # see _conv_impl


def _conv_transpose_direct(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Sequence[int],
    padding: Sequence[int],
    output_padding: Sequence[int],
    groups: int,
    dilation: Sequence[int],
    output_size: Sequence[int] | None,
    method: str,
) -> Tensor:
    call = prepare_conv_transpose(
        len(stride), input, weight, bias, stride, padding, output_padding, groups, dilation,
        output_size,
    )  # fmt: skip
    return _run(_kernels(method)[1], call)


_conv_transpose_op = torch.library.custom_op(
    "convnotes::conv_transpose", _conv_transpose_impl, mutates_args=()
)


@_conv_transpose_op.register_fake
def _conv_transpose_fake(
    input, weight, bias, stride, padding, output_padding, groups, dilation, output_size, method
):
    _kernels(method)
    call = prepare_conv_transpose(
        len(stride), input, weight, bias, stride, padding, output_padding, groups, dilation,
        output_size,
    )  # fmt: skip
    return call.empty_output()


# ------------------------------------------------------------------- entry points


def _through_function() -> bool:
    """Whether this call must go through `_ConvFunction`: a `torch.func` transform
    or forward-mode AD is active (not while torch.compile traces: it sees the operator)."""
    if torch.compiler.is_compiling():
        return False
    return (
        torch._C._are_functorch_transforms_active() or torch.autograd.forward_ad._current_level >= 0
    )


_PLAIN = (Tensor, torch.nn.Parameter)


def _direct(input: Tensor, weight: Tensor, bias: Tensor | None) -> bool:
    """Whether the kernels may run without going through the dispatcher: plain tensors,
    eager, no gradient to record, nothing tracing or intercepting the call. The
    operator's Python dispatch costs about 100 us per call, as much as a whole small conv."""
    if torch.compiler.is_compiling():
        return False
    if type(input) not in _PLAIN or type(weight) not in _PLAIN:
        return False
    if bias is not None and type(bias) not in _PLAIN:
        return False
    if torch.is_grad_enabled() and (
        input.requires_grad or weight.requires_grad or (bias is not None and bias.requires_grad)
    ):
        return False
    return not (
        torch.jit.is_tracing()
        or torch._C._are_functorch_transforms_active()
        or torch.autograd.forward_ad._current_level >= 0
        or torch._C._len_torch_dispatch_stack() > 0
        or torch._C._is_torch_function_mode_enabled()
    )


def _autocast(
    input: Tensor, weight: Tensor, bias: Tensor | None
) -> tuple[Tensor, Tensor, Tensor | None]:
    """PyTorch's CPU autocast rule for convolutions: floating tensors other than float64
    are cast to the autocast dtype."""
    if not torch.is_autocast_enabled("cpu"):
        return input, weight, bias
    dtype = torch.get_autocast_dtype("cpu")

    def cast(t: Tensor) -> Tensor:
        # Not yet checked to be a tensor: the argument checks report anything else.
        if isinstance(t, Tensor) and t.is_floating_point() and t.dtype != torch.float64:
            return t.to(dtype)
        return t

    return cast(input), cast(weight), None if bias is None else cast(bias)


def conv(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: list[int],
    padding: list[int],
    dilation: list[int],
    groups: int,
    padding_string: str,
    method: str,
) -> Tensor:
    """`convnotes::conv`: the convolution with integer arguments already parsed (one value
    per spatial dimension; `padding_string` is `"same"`, `"valid"` or `""`)."""
    input, weight, bias = _autocast(input, weight, bias)
    args = (stride, padding, dilation, groups, padding_string, method)
    if _direct(input, weight, bias):
        return _conv_direct(input, weight, bias, *args)
    if _through_function():
        return _ConvFunction.apply(input, weight, bias, _Opaque(args))
    return _conv_op(input, weight, bias, *args)


def conv_transpose(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: list[int],
    padding: list[int],
    output_padding: list[int],
    groups: int,
    dilation: list[int],
    output_size: list[int] | None,
    method: str,
) -> Tensor:
    """`convnotes::conv_transpose`: the transposed convolution with parsed arguments;
    `output_size` (spatial, or with batch and channels) picks the output padding as
    `ConvTranspose*d.forward` does."""
    input, weight, bias = _autocast(input, weight, bias)
    args = (stride, padding, output_padding, groups, dilation, output_size, method)
    if _direct(input, weight, bias):
        return _conv_transpose_direct(input, weight, bias, *args)
    if _through_function():
        return _ConvTransposeFunction.apply(input, weight, bias, _Opaque(args))
    return _conv_transpose_op(input, weight, bias, *args)


# ------------------------------------------------------------------------ autograd


def _conv_setup(ctx, inputs, output) -> None:
    input, weight, bias, *args = inputs
    ctx.save_for_backward(input, weight)
    ctx.args = tuple(args)
    ctx.has_bias = bias is not None


def _conv_backward(ctx, grad):
    input, weight = ctx.saved_tensors
    grads = _grad.conv_backward(grad, input, weight, ctx.has_bias, ctx.args, ctx.needs_input_grad)
    return (*grads, *[None] * len(ctx.args))


def _conv_transpose_backward(ctx, grad):
    input, weight = ctx.saved_tensors
    grads = _grad.conv_transpose_backward(
        grad, input, weight, ctx.has_bias, ctx.args, ctx.needs_input_grad
    )
    return (*grads, *[None] * len(ctx.args))


_conv_op.register_autograd(_conv_backward, setup_context=_conv_setup)
_conv_transpose_op.register_autograd(_conv_transpose_backward, setup_context=_conv_setup)


class _Opaque:
    """The integer arguments as one object: `torch.func` then sees them as a single
    non-tensor leaf (its pytree would otherwise unpack the lists of ints)."""

    __slots__ = ("args",)

    def __init__(self, args: tuple) -> None:
        self.args = args


def _function_setup(ctx, inputs, output) -> None:
    input, weight, bias, opaque = inputs
    _conv_setup(ctx, (input, weight, bias, *opaque.args), output)
    ctx.save_for_forward(input, weight)
    ctx.output_shape = output.shape


class _ConvFunction(torch.autograd.Function):
    """`convnotes::conv` for `torch.func` and forward-mode AD (see the module docstring)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(input, weight, bias, opaque):
        return _conv_op(input, weight, bias, *opaque.args)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _function_setup(ctx, inputs, output)

    @staticmethod
    def backward(ctx, grad):
        return (*_conv_backward(ctx, grad)[:3], None)

    @staticmethod
    def jvp(ctx, input_t, weight_t, bias_t, _):
        input, weight = ctx.saved_tensors
        return _grad.bilinear_jvp(
            conv, input, weight, input_t, weight_t, bias_t, ctx.args, ctx.output_shape
        )


class _ConvTransposeFunction(torch.autograd.Function):
    """`convnotes::conv_transpose` for `torch.func` and forward-mode AD."""

    generate_vmap_rule = True

    @staticmethod
    def forward(input, weight, bias, opaque):
        return _conv_transpose_op(input, weight, bias, *opaque.args)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _function_setup(ctx, inputs, output)

    @staticmethod
    def backward(ctx, grad):
        return (*_conv_transpose_backward(ctx, grad)[:3], None)

    @staticmethod
    def jvp(ctx, input_t, weight_t, bias_t, _):
        input, weight = ctx.saved_tensors
        return _grad.bilinear_jvp(
            conv_transpose, input, weight, input_t, weight_t, bias_t, ctx.args, ctx.output_shape
        )


# --------------------------------------------------------------------------- vmap


def _stacked_as_groups(
    info, in_dims, input: Tensor, weight: Tensor, bias: Tensor | None, ndim: int
) -> tuple[Tensor, Tensor, Tensor | None, bool]:
    """A vmapped weight (`B` models, ensembling): the models become `B` times the groups.

    Input channels `b*C + c` meet only model `b`'s weight, whose rows `b*C_w + r`
    are its own. Returns `(input, weight, bias, unbatched)` with the models folded in.
    """
    size = info.batch_size
    x_dim, w_dim, b_dim = in_dims[:3]
    x = input.movedim(x_dim, 0) if x_dim is not None else input.expand(size, *input.shape)
    w = weight.movedim(w_dim, 0) if w_dim is not None else weight.expand(size, *weight.shape)
    if bias is not None:
        bias = bias.movedim(b_dim, 0) if b_dim is not None else bias.expand(size, *bias.shape)
        bias = bias.flatten(0, 1)
    unbatched = x.dim() == ndim + 2  # (B, C, *spatial): every sample unbatched
    x = x.flatten(0, 1).unsqueeze(0) if unbatched else x.transpose(0, 1).flatten(1, 2)
    return x, w.flatten(0, 1), bias, unbatched


def _unfold_models(y: Tensor, size: int, unbatched: bool) -> tuple[Tensor, int]:
    y = y.unflatten(1, (size, -1))  # (N, B, C_out, *o)
    return (y[0], 0) if unbatched else (y, 1)


def _inputs_as_samples(info, x_dim: int, input: Tensor, ndim: int) -> tuple[Tensor, bool]:
    """A vmapped input alone: the vmapped dimension joins (or becomes) the batch."""
    x = input.movedim(x_dim, 0)
    unbatched = x.dim() == ndim + 2
    return (x if unbatched else x.flatten(0, 1)), unbatched


@_conv_op.register_vmap
def _conv_vmap(info, in_dims, input, weight, bias, stride, *args):
    ndim = len(stride)
    if in_dims[1] is None and in_dims[2] is None:
        x, unbatched = _inputs_as_samples(info, in_dims[0], input, ndim)
        y = _conv_op(x, weight, bias, stride, *args)
        return (y if unbatched else y.unflatten(0, (info.batch_size, -1))), 0
    padding, dilation, groups, padding_string, method = args
    x, w, b, unbatched = _stacked_as_groups(info, in_dims, input, weight, bias, ndim)
    groups *= info.batch_size
    y = _conv_op(x, w, b, stride, padding, dilation, groups, padding_string, method)
    return _unfold_models(y, info.batch_size, unbatched)


@_conv_transpose_op.register_vmap
def _conv_transpose_vmap(info, in_dims, input, weight, bias, stride, *args):
    ndim = len(stride)
    padding, output_padding, groups, dilation, output_size, method = args
    if output_size is not None and len(output_size) > ndim:
        output_size = list(output_size)[-ndim:]  # the batch and channels change below
    if in_dims[1] is None and in_dims[2] is None:
        x, unbatched = _inputs_as_samples(info, in_dims[0], input, ndim)
        y = _conv_transpose_op(
            x, weight, bias, stride, padding, output_padding, groups, dilation, output_size,
            method,
        )  # fmt: skip
        return (y if unbatched else y.unflatten(0, (info.batch_size, -1))), 0
    x, w, b, unbatched = _stacked_as_groups(info, in_dims, input, weight, bias, ndim)
    y = _conv_transpose_op(
        x, w, b, stride, padding, output_padding, groups * info.batch_size, dilation,
        output_size, method,
    )  # fmt: skip
    return _unfold_models(y, info.batch_size, unbatched)
