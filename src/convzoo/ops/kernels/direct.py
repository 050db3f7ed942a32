"""Direct conv for layers with few channels per group (LeNet's 1→6 and 6→16 5×5 layers).

When ``C/G · kh·kw`` and ``O`` are small, the GEMM of im2col is skinny (a 6×25
weight against 25 rows of 50,000 columns): BLAS runs it far below its peak and
the column matrix costs more memory traffic than the arithmetic. These kernels
skip it. They extend the fused depthwise kernels (``depthwise``) to channel
mixing, on the same polyphase layout (``_planes``), so every tap of every
(output, input) channel pair is one contiguous multiply-add over ``length`` flat
output positions that stay in L1:

* forward — threads take blocks of images; each image's input planes are copied
  once into zero-bordered phase buffers, then ``acc[m] += w[o, c, t]·phases_c[off_t + m]``
  over the group's channels and the taps;
* input gradient — threads take blocks of images; the transpose,
  ``grads_c[off_t + m] += w[o, c, t]·g_o[m]`` (``g_o`` is ``dy`` at the phase pitch with
  zero gaps), then the real cells are copied out;
* weight gradient — threads take blocks of output channels (no two threads add
  into the same weight); one running vector per (input channel, tap),
  ``acc[c, t, m] += g_o[m]·phases_c[off_t + m]`` over the images (elementwise, so it
  vectorises without reassociating anything), each summed once at the end in float64.

Any stride, dilation and padding; groups too. ``plan.select_conv_algorithm`` picks
this path (``'direct'``) by shape; without Numba the GEMM path runs instead.
"""

from __future__ import annotations

import numpy as np

from ._backend import jit, prange, uint64
from ._planes import from_phases, from_pitch, row_total, to_phases, to_pitch
from .depthwise import _layout, blocks


@jit
def _forward(x, w, y, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = x.shape[0], x.shape[1]
    c_out, ho, wo = y.shape[1], y.shape[2], y.shape[3]
    cg = w.shape[1]
    og = c_out // (c_in // cg)
    taps = offsets.size
    size = sh * sw * hq * wq
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.zeros(c_in * size, dtype=x.dtype)
        acc = np.empty(length, dtype=y.dtype)
        for n in range(n_img * b // nblocks, n_img * (b + 1) // nblocks):
            for c in range(c_in):
                to_phases(x[n, c], phases[c * size:(c + 1) * size], sh, sw, ph, pw, hq, wq)
            for o in range(c_out):
                first = (o // og) * cg
                acc[:] = 0
                for ci in range(cg):
                    base = uint64((first + ci) * size)
                    for k in range(taps):
                        wv = w[o, ci, k]
                        off = base + uint64(offsets[k])
                        for m in range(length):
                            acc[m] += wv * phases[off + uint64(m)]
                from_pitch(acc, y[n, o], wq)


@jit
def _input_grad(dy, w, dx, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = dx.shape[0], dx.shape[1]
    c_out, ho, wo = dy.shape[1], dy.shape[2], dy.shape[3]
    cg = w.shape[1]
    og = c_out // (c_in // cg)
    taps = offsets.size
    size = sh * sw * hq * wq
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        grads = np.empty(c_in * size, dtype=dx.dtype)
        g = np.zeros(length, dtype=dy.dtype)
        for n in range(n_img * b // nblocks, n_img * (b + 1) // nblocks):
            grads[:] = 0
            for o in range(c_out):
                first = (o // og) * cg
                to_pitch(dy[n, o], g, wq)
                for ci in range(cg):
                    base = uint64((first + ci) * size)
                    for k in range(taps):
                        wv = w[o, ci, k]
                        off = base + uint64(offsets[k])
                        for m in range(length):
                            grads[off + uint64(m)] += wv * g[m]
            for c in range(c_in):
                from_phases(grads[c * size:(c + 1) * size], dx[n, c], sh, sw, ph, pw, hq, wq)


@jit
def _weight_grad(x, dy, gw, offsets, sh, sw, ph, pw, hq, wq, nblocks):
    n_img, c_in = x.shape[0], x.shape[1]
    c_out, ho, wo = dy.shape[1], dy.shape[2], dy.shape[3]
    cg = gw.shape[1]
    og = c_out // (c_in // cg)
    taps = offsets.size
    size = sh * sw * hq * wq
    length = (ho - 1) * wq + wo
    for b in prange(nblocks):
        phases = np.zeros(cg * size, dtype=x.dtype)
        g = np.zeros(length, dtype=dy.dtype)
        acc = np.empty(cg * taps * length, dtype=gw.dtype)
        for o in range(c_out * b // nblocks, c_out * (b + 1) // nblocks):
            first = (o // og) * cg
            acc[:] = 0
            for n in range(n_img):
                for ci in range(cg):
                    to_phases(x[n, first + ci], phases[ci * size:(ci + 1) * size], sh, sw, ph,
                              pw, hq, wq)
                to_pitch(dy[n, o], g, wq)
                for ci in range(cg):
                    base = uint64(ci * size)
                    for k in range(taps):
                        off = base + uint64(offsets[k])
                        row = uint64((ci * taps + k) * length)
                        for m in range(length):
                            acc[row + uint64(m)] += g[m] * phases[off + uint64(m)]
            for ci in range(cg):
                for k in range(taps):
                    gw[o, ci, k] = row_total(acc, (ci * taps + k) * length, length)


def _taps(w: np.ndarray) -> np.ndarray:
    """(O, C/G, kh, kw) -> contiguous (O, C/G, kh·kw)."""
    return np.ascontiguousarray(w).reshape(w.shape[0], w.shape[1], -1)


def forward(x: np.ndarray, w: np.ndarray, geom) -> np.ndarray:
    """Cross-correlation (no bias): x (N, C, H, W), w (O, C/G, kh, kw) -> (N, O, *P).

    Args:
        x: C-contiguous float input. w: weight (the groups are ``C // w.shape[1]``).
        geom: 2-d ``plan.ConvGeometry``.
    """
    n = x.shape[0]
    y = np.empty((n, w.shape[0]) + tuple(geom.out_size), dtype=np.result_type(x, w))
    _forward.pick(y.size * w[0].size)(x, _taps(w), y, *_layout(geom), blocks(n))
    return y


def input_grad(dy: np.ndarray, w: np.ndarray, geom, x_shape) -> np.ndarray:
    """Gradient w.r.t. the input: (N, C, H, W)."""
    dx = np.empty(x_shape, dtype=np.result_type(dy, w))
    run = _input_grad.pick(dy.size * w[0].size)
    run(np.ascontiguousarray(dy), _taps(w), dx, *_layout(geom), blocks(x_shape[0]))
    return dx


def weight_grad(x: np.ndarray, dy: np.ndarray, geom, kernel_shape) -> np.ndarray:
    """Gradient w.r.t. the weight: (O, C/G, kh, kw)."""
    o, cg = kernel_shape[:2]
    gw = np.empty((o, cg, int(np.prod(kernel_shape[2:]))), dtype=np.result_type(x, dy))
    run = _weight_grad.pick(dy.size * gw[0].size)
    run(np.ascontiguousarray(x), np.ascontiguousarray(dy), gw, *_layout(geom),
                 blocks(o))
    return gw.reshape(kernel_shape)
