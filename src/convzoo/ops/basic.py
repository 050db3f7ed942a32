"""Elementwise arithmetic, reductions, shape ops, indexing, ``linear`` and channel shuffle.

Each forward sits beside its vector-Jacobian product. Arguments arrive already
checked by ``convzoo.functional``.

Algorithms:

- Broadcasting: a binary op's output gradient is summed back to each operand's
  shape (``unbroadcast``): first over the leading axes broadcasting prepended,
  then (keeping dims) over the axes where the operand had size 1.
- Reductions: the gradient of ``sum`` is the output gradient broadcast back over
  the reduced axes; ``mean`` divides it by the number of reduced cells.
- Shape ops (reshape, transpose, concat, stack, channel shuffle) move cells
  without arithmetic, so their gradients apply the inverse move.
- Indexing: a basic index (ints, slices, ``None``, ``...``) selects each cell
  at most once, so its gradient is a zero array with the output gradient
  assigned into the view. An advanced index may select a cell many times; the
  same index applied to ``arange(size)`` names the flat source of every output
  cell, and ``np.bincount`` sums the gradient into those sources.
- ``linear``: ``y = x·Wᵀ + b`` on ``x`` flattened to ``(rows, in)``, one GEMM;
  ``dx = dy·W``, ``dW = dyᵀ·x``, ``db = Σ dy``.
- Channel shuffle (ShuffleNet): ``(N, C, *S) -> (N, g, C/g, *S)``, swap the two
  channel axes, flatten back; the gradient does the same with ``C/g`` groups,
  which is the inverse permutation.

Gradients are returned in each operand's own dtype, so a float32 operand mixed
with a float64 one still accumulates a float32 gradient.
"""

from __future__ import annotations

import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...], dtype=None) -> np.ndarray:
    """Sum ``grad`` over the axes broadcasting added or stretched, giving ``shape``.

    Args:
        grad: gradient of a broadcast result.
        shape: the operand's shape before broadcasting.
        dtype: cast the result to this dtype (the operand's), if given.

    Returns:
        Array of ``shape``.
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    grad = grad.reshape(shape)
    return grad if dtype is None else grad.astype(dtype, copy=False)


# --- elementwise arithmetic -------------------------------------------------------------------

def add_backward(grad, a_shape, a_dtype, b_shape, b_dtype):
    """VJP of ``a + b``: ``(dy, dy)`` reduced to each operand."""
    return unbroadcast(grad, a_shape, a_dtype), unbroadcast(grad, b_shape, b_dtype)


def sub_backward(grad, a_shape, a_dtype, b_shape, b_dtype):
    """VJP of ``a - b``: ``(dy, -dy)`` reduced to each operand."""
    return unbroadcast(grad, a_shape, a_dtype), unbroadcast(-grad, b_shape, b_dtype)


def mul_backward(grad, a, b, needs=(True, True)):
    """VJP of ``a * b``: ``(dy·b, dy·a)``."""
    ga = unbroadcast(grad * b, a.shape, a.dtype) if needs[0] else None
    gb = unbroadcast(grad * a, b.shape, b.dtype) if needs[1] else None
    return ga, gb


def div_backward(grad, a, b, needs=(True, True)):
    """VJP of ``a / b``: ``(dy/b, -dy·a/b²)``."""
    ga = unbroadcast(grad / b, a.shape, a.dtype) if needs[0] else None
    gb = unbroadcast(-grad * a / (b * b), b.shape, b.dtype) if needs[1] else None
    return ga, gb


def pow_forward(x: np.ndarray, exponent) -> np.ndarray:
    """``x ** exponent`` for a scalar exponent, in x's dtype."""
    return np.power(x, np.asarray(exponent, dtype=x.dtype))


def pow_backward(grad, x, exponent):
    """VJP of ``x ** p``: ``dy·p·x^(p-1)`` (zero for ``p == 0``)."""
    if exponent == 0:
        return np.zeros_like(x)
    return grad * (exponent * pow_forward(x, exponent - 1))


def matmul_backward(grad, a, b, needs=(True, True)):
    """VJP of ``np.matmul(a, b)`` with 1-d operands and broadcast batch dims.

    A 1-d ``a`` acts as a row ``(1, k)`` and a 1-d ``b`` as a column ``(k, 1)``;
    the output gradient gets those axes back before the two GEMMs
    ``da = dy·bᵀ`` and ``db = aᵀ·dy``, each summed over broadcast batch dims.
    """
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = grad
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2 if b.ndim > 1 else 0)
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape, a.dtype).reshape(a.shape)
    if needs[1]:
        gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape, b.dtype).reshape(b.shape)
    return ga, gb


# --- unary math -----------------------------------------------------------------------------

