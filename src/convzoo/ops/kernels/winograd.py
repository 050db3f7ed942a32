"""Winograd F(2×2, 3×3) for stride-1 3×3 convs with many channels (Lavin & Gray, 2016).

A 2×2 block of outputs of a 3×3 correlation needs 36 multiplications per
(input, output) channel pair done directly, 16 in the Winograd domain: each 4×4
input tile ``d`` (tiles overlap by 2) becomes ``V = Bᵀ d B``, each 3×3 kernel
``g`` becomes ``U = G g Gᵀ``, and the 2×2 outputs are ``Aᵀ (Σ_c U ⊙ V) A``. The
channel sum of the 16 elementwise products is 16 GEMMs,
``M[ξ] = U[ξ] (O×C) · V[ξ] (C×tiles)``, so 2.25× fewer multiply-adds reach BLAS
than with im2col (fewer where the last tile row or column hangs over the edge).
The transforms are adds and subtractions only (``G`` holds halves, exact in
binary), done by Numba kernels per plane; the tiles of a chunk of images go
through one batched GEMM, the transformed tiles capped at ``CHUNK_BYTES``.

The input gradient of such a conv is the same kind of conv of ``dY`` (kernel
rotated by 180°, channels exchanged, padding ``2 − p``), so it runs here too;
the weight gradient stays on the im2col GEMM. Rounding: each output is a
different (exact-arithmetic-equal) sum of products, within a few float32 ulps of
the direct sum on the tested shapes.
"""

from __future__ import annotations

import numpy as np

from . import plan
from ._backend import jit, prange, uint64
from ._planes import to_padded
from .depthwise import blocks

_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


@jit
def _input_tiles(x, v, n0, nb, ph, pw, th, tw, nblocks):
    """v[ξ, c, i·T + t] = (Bᵀ d B)[ξ] for every 4×4 tile d (stride 2) of image n0 + i."""
    c_in, height, width = x.shape[1], x.shape[2], x.shape[3]
    tiles = th * tw
    hb, wb = 2 * th + 2, 2 * tw + 2
    xi_stride = uint64(c_in * nb * tiles)
    vf = v.reshape(-1)
    xf = x.reshape(-1)
    planes = nb * c_in
    rows = min(height, hb - ph)      # input rows and columns the tiles reach
    cols = min(width, wb - pw)
    for b in prange(nblocks):
        xp = np.zeros(hb * wb, dtype=x.dtype)   # borders stay zero: only the inside is copied
        for p in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            i = p // c_in
            c = p - i * c_in
            src0 = uint64(((n0 + i) * c_in + c) * height * width)
            to_padded(xf, src0, rows, cols, width, xp, ph, pw, wb)
            col0 = uint64((c * nb + i) * tiles)
            for ty in range(th):
                r0 = uint64(2 * ty * wb)
                r1 = r0 + uint64(wb)
                r2 = r1 + uint64(wb)
                r3 = r2 + uint64(wb)
                c0 = col0 + uint64(ty * tw)
                # straight-line code over the tiles of a row (no inner loops, no scratch
                # array) so that the loop over tx vectorises
                for tx in range(tw):
                    e = uint64(2 * tx)
                    h00 = xp[r0 + e] - xp[r0 + e + 2]
                    h01 = xp[r0 + e + 1] + xp[r0 + e + 2]
                    h02 = xp[r0 + e + 2] - xp[r0 + e + 1]
                    h03 = xp[r0 + e + 1] - xp[r0 + e + 3]
                    h10 = xp[r1 + e] - xp[r1 + e + 2]
                    h11 = xp[r1 + e + 1] + xp[r1 + e + 2]
                    h12 = xp[r1 + e + 2] - xp[r1 + e + 1]
                    h13 = xp[r1 + e + 1] - xp[r1 + e + 3]
                    h20 = xp[r2 + e] - xp[r2 + e + 2]
                    h21 = xp[r2 + e + 1] + xp[r2 + e + 2]
                    h22 = xp[r2 + e + 2] - xp[r2 + e + 1]
                    h23 = xp[r2 + e + 1] - xp[r2 + e + 3]
                    h30 = xp[r3 + e] - xp[r3 + e + 2]
                    h31 = xp[r3 + e + 1] + xp[r3 + e + 2]
                    h32 = xp[r3 + e + 2] - xp[r3 + e + 1]
                    h33 = xp[r3 + e + 1] - xp[r3 + e + 3]
                    col = c0 + uint64(tx)
                    vf[col] = h00 - h20
                    vf[col + xi_stride] = h01 - h21
                    vf[col + 2 * xi_stride] = h02 - h22
                    vf[col + 3 * xi_stride] = h03 - h23
                    vf[col + 4 * xi_stride] = h10 + h20
                    vf[col + 5 * xi_stride] = h11 + h21
                    vf[col + 6 * xi_stride] = h12 + h22
                    vf[col + 7 * xi_stride] = h13 + h23
                    vf[col + 8 * xi_stride] = h20 - h10
                    vf[col + 9 * xi_stride] = h21 - h11
                    vf[col + 10 * xi_stride] = h22 - h12
                    vf[col + 11 * xi_stride] = h23 - h13
                    vf[col + 12 * xi_stride] = h10 - h30
                    vf[col + 13 * xi_stride] = h11 - h31
                    vf[col + 14 * xi_stride] = h12 - h32
                    vf[col + 15 * xi_stride] = h13 - h33


