"""Differentiable basics: arithmetic, reductions, shape ops, indexing, linear, channel shuffle.

``Tensor``'s operators (``+ - * / ** @ []``, ``.sum``, ``.mean``, ``.reshape``,
``.flatten``) call the functions here. Operands may be Tensors, NumPy arrays or
Python/NumPy scalars on either side. Promotion follows PyTorch: floating
operands keep their precision (float32 with float64 gives float64); a scalar
takes the dtype of the array it meets; an integer array meeting a float takes
the float's dtype (a Python float with integers gives float32). Gradients come
back in each operand's own dtype. The NumPy kernels are in ``convzoo.ops.basic``.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import _args
from ..autograd import Function, Tensor, as_tensor, meta_array
from ..ops import basic as ops

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "matmul", "getitem", "sum", "mean", "reshape",
    "flatten", "transpose", "concat", "stack", "exp", "log", "sqrt", "linear", "channel_shuffle",
]


# --- operand promotion ------------------------------------------------------------------------

def _is_scalar(value) -> bool:
    return not isinstance(value, (Tensor, np.ndarray)) and np.ndim(value) == 0


def _binary(a, b, true_divide: bool = False) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of compatible dtypes (PyTorch promotion, see module doc)."""
    ta = None if _is_scalar(a) else as_tensor(a)
    tb = None if _is_scalar(b) else as_tensor(b)
    if ta is None and tb is None:
        ta, tb = as_tensor(a), as_tensor(b)
    strong = [t.dtype for t in (ta, tb) if t is not None]
    floats = [d for d in strong if d.kind == "f"]
    scalar_float = any(t is None and isinstance(v, (float, np.floating))
                       for t, v in ((ta, a), (tb, b)))
    if floats:
        dtype = np.result_type(*floats)
    elif scalar_float:
        dtype = np.dtype(np.float32)
    else:
        ints = [d for d in strong if d.kind in "iu"]
        dtype = np.result_type(*ints) if ints else np.dtype(np.int64 if len(strong) < 2 else bool)
    if true_divide and dtype.kind != "f":
        dtype = np.dtype(np.float32)

    def cast(t, v):
        if t is None:
            return Tensor(np.asarray(v, dtype=dtype))
        if t.dtype.kind != "f" and t.dtype != dtype:
            return Tensor(t.data.astype(dtype))  # integer tensors never require grad
        return t

    return cast(ta, a), cast(tb, b)


def _floating(x) -> Tensor:
    """``x`` as a Tensor; integer data becomes float32 (as PyTorch's exp, log, ...)."""
    t = as_tensor(x)
    return t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32))


# --- arithmetic -------------------------------------------------------------------------------

class Add(Function):
    """``a + b`` with broadcasting."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.meta = (a.shape, a.dtype, b.shape, b.dtype)
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return ops.add_backward(grad, *ctx.meta)

    infer = staticmethod(lambda a, b: _infer_broadcast(a, b))


class Sub(Function):
    """``a - b`` with broadcasting."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.meta = (a.shape, a.dtype, b.shape, b.dtype)
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return ops.sub_backward(grad, *ctx.meta)

    infer = staticmethod(lambda a, b: _infer_broadcast(a, b))


class Mul(Function):
    """``a * b`` with broadcasting."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        return ops.mul_backward(grad, *ctx.saved, needs=ctx.needs_input_grad)

    infer = staticmethod(lambda a, b: _infer_broadcast(a, b))


class Div(Function):
    """``a / b`` with broadcasting."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        return ops.div_backward(grad, *ctx.saved, needs=ctx.needs_input_grad)

    infer = staticmethod(lambda a, b: _infer_broadcast(a, b))


