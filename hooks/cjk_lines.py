"""MkDocs hook: a line break between two Chinese characters is not a space.

Markdown turns the line breaks inside a paragraph into spaces, which is right for English
and wrong for Chinese: "卷积核\n的大小" would show as "卷积核 的大小". Before a page is
converted, lines that end and start with a CJK character or CJK punctuation are joined
(outside fenced code blocks and after headings, which end their own block).
"""

from __future__ import annotations

import re

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
ENDS_CJK = re.compile(f"[{CJK}]$")
STARTS_CJK = re.compile(f"^[{CJK}]")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def join_cjk_lines(markdown: str) -> str:
    """Join a line to the next when the break falls between two CJK characters."""
    lines = markdown.split("\n")
    joined: list[str] = []
    fence = ""
    for line in lines:
        stripped = line.strip()
        opening = FENCE.match(line)
        previous = joined[-1] if joined else ""
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            joined.append(line)
        elif opening:
            fence = opening.group(1)
            joined.append(line)
        elif (
            STARTS_CJK.match(stripped)
            and ENDS_CJK.search(previous.rstrip())
            and not previous.lstrip().startswith(("#", "|", "<"))
            and not FENCE.match(previous)
        ):
            joined[-1] = previous.rstrip() + stripped
        else:
            joined.append(line)
    return "\n".join(joined)


def on_page_markdown(markdown: str, **kwargs) -> str:
    return join_cjk_lines(markdown)
