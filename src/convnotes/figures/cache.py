"""Cache keys for assets: a hash of everything an asset's bytes depend on.

The key covers the generator's module source, the shared drawing helpers, the source of
the package modules it calls (`Asset.depends`), its parameters, and the versions of
convnotes and the libraries that render it. Sources are read from disk without importing
them, so checking a fully cached build never imports torch or matplotlib.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from importlib import metadata
from pathlib import Path

from .registry import Asset

# Modules every generator uses; a change in them invalidates every asset.
SHARED_MODULES = ("convnotes.figures._render", "convnotes.figures._style")
LIBRARIES = ("convnotes", "numpy", "matplotlib", "pillow", "torch", "scikit-learn")
MANIFEST_NAME = ".build-cache.json"


def module_sources(name: str) -> list[tuple[str, bytes]]:
    """`(relative file name, bytes)` of a module, or of every `.py` of a package.

    A module that does not exist contributes a marker, so its later arrival changes the key.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return [(f"{name}:missing", b"")]
    if spec.submodule_search_locations:
        root = Path(spec.origin).parent
        files = sorted(root.rglob("*.py"))
        return [(f"{name}:{f.relative_to(root).as_posix()}", f.read_bytes()) for f in files]
    return [(name, Path(spec.origin).read_bytes())]


def library_versions() -> dict[str, str]:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = "missing"
    return versions


def asset_key(asset: Asset, versions: dict[str, str] | None = None) -> str:
    """SHA-256 over the asset's name, parameters, sources and library versions."""
    digest = hashlib.sha256()
    header = {
        "name": asset.name,
        "function": f"{asset.module}.{asset.function}",
        "params": dict(asset.params),
        "versions": versions if versions is not None else library_versions(),
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    for module in (asset.module, *SHARED_MODULES, *asset.depends):
        for label, source in module_sources(module):
            digest.update(label.encode() + b"\0" + hashlib.sha256(source).digest())
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None if it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def load_manifest(dest: Path) -> dict:
    """The record of the last build in `dest`: per asset its key and output digests."""
    try:
        return json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def is_fresh(entry: dict | None, key: str, dest: Path) -> bool:
    """True if the asset was built with this key and its files are still intact."""
    if not entry or entry.get("key") != key:
        return False
    return all(file_digest(dest / rel) == sha for rel, sha in entry["outputs"].items())