@jit
def _output_tiles(m, y, n0, nb, th, tw, nblocks):
    """y[n0 + i, o] 2×2 blocks = Aᵀ m A of the products ``m[ξ, o, i·T + t]``."""
    c_out, ho, wo = y.shape[1], y.shape[2], y.shape[3]
    tiles = th * tw
    xi_stride = uint64(c_out * nb * tiles)
    mf = m.reshape(-1)
    yf = y.reshape(-1)
    planes = nb * c_out
    for b in prange(nblocks):
        s = np.empty(8, dtype=y.dtype)
        for p in range(planes * b // nblocks, planes * (b + 1) // nblocks):
            i = p // c_out
            o = p - i * c_out
            col0 = uint64((o * nb + i) * tiles)
            out0 = uint64(((n0 + i) * c_out + o) * ho * wo)
            for ty in range(th):
                for tx in range(tw):
                    col = col0 + uint64(ty * tw + tx)
                    for j in range(4):
                        m0 = mf[uint64(j) * xi_stride + col]
                        m1 = mf[uint64(4 + j) * xi_stride + col]
                        m2 = mf[uint64(8 + j) * xi_stride + col]
                        m3 = mf[uint64(12 + j) * xi_stride + col]
                        s[j] = m0 + m1 + m2
                        s[4 + j] = m1 - m2 - m3
                    r = 2 * ty
                    q = 2 * tx
                    for a in range(2):
                        if r + a >= ho:
                            continue
                        at = out0 + uint64((r + a) * wo + q)
                        yf[at] = s[4 * a] + s[4 * a + 1] + s[4 * a + 2]
                        if q + 1 < wo:
                            yf[at + uint64(1)] = s[4 * a + 1] - s[4 * a + 2] - s[4 * a + 3]


def transform_weight(w: np.ndarray) -> np.ndarray:
    """(O, C, 3, 3) -> U (16, O, C) = G g Gᵀ per kernel (two plain GEMMs: a batched
    matmul of 4×3 by 3×3 matrices runs one tiny product at a time)."""
    o, c = w.shape[:2]
    g = _G.astype(w.dtype)
    t = (w.reshape(o * c * 3, 3) @ g.T).reshape(o, c, 3, 4)          # Σ_j g[i, j] G[b, j]
    u = np.swapaxes(t, 2, 3).reshape(o * c * 4, 3) @ g.T              # Σ_i G[a, i] t[i, b]
    return np.ascontiguousarray(u.reshape(o, c, 4, 4).transpose(3, 2, 0, 1)).reshape(16, o, c)


def forward(x: np.ndarray, w: np.ndarray, geom) -> np.ndarray:
    """Cross-correlation (no bias) of x (N, C, H, W) with w (O, C, 3, 3): (N, O, *out_size)."""
    n, c = x.shape[:2]
    o = w.shape[0]
    dtype = np.result_type(x, w)
    x = np.ascontiguousarray(x, dtype=dtype)
    u = transform_weight(np.asarray(w, dtype=dtype))
    ho, wo = geom.out_size
    th, tw = -(-ho // 2), -(-wo // 2)
    tiles = th * tw
    y = np.empty((n, o, ho, wo), dtype=dtype)
    per_image = 16 * max(c, o) * tiles * y.itemsize
    nb = max(1, min(n, plan.CHUNK_BYTES // per_image))
    v = np.empty(16 * c * nb * tiles, dtype=dtype)
    m = np.empty(16 * o * nb * tiles, dtype=dtype)
    ph, pw = geom.pad_before
    for n0 in range(0, n, nb):
        k = min(nb, n - n0)
        vk = v[:16 * c * k * tiles].reshape(16, c, k * tiles)
        mk = m[:16 * o * k * tiles].reshape(16, o, k * tiles)
        run = _input_tiles.pick(64 * c * k * tiles)   # ~64 operations per tile
        run(x, vk, n0, k, ph, pw, th, tw, blocks(k * c))
        np.matmul(u, vk, out=mk)
        run = _output_tiles.pick(64 * o * k * tiles)
        run(mk, y, n0, k, th, tw, blocks(k * o))
    return y


def input_grad(dy: np.ndarray, w: np.ndarray, geom, x_shape) -> np.ndarray:
    """Gradient w.r.t. the input: the conv of ``dy`` with the rotated, transposed kernel."""
    rotated = np.ascontiguousarray(np.swapaxes(w, 0, 1)[:, :, ::-1, ::-1])
    adjoint = plan.ConvGeometry(tuple(geom.out_size), (3, 3), (1, 1), (1, 1),
                                tuple(2 - p for p in geom.pad_before), tuple(x_shape[2:]))
    return forward(dy, rotated, adjoint)
