"""N-d pooling kernels (max, average, Lp, global): forward and vector-Jacobian products.

Algorithm — pad once, then loop over the ``prod(K)`` kernel taps. The input
``(N, C, *S)`` is padded with the pool's neutral value (``-inf`` — or the dtype's
minimum for integers — for max, ``0`` for average and Lp). A ``ceil_mode`` window
may hang past the right padding; the input is padded further at the end so that
every tap's strided view (``window.tap_index``) stays in range — those overhang
cells are neutral too. Each tap is then one vectorised step over the whole
``(N, C, *out)`` output: ``maximum`` / compare-and-select for max, ``+=`` for sums.
No Python loop touches a batch item or an output pixel.

Geometry that does not depend on the data (which input cell a tap reads for each
output position, whether it is a real cell, the average divisor) is computed per
spatial dim on ``(K, out)`` integer grids and combined by broadcasting.

* Max: a cell replaces the running maximum only if strictly greater (or NaN, as
  PyTorch), so ties go to the first tap in raster order and padding never wins;
  the running index starts at the first real cell of each window (PyTorch's
  rule, visible when every real cell is ``-inf``). Indices are flat within each
  ``(n, c)`` plane (int64). Backward scatters ``grad`` into those indices with one
  ``bincount``.
* Average: the per-tap sum divided by a per-output divisor: ``divisor_override``,
  or the count of taps on explicit padding or input (``count_include_pad``), or on
  input only. Cells a ``ceil_mode`` window hangs past the padding are never
  counted (PyTorch's rule). The divisor is a ones-mask pooled separably per dim
  (a box mask's window count is the product of the per-dim counts). Backward
  scatter-adds ``grad / divisor`` through each tap's view.
* Lp: ``(Σ|x|^p)^(1/p)`` (ONNX LpPool; PyTorch omits the ``abs``). Backward
  scatter-adds ``grad · sign(x) · (|x| / y)^(p−1)`` per tap; the ratio is at most 1
  so it cannot overflow, and an all-zero window (``y = 0``) gets gradient 0.
* Global average / max over all spatial dims: a reduction, not a tap loop.

With Numba, float32/float64 max and average pooling in 1-d and 2-d and the max-pool
backward (any dims) run the fused single-pass kernels of
``convzoo.ops.kernels.pool`` instead (the same rules, one pass per plane); the
NumPy code here is the fallback and the path for integers, 3-d and Lp pooling.
The global average of float arrays is a GEMV of the (N·C, cells) planes against
ones (BLAS streams them at memory speed).

Arguments arrive checked and normalised by ``convzoo.functional.pool``: tuples for
kernel/stride/dilation and ``((before, after), ...)`` padding pairs.
"""

from __future__ import annotations

import functools

import numpy as np

from ..shapes import pool_output_size
from .kernels import _backend
from .kernels import pool as fused
from .window import crop_spatial, pad_spatial, tap_index


def _fused(x: np.ndarray, spatial_dims=(1, 2)) -> bool:
    """Whether the Numba kernels take this array (float32/64, supported number of dims)."""
    return (_backend.numba_enabled() and x.dtype in (np.float32, np.float64)
            and x.ndim - 2 in spatial_dims)


# --- geometry (integers only, per spatial dim) ------------------------------------------------
def output_size(in_size, kernel, stride, padding, dilation, ceil_mode) -> tuple[int, ...]:
    """Pooling output size (``shapes.pool_output_size``) as a tuple."""
    return tuple(pool_output_size(tuple(in_size), tuple(kernel), tuple(stride), tuple(padding),
                                  tuple(dilation), bool(ceil_mode)))


def tap_positions(in_size, kernel, stride, padding, dilation, out_size) -> list[np.ndarray]:
    """Per spatial dim, the ``(K, out)`` grid of unpadded input coordinates a tap reads.

    Coordinates outside ``[0, in_size)`` are padding (or ceil_mode overhang).
    """
    return [np.arange(k)[:, None] * d + np.arange(o)[None, :] * s - lo
            for k, s, d, (lo, _), o in zip(kernel, stride, dilation, padding, out_size,
                                           strict=True)]


