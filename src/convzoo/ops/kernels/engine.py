"""One entry point per conv primitive; each runs the path ``plan.select_conv_algorithm`` names.

The four primitives (forward, input gradient, weight gradient, both gradients) are
all a conv needs, and all a transposed conv needs too: its forward is the input
gradient, its input gradient the forward and its weight gradient the weight
gradient with input and output exchanged. Inputs are unpadded; ``geom`` carries
the padding implicitly. A 1-d conv runs as 2-d with height 1.
"""

from __future__ import annotations

import numpy as np

from ..window import crop_spatial, pad_spatial
from . import depthwise, direct, gemm, plan, winograd


def _pads(geom):
    """Explicit (before, after) pairs covering every cell the windows reach."""
    return tuple((lo, max(0, (o - 1) * s + d * (k - 1) + 1 - i - lo))
                 for i, k, s, d, lo, o in zip(geom.in_size, geom.kernel, geom.stride,
                                              geom.dilation, geom.pad_before, geom.out_size))


def _tap():
    from .. import conv  # the per-tap reference path lives beside the public conv ops
    return conv


def _lift(a: np.ndarray, geom) -> np.ndarray:
    """A 1-d conv's operand with a size-1 height inserted (1-d runs as 2-d)."""
    return a.reshape(a.shape[:2] + (1,) + a.shape[2:]) if geom.nd == 1 else a


def _lower(a: np.ndarray, geom) -> np.ndarray:
    return a.reshape(a.shape[:2] + a.shape[3:]) if geom.nd == 1 and a is not None else a


def algorithm(geom, in_channels: int, groups: int, out_channels: int | None = None) -> str:
    """``plan.select_conv_algorithm`` (re-exported for the dispatchers below)."""
    return plan.select_conv_algorithm(geom, in_channels, groups, out_channels)


def _forward(x, w, geom, groups):
    x = np.ascontiguousarray(x)
    path = algorithm(geom, x.shape[1], groups, w.shape[0])
    if path == "depthwise":
        return depthwise.forward(x, w, geom)
    if path == "direct":
        return direct.forward(x, w, geom)
    if path == "winograd":
        return winograd.forward(x, w, geom)
    if path == "tap":
        pads = _pads(geom)
        return _tap().correlate(pad_spatial(x, pads), w, geom.stride, geom.dilation, groups,
                                geom.out_size)
    return gemm.forward(x, w, geom, groups)


def _input_grad(dy, w, geom, groups, x_shape):
    dy = np.ascontiguousarray(dy)
    path = algorithm(geom, x_shape[1], groups, w.shape[0])
    if path == "depthwise":
        return depthwise.input_grad(dy, w, geom, x_shape)
    if path == "direct":
        return direct.input_grad(dy, w, geom, x_shape)
    if path == "winograd":
        return winograd.input_grad(dy, w, geom, x_shape)
    if path == "tap":
        pads = _pads(geom)
        padded = tuple(i + lo + hi for i, (lo, hi) in zip(geom.in_size, pads))
        gx = _tap().correlate_input_grad(dy, w, padded, geom.stride, geom.dilation, groups)
        return np.ascontiguousarray(crop_spatial(gx, pads))
    return gemm.input_grad(dy, w, geom, groups, x_shape)


def _weight_grad(x, dy, geom, groups, kernel_shape):
    x = np.ascontiguousarray(x)
    dy = np.ascontiguousarray(dy)
    path = algorithm(geom, x.shape[1], groups, kernel_shape[0])
    if path == "depthwise":
        return depthwise.weight_grad(x, dy, geom, kernel_shape)
    if path == "direct":
        return direct.weight_grad(x, dy, geom, kernel_shape)
    if path == "winograd":   # the weight gradient has no cheaper transform here: im2col GEMM
        return gemm.weight_grad(x, dy, geom, groups, kernel_shape)
    if path == "tap":
        return _tap().correlate_weight_grad(pad_spatial(x, _pads(geom)), dy, geom.kernel,
                                            geom.stride, geom.dilation, groups)
    return gemm.weight_grad(x, dy, geom, groups, kernel_shape)


def _backward(dy, x, w, geom, groups, need_input, need_weight):
    path = algorithm(geom, x.shape[1], groups, w.shape[0])
    if path == "im2col" or path == "pointwise":
        return gemm.backward(dy, x.shape, np.ascontiguousarray(x), w, geom, groups, need_input,
                             need_weight)
    if path == "depthwise" and need_input and need_weight:
        return depthwise.backward(np.ascontiguousarray(x), np.ascontiguousarray(dy), w, geom)
    dx = _input_grad(dy, w, geom, groups, x.shape) if need_input else None
    dw = _weight_grad(x, dy, geom, groups, w.shape) if need_weight else None
    return dx, dw


def forward(x: np.ndarray, w: np.ndarray, geom, groups: int) -> np.ndarray:
    """Cross-correlation without bias: (N, C, *S) -> (N, O, *geom.out_size)."""
    return _lower(_forward(_lift(x, geom), _lift(w, geom), geom.as_2d(), groups), geom)


def input_grad(dy: np.ndarray, w: np.ndarray, geom, groups: int, x_shape) -> np.ndarray:
    """Gradient w.r.t. the input (= transposed conv of ``dy``): (N, C, *geom.in_size)."""
    shape = tuple(x_shape)
    if geom.nd == 1:
        shape = shape[:2] + (1,) + shape[2:]
    return _lower(_input_grad(_lift(dy, geom), _lift(w, geom), geom.as_2d(), groups, shape),
                  geom)


def weight_grad(x: np.ndarray, dy: np.ndarray, geom, groups: int, kernel_shape) -> np.ndarray:
    """Gradient w.r.t. the weight: ``kernel_shape`` = (O, C/G, *K)."""
    shape = tuple(kernel_shape)
    if geom.nd == 1:
        shape = shape[:2] + (1,) + shape[2:]
    return _lower(_weight_grad(_lift(x, geom), _lift(dy, geom), geom.as_2d(), groups, shape),
                  geom)


def backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, geom, groups: int,
             need_input: bool = True, need_weight: bool = True):
    """``(input_grad, weight_grad)`` of ``forward``, None where not needed."""
    dx, dw = _backward(_lift(dy, geom), _lift(x, geom), _lift(w, geom), geom.as_2d(), groups,
                       need_input, need_weight)
    return _lower(dx, geom), _lower(dw, geom)


def forward_and_weight_grad(x: np.ndarray, w: np.ndarray, dy: np.ndarray, geom, groups: int):
    """``(forward(x, w), weight_grad(x, dy))`` — one column sweep on the GEMM paths."""
    x2, w2, dy2, g2 = _lift(x, geom), _lift(w, geom), _lift(dy, geom), geom.as_2d()
    if algorithm(g2, x.shape[1], groups, w.shape[0]) in ("im2col", "pointwise"):
        y, dw = gemm.forward_and_weight_grad(np.ascontiguousarray(x2), w2,
                                             np.ascontiguousarray(dy2), g2, groups)
        return _lower(y, geom), _lower(dw, geom)
    return forward(x, w, geom, groups), weight_grad(x, dy, geom, groups, w.shape)
