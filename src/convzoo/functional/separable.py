"""Channel-structured convolutions as thin wrappers over ``conv2d``: depthwise, pointwise,
depthwise-separable.

Parameter counts for C_in=C, C_out=O, k×k: standard O·C·k², depthwise C·M·k²,
pointwise O·C, separable C·M·k² + O·C·M (e.g. 3→4 channels, 3×3: 108 vs 27 + 12 = 39).
"""

from __future__ import annotations

from ..autograd import Tensor, as_tensor
from .conv import check_operands, conv2d


def depthwise_conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1) -> Tensor:
    """Depthwise conv: each input channel convolved with its own M filters.

    Args:
        input: (N, C, H, W).
        weight: (C*M, 1, kh, kw); M is the depth multiplier, output channel c*M + m
            comes from input channel c.
        bias: (C*M,) or None. stride, padding, dilation: as ``conv2d``.

    Returns:
        Tensor (N, C*M, H_out, W_out).

    Raises:
        ValueError: weight.shape[1] != 1 or C*M not a multiple of C, and everything
            ``conv2d`` rejects (wrong ndim, kernel larger than the padded input, ...).
        TypeError: non-float or mismatched dtypes.

    >>> import numpy as np
    >>> depthwise_conv2d(np.ones((1, 3, 5, 5)), np.ones((6, 1, 3, 3))).shape
    (1, 6, 3, 3)
    """
    x, w = as_tensor(input), as_tensor(weight)
    if w.ndim != 4 or w.shape[1] != 1:
        raise ValueError(f"weight must have shape (C*M, 1, kh, kw); "
                         f"got weight with shape {w.shape}")
    check_operands(2, x, w, bias)   # ndim, float dtypes, no zero-size dims (C >= 1 below)
    if w.shape[0] % x.shape[1]:
        raise ValueError(f"weight.shape[0] must be a multiple of the input channels {x.shape[1]} "
                         f"(C*depth_multiplier); got weight with shape {w.shape}")
    return conv2d(x, w, bias, stride, padding, dilation, groups=x.shape[1])


def pointwise_conv2d(input, weight, bias=None) -> Tensor:
    """Pointwise (1×1) conv: a per-pixel linear map across channels.

    Args:
        input: (N, C, H, W). weight: (O, C, 1, 1). bias: (O,) or None.

    Returns:
        Tensor (N, O, H, W).

    Raises:
        ValueError: weight not (O, C, 1, 1), and everything ``conv2d`` rejects.
        TypeError: non-float or mismatched dtypes.

    >>> import numpy as np
    >>> pointwise_conv2d(np.ones((1, 3, 4, 4)), np.ones((8, 3, 1, 1))).shape
    (1, 8, 4, 4)
    """
    w = as_tensor(weight)
    if w.ndim != 4 or w.shape[2:] != (1, 1):
        raise ValueError(f"weight must have shape (O, C, 1, 1); got weight with shape {w.shape}")
    return conv2d(input, w, bias)


def separable_conv2d(input, depthwise_weight, pointwise_weight, bias=None, stride=1, padding=0,
                     dilation=1) -> Tensor:
    """Depthwise-separable conv: ``depthwise_conv2d`` then ``pointwise_conv2d`` (Xception).

    Args:
        input: (N, C, H, W).
        depthwise_weight: (C*M, 1, kh, kw).
        pointwise_weight: (O, C*M, 1, 1).
        bias: (O,) or None, added after the pointwise stage.
        stride, padding, dilation: of the depthwise stage.

    Returns:
        Tensor (N, O, H_out, W_out).

    Raises:
        ValueError, TypeError: as ``depthwise_conv2d`` for the first stage and
            ``pointwise_conv2d`` for the second (pointwise_weight.shape[1] must be C*M).

    >>> import numpy as np
    >>> separable_conv2d(np.ones((1, 16, 8, 8)), np.ones((16, 1, 3, 3)),
    ...                  np.ones((32, 16, 1, 1)), padding=1).shape
    (1, 32, 8, 8)
    """
    mid = depthwise_conv2d(input, depthwise_weight, None, stride, padding, dilation)
    return pointwise_conv2d(mid, pointwise_weight, bias)


__all__ = ["depthwise_conv2d", "pointwise_conv2d", "separable_conv2d"]
