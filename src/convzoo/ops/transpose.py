"""Transposed convolution ("deconvolution") kernels: the adjoint of ``conv``.

A transposed conv with weight ``(C_in, C_out/G, *K)`` is exactly the input
gradient of a conv whose weight is that same array read as ``(O=C_in, C/G, *K)``:
every input cell scatters ``x·W`` into a window of the output (scatter-GEMM, one
per tap). So the forward is ``correlate_input_grad``, the input gradient is
``correlate`` and the weight gradient is ``correlate_weight_grad`` with input and
output swapped. ``padding`` crops the full output; ``output_padding`` extends
its end.
"""

from __future__ import annotations

import numpy as np

from .conv import correlate, correlate_input_grad, correlate_weight_grad
from .window import crop_spatial, pad_spatial


def _full_size(in_size, kernel, stride, dilation, output_padding):
    return tuple((i - 1) * s + d * (k - 1) + 1 + op
                 for i, k, s, d, op in zip(in_size, kernel, stride, dilation, output_padding,
                                           strict=True))


def conv_transpose_forward(x: np.ndarray, weight: np.ndarray, bias, stride, padding,
                           output_padding, dilation, groups: int) -> np.ndarray:
    """Transposed convolution (arguments already checked).

    Args:
        x: (N, C_in, *S). weight: (C_in, C_out/groups, *K). bias: (C_out,) or None.
        stride, dilation, output_padding: tuples. padding: ((before, after), ...).

    Returns:
        (N, C_out, *out) with ``out = (S-1)*s - before - after + d*(K-1) + 1 + output_padding``.
    """
    full = _full_size(x.shape[2:], weight.shape[2:], stride, dilation, output_padding)
    y = np.ascontiguousarray(
        crop_spatial(correlate_input_grad(x, weight, full, stride, dilation, groups), padding))
    if bias is not None:
        y += bias.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def conv_transpose_backward(grad_out: np.ndarray, x: np.ndarray, weight: np.ndarray,
                            has_bias: bool, stride, padding, output_padding, dilation, groups: int,
                            needs=(True, True, True)):
    """Vector-Jacobian products of ``conv_transpose_forward``.

    Returns:
        (grad_input, grad_weight, grad_bias), ``None`` where not needed.
    """
    gy_full = pad_spatial(grad_out, padding)
    gx = gw = gb = None
    if needs[0]:
        gx = correlate(gy_full, weight, stride, dilation, groups, out_size=x.shape[2:])
    if needs[1]:
        # output_padding >= stride (allowed when dilation > stride) can leave extra rows the
        # forward never wrote; trim to what the input grid reaches.
        reach = _full_size(x.shape[2:], weight.shape[2:], stride, dilation, (0,) * (x.ndim - 2))
        gy_used = gy_full[(Ellipsis,) + tuple(slice(0, r) for r in reach)]
        gw = correlate_weight_grad(gy_used, x, weight.shape[2:], stride, dilation, groups)
    if has_bias and needs[2]:
        gb = grad_out.sum(axis=(0,) + tuple(range(2, grad_out.ndim)))
    return gx, gw, gb
