"""Per-shape kernels behind ``convzoo.ops``: which algorithm runs for which layer.

The public ops (``ops.conv``, ``ops.transpose``, ``ops.pool``) keep their signatures;
they hand the work to the algorithm this package selects for the shape at hand:

=================  ===========================================================  ============
path               used for                                                     module
=================  ===========================================================  ============
``pointwise``      1×1 kernels, no padding (stride: a strided view first):       ``gemm``
                   ``(O/G, C/G)·(C/G, H·W)`` per image and group, no gather
``im2col``         every other dense or grouped conv, 1-d/2-d/3-d (also one     ``gemm``
                   input channel): the columns of a chunk of images
                   (``(C/G·prod(K), P)`` each) and one batched GEMM per chunk;
                   the column buffer never exceeds ``CHUNK_BYTES`` (images,
                   then output rows, are chunked). Stride-1 backward sweeps
                   (and small stride-1 forwards) use *pitched* columns: rows as
                   wide as the padded input, one contiguous copy per tap
``depthwise``      ``groups == C > 1`` in 1-d/2-d with Numba: one fused pass    ``depthwise``
                   per plane (polyphase flat offsets, ``_planes``), forward
                   and both gradients
``winograd``       3×3 stride-1 layers with ≥ 128 channels and 10–20 wide        ``winograd``
                   outputs (ResNet/VGG at 14×14), forward and input
                   gradient: Winograd F(2×2, 3×3), 16 batched GEMMs with
                   2.25× fewer multiply-adds; the weight gradient runs im2col
``direct``         few weights per output and few outputs per group (at most    ``direct``
                   ``DIRECT_MAX_TAPS`` and ``DIRECT_MAX_OUT``: LeNet's 1→6
                   5×5 layer, a 3→16 3×3 stem) in 1-d/2-d with Numba: the
                   depthwise kernels with channel mixing, no columns
``tap``            the per-tap shifted-view GEMM of ``ops.conv``: depthwise     ``ops.conv``
                   layers in 3-d or without Numba
scatter-GEMM       input gradients and transposed convs: ``Wᵀ·dY`` into the     ``gemm``
                   column buffer, then col2im; a transposed conv's gradients
                   are the conv forward and weight gradient with the roles
                   exchanged (its backward builds the columns once for both)
``pool``           max (argmax indices) and average pooling in 1-d/2-d: one     ``pool``
                   fused pass per plane with Numba; the max-pool backward a
                   per-plane scatter; global average a GEMV against ones
=================  ===========================================================  ============

``select_conv_algorithm`` names the path for a shape; tests use it to pin every
path on shapes that select it. Numba (``@njit(parallel=True, cache=True)``,
exact IEEE arithmetic, its 'workqueue' threading layer; each kernel also compiled
without threads for sweeps under ``SERIAL_WORK`` steps, where waking the threads
would cost more than the sweep) is optional: without it,
or inside ``numpy_only()``, the same GEMM paths run with NumPy loops over kernel
taps filling the columns, and depthwise layers and pools take the per-tap NumPy
code of ``ops.conv`` and ``ops.pool``.
"""

from __future__ import annotations

from ._backend import HAVE_NUMBA, numba_enabled, numpy_only
from .plan import CHUNK_BYTES, select_conv_algorithm

__all__ = ["CHUNK_BYTES", "HAVE_NUMBA", "numba_enabled", "numpy_only", "select_conv_algorithm"]