@functools.lru_cache(maxsize=1024)   # integer tuples in; asked again at every layer call
def empty_windows(in_size, kernel, stride, padding, dilation, out_size) -> tuple[np.ndarray, ...]:
    """Per spatial dim, the output indices whose window holds no real input cell (read-only)."""
    result = []
    for pos, i in zip(tap_positions(in_size, kernel, stride, padding, dilation, out_size),
                      in_size, strict=True):
        real = (pos >= 0) & (pos < i)
        empty = np.flatnonzero(~real.any(axis=0))
        empty.flags.writeable = False
        result.append(empty)
    return tuple(result)


def _extended_padding(in_size, kernel, stride, dilation, padding, out_size):
    """Padding with extra cells at the end so every tap view of every output is in range."""
    pads = []
    for i, k, s, d, (lo, hi), o in zip(in_size, kernel, stride, dilation, padding, out_size,
                                       strict=True):
        need = (o - 1) * s + d * (k - 1) + 1
        pads.append((lo, hi + max(0, need - (i + lo + hi))))
    return tuple(pads)


def _outer(per_dim: list[np.ndarray], op) -> np.ndarray:
    """Combine 1-d per-dim arrays into an ``out_size`` grid with ``op`` (add or multiply)."""
    n = len(per_dim)
    grid = None
    for m, v in enumerate(per_dim):
        v = v.reshape((1,) * m + (-1,) + (1,) * (n - m - 1))
        grid = v if grid is None else op(grid, v)
    return grid


def _plane_strides(in_size) -> list[int]:
    """Row-major strides of a spatial plane (flat index = Σ coord·stride)."""
    strides = [1] * len(in_size)
    for m in range(len(in_size) - 2, -1, -1):
        strides[m] = strides[m + 1] * in_size[m + 1]
    return strides


# --- max pooling --------------------------------------------------------------------------------
def _lowest(dtype):
    dtype = np.dtype(dtype)
    return -np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).min


def max_pool_forward(x: np.ndarray, kernel, stride, padding, dilation, ceil_mode: bool,
                     with_indices: bool = True):
    """Max pooling forward.

    Args:
        x: (N, C, *S) float or integer array.
        kernel, stride, dilation: per spatial dim. padding: ((before, after), ...).
        ceil_mode: keep a last partial window (not one starting in the right padding).
        with_indices: also compute argmax indices (needed for backward).

    Returns:
        (out, indices): out (N, C, *out) of x's dtype; indices int64 of the same shape,
        flat within each (n, c) plane of x, or None when not requested.
    """
    in_size = x.shape[2:]
    out_size = output_size(in_size, kernel, stride, padding, dilation, ceil_mode)
    if _fused(x):
        return fused.max_pool(x, kernel, stride, padding, dilation, out_size, with_indices)
    pads = _extended_padding(in_size, kernel, stride, dilation, padding, out_size)
    low = _lowest(x.dtype)
    xp = pad_spatial(x, pads, low)
    is_float = np.issubdtype(x.dtype, np.floating)
    best = np.full(x.shape[:2] + out_size, low, dtype=x.dtype)
    if not with_indices:
        for tap in np.ndindex(*kernel):
            np.maximum(best, xp[tap_index(tap, stride, dilation, out_size)], out=best)
        return best, None

    positions = tap_positions(in_size, kernel, stride, padding, dilation, out_size)
    plane = _plane_strides(in_size)
    first = []
    for pos, i, st in zip(positions, in_size, plane, strict=True):
        real = (pos >= 0) & (pos < i)
        first.append(pos[real.argmax(axis=0), np.arange(pos.shape[1])] * st)
    index = np.empty(best.shape, dtype=np.int64)
    index[...] = _outer(first, np.add)
    for tap in np.ndindex(*kernel):
        val = xp[tap_index(tap, stride, dilation, out_size)]
        update = val > best
        if is_float:
            update |= np.isnan(val)
        np.copyto(best, val, where=update)
        flat = _outer([pos[t] * st for pos, t, st in zip(positions, tap, plane, strict=True)],
                      np.add)
        np.copyto(index, flat, where=update)
    return best, index


