"""Numbers for the numeric animations, computed by the real operators in ``convzoo.functional``.

For a :class:`~convzoo.viz.frames.WindowPlan` the input (and kernel) values are small
integers (as in Dumoulin & Visin's numerical figures) drawn from a seeded generator, or
given by the caller; the output is whatever ``F.conv2d`` / ``F.conv_transpose2d`` /
``F.max_pool2d`` / ``F.avg_pool2d`` returns for them with the plan's stride, resolved
padding, dilation, output_padding and ceil_mode. Nothing here sums a window itself.

A transposed convolution is animated one input cell at a time, so its frames show
running sums: after frame ``f`` the output is the transposed conv of the input with
every cell after ``f`` zeroed. Those partial outputs are one batched call to
``F.conv_transpose2d`` (one sample per frame); the last equals the full output.
Max pooling also reports which cell won each window (``return_indices=True``).

>>> from convzoo.viz.frames import plan_window
>>> v = window_values(plan_window("conv", 3, 2), np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
>>> v.output.tolist()
[[8.0, 12.0], [20.0, 24.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .frames import WindowPlan


@dataclass(frozen=True, eq=False)
class WindowValues:
    """Values shown by a numeric window animation.

    Attributes:
        input: (H, W) float64.
        kernel: (kh, kw) float64, or None for pooling.
        output: (H_out, W_out) float64, the operator's output.
        partial: transposed conv only: (frames, H_out, W_out) running sums after each frame.
        argmax: max pooling only: (H_out, W_out, 2) input (row, col) of each window's maximum.
    """

    input: np.ndarray
    kernel: np.ndarray | None
    output: np.ndarray
    partial: np.ndarray | None = None
    argmax: np.ndarray | None = None

    def output_after(self, frame: int) -> np.ndarray:
        """The output values known after ``frame``: NaN where not yet computed (conv/pool)."""
        if self.partial is not None:
            return self.partial[frame]
        shown = np.full(self.output.shape, np.nan)
        flat = shown.reshape(-1)
        flat[:frame + 1] = self.output.reshape(-1)[:frame + 1]
        return shown


def _values(name: str, value, shape, rng, low, high) -> np.ndarray:
    if value is None:
        return rng.integers(low, high, size=shape).astype(np.float64)
    array = np.asarray(getattr(value, "data", value), dtype=np.float64)
    if array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} for this animation; got "
                         f"{name} with shape {array.shape}")
    return array


def window_values(plan: WindowPlan, input_values=None, kernel_values=None,
                  rng: np.random.Generator | int | None = 0) -> WindowValues:
    """Run the plan's real operator on (given or random small-integer) values.

    Args:
        plan: from :func:`convzoo.viz.frames.plan_window`.
        input_values: (H, W) array or None (random integers 0..3).
        kernel_values: (kh, kw) array or None (random integers 0..2); ignored for pooling.
        rng: Generator or seed for the random values.

    Returns:
        :class:`WindowValues`.

    Raises:
        ValueError: values of the wrong shape.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    x = _values("input_values", input_values, plan.input_size, rng, 0, 4)
    pool = plan.op.endswith("_pool")
    w = None if pool else _values("kernel_values", kernel_values, plan.kernel_size, rng, 0, 3)
    x4 = x[None, None]
    geometry = {"stride": plan.stride, "padding": plan.padding}
    partial = argmax = None
    if plan.op == "conv":
        y = F.conv2d(x4, w[None, None], dilation=plan.dilation, **geometry)
    elif plan.op == "conv_transpose":
        kw = {"output_padding": plan.output_padding, "dilation": plan.dilation, **geometry}
        y = F.conv_transpose2d(x4, w[None, None], **kw)
        n = plan.n_frames
        keep = np.tril(np.ones((n, n)))   # sample f keeps input cells 0..f (row-major)
        masked = (keep * x.reshape(1, -1)).reshape(n, 1, *plan.input_size)
        partial = F.conv_transpose2d(masked, w[None, None], **kw).data[:, 0]
    elif plan.op == "max_pool":
        y, idx = F.max_pool2d(x4, plan.kernel_size, dilation=plan.dilation,
                              ceil_mode=plan.ceil_mode, return_indices=True, **geometry)
        flat = np.asarray(getattr(idx, "data", idx))[0, 0]
        argmax = np.stack(np.divmod(flat, plan.input_size[1]), axis=-1)
    else:
        y = F.avg_pool2d(x4, plan.kernel_size, ceil_mode=plan.ceil_mode,
                         dilation=plan.dilation, **geometry)
    out = np.asarray(y.data)[0, 0]
    assert out.shape == plan.output_size, (out.shape, plan.output_size)
    return WindowValues(x, w, out, partial, argmax)


__all__ = ["WindowValues", "window_values"]
