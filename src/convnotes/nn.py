"""`Conv1d/2d/3d` and `ConvTranspose1d/2d/3d` modules computed by
[`convnotes.functional`][convnotes.functional].

Each class subclasses its `torch.nn` twin, so the constructor, parameter names and shapes,
initialisation, `state_dict` keys and argument checks are PyTorch's own (state dicts load
both ways); only the forward computation is replaced by the from-scratch code. An extra
keyword `method` picks the implementation (a key of `convnotes.functional.METHODS`; any
other name raises `ValueError`). The forward is one call of the operator
`convnotes::conv` / `convnotes::conv_transpose` and is written so that
`torch.jit.script` compiles it.

A transposed layer's `forward(input, output_size=None)` takes `output_size` as
`torch.nn.ConvTranspose*d` does (the spatial sizes, or with the batch and channel
dimensions first) and picks the output padding that gives it; a size outside
[`output_size_range`][convnotes.shapes.output_size_range] raises a
[`ConvArgumentError`][convnotes.errors.ConvArgumentError] (a `ValueError`) stating the
range, anything but a sequence of ints a `TypeError`.

Examples:
    >>> layer = ConvTranspose2d(8, 4, 3, stride=2, padding=1, method="direct")
    >>> layer(torch.randn(1, 8, 16, 16), output_size=(32, 32)).shape
    torch.Size([1, 4, 32, 32])
    >>> layer
    ConvTranspose2d(8, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), method='direct')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from ._extras import missing_extra

try:
    import torch
except ModuleNotFoundError as error:
    raise missing_extra(__name__, "torch") from error

import torch.nn.functional as F
from torch import Tensor, nn

from . import functional as CF
from .functional import _ops
from .functional._args import parse_int_sequence

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

    # Declared for type checkers only: torch.jit.script reads class annotations and
    # cannot resolve the string ones that `from __future__ import annotations` leaves.
    if TYPE_CHECKING:
        method: str

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, method={self.method!r}"


class _ConvMixin(_MethodRepr, _ConvBase):
    """Forward of `torch.nn.Conv*d` through the operator `convnotes::conv`."""

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
        # Typed and free of attribute reassignment: torch.jit.script compiles it.
        padding: list[int] = [0 for _ in self.stride]
        padding_string = ""
        if self.padding_mode != "zeros":
            # As torch does: pad with the mode first, then convolve without padding.
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
        elif isinstance(self.padding, str):
            padding_string = self.padding
        else:
            padding = [p for p in self.padding]
        stride = [s for s in self.stride]
        dilation = [d for d in self.dilation]
        if torch.jit.is_scripting():
            return torch.ops.convnotes.conv(
                input, weight, bias, stride, padding, dilation, self.groups, padding_string,
                self.method,
            )  # fmt: skip
        return _ops.conv(
            input, weight, bias, stride, padding, dilation, self.groups, padding_string,
            self.method,
        )  # fmt: skip


class _ConvTransposeMixin(_MethodRepr, _ConvTransposeBase):
    """Forward of `torch.nn.ConvTranspose*d` through the operator `convnotes::conv_transpose`."""

    if TYPE_CHECKING:  # for type checkers only, as `_MethodRepr.method`
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

    def forward(self, input: Tensor, output_size: list[int] | None = None) -> Tensor:
        """`output_size` (spatial sizes, or with the batch and channel dimensions) picks
        the output_padding as `torch.nn.ConvTranspose*d` does; a size outside
        `[lo, lo + stride - 1]` raises a `ConvArgumentError` (a `ValueError`) stating
        the range."""
        if self.padding_mode != "zeros":
            raise ValueError(
                "Only `zeros` padding mode is supported for a transposed convolution "
                "(ConvTranspose1d/2d/3d), got padding_mode=" + self.padding_mode
            )
        stride = [s for s in self.stride]
        padding = [p for p in self.padding]
        output_padding = [a for a in self.output_padding]
        dilation = [d for d in self.dilation]
        if torch.jit.is_scripting():
            return torch.ops.convnotes.conv_transpose(
                input, self.weight, self.bias, stride, padding, output_padding, self.groups,
                dilation, output_size, self.method,
            )  # fmt: skip
        return _ops.conv_transpose(
            input, self.weight, self.bias, stride, padding, output_padding, self.groups,
            dilation, _checked_output_size(self.__class__.__name__, output_size), self.method,
        )  # fmt: skip


@torch.jit.unused
def _checked_output_size(name: str, output_size: object) -> list[int] | None:
    """`output_size` as ints: `TypeError` for anything else, as PyTorch."""
    if output_size is None:
        return None
    if isinstance(output_size, (str, bytes)) or not isinstance(output_size, Sequence):
        raise TypeError(
            f"{name}.forward(): output_size must be a sequence of ints, "
            f"not {type(output_size).__name__}"
        )
    return list(parse_int_sequence(f"{name}.forward", "output_size", output_size))


class Conv1d(_ConvMixin, nn.Conv1d):
    """`torch.nn.Conv1d` computed by [`conv1d`][convnotes.functional.conv1d]."""


class Conv2d(_ConvMixin, nn.Conv2d):
    """`torch.nn.Conv2d` computed by [`conv2d`][convnotes.functional.conv2d]."""


class Conv3d(_ConvMixin, nn.Conv3d):
    """`torch.nn.Conv3d` computed by [`conv3d`][convnotes.functional.conv3d]."""


class ConvTranspose1d(_ConvTransposeMixin, nn.ConvTranspose1d):
    """`torch.nn.ConvTranspose1d` computed by
    [`conv_transpose1d`][convnotes.functional.conv_transpose1d]."""


class ConvTranspose2d(_ConvTransposeMixin, nn.ConvTranspose2d):
    """`torch.nn.ConvTranspose2d` computed by
    [`conv_transpose2d`][convnotes.functional.conv_transpose2d]."""


class ConvTranspose3d(_ConvTransposeMixin, nn.ConvTranspose3d):
    """`torch.nn.ConvTranspose3d` computed by
    [`conv_transpose3d`][convnotes.functional.conv_transpose3d]."""
