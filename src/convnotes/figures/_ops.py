"""The package's own convolution code, as every generator calls it.

TEMPORARY: falls back to torch while ``convnotes.functional`` / ``convnotes.matrix`` /
``convnotes.nn`` are being written; the fallbacks go once they land.
"""

from __future__ import annotations

import importlib


def functional():
    try:
        return importlib.import_module("convnotes.functional")
    except ImportError:  # pragma: no cover - temporary
        return importlib.import_module("torch.nn.functional")


def nn():
    try:
        return importlib.import_module("convnotes.nn")
    except ImportError:  # pragma: no cover - temporary
        return importlib.import_module("torch.nn")
