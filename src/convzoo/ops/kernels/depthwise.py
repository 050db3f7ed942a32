"""Depthwise conv (``groups == C``, depth multiplier ``M = O/C``): fused single-pass kernels.

A depthwise layer does ``prod(K)`` multiply-adds per output cell and no channel
mixing, so it is bound by memory, not arithmetic: its GEMMs would be degenerate
and im2col would multiply the traffic by ``prod(K)``. Each kernel here reads every
plane once and writes every plane once; Numba threads take blocks of
independent planes (or of channels, for the weight gradient, so that no two
threads add into the same weight).

All three use the polyphase flat-offset layout of ``_planes``: a plane is copied
once into a zero-bordered phase buffer (the padding made real), after which
every kernel tap is one contiguous multiply-add over ``length`` flat output
positions, whatever the stride, dilation or plane size:

* forward — per output plane: ``acc[m] += w[o, t]·phases[off_t + m]``, then the
  valid positions are copied out row by row;
* input gradient — per input plane, the transpose: ``phases[off_t + m] += w[o, t]·g[m]``
  for the ``M`` outputs of the channel (``g`` is ``dy`` at the phase pitch with
  zero gaps), then the real cells are copied back;
* weight gradient — per output channel: one running vector per tap,
  ``acc_t[m] += g[m]·phases[off_t + m]`` over the images (elementwise, so it
  vectorises without reassociating anything), each summed once at the end in
  float64;
* both gradients (``backward``) — per input channel, the two loops above fused:
  each image's plane and output gradients are read once.

The engine runs 1-d layers as 2-d with height 1. Without Numba, ``ops.conv``'s
per-tap path runs instead.
"""

from __future__ import annotations

import numpy as np

from ._backend import jit, prange, uint64
from ._planes import from_phases, from_pitch, layout, row_total, to_phases, to_pitch


