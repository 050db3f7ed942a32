"""Batch normalisation and dropout: forward and vector-Jacobian product side by side.

Batch norm over ``(N, C, *S)`` normalises each channel over the batch and
spatial axes (all but axis 1), ``m = N·prod(S)`` cells per channel:

- training: ``μ``, ``σ²`` (biased) from the batch, ``x̂ = (x - μ)/sqrt(σ² + eps)``,
  ``y = γ·x̂ + β``; the running statistics are updated in place,
  ``r ← (1 - momentum)·r + momentum·s`` with the *unbiased* variance
  ``σ²·m/(m-1)``, as PyTorch does. The input gradient is the full batch-statistics
  VJP ``dx = (γ/(m·sqrt(σ²+eps)))·(m·dy - Σdy - x̂·Σ dy·x̂)``.
- evaluation: the running statistics are constants, so ``y`` is an affine map
  per channel and ``dx = dy·γ/sqrt(r_var + eps)``.
- in both, ``dγ = Σ dy·x̂`` and ``dβ = Σ dy`` over all but the channel axis.

Dropout keeps each cell with probability ``1 - p`` (a Boolean mask from the
caller's generator) and scales the kept ones by ``1/(1 - p)``; its VJP applies
the same mask and scale.
"""

from __future__ import annotations

import numpy as np


def _per_channel(v, ndim):
    """(C,) -> broadcastable along axis 1 of an ``ndim``-d array."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _reduce_axes(ndim):
    return (0,) + tuple(range(2, ndim))


def batch_norm_forward(x, running_mean, running_var, weight, bias, training: bool,
                       momentum: float, eps: float):
    """Batch norm forward; updates ``running_mean``/``running_var`` in place when training.

    Args:
        x: (N, C, *S). running_mean, running_var: (C,) arrays or None (training only).
        weight, bias: (C,) or None.
        training: use batch statistics (and update the running ones) or the running ones.
        momentum, eps: as PyTorch.

    Returns:
        ``(y, saved)`` where ``saved = (x̂, inv_std)`` feeds ``batch_norm_backward``.
    """
    axes = _reduce_axes(x.ndim)
    if training:
        mean = x.mean(axis=axes)
        centred = x - _per_channel(mean, x.ndim)
        var = np.mean(centred * centred, axis=axes)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += (momentum * mean).astype(running_mean.dtype, copy=False)
        if running_var is not None:
            m = x.size // x.shape[1]
            running_var *= 1 - momentum
            running_var += (momentum * var * (m / (m - 1))).astype(running_var.dtype, copy=False)
    else:
        mean = running_mean.astype(x.dtype, copy=False)
        var = running_var.astype(x.dtype, copy=False)
        centred = x - _per_channel(mean, x.ndim)
    inv_std = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
    xhat = centred * _per_channel(inv_std, x.ndim)
    y = xhat if weight is None else xhat * _per_channel(weight, x.ndim)
    if bias is not None:
        y = y + _per_channel(bias, x.ndim)
    return y, (xhat, inv_std)


def batch_norm_backward(grad, saved, weight, training: bool, has_bias: bool,
                        needs=(True, True, True)):
    """VJP of batch norm: ``(dx, dγ, dβ)``, None for what is absent or not needed."""
    xhat, inv_std = saved
    ndim = grad.ndim
    axes = _reduce_axes(ndim)
    gw = (grad * xhat).sum(axis=axes) if weight is not None and needs[1] else None
    gb = grad.sum(axis=axes) if has_bias and needs[2] else None
    gx = None
    if needs[0]:
        scale = inv_std if weight is None else inv_std * weight
        if training:
            m = grad.size // grad.shape[1]
            sum_g = grad.sum(axis=axes)
            sum_gx = gw if gw is not None else (grad * xhat).sum(axis=axes)
            gx = (grad - _per_channel(sum_g / m, ndim)
                  - xhat * _per_channel(sum_gx / m, ndim)) * _per_channel(scale, ndim)
        else:
            gx = grad * _per_channel(scale, ndim)
    return gx, gw, gb


def dropout_mask(rng: np.random.Generator, shape, p: float) -> np.ndarray:
    """Boolean keep-mask: each cell kept with probability ``1 - p``."""
    return rng.random(shape) >= p


def dropout_forward(x, keep, p: float):
    """Zero the dropped cells and scale the kept ones by ``1/(1 - p)``."""
    return x * (keep / np.asarray(1 - p, dtype=x.dtype)).astype(x.dtype, copy=False)


def dropout_backward(grad, keep, p: float):
    """VJP of dropout: the same mask and scale."""
    return dropout_forward(grad, keep, p)
