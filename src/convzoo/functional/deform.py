"""Differentiable deformable convolution (DCNv1, DCNv2 with ``mask``), torchvision semantics.

``deform_conv2d`` checks its arguments once and runs ``DeformConv2dFn``, whose forward and
backward are the NumPy kernels of ``convzoo.ops.deform`` (deformable im2col by vectorised
bilinear gather, then a GEMM per weight group).
"""

from __future__ import annotations

from .. import _args, shapes
from ..autograd import Function, Tensor, as_tensor, meta_array
from ..ops.deform import deform_conv2d_backward, deform_conv2d_forward
from .conv import check_bias, check_operands


class DeformConv2dFn(Function):
    """Deformable 2-d convolution; inputs (x, offset, weight, bias, mask), bias/mask optional."""

    @staticmethod
    def forward(ctx, x, offset, weight, bias, mask, *, stride, padding, dilation):
        ctx.save_for_backward(x, offset, weight, mask)
        ctx.params = (bias is not None, stride, padding, dilation)
        return deform_conv2d_forward(x, offset, weight, bias, mask, stride, padding, dilation)

    @staticmethod
    def backward(ctx, grad):
        x, offset, weight, mask = ctx.saved
        has_bias, stride, padding, dilation = ctx.params
        return deform_conv2d_backward(grad, x, offset, weight, mask, has_bias, stride, padding,
                                      dilation, needs=ctx.needs_input_grad)

    @staticmethod
    def infer(x, offset, weight, bias, mask, *, stride, padding, dilation):
        return meta_array(x.shape[:1] + weight.shape[:1] + offset.shape[2:], x.dtype)


def _check_like_input(value, x: Tensor, name: str) -> Tensor:
    t = as_tensor(value)
    _args.check_ndim(t.shape, 4, name)
    _args.check_float(t.dtype, name)
    _args.check_same_dtype(x.dtype, t.dtype, "input", name)
    return t


def deform_conv2d(input, offset, weight, bias=None, stride=1, padding=0, dilation=1,
                  mask=None) -> Tensor:
    """Deformable convolution v1/v2 with ``torchvision.ops.deform_conv2d`` semantics.

    Output position ``(i, j)`` reads tap ``(a, b)`` of offset group ``g`` at
    ``y = i*sh - ph + a*dh + dy``, ``x = j*sw - pw + b*dw + dx`` by bilinear
    interpolation (neighbours outside the image count as zero), multiplied by the mask
    when one is given (DCNv2), and the samples are contracted with the weight.

    Args:
        input: (N, C, H, W) float array or Tensor.
        offset: (N, 2*G*kh*kw, Ho, Wo); ``G = offset.shape[1] // (2*kh*kw)`` offset groups,
            each owning ``C/G`` consecutive input channels; channels run per group, per tap
            (row-major over kh, kw), as (dy, dx) pairs.
        weight: (O, C/Gw, kh, kw); ``Gw = C // weight.shape[1]`` weight groups.
        bias: (O,) or None.
        stride, dilation: int or (sh, sw), each >= 1.
        padding: int or (ph, pw), applied on both sides (torchvision has no other forms).
        mask: (N, G*kh*kw, Ho, Wo) modulation of each sampled value, or None.

    Returns:
        Tensor (N, O, Ho, Wo) with ``Ho = (H + 2ph - dh(kh-1) - 1) // sh + 1`` (same for W).

    Raises:
        ValueError: wrong ndim; weight.shape[1] not dividing C; weight groups not dividing O;
            offset channels not a positive multiple of 2*kh*kw; offset groups not dividing C;
            offset or mask of the wrong shape; bias of the wrong shape; kernel larger than
            the padded input; bad stride/padding/dilation.
        TypeError: non-float operands or mismatched dtypes; a padding mode string.

    >>> import numpy as np
    >>> x = np.ones((1, 2, 5, 5)); w = np.ones((4, 2, 3, 3))
    >>> deform_conv2d(x, np.zeros((1, 18, 3, 3)), w).shape
    (1, 4, 3, 3)
    """
    x, w, b = check_operands(2, input, weight, bias)
    off = _check_like_input(offset, x, "offset")
    m = None if mask is None else _check_like_input(mask, x, "mask")
    n, c = x.shape[:2]
    o, cw, kh, kw = w.shape
    if c % cw:
        raise ValueError(f"weight.shape[1] must divide the input channels (weight groups = "
                         f"C // weight.shape[1]); got weight with shape {w.shape} and input "
                         f"with {c} channels")
    wgroups = c // cw
    if o % wgroups:
        raise ValueError(f"weight groups must divide out_channels; got {wgroups} weight groups "
                         f"(input channels {c} // weight.shape[1] {cw}) and out_channels={o}")
    check_bias(b, o)
    stride = _args.positive_tuple(stride, 2, "stride")
    dilation = _args.positive_tuple(dilation, 2, "dilation")
    padding = _args.int_tuple(padding, 2, "padding", minimum=0)
    out_size = shapes.conv_output_size(x.shape[2:], (kh, kw), stride,
                                       tuple((p, p) for p in padding), dilation)
    taps = kh * kw
    if off.shape[1] == 0 or off.shape[1] % (2 * taps):
        raise ValueError(f"offset must have 2*kh*kw*offset_groups channels, a positive multiple "
                         f"of 2*{kh}*{kw}={2 * taps}; got offset with shape {off.shape}")
    groups = off.shape[1] // (2 * taps)
    if c % groups:
        raise ValueError(f"offset groups must divide the input channels; got "
                         f"offset_groups={groups} (offset.shape[1]={off.shape[1]} = "
                         f"2*{kh}*{kw}*{groups}) and input with {c} channels")
    _args.check_shape(off.shape, (n, 2 * groups * taps) + tuple(out_size), "offset",
                      "(N, 2*offset_groups*kh*kw, H_out, W_out)")
    if m is not None:
        _args.check_shape(m.shape, (n, groups * taps) + tuple(out_size), "mask",
                          "(N, offset_groups*kh*kw, H_out, W_out)")
    return DeformConv2dFn.apply(x, off, w, b, m, stride=stride, padding=padding,
                                dilation=dilation)


__all__ = ["deform_conv2d"]
