"""Drawing the animation frames with Pillow, in the style of Dumoulin & Visin's conv arithmetic.

Blue input cells, dashed light padding cells, the kernel's footprint shaded dark blue
over the input, the cyan output grid to the right (cells already computed filled, the
current one dark), thin lines joining the footprint to the cell it produces, and a
header with the configuration and the output-size formula filled in. The frames only
draw what a plan (:mod:`convzoo.viz.frames`, :mod:`convzoo.viz.channels`) and the
operator's values (:mod:`convzoo.viz.numeric`) say; nothing is computed here.

Fonts: DejaVu Sans from matplotlib's data directory when matplotlib is installed,
else Pillow's built-in scalable font.
"""

from __future__ import annotations

import math
import os
from functools import cache

import numpy as np

from .channels import ChannelPlan
from .frames import OP_TITLES, WindowPlan
from .numeric import WindowValues

WHITE = (255, 255, 255)
TEXT = (28, 32, 42)
MUTED = (92, 102, 118)
INPUT = (134, 180, 230)
INPUT_EDGE = (38, 84, 140)
PAD = (244, 247, 251)
PAD_EDGE = (128, 146, 170)
OUTSIDE = (250, 236, 236)
OUTSIDE_EDGE = (196, 138, 138)
TAP = (24, 62, 122)
OUT_TODO = (250, 254, 255)
OUT_EDGE = (36, 140, 158)
OUT_DONE = (150, 222, 234)
OUT_NOW = (14, 120, 136)
WINNER = (250, 178, 30)
GROUP_COLOURS = ((70, 130, 200), (230, 130, 40), (60, 160, 90), (200, 70, 90),
                 (140, 100, 190), (150, 110, 70), (220, 110, 180), (110, 140, 150))


def _import_pil():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as err:   # pragma: no cover - depends on the environment
        raise ImportError("convzoo's animations need Pillow: pip install 'convzoo[viz]' "
                          "(or pip install pillow)") from err
    return Image, ImageDraw, ImageFont


@cache
def font(size: int, bold: bool = False):
    """A TrueType font of ``size`` pixels (DejaVu Sans if matplotlib ships it)."""
    _, _, ImageFont = _import_pil()
    try:
        import matplotlib
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        return ImageFont.truetype(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name),
                                  size)
    except (ImportError, OSError):
        return ImageFont.load_default(size)


def fmt_value(v: float) -> str:
    """A cell value: integers without decimals, others with two."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(int(round(v))) if float(v).is_integer() else f"{v:.2f}"


def blend(a, b, t: float):
    """``a`` moved a fraction ``t`` towards ``b`` (RGB)."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def text_width(text: str, fnt) -> int:
    """Rendered width of ``text`` in pixels."""
    left, _, right, _ = fnt.getbbox(text)
    return right - left


def dashed_rect(draw, box, colour, dash: int = 4, gap: int = 3, width: int = 1) -> None:
    """Outline of ``box`` = (x0, y0, x1, y1) in dashes."""
    x0, y0, x1, y1 = box
    for a, b, horizontal, fixed in ((x0, x1, True, y0), (x0, x1, True, y1),
                                    (y0, y1, False, x0), (y0, y1, False, x1)):
        pos = a
        while pos < b:
            end = min(pos + dash, b)
            seg = (pos, fixed, end, fixed) if horizontal else (fixed, pos, fixed, end)
            draw.line(seg, fill=colour, width=width)
            pos = end + gap


def _dims(values) -> str:
    return "×".join(str(v) for v in values)


def _one(values) -> str:
    return str(values[0]) if len(set(values)) == 1 else _dims(values)


def padding_text(plan: WindowPlan) -> str:
    """The padding as given and, for modes or uneven sides, what it resolves to."""
    (t, b), (left, r) = plan.padding
    if isinstance(plan.padding_arg, str):
        return f"'{plan.padding_arg}' = top {t}, bottom {b}, left {left}, right {r}"
    if t == b == left == r:
        return str(t)
    if t == b and left == r:
        return f"{t}×{left}"
    return f"top {t}, bottom {b}, left {left}, right {r}"


