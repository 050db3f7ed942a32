"""im2col and col2im for a chunk of images (and of output rows), any number of spatial dims.

The column matrix of image ``n`` holds, for every input channel ``c`` and kernel
tap ``t``, the ``P`` input cells that tap reads (zeros where it reads padding):
row ``c·prod(K) + t``, column ``p`` (output cell ``p``). Two layouts:

* per image (``batch_second=False``): ``(nb, C·prod(K), P)`` — a GEMM per image
  writes its ``(O, P)`` block straight into the NCHW output;
* batch second (``batch_second=True``): ``(C·prod(K), nb·P)`` — one wide GEMM for
  the whole chunk (small images, and both gradients).

``col2im`` is the adjoint: it adds every column entry back onto the input cell it
came from (the cells padding stood for are dropped).

With Numba, 2-d (and 1-d, lifted to 2-d by the engine) runs one compiled pass per
``(n, c)`` plane in parallel: the valid output range of each tap is computed once
per row, so the inner loop is a branch-free contiguous copy (or add) for stride 1.
The NumPy path (3-d, or no Numba) copies each tap's strided view of a zero-padded
slab of the chunk.
"""

from __future__ import annotations

import math

import numpy as np

from ..window import tap_index
from . import _backend
from ._backend import jit, prange, uint64
from ._planes import to_padded


