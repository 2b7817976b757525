"""MkDocs hook: jupytext notebooks (``docs/notebooks/<name>.<lang>.py``) as executed pages.

Three jobs, each working around a limit of the pinned plugins (tests/site checks the result,
because this touches private parts of mkdocs-static-i18n 1.3 and mkdocs-jupyter 0.26):

1. **i18n + mkdocs-jupyter** (static-i18n issue 198). static-i18n re-creates every file as a
   plain ``mkdocs.structure.files.File``; a ``.py`` file is then an asset and the notebook is
   copied as raw text to ``index.html``. We hand static-i18n a ``File`` class that knows
   notebooks are documentation pages, so it localises them like Markdown pages (URL, language
   switcher, nav) and mkdocs-jupyter gets a page to render.
2. **Execution cache.** The outputs are cached by a hash of the code cells + the package
   source (``src/convnotes``), so the two languages share a run when their code is the same
   (hooks/notebook_split.py writes both from one source); the rendered page is cached by a
   hash of the whole notebook + the outputs key + the render options. mkdocs-jupyter's own
   cache ignores the package and the two languages evict each other's entries, so it is
   turned off in mkdocs.yml.
3. **Rendering fixes.** Heading ids use the same slugify as the Markdown pages (mkdocs-jupyter
   drops non-ASCII, so Chinese headings got empty ids); the TOC is read from the rendered
   headings; nbconvert's MathJax/Mermaid loaders (CDN URLs) are removed, KaTeX renders the
   math (docs/javascripts/katex-init.js); ``.md`` links in markdown cells are resolved like
   Markdown page links (and validated); the executed ``.ipynb`` is offered for download.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import logging
import os
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import jupytext
import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify

log = logging.getLogger("mkdocs.hooks.notebooks")

JUPYTER_PLUGIN = "mkdocs-jupyter"
CACHE_DIR = Path(".cache/convnotes-notebooks")
PACKAGE_DIR = Path("src/convnotes")
RENDER_OPTIONS = (
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "toc_depth",
)
EXECUTION_TIMEOUT_S = 600
heading_slug = slugify(case="lower")

# nbconvert's template loads MathJax and Mermaid from cdnjs; KaTeX does the math here.
CDN_SCRIPT = re.compile(
    # a script that names MathJax/Mermaid in its body, or loads from another host or from ""
    r"<script\b[^>]*>(?:(?!</script>).)*?(?:mathjax|mermaid)(?:(?!</script>).)*?</script>\s*"
    r"|<script\b[^>]*\bsrc=\"(?:(?:https?:)?//[^\"]*)?\"[^>]*>(?:(?!</script>).)*?</script>\s*"
    r"|<!-- (?:Load mathjax|MathJax configuration|End of mathjax configuration) -->\s*",
    re.DOTALL | re.IGNORECASE,
)
# mkdocs-jupyter appends inlined CSS as a Python list repr when it converts an .ipynb;
# the template already inlines the same CSS properly.
TRAILING_LIST_STYLE = re.compile(r"\s*<style>\s*\[.*\]\s*</style>\s*$", re.DOTALL)
HEADING = re.compile(r"<h([1-6])\b([^>]*)>(.*?)</h\1>", re.DOTALL)
ID_ATTR = re.compile(r'\bid="[^"]*"')
ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">')
# nbconvert gives every output image without alt text this English placeholder.
PLACEHOLDER_ALT = 'alt="No description has been provided for this image"'
HEADING_OR_PLACEHOLDER = re.compile(
    r"<h[1-6]\b[^>]*>(?P<heading>.*?)</h[1-6]>|" + re.escape(PLACEHOLDER_ALT), re.DOTALL
)
OUTPUT_ALT = {
    "zh": ("笔记本代码单元输出的图", "「{}」一节代码单元输出的图"),
    "en": ("Plot output of a notebook code cell", "Plot output of the code cell in “{}”"),
}
MD_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#]+\.md)(#[^"]*)?"', re.IGNORECASE)


def _sha256(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def package_fingerprint(package_dir: Path) -> str:
    """Hash of every file in the package: a notebook's outputs depend on the code it imports."""
    parts: list[bytes | str] = []
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts += [path.relative_to(package_dir).as_posix(), path.read_bytes()]
    return _sha256(*parts)


