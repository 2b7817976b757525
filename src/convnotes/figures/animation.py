"""Animations of a kernel sliding over an input, one frame per kernel position.

Three views, all square (the same parameters along both axes):

* `conv`: the kernel over the zero-padded input `x`; one frame per output pixel.
* `scatter` (transposed conv): each input pixel `x[i, j]` adds the copy `x[i, j]·w`
  to the output canvas at `(s·i, s·j)`; the canvas is then cropped by `p` on each side
  (and extended by `a` = output_padding at the end). One frame per input pixel.
* `direct` (transposed conv): the same result as a stride-1 conv of the *stretched*
  input `x′` (`s − 1` zeros inserted between pixels, `d(k − 1) − p` zeros of padding
  around it, `a` more at the end) with the *flipped* kernel. One frame per output pixel.

Every number drawn comes from [`convnotes.functional`][convnotes.functional]; every size from
[`convnotes.shapes`][convnotes.shapes]. `plan_animation` computes the geometry (tested);
`render_frames` draws it with Pillow; `build_animation` writes the GIF and a
static strip of the frames for print.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import shapes
from ._style import ANIM, ANIM_DARK

VIEWS = ("conv", "scatter", "direct")

# Cell kinds. Left grid: data / pad (dashed) / zero (inserted by the stride);
# right grid: out / crop (removed by padding) / outpad (added by output_padding).
DATA, PAD, ZERO, OUT, CROP, OUTPAD, KERNEL = "data", "pad", "zero", "out", "crop", "outpad", "w"


@dataclass(frozen=True)
class Grid:
    """A labelled square grid of cells: a kind and a value (NaN: no number) per cell."""

    label: str
    kinds: np.ndarray
    values: np.ndarray

    @property
    def size(self) -> int:
        return self.kinds.shape[0]


@dataclass(frozen=True)
class Frame:
    """One kernel position: the kernel's cells on each grid, with the weight each one uses."""

    left_cells: tuple[tuple[int, int], ...]
    right_cells: tuple[tuple[int, int], ...]
    weights: tuple[float, ...]
    right_values: np.ndarray


@dataclass(frozen=True)
class Plan:
    """Everything an animation shows, before any drawing."""

    title: str
    subtitle: str
    left: Grid
    kernel: Grid
    right: Grid
    frames: tuple[Frame, ...]
    weights_on_left: bool