# --- Numba: 2-d (1-d is 2-d with height 1) ------------------------------------------------------
@jit
def _im2col_2d(x, col, n0, nb, r0, rows, kh, kw, sh, sw, dh, dw, ph, pw, wo, s_n, s_k):
    c_in, height, width = x.shape[1], x.shape[2], x.shape[3]
    xf = x.reshape(-1)
    plane = height * width
    for t in prange(nb * c_in):
        n = t // c_in
        c = t - n * c_in
        src_plane = ((n0 + n) * c_in + c) * plane
        for i in range(kh):
            for j in range(kw):
                off = j * dw - pw
                lo = 0 if off >= 0 else (-off + sw - 1) // sw
                hi = max(0, min((width - 1 - off) // sw + 1, wo))
                lo = min(lo, hi)
                base = n * s_n + ((c * kh + i) * kw + j) * s_k
                for r in range(rows):
                    ih = (r0 + r) * sh + i * dh - ph
                    dst = uint64(base + r * wo)
                    if ih < 0 or ih >= height:
                        for q in range(wo):
                            col[dst + uint64(q)] = 0
                        continue
                    for q in range(lo):
                        col[dst + uint64(q)] = 0
                    src = uint64(src_plane + ih * width + lo * sw + off)
                    for q in range(hi - lo):
                        col[dst + uint64(lo + q)] = xf[src + uint64(q * sw)]
                    for q in range(hi, wo):
                        col[dst + uint64(q)] = 0


@jit
def _col2im_2d(col, dx, n0, nb, r0, rows, kh, kw, sh, sw, dh, dw, ph, pw, wo, s_n, s_k):
    c_in, height, width = dx.shape[1], dx.shape[2], dx.shape[3]
    df = dx.reshape(-1)
    plane = height * width
    for t in prange(nb * c_in):
        n = t // c_in
        c = t - n * c_in
        dst_plane = ((n0 + n) * c_in + c) * plane
        for i in range(kh):
            for j in range(kw):
                off = j * dw - pw
                lo = 0 if off >= 0 else (-off + sw - 1) // sw
                hi = max(0, min((width - 1 - off) // sw + 1, wo))
                if lo >= hi:
                    continue
                base = n * s_n + ((c * kh + i) * kw + j) * s_k
                for r in range(rows):
                    ih = (r0 + r) * sh + i * dh - ph
                    if ih < 0 or ih >= height:
                        continue
                    src = uint64(base + r * wo + lo)
                    dst = uint64(dst_plane + ih * width + lo * sw + off)
                    for q in range(hi - lo):
                        df[dst + uint64(q * sw)] += col[src + uint64(q)]


# --- Numba, stride 1: the pitched layout (backward sweeps) --------------------------------------
# Flat unsigned indices throughout: a slice (a view) per tap and plane costs reference
# counting that, on LeNet's 10×14 rows, took longer than the copies themselves.
@jit
def _im2col_pitched(x, col, n0, nb, r0, rows, kh, kw, dh, dw, ph, pw, hp, wp, wo, s_n, s_k,
                    nblocks):
    c_in, height, width = x.shape[1], x.shape[2], x.shape[3]
    xf = x.reshape(-1)
    cells = rows * wp
    length = (rows - 1) * wp + wo
    planes = nb * c_in
    for b in prange(nblocks):
        xp = np.zeros(hp * wp, dtype=x.dtype)
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_in
            c = t - n * c_in
            src_plane = uint64(((n0 + n) * c_in + c) * height * width)
            to_padded(xf, src_plane, height, width, width, xp, ph, pw, wp)
            for i in range(kh):
                for j in range(kw):
                    off = uint64((r0 + i * dh) * wp + j * dw)
                    base = uint64(n * s_n + ((c * kh + i) * kw + j) * s_k)
                    for m in range(length):
                        col[base + uint64(m)] = xp[off + uint64(m)]
                    for m in range(length, cells):
                        col[base + uint64(m)] = 0


@jit
def _col2im_pitched(col, dx, n0, nb, r0, rows, kh, kw, dh, dw, ph, pw, hp, wp, wo, s_n, s_k,
                    nblocks):
    c_in, height, width = dx.shape[1], dx.shape[2], dx.shape[3]
    df = dx.reshape(-1)
    length = (rows - 1) * wp + wo
    planes = nb * c_in
    for b in prange(nblocks):
        acc = np.empty(hp * wp, dtype=dx.dtype)
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_in
            c = t - n * c_in
            acc[:] = 0
            for i in range(kh):
                for j in range(kw):
                    off = uint64((r0 + i * dh) * wp + j * dw)
                    base = uint64(n * s_n + ((c * kh + i) * kw + j) * s_k)
                    for m in range(length):
                        acc[off + uint64(m)] += col[base + uint64(m)]
            dst_plane = uint64(((n0 + n) * c_in + c) * height * width)
            for a in range(height):
                src = uint64((a + ph) * wp + pw)
                dst = dst_plane + uint64(a * width)
                for q in range(width):
                    df[dst + uint64(q)] += acc[src + uint64(q)]


def pitch(geom) -> tuple[int, int] | None:
    """(hp, wp) of the pitched layout for a 2-d stride-1 conv with Numba, else None.

    Pitched columns hold, for output row ``r`` and column ``q``, position ``r·wp + q``
    of the zero-padded plane (``wp`` = padded width): each tap's column row is ONE
    contiguous copy of the padded plane from offset ``i·dh·wp + j·dw``, and col2im is
    one contiguous add per tap. The ``wp − Wo`` extra positions per row are zero in
    the output gradient, so they add nothing to either gradient.
    """
    if not (_backend.numba_enabled() and geom.nd == 2 and geom.stride == (1, 1)):
        return None
    (h, w), (kh, kw), (dh, dw) = geom.in_size, geom.kernel, geom.dilation
    (ph, pw), (ho, wo) = geom.pad_before, geom.out_size
    if ph < 0 or pw < 0:
        return None
    return (max(h + ph, ho - 1 + dh * (kh - 1) + 1), max(w + pw, wo - 1 + dw * (kw - 1) + 1))


def _pitched_args(geom, hp_wp, nb, rows, k_total, x_dtype):
    from .depthwise import blocks
    hp, wp = hp_wp
    cells = rows * wp
    return ((geom.kernel[0], geom.kernel[1], geom.dilation[0], geom.dilation[1],
             geom.pad_before[0], geom.pad_before[1], hp, wp, geom.out_size[1], cells,
             nb * cells), blocks(nb * k_total))


def im2col_pitched(x, col_flat, geom, hp_wp, n0, nb, r0, rows) -> np.ndarray:
    """Pitched columns (batch second) of images ``n0:n0+nb``, rows ``r0:r0+rows``.

    Returns:
        (C·prod(K), nb·rows·wp) view of the buffer.
    """
    k_total = x.shape[1] * geom.taps
    size = k_total * nb * rows * hp_wp[1]
    used = col_flat[:size]
    assert used.size == size and n0 + nb <= x.shape[0] and r0 + rows <= geom.out_size[0]
    args, nblocks = _pitched_args(geom, hp_wp, nb, rows, x.shape[1], x.dtype)
    run = _im2col_pitched.pick(size)
    run(x, used, n0, nb, r0, rows, *args, max(1, min(nblocks, nb * x.shape[1])))
    return used.reshape(k_total, -1)


def col2im_pitched(col, dx, geom, hp_wp, n0, nb, r0, rows) -> None:
    """Add pitched columns (batch second) onto ``dx`` images ``n0:n0+nb`` in place."""
    flat = col.reshape(-1)
    assert flat.size == dx.shape[1] * geom.taps * nb * rows * hp_wp[1]
    args, nblocks = _pitched_args(geom, hp_wp, nb, rows, dx.shape[1], dx.dtype)
    run = _col2im_pitched.pick(flat.size)
    run(flat, dx, n0, nb, r0, rows, *args, max(1, min(nblocks, nb * dx.shape[1])))


def _numba_ok(a: np.ndarray, geom) -> bool:
    return (_backend.numba_enabled() and geom.nd == 2 and a.dtype in (np.float32, np.float64)
            and a.flags.c_contiguous)


def _window(geom):
    return (geom.kernel[0], geom.kernel[1], geom.stride[0], geom.stride[1], geom.dilation[0],
            geom.dilation[1], geom.pad_before[0], geom.pad_before[1], geom.out_size[1])


def _strides(batch_second: bool, nb: int, k_total: int, cells: int):
    """Element strides ``(s_n, s_k)`` of image ``n`` and column row ``k`` in the flat buffer."""
    return (cells, nb * cells) if batch_second else (k_total * cells, cells)


# --- NumPy: any number of spatial dims ----------------------------------------------------------
def _slab(x, geom, n0, nb, r0, rows):
    """Shape and index boxes of the zero-padded slab a chunk's windows read.

    Returns ``(shape, src, dst, out)``: the slab shape (nb, C, *S'), the index boxes of the
    input cells inside it (``slab[dst]`` is ``x[src]``). Slab coordinate 0 along each
    dim is input coordinate ``start`` (row ``r0·s - pad`` in dim 0, ``-pad`` elsewhere).
    """
    out = (rows,) + tuple(geom.out_size[1:])
    starts = [r0 * geom.stride[0] - geom.pad_before[0]] + [-p for p in geom.pad_before[1:]]
    extent = [(o - 1) * s + d * (k - 1) + 1
              for o, s, d, k in zip(out, geom.stride, geom.dilation, geom.kernel)]
    src, dst = [slice(n0, n0 + nb), slice(None)], [slice(None), slice(None)]
    for start, ext, size in zip(starts, extent, geom.in_size):
        lo, hi = max(start, 0), min(start + ext, size)
        hi = max(hi, lo)
        src.append(slice(lo, hi))
        dst.append(slice(lo - start, hi - start))
    shape = (nb, x.shape[1]) + tuple(extent)
    return shape, tuple(src), tuple(dst), out


def _col_view(col_flat, batch_second, nb, c, geom, out):
    """The flat buffer as (nb, C, *K, *out) — a view whose axes follow the layout."""
    k = tuple(geom.kernel)
    if batch_second:
        v = col_flat.reshape((c,) + k + (nb,) + out)
        nk = len(k)
        return v.transpose((1 + nk, 0) + tuple(range(1, 1 + nk)) + tuple(range(2 + nk, v.ndim)))
    return col_flat.reshape((nb, c) + k + out)


def _im2col_numpy(x, col_flat, geom, n0, nb, r0, rows, batch_second):
    shape, src, dst, out = _slab(x, geom, n0, nb, r0, rows)
    slab = np.zeros(shape, dtype=x.dtype)
    slab[dst] = x[src]
    cols = _col_view(col_flat, batch_second, nb, x.shape[1], geom, out)
    for tap in np.ndindex(*geom.kernel):
        cols[(slice(None), slice(None)) + tap] = slab[tap_index(tap, geom.stride, geom.dilation,
                                                                out)]


def _col2im_numpy(col_flat, dx, geom, n0, nb, r0, rows, batch_second):
    shape, src, dst, out = _slab(dx, geom, n0, nb, r0, rows)
    slab = np.zeros(shape, dtype=dx.dtype)
    cols = _col_view(col_flat, batch_second, nb, dx.shape[1], geom, out)
    for tap in np.ndindex(*geom.kernel):
        slab[tap_index(tap, geom.stride, geom.dilation, out)] += cols[(slice(None), slice(None))
                                                                      + tap]
    dx[src] += slab[dst]


# --- public -------------------------------------------------------------------------------------
def im2col(x: np.ndarray, col_flat: np.ndarray, geom, n0: int, nb: int, r0: int, rows: int,
           batch_second: bool) -> np.ndarray:
    """Fill ``col_flat`` with the columns of images ``n0:n0+nb``, output rows ``r0:r0+rows``.

    Args:
        x: (N, C, *S) C-contiguous input (unpadded; ``geom`` implies the padding).
        col_flat: 1-d buffer of x's dtype with at least ``nb·C·prod(K)·rows·prod(out[1:])``
            elements.
        geom: ``plan.ConvGeometry``.
        batch_second: layout (module docstring).

    Returns:
        The filled part of the buffer as (nb, C·prod(K), cells) or (C·prod(K), nb·cells).
    """
    cells = rows * math.prod(geom.out_size[1:])
    k_total = x.shape[1] * geom.taps
    used = col_flat[:nb * k_total * cells]
    assert used.size == nb * k_total * cells and n0 + nb <= x.shape[0]
    assert r0 + rows <= geom.out_size[0]
    if _numba_ok(x, geom):
        s_n, s_k = _strides(batch_second, nb, k_total, cells)
        _im2col_2d.pick(used.size)(x, used, n0, nb, r0, rows, *_window(geom), s_n, s_k)
    else:
        _im2col_numpy(x, used, geom, n0, nb, r0, rows, batch_second)
    return used.reshape((k_total, nb * cells) if batch_second else (nb, k_total, cells))


def col2im(col: np.ndarray, dx: np.ndarray, geom, n0: int, nb: int, r0: int, rows: int,
           batch_second: bool) -> None:
    """Add the columns ``col`` (layout as ``im2col`` returns them) onto ``dx`` in place.

    Args:
        col: (nb, C·prod(K), cells) or (C·prod(K), nb·cells), C-contiguous.
        dx: (N, C, *S) C-contiguous accumulator (images ``n0:n0+nb`` are updated).
    """
    flat = col.reshape(-1)
    cells = rows * math.prod(geom.out_size[1:])
    assert flat.size == nb * dx.shape[1] * geom.taps * cells and n0 + nb <= dx.shape[0]
    assert r0 + rows <= geom.out_size[0]
    if _numba_ok(dx, geom):
        s_n, s_k = _strides(batch_second, nb, dx.shape[1] * geom.taps, cells)
        _col2im_2d.pick(flat.size)(flat, dx, n0, nb, r0, rows, *_window(geom), s_n, s_k)
    else:
        _col2im_numpy(flat, dx, geom, n0, nb, r0, rows, batch_second)
