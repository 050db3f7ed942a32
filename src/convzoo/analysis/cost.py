"""MACs and FLOPs of each traced op, from its shapes, by :mod:`convzoo.counts`.

Conventions (switchable through :class:`Conventions`):

* **MACs** are the multiply-accumulates of the weight layers only: conv (grouped and
  depthwise counted per group: ``C_in/g`` inputs per output), transposed conv counted on
  the INPUT grid (``C_in·C_out/g·prod(K)·prod(S_in)``, what the scatter does),
  deformable conv (its GEMM; the bilinear sampling is not counted), linear and matmul.
  This is the figure torchvision's model docs call "GFLOPS" and timm calls "GMACs".
* **FLOPs** = 2·MACs, plus, each switchable:
  ``count_pool`` (on): pooling windows as :mod:`convzoo.counts` counts them (max
  ``prod(K)−1`` comparisons, average ``prod(K)``, Lp ``2·prod(K)`` per output; global
  pooling one per input cell; adaptive average pooling its window size per output);
  ``count_norm`` (on): batch norm, 2 per element (the inference form ``a·x + b``); local
  response norm ``2·size + 3`` per element;
  ``count_bias`` (off): one add per output element of a biased conv/linear (off because
  a dot product of n terms has n−1 adds, so 2·MACs already has room for the bias);
  ``count_elementwise`` (off): one per output element of activations, residual adds,
  products (SE gates) and reductions.
  Shape ops (reshape, transpose, slicing, concat, channel shuffle) cost nothing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .. import counts
from ..functional import activation, basic, conv, deform, extra, loss, norm, pool
from .rf import adaptive_windows
from .trace import OpRecord, Trace


@dataclass(frozen=True)
class Conventions:
    """What FLOPs include beyond 2·MACs (see the module docstring)."""

    count_bias: bool = False
    count_norm: bool = True
    count_pool: bool = True
    count_elementwise: bool = False

    def to_dict(self) -> dict:
        """The switches as a plain dict."""
        return asdict(self)


def _shape(trace: Trace, i) -> tuple[int, ...]:
    return trace.tensors[i].shape


def _conv(op: OpRecord, trace: Trace, c: Conventions):
    x, w = _shape(trace, op.inputs[0]), _shape(trace, op.inputs[1])
    p = op.params
    lc = counts.conv(x[1:], w[0], w[2:], p["stride"], p["padding"], p["dilation"], p["groups"],
                     op.inputs[2] is not None, batch=x[0], bias_flops=c.count_bias)
    return lc.macs, lc.flops


def _conv_transpose(op, trace, c):
    x, w = _shape(trace, op.inputs[0]), _shape(trace, op.inputs[1])
    p = op.params
    lc = counts.conv_transpose(x[1:], w[1] * p["groups"], w[2:], p["stride"], p["padding"],
                               p["output_padding"], p["groups"], op.inputs[2] is not None,
                               p["dilation"], batch=x[0], bias_flops=c.count_bias)
    return lc.macs, lc.flops


def _deform(op, trace, c):
    x, w = _shape(trace, op.inputs[0]), _shape(trace, op.inputs[2])
    p = op.params
    lc = counts.conv(x[1:], w[0], w[2:], p["stride"], tuple((q, q) for q in p["padding"]),
                     p["dilation"], x[1] // w[1], op.inputs[3] is not None, batch=x[0],
                     bias_flops=c.count_bias)
    return lc.macs, lc.flops


def _linear(op, trace, c):
    x, w = _shape(trace, op.inputs[0]), _shape(trace, op.inputs[1])
    rows = math.prod(x[:-1])
    macs = rows * w[0] * w[1]
    bias = rows * w[0] if (op.inputs[2] is not None and c.count_bias) else 0
    return macs, 2 * macs + bias


def _matmul(op, trace, c):
    macs = math.prod(_shape(trace, op.output)) * _shape(trace, op.inputs[0])[-1]
    return macs, 2 * macs


def _batch_norm(op, trace, c):
    return 0, 2 * math.prod(_shape(trace, op.output)) if c.count_norm else 0


def _pool_counts(op, trace, c, fn):
    if not c.count_pool:
        return 0, 0
    x = _shape(trace, op.inputs[0])
    p = op.params
    if fn is counts.lp_pool:
        lc = fn(x[1:], p["norm_type"], p["kernel"], p["stride"], p["ceil_mode"],
                padding=p["padding"], dilation=p["dilation"], batch=x[0])
    elif fn is counts.avg_pool:
        lc = fn(x[1:], p["kernel"], p["stride"], p["padding"], p["ceil_mode"],
                dilation=p["dilation"], batch=x[0])
    else:
        lc = fn(x[1:], p["kernel"], p["stride"], p["padding"], p["dilation"], p["ceil_mode"],
                batch=x[0])
    return 0, lc.flops


def _global_pool(fn):
    def rule(op, trace, c):
        if not c.count_pool:
            return 0, 0
        x = _shape(trace, op.inputs[0])
        return 0, fn(x[1:], batch=x[0]).flops
    return rule


def _local_response_norm(op, trace, c):
    # per element: size squares and size - 1 adds, the alpha/size scale, + k, the power
    # and the divide
    per = 2 * op.params["size"] + 3
    return 0, per * math.prod(_shape(trace, op.output)) if c.count_norm else 0


def _adaptive_avg_pool(op, trace, c):
    if not c.count_pool:
        return 0, 0
    x = _shape(trace, op.inputs[0])
    oh, ow = op.params["output_size"]
    # as avg_pool: prod(window) FLOPs (adds + one divide) per output cell
    cells = sum(adaptive_windows(x[2], oh)) * sum(adaptive_windows(x[3], ow))
    return 0, x[0] * x[1] * cells


def _elementwise(op, trace, c):
    return 0, math.prod(_shape(trace, op.output)) if c.count_elementwise else 0


def _reduction(op, trace, c):
    return 0, math.prod(_shape(trace, op.inputs[0])) if c.count_elementwise else 0


def _free(op, trace, c):
    return 0, 0


RULES = {
    conv.ConvNd: _conv,
    conv.ConvTransposeNd: _conv_transpose,
    deform.DeformConv2dFn: _deform,
    basic.Linear: _linear,
    basic.MatMul: _matmul,
    norm.BatchNorm: _batch_norm,
    extra.LocalResponseNorm: _local_response_norm,
    extra.AdaptiveAvgPool2d: _adaptive_avg_pool,
    pool.MaxPoolNd: lambda op, t, c: _pool_counts(op, t, c, counts.max_pool),
    pool.AvgPoolNd: lambda op, t, c: _pool_counts(op, t, c, counts.avg_pool),
    pool.LpPoolNd: lambda op, t, c: _pool_counts(op, t, c, counts.lp_pool),
    pool.GlobalAvgPool: _global_pool(counts.global_avg_pool),
    pool.GlobalMaxPool: _global_pool(counts.global_max_pool),
    basic.Sum: _reduction,
    basic.Mean: _reduction,
}
for _cls in (basic.Add, basic.Sub, basic.Mul, basic.Div, basic.Pow, basic.Exp, basic.Log,
             basic.Sqrt, activation.PReLU, activation.ReLU, activation.LeakyReLU,
             activation.ReLU6, activation.Hardsigmoid, activation.Hardswish, activation.Sigmoid,
             activation.Tanh, activation.Softmax, activation.LogSoftmax):
    RULES[_cls] = _elementwise
for _cls in (basic.Reshape, basic.Transpose, basic.GetItem, basic.Concat, basic.Stack,
             basic.ChannelShuffle, norm.Dropout, loss.CrossEntropy, loss.NLLLoss):
    RULES[_cls] = _free


def op_cost(op: OpRecord, trace: Trace, conventions: Conventions) -> tuple[int, int] | None:
    """``(macs, flops)`` of one traced op, or None for a Function convzoo has no rule for."""
    rule = RULES.get(op.fn)
    return None if rule is None else rule(op, trace, conventions)


__all__ = ["Conventions", "RULES", "op_cost"]
