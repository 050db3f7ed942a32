"""Differentiable convolutions: conv1d/2d/3d and transposed conv1d/2d/3d.

Each public function checks its arguments once (clear ``ValueError``/``TypeError``
naming the argument), resolves the padding through ``convzoo.shapes`` and runs a
``Function`` whose forward and backward are the NumPy kernels of ``convzoo.ops``.
"""

from __future__ import annotations

import numpy as np

from .. import _args, shapes
from ..autograd import Function, Tensor, as_tensor, meta_array
from ..ops.conv import conv_backward, conv_forward
from ..ops.transpose import conv_transpose_backward, conv_transpose_forward


class ConvNd(Function):
    """Cross-correlation (or true convolution with ``flip_kernel``) in any dimension."""

    @staticmethod
    def forward(ctx, x, weight, bias, *, stride, padding, dilation, groups, flip_kernel):
        ctx.save_for_backward(x, weight)
        ctx.params = (bias is not None, stride, padding, dilation, groups, flip_kernel)
        return conv_forward(x, weight, bias, stride, padding, dilation, groups, flip_kernel)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved
        has_bias, stride, padding, dilation, groups, flip = ctx.params
        return conv_backward(grad, x, weight, has_bias, stride, padding, dilation, groups, flip,
                             needs=ctx.needs_input_grad)

    @staticmethod
    def infer(x, weight, bias, *, stride, padding, dilation, groups, flip_kernel):
        size = shapes.conv_output_size(x.shape[2:], weight.shape[2:], stride, padding, dilation)
        return meta_array(x.shape[:1] + weight.shape[:1] + tuple(size), x.dtype)


class ConvTransposeNd(Function):
    """Transposed convolution in any dimension."""

    @staticmethod
    def forward(ctx, x, weight, bias, *, stride, padding, output_padding, dilation, groups):
        ctx.save_for_backward(x, weight)
        ctx.params = (bias is not None, stride, padding, output_padding, dilation, groups)
        return conv_transpose_forward(x, weight, bias, stride, padding, output_padding, dilation,
                                      groups)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved
        return conv_transpose_backward(grad, x, weight, *ctx.params, needs=ctx.needs_input_grad)

    @staticmethod
    def infer(x, weight, bias, *, stride, padding, output_padding, dilation, groups):
        size = shapes.conv_transpose_output_size(x.shape[2:], weight.shape[2:], stride, padding,
                                                 output_padding, dilation)
        return meta_array((x.shape[0], weight.shape[1] * groups) + tuple(size), x.dtype)


def check_operands(n: int, input, weight, bias):
    """Tensors for input/weight/bias of an ``n``-d conv, with dtype, ndim and size checks.

    Args:
        n: spatial dims; input and weight must have ``n + 2`` dims.
        input, weight, bias: arrays or Tensors (bias may be None).

    Returns:
        ``(x, w, b)`` Tensors (``b`` None when bias is None).

    Raises:
        TypeError: non-float or mismatched dtypes. ValueError: wrong ndim, zero-size dims.

    >>> import numpy as np
    >>> check_operands(1, np.ones((1, 2, 5)), np.ones((3, 2, 3)), None)[1].shape
    (3, 2, 3)
    """
    x, w = as_tensor(input), as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    # dtype first: a string or None becomes a 0-d non-float array, and "must be
    # floating point" says more about that mistake than "must be 4-dimensional"
    _args.check_float(x.dtype, "input")
    _args.check_float(w.dtype, "weight")
    _args.check_ndim(x.shape, n + 2, "input")
    _args.check_ndim(w.shape, n + 2, "weight")
    _args.check_same_dtype(x.dtype, w.dtype, "input", "weight")
    if 0 in x.shape:
        raise ValueError(f"input must not have a zero-size dimension; "
                         f"got input with shape {x.shape}")
    if 0 in w.shape:
        raise ValueError(f"weight must not have a zero-size dimension; "
                         f"got weight with shape {w.shape}")
    if b is not None:
        _args.check_float(b.dtype, "bias")
        _args.check_same_dtype(x.dtype, b.dtype, "input", "bias")
    return x, w, b


def check_bias(bias, out_channels: int) -> None:
    """Raise ``ValueError`` unless ``bias`` is None or has shape ``(out_channels,)``.

    >>> check_bias(None, 4)
    """
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"bias must have shape ({out_channels},) to match the output channels; "
                         f"got bias with shape {bias.shape}")


