"""Differentiable activations and softmax over the kernels of ``convzoo.ops.activation``.

Each takes a Tensor or array and returns a Tensor of the same shape and dtype;
integer input to an activation other than ``relu`` is computed in float32.
"""

from __future__ import annotations

import numpy as np

from .. import _args
from ..autograd import Function, Tensor, as_tensor
from ..ops import activation as ops
from .basic import _floating

__all__ = ["relu", "leaky_relu", "prelu", "relu6", "hardsigmoid", "hardswish", "sigmoid", "tanh",
           "softmax", "log_softmax"]


def _same_shape(x, **params):
    """Shape rule of an elementwise op: the output is shaped like the input."""
    return x


def _elementwise(name: str, forward, backward, from_output: bool = False) -> type[Function]:
    """A Function for ``forward(x, **params)`` whose VJP is ``backward(grad, saved, **params)``.

    ``saved`` is the output when ``from_output`` (sigmoid, tanh) else the input.
    """

    def fwd(ctx, x, **params):
        out = np.asarray(forward(x, **params), dtype=x.dtype)
        ctx.save_for_backward(out if from_output else x)
        ctx.params = params
        return out

    def bwd(ctx, grad):
        return backward(grad, ctx.saved[0], **ctx.params)

    return type(name, (Function,), {"forward": staticmethod(fwd), "backward": staticmethod(bwd),
                                    "infer": staticmethod(_same_shape),
                                    "__doc__": f"Elementwise {name.lower()}."})


# ReLU and ReLU6 keep their output, not their input, for the gradient (the masks are the same):
# the output is also what the next layer keeps, so conv→BN→ReLU stores one array, not two.
ReLU = _elementwise("ReLU", ops.relu_forward, ops.relu_backward, from_output=True)
LeakyReLU = _elementwise("LeakyReLU", ops.leaky_relu_forward, ops.leaky_relu_backward)
ReLU6 = _elementwise("ReLU6", ops.relu6_forward, ops.relu6_backward, from_output=True)
Hardsigmoid = _elementwise("Hardsigmoid", ops.hardsigmoid_forward, ops.hardsigmoid_backward)
Hardswish = _elementwise("Hardswish", ops.hardswish_forward, ops.hardswish_backward)
Sigmoid = _elementwise("Sigmoid", ops.sigmoid_forward, ops.sigmoid_backward, from_output=True)
Tanh = _elementwise("Tanh", np.tanh, ops.tanh_backward, from_output=True)
Softmax = _elementwise("Softmax", ops.softmax_forward, ops.softmax_backward, from_output=True)
LogSoftmax = _elementwise("LogSoftmax", ops.log_softmax_forward, ops.log_softmax_backward,
                          from_output=True)


