"""Figures, tables and animations for the site, generated from the package's own code.

Every asset is produced by a generator function in one module per family
(`matrix`, `multichannel`, `photo`, `checkerboard`,
`animation`, `learned`, `tables`). `registry` lists the assets
with their parameters; `cache` skips an asset whose inputs (generator source,
parameters, package and library versions) have not changed since the last build.

Importing this package is cheap (no torch, no matplotlib): the generators are imported
only when an asset has to be rebuilt, so a fully cached build takes well under a second.
"""

from __future__ import annotations

from .._extras import require_torch_extra

# The generators import torch, NumPy and Matplotlib only when they run: say what is missing now.
require_torch_extra(__name__)

from .build import DEFAULT_DEST, BuildResult, build_assets  # noqa: E402
from .registry import Asset, all_assets  # noqa: E402

__all__ = ["DEFAULT_DEST", "Asset", "BuildResult", "all_assets", "build_assets"]
