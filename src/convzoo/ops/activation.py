"""Activations and softmax: forward and vector-Jacobian product side by side.

Algorithms (all elementwise except the softmax pair, which reduce along one axis):

- relu / leaky_relu / prelu: a mask ``x > 0`` selects ``dy`` or ``slope·dy``
  (PyTorch's convention: the kink at 0 takes the negative-side slope; PReLU's
  weight gradient sums ``dy·x`` over the cells where ``x <= 0``, all but the
  channel axis).
- relu6 (= hardtanh(0, 6)): gradient passes where ``0 < x < 6``.
- hardsigmoid ``relu6(x+3)/6`` and hardswish ``x·relu6(x+3)/6`` (MobileNetV3),
  with PyTorch's piecewise derivatives (hardswish: ``x/3 + 1/2`` on ``(-3, 3)``).
- sigmoid: evaluated from ``e = exp(-|x|)`` (never overflows) as ``1/(1+e)`` or
  ``e/(1+e)``; ``dσ = σ(1-σ)``. tanh: ``1 - tanh²``.
- softmax: shift by the max along the axis before ``exp`` (stable); VJP
  ``y·(dy - Σ dy·y)``. log_softmax: ``x - max - log Σ exp(x - max)``; VJP
  ``dy - softmax·Σ dy``.
"""

from __future__ import annotations

import numpy as np


def relu_forward(x):
    """``max(x, 0)``."""
    return np.maximum(x, 0)


def relu_backward(grad, out):
    """VJP of relu: ``dy`` where ``x > 0``, i.e. where the output ``out > 0`` (either works)."""
    return grad * (out > 0)


def leaky_relu_forward(x, negative_slope):
    """``x`` where positive, ``negative_slope·x`` elsewhere."""
    return np.where(x > 0, x, x * np.asarray(negative_slope, dtype=x.dtype))


def leaky_relu_backward(grad, x, negative_slope):
    """VJP of leaky_relu."""
    return np.where(x > 0, grad, grad * np.asarray(negative_slope, dtype=grad.dtype))


def _channel_view(weight, ndim):
    """Weight (C,) shaped to broadcast along axis 1 of an ``ndim``-d input."""
    if ndim < 2:
        return weight
    return weight.reshape((1, -1) + (1,) * (ndim - 2))


def prelu_forward(x, weight):
    """PReLU: ``x`` where positive, ``weight[c]·x`` elsewhere (channel axis 1)."""
    return np.where(x > 0, x, x * _channel_view(weight, x.ndim))


def prelu_backward(grad, x, weight, needs=(True, True)):
    """VJP of prelu: ``(dy·slope, Σ dy·x over x <= 0)``."""
    positive = x > 0
    gx = np.where(positive, grad, grad * _channel_view(weight, x.ndim)) if needs[0] else None
    gw = None
    if needs[1]:
        contrib = np.where(positive, 0, grad * x)
        if weight.size == 1:
            gw = np.asarray(contrib.sum()).reshape(weight.shape)
        else:
            axes = (0,) + tuple(range(2, x.ndim))
            gw = contrib.sum(axis=axes)
        gw = gw.astype(weight.dtype, copy=False)
    return gx, gw


def relu6_forward(x):
    """``min(max(x, 0), 6)``."""
    return np.clip(x, 0, 6)


def relu6_backward(grad, out):
    """VJP of relu6: ``dy`` where ``0 < x < 6``, i.e. where ``0 < out < 6`` (either works)."""
    return grad * ((out > 0) & (out < 6))


def hardsigmoid_forward(x):
    """``relu6(x + 3) / 6``."""
    return np.clip(x + 3, 0, 6) / 6


def hardsigmoid_backward(grad, x):
    """VJP of hardsigmoid: ``dy/6`` where ``-3 < x < 3``."""
    return grad * ((x > -3) & (x < 3)) / 6


def hardswish_forward(x):
    """``x·relu6(x + 3)/6``."""
    return x * np.clip(x + 3, 0, 6) / 6


def hardswish_backward(grad, x):
    """VJP of hardswish: 0 up to -3, ``x/3 + 1/2`` on (-3, 3), 1 from 3 on (PyTorch's kinks)."""
    slope = np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1))
    return grad * slope.astype(grad.dtype, copy=False)


def sigmoid_forward(x):
    """Logistic ``1/(1 + exp(-x))`` without overflow."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(grad, out):
    """VJP of sigmoid from its output: ``dy·σ(1-σ)``."""
    return grad * out * (1 - out)


def tanh_backward(grad, out):
    """VJP of tanh from its output: ``dy·(1 - tanh²)``."""
    return grad * (1 - out * out)


def softmax_forward(x, axis):
    """Softmax along ``axis``, shifted by the max for stability."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(grad, out, axis):
    """VJP of softmax: ``y·(dy - Σ dy·y)``."""
    return out * (grad - (grad * out).sum(axis=axis, keepdims=True))


def log_softmax_forward(x, axis):
    """``x - logsumexp(x)`` along ``axis``, stable for large logits."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(grad, out, axis):
    """VJP of log_softmax from its output: ``dy - exp(out)·Σ dy``."""
    return grad - np.exp(out) * grad.sum(axis=axis, keepdims=True)