def title_lines(plan: WindowPlan) -> list[str]:
    """Header: configuration, generic formula, formula with this plan's numbers."""
    head = (f"{OP_TITLES[plan.op]}: input {_dims(plan.input_size)}, kernel "
            f"{_dims(plan.kernel_size)}, stride {_one(plan.stride)}, padding {padding_text(plan)}"
            f", dilation {_one(plan.dilation)}")
    if plan.transposed and any(plan.output_padding):
        head += f", output_padding {_one(plan.output_padding)}"
    if plan.ceil_mode:
        head += ", ceil_mode"
    filled = []
    if plan.transposed:
        generic = "o = (i − 1)·s − p_before − p_after + k_eff + output_padding"
        for a in plan.axes:
            filled.append(f"({a.input} − 1)·{a.stride} − {a.padding[0]} − {a.padding[1]} + "
                          f"{a.effective_kernel} + {a.output_padding} = {a.output}")
    else:
        lb, rb = ("⌈", "⌉") if plan.ceil_mode else ("⌊", "⌋")
        generic = f"o = {lb}(i + p_before + p_after − k_eff) / s{rb} + 1"
        if plan.ceil_mode:
            generic += "  (a last window starting in the right padding is dropped)"
        for a in plan.axes:
            filled.append(f"{lb}({a.input} + {a.padding[0]} + {a.padding[1]} − "
                          f"{a.effective_kernel}) / {a.stride}{rb} + 1 = {a.output}")
    lines = [head, generic]
    if any(d > 1 for d in plan.dilation):
        lines[1] += ",  k_eff = d·(k − 1) + 1"
        keff = [f"{a.dilation}·({a.kernel} − 1) + 1 = {a.effective_kernel}" for a in plan.axes]
        lines.append(f"k_eff = {keff[0]}" if keff[0] == keff[1] else
                     f"k_eff: H {keff[0]},  W {keff[1]}")
    if filled[0] == filled[1]:
        lines.append(f"H, W: {filled[0]}")
    else:
        lines += [f"H: {filled[0]}", f"W: {filled[1]}"]
    return lines


_TEXT_CACHE: dict = {}


def _text_mask(text: str, size: int, bold: bool, anchor: str):
    """(mask, dx, dy): the rendered text as an 'L' image and its offset from the anchor."""
    key = (text, size, bold, anchor)
    hit = _TEXT_CACHE.get(key)
    if hit is None:
        Image, ImageDraw, _ = _import_pil()
        fnt = font(size, bold)
        x0, y0, x1, y1 = fnt.getbbox(text, anchor=anchor)
        mask = Image.new("L", (max(x1 - x0, 1), max(y1 - y0, 1)), 0)
        ImageDraw.Draw(mask).text((-x0, -y0), text, font=fnt, fill=255, anchor=anchor)
        hit = (mask, x0, y0)
        if len(_TEXT_CACHE) > 20000:   # frames repeat the same few strings; keep it bounded
            _TEXT_CACHE.clear()
        _TEXT_CACHE[key] = hit
    return hit


