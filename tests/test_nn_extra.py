"""Local response normalisation and general adaptive average pooling vs PyTorch, central
differences, and a naive per-window reference; bad-input errors."""

from __future__ import annotations

import numpy as np
import pytest

from convzoo import functional as F
from convzoo import nn
from convzoo.autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _grads(fn, x, w):
    """convzoo forward value and d(sum(w * fn(x)))/dx."""
    t = Tensor(x, requires_grad=True)
    y = fn(t)
    y.backward(w)
    return y.numpy(), t.grad


def _torch_grads(fn, x, w):
    t = torch.tensor(x, requires_grad=True)
    y = fn(t)
    y.backward(torch.tensor(w))
    return y.detach().numpy(), t.grad.numpy()


def _central_difference(fn, x, w, eps=1e-6):
    """d(sum(w * fn(x)))/dx by central differences (float64)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (np.sum(w * fn(xp)) - np.sum(w * fn(xm))) / (2 * eps)
    return g


# --- local response normalisation --------------------------------------------------------------
LRN_CASES = [  # (shape, size, alpha, beta, k)
    ((2, 7, 3, 4), 5, 1e-4, 0.75, 2.0),     # AlexNet's constants
    ((1, 7, 3, 4), 5, 5e-2, 0.75, 1.0),     # large alpha: the cross-channel term matters
    ((2, 6, 5), 3, 0.3, 0.5, 1.0),          # 1-d input
    ((1, 5, 2, 3, 2), 4, 0.2, 1.2, 0.5),    # even size, 3-d input
    ((1, 3, 2, 2), 1, 0.5, 0.75, 1.0),      # size 1: per-channel
    ((1, 4, 2, 2), 9, 0.5, 0.75, 1.0),      # window wider than the channels
]


@pytest.mark.parametrize("shape,size,alpha,beta,k", LRN_CASES)
def test_local_response_norm_matches_torch_forward_and_grad(shape, size, alpha, beta, k):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 2
    w = rng.standard_normal(shape)
    ours, ours_g = _grads(lambda t: F.local_response_norm(t, size, alpha, beta, k), x, w)
    theirs, theirs_g = _torch_grads(lambda t: TF.local_response_norm(t, size, alpha, beta, k),
                                    x, w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours_g, theirs_g, rtol=1e-6, atol=1e-9)


def test_local_response_norm_central_difference_and_naive_loop():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 5, 2, 2))
    w = rng.standard_normal(x.shape)
    size, alpha, beta, k = 3, 0.7, 0.75, 1.5

    def naive(a):
        out = np.empty_like(a)
        for c in range(a.shape[1]):
            lo, hi = max(0, c - size // 2), min(a.shape[1], c + (size - 1) // 2 + 1)
            out[:, c] = a[:, c] / (k + alpha / size * (a[:, lo:hi] ** 2).sum(1)) ** beta
        return out

    ours, ours_g = _grads(lambda t: F.local_response_norm(t, size, alpha, beta, k), x, w)
    np.testing.assert_allclose(ours, naive(x), rtol=1e-12)
    np.testing.assert_allclose(ours_g, _central_difference(naive, x, w), rtol=1e-6, atol=1e-8)


def test_local_response_norm_layer_keeps_float32():
    x = np.random.default_rng(2).standard_normal((2, 8, 3, 3)).astype(np.float32)
    layer = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    y = layer(x)
    assert y.dtype == np.float32
    ref = torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-4)


def test_local_response_norm_errors():
    with pytest.raises(ValueError, match="input"):
        F.local_response_norm(np.ones((2, 3)), 3)
    with pytest.raises(TypeError, match="input"):
        F.local_response_norm(np.ones((1, 2, 3), np.int64), 3)
    with pytest.raises(ValueError, match="size must be >= 1; got size=0"):
        F.local_response_norm(np.ones((1, 2, 3)), 0)
    with pytest.raises(TypeError, match="size must be an int"):
        nn.LocalResponseNorm(2.5)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        F.local_response_norm(np.ones((1, 2, 3)), 3, alpha="big")


# --- adaptive average pooling ------------------------------------------------------------------
POOL_CASES = [  # (input H, W), output_size
    ((5, 7), (3, 2)),     # overlapping windows
    ((14, 14), (4, 4)),   # GoogLeNet's auxiliary heads at 224x224
    ((1, 1), (7, 7)),     # VGG head on a 32x32 image: one cell repeated
    ((2, 3), (6, 6)),     # upsampling with uneven repeats
    ((6, 4), (3, 2)),     # dividing sizes
    ((4, 5), (4, 5)),     # identity
    ((9, 6), 4),          # int output size
    ((5, 6), (None, 2)),  # None keeps the input size
]


@pytest.mark.parametrize("size,output_size", POOL_CASES)
def test_adaptive_avg_pool2d_matches_torch(size, output_size):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3) + size)
    w = rng.standard_normal(tuple(TF.adaptive_avg_pool2d(torch.tensor(x), output_size).shape))
    ours, ours_g = _grads(lambda t: F.adaptive_avg_pool2d(t, output_size), x, w)
    theirs, theirs_g = _torch_grads(lambda t: TF.adaptive_avg_pool2d(t, output_size), x, w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours_g, theirs_g, rtol=1e-12, atol=1e-14)
    layer_out, layer_g = _grads(nn.AdaptiveAvgPool2d(output_size), x, w)
    np.testing.assert_allclose(layer_out, theirs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer_g, theirs_g, rtol=1e-12, atol=1e-14)


def test_adaptive_avg_pool2d_naive_windows_and_float32():
    x = np.random.default_rng(4).standard_normal((1, 2, 5, 3)).astype(np.float32)
    out = F.adaptive_avg_pool2d(x, (3, 2)).numpy()
    assert out.dtype == np.float32
    for i in range(3):
        for j in range(2):   # windows written from PyTorch's definition
            r0, r1 = (i * 5) // 3, -(-((i + 1) * 5) // 3)
            c0, c1 = (j * 3) // 2, -(-((j + 1) * 3) // 2)
            np.testing.assert_allclose(out[0, :, i, j], x[0, :, r0:r1, c0:c1].mean((1, 2)),
                                       rtol=1e-6)


def test_adaptive_avg_pool2d_errors():
    with pytest.raises(ValueError, match="input"):
        F.adaptive_avg_pool2d(np.ones((2, 3, 4)), 2)
    with pytest.raises(ValueError, match="output_size must be >= 1"):
        F.adaptive_avg_pool2d(np.ones((1, 1, 4, 4)), (0, 2))
    with pytest.raises(TypeError, match="output_size"):
        F.adaptive_avg_pool2d(np.ones((1, 1, 4, 4)), "big")
    with pytest.raises(TypeError, match="input"):
        F.adaptive_avg_pool2d(np.ones((1, 1, 4, 4), np.int32), 2)