class Pow(Function):
    """``x ** p`` for a scalar ``p``."""

    @staticmethod
    def forward(ctx, x, *, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return ops.pow_forward(x, exponent)

    @staticmethod
    def backward(ctx, grad):
        return ops.pow_backward(grad, ctx.saved[0], ctx.exponent)

    @staticmethod
    def infer(x, *, exponent):
        return x


class MatMul(Function):
    """``np.matmul(a, b)``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        return ops.matmul_backward(grad, *ctx.saved, needs=ctx.needs_input_grad)

    @staticmethod
    def infer(a, b):
        a2 = a.shape if a.ndim > 1 else (1,) + a.shape
        b2 = b.shape if b.ndim > 1 else b.shape + (1,)
        shape = np.broadcast_shapes(a2[:-2], b2[:-2]) + (a2[-2], b2[-1])
        if b.ndim == 1:
            shape = shape[:-1]
        if a.ndim == 1:
            shape = shape[:-2] + shape[-1:] if b.ndim > 1 else shape[:-1]
        return meta_array(shape, np.result_type(a.dtype, b.dtype))


def _infer_broadcast(a, b) -> np.ndarray:
    """Shape rule of the broadcasting binary ops (a placeholder of the result)."""
    return meta_array(np.broadcast_shapes(a.shape, b.shape), np.result_type(a.dtype, b.dtype))


def add(a, b) -> Tensor:
    """Elementwise ``a + b`` with NumPy broadcasting; gradients reach both operands.

    Args:
        a, b: Tensors, arrays or scalars of broadcastable shapes.

    Returns:
        Tensor of the broadcast shape.

    Raises:
        ValueError: the shapes do not broadcast.

    >>> import numpy as np
    >>> add(np.ones((2, 3)), np.arange(3.0)).shape
    (2, 3)
    """
    ta, tb = _binary(a, b)
    _broadcast_shape(ta, tb)
    return Add.apply(ta, tb)


def sub(a, b) -> Tensor:
    """Elementwise ``a - b`` with broadcasting; see ``add``.

    >>> import numpy as np
    >>> sub(5.0, np.ones(2)).numpy()
    array([4., 4.])
    """
    ta, tb = _binary(a, b)
    _broadcast_shape(ta, tb)
    return Sub.apply(ta, tb)


def mul(a, b) -> Tensor:
    """Elementwise ``a * b`` with broadcasting; see ``add``.

    >>> import numpy as np
    >>> mul(np.full((2, 1), 2.0), np.ones(3)).shape
    (2, 3)
    """
    ta, tb = _binary(a, b)
    _broadcast_shape(ta, tb)
    return Mul.apply(ta, tb)


def div(a, b) -> Tensor:
    """Elementwise true division ``a / b`` (integers give float32); see ``add``.

    >>> import numpy as np
    >>> div(np.array([1, 2]), 2).numpy()
    array([0.5, 1. ], dtype=float32)
    """
    ta, tb = _binary(a, b, true_divide=True)
    _broadcast_shape(ta, tb)
    return Div.apply(ta, tb)


def neg(x) -> Tensor:
    """``-x``.

    >>> import numpy as np
    >>> neg(np.ones(2)).numpy()
    array([-1., -1.])
    """
    t = as_tensor(x)
    return Mul.apply(t, Tensor(np.asarray(-1, dtype=t.dtype)))


def pow(x, exponent) -> Tensor:
    """``x ** exponent`` elementwise for a real scalar exponent.

    Args:
        x: Tensor or array; integer data with a negative or fractional exponent
            is computed in float32.
        exponent: a real number.

    Returns:
        Tensor of x's shape.

    Raises:
        TypeError: exponent is not a real scalar.

    >>> import numpy as np
    >>> pow(np.array([2.0, 3.0]), 2).numpy()
    array([4., 9.])
    """
    exponent = _args.check_real(exponent, "exponent")
    t = as_tensor(x)
    if t.dtype.kind != "f" and (exponent < 0 or exponent != int(exponent)):
        t = _floating(t)
    return Pow.apply(t, exponent=exponent)


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's ``matmul`` rules (1-d operands, broadcast batch dims).

    Args:
        a: (..., n, k) or (k,). b: (..., k, m) or (k,).

    Returns:
        Tensor (..., n, m) (1-d operands drop their axis).

    Raises:
        ValueError: a 0-d operand, inner sizes differ, or batch dims do not broadcast.

    >>> import numpy as np
    >>> matmul(np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    """
    ta, tb = _binary(a, b)
    if ta.ndim == 0 or tb.ndim == 0:
        raise ValueError(f"matmul needs operands with at least 1 dimension; got shapes "
                         f"{ta.shape} and {tb.shape}")
    inner_b = tb.shape[0] if tb.ndim == 1 else tb.shape[-2]
    if ta.shape[-1] != inner_b:
        raise ValueError(f"matmul inner sizes must match: a.shape[-1]={ta.shape[-1]} vs "
                         f"{inner_b} in b; got shapes {ta.shape} and {tb.shape}")
    try:
        np.broadcast_shapes(ta.shape[:-2], tb.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul batch dimensions do not broadcast; got shapes {ta.shape} and "
                         f"{tb.shape}") from None
    return MatMul.apply(ta, tb)


def _broadcast_shape(ta: Tensor, tb: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(ta.shape, tb.shape)
    except ValueError:
        raise ValueError(f"operands do not broadcast together; got shapes {ta.shape} and "
                         f"{tb.shape}") from None


# --- unary math -------------------------------------------------------------------------------

class Exp(Function):
    """Elementwise ``exp``."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return ops.exp_backward(grad, ctx.saved[0])

    infer = staticmethod(lambda x: x)


class Log(Function):
    """Elementwise natural ``log``."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        return ops.log_backward(grad, ctx.saved[0])

    infer = staticmethod(lambda x: x)


class Sqrt(Function):
    """Elementwise ``sqrt``."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return ops.sqrt_backward(grad, ctx.saved[0])

    infer = staticmethod(lambda x: x)


def exp(x) -> Tensor:
    """Elementwise ``e**x`` (integers give float32).

    >>> import numpy as np
    >>> exp(np.zeros(2)).numpy()
    array([1., 1.])
    """
    return Exp.apply(_floating(x))


def log(x) -> Tensor:
    """Elementwise natural logarithm (``-inf`` at 0, ``nan`` below, as NumPy).

    >>> import numpy as np
    >>> log(np.ones(2)).numpy()
    array([0., 0.])
    """
    return Log.apply(_floating(x))


def sqrt(x) -> Tensor:
    """Elementwise square root.

    >>> import numpy as np
    >>> sqrt(np.array([4.0, 9.0])).numpy()
    array([2., 3.])
    """
    return Sqrt.apply(_floating(x))


# --- reductions -------------------------------------------------------------------------------

class Sum(Function):
    """Sum over axes."""

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.meta = (x.shape, axes, keepdims)
        return np.asarray(x.sum(axis=axes, keepdims=keepdims))

    @staticmethod
    def backward(ctx, grad):
        return ops.sum_backward(grad, *ctx.meta)

    @staticmethod
    def infer(x, *, axes, keepdims):
        return meta_array(_reduced_shape(x.shape, axes, keepdims),
                          np.zeros(1, dtype=x.dtype).sum().dtype)


class Mean(Function):
    """Mean over axes."""

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.meta = (x.shape, axes, keepdims)
        return np.asarray(x.mean(axis=axes, keepdims=keepdims), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return ops.mean_backward(grad, *ctx.meta)

    @staticmethod
    def infer(x, *, axes, keepdims):
        return meta_array(_reduced_shape(x.shape, axes, keepdims), x.dtype)


def _reduced_shape(shape, axes, keepdims) -> tuple[int, ...]:
    """Shape after reducing ``axes`` (None: all), keeping them as 1 with ``keepdims``."""
    axes = range(len(shape)) if axes is None else axes
    axes = {a % len(shape) for a in ((axes,) if isinstance(axes, int) else axes)}
    return tuple(1 if i in axes else d for i, d in enumerate(shape)
                 if keepdims or i not in axes)


def sum(x, axis=None, keepdims=False) -> Tensor:
    """Sum of the elements over ``axis`` (an int, a tuple, or None for all).

    Args:
        x: Tensor or array of any shape.
        axis: axes to reduce; negative values count from the end.
        keepdims: keep the reduced axes with size 1.

    Returns:
        Tensor with the reduced axes removed (or of size 1).

    Raises:
        ValueError: an axis out of range or repeated.

    >>> import numpy as np
    >>> sum(np.ones((2, 3)), axis=1).numpy()
    array([3., 3.])
    """
    t = as_tensor(x)
    axes = _args.normalize_axes(axis, t.ndim)
    return Sum.apply(t, axes=axes, keepdims=bool(keepdims))


def mean(x, axis=None, keepdims=False) -> Tensor:
    """Mean over ``axis``; see ``sum``.

    Raises:
        TypeError: x is not floating point (as PyTorch).

    >>> import numpy as np
    >>> mean(np.arange(4.0).reshape(2, 2), axis=0).numpy()
    array([1., 2.])
    """
    t = as_tensor(x)
    _args.check_float(t.dtype, "input")
    axes = _args.normalize_axes(axis, t.ndim)
    return Mean.apply(t, axes=axes, keepdims=bool(keepdims))


# --- shape ops --------------------------------------------------------------------------------

class Reshape(Function):
    """Reshape to a resolved shape."""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)

    @staticmethod
    def infer(x, *, shape):
        return meta_array(shape, x.dtype)


class Transpose(Function):
    """Permute axes."""

    @staticmethod
    def forward(ctx, x, *, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return ops.transpose_backward(grad, ctx.axes)

    @staticmethod
    def infer(x, *, axes):
        return x.transpose(axes)


class Concat(Function):
    """Concatenate along an axis."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.meta = ([a.shape[axis] for a in arrays], [a.dtype for a in arrays], axis)
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        sizes, dtypes, axis = ctx.meta
        parts = ops.concat_backward(grad, sizes, axis)
        return tuple(p.astype(d, copy=False) for p, d in zip(parts, dtypes, strict=True))

    @staticmethod
    def infer(*arrays, axis):
        shape = list(arrays[0].shape)
        shape[axis] = builtins.sum(a.shape[axis] for a in arrays)
        return meta_array(shape, np.result_type(*(a.dtype for a in arrays)))


class Stack(Function):
    """Stack along a new axis."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.meta = ([a.dtype for a in arrays], axis)
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        dtypes, axis = ctx.meta
        parts = ops.stack_backward(grad, len(dtypes), axis)
        return tuple(p.astype(d, copy=False) for p, d in zip(parts, dtypes, strict=True))

    @staticmethod
    def infer(*arrays, axis):
        shape = arrays[0].shape[:axis] + (len(arrays),) + arrays[0].shape[axis:]
        return meta_array(shape, np.result_type(*(a.dtype for a in arrays)))


class GetItem(Function):
    """NumPy indexing, basic or advanced."""

    @staticmethod
    def forward(ctx, x, *, index):
        ctx.meta = (x.shape, x.dtype, index)
        return np.asarray(x[index])

    @staticmethod
    def backward(ctx, grad):
        shape, dtype, index = ctx.meta
        return ops.getitem_backward(grad, shape, dtype, index)

    @staticmethod
    def infer(x, *, index):
        return np.asarray(x[index])   # a view of the placeholder for basic indexing


def reshape(x, shape) -> Tensor:
    """Differentiable reshape; one entry of ``shape`` may be -1.

    Args:
        x: Tensor or array.
        shape: int or sequence of ints whose product is ``x.size``.

    Returns:
        Tensor of the new shape (a view of the data where NumPy allows).

    Raises:
        ValueError: the sizes do not match or more than one -1.

    >>> import numpy as np
    >>> reshape(np.arange(6.0), (2, -1)).shape
    (2, 3)
    """
    t = as_tensor(x)
    target = _args.reshape_target(shape, t.size)
    return Reshape.apply(t, shape=target)


def flatten(x, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (the batch axis is kept by default).

    Args:
        x: (N, *) Tensor or array.
        start_dim, end_dim: first and last dims to merge (negative counts from the end).

    Returns:
        Tensor, e.g. (N, C·H·W) for (N, C, H, W).

    Raises:
        ValueError: a dim out of range or start_dim after end_dim.

    >>> import numpy as np
    >>> flatten(np.ones((2, 3, 4, 5))).shape
    (2, 60)
    """
    t = as_tensor(x)
    ndim = max(t.ndim, 1)
    start = _args.normalize_axis(start_dim, ndim, "start_dim")
    end = _args.normalize_axis(end_dim, ndim, "end_dim")
    if start > end:
        raise ValueError(f"start_dim must not come after end_dim; got start_dim={start_dim}, "
                         f"end_dim={end_dim} for an input with shape {t.shape}")
    shape = t.shape if t.ndim else (1,)
    merged = int(np.prod(shape[start:end + 1], dtype=np.int64))
    return Reshape.apply(t, shape=shape[:start] + (merged,) + shape[end + 1:])


def transpose(x, axes=None) -> Tensor:
    """Permute the axes (NumPy's ``transpose``; all reversed when ``axes`` is None).

    Args:
        x: Tensor or array.
        axes: a permutation of ``range(x.ndim)``.

    Returns:
        Tensor with ``shape[i] = x.shape[axes[i]]``.

    Raises:
        ValueError: axes is not a permutation of the dims.

    >>> import numpy as np
    >>> transpose(np.ones((2, 3, 4)), (2, 0, 1)).shape
    (4, 2, 3)
    """
    t = as_tensor(x)
    perm = tuple(reversed(range(t.ndim))) if axes is None else _args.check_permutation(axes, t.ndim)
    return Transpose.apply(t, axes=perm)


def _operand_list(tensors, name: str) -> list[Tensor]:
    if isinstance(tensors, (Tensor, np.ndarray)) or not hasattr(tensors, "__len__"):
        raise TypeError(f"{name} must be a list or tuple of Tensors or arrays; "
                        f"got {name} of type {type(tensors).__name__}")
    items = [as_tensor(t) for t in tensors]
    if not items:
        raise ValueError(f"{name} must not be empty")
    floats = [t.dtype for t in items if t.dtype.kind == "f"]
    dtype = np.result_type(*(floats or [t.dtype for t in items]))
    return [t if t.dtype.kind == "f" or t.dtype == dtype else Tensor(t.data.astype(dtype))
            for t in items]


def concat(tensors, axis: int = 1) -> Tensor:
    """Join tensors along ``axis`` (the channel axis by default: DenseNet, Inception).

    Args:
        tensors: a non-empty list of Tensors/arrays with equal shapes except along ``axis``.
        axis: the axis to join along.

    Returns:
        Tensor; every input receives its slice of the gradient.

    Raises:
        ValueError: empty list, differing ndim, or sizes differing off ``axis``.

    >>> import numpy as np
    >>> concat([np.ones((1, 2, 4, 4)), np.ones((1, 3, 4, 4))]).shape
    (1, 5, 4, 4)
    """
    items = _operand_list(tensors, "tensors")
    ndim = items[0].ndim
    for i, t in enumerate(items):
        _args.check_ndim(t.shape, ndim, f"tensors[{i}]")
    axis = _args.normalize_axis(axis, ndim)
    first = items[0].shape
    for i, t in enumerate(items[1:], 1):
        if t.shape[:axis] + t.shape[axis + 1:] != first[:axis] + first[axis + 1:]:
            raise ValueError(f"tensors must match in every dim except axis={axis}; got "
                             f"tensors[0] with shape {first} and tensors[{i}] with shape "
                             f"{t.shape}")
    return Concat.apply(*items, axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    """Stack equal-shaped tensors along a new ``axis``.

    Args:
        tensors: a non-empty list of Tensors/arrays of one shape.
        axis: position of the new axis in the result.

    Returns:
        Tensor with one more dim.

    Raises:
        ValueError: empty list or differing shapes.

    >>> import numpy as np
    >>> stack([np.ones(3), np.zeros(3)]).shape
    (2, 3)
    """
    items = _operand_list(tensors, "tensors")
    for i, t in enumerate(items[1:], 1):
        _args.check_shape(t.shape, items[0].shape, f"tensors[{i}]", "(the shape of tensors[0])")
    axis = _args.normalize_axis(axis, items[0].ndim + 1)
    return Stack.apply(*items, axis=axis)


def _plain_index(index):
    """Replace Tensors in an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def getitem(x, index) -> Tensor:
    """``x[index]`` with NumPy semantics: basic slicing or advanced (integer/Boolean) indexing.

    The gradient scatter-adds into the selected cells, so an index repeating a
    cell accumulates its gradient.

    Args:
        x: Tensor or array.
        index: anything NumPy accepts; Tensors are used by value.

    Returns:
        Tensor of the selected cells.

    Raises:
        IndexError: the index is out of range (from NumPy).

    >>> import numpy as np
    >>> getitem(np.arange(6.0).reshape(2, 3), (slice(None), [0, 0])).numpy()
    array([[0., 0.],
           [3., 3.]])
    """
    return GetItem.apply(as_tensor(x), index=_plain_index(index))


# --- linear and channel shuffle ----------------------------------------------------------------

class Linear(Function):
    """``x·Wᵀ + b``."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return ops.linear_forward(x, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved
        return ops.linear_backward(grad, x, weight, ctx.has_bias, needs=ctx.needs_input_grad)

    @staticmethod
    def infer(x, weight, bias):
        return meta_array(x.shape[:-1] + weight.shape[:1], x.dtype)


class ChannelShuffle(Function):
    """ShuffleNet channel shuffle."""

    @staticmethod
    def forward(ctx, x, *, groups):
        ctx.groups = groups
        return ops.channel_shuffle_forward(x, groups)

    @staticmethod
    def backward(ctx, grad):
        return ops.channel_shuffle_backward(grad, ctx.groups)

    @staticmethod
    def infer(x, *, groups):
        return x


def linear(input, weight, bias=None) -> Tensor:
    """Fully connected layer ``y = input·weightᵀ + bias`` (PyTorch layout).

    Args:
        input: (*, in_features), float.
        weight: (out_features, in_features), same dtype.
        bias: (out_features,) or None.

    Returns:
        Tensor (*, out_features).

    Raises:
        ValueError: wrong ndim or shapes that do not fit together.
        TypeError: non-float or mixed dtypes.

    >>> import numpy as np
    >>> linear(np.ones((4, 3)), np.ones((2, 3)), np.zeros(2)).shape
    (4, 2)
    """
    x, w = as_tensor(input), as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    if x.ndim < 1:
        raise ValueError(f"input must have at least 1 dimension; got input with shape {x.shape}")
    _args.check_ndim(w.shape, 2, "weight")
    _args.check_float(x.dtype, "input")
    _args.check_float(w.dtype, "weight")
    _args.check_same_dtype(x.dtype, w.dtype, "input", "weight")
    _args.check_shape(w.shape, (w.shape[0], x.shape[-1]), "weight",
                      f"(out_features, in_features) with in_features = input.shape[-1] "
                      f"= {x.shape[-1]}")
    if b is not None:
        _args.check_same_dtype(x.dtype, b.dtype, "input", "bias")
        _args.check_shape(b.shape, (w.shape[0],), "bias", "(out_features,)")
    return Linear.apply(x, w, b)


def channel_shuffle(input, groups: int) -> Tensor:
    """ShuffleNet channel shuffle: interleave the channels of ``groups`` groups.

    Channel ``i·(C/g) + j`` of the input becomes channel ``j·g + i``, so the next
    grouped convolution sees channels from every group.

    Args:
        input: (N, C, H, W) (also (N, C, L) or (N, C, D, H, W)).
        groups: g, dividing C.

    Returns:
        Tensor of the input's shape.

    Raises:
        ValueError: wrong ndim or groups not dividing C.

    >>> import numpy as np
    >>> channel_shuffle(np.arange(6.0).reshape(1, 6, 1, 1), 2).numpy().ravel()
    array([0., 3., 1., 4., 2., 5.])
    """
    x = as_tensor(input)
    _args.check_ndim(x.shape, (3, 4, 5), "input")
    groups = _args.positive_int(groups, "groups")
    if x.shape[1] % groups:
        raise ValueError(f"groups must divide the channels; got groups={groups}, "
                         f"channels={x.shape[1]}")
    return ChannelShuffle.apply(x, groups=groups)
