"""MkDocs hook: each notebook, written once, becomes an executed Markdown page per language.

``docs_src/notebooks/<name>.py`` (jupytext percent format) holds every code cell once and the
markdown of both languages, each language's cells tagged ``lang="zh"`` / ``lang="en"`` in the
cell header. Before MkDocs collects files, for each language this hook

1. splits the source: untagged cells and that language's cells, with the code line
   ``LANG = "..."`` set to the language (printed and plotted labels follow the page);
2. executes it with a Jupyter kernel, cached by a hash of its code cells and the package
   source (``src/convnotes``): a failing cell fails the build; editing prose reruns nothing;
3. writes ``docs/notebooks/<name>.<lang>.md`` (markdown cells as they are, code cells as
   Python blocks, outputs as text blocks and PNG files) and the executed
   ``<name>-<lang>.ipynb`` the page offers for download (all gitignored).

MkDocs and mkdocs-static-i18n then treat notebook pages like every other Markdown page
(links and anchors validated, math, search, the language switcher): no plugin is patched.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from pathlib import Path

import jupytext
import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.notebooks")

SOURCES = Path("docs_src/notebooks")  # relative to the project root
PAGES = Path("notebooks")  # relative to docs_dir, gitignored
OUTPUTS = Path("outputs")  # relative to PAGES: plots and downloads
CACHE_DIR = Path(".cache/convnotes-notebooks")
PACKAGE_DIR = Path("src/convnotes")
EXECUTION_TIMEOUT_S = 600
LANG_LINE = re.compile(r'^LANG = "[a-z]+"(?P<rest>.*)$', re.MULTILINE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
TEXT = {
    "zh": {
        "download": "本页是一个笔记本，每个代码单元都在构建网站时运行过，下面是它的输出。"
        "[下载笔记本（.ipynb）]({href}){{ download }}，改动后自己运行。",
        "plot": "「{section}」一节代码单元输出的图",
    },
    "en": {
        "download": "This page is a notebook: every code cell ran when the site was built, "
        "and its output is shown below it. [Download the notebook (.ipynb)]({href})"
        "{{ download }} to change and run it yourself.",
        "plot": "Plot output of the code cell in “{section}”",
    },
}


def split_notebook(source: str, language: str, languages: list[str]) -> nbformat.NotebookNode:
    """The notebook for ``language``: cells tagged with another language dropped, the
    ``lang`` tags removed, and the code line ``LANG = "..."`` set to ``language``."""
    notebook = jupytext.reads(source, fmt="py:percent")
    kept = []
    for cell in notebook.cells:
        tag = cell.metadata.pop("lang", None)
        if tag is not None and tag not in languages:
            raise ValueError(f'cell tagged lang="{tag}": expected one of {languages}')
        if tag in (None, language):
            if cell.cell_type == "code":
                cell.source = LANG_LINE.sub(f'LANG = "{language}"\\g<rest>', cell.source)
            kept.append(cell)
    notebook.cells = kept
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def uses_lang_without_setting_it(source: str) -> bool:
    """A notebook that reads ``LANG`` must set it in a line the split can rewrite."""
    notebook = jupytext.reads(source, fmt="py:percent")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    return bool(re.search(r"\bLANG\b", code)) and not LANG_LINE.search(code)


def package_fingerprint(package_dir: Path) -> str:
    """Hash of every file in the package: a notebook's outputs depend on the code it imports."""
    hasher = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            for part in (path.relative_to(package_dir).as_posix().encode(), path.read_bytes()):
                hasher.update(len(part).to_bytes(8, "little") + part)
    return hasher.hexdigest()


def execute(notebook: nbformat.NotebookNode, cwd: Path, name: str) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (working directory `cwd`, `cwd/src` first on
    `PYTHONPATH`, so it imports the package being edited); a failing cell raises.

    A kernel that dies (killed from outside, out of memory) gets one more try."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    for attempt in (1, 2):
        log.info("executing notebook %s", name)
        client = NotebookClient(
            notebook,
            timeout=EXECUTION_TIMEOUT_S,
            kernel_name="python3",
            allow_errors=False,
            resources={"metadata": {"path": str(cwd)}},
        )
        try:
            paths = [str(cwd / "src"), os.environ.get("PYTHONPATH", "")]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
            client.execute(env=env)
            return notebook
        except CellExecutionError as error:
            raise PluginError(f"notebook {name} failed:\n{error}") from None
        except (DeadKernelError, AssertionError) as error:  # nbclient's cleanup asserts too
            if attempt == 2:
                raise PluginError(f"notebook {name}: the kernel died twice ({error!r})") from None
            log.info("notebook %s: the kernel died (%r); running it again", name, error)
    raise AssertionError("unreachable")


