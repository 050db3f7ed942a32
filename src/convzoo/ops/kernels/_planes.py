"""The polyphase flat-offset layout shared by the fused depthwise and pooling kernels.

A window sweep with stride ``(sh, sw)`` over a padded plane reads, for output
``(r, q)`` and tap ``(i, j)``, the padded cell ``(r·sh + i·dh, q·sw + j·dw)``. Split
the padded plane into its ``sh·sw`` *phases* — phase ``(a, b)`` holds the cells whose
row is ``a`` mod ``sh`` and column ``b`` mod ``sw``, each a small ``(hq, wq)`` plane —
and that cell is phase ``((i·dh) mod sh, (j·dw) mod sw)`` at ``(r + ⌊i·dh/sh⌋,
q + ⌊j·dw/sw⌋)``: stride 1 inside the phase. Laying the output out at the phase
pitch, ``m = r·wq + q``, tap ``t`` reads ``phases[off_t + m]`` for one constant
``off_t``, so every tap is ONE contiguous vector loop over
``length = (Ho−1)·wq + Wo`` positions (positions with ``q ≥ Wo`` are computed and
dropped; scatters put zeros there). Stride 1 is the single-phase case: the padded
plane itself, read at flat offsets ``i·dh·Wp + j·dw``.

``layout`` computes the integers; the Numba helpers move one plane in and out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ._backend import jit_serial, uint64


@dataclass(frozen=True)
class PhaseLayout:
    """Integers of the polyphase layout of one window sweep (see the module docstring).

    Attributes:
        hq, wq: size of one phase plane. size: ``hq·wq``. length: flat output positions.
        offsets: int64 (taps,) start of each tap's read in the phase buffer.
        pads: (ph, pw) padding before. stride: (sh, sw).
    """

    hq: int
    wq: int
    size: int
    length: int
    offsets: np.ndarray
    pads: tuple
    stride: tuple

    @property
    def buffer(self) -> int:
        """Elements of the whole phase buffer, ``sh·sw·hq·wq``."""
        return self.stride[0] * self.stride[1] * self.size


@functools.lru_cache(maxsize=1024)   # integers in, the same layout out: every step asks again
def layout(in_size, kernel, stride, dilation, pad_before, out_size) -> PhaseLayout:
    """The ``PhaseLayout`` of a 2-d sweep (cached; treat ``offsets`` as read-only).

    >>> lay = layout((5, 5), (3, 3), (2, 2), (1, 1), (1, 1), (3, 3))
    >>> lay.hq, lay.wq, lay.length, lay.offsets.tolist()
    (4, 4, 11, [0, 16, 1, 32, 48, 33, 4, 20, 5])
    """
    (h, w), (kh, kw), (sh, sw), (dh, dw) = in_size, kernel, stride, dilation
    (ph, pw), (ho, wo) = pad_before, out_size
    hp = max(h + ph, (ho - 1) * sh + (kh - 1) * dh + 1)
    wp = max(w + pw, (wo - 1) * sw + (kw - 1) * dw + 1)
    hq, wq = -(-hp // sh), -(-wp // sw)
    size = hq * wq
    offsets = np.array([(((i * dh) % sh) * sw + (j * dw) % sw) * size
                        + ((i * dh) // sh) * wq + (j * dw) // sw
                        for i in range(kh) for j in range(kw)], dtype=np.int64)
    return PhaseLayout(hq, wq, size, (ho - 1) * wq + wo, offsets, (ph, pw), (sh, sw))


# The helpers index flat buffers with unsigned integers: Numba then emits no
# negative-index wraparound checks, and no per-row views (each view costs reference
# counting) are made — on 14×14 planes that halves a whole kernel's time.
@jit_serial
def to_phases(plane, phases, sh, sw, ph, pw, hq, wq):
    """Copy a (H, W) plane's cells to their places in the phase buffer (padding untouched)."""
    height, width = plane.shape
    flat = plane.reshape(-1)
    size = hq * wq
    for a in range(height):
        big = a + ph
        base = ((big % sh) * sw) * size + (big // sh) * wq
        src = uint64(a * width)
        if sw == 1:
            dst = uint64(base + pw)
            for k in range(width):
                phases[dst + uint64(k)] = flat[src + uint64(k)]
            continue
        for pc in range(sw):
            c0 = (pc - pw) % sw
            if c0 >= width:
                continue
            count = (width - 1 - c0) // sw + 1
            dst = uint64(base + pc * size + (c0 + pw) // sw)
            first = src + uint64(c0)
            for k in range(count):
                phases[dst + uint64(k)] = flat[first + uint64(k * sw)]


@jit_serial
def from_phases(phases, plane, sh, sw, ph, pw, hq, wq):
    """Copy the real cells of the phase buffer back into a (H, W) plane."""
    height, width = plane.shape
    flat = plane.reshape(-1)
    size = hq * wq
    for a in range(height):
        big = a + ph
        base = ((big % sh) * sw) * size + (big // sh) * wq
        dst = uint64(a * width)
        if sw == 1:
            src = uint64(base + pw)
            for k in range(width):
                flat[dst + uint64(k)] = phases[src + uint64(k)]
            continue
        for pc in range(sw):
            c0 = (pc - pw) % sw
            if c0 >= width:
                continue
            count = (width - 1 - c0) // sw + 1
            src = uint64(base + pc * size + (c0 + pw) // sw)
            first = dst + uint64(c0)
            for k in range(count):
                flat[first + uint64(k * sw)] = phases[src + uint64(k)]


@jit_serial
def to_pitch(plane, flat, wq):
    """(Ho, Wo) plane -> flat positions ``r·wq + q`` (the gaps are left as they are)."""
    ho, wo = plane.shape
    src = plane.reshape(-1)
    for r in range(ho):
        d0 = uint64(r * wq)
        s0 = uint64(r * wo)
        for q in range(wo):
            flat[d0 + uint64(q)] = src[s0 + uint64(q)]


@jit_serial
def from_pitch(flat, plane, wq):
    """Flat positions ``r·wq + q`` -> (Ho, Wo) plane."""
    ho, wo = plane.shape
    dst = plane.reshape(-1)
    for r in range(ho):
        s0 = uint64(r * wq)
        d0 = uint64(r * wo)
        for q in range(wo):
            dst[d0 + uint64(q)] = flat[s0 + uint64(q)]


@jit_serial
def to_padded(flat, src0, rows, cols, width, buf, ph, pw, wp):
    """Copy ``rows × cols`` cells of the plane starting at ``flat[src0]`` (row length
    ``width``) into the zero-bordered buffer of row length ``wp`` at ``(ph, pw)``."""
    for a in range(rows):
        dst = uint64((a + ph) * wp + pw)
        src = src0 + uint64(a * width)
        for q in range(cols):
            buf[dst + uint64(q)] = flat[src + uint64(q)]


@jit_serial
def row_total(acc, row, length):
    """``Σ acc[row : row + length]`` accumulated in float64 (weight gradients)."""
    total = 0.0
    for m in range(length):
        total += acc[row + m]
    return total
