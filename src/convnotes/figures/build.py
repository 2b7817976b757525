"""`build_assets`: (re)build the site's generated files, skipping unchanged ones."""

from __future__ import annotations

import fnmatch
import hashlib
import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import (
    MANIFEST_NAME,
    asset_key,
    is_fresh,
    library_versions,
    load_manifest,
    manifest_text,
)
from .registry import Asset, all_assets

DEFAULT_DEST = Path("docs/assets/generated")


@dataclass(frozen=True)
class BuildResult:
    """What happened to one asset: `built` or `cached`, files written, seconds taken."""

    name: str
    status: str
    outputs: tuple[str, ...]
    written: tuple[str, ...]
    seconds: float


def select_assets(assets: list[Asset], only: str | Iterable[str] | None) -> list[Asset]:
    """The assets whose name matches one of `only` (exact names or glob patterns)."""
    if only is None:
        return assets
    patterns = [only] if isinstance(only, str) else list(only)
    chosen: list[Asset] = []
    for pattern in patterns:
        matches = [a for a in assets if fnmatch.fnmatchcase(a.name, pattern)]
        if not matches:
            names = ", ".join(a.name for a in assets)
            raise ValueError(f"only={pattern!r} matches no asset; the assets are: {names}")
        chosen.extend(m for m in matches if m not in chosen)
    return [a for a in assets if a in chosen]


def run_generator(asset: Asset) -> dict[str, bytes]:
    """Import the asset's module and call its generator: `{relative path: bytes}`."""
    module = importlib.import_module(asset.module)
    generate = getattr(module, asset.function)
    return generate(**asset.params)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` unless the file already holds exactly these bytes."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def build_assets(
    dest: Path = DEFAULT_DEST,
    only: str | Iterable[str] | None = None,
    force: bool = False,
    progress: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Build the generated assets into `dest`; return what happened to each.

    An asset is rebuilt when its cache key (see `cache`) differs from the last
    build's, when one of its files is missing or altered, or when `force` is true.
    Files are written only if their bytes change, so a cached run rewrites nothing.
    `only` restricts the build to asset names or glob patterns (`"anim/*"`).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(dest)
    old_text = manifest_text(manifest) if manifest else None
    versions = library_versions()
    results = []
    for asset in select_assets(all_assets(), only):
        start = time.perf_counter()
        key = asset_key(asset, versions)
        entry = manifest.get(asset.name)
        written: tuple[str, ...] = ()
        if not force and entry is not None and is_fresh(entry, key, dest):
            status, outputs = "cached", tuple(entry["outputs"])
        else:
            files = run_generator(asset)
            written = tuple(
                rel for rel, data in files.items() if write_if_changed(dest / rel, data)
            )
            for stale in set(entry["outputs"] if entry else ()) - set(files):
                (dest / stale).unlink(missing_ok=True)
            outputs = tuple(files)
            manifest[asset.name] = {
                "key": key,
                "outputs": {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()},
            }
            status = "built"
        result = BuildResult(asset.name, status, outputs, written, time.perf_counter() - start)
        results.append(result)
        if progress is not None:
            progress(result)
    text = manifest_text(manifest)
    if text != old_text:
        write_if_changed(dest / MANIFEST_NAME, text.encode())
    return results
