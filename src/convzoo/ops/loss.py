"""Classification losses: softmax cross-entropy and negative log-likelihood, with their VJPs.

Cross-entropy is fused with the log-softmax: for logits ``z`` (N, K) and class
indices ``t`` (N,), ``log p = log_softmax(z)`` (max-shifted, stable) and, with
label smoothing ``ε`` as PyTorch defines it, the per-sample target distribution
is ``q = (1 - ε)·onehot(t) + ε/K``, the loss ``ℓᵢ = -Σ_k q_ik log p_ik``. The
gradient with respect to the logits is ``softmax(z) - q``, times the incoming
gradient of each ``ℓᵢ`` (``1/N`` per sample for ``reduction='mean'``).

NLL loss picks ``-log p[i, tᵢ]``; its gradient scatters ``-dℓᵢ`` into column
``tᵢ`` of row ``i``.
"""

from __future__ import annotations

import numpy as np

from .activation import log_softmax_forward


def reduce_loss(per_sample: np.ndarray, reduction: str) -> np.ndarray:
    """Apply ``'mean'``, ``'sum'`` or ``'none'`` to per-sample losses."""
    if reduction == "mean":
        return np.asarray(per_sample.mean(), dtype=per_sample.dtype)
    if reduction == "sum":
        return np.asarray(per_sample.sum(), dtype=per_sample.dtype)
    return per_sample


def per_sample_grad(grad: np.ndarray, n: int, reduction: str, dtype) -> np.ndarray:
    """The gradient reaching each per-sample loss, shape (N, 1)."""
    if reduction == "none":
        return grad.reshape(n, 1)
    scale = 1 / n if reduction == "mean" else 1
    return np.full((n, 1), grad * scale, dtype=dtype)


def cross_entropy_forward(logits, target, reduction: str, label_smoothing: float):
    """Softmax cross-entropy of logits (N, K) against class indices (N,).

    Returns:
        ``(loss, log_probs)``; ``log_probs`` (N, K) feeds the backward.
    """
    n, k = logits.shape
    log_probs = log_softmax_forward(logits, axis=1)
    picked = log_probs[np.arange(n), target]
    per_sample = -(1 - label_smoothing) * picked
    if label_smoothing:
        per_sample = per_sample - (label_smoothing / k) * log_probs.sum(axis=1)
    return reduce_loss(per_sample.astype(logits.dtype, copy=False), reduction), log_probs


def cross_entropy_backward(grad, log_probs, target, reduction: str, label_smoothing: float):
    """VJP of cross-entropy w.r.t. the logits: ``(softmax - q)·dℓ``."""
    n, k = log_probs.shape
    g = np.exp(log_probs)
    if label_smoothing:
        g -= label_smoothing / k
    g[np.arange(n), target] -= 1 - label_smoothing
    return g * per_sample_grad(grad, n, reduction, log_probs.dtype)


def nll_loss_forward(log_probs, target, reduction: str):
    """Negative log-likelihood ``-log_probs[i, target[i]]`` with the given reduction."""
    picked = log_probs[np.arange(log_probs.shape[0]), target]
    return reduce_loss(-picked, reduction)


def nll_loss_backward(grad, shape, dtype, target, reduction: str):
    """VJP of nll_loss: ``-dℓᵢ`` scattered to column ``target[i]``."""
    n = shape[0]
    g = np.zeros(shape, dtype=dtype)
    g[np.arange(n), target] = -per_sample_grad(grad, n, reduction, dtype)[:, 0]
    return g
