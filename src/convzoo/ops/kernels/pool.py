"""Fused pooling kernels (Numba): one pass per (n, c) plane, threads over blocks of planes.

Max and average pooling (2-d; 1-d runs with height 1) use the polyphase
flat-offset layout of ``_planes``: each plane is copied once into a phase buffer
whose padding cells hold the pool's neutral value (``-inf`` for max, ``0`` for
average, including any ``ceil_mode`` overhang), after which every kernel tap is
one contiguous vector loop over the flat output positions.

* max — ``take = v > best or v is NaN`` selects (no branch) the new maximum and
  the tap's cell offset; ties keep the first tap in raster order, padding never
  wins, NaN propagates (the last NaN's index is kept), and a window that never
  takes (all real cells ``-inf``) points at its first real cell — ``ops.pool``'s
  rules exactly. Indices are flat within the input plane, int64; without indices
  (inference) the sweep keeps the maximum alone.
* max backward (any number of dims) — per plane, ``dx[idx] += dy``: a scatter
  that also sums where overlapping windows chose the same cell.
* average — the per-tap sum of the window (padding adds zero) divided by the
  divisor grid; backward adds ``dy / divisor`` onto every cell of each window and
  copies the real cells back.

Callers (``ops.pool``) check the dtype (float32/float64) and fall back to the
per-tap NumPy code otherwise.
"""

from __future__ import annotations

import functools

import numpy as np

from ._backend import jit, prange, uint64
from ._planes import from_phases, from_pitch, layout, to_phases
from .depthwise import blocks


@jit
def _max(x, out, idx, first, offsets, cells, sh, sw, ph, pw, hq, wq, nblocks, want_index):
    n_img, c_in, width = x.shape[0], x.shape[1], x.shape[3]
    ho, wo = out.shape[2], out.shape[3]
    taps = offsets.size
    planes = n_img * c_in
    length = (ho - 1) * wq + wo
    unset = -(1 << 62)
    outf, idxf, firstf = out.reshape(-1), idx.reshape(-1), first.reshape(-1)
    for b in prange(nblocks):
        phases = np.full(sh * sw * hq * wq, -np.inf, dtype=x.dtype)
        best = np.empty(length, dtype=x.dtype)
        arg = np.empty(length, dtype=np.int64)
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_in
            c = t - n * c_in
            to_phases(x[n, c], phases, sh, sw, ph, pw, hq, wq)
            best[:] = -np.inf
            arg[:] = unset
            for k in range(taps):
                off = uint64(offsets[k])
                if not want_index:
                    for m in range(length):
                        v = phases[off + uint64(m)]
                        old = best[m]
                        best[m] = v if (v > old) | (v != v) else old
                    continue
                cell = cells[k]
                for m in range(length):
                    v = phases[off + uint64(m)]
                    old = best[m]
                    take = (v > old) | (v != v)
                    best[m] = v if take else old
                    arg[m] = cell if take else arg[m]
            if not want_index:
                from_pitch(best, out[n, c], wq)
                continue
            plane = uint64(t * ho * wo)   # flat indices: no per-row views (reference counts)
            for r in range(ho):
                base = r * sh * width
                for q in range(wo):
                    m = uint64(r * wq + q)
                    cell = uint64(r * wo + q)
                    outf[plane + cell] = best[m]
                    a = arg[m]
                    idxf[plane + cell] = firstf[cell] if a == unset else base + q * sw + a


@jit
def _max_backward(grad, idx, dx):
    planes, cells = grad.shape
    for p in prange(planes):
        plane = dx[p]
        plane[:] = 0
        g = grad[p]
        k = idx[p]
        for m in range(cells):
            plane[k[m]] += g[m]


