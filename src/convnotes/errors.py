"""The one exception type the package raises for a bad convolution argument."""

from __future__ import annotations


class ConvArgumentError(ValueError, RuntimeError):
    """A convolution argument breaks one of PyTorch's rules.

    It is both a `ValueError` (what `torch.nn` modules and the pure shape functions
    raise) and a `RuntimeError` (what `torch.nn.functional` raises), so an `except`
    clause written for PyTorch's error catches ours too. The message names the
    parameter, the value and the rule.
    """


class ConvDtypeError(ConvArgumentError, NotImplementedError):
    """A tensor dtype PyTorch's CPU convolution does not implement (bool; int8, uint8,
    int16 and int32 in a transposed or dilated convolution): also a
    `NotImplementedError`, what PyTorch raises."""
