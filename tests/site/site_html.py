"""Reading the built site: pages, the URLs they load or link, and where those URLs lead."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# <link rel=...> values that make the browser fetch the target.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
}
SOURCE_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class PageRefs:
    """What one HTML page loads (resources) and links to (anchors), plus its element ids."""

    resources: list[tuple[str, str]] = field(default_factory=list)  # (tag, url)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    classes: list[str] = field(default_factory=list)


class _RefParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs = PageRefs()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("id"):
            self.refs.ids.add(attributes["id"])
        if attributes.get("class"):
            self.refs.classes.append(attributes["class"])
        for attribute in SOURCE_ATTRIBUTES.get(tag, ()):
            if attribute in attributes and not attributes[attribute].strip():
                self.refs.resources.append((tag, ""))  # src="": a broken or stripped loader
            for url in _split_srcset(attributes.get(attribute, ""), attribute):
                self.refs.resources.append((tag, url))
        if tag == "link" and attributes.get("href"):
            rels = set(attributes.get("rel", "").lower().split())
            if rels & LOADING_RELS:
                self.refs.resources.append((tag, attributes["href"]))
        if tag == "a" and attributes.get("href"):
            self.refs.links.append(attributes["href"])


def _split_srcset(value: str, attribute: str) -> list[str]:
    if not value.strip():
        return []
    if attribute != "srcset":
        return [value.strip()]
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


def page_refs(html: str) -> PageRefs:
    parser = _RefParser()
    parser.feed(html)
    return parser.refs


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or url.startswith("//")


def is_ignorable(url: str) -> bool:
    """Not a file of the site: inline data, fragments, mail, scripts."""
    scheme = urlsplit(url).scheme.lower()
    return url.startswith("#") or scheme in {"data", "mailto", "javascript", "blob", "about"}


def resolve(site: Path, from_file: Path, url: str) -> tuple[Path, str]:
    """The file a site-internal URL found in ``from_file`` points to, and its fragment."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.startswith("/"):
        target = path.lstrip("/")
    else:
        base = from_file.parent.relative_to(site).as_posix()
        target = posixpath.normpath(posixpath.join(base, path)) if path else ""
        if not path:
            return from_file, parts.fragment
    candidate = site / target
    if target in ("", ".") or candidate.is_dir() or path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate, parts.fragment


def css_urls(css: str) -> list[str]:
    return [first or second for first, second in CSS_URL.findall(css)]
