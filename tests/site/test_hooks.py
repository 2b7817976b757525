"""The pure parts of hooks/notebooks.py, without a build (the build tests check the rest)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import markdown
import pytest

HOOK = Path(__file__).resolve().parents[2] / "hooks" / "notebooks.py"


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("convnotes_notebooks_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def _markdown_ids(source: str) -> list[str]:
    """Ids the Markdown pages give the same headings (the toc config of mkdocs.yml)."""
    from pymdownx.slugs import slugify

    md = markdown.Markdown(
        extensions=["toc"], extension_configs={"toc": {"slugify": slugify(case="lower")}}
    )
    md.convert(source)
    return [token["id"] for token in _flatten(md.toc_tokens)]


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token["children"])


def test_notebook_heading_ids_match_markdown_pages(hook) -> None:
    headings = ["为什么叫“转置”", "Output Padding 的规则", "`output_padding` rule", "示例", "示例"]
    nbconvert_like = "".join(
        f'<h2 id="">{heading.replace("`", "")}<a class="anchor-link" href="#">¶</a></h2>'
        for heading in headings
    )
    fixed = hook.fix_heading_ids(nbconvert_like)
    parser = hook._Headings()
    parser.feed(fixed)
    ids = [heading_id for _, heading_id, _ in parser.headings]
    expected = _markdown_ids("\n\n".join(f"## {h.replace('`', '')}" for h in headings))
    assert ids == expected
    assert len(set(ids)) == len(ids)
    assert all(f'href="#{heading_id}"' in fixed for heading_id in ids)


def test_toc_tokens_nest_by_level(hook) -> None:
    tokens = hook.toc_tokens([(1, "a", "A"), (2, "b", "B"), (3, "c", "C"), (2, "d", "D")], 2)
    assert [t["id"] for t in tokens] == ["a"]
    assert [t["id"] for t in tokens[0]["children"]] == ["b", "d"]
    assert tokens[0]["children"][0]["children"] == []  # level 3 is below the depth


def test_cdn_loaders_are_removed(hook) -> None:
    body = (
        '<div class="jupyter-wrapper">x</div>\n'
        '<!-- Load mathjax -->\n<script src="https://cdnjs.cloudflare.com/mathjax.js"> </script>\n'
        '<script type="text/x-mathjax-config">MathJax.Hub.Config({});</script>\n'
        '<script type="module">const m = await import("https://cdnjs.cloudflare.com/mermaid.mjs");'
        "</script>\n<script>keep()</script>"
    )
    cleaned = hook.clean_notebook_html(body)
    assert "cdnjs" not in cleaned and "mathjax" not in cleaned.lower()
    assert "<script>keep()</script>" in cleaned and "jupyter-wrapper" in cleaned


@pytest.mark.parametrize(
    ("src_uri", "stem"),
    [
        ("notebooks/output-size.zh.py", "output-size"),
        ("notebooks/output-size.en.py", "output-size"),
        ("notebooks/plain.py", "plain"),
        ("notebooks/v1.2.py", "v1.2"),
    ],
)
def test_twins_share_one_outputs_entry(hook, src_uri: str, stem: str) -> None:
    assert hook.language_neutral_stem(src_uri, ["zh", "en"]) == stem


def test_package_fingerprint_changes_with_the_package(hook, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = hook.package_fingerprint(tmp_path)
    assert hook.package_fingerprint(tmp_path) == before
    (tmp_path / "a.py").write_text("x = 2\n")
    assert hook.package_fingerprint(tmp_path) != before


def test_output_alt_in_the_page_language_names_the_section(hook):
    placeholder = (
        '<img src="data:image/png;base64,AA" alt="No description has been provided for this image">'
    )
    body = (
        placeholder
        + '<h2 id="a">1. 滑动的乘加<a class="anchor-link" href="#a">¶</a></h2><p>x</p>'
        + placeholder
    )
    zh = hook.localize_output_alt(body, "zh")
    assert "No description" not in zh
    assert 'alt="笔记本代码单元输出的图"' in zh
    assert 'alt="「1. 滑动的乘加」一节代码单元输出的图"' in zh
    en = hook.localize_output_alt(body.replace("滑动的乘加", "A sliding multiply-add"), "en")
    assert 'alt="Plot output of the code cell in “1. A sliding multiply-add”"' in en
    assert hook.localize_output_alt("<p>no images</p>", "zh") == "<p>no images</p>"


def test_page_language_from_the_suffix(hook):
    assert hook.page_language("notebooks/convolution.zh.py", ["zh", "en"]) == "zh"
    assert hook.page_language("notebooks/convolution.en.py", ["zh", "en"]) == "en"
    assert hook.page_language("notebooks/convolution.py", ["zh", "en"]) == "zh"
