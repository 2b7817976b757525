"""convnotes: convolution and transposed convolution in PyTorch, explained with tested code.

Shape arithmetic lives in [`convnotes.shapes`][convnotes.shapes] (no torch needed), the
inverse design helpers in [`convnotes.design`][convnotes.design], from-scratch layers in
[`convnotes.functional`][convnotes.functional] and [`convnotes.nn`][convnotes.nn], the
unrolled kernel matrix in [`convnotes.matrix`][convnotes.matrix]; those three need the
`torch` extra (`pip install "convnotes[torch]"`).
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