def max_pool_backward(grad_out: np.ndarray, indices: np.ndarray, in_shape) -> np.ndarray:
    """Scatter ``grad_out`` into the argmax cells (summing where windows share one).

    Args:
        grad_out: (N, C, *out). indices: (N, C, *out) flat per-plane indices.
        in_shape: shape (N, C, *S) of the input.

    Returns:
        (N, C, *S) gradient of grad_out's dtype.
    """
    if _fused(grad_out, spatial_dims=range(1, grad_out.ndim - 1)):
        return fused.max_pool_backward(grad_out, indices, in_shape)
    n, c = in_shape[:2]
    plane = int(np.prod(in_shape[2:], dtype=np.int64))
    offset = (np.arange(n * c, dtype=np.int64) * plane).reshape((n, c) + (1,) * (grad_out.ndim - 2))
    flat = (indices + offset).ravel()
    gx = np.bincount(flat, weights=grad_out.ravel(), minlength=n * c * plane)
    return gx.astype(grad_out.dtype, copy=False).reshape(in_shape)


# --- average pooling ----------------------------------------------------------------------------
def avg_divisor(in_size, kernel, stride, padding, dilation, out_size, count_include_pad: bool,
                divisor_override=None, dtype=np.float64):
    """Divisor of each output cell: override, or taps on padding+input, or on input only.

    Returns:
        A scalar (override) or an ``out_size`` array of ``dtype``.
    """
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    counts = []
    for pos, i, (lo, hi) in zip(tap_positions(in_size, kernel, stride, padding, dilation, out_size),
                                in_size, padding, strict=True):
        low, high = (-lo, i + hi) if count_include_pad else (0, i)
        counts.append(((pos >= low) & (pos < high)).sum(axis=0))
    return _outer(counts, np.multiply).astype(dtype)


def sum_pool(x: np.ndarray, kernel, stride, pads, dilation, out_size) -> np.ndarray:
    """Σ over each window of a zero-padded input (``pads`` already extended)."""
    xp = pad_spatial(x, pads, 0)
    acc = np.zeros(x.shape[:2] + tuple(out_size), dtype=x.dtype)
    for tap in np.ndindex(*kernel):
        acc += xp[tap_index(tap, stride, dilation, out_size)]
    return acc


def sum_pool_backward(grad_out: np.ndarray, in_shape, kernel, stride, pads, dilation):
    """VJP of ``sum_pool``: scatter-add ``grad_out`` through every tap's view, then crop."""
    out_size = grad_out.shape[2:]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(in_shape[2:], pads, strict=True))
    gxp = np.zeros(tuple(in_shape[:2]) + padded, dtype=grad_out.dtype)
    for tap in np.ndindex(*kernel):
        gxp[tap_index(tap, stride, dilation, out_size)] += grad_out
    return np.ascontiguousarray(crop_spatial(gxp, pads))


def avg_pool_forward(x: np.ndarray, kernel, stride, padding, dilation, ceil_mode: bool,
                     count_include_pad: bool = True, divisor_override=None) -> np.ndarray:
    """Average pooling forward.

    Args:
        x: (N, C, *S) float array. kernel, stride, dilation: tuples.
        padding: ((before, after), ...). divisor_override: int or None.

    Returns:
        (N, C, *out).
    """
    in_size = x.shape[2:]
    out_size = output_size(in_size, kernel, stride, padding, dilation, ceil_mode)
    div = avg_divisor(in_size, kernel, stride, padding, dilation, out_size, count_include_pad,
                      divisor_override, x.dtype)
    if _fused(x):
        return fused.avg_pool(x, div, kernel, stride, padding, dilation, out_size)
    pads = _extended_padding(in_size, kernel, stride, dilation, padding, out_size)
    total = sum_pool(x, kernel, stride, pads, dilation, out_size)
    return total / div


def avg_pool_backward(grad_out: np.ndarray, in_shape, kernel, stride, padding, dilation,
                      ceil_mode: bool, count_include_pad: bool = True, divisor_override=None):
    """VJP of ``avg_pool_forward`` w.r.t. its input: (N, C, *S)."""
    in_size = tuple(in_shape[2:])
    out_size = grad_out.shape[2:]
    pads = _extended_padding(in_size, kernel, stride, dilation, padding, out_size)
    div = avg_divisor(in_size, kernel, stride, padding, dilation, out_size, count_include_pad,
                      divisor_override, grad_out.dtype)
    if _fused(grad_out):
        return fused.avg_pool_backward(grad_out, div, in_shape, kernel, stride, padding,
                                       dilation)
    return sum_pool_backward(grad_out / div, in_shape, kernel, stride, pads, dilation)


# --- Lp pooling ---------------------------------------------------------------------------------
def _abs_pow(a: np.ndarray, p: float) -> np.ndarray:
    if p == 1:
        return a
    if p == 2:
        return a * a
    return a ** p


