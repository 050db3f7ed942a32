"""Pooling layers over ``convzoo.functional`` pooling ops (PyTorch's constructor arguments)."""

from __future__ import annotations

from .. import functional as F
from .module import Module


class _MaxPoolNd(Module):
    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        """Max over each window; with ``return_indices`` also the flat argmax per (n, c) plane."""
        fn = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[self._n - 1]
        return fn(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                  self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling."""

    _n = 1


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling (PyTorch's ``nn.MaxPool2d`` arguments; padding also takes modes/pairs)."""

    _n = 2


class MaxPool3d(_MaxPoolNd):
    """3-d max pooling."""

    _n = 3


class _AvgPoolNd(Module):
    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None, *, dilation=1):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override, self.dilation = divisor_override, dilation

    def forward(self, x):
        """Mean over each window."""
        fn = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[self._n - 1]
        return fn(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                  self.count_include_pad, self.divisor_override, dilation=self.dilation)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """1-d average pooling."""

    _n = 1


class AvgPool2d(_AvgPoolNd):
    """2-d average pooling (PyTorch's ``nn.AvgPool2d`` arguments; dilation keyword-only)."""

    _n = 2


class AvgPool3d(_AvgPoolNd):
    """3-d average pooling."""

    _n = 3


class _LPPoolNd(Module):
    _n = 2

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False, *, padding=0,
                 dilation=1):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride = norm_type, kernel_size, stride
        self.ceil_mode, self.padding, self.dilation = ceil_mode, padding, dilation

    def forward(self, x):
        """(Σ|x|^p)^(1/p) over each window."""
        fn = (F.lp_pool1d, F.lp_pool2d, F.lp_pool3d)[self._n - 1]
        return fn(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode,
                  padding=self.padding, dilation=self.dilation)

    def extra_repr(self) -> str:
        return f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}"


class LPPool1d(_LPPoolNd):
    """1-d power-average (Lp) pooling."""

    _n = 1


class LPPool2d(_LPPoolNd):
    """2-d power-average (Lp) pooling; ``norm_type=2`` is L2 pooling."""

    _n = 2


class LPPool3d(_LPPoolNd):
    """3-d power-average (Lp) pooling."""

    _n = 3


class GlobalAvgPool2d(Module):
    """Global average pooling (NIN's classifier head): (N, C, H, W) -> (N, C, 1, 1)."""

    def forward(self, x):
        """Mean over H and W."""
        return F.global_avg_pool2d(x)


class GlobalMaxPool2d(Module):
    """Global max pooling: (N, C, H, W) -> (N, C, 1, 1)."""

    def forward(self, x):
        """Max over H and W."""
        return F.global_max_pool2d(x)


class AdaptiveAvgPool2d(Module):
    """Adaptive average pooling to ``output_size`` (torchvision's AlexNet/VGG heads).

    Supports output sizes that divide the input evenly (then it is an ordinary average pool)
    and (1, 1) (global pooling); other sizes raise ``ValueError``.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = (output_size, output_size) if isinstance(output_size, int) \
            else tuple(output_size)

    def forward(self, x):
        """Average into ``output_size`` cells."""
        h, w = x.shape[2:]
        oh, ow = self.output_size
        if (oh, ow) == (1, 1):
            return F.global_avg_pool2d(x)
        if (oh, ow) == (h, w):
            return x
        if h % oh or w % ow:
            raise ValueError(f"AdaptiveAvgPool2d supports output sizes dividing the input; got "
                             f"output_size={self.output_size} for input {tuple(x.shape)}")
        return F.avg_pool2d(x, (h // oh, w // ow))

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