def write_atomically(path: Path, text: str) -> None:
    """Parallel builds (pytest-xdist workers) share the cache: never expose a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def code_cells(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def language_neutral_stem(src_uri: str, languages: list[str]) -> str:
    """``notebooks/convolution.zh.py`` -> ``convolution`` (the two languages' notebooks)."""
    stem = PurePosixPath(src_uri).stem
    base, _, suffix = stem.rpartition(".")
    return base if base and suffix in languages else stem


class _Headings(HTMLParser):
    """Collects every id and the (level, id, text) of each heading in rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.headings: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._in_anchor = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if re.fullmatch(r"h[1-6]", tag) and attributes.get("id"):
            self._open, self._text = (int(tag[1]), attributes["id"]), []
        elif tag == "a" and "anchor-link" in (attributes.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor = False
        if self._open and tag == f"h{self._open[0]}":
            level, heading_id = self._open
            self.headings.append((level, heading_id, "".join(self._text).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._in_anchor:
            self._text.append(data)


def fix_heading_ids(body: str) -> str:
    """Give headings the ids Markdown pages get (pymdownx slugify, lower case, unique)."""
    used: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        level, attributes, inner = match.groups()
        text_only = re.sub(r'<a class="anchor-link".*?</a>', "", inner, flags=re.DOTALL)
        slug = heading_slug(html.unescape(re.sub(r"<[^>]+>", "", text_only)).strip(), "-")
        slug = slug or "section"
        count = used.get(slug, 0)
        used[slug] = count + 1
        unique = slug if count == 0 else f"{slug}_{count}"
        attributes = ID_ATTR.sub(f'id="{unique}"', attributes)
        if 'id="' not in attributes:
            attributes += f' id="{unique}"'
        inner = ANCHOR_LINK.sub(f'<a class="anchor-link" href="#{unique}">', inner)
        return f"<h{level}{attributes}>{inner}</h{level}>"

    return HEADING.sub(replace, body)


def localize_output_alt(body: str, language: str) -> str:
    """Replace nbconvert's English placeholder alt of plot outputs by the page's language,
    naming the section the plot is in (the notebook's code cannot differ between twins)."""
    generic, in_section = OUTPUT_ALT.get(language, OUTPUT_ALT["en"])
    section = ""

    def replace(match: re.Match[str]) -> str:
        nonlocal section
        if match.group("heading") is not None:
            text_only = re.sub(r'<a class="anchor-link".*?</a>', "", match.group("heading"))
            section = html.unescape(re.sub(r"<[^>]+>", "", text_only)).strip()
            return match.group(0)
        alt = in_section.format(section) if section else generic
        return f'alt="{html.escape(alt)}"'

    return HEADING_OR_PLACEHOLDER.sub(replace, body)


def page_language(src_uri: str, languages: list[str]) -> str:
    """``notebooks/convolution.zh.py`` -> ``zh`` (the first language when there is no suffix)."""
    suffix = PurePosixPath(src_uri).stem.rpartition(".")[2]
    return suffix if suffix in languages else (languages[0] if languages else "")


def toc_tokens(headings: list[tuple[int, str, str]], depth: int) -> list[dict[str, Any]]:
    """Nest (level, id, text) headings into the token tree ``mkdocs.structure.toc`` reads."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for level, heading_id, text in headings:
        if level > depth:
            continue
        token = {"level": level, "id": heading_id, "name": html.escape(text), "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


def clean_notebook_html(body: str) -> str:
    body = TRAILING_LIST_STYLE.sub("", body)
    body = CDN_SCRIPT.sub("", body)
    return fix_heading_ids(body)


class NotebookAwareFile(File):
    """A File that is a documentation page when mkdocs-jupyter includes it."""

    patterns: tuple[str, ...] = ()

    def is_documentation_page(self) -> bool:
        if super().is_documentation_page():
            return True
        return self.abs_src_path is not None and any(
            PurePath(self.abs_src_path).match(pattern) for pattern in self.patterns
        )


@dataclass
class NotebookPages:
    """State of the hook for one `mkdocs build` (both language builds)."""

    root: Path = Path(".")
    languages: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    patterns: tuple[str, ...] = ()
    package_hash: str = ""
    outputs_in_use: set[str] = field(default_factory=set)
    executed: int = 0
    reused: int = 0

    # --- configuration -------------------------------------------------------------------
    @event_priority(90)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        plugin = config.plugins.get(JUPYTER_PLUGIN)
        if plugin is None:
            raise PluginError(f"hooks/notebooks.py needs the {JUPYTER_PLUGIN} plugin")
        self.root = Path(config.config_file_path).resolve().parent
        self.options = dict(plugin.config)
        self.patterns = tuple(self.options["include"])
        i18n = config.plugins.get("i18n")
        self.languages = [lang.locale for lang in i18n.config.languages] if i18n else []
        self._install_i18n_fix()
        return config

    def _install_i18n_fix(self) -> None:
        from mkdocs_static_i18n import suffix

        if version("mkdocs-static-i18n").split(".")[:2] != ["1", "3"]:
            log.warning("hooks/notebooks.py was written for mkdocs-static-i18n 1.3: check it")
        NotebookAwareFile.patterns = self.patterns
        suffix.File = NotebookAwareFile  # create_i18n_file builds its files with this name

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # Once per `mkdocs build`, so both languages see the same package even while it is
        # being edited (`mkdocs serve` loads the hooks afresh on every rebuild).
        if not self.package_hash:
            self.package_hash = package_fingerprint(self.root / PACKAGE_DIR)

    def is_notebook(self, file: File) -> bool:
        return file.abs_src_path is not None and any(
            PurePath(file.abs_src_path).match(pattern) for pattern in self.patterns
        )

    # --- pages ---------------------------------------------------------------------------
    @event_priority(-50)  # after mkdocs-jupyter's on_pre_page, whose render this replaces
    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        if not self.is_notebook(page.file):
            return page
        hook = self
        download = language_neutral_stem(page.file.src_uri, self.languages) + ".ipynb"

        def render(self: Page, config: MkDocsConfig, files: Files) -> None:
            body, headings, ids, ipynb = hook.rendered(self.file)
            body, links = hook.resolve_links(body, self.file, files)
            body = localize_output_alt(body, page_language(self.file.src_uri, hook.languages))
            self.content = body
            self.toc = get_toc(toc_tokens(headings, int(hook.options["toc_depth"])))
            self.present_anchor_ids = ids
            self.links_to_anchors = links
            self.convnotes_ipynb = ipynb

        page.render = render.__get__(page, Page)
        page.nb_url = download  # relative to the page: offered by overrides/main.html
        return page

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        ipynb = getattr(page, "convnotes_ipynb", None)
        if ipynb is not None:
            target = Path(page.file.abs_dest_path).parent / page.nb_url
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ipynb, target)
        return output

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.executed or self.reused:
            log.info(
                "notebooks: %d executed, %d rendered from cached outputs",
                self.executed,
                self.reused,
            )

    # --- execution and rendering, cached ---------------------------------------------------
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def rendered(self, file: File) -> tuple[str, list[tuple[int, str, str]], set[str], Path]:
        """HTML body, headings, ids and executed .ipynb of a notebook (cached)."""
        source = Path(file.abs_src_path)
        notebook = jupytext.read(source)
        outputs_key = self._outputs_key(notebook)
        render_config = json.dumps({k: self.options[k] for k in RENDER_OPTIONS}, sort_keys=True)
        page_key = _sha256(
            source.read_bytes(),
            outputs_key,
            render_config,
            Path(__file__).read_bytes(),
            version("nbconvert"),
            version("mkdocs-jupyter"),
        )[:20]
        stem = PurePosixPath(file.src_uri).stem
        page_entry = self.cache_dir() / f"{stem}@{page_key}.page.json"
        ipynb_path = self.cache_dir() / f"{stem}@{page_key}.ipynb"
        if page_entry.is_file() and ipynb_path.is_file():
            cached = json.loads(page_entry.read_text(encoding="utf-8"))
        else:
            executed = self._executed(notebook, file, outputs_key)
            self._evict(f"{stem}@*.page.json", f"{stem}@*.ipynb")
            write_atomically(ipynb_path, nbformat.writes(executed))
            cached = {"body": self._to_html(ipynb_path)}
            write_atomically(page_entry, json.dumps(cached))
        parser = _Headings()
        parser.feed(cached["body"])
        return cached["body"], parser.headings, parser.ids, ipynb_path

    def _outputs_key(self, notebook: nbformat.NotebookNode) -> str:
        kernel = (self.options.get("kernel_name") or "", self.options.get("execute"))
        return _sha256(*code_cells(notebook), repr(kernel), self.package_hash)[:20]

    def _executed(
        self, notebook: nbformat.NotebookNode, file: File, outputs_key: str
    ) -> nbformat.NotebookNode:
        """The notebook with outputs: from a twin's cached run, or by running it now."""
        base = language_neutral_stem(file.src_uri, self.languages)
        entry = self.cache_dir() / f"{base}@{outputs_key}.outputs.json"
        if entry.is_file():
            self.reused += 1
            outputs = json.loads(entry.read_text(encoding="utf-8"))
        elif not self.options.get("execute"):
            outputs = [{"outputs": [], "execution_count": None} for _ in code_cells(notebook)]
        else:
            outputs = self._run(notebook, file)
            self.executed += 1
            write_atomically(entry, json.dumps(outputs))
        self.outputs_in_use.add(entry.name)
        self._evict(f"{base}@*.outputs.json", keep=self.outputs_in_use)
        executed = copy.deepcopy(notebook)
        cells = [cell for cell in executed.cells if cell.cell_type == "code"]
        for cell, result in zip(cells, outputs, strict=True):
            cell.outputs = [nbformat.from_dict(output) for output in result["outputs"]]
            cell.execution_count = result["execution_count"]
        return executed

    def _run(self, notebook: nbformat.NotebookNode, file: File) -> list[dict[str, Any]]:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        log.info("executing notebook %s", file.src_uri)
        runnable = copy.deepcopy(notebook)
        client = NotebookClient(
            runnable,
            timeout=EXECUTION_TIMEOUT_S,
            kernel_name=self.options.get("kernel_name") or "python3",
            allow_errors=bool(self.options["allow_errors"]),
            resources={"metadata": {"path": str(self.root)}},  # cwd = repo root
        )
        try:
            client.execute()
        except CellExecutionError as error:
            raise PluginError(f"notebook {file.src_uri} failed:\n{error}") from None
        return [
            {"outputs": cell.outputs, "execution_count": cell.execution_count}
            for cell in runnable.cells
            if cell.cell_type == "code"
        ]

    def _to_html(self, ipynb_path: Path) -> str:
        from mkdocs_jupyter import convert

        options = self.options
        body = convert.nb2html(
            str(ipynb_path),
            execute=False,
            kernel_name=options.get("kernel_name") or "",
            theme=options["theme"],
            allow_errors=options["allow_errors"],
            show_input=options["show_input"],
            no_input=options["no_input"],
            no_prompt=options["no_prompt"],
            remove_tag_config=options["remove_tag_config"],
            highlight_extra_classes=options["highlight_extra_classes"],
            include_requirejs=False,
            custom_mathjax_url="",
        )
        return clean_notebook_html(body)

    def _evict(self, *patterns: str, keep: set[str] = frozenset()) -> None:
        """Remove cache entries matching ``patterns``, except those named in ``keep``
        (the other language's outputs, still in use by this build)."""
        for pattern in patterns:
            for stale in self.cache_dir().glob(pattern):
                if stale.name not in keep:
                    stale.unlink(missing_ok=True)

    # --- links in markdown cells ------------------------------------------------------------
    def resolve_links(
        self, body: str, file: File, files: Files
    ) -> tuple[str, dict[File, dict[str, str]]]:
        """Turn ``[text](../convolution.md#anchor)`` into the page's URL, as for Markdown pages."""
        links: dict[File, dict[str, str]] = {}

        def replace(match: re.Match[str]) -> str:
            target, anchor = match.group(1), match.group(2) or ""
            path = posixpath.normpath(posixpath.join(posixpath.dirname(file.src_uri), target))
            linked = files.get_file_from_path(path)
            if linked is None:
                log.warning(
                    "Doc file '%s' contains a link '%s', but the target '%s' is not found "
                    "among documentation files.",
                    file.src_uri,
                    target + anchor,
                    path,
                )
                return match.group(0)
            if len(anchor) > 1:
                links.setdefault(linked, {})[anchor[1:]] = target + anchor
            return f'href="{get_relative_url(linked.url, file.url)}{anchor}"'

        return MD_LINK.sub(replace, body), links


_hook = NotebookPages()
on_config = _hook.on_config
on_pre_build = _hook.on_pre_build
on_pre_page = _hook.on_pre_page
on_post_page = _hook.on_post_page
on_post_build = _hook.on_post_build
