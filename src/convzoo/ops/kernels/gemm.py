"""Dense and grouped convs as GEMMs: direct 1×1, chunked im2col, and scatter-GEMM (col2im).

Notation: input (N, C, *S), weight (O, C/G, *K), output (N, O, *P); per group
``Kg = C/G·prod(K)`` rows of columns and ``Og = O/G`` output channels; ``cells =
prod(P)`` output cells per image.

* Forward, pointwise (1×1, no padding): the NCHW input *is* the column matrix —
  ``(Og, C/G)·(C/G, cells)`` per image and group, written straight into the output
  (a stride first takes the strided view). Small images use the im2col path below
  (its columns are then a plain transpose).
* Forward, im2col: per chunk of images (``plan.chunks``: at most ``CHUNK_BYTES`` of
  columns), fill the columns and run one batched GEMM ``(G, Og, Kg)·(nb, G, Kg, cells)``
  into the output — or, for small images, ``(G, Og, Kg)·(G, Kg, nb·cells)`` and a
  transpose back, so the GEMM stays wide (stride 1 with Numba: pitched columns,
  ``columns.pitch``, and the valid cells taken out in that transpose).
* Weight gradient: per chunk, ``dY`` is transposed to ``(G, Og, nb·cells)`` once
  and ``dWᵀ += cols·dYᵀ`` (the columns batch-second; this orientation of the same
  product runs up to 2x faster in OpenBLAS); for 1×1 layers straight from the
  NCHW arrays.
* Input gradient (= transposed conv): the scatter-GEMM ``Wᵀ·dY`` into the column
  buffer, then col2im; for 1×1 layers ``Wᵀ·dY`` per image, written into NCHW.
  Transposed convs call these three functions with the roles of input and output
  exchanged. (Splitting the input gradient by output phase into stride-1 convs of
  ``dY`` — no col2im — measured no faster here, and much slower when ``O ≫ C``
  as in a 3→64 stem, whose ``dY`` columns are 20× larger than ``Wᵀ·dY``.)
"""

from __future__ import annotations

import math

import numpy as np

from . import plan
from .columns import col2im, col2im_pitched, im2col, im2col_pitched, pitch

#: Weights with at least this many entries per group accumulate dY·colsᵀ directly.
_BIG_WEIGHT = 1 << 21