@jit
def _forward(x, w, y, mult, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = x.shape[0], x.shape[1]
    c_out, ho, wo = y.shape[1], y.shape[2], y.shape[3]
    taps = offsets.size
    planes = n_img * c_out
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.zeros(sh * sw * hq * wq, dtype=x.dtype)
        acc = np.empty(length, dtype=y.dtype)
        loaded = -1
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_out
            o = t - n * c_out
            c = o // mult
            if n * c_in + c != loaded:
                to_phases(x[n, c], phases, sh, sw, ph, pw, hq, wq)
                loaded = n * c_in + c
            acc[:] = 0
            for k in range(taps):
                wv = w[o, k]
                off = uint64(offsets[k])
                for m in range(length):
                    acc[m] += wv * phases[off + uint64(m)]
            from_pitch(acc, y[n, o], wq)


@jit
def _input_grad(dy, w, dx, mult, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = dx.shape[0], dx.shape[1]
    ho, wo = dy.shape[2], dy.shape[3]
    taps = offsets.size
    planes = n_img * c_in
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.empty(sh * sw * hq * wq, dtype=dx.dtype)
        g = np.zeros(length, dtype=dy.dtype)
        for t in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            n = t // c_in
            c = t - n * c_in
            phases[:] = 0
            for i in range(mult):
                o = c * mult + i
                to_pitch(dy[n, o], g, wq)
                for k in range(taps):
                    wv = w[o, k]
                    off = uint64(offsets[k])
                    for m in range(length):
                        phases[off + uint64(m)] += wv * g[m]
            from_phases(phases, dx[n, c], sh, sw, ph, pw, hq, wq)


@jit
def _weight_grad(x, dy, gw, mult, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img = x.shape[0]
    c_out, ho, wo = dy.shape[1], dy.shape[2], dy.shape[3]
    taps = offsets.size
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.zeros(sh * sw * hq * wq, dtype=x.dtype)
        g = np.zeros(length, dtype=dy.dtype)
        acc = np.empty((taps, length), dtype=gw.dtype)
        accf = acc.reshape(-1)
        for o in range(c_out * b // nblocks, c_out * (b + 1) // nblocks):
            c = o // mult
            acc[:] = 0
            for n in range(n_img):
                to_phases(x[n, c], phases, sh, sw, ph, pw, hq, wq)
                to_pitch(dy[n, o], g, wq)
                for k in range(taps):
                    off = uint64(offsets[k])
                    row = uint64(k * length)
                    for m in range(length):
                        accf[row + uint64(m)] += g[m] * phases[off + uint64(m)]
            for k in range(taps):
                gw[o, k] = row_total(accf, k * length, length)


@jit
def _backward(x, dy, w, dx, gw, mult, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = x.shape[0], x.shape[1]
    ho, wo = dy.shape[2], dy.shape[3]
    taps = offsets.size
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.zeros(sh * sw * hq * wq, dtype=x.dtype)
        grads = np.empty(sh * sw * hq * wq, dtype=dx.dtype)
        g = np.zeros(length, dtype=dy.dtype)
        acc = np.empty(mult * taps * length, dtype=gw.dtype)
        for c in range(c_in * b // nblocks, c_in * (b + 1) // nblocks):
            acc[:] = 0
            for n in range(n_img):
                to_phases(x[n, c], phases, sh, sw, ph, pw, hq, wq)
                grads[:] = 0
                for i in range(mult):
                    o = c * mult + i
                    to_pitch(dy[n, o], g, wq)
                    for k in range(taps):
                        wv = w[o, k]
                        off = uint64(offsets[k])
                        row = uint64((i * taps + k) * length)
                        for m in range(length):
                            grads[off + uint64(m)] += wv * g[m]
                            acc[row + uint64(m)] += g[m] * phases[off + uint64(m)]
                from_phases(grads, dx[n, c], sh, sw, ph, pw, hq, wq)
            for i in range(mult):
                for k in range(taps):
                    gw[c * mult + i, k] = row_total(acc, (i * taps + k) * length, length)


# --- wrappers -----------------------------------------------------------------------------------
def blocks(planes: int) -> int:
    """How many blocks of planes the threads share (a few per thread, for balance)."""
    from ._backend import numba
    return max(1, min(planes, 4 * numba.get_num_threads()))


def _layout(geom):
    assert geom.nd == 2
    lay = layout(geom.in_size, geom.kernel, geom.stride, geom.dilation, geom.pad_before,
                 geom.out_size)
    return (lay.offsets,) + tuple(lay.stride) + tuple(lay.pads) + (lay.hq, lay.wq)


def _taps(w: np.ndarray) -> np.ndarray:
    """(O, 1, kh, kw) -> contiguous (O, kh·kw)."""
    return np.ascontiguousarray(w).reshape(w.shape[0], -1)


def forward(x: np.ndarray, w: np.ndarray, geom) -> np.ndarray:
    """Depthwise cross-correlation (no bias): x (N, C, H, W), w (C·M, 1, kh, kw) -> (N, C·M, *P).

    Args:
        x: C-contiguous float input. w: weight. geom: 2-d ``plan.ConvGeometry``.
    """
    n, c = x.shape[:2]
    o = w.shape[0]
    y = np.empty((n, o) + tuple(geom.out_size), dtype=np.result_type(x, w))
    _forward.pick(y.size * w[0].size)(x, _taps(w), y, o // c, *_layout(geom), blocks(n * o))
    return y


def input_grad(dy: np.ndarray, w: np.ndarray, geom, x_shape) -> np.ndarray:
    """Gradient w.r.t. the input: (N, C, H, W)."""
    dx = np.empty(x_shape, dtype=np.result_type(dy, w))
    run = _input_grad.pick(dy.size * w[0].size)
    run(dy, _taps(w), dx, w.shape[0] // x_shape[1], *_layout(geom),
                blocks(x_shape[0] * x_shape[1]))
    return dx


def weight_grad(x: np.ndarray, dy: np.ndarray, geom, kernel_shape) -> np.ndarray:
    """Gradient w.r.t. the weight: (C·M, 1, kh, kw)."""
    gw = np.empty((kernel_shape[0], int(np.prod(kernel_shape[2:]))),
                  dtype=np.result_type(x, dy))
    run = _weight_grad.pick(dy.size * gw.shape[1])
    run(x, dy, gw, kernel_shape[0] // x.shape[1], *_layout(geom),
                 blocks(kernel_shape[0]))
    return gw.reshape(kernel_shape)


def backward(x: np.ndarray, dy: np.ndarray, w: np.ndarray, geom):
    """Both gradients in one pass: (dx (N, C, H, W), dw (C·M, 1, kh, kw)).

    Threads own input channels: for each image the channel's plane and its ``M``
    output gradients are read once and feed the input-gradient scatter and the
    weight-gradient accumulators together.
    """
    c = x.shape[1]
    dx = np.empty(x.shape, dtype=np.result_type(dy, w))
    gw = np.empty((w.shape[0], int(np.prod(w.shape[2:]))), dtype=dx.dtype)
    run = _backward.pick(2 * dy.size * gw.shape[1])
    run(x, dy, _taps(w), dx, gw, w.shape[0] // c, *_layout(geom), blocks(c))
    return dx, gw.reshape(w.shape)
