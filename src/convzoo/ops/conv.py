"""N-d convolution (cross-correlation) kernels: forward and both vector-Jacobian products.

Algorithm — per-tap GEMM in a channels-first, batch-second layout. The padded
input ``(N, C, *S)`` is viewed as ``(G, C/G, N, *S)``; for each of the ``prod(K)``
kernel taps the strided slice that tap reads is gathered once into a
``(G, C/G, N·P)`` matrix and multiplied by that tap's ``(G, O/G, C/G)`` weight
slice, accumulating into a ``(G, O/G, N·P)`` output: one BLAS GEMM per tap and
group, with no im2col buffer ``k²`` times the input. Depthwise layers
(``C/G == 1``) use a broadcast multiply-add per tap instead of degenerate GEMMs.

Both gradients are the same sweep reversed: the input gradient scatters
``Wᵀ·dY`` back through each tap's slice (a transposed convolution), and the
weight gradient is ``dY·Xᵀ`` per tap. Transposed convolution (``transpose.py``)
reuses these three primitives with the roles of input and output exchanged.

``conv_forward`` / ``conv_backward`` do not always take this per-tap path: they run
the algorithm ``convzoo.ops.kernels`` selects for the shape (direct GEMM for 1×1,
chunked im2col GEMM, fused depthwise kernels; see that package). The functions
here remain the per-tap reference and the path for shapes no other kernel covers.
"""

from __future__ import annotations

import numpy as np

from .kernels import engine, plan
from .window import tap_index, valid_output_size


def _grouped_view(x: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *S) -> (G, C/G, N, *S) view."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    v = x.reshape((n, groups, c // groups) + spatial)
    return v.transpose((1, 2, 0) + tuple(range(3, v.ndim)))


def _ungroup(y: np.ndarray, out_size) -> np.ndarray:
    """(G, O/G, N·P) -> contiguous (N, O, *out_size)."""
    g, og, _ = y.shape
    n = y.shape[2] // int(np.prod(out_size, dtype=np.int64))
    v = y.reshape((g * og, n) + tuple(out_size))
    return np.ascontiguousarray(np.swapaxes(v, 0, 1))


def _tap_reader(xp: np.ndarray, groups: int, stride, dilation, out_size):
    """A function ``tap -> (G, C/G, N·P)`` array of the cells that tap reads.

    Every tap's cells are copied into one buffer allocated once (the (G, C/G, N)
    reordering makes a copy unavoidable for the GEMM); a fresh array per tap would
    page-fault a few MB each time, which costs as much as the copy itself.
    """
    xg = _grouped_view(xp, groups)                       # (G, Cg, N, *S) view
    buf = np.empty(xg.shape[:3] + tuple(out_size), dtype=xp.dtype)
    flat = buf.reshape(buf.shape[:2] + (-1,))

    def read(tap):
        np.copyto(buf, xg[tap_index(tap, stride, dilation, out_size)])
        return flat
    return read


def correlate(xp: np.ndarray, weight: np.ndarray, stride, dilation, groups: int,
              out_size=None) -> np.ndarray:
    """Valid cross-correlation of an already padded input.

    Args:
        xp: (N, C, *S) padded input.
        weight: (O, C/groups, *K).
        stride, dilation: per spatial dim.
        groups: channel groups.
        out_size: output spatial size; defaults to the largest valid one.

    Returns:
        (N, O, *out_size) array of xp's dtype.
    """
    kernel = weight.shape[2:]
    if out_size is None:
        out_size = valid_output_size(xp.shape[2:], kernel, stride, dilation)
    n = xp.shape[0]
    o, cg = weight.shape[:2]
    og = o // groups
    p = int(np.prod(out_size, dtype=np.int64))
    read = _tap_reader(xp, groups, stride, dilation, out_size)   # tap -> (G, Cg, N·P)
    wg = _tap_major(weight, groups)
    out = np.empty((groups, og, n * p), dtype=np.result_type(xp, weight))
    tmp = np.empty_like(out) if int(np.prod(kernel)) > 1 else None
    for i, tap in enumerate(np.ndindex(*kernel)):
        xs = read(tap)
        wt = wg[tap]                                     # (G, Og, Cg)
        target = out if i == 0 else tmp                  # first tap writes, the rest add
        if cg == 1:
            np.multiply(wt, xs, out=target)              # (G, Og, 1) * (G, 1, NP)
        else:
            np.matmul(wt, xs, out=target)
        if i:
            out += tmp
    return _ungroup(out, out_size)


