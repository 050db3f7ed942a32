"""Kernels the classic networks need beyond the conv family: local response normalisation
(AlexNet, ZFNet) and adaptive average pooling to any output size (torchvision's heads).

Local response normalisation (PyTorch's ``local_response_norm``, Caffe's ACROSS_CHANNELS):

    s_c = k + (alpha / n) · Σ_{c' = c - n//2}^{c + (n-1)//2} x_{c'}²      y_c = x_c · s_c^(-beta)

with channels outside ``[0, C)`` contributing 0. The window sum is a loop over the
``n`` channel taps of a zero-padded copy of ``x²`` (each tap one vectorised slice). The
VJP is

    dx_c' = g_c' s_c'^(-beta) - (2 alpha beta / n) x_c' Σ_{c: c' ∈ window(c)} g_c x_c s_c^(-beta-1)

and the inner sum runs over the transposed window ``c ∈ [c' - (n-1)//2, c' + n//2]`` —
the same tap loop with the padding sides swapped.

Adaptive average pooling: output cell ``i`` of a dim of size ``in`` → ``out`` averages
input cells ``[floor(i·in/out), ceil((i+1)·in/out))`` (PyTorch's windows, which may
overlap and, when ``out > in``, repeat cells). A rectangle's mean is the mean over rows of
the means over columns, so the op is separable: with the ``(out, in)`` averaging matrix
``A`` of each dim, ``y = A_h · x · A_wᵀ`` (two broadcast matmuls over ``(N, C)``), and the
VJP is ``A_hᵀ · g · A_w``. No loop touches a batch item or an output pixel.
"""

from __future__ import annotations

import numpy as np


# --- local response normalisation ------------------------------------------------------------
def _channel_window_sum(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """Σ over channels ``c - before .. c + after`` of ``values`` (N, C, ...), zeros outside."""
    c = values.shape[1]
    pad = [(0, 0)] * values.ndim
    pad[1] = (before, after)
    padded = np.pad(values, pad)
    total = np.zeros_like(values)
    for tap in range(before + after + 1):
        total += padded[:, tap:tap + c]
    return total


def local_response_norm_forward(x: np.ndarray, size: int, alpha: float, beta: float,
                                k: float) -> tuple[np.ndarray, tuple]:
    """``y = x / (k + alpha/size · Σ_window x²)^beta``; returns ``(y, saved)`` for the VJP."""
    scale = k + (alpha / size) * _channel_window_sum(x * x, size // 2, (size - 1) // 2)
    inv = scale ** (-beta)
    return x * inv, (x, scale, inv)


def local_response_norm_backward(grad: np.ndarray, saved: tuple, size: int, alpha: float,
                                 beta: float) -> np.ndarray:
    """VJP of ``local_response_norm_forward`` with respect to ``x``."""
    x, scale, inv = saved
    inner = grad * x * inv / scale   # g_c x_c s_c^(-beta-1)
    spread = _channel_window_sum(inner, (size - 1) // 2, size // 2)
    return grad * inv - (2.0 * alpha * beta / size) * x * spread


# --- adaptive average pooling ------------------------------------------------------------------
def adaptive_windows(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows: ``start = floor(i·in/out)``, ``end = ceil((i+1)·in/out)``."""
    i = np.arange(out_size)
    return (i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)


def adaptive_matrix(in_size: int, out_size: int, dtype) -> np.ndarray:
    """The ``(out, in)`` matrix whose row ``i`` averages input window ``i``."""
    start, end = adaptive_windows(in_size, out_size)
    cols = np.arange(in_size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d_forward(x: np.ndarray, output_size: tuple[int, int]) -> np.ndarray:
    """(N, C, H, W) -> (N, C, oh, ow): ``A_h · x · A_wᵀ``."""
    a_h = adaptive_matrix(x.shape[2], output_size[0], x.dtype)
    a_w = adaptive_matrix(x.shape[3], output_size[1], x.dtype)
    return np.matmul(a_h, np.matmul(x, a_w.T))


def adaptive_avg_pool2d_backward(grad: np.ndarray, in_shape: tuple[int, ...]) -> np.ndarray:
    """VJP: ``A_hᵀ · grad · A_w`` back to ``in_shape``."""
    a_h = adaptive_matrix(in_shape[2], grad.shape[2], grad.dtype)
    a_w = adaptive_matrix(in_shape[3], grad.shape[3], grad.dtype)
    return np.matmul(a_h.T, np.matmul(grad, a_w))