def example_values(input_size: int, kernel_size: int, seed: int = 0):
    """Small integer input (0..3) and kernel (0..2) so that sums stay readable."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(input_size, input_size)).astype(np.float64)
    w = rng.integers(0, 3, size=(kernel_size, kernel_size)).astype(np.float64)
    return x, w


def _tensor(a: np.ndarray):
    import torch

    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))[None, None]


def _combine(row: list[str], col: list[str], order: tuple[str, ...]) -> np.ndarray:
    """2-D kinds from per-axis kinds: the first kind of `order` that either axis has wins."""
    kinds = np.empty((len(row), len(col)), dtype=object)
    for r, kr in enumerate(row):
        for c, kc in enumerate(col):
            kinds[r, c] = next(k for k in order if k in (kr, kc))
    return kinds


def _square(t) -> np.ndarray:
    return t.detach().numpy()[0, 0]


def _conv_plan(x, w, s: int, p: int, d: int) -> Plan:
    n, k = x.shape[0], w.shape[0]
    o = shapes.conv_output_size(n, k, s, p, d)
    axis = [PAD] * p + [DATA] * n + [PAD] * p
    kinds = _combine(axis, axis, (PAD, DATA))
    values = np.full(kinds.shape, np.nan)
    values[p : p + n, p : p + n] = x
    y = _square(F.conv2d(_tensor(x), _tensor(w), stride=s, padding=p, dilation=d))
    frames = []
    for r in range(o):
        for c in range(o):
            taps = [(r * s + u * d, c * s + v * d) for u in range(k) for v in range(k)]
            shown = np.full((o, o), np.nan)
            shown.flat[: r * o + c + 1] = y.flat[: r * o + c + 1]
            frames.append(Frame(tuple(taps), ((r, c),), tuple(w.flatten()), shown))
    pad_note = f", padding={p}" if p else ""
    return Plan(
        title=f"conv2d(x, w, stride={s}{pad_note}, dilation={d})",
        subtitle=f"i={n}  k={k}  s={s}  p={p}  d={d}  →  o={o}",
        left=Grid(f"x: {n}×{n}", kinds, values),
        kernel=Grid(f"w: {k}×{k}", np.full((k, k), KERNEL, dtype=object), w),
        right=Grid(f"y: {o}×{o}", np.full((o, o), OUT, dtype=object), np.full((o, o), np.nan)),
        frames=tuple(frames),
        weights_on_left=True,
    )


def _transpose_call(s: int, p: int, a: int, d: int) -> str:
    args = [f"stride={s}"]
    if p:
        args.append(f"padding={p}")
    if a:
        args.append(f"output_padding={a}")
    args.append(f"dilation={d}")
    return f"conv_transpose2d(x, w, {', '.join(args)})"


def _transpose_subtitle(n, k, s, p, a, d, o) -> str:
    return f"i={n}  k={k}  s={s}  p={p}  a={a}  d={d}  →  o={o}"


def _output_axis(o: int, a: int) -> list[str]:
    return [OUT] * (o - a) + [OUTPAD] * a


def stretched_axis(n: int, k: int, s: int, p: int, a: int, d: int) -> tuple[list[str], list[int]]:
    """Per-axis kinds of the stretched input `x′` and the index into `x` of each data cell.

    `x′` has `s − 1` zeros between pixels and `q = d(k − 1) − p` padding before,
    `q + a` after; a negative amount crops instead of padding.
    """
    q = d * (k - 1) - p
    core_kinds = [ZERO] * ((n - 1) * s + 1)
    core_index = [-1] * len(core_kinds)
    for i in range(n):
        core_kinds[i * s], core_index[i * s] = DATA, i
    before, after = q, q + a
    kinds = [PAD] * max(before, 0) + core_kinds + [PAD] * max(after, 0)
    index = [-1] * max(before, 0) + core_index + [-1] * max(after, 0)
    start, stop = max(-before, 0), len(kinds) - max(-after, 0)
    return kinds[start:stop], index[start:stop]


def _direct_plan(x, w, s: int, p: int, a: int, d: int) -> Plan:
    n, k = x.shape[0], w.shape[0]
    o = shapes.conv_transpose_output_size(n, k, s, p, a, d)
    axis, index = stretched_axis(n, k, s, p, a, d)
    kinds = _combine(axis, axis, (PAD, ZERO, DATA))
    values = np.full(kinds.shape, np.nan)
    for r, ir in enumerate(index):
        for c, ic in enumerate(index):
            if kinds[r, c] == ZERO:
                values[r, c] = 0.0
            elif kinds[r, c] == DATA:
                values[r, c] = x[ir, ic]
    flipped = w[::-1, ::-1].copy()
    y = _square(
        F.conv_transpose2d(
            _tensor(x), _tensor(w), stride=s, padding=p, output_padding=a, dilation=d
        )
    )
    frames = []
    for r in range(o):
        for c in range(o):
            taps = [(r + u * d, c + v * d) for u in range(k) for v in range(k)]
            shown = np.full((o, o), np.nan)
            shown.flat[: r * o + c + 1] = y.flat[: r * o + c + 1]
            frames.append(Frame(tuple(taps), ((r, c),), tuple(flipped.flatten()), shown))
    m = len(axis)
    out_axis = _output_axis(o, a)
    return Plan(
        title=_transpose_call(s, p, a, d),
        subtitle=_transpose_subtitle(n, k, s, p, a, d, o)
        + f"  =  conv2d(x′, flip(w), dilation={d})",
        left=Grid(f"x′: {m}×{m}  (x: {n}×{n})", kinds, values),
        kernel=Grid(f"flip(w): {k}×{k}", np.full((k, k), KERNEL, dtype=object), flipped),
        right=Grid(
            f"y: {o}×{o}", _combine(out_axis, out_axis, (OUTPAD, OUT)), np.full((o, o), np.nan)
        ),
        frames=tuple(frames),
        weights_on_left=True,
    )


def scatter_canvas_axis(n: int, k: int, s: int, p: int, a: int, d: int) -> list[str]:
    """Per-axis kinds of the scatter canvas: every cell a kernel copy can reach, plus the
    output_padding cells; `p` cells at each end are cropped off the output."""
    full = (n - 1) * s + d * (k - 1) + 1
    o = shapes.conv_transpose_output_size(n, k, s, p, a, d)
    length = max(full, p + o)
    return [
        CROP if t < p or t >= p + o else (OUTPAD if t >= p + o - a else OUT) for t in range(length)
    ]


def _scatter_plan(x, w, s: int, p: int, a: int, d: int) -> Plan:
    n, k = x.shape[0], w.shape[0]
    o = shapes.conv_transpose_output_size(n, k, s, p, a, d)
    axis = scatter_canvas_axis(n, k, s, p, a, d)
    length = len(axis)
    kinds = _combine(axis, axis, (CROP, OUTPAD, OUT))
    y = _square(
        F.conv_transpose2d(
            _tensor(x), _tensor(w), stride=s, padding=p, output_padding=a, dilation=d
        )
    )
    touched = np.zeros((length, length), dtype=bool)
    mask = np.zeros_like(x)
    frames = []
    for i in range(n):
        for j in range(n):
            mask[i, j] = 1.0
            # The running sum of the first copies: the transposed conv of the input with
            # the later pixels zeroed, on the uncropped canvas (padding 0).
            partial = _square(
                F.conv_transpose2d(_tensor(x * mask), _tensor(w), stride=s, dilation=d)
            )
            footprint = [(i * s + u * d, j * s + v * d) for u in range(k) for v in range(k)]
            for cell in footprint:
                touched[cell] = True
            shown = np.full((length, length), np.nan)
            size = partial.shape[0]
            shown[:size, :size] = np.where(touched[:size, :size], partial, np.nan)
            if i == j == n - 1:  # the finished output, untouched output_padding cells included
                shown[p : p + o, p : p + o] = y
            frames.append(Frame(((i, j),), tuple(footprint), tuple(w.flatten() * x[i, j]), shown))
    return Plan(
        title=_transpose_call(s, p, a, d),
        subtitle=_transpose_subtitle(n, k, s, p, a, d, o) + "  =  Σ x[i,j]·w",
        left=Grid(f"x: {n}×{n}", np.full((n, n), DATA, dtype=object), x.copy()),
        kernel=Grid(f"w: {k}×{k}", np.full((k, k), KERNEL, dtype=object), w),
        right=Grid(f"y: {o}×{o}", kinds, np.full((length, length), np.nan)),
        frames=tuple(frames),
        weights_on_left=False,
    )


def plan_animation(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
    transposed: bool = False,
    view: str = "scatter",
    seed: int = 0,
) -> Plan:
    """The geometry and numbers of one animation (`view` matters only if `transposed`)."""
    if transposed and view not in ("scatter", "direct"):
        raise ValueError(f"view={view!r}: a transposed conv is shown as 'scatter' or 'direct'")
    if not transposed and output_padding:
        raise ValueError(
            f"output_padding={output_padding}: output_padding exists only for a transposed conv"
        )
    # Validate with the package's rules before drawing anything.
    if transposed:
        shapes.conv_transpose_output_size(
            input_size, kernel_size, stride, padding, output_padding, dilation
        )
    else:
        shapes.conv_output_size(input_size, kernel_size, stride, padding, dilation)
    x, w = example_values(input_size, kernel_size, seed)
    if not transposed:
        return _conv_plan(x, w, stride, padding, dilation)
    if view == "direct":
        return _direct_plan(x, w, stride, padding, output_padding, dilation)
    return _scatter_plan(x, w, stride, padding, output_padding, dilation)


# ----------------------------------------------------------------------------- drawing


def _fonts(cell: int):
    from PIL import ImageFont

    from ._render import font_path

    return {
        "value": ImageFont.truetype(str(font_path()), max(9, cell * 2 // 5)),
        "weight": ImageFont.truetype(str(font_path(bold=True)), max(11, cell * 3 // 10)),
        "label": ImageFont.truetype(str(font_path(bold=True)), 14),
        "title": ImageFont.truetype(str(font_path()), 13),
        "legend": ImageFont.truetype(str(font_path()), 12),
    }


def _dashed_rect(draw, box, color, dash: int = 4, width: int = 1) -> None:
    x0, y0, x1, y1 = box
    for start in range(x0, x1, dash * 2):
        end = min(start + dash, x1)
        draw.line([(start, y0), (end, y0)], fill=color, width=width)
        draw.line([(start, y1), (end, y1)], fill=color, width=width)
    for start in range(y0, y1, dash * 2):
        end = min(start + dash, y1)
        draw.line([(x0, start), (x0, end)], fill=color, width=width)
        draw.line([(x1, start), (x1, end)], fill=color, width=width)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _draw_cell(draw, fonts, box, kind: str, value: float, filled: bool, palette) -> None:
    fill = palette[kind] if filled else palette["empty"]
    if kind in (PAD, CROP):
        draw.rectangle(box, fill=fill)
        _dashed_rect(draw, box, palette["dash"])
    else:
        draw.rectangle(box, fill=fill, outline=palette["grid"])
    if not math.isnan(value):
        color = palette["muted"] if kind in (ZERO, CROP) else palette["text"]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        draw.text((cx, cy), _number(value), font=fonts["value"], fill=color, anchor="mm")


@dataclass(frozen=True)
class Layout:
    cell: int
    margin: int
    top: int
    left_x: int
    kernel_x: int
    right_x: int
    grid_y: int
    width: int
    height: int


def _layout(plan: Plan, cell: int) -> Layout:
    margin, gap, top = 14, cell + 10, 58
    left_x = margin
    kernel_x = left_x + plan.left.size * cell + gap
    right_x = kernel_x + plan.kernel.size * cell + gap
    width = right_x + plan.right.size * cell + margin
    rows = max(plan.left.size, plan.right.size)
    height = top + 22 + rows * cell + 40
    width = max(width, 10 * len(plan.subtitle) + 2 * margin)
    width = max(width, 60 * len(_legend(plan)) + 70 + 2 * margin)  # legend + frame counter
    return Layout(cell, margin, top, left_x, kernel_x, right_x, top + 22, width, height)


def _cell_box(x0: int, y0: int, cell: int, r: int, c: int) -> tuple[int, int, int, int]:
    return (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)


def _legend(plan: Plan) -> list[tuple[str, str]]:
    kinds = set(plan.left.kinds.flat) | set(plan.right.kinds.flat)
    items = [(DATA, "x"), (ZERO, "0"), (PAD, "p"), (OUT, "y"), (OUTPAD, "a"), (CROP, "−p")]
    return [(kind, text) for kind, text in items if kind in kinds or kind in (DATA, OUT)]


def _draw_frame(plan: Plan, frame: Frame, number: int, layout: Layout, fonts, palette):
    from PIL import Image, ImageDraw

    cell = layout.cell
    img = Image.new("RGB", (layout.width, layout.height), palette["background"])
    draw = ImageDraw.Draw(img)
    draw.text((layout.margin, 10), plan.title, font=fonts["title"], fill=palette["text"])
    draw.text((layout.margin, 30), plan.subtitle, font=fonts["title"], fill=palette["muted"])
    # The frame counter sits on the legend row, right-aligned, clear of the grid labels.
    counter = f"{number}/{len(plan.frames)}"
    draw.text(
        (layout.width - layout.margin, layout.height - 20),
        counter,
        font=fonts["title"],
        fill=palette["muted"],
        anchor="rm",
    )

    grids = (
        (plan.left, layout.left_x, None),
        (plan.kernel, layout.kernel_x, None),
        (plan.right, layout.right_x, frame.right_values),
    )
    y0 = layout.grid_y
    for grid, x0, shown in grids:
        draw.text((x0, y0 - 20), grid.label, font=fonts["label"], fill=palette["text"])
        for r in range(grid.size):
            for c in range(grid.size):
                value = grid.values[r, c] if shown is None else shown[r, c]
                filled = shown is None or not math.isnan(shown[r, c])
                box = _cell_box(x0, y0, cell, r, c)
                _draw_cell(draw, fonts, box, grid.kinds[r, c], value, filled, palette)

    kernel_cells = frame.left_cells if plan.weights_on_left else frame.right_cells
    kernel_x = layout.left_x if plan.weights_on_left else layout.right_x
    for (r, c), weight in zip(kernel_cells, frame.weights):
        box = _cell_box(kernel_x, y0, cell, r, c)
        draw.rectangle(box, outline=palette["kernel_edge"], width=3)
        draw.text(
            (box[2] - 3, box[3] - 2),
            _number(weight),
            font=fonts["weight"],
            fill=palette["kernel_edge"],
            anchor="rd",
        )
    other_cells = frame.right_cells if plan.weights_on_left else frame.left_cells
    other_x = layout.right_x if plan.weights_on_left else layout.left_x
    for r, c in other_cells:
        draw.rectangle(_cell_box(other_x, y0, cell, r, c), outline=palette["focus"], width=3)

    # Legend: a swatch per cell kind, labelled with the symbol the pages use.
    lx, ly = layout.margin, layout.height - 28
    for kind, text in _legend(plan):
        box = (lx, ly, lx + 16, ly + 16)
        if kind in (PAD, CROP):
            draw.rectangle(box, fill=palette[kind])
            _dashed_rect(draw, box, palette["dash"], dash=3)
        else:
            draw.rectangle(box, fill=palette[kind], outline=palette["grid"])
        draw.text((lx + 22, ly + 8), text, font=fonts["legend"], fill=palette["text"], anchor="lm")
        lx += 22 + int(draw.textlength(text, font=fonts["legend"])) + 18
    return img


def render_frames(plan: Plan, cell: int = 30, palette=ANIM) -> list:
    """One RGB Pillow image per frame, in `palette`'s colours (light or dark page)."""
    layout = _layout(plan, cell)
    fonts = _fonts(cell)
    return [_draw_frame(plan, f, n + 1, layout, fonts, palette) for n, f in enumerate(plan.frames)]


