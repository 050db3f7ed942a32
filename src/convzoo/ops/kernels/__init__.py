"""Per-shape kernels behind ``convzoo.ops``: which algorithm runs for which layer.

The public ops (``ops.conv``, ``ops.transpose``, ``ops.pool``) keep their signatures;
they hand the work to the algorithm this package selects for the shape at hand:

=================  ===========================================================  ============
path               used for                                                     module
=================  ===========================================================  ============
``pointwise``      1×1 kernels, no padding (stride: a strided view first):       ``gemm``
                   ``(O, C)·(C, H·W)`` per image, batched over the groups
``im2col``         every other grouped/dense conv, 1-d/2-d/3-d: the columns of  ``gemm``
                   a chunk of images (``(C/G·k, P)`` each) and one GEMM per
                   chunk and group; the column buffer never exceeds
                   ``CHUNK_BYTES`` (images, then output rows, are chunked)
``depthwise``      ``C/G == 1`` in 1-d/2-d with Numba: one fused pass per        ``depthwise``
                   (n, c) plane, forward and both gradients
``tap``            the per-tap shifted-view GEMM of ``ops.conv`` (3-d           ``ops.conv``
                   depthwise, and any shape without Numba that prefers it)
scatter-GEMM       transposed conv: ``Wᵀ·x`` then col2im (the conv's input      ``gemm``
                   gradient), its gradients are the conv forward and weight
                   gradient with the roles exchanged
``pool``           max (argmax indices), average and global pools in 1-d/2-d:   ``pool``
                   one fused pass per plane with Numba
=================  ===========================================================  ============

``select_conv_algorithm`` names the path for a shape; tests use it to pin every
path on shapes that select it. Numba (``@njit(parallel=True, cache=True)``,
exact IEEE arithmetic) is optional: without it, or inside ``numpy_only()``, the
same paths run on pure NumPy loops over kernel taps.
"""

from __future__ import annotations

from ._backend import HAVE_NUMBA, numba_enabled, numpy_only
from .plan import CHUNK_BYTES, select_conv_algorithm

__all__ = ["CHUNK_BYTES", "HAVE_NUMBA", "numba_enabled", "numpy_only", "select_conv_algorithm"]
