"""Every example in the package's docstrings runs and prints what it shows (doctest).

The examples are what the API reference page shows under "Examples", so they stay true.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import convnotes


def _modules() -> list[str]:
    names = ["convnotes"]
    for info in pkgutil.walk_packages(convnotes.__path__, "convnotes."):
        if info.name != "convnotes.__main__":  # running it is the CLI, not an import
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, verbose=False, report=True)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_the_reference_modules_have_examples() -> None:
    finder = doctest.DocTestFinder()
    reference = ("shapes", "design", "layers", "doctor", "explain", "matrix")
    for name in (f"convnotes.{module}" for module in reference):
        tests = finder.find(importlib.import_module(name))
        assert sum(len(test.examples) for test in tests) > 0, name
