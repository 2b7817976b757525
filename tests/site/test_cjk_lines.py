"""hooks/cjk_lines.py: no stray spaces where a Chinese sentence wraps in the source."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import markdown
import pytest

HOOK = Path(__file__).resolve().parents[2] / "hooks" / "cjk_lines.py"


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("convnotes_cjk_lines_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_a_wrapped_chinese_sentence_renders_without_a_space(hook) -> None:
    source = "卷积核的大小决定\n了感受野。\n下一句，\n继续。"
    # Markdown keeps the line breaks, and a browser shows each one as a space.
    assert markdown.markdown(source) == f"<p>{source}</p>"
    assert (
        markdown.markdown(hook.join_cjk_lines(source))
        == "<p>卷积核的大小决定了感受野。下一句，继续。</p>"
    )


@pytest.mark.parametrize(
    "source",
    [
        "English line\nnext line",  # English keeps its spaces
        "中文后接\n`code` 英文",  # CJK next to Latin: a space is wanted
        "## 标题\n正文",  # a heading ends its block
        "```python\nx = 1  # 中文\n中文()\n```",  # code is left alone
        "| 表头 |\n| --- |\n| 单元 |",  # table rows
        "段落一。\n\n段落二。",  # paragraphs stay apart
    ],
)
def test_other_breaks_are_kept(hook, source: str) -> None:
    assert hook.join_cjk_lines(source) == source


def test_a_list_item_continues_on_the_next_line(hook) -> None:
    assert (
        hook.join_cjk_lines("- 第一项很长，\n  接着写。\n- 第二项")
        == "- 第一项很长，接着写。\n- 第二项"
    )
