"""Deformable convolution (DCNv1, and DCNv2 with a mask): forward and vector-Jacobian products.

Semantics are ``torchvision.ops.deform_conv2d``'s. For output position ``(i, j)``,
kernel tap ``(a, b)`` and offset group ``g`` the kernel reads the input at

    y = i*sh - ph + a*dh + dy,    x = j*sw - pw + b*dw + dx

where ``(dy, dx)`` is the pair the offset tensor holds for that group, tap and
position (channels laid out per group, per tap row-major, as ``(dy, dx)``). The
value is bilinear in the four neighbours ``(⌊y⌋ + {0, 1}, ⌊x⌋ + {0, 1})``; a
neighbour outside ``[0, H) × [0, W)`` contributes zero, and a point with
``y <= -1``, ``y >= H``, ``x <= -1`` or ``x >= W`` reads zero. DCNv2 multiplies
each sampled value by ``mask[n, g·K + tap, i, j]``.

Algorithm — deformable im2col + GEMM, vectorised over batch, taps and positions:

1. *Sampling plan* (``_plan``): all sampling points at once as ``(N, G, K, P)``
   arrays (``K = kh·kw`` taps, ``P = Ho·Wo`` positions); for each of the four
   neighbours its flat index ``y·W + x`` and its bilinear weight, already zero
   for neighbours (or points) outside the image.
2. *Gather*: the input viewed as ``(N, G, C/G, H·W)`` is read at the four index
   arrays with ``np.take_along_axis`` (advanced indexing, no loop over pixels)
   and the weighted sum gives the columns ``(N, C, K, P)``, times the mask.
3. *GEMM*: the columns regrouped as ``(N, Gw, C/Gw·K, P)`` are multiplied by the
   weight ``(Gw, O/Gw, C/Gw·K)`` (``Gw`` = weight groups = ``C // weight.shape[1]``).

Backward: the column gradient is ``Wᵀ·dY`` (GEMM) and the weight gradient
``dY·colsᵀ``. The input gradient scatters column gradient × mask × neighbour
weight back into the image with ``np.bincount`` (a scatter-add). The offset
gradient uses the derivative of the bilinear weights, ``∂v/∂y = (1−lx)(v₁₀ − v₀₀)
+ lx(v₁₁ − v₀₁)`` (and the same in x) evaluated on the cell ``[⌊y⌋, ⌊y⌋+1)`` —
torchvision's coordinate weight, a one-sided derivative that stays finite at
integer positions. The mask gradient is the column gradient times the
unmodulated sample. Batches are processed in chunks so the working set stays
under about 256 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_CHUNK_BYTES = 256 * 2**20


@dataclass
class _Plan:
    """Sampling plan for one batch chunk; every array is (n, G, K, P)."""

    index: list          # four int64 flat neighbour indices y*W + x (clipped into range)
    weight: list         # four bilinear weights, zero outside the image
    d_dy: list           # four ∂weight/∂y, zero for neighbours outside the image
    d_dx: list           # four ∂weight/∂x


def _plan(offset: np.ndarray, in_size, kernel, stride, padding, dilation) -> _Plan:
    """Sampling points of every (batch, offset group, tap, output position) and their neighbours."""
    h, w = in_size
    kh, kw = kernel
    n, channels, ho, wo = offset.shape
    taps = kh * kw
    groups = channels // (2 * taps)
    dtype = offset.dtype
    off = offset.reshape(n, groups, taps, 2, ho * wo)
    tap_a, tap_b = np.divmod(np.arange(taps), kw)
    out_i, out_j = np.divmod(np.arange(ho * wo), wo)
    # Integer grid position first, then the offset added in the input's dtype (as torchvision).
    base_y = (out_i[None] * stride[0] - padding[0] + tap_a[:, None] * dilation[0]).astype(dtype)
    base_x = (out_j[None] * stride[1] - padding[1] + tap_b[:, None] * dilation[1]).astype(dtype)
    y = base_y + off[:, :, :, 0]
    x = base_x + off[:, :, :, 1]
    inside = (y > -1) & (y < h) & (x > -1) & (x < w)
    y_lo, x_lo = np.floor(y), np.floor(x)
    with np.errstate(invalid="ignore"):  # inf - inf for infinite offsets; masked out below
        ly, lx = y - y_lo, x - x_lo
    hy, hx = 1 - ly, 1 - lx
    # Clip before the integer cast so far-away (or huge) offsets cannot overflow.
    y0 = np.clip(np.nan_to_num(y_lo, nan=-2.0), -2, h).astype(np.int64)
    x0 = np.clip(np.nan_to_num(x_lo, nan=-2.0), -2, w).astype(np.int64)
    plan = _Plan([], [], [], [])
    for cy, cx, wt, ddy, ddx in ((0, 0, hy * hx, -hx, -hy), (0, 1, hy * lx, -lx, hy),
                                 (1, 0, ly * hx, hx, -ly), (1, 1, ly * lx, lx, ly)):
        yy, xx = y0 + cy, x0 + cx
        valid = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        plan.index.append(np.clip(yy, 0, h - 1) * w + np.clip(xx, 0, w - 1))
        # np.where, not a product: an infinite offset gives NaN weights that 0 * NaN keeps.
        plan.weight.append(np.where(valid & inside, wt, 0).astype(dtype, copy=False))
        plan.d_dy.append(np.where(valid, ddy, 0).astype(dtype, copy=False))
        plan.d_dx.append(np.where(valid, ddx, 0).astype(dtype, copy=False))
    return plan


def _gather(x_grouped: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Values of x (n, G, C/G, H*W) at flat indices (n, G, K, P) -> (n, G, C/G, K, P)."""
    n, groups, taps, p = index.shape
    values = np.take_along_axis(x_grouped, index.reshape(n, groups, 1, taps * p), axis=3)
    return values.reshape(n, groups, x_grouped.shape[2], taps, p)