def exp_backward(grad, out):
    """VJP of ``exp``: ``dy·exp(x)`` (the saved output)."""
    return grad * out


def log_backward(grad, x):
    """VJP of ``log``: ``dy/x``."""
    return grad / x


def sqrt_backward(grad, out):
    """VJP of ``sqrt``: ``dy/(2·sqrt(x))``."""
    return grad / (2 * out)


# --- reductions -----------------------------------------------------------------------------

def expand_reduced(grad, shape, axes, keepdims: bool) -> np.ndarray:
    """Broadcast a reduction's output gradient back to the input ``shape`` (a new array).

    Args:
        grad: gradient of the reduced output.
        shape: input shape.
        axes: reduced axes (normalised) or None for all.
        keepdims: whether the reduction kept the reduced axes.
    """
    if axes is None:
        axes = tuple(range(len(shape)))
    if not keepdims:
        grad = np.expand_dims(grad, tuple(sorted(axes)))
    return np.broadcast_to(grad, shape).copy()


def sum_backward(grad, shape, axes, keepdims):
    """VJP of ``x.sum(axes)``: the gradient repeated over the reduced axes."""
    return expand_reduced(grad, shape, axes, keepdims)


def mean_backward(grad, shape, axes, keepdims):
    """VJP of ``x.mean(axes)``: the gradient repeated and divided by the reduced count."""
    count = int(np.prod([shape[a] for a in (range(len(shape)) if axes is None else axes)]))
    return expand_reduced(grad / count, shape, axes, keepdims)


# --- shape ops ------------------------------------------------------------------------------

def transpose_backward(grad, axes):
    """VJP of ``x.transpose(axes)``: transpose by the inverse permutation."""
    return np.ascontiguousarray(grad.transpose(np.argsort(axes)))


def concat_backward(grad, sizes, axis):
    """VJP of ``np.concatenate``: split the gradient at the operands' extents along ``axis``."""
    return tuple(np.split(grad, np.cumsum(sizes)[:-1], axis=axis))


def stack_backward(grad, count, axis):
    """VJP of ``np.stack``: slice ``count`` gradients out along the new ``axis``."""
    return tuple(np.take(grad, i, axis=axis) for i in range(count))


def is_basic_index(index) -> bool:
    """True when ``index`` uses only ints, slices, ``None`` and ``...`` (a view, no repeats)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (slice, type(None), type(Ellipsis)))
               or (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))
               for i in items)


def getitem_backward(grad, shape, dtype, index) -> np.ndarray:
    """VJP of ``x[index]``: scatter-add the gradient into the cells the index read."""
    if is_basic_index(index):
        out = np.zeros(shape, dtype=dtype)
        out[index] = grad
        return out
    size = int(np.prod(shape, dtype=np.int64))
    source = np.arange(size).reshape(shape)[index]
    summed = np.bincount(source.ravel(), weights=np.asarray(grad, np.float64).ravel(),
                         minlength=size)
    return summed.astype(dtype, copy=False).reshape(shape)


def channel_shuffle_forward(x: np.ndarray, groups: int) -> np.ndarray:
    """ShuffleNet channel shuffle of (N, C, *S): channel ``i·(C/g) + j`` moves to ``j·g + i``."""
    n, c = x.shape[:2]
    v = x.reshape((n, groups, c // groups) + x.shape[2:])
    return np.ascontiguousarray(np.swapaxes(v, 1, 2)).reshape(x.shape)


def channel_shuffle_backward(grad: np.ndarray, groups: int) -> np.ndarray:
    """VJP of channel shuffle: the inverse permutation, a shuffle with ``C/groups`` groups."""
    return channel_shuffle_forward(grad, grad.shape[1] // groups)


# --- linear ---------------------------------------------------------------------------------

def linear_forward(x, weight, bias=None) -> np.ndarray:
    """``x·Wᵀ + b`` for ``x`` (*, in), ``weight`` (out, in), ``bias`` (out,)."""
    y = np.matmul(x.reshape(-1, x.shape[-1]), weight.T)
    if bias is not None:
        y += bias
    return y.reshape(x.shape[:-1] + (weight.shape[0],))


def linear_backward(grad, x, weight, has_bias: bool, needs=(True, True, True)):
    """VJP of ``linear``: ``(dy·W, dyᵀ·x, Σ dy)`` (None where not needed)."""
    g = grad.reshape(-1, weight.shape[0])
    gx = np.matmul(g, weight).reshape(x.shape).astype(x.dtype, copy=False) if needs[0] else None
    gw = None
    if needs[1]:
        gw = np.matmul(g.T, x.reshape(-1, x.shape[-1])).astype(weight.dtype, copy=False)
    gb = g.sum(axis=0) if has_bias and len(needs) > 2 and needs[2] else None
    return gx, gw, gb