def _check_groups(groups, in_channels: int, out_channels: int, name_out: str = "out_channels"):
    groups = _args.positive_int(groups, "groups")
    if in_channels % groups:
        raise ValueError(f"groups must divide in_channels; got groups={groups}, "
                         f"in_channels={in_channels}")
    if out_channels % groups:
        raise ValueError(f"groups must divide {name_out}; got groups={groups}, "
                         f"{name_out}={out_channels}")
    return groups


def _conv(n, input, weight, bias, stride, padding, dilation, groups, flip_kernel) -> Tensor:
    x, w, b = check_operands(n, input, weight, bias)
    groups = _check_groups(groups, x.shape[1], w.shape[0])
    check_bias(b, w.shape[0])
    if w.shape[1] * groups != x.shape[1]:
        raise ValueError(
            f"weight expects {w.shape[1] * groups} input channels (weight.shape[1]={w.shape[1]} "
            f"x groups={groups}); got input with {x.shape[1]} channels, shape {x.shape}")
    stride = _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    pads = shapes.resolve_padding(padding, x.shape[2:], w.shape[2:], stride, dilation)
    shapes.conv_output_size(x.shape[2:], w.shape[2:], stride, pads, dilation)  # raises if too small
    if not isinstance(flip_kernel, (bool, np.bool_)):
        raise TypeError(f"flip_kernel must be a bool; got flip_kernel={flip_kernel!r}")
    return ConvNd.apply(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups,
                        flip_kernel=bool(flip_kernel))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           flip_kernel=False) -> Tensor:
    """1-d convolution (cross-correlation), PyTorch semantics.

    Args:
        input: (N, C, L). weight: (O, C/groups, K). bias: (O,) or None.
        stride, dilation: int or (s,), each >= 1.
        padding: int, (p,), ((before, after),), or 'valid', 'same', 'same_lower', 'full'.
        groups, flip_kernel: as ``conv2d``.

    Returns:
        Tensor (N, O, L_out).

    Raises:
        ValueError, TypeError: as ``conv2d``.

    >>> import numpy as np
    >>> conv1d(np.ones((1, 1, 7)), np.ones((1, 1, 3)), stride=2, padding="same").shape
    (1, 1, 4)
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups, flip_kernel)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           flip_kernel=False) -> Tensor:
    """2-d convolution (cross-correlation, as every framework computes it).

    Args:
        input: (N, C, H, W) float array or Tensor.
        weight: (O, C/groups, kh, kw).
        bias: (O,) or None.
        stride, dilation: int or (sh, sw), each >= 1.
        padding: int, (ph, pw), ((top, bottom), (left, right)), or 'valid', 'same'
            (SAME_UPPER: output ceil(H/s), odd cell at the end), 'same_lower', 'full'.
        groups: split channels into groups; groups == C is depthwise.
        flip_kernel: rotate the kernel 180° to compute a true convolution.

    Returns:
        Tensor (N, O, H_out, W_out).

    Raises:
        ValueError: wrong ndim, channels not divisible by groups, kernel larger than the
            padded input, bad stride/padding/dilation, bias of the wrong shape.
        TypeError: non-float input or weight, mismatched dtypes, non-bool flip_kernel.

    >>> import numpy as np
    >>> conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2).shape
    (1, 1, 2, 2)
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups, flip_kernel)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           flip_kernel=False) -> Tensor:
    """3-d convolution (cross-correlation), PyTorch semantics.

    Args:
        input: (N, C, D, H, W). weight: (O, C/groups, kd, kh, kw). bias: (O,) or None.
        stride, dilation: int or 3 ints. padding: int, 3 ints, 3 (before, after) pairs, or a
            mode as in ``conv2d``. groups, flip_kernel: as ``conv2d``.

    Returns:
        Tensor (N, O, D_out, H_out, W_out).

    Raises:
        ValueError, TypeError: as ``conv2d``.

    >>> import numpy as np
    >>> conv3d(np.ones((1, 2, 4, 5, 6)), np.ones((3, 2, 3, 3, 3)), padding=1).shape
    (1, 3, 4, 5, 6)
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups, flip_kernel)


def _conv_transpose(n, input, weight, bias, stride, padding, output_padding, groups, dilation,
                    output_size) -> Tensor:
    x, w, b = check_operands(n, input, weight, bias)
    groups = _args.positive_int(groups, "groups")
    if w.shape[0] != x.shape[1]:
        raise ValueError(f"weight.shape[0] must equal the input channels; got weight with shape "
                         f"{w.shape} and input with {x.shape[1]} channels")
    if x.shape[1] % groups:
        raise ValueError(f"groups must divide in_channels; got groups={groups}, "
                         f"in_channels={x.shape[1]}")
    check_bias(b, w.shape[1] * groups)
    stride = _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    pads = shapes.resolve_padding(padding, x.shape[2:], w.shape[2:], stride, dilation, modes=())
    if output_size is not None:
        if output_padding is not None and any(_args.int_tuple(output_padding, n, "output_padding")):
            raise ValueError(f"give output_padding or output_size, not both; got "
                             f"output_padding={output_padding!r}, output_size={output_size!r}")
        size = output_size
        if not _args._is_int(output_size):
            size = tuple(output_size.tolist() if isinstance(output_size, np.ndarray)
                         else output_size)
            if len(size) not in (n, n + 2):   # PyTorch also takes the full (N, C, *S) shape
                raise ValueError(f"output_size must have {n} or {n + 2} elements; got "
                                 f"output_size={output_size!r}")
            size = size[-n:]
        output_padding = shapes.output_padding_for_size(x.shape[2:], w.shape[2:], size, stride,
                                                        pads, dilation)
    else:
        output_padding = _args.int_tuple(output_padding, n, "output_padding", minimum=0)
        shapes.conv_transpose_output_size(x.shape[2:], w.shape[2:], stride, pads, output_padding,
                                          dilation)  # raises on bad output_padding / size
    return ConvTransposeNd.apply(x, w, b, stride=stride, padding=pads,
                                 output_padding=output_padding, dilation=dilation, groups=groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, output_size=None) -> Tensor:
    """1-d transposed convolution, PyTorch semantics.

    Args:
        input: (N, C_in, L). weight: (C_in, C_out/groups, K). bias: (C_out,) or None.
        stride, padding, output_padding, groups, dilation, output_size: as
            ``conv_transpose2d``, one value per dim.

    Returns:
        Tensor (N, C_out, (L-1)*s - pads + d*(K-1) + 1 + output_padding).

    Raises:
        ValueError, TypeError: as ``conv_transpose2d``.

    >>> import numpy as np
    >>> conv_transpose1d(np.ones((1, 1, 3)), np.ones((1, 1, 3)), stride=2, output_size=8).shape
    (1, 1, 8)
    """
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation, output_size)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, output_size=None) -> Tensor:
    """2-d transposed convolution (the gradient of conv2d w.r.t. its input), PyTorch semantics.

    Args:
        input: (N, C_in, H, W).
        weight: (C_in, C_out/groups, kh, kw) — PyTorch's transposed layout.
        bias: (C_out,) or None.
        stride, dilation: int or pair. padding: int, pair, or per-side pairs; crops the output.
        output_padding: extra cells at the end, each < max(stride, dilation).
        output_size: alternative to output_padding: the (H_out, W_out) wanted, picked among
            the sizes the stride makes reachable.

    Returns:
        Tensor (N, C_out, (H-1)*s - pads + d*(kh-1) + 1 + output_padding, ...).

    Raises:
        ValueError: wrong ndim, weight.shape[0] != C_in, groups not dividing C_in, a
            padding mode string, output_padding >= max(stride, dilation), output_padding
            and output_size together, an unreachable output_size (the message lists the
            valid range), padding that leaves no output, bias of the wrong shape.
        TypeError: non-float input or weight, mismatched dtypes.

    >>> import numpy as np
    >>> conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2).shape
    (1, 1, 5, 5)
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation, output_size)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, output_size=None) -> Tensor:
    """3-d transposed convolution, PyTorch semantics.

    Args:
        input: (N, C_in, D, H, W). weight: (C_in, C_out/groups, kd, kh, kw).
        bias: (C_out,) or None. stride, padding, output_padding, groups, dilation,
            output_size: as ``conv_transpose2d``, three values per tuple.

    Returns:
        Tensor (N, C_out, D_out, H_out, W_out).

    Raises:
        ValueError, TypeError: as ``conv_transpose2d``.

    >>> import numpy as np
    >>> conv_transpose3d(np.ones((1, 2, 2, 2, 2)), np.ones((2, 1, 3, 3, 3)), stride=2).shape
    (1, 1, 5, 5, 5)
    """
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation, output_size)


__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "check_operands", "check_bias"]
