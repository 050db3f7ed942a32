"""Which algorithm a conv runs, and how its batch is cut into chunks (integers only).

``ConvGeometry`` describes one conv on an *implicitly* padded input: only the
padding before each spatial dim is needed, the output size already says how far
the windows reach (so asymmetric pairs, 'same' and 'full' need no special case,
and transposed convs with ``output_padding`` simply have a larger input).

Chunking keeps every column buffer at most ``CHUNK_BYTES``: whole images while
one image's columns fit, otherwise blocks of output rows of one image. A layer
never allocates ``prod(K)`` times its whole batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _backend

#: Upper bound of one column buffer (bytes).
CHUNK_BYTES = 8 * 2**20

#: Forward GEMMs write each image's (O, P) block straight into the output when an
#: image has at least this many output cells; below it the chunk's images share one
#: wide GEMM (columns batch-second) and the output is transposed back.
PER_IMAGE_MIN_CELLS = 784

#: ... and at least this many multiply-adds per image and group (a 6x25x784 GEMM, as in
#: LeNet's first layer, is cheaper as part of one wide GEMM than as 64 small ones).
PER_IMAGE_MIN_MACS = 1 << 22
#: The direct kernels (``direct``) run layers whose im2col GEMM would be skinniest: at most
#: this many weights per output, ``(C/G)·prod(K)`` (LeNet's 1×5×5 = 25) ...
DIRECT_MAX_TAPS = 32
#: ... and at most this many outputs per group (measured: 6 and 16 outputs win, 64 lose).
DIRECT_MAX_OUT = 16
#: Winograd F(2×2, 3×3) (``winograd``) for stride-1 3×3 layers with at least this many input
#: and output channels ...
WINOGRAD_MIN_CHANNELS = 128
#: ... and outputs between these sizes. Measured at batch 32 against im2col in the same run,
#: forward / forward+backward: 14×14×256 1.45× / 1.27×, 14×14×512 1.66× / 1.35× faster;
#: 28×28×128 1.07× / 0.94× (the transforms grow with the plane, the saving with channels);
#: at 7×7 the 2×2 tiles overhang by 30 % and the transforms eat the rest.
WINOGRAD_MIN_SIZE = 10
WINOGRAD_MAX_SIZE = 20


@dataclass(frozen=True)
class ConvGeometry:
    """One conv's window arithmetic; every field has one entry per spatial dim.

    Attributes:
        in_size: spatial size of the (unpadded) input.
        kernel, stride, dilation: the window.
        pad_before: zero cells implied before each dim.
        out_size: output spatial size.
    """

    in_size: tuple
    kernel: tuple
    stride: tuple
    dilation: tuple
    pad_before: tuple
    out_size: tuple

    @property
    def nd(self) -> int:
        """Number of spatial dims."""
        return len(self.in_size)

    @property
    def taps(self) -> int:
        """``prod(kernel)``."""
        return math.prod(self.kernel)

    @property
    def cells(self) -> int:
        """Output cells per image, ``prod(out_size)``."""
        return math.prod(self.out_size)

    def as_2d(self) -> ConvGeometry:
        """The same conv with a leading size-1 spatial dim when 1-d (2-d and 3-d unchanged)."""
        if self.nd != 1:
            return self
        return ConvGeometry((1,) + self.in_size, (1,) + self.kernel, (1,) + self.stride,
                            (1,) + self.dilation, (0,) + self.pad_before, (1,) + self.out_size)

    @property
    def is_pointwise(self) -> bool:
        """1×1 kernel, no padding, output = the strided input grid (no gather needed)."""
        return (all(k == 1 for k in self.kernel) and not any(self.pad_before)
                and all(o == (i - 1) // s + 1
                        for o, i, s in zip(self.out_size, self.in_size, self.stride)))


def geometry(in_size, kernel, stride, dilation, padding, out_size) -> ConvGeometry:
    """``ConvGeometry`` from ``((before, after), ...)`` padding pairs."""
    return ConvGeometry(tuple(in_size), tuple(kernel), tuple(stride), tuple(dilation),
                        tuple(lo for lo, _ in padding), tuple(out_size))


def _winograd_fits(geom: ConvGeometry, in_channels: int, groups: int,
                    out_channels: int | None) -> bool:
    """3×3, stride 1, no dilation, one group, 2-d, padding before ≤ 2 (so that the input
    gradient is such a conv too), many channels, a mid-size output."""
    return (geom.nd == 2 and geom.kernel == (3, 3) and geom.stride == (1, 1)
            and geom.dilation == (1, 1) and groups == 1 and out_channels is not None
            and min(in_channels, out_channels) >= WINOGRAD_MIN_CHANNELS
            and WINOGRAD_MIN_SIZE <= min(geom.out_size)
            and max(geom.out_size) <= WINOGRAD_MAX_SIZE
            and max(geom.in_size) <= WINOGRAD_MAX_SIZE + 2
            and all(0 <= p <= 2 for p in geom.pad_before))


def select_conv_algorithm(geom: ConvGeometry, in_channels: int, groups: int,
                          out_channels: int | None = None) -> str:
    """Name of the path that runs a conv of this shape.

    Args:
        geom: the conv. in_channels: C. groups: G.
        out_channels: O; without it the ``'direct'`` path is not considered.

    Returns:
        ``'pointwise'``, ``'depthwise'``, ``'winograd'``, ``'direct'``, ``'tap'`` or
        ``'im2col'`` (see ``convzoo.ops.kernels``).

    >>> g = geometry((56, 56), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), (56, 56))
    >>> select_conv_algorithm(g, 64, 1)
    'im2col'
    >>> select_conv_algorithm(g, 64, 64) in ("depthwise", "tap")   # "tap" without Numba
    True
    """
    if geom.is_pointwise:
        return "pointwise"
    if in_channels == groups > 1:   # one input channel (LeNet's first layer) is dense: im2col
        if geom.nd <= 2 and _backend.numba_enabled():
            return "depthwise"
        return "tap"
    if _backend.numba_enabled() and _winograd_fits(geom, in_channels, groups, out_channels):
        return "winograd"
    if (out_channels is not None and geom.nd <= 2 and _backend.numba_enabled()
            and in_channels // groups * geom.taps <= DIRECT_MAX_TAPS
            and out_channels // groups <= DIRECT_MAX_OUT):
        return "direct"
    return "im2col"


def chunks(n: int, geom: ConvGeometry, rows_bytes: int, budget: int | None = None):
    """Chunks ``(n0, nb, r0, rows)`` covering ``n`` images × ``out_size[0]`` output rows.

    Args:
        n: batch size.
        geom: the conv.
        rows_bytes: bytes of column buffer one output row of one image needs.
        budget: bytes per chunk (default ``CHUNK_BYTES``).

    >>> g = geometry((8, 8), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), (8, 8))
    >>> list(chunks(3, g, 100, budget=1600))
    [(0, 2, 0, 8), (2, 1, 0, 8)]
    >>> list(chunks(1, g, 100, budget=300))
    [(0, 1, 0, 3), (0, 1, 3, 3), (0, 1, 6, 2)]
    """
    budget = CHUNK_BYTES if budget is None else budget
    height = geom.out_size[0]
    image = rows_bytes * height
    if image <= budget:
        nb = max(1, budget // max(image, 1))
        for n0 in range(0, n, nb):
            yield n0, min(nb, n - n0), 0, height
        return
    rows = max(1, budget // max(rows_bytes, 1))
    for n0 in range(n):
        for r0 in range(0, height, rows):
            yield n0, 1, r0, min(rows, height - r0)