def lp_pool_forward(x: np.ndarray, norm_type: float, kernel, stride, padding, dilation,
                    ceil_mode: bool) -> np.ndarray:
    """Lp pooling forward: ``(Σ_window |x|^p)^(1/p)``.

    Args:
        x: (N, C, *S) float array. norm_type: p > 0. Other arguments as ``avg_pool_forward``.

    Returns:
        (N, C, *out).
    """
    in_size = x.shape[2:]
    out_size = output_size(in_size, kernel, stride, padding, dilation, ceil_mode)
    pads = _extended_padding(in_size, kernel, stride, dilation, padding, out_size)
    total = sum_pool(_abs_pow(np.abs(x), norm_type), kernel, stride, pads, dilation, out_size)
    if norm_type == 1:
        return total
    if norm_type == 2:
        return np.sqrt(total)
    return total ** (1.0 / norm_type)


def lp_pool_backward(grad_out: np.ndarray, x: np.ndarray, out: np.ndarray, norm_type: float,
                     kernel, stride, padding, dilation) -> np.ndarray:
    """VJP of ``lp_pool_forward``: ``∂y/∂x_i = sign(x_i)·(|x_i|/y)^(p−1)``, 0 where y = 0.

    Args:
        grad_out, out: (N, C, *out). x: (N, C, *S) the forward input.

    Returns:
        (N, C, *S).
    """
    p = norm_type
    in_size = x.shape[2:]
    out_size = out.shape[2:]
    pads = _extended_padding(in_size, kernel, stride, dilation, padding, out_size)
    xp = pad_spatial(x, pads, 0)
    safe_out = np.where(out > 0, out, 1)
    gxp = np.zeros(xp.shape, dtype=grad_out.dtype)
    for tap in np.ndindex(*kernel):
        view = tap_index(tap, stride, dilation, out_size)
        xs = xp[view]
        if p == 1:
            contrib = grad_out * np.sign(xs)
        elif p == 2:
            contrib = grad_out * (xs / safe_out)  # sign(x)|x| = x
        else:
            ratio = np.abs(xs) / safe_out
            with np.errstate(divide="ignore"):
                factor = np.where(ratio > 0, ratio ** (p - 1), 0)
            contrib = grad_out * np.sign(xs) * factor
        gxp[view] += contrib
    return np.ascontiguousarray(crop_spatial(gxp, pads))


# --- global pooling -----------------------------------------------------------------------------
def global_avg_pool_forward(x: np.ndarray) -> np.ndarray:
    """Mean over all spatial dims, kept as size-1 dims: (N, C, *S) -> (N, C, 1, ...)."""
    if x.dtype in (np.float32, np.float64):
        # a GEMV against ones: BLAS streams the planes at memory speed on every core
        n, c = x.shape[:2]
        flat = np.ascontiguousarray(x).reshape(n * c, -1)
        total = flat @ np.ones(flat.shape[1], dtype=x.dtype)
        total /= flat.shape[1]
        return total.reshape(x.shape[:2] + (1,) * (x.ndim - 2))
    return x.mean(axis=tuple(range(2, x.ndim)), keepdims=True)


def global_avg_pool_backward(grad_out: np.ndarray, in_shape) -> np.ndarray:
    """Spread each output gradient evenly over its plane."""
    plane = int(np.prod(in_shape[2:], dtype=np.int64))
    return np.ascontiguousarray(np.broadcast_to(grad_out / plane, in_shape))


def global_max_pool_forward(x: np.ndarray):
    """Max over all spatial dims: returns (out (N, C, 1, ...), flat per-plane argmax int64).

    Ties go to the first cell in raster order; a NaN wins (as ``np.argmax``).
    """
    n, c = x.shape[:2]
    flat = x.reshape(n, c, -1)
    index = flat.argmax(axis=2)
    keep = (1,) * (x.ndim - 2)
    out = np.take_along_axis(flat, index[..., None], axis=2)
    return out.reshape((n, c) + keep), index.astype(np.int64).reshape((n, c) + keep)


__all__ = [
    "avg_divisor", "avg_pool_backward", "avg_pool_forward", "empty_windows",
    "global_avg_pool_backward", "global_avg_pool_forward", "global_max_pool_forward",
    "lp_pool_backward", "lp_pool_forward", "max_pool_backward", "max_pool_forward",
    "output_size", "sum_pool", "sum_pool_backward", "tap_positions",
]
