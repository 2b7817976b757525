"""hooks/figures.py without a site build: variants, sizes and the minimum width it writes."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "hooks" / "figures.py"


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("figures_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _png(path: Path, size: tuple[int, int], min_font_px: float | None) -> None:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if min_font_px is not None:
        info.add_text("convnotes-min-font-px", str(min_font_px))
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path, pnginfo=info)


def _gif(path: Path, size: tuple[int, int], min_font_px: float) -> None:
    from PIL import Image

    buf = io.BytesIO()
    frames = [Image.new("P", size, 0), Image.new("P", size, 1)]
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   comment=f"convnotes-min-font-px={min_font_px}".encode())  # fmt: skip
    path.write_bytes(buf.getvalue())


def test_the_key_is_the_generators(hook):
    from convnotes.figures import _render

    assert hook.MIN_FONT_KEY == _render.MIN_FONT_KEY


def test_png_gets_its_language_and_dark_variant_and_a_readable_minimum_width(hook, tmp_path):
    _png(tmp_path / "chart-en.png", (1000, 500), 12.5)
    _png(tmp_path / "chart-en.dark.png", (1000, 500), 12.5)
    page = '<p><img alt="A &amp; B" src="../assets/generated/chart.png" /></p>'
    out = hook.rewrite_figures(page, tmp_path, "en")
    srcs = re.findall(r'src="([^"]+)"', out)
    assert srcs == ["../assets/generated/chart-en.png", "../assets/generated/chart-en.dark.png"]
    assert out.count('loading="lazy"') == 2 and out.count('width="1000" height="500"') == 2
    assert 'alt="A &amp; B"' in out
    # 12.5 px text in a 1000 px image: 9 px on screen at 720 px wide, 7 px at 560 px
    assert "--cn-min-wide: 720px; --cn-min-narrow: 560px" in out


def test_a_figure_without_variants_or_text_is_only_sized(hook, tmp_path):
    _png(tmp_path / "photo.png", (300, 200), None)
    out = hook.rewrite_figures('<img alt="p" src="assets/generated/photo.png">', tmp_path, "zh")
    assert re.findall(r'src="([^"]+)"', out) == ["assets/generated/photo.png"]
    assert "--cn-min" not in out and 'width="300"' in out


def test_animation_gets_its_strip_and_a_pause_button_in_the_page_language(hook, tmp_path):
    (tmp_path / "anim").mkdir()
    for suffix in ("", ".dark"):
        _gif(tmp_path / f"anim/a{suffix}.gif", (400, 200), 11)
        _png(tmp_path / f"anim/a-strip{suffix}.png", (400, 1600), 11)
    out = hook.rewrite_figures('<img alt="a" src="assets/generated/anim/a.gif" />', tmp_path, "zh")
    srcs = re.findall(r'src="assets/generated/([^"]+)"', out)
    assert srcs == ["anim/a.gif", "anim/a.dark.gif", "anim/a-strip.png", "anim/a-strip.dark.png"]
    assert 'data-pause="暂停动画"' in out and "hidden" in out
    assert "--cn-min-narrow: 255px" in out  # ceil(400 · 7 / 11)


def test_other_images_are_left_alone(hook, tmp_path):
    page = '<img alt="x" src="https://example.org/assets/other/x.png">'
    assert hook.rewrite_figures(page, tmp_path, "en") == page
