"""Channel plans: which input channels feed which output channels (grouped, depthwise, separable).

The wiring is measured, not re-derived: each stage's real operator
(``F.conv2d(groups=g)``, ``F.depthwise_conv2d``, ``F.pointwise_conv2d``) is run on a
batch of one-hot inputs — sample ``c`` is all ones in channel ``c`` and zero elsewhere —
with an all-ones weight. Output channel ``o`` of sample ``c`` is non-zero exactly when
input channel ``c`` feeds ``o`` (all terms are positive, so nothing cancels). Parameter
counts come from :mod:`convzoo.counts`.

An animation of a channel plan has one frame per output channel of each stage (the
depthwise-separable conv: the depthwise stage's channels, then the pointwise stage's).

>>> plan = plan_channels("grouped", in_channels=4, out_channels=4, groups=2)
>>> plan.stages[0].connections.astype(int).tolist()
[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
>>> plan.n_frames
4
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _args, counts
from .. import functional as F

CHANNEL_OPS = ("grouped", "depthwise", "separable")


@dataclass(frozen=True, eq=False)
class ChannelStage:
    """One stage of a channel-structured conv.

    Attributes:
        name: "grouped conv", "depthwise", "pointwise" ...
        in_channels, out_channels: channel counts of the stage.
        kernel_size: (kh, kw) of the stage.
        groups: how many independent groups the stage has.
        params: weights of the stage (no bias), from :mod:`convzoo.counts`.
        dense_params: weights of a standard conv with the same channels and kernel.
        connections: (out_channels, in_channels) bool, measured on the real operator.
    """

    name: str
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, int]
    groups: int
    params: int
    dense_params: int
    connections: np.ndarray

    def inputs_of(self, out_channel: int) -> tuple[int, ...]:
        """Input channels that feed ``out_channel``."""
        return tuple(int(c) for c in np.flatnonzero(self.connections[out_channel]))


@dataclass(frozen=True, eq=False)
class ChannelPlan:
    """Frames of a channel-structure animation: one per output channel of every stage."""

    op: str
    stages: tuple[ChannelStage, ...]

    @property
    def n_frames(self) -> int:
        """Sum of the stages' output channels."""
        return sum(s.out_channels for s in self.stages)

    def frame(self, index: int) -> tuple[int, int]:
        """(stage index, output channel) shown in frame ``index``."""
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame index must be in [0, {self.n_frames}); got index={index}")
        for k, stage in enumerate(self.stages):
            if index < stage.out_channels:
                return k, index
            index -= stage.out_channels
        raise AssertionError("unreachable")

    @property
    def params(self) -> int:
        """Weights of all stages together."""
        return sum(s.params for s in self.stages)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {"op": self.op, "frames": self.n_frames, "params": self.params,
                "stages": [{"name": s.name, "in_channels": s.in_channels,
                            "out_channels": s.out_channels, "groups": s.groups,
                            "params": s.params, "dense_params": s.dense_params,
                            "connections": s.connections.astype(int).tolist()}
                           for s in self.stages]}


def measure_connections(op, in_channels: int, kernel_size: tuple[int, int]) -> np.ndarray:
    """(C_out, C_in) bool wiring of the linear channel op ``op(x) -> y`` on (N, C, H, W).

    ``op`` is called once on ``in_channels`` one-hot samples of size ``kernel_size``
    (so each output channel is one pixel).
    """
    probe = np.zeros((in_channels, in_channels, *kernel_size))
    probe[np.arange(in_channels), np.arange(in_channels)] = 1.0
    out = np.asarray(op(probe).data)
    return (np.abs(out).reshape(in_channels, out.shape[1], -1).sum(axis=2) > 0).T


def _stage(name, c_in, c_out, kernel, groups, op, layer: counts.LayerCount) -> ChannelStage:
    dense = counts.conv((c_in, *kernel), c_out, kernel, bias=False).params
    return ChannelStage(name, c_in, c_out, kernel, groups, layer.params, dense,
                        measure_connections(op, c_in, kernel))


def plan_channels(op: str, in_channels: int = 4, out_channels: int | None = None,
                  kernel_size=3, groups: int | None = None,
                  depth_multiplier: int = 1) -> ChannelPlan:
    """Plan a channel-structure animation.

    Args:
        op: ``'grouped'`` (``F.conv2d`` with ``groups``), ``'depthwise'``
            (``F.depthwise_conv2d``, C → C·M) or ``'separable'`` (depthwise then pointwise).
        in_channels: C_in.
        out_channels: C_out (grouped and separable; default C_in; depthwise: C·M).
        kernel_size: k or (kh, kw).
        groups: grouped only; default 2 if it divides both channel counts, else 1.
        depth_multiplier: M (depthwise and separable).

    Returns:
        :class:`ChannelPlan`.

    Raises:
        ValueError: unknown op, groups not dividing the channels, an option that does
            not apply to ``op``.
        TypeError: non-int arguments.

    >>> plan_channels("separable", 3, 4).params   # depthwise 27 + pointwise 12
    39
    """
    if op not in CHANNEL_OPS:
        raise ValueError(f"op must be one of {CHANNEL_OPS}; got op={op!r}")
    c_in = _args.positive_int(in_channels, "in_channels")
    kernel = _args.positive_tuple(kernel_size, 2, "kernel_size")
    m = _args.positive_int(depth_multiplier, "depth_multiplier")
    if op == "depthwise" and out_channels is not None and out_channels != c_in * m:
        raise ValueError(f"a depthwise conv has in_channels*depth_multiplier = {c_in * m} output "
                         f"channels; got out_channels={out_channels!r}")
    if op != "grouped" and groups is not None:
        raise ValueError(f"groups applies to op='grouped' only; got groups={groups!r} with "
                         f"op={op!r}")
    if op == "grouped" and m != 1:
        raise ValueError(f"depth_multiplier applies to op='depthwise' and 'separable'; got "
                         f"depth_multiplier={m} with op='grouped'")
    if op == "depthwise":
        c_out = c_in * m
    else:
        c_out = _args.positive_int(c_in if out_channels is None else out_channels, "out_channels")
    shape = (c_in, *kernel)
    if op == "grouped":
        g = (2 if c_in % 2 == 0 and c_out % 2 == 0 else 1) if groups is None \
            else _args.positive_int(groups, "groups")
        layer = counts.grouped_conv(shape, c_out, kernel, g, bias=False)   # checks divisibility
        weight = np.ones((c_out, c_in // g, *kernel))
        stage = _stage(f"grouped conv (groups={g})", c_in, c_out, kernel, g,
                       lambda x: F.conv2d(x, weight, groups=g), layer)
        return ChannelPlan(op, (stage,))
    dw_layer = counts.depthwise_conv(shape, kernel, m, bias=False)
    dw_weight = np.ones((c_in * m, 1, *kernel))
    dw = _stage(f"depthwise (multiplier={m})", c_in, c_in * m, kernel, c_in,
                lambda x: F.depthwise_conv2d(x, dw_weight), dw_layer)
    if op == "depthwise":
        return ChannelPlan(op, (dw,))
    pw_layer = counts.pointwise_conv((c_in * m, 1, 1), c_out, bias=False)
    pw_weight = np.ones((c_out, c_in * m, 1, 1))
    pw = _stage("pointwise 1x1", c_in * m, c_out, (1, 1), 1,
                lambda x: F.pointwise_conv2d(x, pw_weight), pw_layer)
    return ChannelPlan(op, (dw, pw))


__all__ = ["CHANNEL_OPS", "ChannelPlan", "ChannelStage", "measure_connections", "plan_channels"]