class PReLU(Function):
    """Parametric ReLU with a learnt slope per channel."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.save_for_backward(x, weight)
        return ops.prelu_forward(x, weight)

    @staticmethod
    def backward(ctx, grad):
        return ops.prelu_backward(grad, *ctx.saved, needs=ctx.needs_input_grad)

    @staticmethod
    def infer(x, weight):
        return x


def relu(input) -> Tensor:
    """Rectified linear unit ``max(x, 0)``; the gradient at 0 is 0, as PyTorch.

    Args:
        input: Tensor or array, any shape.

    Returns:
        Tensor of the same shape and dtype.

    >>> import numpy as np
    >>> relu(np.array([-1.0, 2.0])).numpy()
    array([0., 2.])
    """
    return ReLU.apply(as_tensor(input))


def leaky_relu(input, negative_slope: float = 0.01) -> Tensor:
    """``x`` for ``x > 0``, ``negative_slope·x`` otherwise.

    Raises:
        TypeError: negative_slope is not a real number.

    >>> import numpy as np
    >>> leaky_relu(np.array([-2.0, 3.0]), 0.5).numpy()
    array([-1.,  3.])
    """
    slope = _args.check_real(negative_slope, "negative_slope")
    return LeakyReLU.apply(_floating(input), negative_slope=slope)


def prelu(input, weight) -> Tensor:
    """Parametric ReLU: ``x`` for ``x > 0``, ``weight[c]·x`` otherwise (MobileFaceNet).

    Args:
        input: (N, C, *) Tensor or array (channel axis 1; a 0-d or 1-d input has one channel).
        weight: (C,) slopes, or (1,) shared by all channels; same dtype as input.

    Returns:
        Tensor of the input's shape; gradients for input and weight.

    Raises:
        ValueError: weight is not (1,) or (C,).
        TypeError: non-float or mixed dtypes.

    >>> import numpy as np
    >>> prelu(np.array([[-2.0, 1.0]]), np.array([0.25, 0.25])).numpy()
    array([[-0.5,  1. ]])
    """
    x, w = _floating(input), as_tensor(weight)
    _args.check_float(w.dtype, "weight")
    _args.check_same_dtype(x.dtype, w.dtype, "input", "weight")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.shape != (1,):
        _args.check_shape(w.shape, (channels,), "weight",
                          "(channels,) = input.shape[1:2] or (1,)")
    return PReLU.apply(x, w)


def relu6(input) -> Tensor:
    """``min(max(x, 0), 6)`` (MobileNetV2).

    >>> import numpy as np
    >>> relu6(np.array([-1.0, 3.0, 9.0])).numpy()
    array([0., 3., 6.])
    """
    return ReLU6.apply(_floating(input))


def hardsigmoid(input) -> Tensor:
    """``relu6(x + 3)/6``, the piecewise-linear sigmoid of MobileNetV3.

    >>> import numpy as np
    >>> hardsigmoid(np.array([-3.0, 0.0, 3.0])).numpy()
    array([0. , 0.5, 1. ])
    """
    return Hardsigmoid.apply(_floating(input))


def hardswish(input) -> Tensor:
    """``x·relu6(x + 3)/6`` (MobileNetV3).

    >>> import numpy as np
    >>> hardswish(np.array([-4.0, 1.0, 4.0])).numpy()
    array([-0.        ,  0.66666667,  4.        ])
    """
    return Hardswish.apply(_floating(input))


def sigmoid(input) -> Tensor:
    """Logistic function ``1/(1 + exp(-x))``, overflow-free for large ``|x|``.

    >>> import numpy as np
    >>> sigmoid(np.array([0.0])).numpy()
    array([0.5])
    """
    return Sigmoid.apply(_floating(input))


def tanh(input) -> Tensor:
    """Hyperbolic tangent.

    >>> import numpy as np
    >>> tanh(np.array([0.0])).numpy()
    array([0.])
    """
    return Tanh.apply(_floating(input))


def softmax(input, axis: int = -1) -> Tensor:
    """Softmax along ``axis`` (max-shifted, so large logits do not overflow).

    Args:
        input: float Tensor or array.
        axis: the axis that sums to one.

    Returns:
        Tensor of the input's shape.

    Raises:
        ValueError: axis out of range. TypeError: non-float input.

    >>> import numpy as np
    >>> softmax(np.array([[0.0, 0.0]])).numpy()
    array([[0.5, 0.5]])
    """
    x = as_tensor(input)
    _args.check_float(x.dtype, "input")
    return Softmax.apply(x, axis=_args.normalize_axis(axis, x.ndim) if x.ndim else None)


def log_softmax(input, axis: int = -1) -> Tensor:
    """``log(softmax(x))`` computed as ``x - logsumexp(x)`` (stable).

    Args, Returns, Raises: as ``softmax``.

    >>> import numpy as np
    >>> log_softmax(np.array([0.0, 0.0])).numpy()
    array([-0.69314718, -0.69314718])
    """
    x = as_tensor(input)
    _args.check_float(x.dtype, "input")
    return LogSoftmax.apply(x, axis=_args.normalize_axis(axis, x.ndim) if x.ndim else None)
