"""MkDocs hook: the API reference renders in its page's language ("Parameters:" / "参数：").

mkdocs-static-i18n builds each further language by running the build again with the same
config; mkdocstrings' `on_config` then runs again and appends a new Markdown extension, with
the locale it reads from `theme.language`. Two fixes, both needed:

- before mkdocstrings reads it, `theme.language` is set to the language about to be built
  (i18n itself sets it only after mkdocstrings has run);
- before the pages are rendered, only the newest mkdocstrings extension is kept (the first
  one would keep rendering every `:::` block in the default language), and each stylesheet once.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocstrings import MkdocstringsExtension


def newest_only(extensions: list, kind: type) -> list:
    """`extensions` without the instances of `kind` but the last one."""
    indexes = [i for i, extension in enumerate(extensions) if isinstance(extension, kind)]
    stale = set(indexes[:-1])
    return [extension for i, extension in enumerate(extensions) if i not in stale]


def unique(entries: list) -> list:
    """`entries` in order, each once (compared as strings: paths or ExtraScriptValue)."""
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if str(entry) not in seen:
            seen.add(str(entry))
            kept.append(entry)
    return kept


@event_priority(100)  # before mkdocstrings (0) and static-i18n (-100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    i18n = config.plugins.get("i18n")
    language = getattr(i18n, "current_language", None)  # None on the first (default) build
    if language:
        config.theme["language"] = language
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    config.markdown_extensions[:] = newest_only(
        list(config.markdown_extensions), MkdocstringsExtension
    )
    config.extra_css[:] = unique(list(config.extra_css))