def smallest_font_px(cell: int = 30) -> int:
    """The smallest text size, in pixels, of an animation drawn with `cell`-pixel cells."""
    return min(font.size for font in _fonts(cell).values())


def _shared_palette(frames: list):
    """One palette for all frames (so the GIF needs no local tables): from the last frame,
    which shows every colour, plus the first."""
    from PIL import Image

    first, last = frames[0], frames[-1]
    sample = Image.new("RGB", (first.width, first.height * 2))
    sample.paste(first, (0, 0))
    sample.paste(last, (0, first.height))
    return sample.quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def gif_bytes(
    frames: list, frame_ms: int = 700, hold_ms: int = 2000, min_font_px: float = 0.0
) -> bytes:
    """An endlessly looping GIF; the last frame (the finished output) is held longer. Its
    comment records `min_font_px`, its smallest text size (see `_render.gif_comment`)."""
    from PIL import Image

    from ._render import gif_comment

    palette = _shared_palette(frames)
    indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    durations = [frame_ms] * (len(frames) - 1) + [hold_ms]
    buf = io.BytesIO()
    indexed[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=durations,
        loop=0,
        optimize=False,
        disposal=1,
        comment=gif_comment(min_font_px),
    )
    return buf.getvalue()


def strip_frames(count: int, limit: int = 8) -> list[int]:
    """Indices of the frames a print strip shows: all, or `limit` evenly spread ones
    (always the first and the last)."""
    if count <= limit:
        return list(range(count))
    return sorted({round(t * (count - 1) / (limit - 1)) for t in range(limit)})