class _Canvas:
    """An RGB image with cached text rendering (the frames repeat the same strings)."""

    def __init__(self, width: int, height: int, base=None):
        Image, ImageDraw, _ = _import_pil()
        self.image = base.copy() if base is not None else Image.new("RGB", (width, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def text(self, xy, text, size=14, colour=TEXT, bold=False, anchor="la"):
        mask, dx, dy = _text_mask(text, size, bold, anchor)
        self.image.paste(colour, (int(round(xy[0] + dx)), int(round(xy[1] + dy))), mask)


def _wrap(text: str, width: int, fnt) -> list[str]:
    words, lines, line = text.split(" "), [], ""
    for w in words:
        trial = f"{line} {w}".strip()
        if line and text_width(trial, fnt) > width:
            lines.append(line)
            line = w
        else:
            line = trial
    return lines + [line]


class WindowRenderer:
    """Draws the frames of a :class:`WindowPlan`, optionally with the operator's values."""

    MARGIN = 22
    GAP = 84

    def __init__(self, plan: WindowPlan, values: WindowValues | None = None):
        self.plan, self.values = plan, values
        rows, cols = plan.axes
        if plan.transposed:
            self.left = ((0, rows.input), (0, cols.input))
            self.right = (rows.span(rows.output), cols.span(cols.output))
        else:
            self.left = (rows.span(rows.input), cols.span(cols.input))
            self.right = ((0, rows.output), (0, cols.output))
        n = max(self.left[0][1] - self.left[0][0], self.left[1][1] - self.left[1][0],
                self.right[0][1] - self.right[0][0], self.right[1][1] - self.right[1][0])
        base = 44 if values is not None else 36
        self.cell = int(max(18, min(base, 480 // max(n, 1))))
        self.kcell = max(14, int(self.cell * 0.75))
        self._base_image = None
        self._layout()

    # ------------------------------------------------------------------ layout
    def _grid_size(self, ranges, cell):
        (r0, r1), (c0, c1) = ranges
        return (c1 - c0) * cell, (r1 - r0) * cell

    def labels(self) -> tuple[str, str, str]:
        """Captions of the input grid, the output grid and the kernel."""
        plan = self.plan
        padded = any(map(any, plan.padding))
        if plan.transposed:
            left = f"input {_dims(plan.input_size)}"
            right = f"output {_dims(plan.output_size)}" + (
                f" (dashed: cropped by padding {padding_text(plan)})" if padded else "")
        else:
            left = f"input {_dims(plan.input_size)}" + (
                f" + padding {padding_text(plan)}" if padded else "")
            right = f"output {_dims(plan.output_size)}"
        kh, kw = self._kernel_shape()
        if plan.op.endswith("_pool"):
            word = "max" if plan.op == "max_pool" else "average"
            kernel = f"{word} over a {_dims(plan.kernel_size)} window"
        else:
            kernel = f"kernel {_dims(plan.kernel_size)}"
            if any(d > 1 for d in plan.dilation):
                kernel += f", dilation {_one(plan.dilation)} (spans {kh}×{kw})"
        return left, right, kernel

    def _layout(self):
        m = self.MARGIN
        lw, lh = self._grid_size(self.left, self.cell)
        rw, rh = self._grid_size(self.right, self.cell)
        kh, kw = self._kernel_shape()
        kw_px, kh_px = kw * self.kcell, kh * self.kcell
        label_h = 26
        small = font(13)
        self.left_label, self.right_label, self.kernel_label = self.labels()
        left_w = max(lw, text_width(self.left_label, small) + 8)
        right_w = max(rw, kw_px, text_width(self.right_label, small) + 8,
                      text_width(self.kernel_label, small) + 8)
        panels_w = left_w + self.GAP + right_w
        styles = [font(16, True), font(14), font(14)]
        self.header = title_lines(self.plan)
        widest = max(text_width(line, styles[min(i, 2)]) for i, line in enumerate(self.header))
        width = max(panels_w + 2 * m, min(widest + 2 * m, 760), 560)
        self.header_lines = []
        for i, line in enumerate(self.header):
            for piece in _wrap(line, width - 2 * m, styles[min(i, 2)]):
                self.header_lines.append((piece, min(i, 2)))
        header_h = 10 + 22 * len(self.header_lines)
        top = m + header_h + 8
        right_h = rh + label_h + 16 + kh_px + label_h
        body_h = max(lh + label_h, right_h)
        self.width = width
        self.height = top + body_h + 20 + 2 * 22 + m
        x_left = (width - panels_w) // 2
        x_right = x_left + left_w + self.GAP
        self.left_origin = (x_left + (left_w - lw) // 2, top + max(0, (rh - lh) // 2))
        self._grid_right = self.left_origin[0] + lw
        self.right_origin = (x_right + (right_w - rw) // 2, top)
        self.kernel_origin = (x_right + (right_w - kw_px) // 2, top + rh + label_h + 16)
        self.status_y = top + body_h + 14

    def _status(self, cv, text):
        y = self.status_y
        for line in _wrap(text, self.width - 2 * self.MARGIN, font(14))[:2]:
            cv.text((self.MARGIN, y), line, 14, TEXT)
            y += 22

    def _kernel_shape(self):
        if self.plan.op.endswith("_pool"):
            return self.plan.kernel_size
        return tuple(a.effective_kernel for a in self.plan.axes)

    def _xy(self, origin, ranges, r, c, cell=None):
        cell = cell or self.cell
        (r0, _), (c0, _) = ranges
        x, y = origin[0] + (c - c0) * cell, origin[1] + (r - r0) * cell
        return (x, y, x + cell, y + cell)

    # ------------------------------------------------------------------ cells
    def _cell(self, cv, box, fill, edge, dashed=False, text="", text_colour=TEXT, size=None,
              width=1):
        x0, y0, x1, y1 = box
        cv.draw.rectangle((x0, y0, x1, y1), fill=fill)
        if dashed:
            dashed_rect(cv.draw, (x0, y0, x1, y1), edge)
        else:
            cv.draw.rectangle((x0, y0, x1, y1), outline=edge, width=width)
        if text:
            cv.text(((x0 + x1) / 2, (y0 + y1) / 2), text, size or max(10, self.cell // 3),
                    text_colour, anchor="mm")

    def _input_kind(self, r, c, size, pad):
        (h, w), ((t, b), (left, right)) = size, pad
        if 0 <= r < h and 0 <= c < w:
            return "input"
        if -t <= r < h + b and -left <= c < w + right:
            return "pad"
        return "outside"

    def _base(self):
        """Everything that is the same in every frame: header, kernel, labels, input grid."""
        if self._base_image is None:
            cv = _Canvas(self.width, self.height)
            self._header(cv)
            self._kernel(cv)
            self._label(cv, self.left_origin, self.left, self.left_label)
            self._label(cv, self.right_origin, self.right, self.right_label)
            if not self.plan.transposed:
                self._input_grid(cv, {}, None)
            self._base_image = cv.image
        return self._base_image

    def render(self, index: int):
        """The frame ``index`` as a PIL RGB image."""
        cv = _Canvas(self.width, self.height, self._base())
        frame = self.plan.frame(index)
        if self.plan.transposed:
            self._transposed(cv, frame, index)
        else:
            self._forward(cv, frame, index)
        return cv.image

    def _header(self, cv):
        y = self.MARGIN
        for text, kind in self.header_lines:
            cv.text((self.MARGIN, y), text, 16 if kind == 0 else 14,
                    TEXT if kind != 1 else MUTED, bold=kind == 0)
            y += 22

    def _label(self, cv, origin, ranges, text, cell=None):
        w, h = self._grid_size(ranges, cell or self.cell)
        cv.text((origin[0] + w / 2, origin[1] + h + 8), text, 13, MUTED, anchor="ma")

    def _beam(self, cv, box_a, box_b):
        """A light beam from the right edge of ``box_a`` to the left edge of ``box_b``.

        Drawn only across the gap between the two grids, so it never hides a cell.
        """
        ax, ay0, ay1 = box_a[2], box_a[1], box_a[3]
        bx, by0, by1 = box_b[0], box_b[1], box_b[3]
        lo = self._grid_right + 3
        hi = self.right_origin[0] - 3
        if bx <= ax:
            return

        def at(x, ya, yb):
            return ya + (yb - ya) * (x - ax) / (bx - ax)

        x0, x1 = max(ax, lo), min(bx, hi)
        if x1 <= x0:
            return
        top0, bot0, top1, bot1 = at(x0, ay0, by0), at(x0, ay1, by1), at(x1, ay0, by0), \
            at(x1, ay1, by1)
        cv.draw.polygon([(x0, top0), (x1, top1), (x1, bot1), (x0, bot0)],
                        fill=blend(WHITE, TAP, 0.12))
        cv.draw.line((x0, top0, x1, top1), fill=blend(WHITE, TAP, 0.5), width=1)
        cv.draw.line((x0, bot0, x1, bot1), fill=blend(WHITE, TAP, 0.5), width=1)

    def _input_grid(self, cv, taps, winner):
        """The conv/pool input grid; ``taps`` maps highlighted cells to their kernel tap."""
        plan, vals = self.plan, self.values
        size, pad = plan.input_size, plan.padding
        cells = taps if taps else [(r, c) for r in range(*self.left[0])
                                   for c in range(*self.left[1])]
        for r, c in cells:
            kind = self._input_kind(r, c, size, pad)
            base, edge, dashed = {"input": (INPUT, INPUT_EDGE, False),
                                  "pad": (PAD, PAD_EDGE, True),
                                  "outside": (OUTSIDE, OUTSIDE_EDGE, True)}[kind]
            text, colour = "", TEXT
            if vals is not None:
                text = fmt_value(vals.input[r, c]) if kind == "input" else (
                    "0" if kind == "pad" and plan.op != "max_pool" else "")
                colour = TEXT if kind == "input" else MUTED
            box = self._xy(self.left_origin, self.left, r, c)
            if (r, c) in taps:
                self._cell(cv, box, blend(base, TAP, 0.78), TAP, dashed, text, WHITE)
                if vals is not None and vals.kernel is not None:
                    tr, tc = taps[(r, c)]
                    cv.text((box[2] - 3, box[3] - 2), fmt_value(vals.kernel[tr, tc]),
                            max(9, self.cell // 4), (255, 225, 120), anchor="rd")
                if winner == (r, c):
                    cv.draw.rectangle(box, outline=WINNER, width=3)
            else:
                self._cell(cv, box, base, edge, dashed, text, colour)

    def _forward(self, cv, frame, index):
        plan, vals = self.plan, self.values
        taps = dict(zip(frame.cells, frame.taps))
        winner = None
        if vals is not None and vals.argmax is not None:
            winner = tuple(int(v) for v in vals.argmax[frame.position])
        self._input_grid(cv, taps, winner)
        foot = self._bbox(self.left_origin, self.left, frame.cells)
        cv.draw.rectangle(foot, outline=TAP, width=2)
        self._beam(cv, foot, self._xy(self.right_origin, self.right, *frame.position))
        shown = vals.output_after(index) if vals is not None else None
        (o0, o1), (p0, p1) = self.right
        n_cols = plan.output_size[1]
        for r in range(o0, o1):
            for c in range(p0, p1):
                box = self._xy(self.right_origin, self.right, r, c)
                flat = r * n_cols + c
                text = fmt_value(shown[r, c]) if shown is not None else ""
                if (r, c) == frame.position:
                    self._cell(cv, box, OUT_NOW, OUT_EDGE, text=text, text_colour=WHITE, width=2)
                elif flat < index:
                    self._cell(cv, box, OUT_DONE, OUT_EDGE, text=text)
                else:
                    self._cell(cv, box, OUT_TODO, OUT_EDGE)
        i, j = frame.position
        rows = sorted({r for r, _ in frame.cells})
        cols = sorted({c for _, c in frame.cells})
        status = (f"output[{i}, {j}] reads input rows {self._span(rows)}, "
                  f"cols {self._span(cols)}")
        if vals is not None:
            word = {"conv": "Σ input·kernel", "max_pool": "max", "avg_pool": "mean"}[plan.op]
            status += f"  →  {word} = {fmt_value(vals.output[i, j])}"
        status += f"  ·  step {index + 1}/{plan.n_frames}"
        self._status(cv, status)

    def _span(self, values):
        if len(values) > 1 and any(b - a != 1 for a, b in zip(values, values[1:])):
            return ",".join(str(v) for v in values)
        return f"{values[0]}..{values[-1]}" if len(values) > 1 else str(values[0])

    def _bbox(self, origin, ranges, cells):
        boxes = [self._xy(origin, ranges, r, c) for r, c in cells]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def _transposed(self, cv, frame, index):
        plan, vals = self.plan, self.values
        h, w = plan.input_size
        for r in range(h):
            for c in range(w):
                box = self._xy(self.left_origin, self.left, r, c)
                text = fmt_value(vals.input[r, c]) if vals is not None else ""
                if (r, c) == frame.position:
                    self._cell(cv, box, TAP, TAP, text=text, text_colour=WHITE, width=2)
                else:
                    done = r * w + c < index
                    self._cell(cv, box, blend(INPUT, WHITE, 0.35) if done else INPUT,
                               INPUT_EDGE, text=text)
        ho, wo = plan.output_size
        self._beam(cv, self._xy(self.left_origin, self.left, *frame.position),
                   self._bbox(self.right_origin, self.right, frame.cells))
        taps = dict(zip(frame.cells, frame.taps))
        touched = self._touched(index)
        shown = vals.output_after(index) if vals is not None else None
        (r0, r1), (c0, c1) = self.right
        for r in range(r0, r1):
            for c in range(c0, c1):
                box = self._xy(self.right_origin, self.right, r, c)
                inside = 0 <= r < ho and 0 <= c < wo
                text = ""
                if inside and shown is not None and ((r, c) in touched or (r, c) in taps):
                    text = fmt_value(shown[r, c])
                if (r, c) in taps:
                    fill = OUT_NOW if inside else blend(OUTSIDE, TAP, 0.45)
                    self._cell(cv, box, fill, OUT_EDGE if inside else OUTSIDE_EDGE,
                               dashed=not inside, text=text, text_colour=WHITE)
                    if vals is not None:
                        tr, tc = taps[(r, c)]
                        cv.text((box[2] - 3, box[3] - 2), fmt_value(vals.kernel[tr, tc]),
                                max(9, self.cell // 4), (255, 225, 120), anchor="rd")
                elif inside:
                    self._cell(cv, box, OUT_DONE if (r, c) in touched else OUT_TODO, OUT_EDGE,
                               text=text)
                else:
                    self._cell(cv, box, OUTSIDE if (r, c) in touched else PAD, OUTSIDE_EDGE,
                               dashed=True)
        inner = self._bbox(self.right_origin, self.right, [(0, 0), (ho - 1, wo - 1)])
        cv.draw.rectangle(inner, outline=OUT_NOW, width=2)
        i, j = frame.position
        rows = sorted({r for r, _ in frame.cells})
        cols = sorted({c for _, c in frame.cells})
        status = (f"input[{i}, {j}] × kernel is added to output rows {self._span(rows)}, "
                  f"cols {self._span(cols)}")
        if any(not (0 <= r < ho and 0 <= c < wo) for r, c in frame.cells):
            status += " (outside cells are cropped)"
        status += f"  ·  step {index + 1}/{plan.n_frames}"
        self._status(cv, status)

    def _touched(self, index: int) -> set:
        """Output cells that frames before ``index`` have written to (transposed conv)."""
        if not hasattr(self, "_touched_sets"):
            sets, acc = [], set()
            for f in range(self.plan.n_frames):
                sets.append(frozenset(acc))
                acc |= set(self.plan.frame(f).cells)
            self._touched_sets = sets
        return self._touched_sets[index]

    def _kernel(self, cv):
        plan, vals = self.plan, self.values
        kh, kw = self._kernel_shape()
        pool = plan.op.endswith("_pool")
        origin, ranges = self.kernel_origin, ((0, kh), (0, kw))
        dh, dw = (1, 1) if pool else plan.dilation
        for r in range(kh):
            for c in range(kw):
                box = self._xy(origin, ranges, r, c, self.kcell)
                tap = r % dh == 0 and c % dw == 0
                text = ""
                if tap and vals is not None and vals.kernel is not None:
                    text = fmt_value(vals.kernel[r // dh, c // dw])
                if tap:
                    self._cell(cv, box, blend(INPUT, TAP, 0.78), TAP, text=text,
                               text_colour=WHITE, size=max(9, self.kcell // 3))
                else:
                    self._cell(cv, box, PAD, PAD_EDGE, dashed=True)
        self._label(cv, origin, ranges, self.kernel_label, self.kcell)


class ChannelRenderer:
    """Draws the frames of a :class:`ChannelPlan`: channels as squares, wiring as lines."""

    MARGIN = 22
    SQUARE = 30
    STEP = 40
    COLUMN_GAP = 230

    def __init__(self, plan: ChannelPlan):
        self.plan = plan
        self.columns = [plan.stages[0].in_channels] + [s.out_channels for s in plan.stages]
        self.header = self._title()
        tallest = max(self.columns)
        width = 2 * self.MARGIN + 90 + (len(self.columns) - 1) * self.COLUMN_GAP + self.SQUARE
        self.width = max(width, 680)
        fonts = [font(16, True), font(14), font(14)]
        self.header_lines = [(piece, i) for i, line in enumerate(self.header)
                             for piece in _wrap(line, self.width - 2 * self.MARGIN, fonts[i])]
        self.top = self.MARGIN + 22 * len(self.header_lines) + 34
        self.height = self.top + tallest * self.STEP + 80
        self.x0 = (self.width - (len(self.columns) - 1) * self.COLUMN_GAP - self.SQUARE) // 2
        self.groups = [self._group_ids(k) for k in range(len(self.columns))]

    def _title(self) -> list[str]:
        p = self.plan
        s0 = p.stages[0]
        kh, kw = s0.kernel_size
        if p.op == "grouped":
            per = s0.in_channels // s0.groups
            return [f"grouped convolution: {s0.in_channels} → {s0.out_channels} channels, "
                    f"groups = {s0.groups}, kernel {kh}×{kw}",
                    f"each output channel reads C_in/groups = {per} of the {s0.in_channels} "
                    "input channels",
                    f"weights = C_out·(C_in/groups)·kh·kw = {s0.out_channels}·{per}·{kh}·{kw} = "
                    f"{s0.params}  (standard conv: {s0.dense_params})"]
        m = s0.out_channels // s0.in_channels
        lines = [f"{'depthwise' if p.op == 'depthwise' else 'depthwise-separable'} convolution: "
                 f"{s0.in_channels} → {p.stages[-1].out_channels} channels, kernel {kh}×{kw}"
                 + (f", depth multiplier {m}" if m > 1 else ""),
                 "depthwise: each input channel gets its own "
                 + (f"{m} {kh}×{kw} filters" if m > 1 else f"{kh}×{kw} filter")
                 + f", {s0.in_channels}·{m}·{kh}·{kw} = {s0.params} weights"]
        if p.op == "separable":
            s1 = p.stages[1]
            dense = s0.dense_params // s0.out_channels * s1.out_channels
            lines.append(f"then pointwise 1×1 mixes all channels: {s1.in_channels}·"
                         f"{s1.out_channels} = {s1.params};  total {p.params} "
                         f"(standard {kh}×{kw} conv {s0.in_channels} → {s1.out_channels}: "
                         f"{dense})")
        else:
            lines.append(f"(standard {kh}×{kw} conv {s0.in_channels} → {s0.out_channels}: "
                         f"{s0.dense_params} weights)")
        return lines

    def _group_ids(self, column: int) -> list[int]:
        """Colour index per channel: the channels a group shares (first stage's wiring)."""
        first = self.plan.stages[0].connections
        if column == 0:
            ids, seen = [], {}
            for c in range(first.shape[1]):
                key = tuple(np.flatnonzero(first[:, c]))
                ids.append(seen.setdefault(key, len(seen)))
            return ids
        if column == 1:
            inputs = self._group_ids(0)
            return [inputs[int(np.flatnonzero(first[o])[0])] for o in range(first.shape[0])]
        return [len(GROUP_COLOURS) - 1] * self.columns[column]

    def _square(self, column: int, channel: int):
        n = self.columns[column]
        offset = (max(self.columns) - n) * self.STEP / 2
        x = self.x0 + column * self.COLUMN_GAP
        y = self.top + offset + channel * self.STEP
        return (x, y, x + self.SQUARE, y + self.SQUARE)

    def render(self, index: int):
        """Frame ``index`` as a PIL RGB image."""
        cv = _Canvas(self.width, self.height)
        y = self.MARGIN
        for text, kind in self.header_lines:
            cv.text((self.MARGIN, y), text, 16 if kind == 0 else 14,
                    TEXT if kind != 1 else MUTED, bold=kind == 0)
            y += 22
        stage_index, out_channel = self.plan.frame(index)
        names = ["input"] + [s.name.split(" (")[0] + " output" for s in self.plan.stages]
        names[-1] = "output"
        for k, stage in enumerate(self.plan.stages):
            for o in range(stage.out_channels):
                for c in stage.inputs_of(o):
                    a, b = self._square(k, c), self._square(k + 1, o)
                    cv.draw.line((a[2], (a[1] + a[3]) / 2, b[0], (b[1] + b[3]) / 2),
                                 fill=(214, 220, 228), width=1)
        stage = self.plan.stages[stage_index]
        feeding = stage.inputs_of(out_channel)
        colour = GROUP_COLOURS[self.groups[stage_index + 1][out_channel] % len(GROUP_COLOURS)]
        kh, kw = stage.kernel_size
        for c in feeding:
            a, b = self._square(stage_index, c), self._square(stage_index + 1, out_channel)
            ya, yb = (a[1] + a[3]) / 2, (b[1] + b[3]) / 2
            cv.draw.line((a[2], ya, b[0], yb), fill=colour, width=3)
            # the kernel slice this input channel is convolved with, at 40% of the way
            t = 0.4
            mx, my = a[2] + (b[0] - a[2]) * t, ya + (yb - ya) * t
            g = 6
            kx, ky = mx - kw * g / 2, my - kh * g / 2
            cv.draw.rectangle((kx - 2, ky - 2, kx + kw * g + 2, ky + kh * g + 2), fill=WHITE)
            for r in range(kh):
                for q in range(kw):
                    cv.draw.rectangle((kx + q * g, ky + r * g, kx + (q + 1) * g, ky + (r + 1) * g),
                                      fill=blend(colour, TAP, 0.3), outline=WHITE)
        done = sum(s.out_channels for s in self.plan.stages[:stage_index])
        for k, n in enumerate(self.columns):
            for ch in range(n):
                box = self._square(k, ch)
                col = GROUP_COLOURS[self.groups[k][ch] % len(GROUP_COLOURS)]
                fill = blend(col, WHITE, 0.55)
                edge = blend(col, TAP, 0.3)
                width = 1
                if k == stage_index and ch in feeding:
                    fill, width = col, 3
                elif k == stage_index + 1 and ch == out_channel:
                    fill, edge, width = OUT_NOW, TAP, 3
                elif k == stage_index + 1 and ch > out_channel:
                    fill = OUT_TODO
                elif k > stage_index + 1:
                    fill = OUT_TODO
                cv.draw.rectangle(box, fill=fill, outline=edge, width=width)
                cv.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), str(ch), 12,
                        WHITE if fill in (col, OUT_NOW) else TEXT, anchor="mm")
            top = self._square(k, 0)
            cv.text(((top[0] + top[2]) / 2, top[1] - 10), f"{names[k]} ({n})", 13, MUTED,
                    anchor="md")
        src = ", ".join(str(c) for c in feeding) if len(feeding) <= 6 else \
            f"{feeding[0]}..{feeding[-1]}"
        kind = stage.name.split(" (")[0]
        status = (f"{kind}: output channel {out_channel} ← input channel"
                  f"{'s' if len(feeding) > 1 else ''} {src}, each with its own {kh}×{kw} kernel"
                  f"  ·  step {done + out_channel + 1}/{self.plan.n_frames}")
        y = self.height - 56
        for line in _wrap(status, self.width - 2 * self.MARGIN, font(14))[:2]:
            cv.text((self.MARGIN, y), line, 14, TEXT)
            y += 22
        return cv.image


def renderer(plan, values=None):
    """The renderer for a window or channel plan."""
    if isinstance(plan, ChannelPlan):
        return ChannelRenderer(plan)
    return WindowRenderer(plan, values)


__all__ = ["ChannelRenderer", "WindowRenderer", "font", "fmt_value", "padding_text", "renderer",
           "title_lines"]
