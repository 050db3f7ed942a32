"""Differentiable batch normalisation and dropout over ``convzoo.ops.norm``.

Running statistics are plain arrays (or Tensors, whose ``.data`` is used) that
``batch_norm`` updates in place during training, with or without ``no_grad``,
as PyTorch does. Dropout draws its mask from an explicit ``np.random.Generator``.
"""

from __future__ import annotations

import numpy as np

from .. import _args
from ..autograd import Function, Tensor, as_tensor
from ..ops import norm as ops

__all__ = ["batch_norm", "dropout"]


class BatchNorm(Function):
    """Batch normalisation over all axes but the channel axis 1."""

    @staticmethod
    def forward(ctx, x, weight, bias, *, running_mean, running_var, training, momentum, eps):
        y, saved = ops.batch_norm_forward(x, running_mean, running_var, weight, bias, training,
                                          momentum, eps)
        ctx.save_for_backward(*saved)
        ctx.meta = (weight, training, bias is not None)
        return y

    @staticmethod
    def backward(ctx, grad):
        weight, training, has_bias = ctx.meta
        return ops.batch_norm_backward(grad, ctx.saved, weight, training, has_bias,
                                       needs=ctx.needs_input_grad)

    @staticmethod
    def infer(x, weight, bias, *, running_mean, running_var, training, momentum, eps):
        return x   # shape only: running statistics are not updated


class Dropout(Function):
    """Inverted dropout with a given keep-mask."""

    @staticmethod
    def forward(ctx, x, *, keep, p):
        ctx.meta = (keep, p)
        return ops.dropout_forward(x, keep, p)

    @staticmethod
    def backward(ctx, grad):
        return ops.dropout_backward(grad, *ctx.meta)

    @staticmethod
    def infer(x, *, keep, p):
        return x


def _running(stat, name: str, channels: int):
    """The array behind a running statistic (updated in place), or None."""
    if stat is None:
        return None
    array = stat.data if isinstance(stat, Tensor) else stat
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array or Tensor (it is updated in place); "
                        f"got {name} of type {type(stat).__name__}")
    _args.check_float(array.dtype, name)
    _args.check_shape(array.shape, (channels,), name, "(channels,) = input.shape[1:2]")
    return array


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5) -> Tensor:
    """Batch normalisation, PyTorch semantics, for (N, C), (N, C, L), (N, C, H, W), (N, C, D, H, W).

    Training normalises with the batch mean and biased variance over every axis
    but C and updates ``running_mean``/``running_var`` in place with the batch
    mean and the *unbiased* variance: ``r = (1 - momentum)·r + momentum·batch``.
    Evaluation normalises with the running statistics. ``y = weight·x̂ + bias``.
    (PyTorch's ``momentum=None`` cumulative average is the caller's
    ``momentum = 1/num_batches_tracked``.)

    Args:
        input: (N, C, *) float Tensor or array.
        running_mean, running_var: (C,) float arrays (or Tensors), or None in training
            to skip tracking.
        weight, bias: (C,) affine parameters or None; same dtype as input.
        training: batch statistics (True) or running statistics (False).
        momentum: in [0, 1].
        eps: > 0, added to the variance.

    Returns:
        Tensor of the input's shape; gradients for input, weight and bias.

    Raises:
        ValueError: wrong ndim, a (C,) shape mismatch, a single value per channel in
            training, running statistics missing in evaluation, bad momentum/eps.
        TypeError: non-float or mixed dtypes, running statistics not arrays.

    >>> import numpy as np
    >>> rm, rv = np.zeros(3), np.ones(3)
    >>> y = batch_norm(np.arange(24.0).reshape(2, 3, 2, 2), rm, rv, training=True)
    >>> y.shape, rm.round(2).tolist()
    ((2, 3, 2, 2), [0.75, 1.15, 1.55])
    """
    x = as_tensor(input)
    _args.check_ndim(x.shape, (2, 3, 4, 5), "input")
    _args.check_float(x.dtype, "input")
    channels = x.shape[1]
    rm = _running(running_mean, "running_mean", channels)
    rv = _running(running_var, "running_var", channels)
    w = None if weight is None else as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    for name, p in (("weight", w), ("bias", b)):
        if p is not None:
            _args.check_same_dtype(x.dtype, p.dtype, "input", name)
            _args.check_shape(p.shape, (channels,), name, "(channels,) = input.shape[1:2]")
    momentum = _args.check_fraction(momentum, "momentum", include_one=True)
    eps = _args.check_positive_number(eps, "eps")
    training = bool(training)
    if training and x.size // max(channels, 1) <= 1:
        raise ValueError(f"batch_norm in training needs more than 1 value per channel; got input "
                         f"with shape {x.shape}")
    if not training and (rm is None or rv is None):
        raise ValueError("running_mean and running_var are required when training=False; "
                         f"got running_mean={type(running_mean).__name__}, "
                         f"running_var={type(running_var).__name__}")
    return BatchNorm.apply(x, w, b, running_mean=rm, running_var=rv, training=training,
                           momentum=momentum, eps=eps)


def dropout(input, p: float = 0.5, training: bool = True, rng=None) -> Tensor:
    """Inverted dropout: zero each cell with probability ``p``, scale the rest by ``1/(1-p)``.

    Args:
        input: float Tensor or array, any shape.
        p: drop probability in [0, 1).
        training: identity when False.
        rng: the ``np.random.Generator`` the mask is drawn from; None draws fresh
            OS entropy (never the global NumPy seed).

    Returns:
        Tensor of the input's shape (the input itself when not training or p == 0).

    Raises:
        ValueError: p outside [0, 1). TypeError: rng not a Generator, non-float input.

    >>> import numpy as np
    >>> y = dropout(np.ones((2, 4)), 0.5, rng=np.random.default_rng(0))
    >>> sorted(set(y.numpy().ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    """
    x = as_tensor(input)
    _args.check_float(x.dtype, "input")
    p = _args.check_fraction(p, "p")
    rng = _args.check_generator(rng)
    if not training or p == 0:
        return x
    keep = ops.dropout_mask(rng, x.shape, p)
    return Dropout.apply(x, keep=keep, p=p)
