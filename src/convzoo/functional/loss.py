"""Differentiable classification losses over ``convzoo.ops.loss``: cross-entropy and NLL."""

from __future__ import annotations

import numpy as np

from .. import _args
from ..autograd import Function, Tensor, as_tensor, meta_array
from ..ops import loss as ops

__all__ = ["cross_entropy", "nll_loss"]

REDUCTIONS = ("mean", "sum", "none")


class CrossEntropy(Function):
    """Softmax cross-entropy fused with its log-softmax."""

    @staticmethod
    def forward(ctx, logits, *, target, reduction, label_smoothing):
        loss, log_probs = ops.cross_entropy_forward(logits, target, reduction, label_smoothing)
        ctx.save_for_backward(log_probs)
        ctx.meta = (target, reduction, label_smoothing)
        return loss

    @staticmethod
    def backward(ctx, grad):
        return ops.cross_entropy_backward(grad, ctx.saved[0], *ctx.meta)

    @staticmethod
    def infer(logits, *, target, reduction, label_smoothing):
        return meta_array(logits.shape[:1] if reduction == "none" else (), logits.dtype)


class NLLLoss(Function):
    """Negative log-likelihood of given log-probabilities."""

    @staticmethod
    def forward(ctx, log_probs, *, target, reduction):
        ctx.meta = (log_probs.shape, log_probs.dtype, target, reduction)
        return ops.nll_loss_forward(log_probs, target, reduction)

    @staticmethod
    def backward(ctx, grad):
        return ops.nll_loss_backward(grad, *ctx.meta)

    @staticmethod
    def infer(log_probs, *, target, reduction):
        return meta_array(log_probs.shape[:1] if reduction == "none" else (), log_probs.dtype)


def _check(input, target, reduction, name: str):
    x = as_tensor(input)
    _args.check_ndim(x.shape, 2, name)
    _args.check_float(x.dtype, name)
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    _args.check_integer(t.dtype, "target")
    _args.check_shape(t.shape, (x.shape[0],), "target", f"(N,) with N = {name}.shape[0]")
    _args.check_class_indices(t, x.shape[1])
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}; got reduction={reduction!r}")
    return x, t.astype(np.intp, copy=False)


def cross_entropy(input, target, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy between logits and class indices, as PyTorch's.

    With label smoothing ``ε`` the target of sample ``i`` is
    ``(1 - ε)·onehot(target[i]) + ε/K``.

    Args:
        input: (N, K) float logits (unnormalised).
        target: (N,) integer class indices in [0, K).
        reduction: 'mean' (over N), 'sum' or 'none' (per-sample losses (N,)).
        label_smoothing: ε in [0, 1].

    Returns:
        Tensor: a scalar, or (N,) for reduction='none'; gradient for ``input``.

    Raises:
        ValueError: wrong ndim, target shape or values out of range, bad reduction or ε.
        TypeError: non-float logits or non-integer target.

    >>> import numpy as np
    >>> round(cross_entropy(np.zeros((2, 4)), np.array([1, 3])).item(), 4)
    1.3863
    """
    x, t = _check(input, target, reduction, "input")
    eps = _args.check_fraction(label_smoothing, "label_smoothing", include_one=True)
    return CrossEntropy.apply(x, target=t, reduction=reduction, label_smoothing=eps)


def nll_loss(input, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-input[i, target[i]]`` of log-probabilities (N, K).

    Args:
        input: (N, K) float log-probabilities (e.g. from ``log_softmax``).
        target: (N,) integer class indices in [0, K).
        reduction: 'mean', 'sum' or 'none'.

    Returns:
        Tensor: a scalar, or (N,) for reduction='none'.

    Raises:
        ValueError / TypeError: as ``cross_entropy``.

    >>> import numpy as np
    >>> round(nll_loss(np.log(np.full((2, 2), 0.5)), np.array([0, 1])).item(), 4)
    0.6931
    """
    x, t = _check(input, target, reduction, "input")
    return NLLLoss.apply(x, target=t, reduction=reduction)
