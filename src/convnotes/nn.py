"""`Conv1d/2d/3d` and `ConvTranspose1d/2d/3d` modules computed by `convnotes.functional`.

Each class subclasses its `torch.nn` twin, so the constructor, parameter names and shapes,
initialisation, `state_dict` keys and argument checks are PyTorch's own (state dicts load
both ways); only the forward computation is replaced by the from-scratch code. An extra
keyword `method` picks the implementation (see `convnotes.functional.METHODS`).

Examples:
    >>> layer = ConvTranspose2d(8, 4, 3, stride=2, padding=1, method="direct")
    >>> layer(torch.randn(1, 8, 16, 16), output_size=(32, 32)).shape
    torch.Size([1, 4, 32, 32])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from ._extras import missing_extra

try:
    import torch  # noqa: F401 (used by the module doctest)
except ModuleNotFoundError as error:
    raise missing_extra(__name__, "torch") from error

import torch.nn.functional as F
from torch import Tensor, nn

from . import functional as CF
from .errors import ConvArgumentError
from .shapes import output_padding_for

PaddingMode = Literal["zeros", "reflect", "replicate", "circular"]  # as torch.nn types it

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


def _check_method(method: str) -> str:
    if method not in CF.METHODS:
        raise ValueError(f"method={method!r}: unknown method, choose one of {sorted(CF.METHODS)}")
    return method


if TYPE_CHECKING:  # the mixins are combined with torch's Conv*d / ConvTranspose*d only
    from torch.nn import Conv2d as _ConvBase
    from torch.nn import ConvTranspose2d as _ConvTransposeBase
    from torch.nn import Module as _ModuleBase
else:
    _ModuleBase = _ConvBase = _ConvTransposeBase = object


class _MethodRepr(_ModuleBase):
    """Shows the chosen `method` in the module's repr."""

    method: str

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, method={self.method!r}"


class _ConvMixin(_MethodRepr, _ConvBase):
    """Forward of `nn.Conv*d` through [`convnotes.functional`][convnotes.functional]."""

    _functional = staticmethod(CF.conv1d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: PaddingMode = "zeros",
        device=None,
        dtype=None,
        *,
        method: str = CF.DEFAULT_METHOD,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip
        self.method = _check_method(method)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        padding: str | int | tuple[int, ...] = self.padding
        if self.padding_mode != "zeros":
            # As torch does: pad with the mode first, then convolve without padding.
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            padding = 0
        return self._functional(
            input, weight, bias, self.stride, padding, self.dilation, self.groups,
            method=self.method,
        )  # fmt: skip


class _ConvTransposeMixin(_MethodRepr, _ConvTransposeBase):
    """Forward of `nn.ConvTranspose*d` through [`convnotes.functional`][convnotes.functional]."""

    _functional = staticmethod(CF.conv_transpose1d)
    _ndim = 1
    padding: tuple[int, ...]  # torch refuses a string padding for a transposed conv

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        padding_mode: PaddingMode = "zeros",
        device=None,
        dtype=None,
        *,
        method: str = CF.DEFAULT_METHOD,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, output_padding, groups,
            bias, dilation, padding_mode, device, dtype,
        )  # fmt: skip
        self.method = _check_method(method)

    def resolve_output_padding(
        self, input: Tensor, output_size: Sequence[int] | None
    ) -> tuple[int, ...]:
        """`self.output_padding`, or the one that gives `output_size` (as torch computes it).

        `output_size` may include the batch and channel dimensions; a size outside
        `[lo, lo + stride - 1]` raises a `ValueError` stating the range.
        """
        if output_size is None:
            return self.output_padding
        ndim = self._ndim
        non_spatial = 2 if input.dim() == ndim + 2 else 1
        sizes = [int(s) for s in output_size]
        if len(sizes) == non_spatial + ndim:
            sizes = sizes[non_spatial:]
        if len(sizes) != ndim:
            raise ConvArgumentError(
                f"{type(self).__name__}: for {input.dim()}D input, output_size must have "
                f"{ndim} or {non_spatial + ndim} elements, got output_size={list(output_size)}"
            )
        return output_padding_for(
            tuple(input.shape[-ndim:]), tuple(sizes), self.kernel_size, self.stride,
            self.padding, self.dilation,
        )  # fmt: skip

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        if self.padding_mode != "zeros":
            raise ValueError(
                f"Only `zeros` padding mode is supported for {type(self).__name__}, "
                f"got padding_mode={self.padding_mode!r}"
            )
        return self._functional(
            input, self.weight, self.bias, self.stride, self.padding,
            self.resolve_output_padding(input, output_size), self.groups, self.dilation,
            method=self.method,
        )  # fmt: skip


class Conv1d(_ConvMixin, nn.Conv1d):
    """`torch.nn.Conv1d` computed by [`conv1d`][convnotes.functional.conv1d]."""

    _functional = staticmethod(CF.conv1d)


class Conv2d(_ConvMixin, nn.Conv2d):
    """`torch.nn.Conv2d` computed by [`conv2d`][convnotes.functional.conv2d]."""

    _functional = staticmethod(CF.conv2d)


class Conv3d(_ConvMixin, nn.Conv3d):
    """`torch.nn.Conv3d` computed by [`conv3d`][convnotes.functional.conv3d]."""

    _functional = staticmethod(CF.conv3d)


class ConvTranspose1d(_ConvTransposeMixin, nn.ConvTranspose1d):
    """`torch.nn.ConvTranspose1d` computed by
    [`conv_transpose1d`][convnotes.functional.conv_transpose1d]."""

    _functional = staticmethod(CF.conv_transpose1d)
    _ndim = 1


class ConvTranspose2d(_ConvTransposeMixin, nn.ConvTranspose2d):
    """`torch.nn.ConvTranspose2d` computed by
    [`conv_transpose2d`][convnotes.functional.conv_transpose2d]."""

    _functional = staticmethod(CF.conv_transpose2d)
    _ndim = 2


class ConvTranspose3d(_ConvTransposeMixin, nn.ConvTranspose3d):
    """`torch.nn.ConvTranspose3d` computed by
    [`conv_transpose3d`][convnotes.functional.conv_transpose3d]."""

    _functional = staticmethod(CF.conv_transpose3d)
    _ndim = 3
