"""The `torch` extra: what it installs, and the error a module that needs it raises without it.

`pip install convnotes` gives the shape arithmetic, the design solvers, the explanations and
the CLI, none of which imports torch. The layers, the unrolled matrix and the figures need
`pip install "convnotes[torch]"`, which adds PyTorch, NumPy and Matplotlib.
"""

from __future__ import annotations

import importlib.util

TORCH_EXTRA = ("torch", "numpy", "matplotlib")
INSTALL_TORCH_EXTRA = 'pip install "convnotes[torch]"'


def missing_extra(module: str, package: str) -> ModuleNotFoundError:
    """The error for `module` needing `package`, which the `torch` extra installs."""
    return ModuleNotFoundError(
        f"{module} needs {package}, which is not installed; it comes with the torch extra: "
        f"{INSTALL_TORCH_EXTRA}",
        name=package,
    )


def require_torch_extra(module: str) -> None:
    """Raise `missing_extra`'s error if a package of the
    `torch` extra is not installed (checked without importing it)."""
    for package in TORCH_EXTRA:
        if importlib.util.find_spec(package) is None:
            raise missing_extra(module, package)
