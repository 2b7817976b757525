"""The built site publishes the convnotes wheel, and the home page installs it by its address."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import convnotes

pytestmark = [pytest.mark.site, pytest.mark.slow]

HOME = {"zh": Path("index.html"), "en": Path("en/index.html")}
WHEEL = f"convnotes-{convnotes.__version__}-py3-none-any.whl"


def test_site_holds_the_wheel_of_this_version(built_site: Path) -> None:
    wheels = sorted(p.name for p in (built_site / "downloads").glob("*.whl"))
    assert wheels == [WHEEL]
    with zipfile.ZipFile(built_site / "downloads" / WHEEL) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    for module in ("__init__", "__main__", "shapes", "design", "explain", "cli"):
        assert f"convnotes/{module}.py" in names


@pytest.mark.parametrize("language", sorted(HOME))
def test_home_page_links_the_wheel_and_installs_it(built_site: Path, language: str) -> None:
    page = BeautifulSoup((built_site / HOME[language]).read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in page.select("article a[href]") if a["href"].endswith(WHEEL)]
    assert len(links) == 1 and links[0].startswith(("http://", "https://")), links
    url = links[0]
    assert url.endswith(f"/downloads/{WHEEL}")
    commands = "\n".join(code.get_text() for code in page.select("article pre code"))
    assert f'pip install "convnotes @ {url}"' in commands
    assert f'pip install "convnotes[torch] @ {url}"' in commands
    assert "--index-url https://download.pytorch.org/whl/cpu" in commands
    assert "convnotes shape conv -i 32 -k 3 -s 2 -p 1" in commands


def test_no_page_keeps_a_wheel_placeholder(built_site: Path) -> None:
    left = [
        path.relative_to(built_site).as_posix()
        for path in built_site.rglob("*.html")
        if "{{ wheel_" in path.read_text(encoding="utf-8")
    ]
    assert not left


def test_downloaded_notebook_runs_on_the_wheel_with_the_torch_extra(
    built_site: Path, tmp_path: Path
) -> None:
    """A fresh environment with the site's wheel runs a notebook downloaded from the site.

    The extra's packages (torch, NumPy, Matplotlib) and Jupyter come from this test's own
    environment through a path file, added after the venv's site-packages: installing torch
    again would take minutes and a network. The repository's `src/` is not on the path, so
    `convnotes` is the wheel's (a first cell checks that).
    """
    import nbformat

    page = built_site / "en" / "notebooks" / "output-size" / "index.html"
    link = re.search(r'<a download(?:="")? href="([^"]+\.ipynb)"', page.read_text("utf-8"))
    assert link, "the notebook page offers no download"
    notebook = (page.parent / link[1]).resolve()
    assert notebook.is_file(), notebook
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = sysconfig.get_paths()["purelib"]
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(site_packages) / "torch_extra.pth").write_text(purelib + "\n")
    wheel = built_site / "downloads" / WHEEL
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run([*pip, "--no-deps", "--no-index", f"convnotes @ {wheel.as_uri()}"], check=True)

    download = tmp_path / "download"
    download.mkdir()
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import convnotes\nprint(convnotes.__file__)"))
    nbformat.write(nb, download / notebook.name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["MPLBACKEND"] = "Agg"
    run = (  # what `jupyter nbconvert --execute` does, with the package the docs build uses
        "import sys, nbclient, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); "
        "nbclient.NotebookClient(nb, kernel_name='python3').execute(); "
        "nbformat.write(nb, 'run.ipynb')"
    )
    result = subprocess.run(
        [str(python), "-c", run, notebook.name],
        cwd=download, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    ran = nbformat.read(download / "run.ipynb", as_version=4)
    first = "".join(o.get("text", "") for o in ran.cells[0].outputs)
    assert first.strip().startswith(str(venv)), first
    errors = [
        o for c in ran.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
