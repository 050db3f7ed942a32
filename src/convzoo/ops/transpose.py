"""Transposed convolution ("deconvolution") kernels: the adjoint of ``conv``.

A transposed conv with weight ``(C_in, C_out/G, *K)`` is exactly the input
gradient of a conv whose weight is that same array read as ``(O=C_in, C/G, *K)``:
every input cell scatters ``x·W`` into a window of the output (scatter-GEMM, one
per tap). So the forward is ``correlate_input_grad``, the input gradient is
``correlate`` and the weight gradient is ``correlate_weight_grad`` with input and
output swapped. ``padding`` crops the full output; ``output_padding`` extends
its end. The three primitives run through ``convzoo.ops.kernels.engine``, which
picks the algorithm per shape (a scatter-GEMM — ``Wᵀ·x`` then col2im — for dense
and grouped layers, the fused depthwise kernels when ``C_out/G == 1``).
"""

from __future__ import annotations

import numpy as np

from .conv import correlate, correlate_input_grad, correlate_weight_grad  # noqa: F401 (API)
from .kernels import engine, plan


def _full_size(in_size, kernel, stride, dilation, output_padding):
    return tuple((i - 1) * s + d * (k - 1) + 1 + op
                 for i, k, s, d, op in zip(in_size, kernel, stride, dilation, output_padding,
                                           strict=True))


def _geometry(x_shape, kernel, stride, padding, output_padding, dilation):
    """The conv whose input gradient this transposed conv is: input = our output."""
    full = _full_size(x_shape[2:], kernel, stride, dilation, output_padding)
    out = tuple(f - lo - hi for f, (lo, hi) in zip(full, padding, strict=True))
    return plan.geometry(out, kernel, stride, dilation, padding, x_shape[2:])


def conv_transpose_forward(x: np.ndarray, weight: np.ndarray, bias, stride, padding,
                           output_padding, dilation, groups: int) -> np.ndarray:
    """Transposed convolution (arguments already checked).

    Args:
        x: (N, C_in, *S). weight: (C_in, C_out/groups, *K). bias: (C_out,) or None.
        stride, dilation, output_padding: tuples. padding: ((before, after), ...).

    Returns:
        (N, C_out, *out) with ``out = (S-1)*s - before - after + d*(K-1) + 1 + output_padding``.
    """
    geom = _geometry(x.shape, weight.shape[2:], stride, padding, output_padding, dilation)
    out_shape = (x.shape[0], weight.shape[1] * groups) + geom.in_size
    y = engine.input_grad(x, weight, geom, groups, out_shape)
    if bias is not None:
        y += bias.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def conv_transpose_backward(grad_out: np.ndarray, x: np.ndarray, weight: np.ndarray,
                            has_bias: bool, stride, padding, output_padding, dilation, groups: int,
                            needs=(True, True, True)):
    """Vector-Jacobian products of ``conv_transpose_forward``.

    The input gradient is the conv of ``grad_out`` with the same weight and the
    weight gradient that conv's weight gradient with ``x`` as its output gradient
    (``output_padding`` cells beyond the windows' reach are never read).

    Returns:
        (grad_input, grad_weight, grad_bias), ``None`` where not needed.
    """
    geom = _geometry(x.shape, weight.shape[2:], stride, padding, output_padding, dilation)
    gx = gw = gb = None
    if needs[0] and needs[1]:   # both read the columns of grad_out: build them once
        gx, gw = engine.forward_and_weight_grad(grad_out, weight, x, geom, groups)
    elif needs[0]:
        gx = engine.forward(grad_out, weight, geom, groups)
    elif needs[1]:
        gw = engine.weight_grad(grad_out, x, geom, groups, weight.shape)
    if has_bias and needs[2]:
        gb = grad_out.sum(axis=(0,) + tuple(range(2, grad_out.ndim)))
    return gx, gw, gb
