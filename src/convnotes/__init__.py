"""convnotes: convolution and transposed convolution in PyTorch, explained with tested code.

Shape arithmetic lives in :mod:`convnotes.shapes` (no torch needed), the inverse design
helpers in :mod:`convnotes.design`, from-scratch layers in :mod:`convnotes.functional` and
:mod:`convnotes.nn`, the unrolled kernel matrix in :mod:`convnotes.matrix`.
"""

from .errors import ConvArgumentError
from .shapes import (
    conv_output_size,
    conv_transpose_output_size,
    output_padding_for,
    output_size_range,
)

__version__ = "0.1.0"

__all__ = [
    "ConvArgumentError",
    "__version__",
    "conv_matrix",
    "conv_output_size",
    "conv_transpose_output_size",
    "output_padding_for",
    "output_size_range",
]


def __getattr__(name: str):
    # conv_matrix needs torch; import it lazily so `import convnotes` stays torch-free.
    if name == "conv_matrix":
        from .matrix import conv_matrix

        return conv_matrix
    raise AttributeError(f"module 'convnotes' has no attribute {name!r}")
