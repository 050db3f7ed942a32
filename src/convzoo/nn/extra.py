"""Layers the classic networks need beyond the conv family: ``LocalResponseNorm`` (AlexNet,
ZFNet) and an ``AdaptiveAvgPool2d`` that reaches any output size (torchvision's heads).
"""

from __future__ import annotations

from .. import _args
from .. import functional as F
from ..functional import extra as FX
from .module import Module
from .pool import AdaptiveAvgPool2d as _DividingAdaptiveAvgPool2d


class LocalResponseNorm(Module):
    """Local response normalisation across channels (PyTorch's ``nn.LocalResponseNorm``).

    See ``convzoo.functional.local_response_norm`` for the formula; ``alpha`` is divided
    by ``size`` as in PyTorch and Caffe.

    Args:
        size: neighbouring channels summed (n).
        alpha: multiplicative factor (divided by ``size``).
        beta: exponent.
        k: additive constant.

    Raises:
        TypeError / ValueError: ``size`` not a positive int (at construction); bad input
        or constants when called (see the functional form).

    >>> import numpy as np
    >>> LocalResponseNorm(5)(np.ones((1, 8, 2, 2), np.float32)).shape
    (1, 8, 2, 2)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size = _args.positive_int(size, "size")
        self.alpha, self.beta, self.k = alpha, beta, k

    def forward(self, x):
        """Normalise (N, C, *S) by the energy of neighbouring channels."""
        return FX.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class AdaptiveAvgPool2d(_DividingAdaptiveAvgPool2d):
    """Adaptive average pooling to any ``output_size`` (PyTorch's ``nn.AdaptiveAvgPool2d``).

    Sizes dividing the input (and (1, 1)) run as ordinary average / global pooling, so a
    shape-only trace sees the familiar ops; other sizes — overlapping windows, or an output
    larger than the input (torchvision's VGG head on a 32×32 image) — use
    ``functional.adaptive_avg_pool2d``. ``None`` in ``output_size`` keeps that input size.

    Args:
        output_size: int or (oh, ow); input (N, C, H, W) -> output (N, C, oh, ow).

    >>> import numpy as np
    >>> AdaptiveAvgPool2d(7)(np.ones((1, 2, 1, 1), np.float32)).shape
    (1, 2, 7, 7)
    """

    def forward(self, x):
        """(N, C, H, W) -> (N, C, oh, ow)."""
        h, w = x.shape[2:]
        oh, ow = (h if self.output_size[0] is None else self.output_size[0],
                  w if self.output_size[1] is None else self.output_size[1])
        if (oh, ow) == (1, 1):
            return F.global_avg_pool2d(x)
        if (oh, ow) == (h, w):
            return x
        if h % oh == 0 and w % ow == 0:
            return F.avg_pool2d(x, (h // oh, w // ow))
        return FX.adaptive_avg_pool2d(x, (oh, ow))