@jit
def _avg(x, out, div, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = x.shape[0], x.shape[1]
    ho, wo = out.shape[2], out.shape[3]
    taps = offsets.size
    planes = n_img * c_in
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.zeros(sh * sw * hq * wq, dtype=x.dtype)
        acc = np.empty(length, dtype=x.dtype)
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_in
            c = t - n * c_in
            to_phases(x[n, c], phases, sh, sw, ph, pw, hq, wq)
            acc[:] = 0
            for k in range(taps):
                off = uint64(offsets[k])
                for m in range(length):
                    acc[m] += phases[off + uint64(m)]
            for r in range(ho):
                orow = out[n, c, r]
                drow = div[r]
                for q in range(wo):
                    orow[q] = acc[r * wq + q] / drow[q]


@jit
def _avg_backward(grad, div, dx, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = dx.shape[0], dx.shape[1]
    ho, wo = grad.shape[2], grad.shape[3]
    taps = offsets.size
    planes = n_img * c_in
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.empty(sh * sw * hq * wq, dtype=dx.dtype)
        g = np.zeros(length, dtype=grad.dtype)
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_in
            c = t - n * c_in
            for r in range(ho):
                grow = grad[n, c, r]
                drow = div[r]
                for q in range(wo):
                    g[r * wq + q] = grow[q] / drow[q]
            phases[:] = 0
            for k in range(taps):
                off = uint64(offsets[k])
                for m in range(length):
                    phases[off + uint64(m)] += g[m]
            from_phases(phases, dx[n, c], sh, sw, ph, pw, hq, wq)


def _lift(x: np.ndarray, kernel, stride, padding, dilation, out_size):
    """1-d pooling arguments as 2-d ones with height 1."""
    if x.ndim == 4:
        return x, tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), tuple(out_size)
    return (x.reshape(x.shape[:2] + (1,) + x.shape[2:]), (1,) + tuple(kernel),
            (1,) + tuple(stride), ((0, 0),) + tuple(padding), (1,) + tuple(dilation),
            (1,) + tuple(out_size))


def _layout(in_size, kernel, stride, padding, dilation, out_size):
    lay = layout(in_size, kernel, stride, dilation, tuple(p[0] for p in padding), out_size)
    return lay, (lay.offsets,) + tuple(lay.stride) + tuple(lay.pads) + (lay.hq, lay.wq)


@functools.lru_cache(maxsize=256)
def _first_real(in_size, kernel, stride, padding, dilation, out_size) -> np.ndarray:
    """(Ho, Wo) flat index of each window's first real cell in raster order (cached, read-only
    by the kernels)."""
    grids = []
    for i, k, s, d, (lo, _), o in zip(in_size, kernel, stride, dilation, padding, out_size):
        pos = np.arange(k)[:, None] * d + np.arange(o)[None, :] * s - lo
        real = (pos >= 0) & (pos < i)
        grids.append(pos[real.argmax(axis=0), np.arange(o)])
    return np.ascontiguousarray(grids[0][:, None] * in_size[1] + grids[1][None, :],
                                dtype=np.int64)


def max_pool(x: np.ndarray, kernel, stride, padding, dilation, out_size, with_indices=True):
    """(out, flat per-plane int64 argmax or None) of 1-d/2-d max pooling of a float array."""
    x2, k, s, p, d, o = _lift(np.ascontiguousarray(x), kernel, stride, padding, dilation,
                             out_size)
    in_size = x2.shape[2:]
    lay, args = _layout(in_size, k, s, p, d, o)
    cells = np.array([(i * d[0] - p[0][0]) * in_size[1] + j * d[1] - p[1][0]
                      for i in range(k[0]) for j in range(k[1])], dtype=np.int64)
    out = np.empty(x2.shape[:2] + o, dtype=x.dtype)
    idx = np.empty(out.shape if with_indices else (1, 1, 1, 1), dtype=np.int64)
    first = _first_real(in_size, k, s, p, d, o)
    run = _max.pick(out.size * cells.size)
    run(x2, out, idx, first, args[0], cells, *args[1:], blocks(x2.shape[0] * x2.shape[1]),
         bool(with_indices))
    shape = x.shape[:2] + tuple(out_size)
    return out.reshape(shape), (idx.reshape(shape) if with_indices else None)


def max_pool_backward(grad: np.ndarray, indices: np.ndarray, in_shape) -> np.ndarray:
    """Scatter-add ``grad`` at the per-plane ``indices`` into a zero (N, C, *S) array."""
    n, c = in_shape[:2]
    dx = np.empty(in_shape, dtype=grad.dtype)
    _max_backward.pick(grad.size)(np.ascontiguousarray(grad).reshape(n * c, -1),
                  np.ascontiguousarray(indices).reshape(n * c, -1), dx.reshape(n * c, -1))
    return dx


def avg_pool(x: np.ndarray, divisor, kernel, stride, padding, dilation, out_size):
    """1-d/2-d average pooling: Σ of each window's real cells / ``divisor`` (scalar or grid)."""
    x2, k, s, p, d, o = _lift(np.ascontiguousarray(x), kernel, stride, padding, dilation,
                             out_size)
    _, args = _layout(x2.shape[2:], k, s, p, d, o)
    div = np.ascontiguousarray(np.broadcast_to(np.asarray(divisor, dtype=x.dtype), o))
    out = np.empty(x2.shape[:2] + o, dtype=x.dtype)
    _avg.pick(out.size * args[0].size)(x2, out, div, *args, blocks(x2.shape[0] * x2.shape[1]))
    return out.reshape(x.shape[:2] + tuple(out_size))


def avg_pool_backward(grad: np.ndarray, divisor, in_shape, kernel, stride, padding, dilation):
    """VJP of ``avg_pool``: every real cell of a window gets ``grad / divisor`` of it."""
    out_size = grad.shape[2:]
    g2, k, s, p, d, o = _lift(np.ascontiguousarray(grad), kernel, stride, padding, dilation,
                             out_size)
    dx = np.empty(in_shape, dtype=grad.dtype)
    dx2 = dx.reshape(dx.shape[:2] + (1,) + dx.shape[2:]) if dx.ndim == 3 else dx
    _, args = _layout(dx2.shape[2:], k, s, p, d, o)
    div = np.ascontiguousarray(np.broadcast_to(np.asarray(divisor, dtype=grad.dtype), o))
    run = _avg_backward.pick(g2.size * args[0].size)
    run(g2, div, dx2, *args, blocks(dx2.shape[0] * dx2.shape[1]))
    return dx