def _columns(x_grouped: np.ndarray, plan: _Plan, mask) -> np.ndarray:
    """Deformable im2col: (n, G, C/G, K, P) bilinear samples, modulated by the mask."""
    cols = None
    for index, weight in zip(plan.index, plan.weight, strict=True):
        term = weight[:, :, None] * _gather(x_grouped, index)
        cols = term if cols is None else cols + term
    if mask is not None:
        cols *= mask[:, :, None]
    return cols


def _chunks(n: int, bytes_per_item: int):
    step = max(1, _CHUNK_BYTES // max(1, bytes_per_item))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _shapes(x, offset, weight):
    n, c, h, w = x.shape
    o, cw, kh, kw = weight.shape
    taps = kh * kw
    groups = offset.shape[1] // (2 * taps)
    return n, c, (h, w), o, c // cw, groups, (kh, kw), offset.shape[2:]


def deform_conv2d_forward(x: np.ndarray, offset: np.ndarray, weight: np.ndarray, bias, mask,
                          stride, padding, dilation) -> np.ndarray:
    """Deformable convolution forward (arguments already checked and normalised).

    Args:
        x: (N, C, H, W).
        offset: (N, 2·G·kh·kw, Ho, Wo), per group, per tap, (dy, dx).
        weight: (O, C/Gw, kh, kw). bias: (O,) or None.
        mask: (N, G·kh·kw, Ho, Wo) or None.
        stride, padding, dilation: (h, w) int pairs; padding is symmetric per dim.

    Returns:
        (N, O, Ho, Wo) array of x's dtype.

    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> offset = np.full((1, 2, 3, 3), 0.5)          # 1x1 kernel, every sample moved (+½, +½)
    >>> deform_conv2d_forward(x, offset, np.ones((1, 1, 1, 1)), None, None,
    ...                       (1, 1), (0, 0), (1, 1))[0, 0, 0].tolist()
    [2.0, 3.0, 1.75]
    """
    n, c, in_size, o, wgroups, groups, kernel, out_size = _shapes(x, offset, weight)
    taps, p = kernel[0] * kernel[1], out_size[0] * out_size[1]
    wg = weight.reshape(wgroups, o // wgroups, -1)
    out = np.empty((n, o, p), dtype=np.result_type(x, offset, weight))
    per_item = c * taps * p * x.itemsize * 3 + groups * taps * p * 8 * 12
    for s in _chunks(n, per_item):
        xc = x[s]
        m = xc.shape[0]
        plan = _plan(offset[s], in_size, kernel, stride, padding, dilation)
        xg = xc.reshape(m, groups, c // groups, -1)
        mc = None if mask is None else mask[s].reshape(m, groups, taps, p)
        cols = _columns(xg, plan, mc).reshape(m, wgroups, -1, p)
        out[s] = np.matmul(wg, cols).reshape(m, o, p)
    if bias is not None:
        out += bias[:, None]
    return out.reshape((n, o) + tuple(out_size))


def deform_conv2d_backward(grad_out: np.ndarray, x: np.ndarray, offset: np.ndarray,
                           weight: np.ndarray, mask, has_bias: bool, stride, padding, dilation,
                           needs=(True,) * 5):
    """Vector-Jacobian products of ``deform_conv2d_forward``.

    Args:
        grad_out: (N, O, Ho, Wo). Others as the forward.
        needs: which of (input, offset, weight, bias, mask) need a gradient.

    Returns:
        (grad_input, grad_offset, grad_weight, grad_bias, grad_mask); ``None`` where not
        needed (or where bias / mask are absent).
    """
    n, c, in_size, o, wgroups, groups, kernel, out_size = _shapes(x, offset, weight)
    need_x, need_off, need_w, need_b, need_m = (tuple(needs) + (False,) * 5)[:5]
    need_m = need_m and mask is not None
    taps, p = kernel[0] * kernel[1], out_size[0] * out_size[1]
    hw = in_size[0] * in_size[1]
    cg = c // groups
    dtype = np.result_type(x, offset, weight)
    wg = weight.reshape(wgroups, o // wgroups, -1)
    wg_t = np.ascontiguousarray(np.swapaxes(wg, 1, 2))  # matmul is slow on a strided operand
    gx = np.zeros((n, c, hw), dtype=dtype) if need_x else None
    goff = np.zeros((n, groups, taps, 2, p), dtype=dtype) if need_off else None
    gw = np.zeros_like(wg, dtype=dtype) if need_w else None
    gmask = np.zeros((n, groups, taps, p), dtype=dtype) if need_m else None
    per_item = c * taps * p * (x.itemsize * 5 + 8) + groups * taps * p * 8 * 12
    if need_x or need_off or need_w or need_m:
        for s in _chunks(n, per_item):
            m = x[s].shape[0]
            plan = _plan(offset[s], in_size, kernel, stride, padding, dilation)
            xg = x[s].reshape(m, groups, cg, hw)
            mc = None if mask is None else mask[s].reshape(m, groups, taps, p)
            gy = grad_out[s].reshape(m, wgroups, o // wgroups, p)
            gcols = np.matmul(wg_t, gy).reshape(m, groups, cg, taps, p)
            gcols_mod = gcols if mc is None else gcols * mc[:, :, None]
            cols = None
            channel_base = (np.arange(m * c, dtype=np.int64) * hw).reshape(m, groups, cg, 1)
            for k in range(4):
                index, wt = plan.index[k], plan.weight[k]
                if need_w or need_off or need_m:
                    values = _gather(xg, index)
                    if need_w:
                        term = wt[:, :, None] * values
                        cols = term if cols is None else cols + term
                    if need_off or need_m:
                        # u = Σ_channels (column grad · neighbour value), per group/tap/position.
                        u = np.einsum("ngckp,ngckp->ngkp", gcols, values)
                        if need_off:
                            um = u if mc is None else u * mc
                            goff[s, :, :, 0] += plan.d_dy[k] * um
                            goff[s, :, :, 1] += plan.d_dx[k] * um
                        if need_m:
                            gmask[s] += wt * u
                if need_x:
                    flat = channel_base + index.reshape(m, groups, 1, taps * p)
                    contrib = gcols_mod * wt[:, :, None]
                    gx[s] += np.bincount(flat.ravel(), weights=contrib.ravel(),
                                         minlength=m * c * hw).reshape(m, c, hw).astype(dtype)
            if need_w:
                if mc is not None:
                    cols *= mc[:, :, None]
                cols = cols.reshape(m, wgroups, -1, p)
                gw += np.einsum("ngop,ngkp->gok", gy, cols, optimize=True)
    grad_x = None if gx is None else gx.reshape(x.shape)
    grad_off = None if goff is None else goff.reshape(offset.shape)
    grad_w = None if gw is None else gw.reshape(weight.shape)
    grad_b = grad_out.sum(axis=(0, 2, 3)) if (has_bias and need_b) else None
    grad_m = None if gmask is None else gmask.reshape(mask.shape)
    return grad_x, grad_off, grad_w, grad_b, grad_m


__all__ = ["deform_conv2d_backward", "deform_conv2d_forward"]