def fence(text: str, info: str) -> str:
    """A fenced block longer than any backtick run inside ``text``."""
    runs = [len(run) for run in re.findall(r"`{3,}", text)]
    ticks = "`" * max([3, *(n + 1 for n in runs)])
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def to_markdown(notebook: nbformat.NotebookNode, language: str, download: str, plot_path) -> str:
    """The page: the download note, markdown cells, code cells and their outputs.

    ``plot_path(cell_index, output_index, png_bytes)`` stores a plot and returns its
    path relative to the page."""
    text = TEXT[language]
    parts: list[str] = []
    section = ""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            headings = HEADING.findall(cell.source)
            section = headings[-1] if headings else section
            if index == 0:
                parts.append(text["download"].format(href=download))
            continue
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        parts.append(fence(cell.source, "python"))
        for number, output in enumerate(_merge_streams(cell.get("outputs", []))):
            alt = text["plot"].format(section=re.sub(r"[$`*_\[\]]", "", section))
            store = lambda png, i=index, n=number: plot_path(i, n, png)  # noqa: E731
            parts += _output_markdown(output, store, alt)
    return "\n\n".join(parts) + "\n"


def _merge_streams(outputs: list) -> list:
    """Consecutive writes to one stream as one output (the kernel sends them in chunks)."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            merged[-1] = nbformat.v4.new_output(
                "stream", name=output.name, text=previous.text + output.text
            )
        else:
            merged.append(output)
    return merged


def _output_markdown(output: nbformat.NotebookNode, store_plot, alt: str) -> list[str]:
    """A cell output as Markdown: text in a block, a plot as an image file."""
    if output.output_type == "stream":
        return [fence(output.text, "{ .text .cn-output }")] if output.text.strip() else []
    data = output.get("data", {})
    if "image/png" in data:
        path = store_plot(base64.b64decode(data["image/png"]))
        return [f"![{alt}]({path}){{ loading=lazy .cn-plot }}"]
    if "text/markdown" in data:  # display(Markdown(...)): rendered like the page around it
        return [data["text/markdown"]]
    if "text/plain" in data:
        return [fence(data["text/plain"], "{ .text .cn-output }")]
    return []


def write_if_changed(path: Path, content: str | bytes) -> None:
    """`mkdocs serve` watches docs/: rewriting an unchanged file would rebuild forever."""
    data = content.encode() if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)  # parallel builds (pytest-xdist) share docs/: never half-written


def build_page(
    source: Path, language: str, languages: list[str], root: Path, pages: Path, package: str
) -> list[Path]:
    """Write one language's page, plots and download for ``source``; return the paths."""
    name = source.stem
    notebook = split_notebook(source.read_text(encoding="utf-8"), language, languages)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # Outputs depend on the code and the package, not on the prose: key on those only.
    key = hashlib.sha256("\0".join([*(c.source for c in code), package]).encode()).hexdigest()
    cache = root / CACHE_DIR / f"{name}.{language}@{key[:20]}.ipynb"
    if cache.is_file():
        cached = nbformat.reads(cache.read_text(encoding="utf-8"), as_version=4)
        ran = [cell for cell in cached.cells if cell.cell_type == "code"]
        for cell, result in zip(code, ran, strict=True):
            cell.outputs, cell.execution_count = result.outputs, result.execution_count
    else:
        execute(notebook, root, f"{name} ({language})")
        for stale in cache.parent.glob(f"{name}.{language}@*.ipynb"):
            stale.unlink(missing_ok=True)
        write_if_changed(cache, nbformat.writes(notebook))
    written = []

    def plot_path(cell: int, number: int, png: bytes) -> str:
        path = pages / OUTPUTS / f"{name}-{language}-{cell}-{number}.png"
        write_if_changed(path, png)
        written.append(path)
        return path.relative_to(pages).as_posix()

    download = pages / OUTPUTS / f"{name}-{language}.ipynb"
    page = pages / f"{name}.{language}.md"
    markdown = to_markdown(notebook, language, download.relative_to(pages).as_posix(), plot_path)
    write_if_changed(page, markdown)
    write_if_changed(download, nbformat.writes(notebook))
    return [*written, download, page]


@event_priority(90)  # after site_assets (KaTeX, figures), before MkDocs collects the files
def on_pre_build(config: MkDocsConfig) -> None:
    root = Path(config.config_file_path).resolve().parent
    i18n = config.plugins.get("i18n")
    languages = [lang.locale for lang in i18n.config.languages] if i18n else ["en"]
    pages = Path(config.docs_dir) / PAGES
    package = package_fingerprint(root / PACKAGE_DIR)
    written: list[Path] = []
    for source in sorted((root / SOURCES).glob("*.py")):
        text = source.read_text(encoding="utf-8")
        if uses_lang_without_setting_it(text):
            raise PluginError(f'{source} uses LANG but has no line `LANG = "..."` to set it')
        for language in languages:
            try:
                written += build_page(source, language, languages, root, pages, package)
            except ValueError as error:
                raise PluginError(f"{source}: {error}") from None
    for stale in {p for p in pages.rglob("*") if p.is_file()} - set(written):
        stale.unlink()
