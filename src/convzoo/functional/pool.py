"""Differentiable pooling: max, average and Lp pooling in 1d/2d/3d, global average/max.

Semantics are PyTorch's where PyTorch has the op and ONNX's where it does not:
every padding form (int, per-dim, per-side pairs, 'valid', 'same' = SAME_UPPER,
'same_lower', 'full'), padding larger than half the kernel (ONNX allows it) as
long as every window keeps at least one real input cell, dilation for all three
pools (keyword-only for average and Lp, which PyTorch lacks), and PyTorch's
ceil_mode rule (a last window starting in the right padding is dropped). Lp
pooling is ``(Σ|x|^p)^(1/p)`` with the absolute value, as ONNX LpPool.

Each public function checks its arguments once and runs a ``Function`` over the
NumPy kernels of ``convzoo.ops.pool``.
"""

from __future__ import annotations

import numpy as np

from .. import _args, shapes
from ..autograd import Function, Tensor, as_tensor, meta_array
from ..ops import pool as ops


def _pooled_shape(x, kernel, stride, padding, dilation, ceil_mode) -> tuple[int, ...]:
    """Output shape (N, C, *S_out) of a pooling window over placeholder ``x``."""
    return x.shape[:2] + tuple(shapes.pool_output_size(x.shape[2:], kernel, stride, padding,
                                                       dilation, ceil_mode))


class MaxPoolNd(Function):
    """Max pooling; the aux output is the int64 argmax index per output cell."""

    has_aux = True

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, ceil_mode, return_indices):
        need = return_indices or ctx.needs_input_grad[0]
        out, index = ops.max_pool_forward(x, kernel, stride, padding, dilation, ceil_mode,
                                          with_indices=need)
        ctx.save_for_backward(index)
        ctx.in_shape = x.shape
        return out, index

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        return ops.max_pool_backward(grad, index, ctx.in_shape)

    @staticmethod
    def infer(x, *, kernel, stride, padding, dilation, ceil_mode, return_indices):
        shape = _pooled_shape(x, kernel, stride, padding, dilation, ceil_mode)
        return meta_array(shape, x.dtype), meta_array(shape, np.int64)


