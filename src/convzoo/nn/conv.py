"""Convolution layers: thin classes holding weights over ``convzoo.functional`` ops.

Constructor arguments are PyTorch's; layers PyTorch lacks (depthwise, pointwise,
separable, spatially separable, global depthwise) take the arguments of DESIGN.md §2.
Every layer accepts keyword-only ``rng`` (``np.random.Generator`` or int seed) and
``dtype`` (float32 by default) for its initial weights.
"""

from __future__ import annotations

import numpy as np

from .. import _args
from .. import functional as F
from ..autograd import Tensor
from .init import default_weight_and_bias, make_rng
from .module import Module


def _show_padding(padding):
    """PyTorch-style display: (1, 1) for symmetric pairs, the pairs otherwise, or the mode."""
    if isinstance(padding, str) or any(lo != hi for lo, hi in padding):
        return padding
    return tuple(lo for lo, _ in padding)


def _check_groups(groups, in_channels: int, out_channels: int) -> int:
    groups = _args.positive_int(groups, "groups")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"groups must divide in_channels and out_channels; got groups={groups}, "
                         f"in_channels={in_channels}, out_channels={out_channels}")
    return groups


def _set_conv_geometry(layer, n, in_channels, out_channels, kernel_size, stride, dilation,
                       groups) -> None:
    """Check and store the arguments every conv and transposed-conv layer shares."""
    layer.in_channels = _args.positive_int(in_channels, "in_channels")
    layer.out_channels = _args.positive_int(out_channels, "out_channels")
    layer.groups = _check_groups(groups, in_channels, out_channels)
    layer.kernel_size = _args.positive_tuple(kernel_size, n, "kernel_size")
    layer.stride = _args.positive_tuple(stride, n, "stride")
    layer.dilation = _args.positive_tuple(dilation, n, "dilation")


def _param(array) -> Tensor | None:
    return None if array is None else Tensor(array, requires_grad=True)


class _ConvNd(Module):
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, *, flip_kernel=False, rng=None, dtype=np.float32):
        super().__init__()
        n = self._n
        _set_conv_geometry(self, n, in_channels, out_channels, kernel_size, stride, dilation,
                           groups)
        self.padding = _args.padding_spec(padding, n)
        self.flip_kernel = bool(flip_kernel)
        w, b = default_weight_and_bias((out_channels, in_channels // groups) + self.kernel_size,
                                       bias, make_rng(rng), dtype)
        self.weight = _param(w)
        self.bias = _param(b)

    def forward(self, x):
        """Convolve ``x`` (N, C_in, *S) -> (N, C_out, *S_out)."""
        fn = (F.conv1d, F.conv2d, F.conv3d)[self._n - 1]
        return fn(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                  self.flip_kernel)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}, padding={_show_padding(self.padding)}")
        if any(d != 1 for d in self.dilation):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """1-d convolution layer (PyTorch's ``nn.Conv1d`` arguments)."""

    _n = 1


class Conv2d(_ConvNd):
    """2-d convolution layer (PyTorch's ``nn.Conv2d`` arguments; padding also 'same_lower', 'full',
    per-side pairs).

    >>> import numpy as np
    >>> Conv2d(3, 10, 3, rng=0).num_parameters()   # ten 3x3x3 filters with bias
    280
    """

    _n = 2


class Conv3d(_ConvNd):
    """3-d convolution layer (PyTorch's ``nn.Conv3d`` arguments)."""

    _n = 3


