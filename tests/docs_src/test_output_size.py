"""The output-size page's figure captions state i, k, s, p, d and the output size o: each
stated o is what PyTorch returns, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

DOCS = Path(__file__).resolve().parents[2] / "docs"
CAPTION = re.compile(r"^\*(?:Figure|图)[:：](?P<text>.*?)\*$", re.MULTILINE | re.DOTALL)
PARAMETER = re.compile(r"\$(?P<name>[iksdp])=(?P<value>\d+)\$")
OUTPUT = re.compile(r"\$o = (?:[^$]*= )?(?P<value>\d+)\$")


def captions(language: str) -> list[tuple[dict[str, int], int]]:
    """(parameters, stated o) of every caption that states an output size."""
    text = (DOCS / f"output-size.{language}.md").read_text(encoding="utf-8")
    found = []
    for caption in CAPTION.finditer(text):
        stated = OUTPUT.search(caption["text"])
        if stated:
            values = {m["name"]: int(m["value"]) for m in PARAMETER.finditer(caption["text"])}
            found.append((values, int(stated["value"])))
    return found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_stated_output_size_is_what_pytorch_returns(language: str) -> None:
    found = captions(language)
    assert len(found) >= 7, found  # one per relationship animation
    for values, stated in found:
        i, k = values["i"], values["k"]
        s, p, d = values.get("s", 1), values.get("p", 0), values.get("d", 1)
        out = F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
        assert out.shape[-1] == stated, (values, stated)


def test_both_languages_state_the_same_numbers() -> None:
    assert captions("zh") == captions("en")
