"""Frame plans of the sliding-window animations: which cells light up in each frame.

Integers only, no drawing and no values. Sizes and resolved paddings come from
:mod:`convzoo.shapes`; the cells a frame highlights come from the tap positions

    ``f·s − p_before + t·d``   for taps ``t = 0 .. k−1``

along each spatial axis (the same positions ``convzoo.ops.window.tap_index`` slices,
shifted by the padding so that 0 is the first real input cell):

* convolution and pooling: frame ``f`` is output cell ``f`` (row-major); the positions
  are the input cells it reads — below 0 or at/after the input size they are padding
  cells (or, under ``ceil_mode``, cells a last window hangs past the padding);
* transposed convolution: frame ``f`` is input cell ``f``; the same expression, read in
  reverse, gives the output cells that input cell is scattered into (times the kernel).
  Positions below 0 or at/after the output size land in the border that the transposed
  conv's ``padding`` crops away.

So a convolution animates ``H_out·W_out`` frames and a transposed convolution
``H_in·W_in``. Channel structure (grouped, depthwise, separable) is planned in
:mod:`convzoo.viz.channels`.

>>> plan = plan_window("conv", (5, 5), 3, stride=2, padding=1)
>>> plan.output_size, plan.n_frames
((3, 3), 9)
>>> plan.frame(0).cells[:3]      # output (0, 0) reads the padding row -1 first
((-1, -1), (-1, 0), (-1, 1))
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import _args, shapes

WINDOW_OPS = ("conv", "conv_transpose", "max_pool", "avg_pool")
OP_TITLES = {
    "conv": "convolution",
    "conv_transpose": "transposed convolution",
    "max_pool": "max pooling",
    "avg_pool": "average pooling",
}


def tap_positions(frames: int, stride: int, offset: int, dilation: int,
                  kernel: int) -> tuple[tuple[int, ...], ...]:
    """Per frame ``f < frames``: the positions ``f·stride − offset + t·dilation``, ``t < kernel``.

    >>> tap_positions(2, 2, 0, 1, 3)
    ((0, 1, 2), (2, 3, 4))
    """
    return tuple(tuple(f * stride - offset + t * dilation for t in range(kernel))
                 for f in range(frames))


@dataclass(frozen=True)
class AxisPlan:
    """One spatial axis of a sliding-window animation.

    Attributes:
        input: input cells along the axis.
        output: output cells (from :mod:`convzoo.shapes`).
        kernel, stride, dilation: the op's per-axis values.
        padding: resolved ``(before, after)``.
        output_padding: extra cells at the end of a transposed conv's output.
        taps: per frame index along this axis, the ``kernel`` positions it highlights
            (input coordinates for conv/pool, output coordinates for transposed conv).
    """

    input: int
    output: int
    kernel: int
    stride: int
    dilation: int
    padding: tuple[int, int]
    output_padding: int
    taps: tuple[tuple[int, ...], ...]

    @property
    def frames(self) -> int:
        """Frames along this axis: one per output cell, or per input cell if transposed."""
        return len(self.taps)

    @property
    def effective_kernel(self) -> int:
        """``d·(k − 1) + 1``."""
        return shapes.effective_kernel_size(self.kernel, self.dilation)

    def span(self, size: int) -> tuple[int, int]:
        """``[first, last)`` range to draw for the highlighted side of ``size`` real cells.

        Covers the padding (or cropped border) on both sides and every tap position. A
        transposed conv's output_padding cells are real output cells, so they shorten the
        cropped border after the output.
        """
        lo = min(-self.padding[0], min(min(t) for t in self.taps))
        hi = max(size + self.padding[1] - self.output_padding, size,
                 max(max(t) for t in self.taps) + 1)
        return lo, hi


@dataclass(frozen=True)
class Frame:
    """What one frame shows.

    Attributes:
        index: frame number (row-major over ``position``).
        position: (row, col) of the output cell being computed (conv/pool) or of the
            input cell being scattered (transposed conv).
        cells: the highlighted (row, col) cells on the other grid, one per kernel tap.
        taps: the kernel tap (row, col) of each cell, in the same order.
    """

    index: int
    position: tuple[int, int]
    cells: tuple[tuple[int, int], ...]
    taps: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class WindowPlan:
    """The frames of a 2-d sliding-window animation (conv, transposed conv, pooling).

    Attributes:
        op: one of ``WINDOW_OPS``.
        axes: (rows, cols) :class:`AxisPlan`.
        padding_arg: the padding as the user gave it (for titles).
        ceil_mode: pooling's ceil_mode.
    """

    op: str
    axes: tuple[AxisPlan, AxisPlan]
    padding_arg: object = 0
    ceil_mode: bool = False

    @property
    def transposed(self) -> bool:
        """True for the transposed convolution (frames walk the input)."""
        return self.op == "conv_transpose"

    @property
    def input_size(self) -> tuple[int, int]:
        """(H, W) of the input."""
        return tuple(a.input for a in self.axes)

    @property
    def output_size(self) -> tuple[int, int]:
        """(H_out, W_out), from :mod:`convzoo.shapes`."""
        return tuple(a.output for a in self.axes)

    @property
    def kernel_size(self) -> tuple[int, int]:
        """(kh, kw)."""
        return tuple(a.kernel for a in self.axes)

    @property
    def stride(self) -> tuple[int, int]:
        """(sh, sw)."""
        return tuple(a.stride for a in self.axes)

    @property
    def dilation(self) -> tuple[int, int]:
        """(dh, dw)."""
        return tuple(a.dilation for a in self.axes)

    @property
    def padding(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Resolved ((top, bottom), (left, right))."""
        return tuple(a.padding for a in self.axes)

    @property
    def output_padding(self) -> tuple[int, int]:
        """Transposed conv's output_padding per dim (0 otherwise)."""
        return tuple(a.output_padding for a in self.axes)

    @property
    def n_frames(self) -> int:
        """Number of frames: output cells (conv/pool) or input cells (transposed conv)."""
        return math.prod(a.frames for a in self.axes)

    def frame(self, index: int) -> Frame:
        """Frame ``index`` (0-based, row-major)."""
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame index must be in [0, {self.n_frames}); got index={index}")
        rows, cols = self.axes
        i, j = divmod(index, cols.frames)
        pairs = [((r, c), (tr, tc)) for tr, r in enumerate(rows.taps[i])
                 for tc, c in enumerate(cols.taps[j])]
        return Frame(index, (i, j), tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    def frames(self):
        """Iterate over every :class:`Frame`."""
        return (self.frame(f) for f in range(self.n_frames))

    def to_dict(self) -> dict:
        """JSON-ready summary (sizes, resolved padding, frame count)."""
        return {"op": self.op, "input_size": list(self.input_size),
                "output_size": list(self.output_size), "kernel_size": list(self.kernel_size),
                "stride": list(self.stride), "dilation": list(self.dilation),
                "padding": [list(p) for p in self.padding],
                "output_padding": list(self.output_padding), "ceil_mode": self.ceil_mode,
                "frames": self.n_frames}


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    return _args.int_tuple(value, 2, name, minimum=minimum)


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {name}={value!r}")
    return value


def plan_window(op: str, input_size, kernel_size, stride=None, padding=0, dilation=1, *,
                output_padding=0, ceil_mode: bool = False) -> WindowPlan:
    """Plan the frames of a 2-d conv / transposed conv / pooling animation.

    Args:
        op: ``'conv'``, ``'conv_transpose'``, ``'max_pool'`` or ``'avg_pool'``.
        input_size: H or (H, W).
        kernel_size: k or (kh, kw).
        stride: s or (sh, sw); default 1 for convs, the kernel size for pooling.
        padding: int, (ph, pw), ((top, bottom), (left, right)), or for conv/pool a mode
            ``'valid'``, ``'same'``, ``'same_lower'``, ``'full'``.
        dilation: d or (dh, dw).
        output_padding: transposed conv only, smaller than stride or dilation.
        ceil_mode: pooling only.

    Returns:
        :class:`WindowPlan`.

    Raises:
        ValueError: unknown op, bad sizes, a window larger than the padded input, an
            option that does not apply to ``op``.
        TypeError: non-int sizes, non-bool ceil_mode.

    >>> plan_window("conv_transpose", 2, 3, stride=2).output_size   # 2x2 -> 5x5
    (5, 5)
    >>> plan_window("conv_transpose", 2, 3, stride=2).n_frames      # one per input cell
    4
    """
    if op not in WINDOW_OPS:
        raise ValueError(f"op must be one of {WINDOW_OPS}; got op={op!r}")
    size = _pair(input_size, "input_size", 1)
    kernel = _pair(kernel_size, "kernel_size", 1)
    pool = op.endswith("_pool")
    stride = _pair(kernel if (stride is None and pool) else (1 if stride is None else stride),
                   "stride", 1)
    dil = _pair(dilation, "dilation", 1)
    ceil_mode = _flag(ceil_mode, "ceil_mode")
    if ceil_mode and not pool:
        raise ValueError(f"ceil_mode applies to pooling only; got ceil_mode=True with op={op!r}")
    if op == "conv_transpose":
        extra = _pair(output_padding, "output_padding", 0)
        out = shapes.conv_transpose_output_size(size, kernel, stride, padding, extra, dil)
        pads = shapes.resolve_padding(padding, size, kernel, stride, dil, modes=())
        # frames walk the input; the taps are the output cells each input cell feeds
        taps = [tap_positions(i, s, p[0], d, k)
                for i, s, p, d, k in zip(size, stride, pads, dil, kernel, strict=True)]
    else:
        if output_padding not in (0, (0, 0)):
            raise ValueError(f"output_padding applies to op='conv_transpose' only; got "
                             f"output_padding={output_padding!r} with op={op!r}")
        extra = (0, 0)
        if pool:
            out = shapes.pool_output_size(size, kernel, stride, padding, dil, ceil_mode)
        else:
            out = shapes.conv_output_size(size, kernel, stride, padding, dil)
        pads = shapes.resolve_padding(padding, size, kernel, stride, dil)
        taps = [tap_positions(o, s, p[0], d, k)
                for o, s, p, d, k in zip(out, stride, pads, dil, kernel, strict=True)]
    axes = tuple(AxisPlan(i, o, k, s, d, p, e, t) for i, o, k, s, d, p, e, t in
                 zip(size, out, kernel, stride, dil, pads, extra, taps, strict=True))
    return WindowPlan(op, axes, padding, ceil_mode)


__all__ = ["AxisPlan", "Frame", "OP_TITLES", "WINDOW_OPS", "WindowPlan", "plan_window",
           "tap_positions"]
