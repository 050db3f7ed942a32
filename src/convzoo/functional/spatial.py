"""Spatially separable convolution: a kh×1 conv followed by a 1×kw conv, both via ``conv2d``.

A rank-1 kernel ``K = c·rᵀ`` (Sobel-x = [1, 2, 1]ᵀ·[1, 0, -1]) costs ``kh + kw`` weights
instead of ``kh·kw`` per channel pair; ``convzoo.ops.separable.factorize_kernel`` finds
``c`` and ``r`` by SVD. The two passes equal one 2-d conv with the combined kernel
``W[o2, c, a, b] = Σ_o row[o2, o, 0, b] · col[o, c, a, 0]`` because padding, stride and
the window of each pass act on one spatial axis only.
"""

from __future__ import annotations

from .. import _args, shapes
from ..autograd import Tensor, as_tensor
from .conv import check_bias, conv2d


def spatially_separable_conv2d(input, column_weight, row_weight, bias=None, stride=1,
                               padding=0) -> Tensor:
    """Spatially separable 2-d convolution: a (kh×1) conv C→O, then a (1×kw) conv O→O2.

    Args:
        input: (N, C, H, W) float array or Tensor.
        column_weight: (O, C, kh, 1), the vertical pass.
        row_weight: (O2, O, 1, kw), the horizontal pass.
        bias: (O2,) or None, added after the second pass.
        stride: int or (sh, sw); the first pass strides (sh, 1), the second (1, sw).
        padding: int, (ph, pw), ((top, bottom), (left, right)), or a mode 'valid', 'same'
            (SAME_UPPER), 'same_lower', 'full' resolved for the full (kh, kw) kernel; the
            H padding is applied in the first pass and the W padding in the second.

    Returns:
        Tensor (N, O2, H_out, W_out), equal to ``conv2d`` with the combined kh×kw kernel.

    Raises:
        ValueError: wrong ndim; column_weight not (O, C, kh, 1); row_weight not
            (O2, O, 1, kw); bias not (O2,); bad stride or padding; kernel larger than
            the padded input.
        TypeError: non-float operands or mismatched dtypes.

    >>> import numpy as np
    >>> x = np.zeros((1, 1, 5, 5)); x[..., 2:] = 1.0
    >>> col = np.array([1.0, 2, 1]).reshape(1, 1, 3, 1)
    >>> row = np.array([1.0, 0, -1]).reshape(1, 1, 1, 3)
    >>> spatially_separable_conv2d(x, col, row).numpy()[0, 0, 0].tolist()   # Sobel-x
    [-4.0, -4.0, 0.0]
    """
    x, cw, rw = as_tensor(input), as_tensor(column_weight), as_tensor(row_weight)
    _args.check_ndim(x.shape, 4, "input")
    _args.check_ndim(cw.shape, 4, "column_weight")
    _args.check_ndim(rw.shape, 4, "row_weight")
    for t, name in ((x, "input"), (cw, "column_weight"), (rw, "row_weight")):
        _args.check_float(t.dtype, name)
    _args.check_same_dtype(x.dtype, cw.dtype, "input", "column_weight")
    _args.check_same_dtype(x.dtype, rw.dtype, "input", "row_weight")
    if cw.shape[3] != 1 or 0 in cw.shape:
        raise ValueError(f"column_weight must have shape (O, C, kh, 1); got column_weight with "
                         f"shape {cw.shape}")
    if rw.shape[2] != 1 or 0 in rw.shape:
        raise ValueError(f"row_weight must have shape (O2, O, 1, kw); got row_weight with shape "
                         f"{rw.shape}")
    if cw.shape[1] != x.shape[1]:
        raise ValueError(f"column_weight.shape[1] must equal the input channels; got "
                         f"column_weight with shape {cw.shape} and input with {x.shape[1]} "
                         f"channels")
    if rw.shape[1] != cw.shape[0]:
        raise ValueError(f"row_weight.shape[1] must equal column_weight.shape[0] (the channels "
                         f"between the two passes); got row_weight with shape {rw.shape} and "
                         f"column_weight with shape {cw.shape}")
    b = None if bias is None else as_tensor(bias)
    check_bias(b, rw.shape[0])
    sh, sw = _args.positive_tuple(stride, 2, "stride")
    kernel = (cw.shape[2], rw.shape[3])
    (top, bottom), (left, right) = shapes.resolve_padding(padding, x.shape[2:], kernel, (sh, sw))
    shapes.conv_output_size(x.shape[2:], kernel, (sh, sw), ((top, bottom), (left, right)))
    mid = conv2d(x, cw, None, (sh, 1), ((top, bottom), (0, 0)))
    return conv2d(mid, rw, b, (1, sw), ((0, 0), (left, right)))


__all__ = ["spatially_separable_conv2d"]