def correlate_input_grad(grad_out: np.ndarray, weight: np.ndarray, padded_size, stride, dilation,
                         groups: int) -> np.ndarray:
    """Gradient of ``correlate`` w.r.t. its padded input (= transposed convolution).

    Args:
        grad_out: (N, O, *P) gradient of the output.
        weight: (O, C/groups, *K).
        padded_size: spatial size of the padded input.

    Returns:
        (N, C, *padded_size); cells no window reached get zero.
    """
    kernel = weight.shape[2:]
    out_size = grad_out.shape[2:]
    n = grad_out.shape[0]
    o, cg = weight.shape[:2]
    og = o // groups
    p = int(np.prod(out_size, dtype=np.int64))
    gy = np.ascontiguousarray(_grouped_view(grad_out, groups)).reshape(groups, og, n * p)
    wg = _tap_major(weight, groups)
    dtype = np.result_type(grad_out, weight)
    gx = np.zeros((groups, cg, n) + tuple(padded_size), dtype=dtype)
    contrib = np.empty((groups, cg, n * p), dtype=dtype)   # reused: no page faults per tap
    for tap in np.ndindex(*kernel):
        wt = wg[tap]                                     # (G, Og, Cg)
        if cg == 1:
            np.einsum("go,gop->gp", wt[..., 0], gy, out=contrib[:, 0])
        else:
            np.matmul(np.swapaxes(wt, 1, 2), gy, out=contrib)  # (G, Cg, NP)
        gx[tap_index(tap, stride, dilation, out_size)] += contrib.reshape(
            (groups, cg, n) + tuple(out_size))
    gx = gx.reshape((groups * cg, n) + tuple(padded_size))
    return np.ascontiguousarray(np.swapaxes(gx, 0, 1))


def correlate_weight_grad(xp: np.ndarray, grad_out: np.ndarray, kernel_size, stride, dilation,
                          groups: int) -> np.ndarray:
    """Gradient of ``correlate`` w.r.t. its weight.

    Args:
        xp: (N, C, *S) padded input.
        grad_out: (N, O, *P).
        kernel_size: K.

    Returns:
        (O, C/groups, *K).
    """
    kernel = tuple(kernel_size)
    out_size = grad_out.shape[2:]
    n, c = xp.shape[:2]
    o = grad_out.shape[1]
    cg, og = c // groups, o // groups
    p = int(np.prod(out_size, dtype=np.int64))
    read = _tap_reader(xp, groups, stride, dilation, out_size)
    gy = np.ascontiguousarray(_grouped_view(grad_out, groups)).reshape(groups, og, n * p)
    gw = np.empty((groups, og, cg) + kernel, dtype=np.result_type(xp, grad_out))
    for tap in np.ndindex(*kernel):
        xs = read(tap)
        if cg == 1:
            gw[(Ellipsis, 0) + tap] = np.einsum("gop,gp->go", gy, xs[:, 0])
        else:
            gw[(Ellipsis,) + tap] = np.matmul(gy, np.swapaxes(xs, 1, 2))
    return gw.reshape((o, cg) + kernel)


def _geometry(x_shape, kernel, stride, padding, dilation):
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x_shape[2:], padding, strict=True))
    out = valid_output_size(padded, kernel, stride, dilation)
    return plan.geometry(x_shape[2:], kernel, stride, dilation, padding, out)


def conv_forward(x: np.ndarray, weight: np.ndarray, bias, stride, padding, dilation, groups: int,
                 flip_kernel: bool = False) -> np.ndarray:
    """Convolution forward with explicit padding pairs (arguments already checked).

    Runs the algorithm ``convzoo.ops.kernels.select_conv_algorithm`` picks for the shape.

    Args:
        x: (N, C, *S). weight: (O, C/groups, *K). bias: (O,) or None.
        stride, dilation: tuples. padding: ((before, after), ...) per spatial dim.
        flip_kernel: rotate the kernel 180° (true convolution instead of correlation).

    Returns:
        (N, O, *out).
    """
    if flip_kernel:
        weight = _flip(weight)
    geom = _geometry(x.shape, weight.shape[2:], stride, padding, dilation)
    y = engine.forward(x, weight, geom, groups)
    if bias is not None:
        y += bias.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def conv_backward(grad_out: np.ndarray, x: np.ndarray, weight: np.ndarray, has_bias: bool,
                  stride, padding, dilation, groups: int, flip_kernel: bool = False,
                  needs=(True, True, True)):
    """Vector-Jacobian products of ``conv_forward``.

    Returns:
        (grad_input, grad_weight, grad_bias), ``None`` where not needed.
    """
    w = _flip(weight) if flip_kernel else weight
    geom = _geometry(x.shape, weight.shape[2:], stride, padding, dilation)
    gx, gw = engine.backward(grad_out, x, w, geom, groups, bool(needs[0]), bool(needs[1]))
    if gw is not None and flip_kernel:
        gw = _flip(gw)
    gb = None
    if has_bias and needs[2]:
        gb = grad_out.sum(axis=(0,) + tuple(range(2, grad_out.ndim)))
    return gx, gw, gb


def _tap_major(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/G, *K) -> contiguous (*K, G, O/G, C/G): each tap's weights one BLAS-ready block."""
    o, cg = weight.shape[:2]
    kernel = weight.shape[2:]
    wg = weight.reshape((groups, o // groups, cg) + kernel)
    nk = len(kernel)
    return np.ascontiguousarray(wg.transpose(tuple(range(3, 3 + nk)) + (0, 1, 2)))


def _flip(w: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(w[(Ellipsis,) + (slice(None, None, -1),) * (w.ndim - 2)])