class AvgPoolNd(Function):
    """Average pooling."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, ceil_mode, count_include_pad,
                divisor_override):
        ctx.in_shape = x.shape
        ctx.params = (kernel, stride, padding, dilation, ceil_mode, count_include_pad,
                      divisor_override)
        return ops.avg_pool_forward(x, *ctx.params)

    @staticmethod
    def backward(ctx, grad):
        return ops.avg_pool_backward(grad, ctx.in_shape, *ctx.params)

    @staticmethod
    def infer(x, *, kernel, stride, padding, dilation, ceil_mode, count_include_pad,
              divisor_override):
        return meta_array(_pooled_shape(x, kernel, stride, padding, dilation, ceil_mode), x.dtype)


class LpPoolNd(Function):
    """Lp pooling ``(Σ|x|^p)^(1/p)``."""

    @staticmethod
    def forward(ctx, x, *, norm_type, kernel, stride, padding, dilation, ceil_mode):
        out = ops.lp_pool_forward(x, norm_type, kernel, stride, padding, dilation, ceil_mode)
        ctx.save_for_backward(x, out)
        ctx.params = (norm_type, kernel, stride, padding, dilation)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved
        return ops.lp_pool_backward(grad, x, out, *ctx.params)

    @staticmethod
    def infer(x, *, norm_type, kernel, stride, padding, dilation, ceil_mode):
        return meta_array(_pooled_shape(x, kernel, stride, padding, dilation, ceil_mode), x.dtype)


class GlobalAvgPool(Function):
    """Mean over every spatial dim."""

    @staticmethod
    def forward(ctx, x):
        ctx.in_shape = x.shape
        return ops.global_avg_pool_forward(x)

    @staticmethod
    def backward(ctx, grad):
        return ops.global_avg_pool_backward(grad, ctx.in_shape)

    @staticmethod
    def infer(x):
        return meta_array(x.shape[:2] + (1,) * (x.ndim - 2), x.dtype)


class GlobalMaxPool(Function):
    """Max over every spatial dim; the gradient goes to the first maximal cell."""

    @staticmethod
    def forward(ctx, x):
        out, index = ops.global_max_pool_forward(x)
        ctx.save_for_backward(index)
        ctx.in_shape = x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        return ops.max_pool_backward(grad, index, ctx.in_shape)

    @staticmethod
    def infer(x):
        return meta_array(x.shape[:2] + (1,) * (x.ndim - 2), x.dtype)


# --- argument checking --------------------------------------------------------------------------
def _check_input(n: int, input, integers_ok: bool) -> Tensor:
    x = as_tensor(input)
    _args.check_ndim(x.shape, n + 2, "input")
    if integers_ok:
        _args.check_numeric(x.dtype, "input")
    else:
        _args.check_float(x.dtype, "input")
    if 0 in x.shape:
        raise ValueError(f"input must not have a zero-size dimension; "
                         f"got input with shape {x.shape}")
    return x


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, int)) and type(value).__name__ != "bool_":
        raise TypeError(f"{name} must be a bool; got {name}={value!r}")
    return bool(value)


def _geometry(n: int, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode):
    """Normalise the window arguments and reject windows that would hold no input cell."""
    kernel = _args.positive_tuple(kernel_size, n, "kernel_size")
    stride = kernel if stride is None else _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    ceil_mode = _check_bool(ceil_mode, "ceil_mode")
    in_size = x.shape[2:]
    pads = shapes.resolve_padding(padding, in_size, kernel, stride, dilation)
    out_size = ops.output_size(in_size, kernel, stride, pads, dilation, ceil_mode)
    empty = ops.empty_windows(in_size, kernel, stride, pads, dilation, out_size)
    for dim, idx in enumerate(empty):
        if idx.size:
            raise ValueError(
                f"padding={padding!r} leaves pooling window {int(idx[0])} of spatial dim {dim} "
                f"wholly in padding (input size {in_size[dim]}, padding {pads[dim][0]}+"
                f"{pads[dim][1]}, kernel_size {kernel[dim]}, stride {stride[dim]}, dilation "
                f"{dilation[dim]}, ceil_mode={ceil_mode}); every window must contain at least "
                f"one input cell: reduce padding")
    return kernel, stride, pads, dilation, ceil_mode


# --- max pooling --------------------------------------------------------------------------------
def _max_pool(n, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x = _check_input(n, input, integers_ok=True)
    kernel, stride, pads, dilation, ceil_mode = _geometry(n, x, kernel_size, stride, padding,
                                                          dilation, ceil_mode)
    return_indices = _check_bool(return_indices, "return_indices")
    out, index = MaxPoolNd.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation,
                                 ceil_mode=ceil_mode, return_indices=return_indices)
    return (out, Tensor(index)) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling; see ``max_pool2d``. input (N, C, L).

    >>> import numpy as np
    >>> max_pool1d(np.array([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2, ceil_mode=True).numpy()
    array([[[3., 5., 4.]]])
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-d max pooling, PyTorch semantics plus every padding form.

    Args:
        input: (N, C, H, W) float or integer array or Tensor (integers: no gradient).
        kernel_size: int or (kh, kw), each >= 1.
        stride: int or pair, each >= 1; defaults to kernel_size.
        padding: int, (ph, pw), ((top, bottom), (left, right)), or 'valid', 'same'
            (SAME_UPPER: output ceil(H/s), odd cell at the end), 'same_lower', 'full'.
            Padding acts as -inf and may exceed half the kernel, but every window must
            contain at least one input cell.
        dilation: int or pair, each >= 1.
        ceil_mode: round the output size up; a last window starting in the right padding
            is dropped.
        return_indices: also return the argmax of each window.

    Returns:
        Tensor (N, C, H_out, W_out) of the input's dtype; with ``return_indices`` a pair
        (output, indices), indices an int64 Tensor of flat positions within each (n, c)
        plane of the input, as PyTorch (ties go to the first cell in raster order).

    Raises:
        ValueError: input not 4-d or empty, non-positive kernel_size/stride/dilation, bad
            padding, window larger than the padded input, a window wholly in padding.
        TypeError: non-numeric input, non-int sizes.

    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> y, i = max_pool2d(x, 2, return_indices=True)
    >>> y.numpy()[0, 0], i.numpy()[0, 0]
    (array([[ 5.,  7.],
           [13., 15.]]), array([[ 5,  7],
           [13, 15]]))
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-d max pooling; see ``max_pool2d``. input (N, C, D, H, W).

    >>> import numpy as np
    >>> max_pool3d(np.ones((1, 2, 4, 4, 4)), 2).shape
    (1, 2, 2, 2, 2)
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


# --- average pooling ----------------------------------------------------------------------------
def _avg_pool(n, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, dilation):
    x = _check_input(n, input, integers_ok=False)
    kernel, stride, pads, dilation, ceil_mode = _geometry(n, x, kernel_size, stride, padding,
                                                          dilation, ceil_mode)
    count_include_pad = _check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        divisor_override = _args.positive_int(divisor_override, "divisor_override")
    return AvgPoolNd.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation,
                           ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                           divisor_override=divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None, *, dilation=1):
    """1-d average pooling; see ``avg_pool2d``. input (N, C, L).

    >>> import numpy as np
    >>> avg_pool1d(np.array([[[1.0, 3.0, 2.0]]]), 2, ceil_mode=True).numpy()
    array([[[2., 2.]]])
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, dilation)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None, *, dilation=1):
    """2-d average pooling, PyTorch semantics plus every padding form and dilation.

    Args:
        input: (N, C, H, W) float array or Tensor.
        kernel_size, stride, padding, ceil_mode: as ``max_pool2d`` (padding acts as 0).
        count_include_pad: divide by the number of window cells on the input or the
            explicit padding; False counts input cells only. Cells a ceil_mode window
            hangs past the padding are never counted (PyTorch's rule).
        divisor_override: a positive int used as the divisor of every window instead.
        dilation: keyword-only (PyTorch has none), int or pair.

    Returns:
        Tensor (N, C, H_out, W_out).

    Raises:
        ValueError: as ``max_pool2d``; divisor_override < 1.
        TypeError: non-float input, non-int divisor_override.

    >>> import numpy as np
    >>> avg_pool2d(np.ones((1, 1, 3, 3)), 2, padding=1).numpy()[0, 0]
    array([[0.25, 0.5 ],
           [0.5 , 1.  ]])
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, dilation)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None, *, dilation=1):
    """3-d average pooling; see ``avg_pool2d``. input (N, C, D, H, W).

    >>> import numpy as np
    >>> avg_pool3d(np.ones((1, 1, 3, 3, 3)), 2, stride=1).shape
    (1, 1, 2, 2, 2)
    """
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, dilation)


# --- Lp pooling ---------------------------------------------------------------------------------
def _lp_pool(n, input, norm_type, kernel_size, stride, ceil_mode, padding, dilation):
    x = _check_input(n, input, integers_ok=False)
    p = _args.check_positive_number(norm_type, "norm_type")
    kernel, stride, pads, dilation, ceil_mode = _geometry(n, x, kernel_size, stride, padding,
                                                          dilation, ceil_mode)
    return LpPoolNd.apply(x, norm_type=p, kernel=kernel, stride=stride, padding=pads,
                          dilation=dilation, ceil_mode=ceil_mode)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False, *, padding=0,
              dilation=1):
    """1-d Lp pooling; see ``lp_pool2d``. input (N, C, L).

    >>> import numpy as np
    >>> lp_pool1d(np.array([[[3.0, -4.0]]]), 2, 2).numpy()
    array([[[5.]]])
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode, padding, dilation)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False, *, padding=0,
              dilation=1):
    """2-d Lp pooling ``(Σ_window |x|^p)^(1/p)`` (ONNX LpPool; p = 2 is L2 pooling).

    PyTorch's ``lp_pool2d`` raises x (not |x|) to the power p, so the two agree only on
    non-negative inputs; padding and dilation (keyword-only) are ONNX's.

    Args:
        input: (N, C, H, W) float array or Tensor.
        norm_type: p, a finite number > 0.
        kernel_size, stride, ceil_mode: as ``max_pool2d``.
        padding: any form ``max_pool2d`` accepts; acts as 0.
        dilation: int or pair.

    Returns:
        Tensor (N, C, H_out, W_out). The gradient at an all-zero window is 0.

    Raises:
        ValueError: as ``max_pool2d``; norm_type <= 0 or not finite.
        TypeError: non-float input, non-number norm_type.

    >>> import numpy as np
    >>> lp_pool2d(np.array([[[[3.0, 0.0], [0.0, -4.0]]]]), 2, 2).numpy()
    array([[[[5.]]]])
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode, padding, dilation)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False, *, padding=0,
              dilation=1):
    """3-d Lp pooling; see ``lp_pool2d``. input (N, C, D, H, W).

    >>> import numpy as np
    >>> lp_pool3d(np.ones((1, 1, 2, 2, 2)), 2, 2).numpy().ravel()
    array([2.82842712])
    """
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode, padding, dilation)


# --- global pooling -----------------------------------------------------------------------------
def global_avg_pool2d(input) -> Tensor:
    """Mean of each channel plane: (N, C, H, W) -> (N, C, 1, 1).

    Args:
        input: (N, C, H, W) float array or Tensor.

    Returns:
        Tensor (N, C, 1, 1).

    Raises:
        ValueError: input not 4-d or empty. TypeError: non-float input.

    >>> import numpy as np
    >>> global_avg_pool2d(np.arange(8.0).reshape(1, 2, 2, 2)).numpy().ravel()
    array([1.5, 5.5])
    """
    return GlobalAvgPool.apply(_check_input(2, input, integers_ok=False))


def global_max_pool2d(input) -> Tensor:
    """Maximum of each channel plane: (N, C, H, W) -> (N, C, 1, 1).

    Args:
        input: (N, C, H, W) float or integer array or Tensor.

    Returns:
        Tensor (N, C, 1, 1); the gradient goes to the first maximal cell in raster order.

    Raises:
        ValueError: input not 4-d or empty. TypeError: non-numeric input.

    >>> import numpy as np
    >>> global_max_pool2d(np.arange(8.0).reshape(1, 2, 2, 2)).numpy().ravel()
    array([3., 7.])
    """
    return GlobalMaxPool.apply(_check_input(2, input, integers_ok=True))


__all__ = [
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "global_avg_pool2d", "global_max_pool2d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_pool1d", "max_pool2d", "max_pool3d",
]