def _weight(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/G, *K) -> contiguous (G, Og, Kg)."""
    o = w.shape[0]
    return np.ascontiguousarray(w).reshape(groups, o // groups, -1)


def _row_bytes(channels: int, geom, itemsize: int) -> int:
    return channels * geom.taps * math.prod(geom.out_size[1:]) * itemsize


def _buffer(n: int, channels: int, geom, dtype) -> tuple[np.ndarray, list]:
    """The chunk list and one flat column buffer big enough for its largest chunk."""
    itemsize = np.dtype(dtype).itemsize
    row_bytes = _row_bytes(channels, geom, itemsize)
    parts = list(plan.chunks(n, geom, row_bytes))
    largest = max(nb * rows for _, nb, _, rows in parts)
    return np.empty(largest * row_bytes // itemsize, dtype=dtype), parts


def _subsample(x: np.ndarray, geom) -> np.ndarray:
    if all(s == 1 for s in geom.stride):
        return x
    view = x[(Ellipsis,) + tuple(slice(None, None, s) for s in geom.stride)]
    return np.ascontiguousarray(view)


def _per_image(geom, wg) -> bool:
    """One GEMM per image (written straight into NCHW) when each is big enough."""
    g, og, kg = wg.shape
    return (geom.cells >= plan.PER_IMAGE_MIN_CELLS
            and og * kg * geom.cells >= plan.PER_IMAGE_MIN_MACS)


def forward(x: np.ndarray, w: np.ndarray, geom, groups: int) -> np.ndarray:
    """Cross-correlation (no bias) of ``x`` (N, C, *S), implicitly padded, with ``w``.

    Returns:
        (N, O, *out_size) C-contiguous.
    """
    n, c = x.shape[:2]
    o = w.shape[0]
    dtype = np.result_type(x, w)
    wg = _weight(w, groups)
    g, og, kg = wg.shape
    cells = geom.cells
    y = np.empty((n, o) + tuple(geom.out_size), dtype=dtype)
    per_image = _per_image(geom, wg)
    if geom.is_pointwise and per_image:
        xs = _subsample(x, geom).reshape(n, g, kg, cells)
        np.matmul(wg, xs, out=y.reshape(n, g, og, cells))
        return y
    hp_wp = None if per_image else pitch(geom)
    if hp_wp is not None:
        return _forward_pitched(x, wg, geom, hp_wp, y)
    buf, parts = _buffer(n, c, geom, dtype)
    rest = tuple(geom.out_size[1:])
    height = geom.out_size[0]
    for n0, nb, r0, rows in parts:
        col = im2col(x, buf, geom, n0, nb, r0, rows, batch_second=not per_image)
        part = rows * math.prod(rest)
        if per_image:
            col = col.reshape(nb, g, kg, part)
            if rows == height:
                np.matmul(wg, col, out=y[n0:n0 + nb].reshape(nb, g, og, part))
            else:
                y[n0:n0 + nb, :, r0:r0 + rows] = np.matmul(wg, col).reshape((nb, o, rows) + rest)
        else:
            out = np.matmul(wg, col.reshape(g, kg, nb * part))
            y[n0:n0 + nb, :, r0:r0 + rows] = np.swapaxes(
                out.reshape((o, nb, rows) + rest), 0, 1)
    return y


def _forward_pitched(x, wg, geom, hp_wp, y):
    """Small images, stride 1: pitched columns, one wide GEMM per chunk, valid cells out."""
    n, c = x.shape[:2]
    g, og, kg = wg.shape
    o = g * og
    wp = hp_wp[1]
    wo = geom.out_size[1]
    itemsize = y.dtype.itemsize
    parts = list(plan.chunks(n, geom, c * geom.taps * wp * itemsize))
    buf = np.empty(max(nb * rows for _, nb, _, rows in parts) * c * geom.taps * wp,
                   dtype=y.dtype)
    for n0, nb, r0, rows in parts:
        col = im2col_pitched(x, buf, geom, hp_wp, n0, nb, r0, rows)
        out = np.matmul(wg, col.reshape(g, kg, -1)).reshape(o, nb, rows, wp)
        y[n0:n0 + nb, :, r0:r0 + rows] = np.swapaxes(out[..., :wo], 0, 1)
    return y


def _grad_chunk(dy: np.ndarray, n0, nb, r0, rows, groups, out, width=None) -> np.ndarray:
    """``dy[n0:n0+nb, :, r0:r0+rows]`` as a contiguous (G, Og, nb·cells) matrix.

    With ``width`` (the pitch) each output row is laid out ``width`` wide, the extra
    positions zero.
    """
    o = dy.shape[1]
    view = np.swapaxes(dy[n0:n0 + nb, :, r0:r0 + rows], 0, 1)
    last = dy.shape[-1]
    if width is None or width == last:
        np.copyto(out.reshape(view.shape), view)
    else:
        padded = out.reshape(view.shape[:-1] + (width,))
        np.copyto(padded[..., :last], view)
        padded[..., last:] = 0
    return out.reshape(groups, o // groups, -1)


def backward(dy: np.ndarray, x_shape, x: np.ndarray | None, w: np.ndarray, geom, groups: int,
             need_input: bool = True, need_weight: bool = True):
    """Both gradients of ``forward``.

    One sweep over the chunks: ``dY`` is transposed to (G, Og, nb·cells) once per
    chunk; the weight gradient adds ``dY·colsᵀ`` (the columns of ``x`` batch-second:
    one GEMM whose inner dimension is the whole chunk) and the input gradient is the
    scatter-GEMM ``Wᵀ·dY`` (into the same column buffer) followed by col2im. 2-d
    stride-1 layers with Numba use the pitched layout of ``columns.pitch`` for both
    (rows as wide as the padded input: one contiguous copy or add per tap and plane).

    Args:
        dy: (N, O, *out_size) output gradient.
        x_shape: (N, C, *S) of the input.
        x: the input (needed only for the weight gradient).
        w: (O, C/G, *K).

    Returns:
        ``(dx, dw)``, None where not needed.
    """
    n, c = x_shape[:2]
    dtype = np.result_type(dy, w)
    dy = np.ascontiguousarray(dy)
    wg = _weight(w, groups)
    g, og, kg = wg.shape
    if geom.is_pointwise and _per_image(geom, wg):
        dx = _pointwise_input_grad(dy, wg, geom, x_shape) if need_input else None
        return dx, (_pointwise_weight_grad(dy, x, wg, geom) if need_weight else None)
    dx = np.zeros(x_shape, dtype=dtype) if need_input else None
    # dWᵀ = cols·dYᵀ: OpenBLAS runs this orientation up to 2x faster than dY·colsᵀ for
    # the usual shapes; a big weight would then cost a slow transpose at the end
    flip = og * kg < _BIG_WEIGHT
    dwt = (np.zeros((g, kg, og) if flip else (g, og, kg), dtype=dtype) if need_weight
           else None)
    hp_wp = pitch(geom)
    width = geom.out_size[1] if hp_wp is None else hp_wp[1]
    rest = math.prod(geom.out_size[2:]) * width
    itemsize = np.dtype(dtype).itemsize
    parts = list(plan.chunks(n, geom, c * geom.taps * rest * itemsize))
    largest = max(nb * rows for _, nb, _, rows in parts)
    buf = np.empty(largest * c * geom.taps * rest, dtype=dtype)
    gbuf = np.empty(largest * dy.shape[1] * rest, dtype=dtype)
    wt = np.swapaxes(wg, 1, 2)
    for n0, nb, r0, rows in parts:
        gy = _grad_chunk(dy, n0, nb, r0, rows, groups, gbuf[:nb * rows * dy.shape[1] * rest],
                         None if hp_wp is None else width)
        if need_weight:
            if hp_wp is None:
                col = im2col(x, buf, geom, n0, nb, r0, rows, batch_second=True)
            else:
                col = im2col_pitched(x, buf, geom, hp_wp, n0, nb, r0, rows)
            col = col.reshape(g, kg, -1)
            if flip:
                dwt += np.matmul(col, np.swapaxes(gy, 1, 2))
            else:
                dwt += np.matmul(gy, np.swapaxes(col, 1, 2))
        if need_input:
            dcol = buf[:kg * g * gy.shape[2]].reshape(g, kg, gy.shape[2])
            np.matmul(wt, gy, out=dcol)
            if hp_wp is None:
                col2im(dcol, dx, geom, n0, nb, r0, rows, batch_second=True)
            else:
                col2im_pitched(dcol, dx, geom, hp_wp, n0, nb, r0, rows)
    dw = None
    if dwt is not None:
        dw = (np.ascontiguousarray(np.swapaxes(dwt, 1, 2)) if flip else dwt).reshape(w.shape)
    return dx, dw


def _pointwise_input_grad(dy, wg, geom, x_shape):
    """1×1 input gradient straight into NCHW: ``Wᵀ·dY_n`` per image (strided if s > 1)."""
    n = x_shape[0]
    g, og, kg = wg.shape
    gxs = np.matmul(np.swapaxes(wg, 1, 2), dy.reshape(n, g, og, geom.cells))
    if all(s == 1 for s in geom.stride):
        return gxs.reshape(x_shape)
    dx = np.zeros(x_shape, dtype=gxs.dtype)
    dx[(Ellipsis,) + tuple(slice(None, None, s) for s in geom.stride)] = gxs.reshape(
        (n, g * kg) + tuple(geom.out_size))
    return dx


def input_grad(dy: np.ndarray, w: np.ndarray, geom, groups: int, x_shape) -> np.ndarray:
    """Gradient w.r.t. the input alone (= the transposed conv of ``dy`` with ``w``).

    1×1 layers: ``Wᵀ·dY`` per image. Others: the scatter-GEMM — ``Wᵀ·dY`` per chunk
    into the column buffer, then col2im adds every column entry onto its input cell.
    """
    return backward(dy, x_shape, None, w, geom, groups, True, False)[0]


def _pointwise_weight_grad(dy, x, wg, geom):
    """1×1 weight gradient straight from the NCHW arrays: Σ_n dY_n·X_nᵀ, chunked."""
    n = dy.shape[0]
    g, og, kg = wg.shape
    cells = geom.cells
    gy = dy.reshape(n, g, og, cells)
    xs = _subsample(np.ascontiguousarray(x), geom).reshape(n, g, kg, cells)
    per = max(1, plan.CHUNK_BYTES // (g * og * kg * dy.itemsize))
    dwg = np.zeros((g, og, kg), dtype=gy.dtype)
    for n0 in range(0, n, per):
        part = np.matmul(gy[n0:n0 + per], np.swapaxes(xs[n0:n0 + per], 2, 3))
        dwg += part.sum(axis=0)
    return dwg.reshape((g * og, kg) + (1,) * geom.nd)


def forward_and_weight_grad(x: np.ndarray, w: np.ndarray, dy: np.ndarray, geom, groups: int):
    """``(forward(x, w), weight gradient for input x and output gradient dy)`` in one sweep.

    Both need the columns of ``x``; a transposed conv's backward needs exactly this
    pair (its input gradient is the conv of its output gradient, its weight gradient
    that conv's weight gradient), so each chunk's columns are built once, batch
    second, and feed ``W·cols`` and ``dY·colsᵀ``.

    Returns:
        (y (N, O, *out_size), dw (O, C/G, *K)).
    """
    n, c = x.shape[:2]
    o = w.shape[0]
    dtype = np.result_type(x, w, dy)
    wg = _weight(w, groups)
    g, og, kg = wg.shape
    if geom.is_pointwise and _per_image(geom, wg):
        return forward(x, w, geom, groups), _pointwise_weight_grad(dy, x, wg, geom)
    y = np.empty((n, o) + tuple(geom.out_size), dtype=dtype)
    dwt = np.zeros((g, kg, og), dtype=dtype)
    buf, parts = _buffer(n, c, geom, dtype)
    rest = tuple(geom.out_size[1:])
    per_row = o * math.prod(rest)
    gbuf = np.empty(max(nb * rows for _, nb, _, rows in parts) * per_row, dtype=dtype)
    for n0, nb, r0, rows in parts:
        col = im2col(x, buf, geom, n0, nb, r0, rows, batch_second=True).reshape(g, kg, -1)
        out = np.matmul(wg, col)
        y[n0:n0 + nb, :, r0:r0 + rows] = np.swapaxes(out.reshape((o, nb, rows) + rest), 0, 1)
        gy = _grad_chunk(dy, n0, nb, r0, rows, groups, gbuf[:nb * rows * per_row])
        dwt += np.matmul(col, np.swapaxes(gy, 1, 2))
    return y, np.ascontiguousarray(np.swapaxes(dwt, 1, 2)).reshape(w.shape)


def weight_grad(x: np.ndarray, dy: np.ndarray, geom, groups: int, kernel_shape) -> np.ndarray:
    """Gradient w.r.t. the weight alone; ``kernel_shape`` is the weight's (O, C/G, *K)."""
    w_like = np.empty(kernel_shape, dtype=np.result_type(x, dy))
    return backward(dy, x.shape, np.ascontiguousarray(x), w_like, geom, groups,
                    need_input=False, need_weight=True)[1]