class _ConvTransposeNd(Module):
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, *, rng=None,
                 dtype=np.float32):
        super().__init__()
        n = self._n
        _set_conv_geometry(self, n, in_channels, out_channels, kernel_size, stride, dilation,
                           groups)
        self.padding = _args.padding_spec(padding, n, modes=())
        self.output_padding = _args.int_tuple(output_padding, n, "output_padding", minimum=0)
        w, b = default_weight_and_bias((in_channels, out_channels // groups) + self.kernel_size,
                                       bias, make_rng(rng), dtype, bias_size=out_channels)
        self.weight = _param(w)
        self.bias = _param(b)

    def forward(self, x, output_size=None):
        """Upsample ``x`` (N, C_in, *S); ``output_size`` picks among the reachable sizes."""
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self._n - 1]
        op = 0 if output_size is not None else self.output_padding
        return fn(x, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                  self.dilation, output_size)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={_show_padding(self.padding)}, "
                f"output_padding={self.output_padding}")


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution layer (PyTorch's ``nn.ConvTranspose1d`` arguments)."""

    _n = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution layer (PyTorch's ``nn.ConvTranspose2d`` arguments).

    >>> import numpy as np
    >>> ConvTranspose2d(1, 1, 3, stride=2, rng=0)(np.ones((1, 1, 2, 2), np.float32)).shape
    (1, 1, 5, 5)
    """

    _n = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution layer (PyTorch's ``nn.ConvTranspose3d`` arguments)."""

    _n = 3


class DepthwiseConv2d(_ConvNd):
    """Depthwise conv: ``depth_multiplier`` k×k filters per input channel, C·M·k² weights.

    >>> DepthwiseConv2d(3, 3, bias=False, rng=0).num_parameters()
    27
    """

    def __init__(self, in_channels, kernel_size, depth_multiplier=1, stride=1, padding=0,
                 dilation=1, bias=True, *, rng=None, dtype=np.float32):
        m = _args.positive_int(depth_multiplier, "depth_multiplier")
        super().__init__(in_channels, in_channels * m, kernel_size, stride, padding, dilation,
                         groups=in_channels, bias=bias, rng=rng, dtype=dtype)
        self.depth_multiplier = m


class PointwiseConv2d(_ConvNd):
    """Pointwise (1×1) conv mixing channels at each pixel: C_in·C_out weights.

    >>> PointwiseConv2d(3, 4, bias=False, rng=0).num_parameters()
    12
    """

    def __init__(self, in_channels, out_channels, bias=True, *, rng=None, dtype=np.float32):
        super().__init__(in_channels, out_channels, 1, bias=bias, rng=rng, dtype=dtype)


class SeparableConv2d(Module):
    """Depthwise-separable conv (Xception/MobileNet): depthwise k×k then pointwise 1×1.

    Parameters ``depthwise_weight`` (C·M, 1, k, k), ``pointwise_weight`` (O, C·M, 1, 1) and
    one ``bias`` (O,) after the pointwise stage, as Keras' SeparableConv2D.

    >>> SeparableConv2d(16, 32, 3, bias=False, rng=0).num_parameters()
    656
    """

    def __init__(self, in_channels, out_channels, kernel_size, depth_multiplier=1, stride=1,
                 padding=0, dilation=1, bias=True, *, rng=None, dtype=np.float32):
        super().__init__()
        rng = make_rng(rng)
        dw = DepthwiseConv2d(in_channels, kernel_size, depth_multiplier, stride, padding, dilation,
                             bias=False, rng=rng, dtype=dtype)
        pw = PointwiseConv2d(dw.out_channels, out_channels, bias=bias, rng=rng, dtype=dtype)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.dilation = (
            dw.kernel_size, dw.stride, dw.padding, dw.dilation)
        self.depth_multiplier = dw.depth_multiplier
        self.depthwise_weight = dw.weight
        self.pointwise_weight = pw.weight
        self.bias = pw.bias

    def forward(self, x):
        """Depthwise then pointwise: (N, C, H, W) -> (N, O, H_out, W_out)."""
        return F.separable_conv2d(x, self.depthwise_weight, self.pointwise_weight, self.bias,
                                  self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"depth_multiplier={self.depth_multiplier}, stride={self.stride}, "
                f"padding={self.padding}")


class SpatiallySeparableConv2d(Module):
    """A k×1 conv C_in→C_out then a 1×k conv C_out→C_out (rank-1 factorisation of a k×k conv).

    Parameters ``column_weight`` (O, C, k, 1), ``row_weight`` (O, O, 1, k), ``bias`` (O,).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 *, rng=None, dtype=np.float32):
        super().__init__()
        rng = make_rng(rng)
        kh, kw = _args.positive_tuple(kernel_size, 2, "kernel_size")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = (kh, kw)
        self.stride = _args.positive_tuple(stride, 2, "stride")
        self.padding = padding
        col, _ = default_weight_and_bias((out_channels, in_channels, kh, 1), False, rng, dtype)
        row, b = default_weight_and_bias((out_channels, out_channels, 1, kw), bias, rng, dtype)
        self.column_weight = _param(col)
        self.row_weight = _param(row)
        self.bias = _param(b)

    def forward(self, x):
        """Two 1-D passes: (N, C, H, W) -> (N, O, H_out, W_out)."""
        return F.spatially_separable_conv2d(x, self.column_weight, self.row_weight, self.bias,
                                            self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"


class GlobalDepthwiseConv2d(DepthwiseConv2d):
    """Global depthwise conv (MobileFaceNet's GDC): a depthwise kernel as large as the feature map,
    one learned weight per position and channel, output (N, C, 1, 1)."""

    def __init__(self, channels, kernel_size, bias=False, *, rng=None, dtype=np.float32):
        super().__init__(channels, kernel_size, 1, bias=bias, rng=rng, dtype=dtype)

    def forward(self, x):
        """(N, C, kh, kw) -> (N, C, 1, 1); the input must be exactly the kernel's size."""
        if tuple(np.shape(x)[2:]) != self.kernel_size:
            raise ValueError(f"GlobalDepthwiseConv2d expects a {self.kernel_size} feature map; got "
                             f"input with shape {tuple(np.shape(x))}")
        return super().forward(x)


class DeformConv2d(Module):
    """Deformable conv (torchvision's ``DeformConv2d``): ``forward(input, offset, mask=None)``."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, *, rng=None, dtype=np.float32):
        super().__init__()
        self.kernel_size = _args.positive_tuple(kernel_size, 2, "kernel_size")
        _check_groups(groups, in_channels, out_channels)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.stride, self.padding, self.dilation = stride, padding, dilation
        w, b = default_weight_and_bias((out_channels, in_channels // groups) + self.kernel_size,
                                       bias, make_rng(rng), dtype)
        self.weight = _param(w)
        self.bias = _param(b)

    def forward(self, x, offset, mask=None):
        """Sample at the kernel grid shifted by ``offset`` (N, 2·g·kh·kw, H_out, W_out)."""
        return F.deform_conv2d(x, offset, self.weight, self.bias, self.stride, self.padding,
                               self.dilation, mask)
