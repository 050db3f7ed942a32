"""Differentiable local response normalisation and adaptive average pooling.

Thin wrappers over ``convzoo.ops.extra`` (algorithms documented there): arguments are
checked once here, then a ``Function`` runs the NumPy kernel and its VJP.
"""

from __future__ import annotations

from .. import _args
from ..autograd import Function, Tensor, as_tensor, meta_array
from ..ops import extra as ops

__all__ = ["local_response_norm", "adaptive_avg_pool2d"]


class LocalResponseNorm(Function):
    """Local response normalisation across channels."""

    @staticmethod
    def forward(ctx, x, *, size, alpha, beta, k):
        y, ctx.saved_lrn = ops.local_response_norm_forward(x, size, alpha, beta, k)
        ctx.params = (size, alpha, beta)
        return y

    @staticmethod
    def backward(ctx, grad):
        return ops.local_response_norm_backward(grad, ctx.saved_lrn, *ctx.params)

    @staticmethod
    def infer(x, *, size, alpha, beta, k):
        return x


class AdaptiveAvgPool2d(Function):
    """Adaptive average pooling to a fixed output grid."""

    @staticmethod
    def forward(ctx, x, *, output_size):
        ctx.in_shape = x.shape
        return ops.adaptive_avg_pool2d_forward(x, output_size)

    @staticmethod
    def backward(ctx, grad):
        return ops.adaptive_avg_pool2d_backward(grad, ctx.in_shape)

    @staticmethod
    def infer(x, *, output_size):
        return meta_array(x.shape[:2] + tuple(output_size), x.dtype)


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (AlexNet §3.3), PyTorch's semantics.

    ``y_c = x_c / (k + alpha/size · Σ x_{c'}²)^beta`` over the ``size`` channels
    ``c - size//2 .. c + (size-1)//2`` (missing channels count as 0). PyTorch and Caffe
    divide ``alpha`` by ``size``; the AlexNet paper's formula does not, so its
    ``α = 1e-4, n = 5`` is ``alpha = 5e-4, size = 5`` here.

    Args:
        input: (N, C, L), (N, C, H, W) or (N, C, D, H, W) floating array or Tensor.
        size: n, the number of neighbouring channels summed (positive int).
        alpha: multiplicative factor (divided by ``size``).
        beta: exponent.
        k: additive constant.

    Returns:
        Tensor of the input's shape and dtype.

    Raises:
        ValueError: input not 3-, 4- or 5-d, or size below 1.
        TypeError: non-float input, size not an int, or alpha/beta/k not real numbers.

    >>> import numpy as np
    >>> float(local_response_norm(np.full((1, 1, 1, 1), 2.0), 1, alpha=1.0, beta=1.0, k=0.0)
    ...       .numpy().ravel()[0])
    0.5
    """
    x = as_tensor(input)
    _args.check_ndim(x.shape, (3, 4, 5), "input")
    _args.check_float(x.dtype, "input")
    size = _args.positive_int(size, "size")
    alpha = float(_args.check_real(alpha, "alpha"))
    beta = float(_args.check_real(beta, "beta"))
    k = float(_args.check_real(k, "k"))
    return LocalResponseNorm.apply(x, size=size, alpha=alpha, beta=beta, k=k)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average-pool (N, C, H, W) onto an ``output_size`` grid, PyTorch's windows.

    Cell ``i`` of a dim averages input cells ``floor(i·H/oh) .. ceil((i+1)·H/oh) - 1``;
    windows may overlap, and an output larger than the input repeats cells (how
    torchvision's VGG/AlexNet heads accept small images).

    Args:
        input: (N, C, H, W) floating array or Tensor.
        output_size: int, or (oh, ow) with ``None`` keeping that input size.

    Returns:
        Tensor (N, C, oh, ow).

    Raises:
        ValueError: input not 4-d, or output sizes below 1.
        TypeError: non-float input, or output_size not ints.

    >>> import numpy as np
    >>> adaptive_avg_pool2d(np.arange(3.0).reshape(1, 1, 1, 3), (1, 2)).numpy()
    array([[[[0.5, 1.5]]]])
    """
    x = as_tensor(input)
    _args.check_ndim(x.shape, 4, "input")
    _args.check_float(x.dtype, "input")
    if isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        output_size = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(output_size))
    size = _args.positive_tuple(output_size, 2, "output_size")
    return AdaptiveAvgPool2d.apply(x, output_size=size)