def strip_png(
    frames: list, columns: int = 1, background: str = ANIM["background"], min_font_px=None
) -> bytes:
    """A static sheet of frames (palette PNG) for print, for readers who prefer reduced
    motion and for a paused animation: one column, so its text is as large as the GIF's."""
    from PIL import Image

    from ._render import image_png

    chosen = [frames[t] for t in strip_frames(len(frames))]
    w, h = chosen[0].size
    cols = min(columns, len(chosen))
    rows = math.ceil(len(chosen) / cols)
    sheet = Image.new("RGB", (w * cols, h * rows), background)
    for t, frame in enumerate(chosen):
        sheet.paste(frame, ((t % cols) * w, (t // cols) * h))
    return image_png(sheet, colors=48, min_font_px=min_font_px)


def animation_files(plan: Plan, name: str, cell: int = 30) -> dict[str, bytes]:
    """`{name}.gif` and `{name}-strip.png`, and the same for dark pages (`.dark`)."""
    files = {}
    px = smallest_font_px(cell)
    for suffix, palette in (("", ANIM), (".dark", ANIM_DARK)):
        frames = render_frames(plan, cell, palette)
        files[f"{name}{suffix}.gif"] = gif_bytes(frames, min_font_px=px)
        files[f"{name}-strip{suffix}.png"] = strip_png(
            frames, background=palette["background"], min_font_px=px
        )
    return files


def build_animation(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
    transposed: bool = False,
    view: str = "scatter",
    name: str | None = None,
) -> dict[str, bytes]:
    """`anim/<name>.gif` and `anim/<name>-strip.png` for one case."""
    plan = plan_animation(
        input_size, kernel_size, stride, padding, dilation, output_padding, transposed, view
    )
    if name is None:
        name = case_name(
            input_size, kernel_size, stride, padding, dilation, output_padding, transposed, view
        )
    return animation_files(plan, f"anim/{name}")


def case_name(
    input_size: int,
    kernel_size: int,
    stride: int,
    padding: int,
    dilation: int,
    output_padding: int,
    transposed: bool,
    view: str,
) -> str:
    """A file name that spells out the parameters, e.g. `transposed-i3-k3-s2-p1-scatter`."""
    parts = [
        "transposed" if transposed else "conv",
        f"i{input_size}",
        f"k{kernel_size}",
        f"s{stride}",
        f"p{padding}",
    ]
    if dilation != 1:
        parts.append(f"d{dilation}")
    if output_padding:
        parts.append(f"a{output_padding}")
    if transposed:
        parts.append(view)
    return "-".join(parts)
