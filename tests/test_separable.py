"""depthwise_conv2d (with depth multiplier), pointwise_conv2d and separable_conv2d.

Oracles: the naive loops (``groups == C``), PyTorch ``conv2d(groups=C)`` on a weight of
shape (C*M, 1, kh, kw), float64 central differences, and the parameter counts the source
articles work out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

import convzoo as cz
from conftest import assert_rel_close, gradcheck
from convzoo import functional as F
from naive import conv_nd, explicit_pads

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _torch_conv(x, w, b, stride, pads, dilation, groups):
    flat = [v for pair in reversed(pads) for v in pair]
    return TF.conv2d(TF.pad(x, flat), w, b, stride=stride, dilation=dilation, groups=groups)


DEPTHWISE = [
    # (C, M, size, kernel, stride, padding, dilation, batch)
    (3, 1, (7, 6), (3, 3), 1, 1, 1, 2),
    (3, 2, (7, 6), (3, 3), 2, "same", 1, 1),
    (4, 3, (6, 7), (3, 2), (2, 1), ((0, 2), (1, 1)), (1, 2), 2),
    (2, 2, (8, 5), (5, 3), 2, "same_lower", 1, 1),
    (3, 1, (9, 9), (3, 3), 3, "full", 2, 2),
    (2, 4, (5, 6), (2, 2), 1, "valid", 2, 1),
]


def _dw_id(case):
    return "-".join(str(v) for v in case).replace(" ", "")


@pytest.mark.parametrize("case", DEPTHWISE, ids=_dw_id)
def test_depthwise_matches_naive_and_torch(case, rng):
    c, m, size, kernel, stride, padding, dilation, batch = case
    x = rng.standard_normal((batch, c) + size)
    w = rng.standard_normal((c * m, 1) + kernel)
    b = rng.standard_normal(c * m)
    pads = explicit_pads(padding, size, kernel, stride, dilation)
    got = F.depthwise_conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert got.shape[1] == c * m
    assert_rel_close(got.data, conv_nd(x, w, b, stride, pads, dilation, groups=c), 1e-12)
    # output channel c*M + m reads input channel c only
    for ch in range(c * m):
        alone = conv_nd(x[:, ch // m:ch // m + 1], w[ch:ch + 1], b[ch:ch + 1], stride, pads,
                        dilation)
        assert_rel_close(got.data[:, ch:ch + 1], alone, 1e-12)
    x32, w32, b32 = (a.astype(np.float32) for a in (x, w, b))
    ref32 = _torch_conv(*(torch.tensor(a) for a in (x32, w32, b32)), stride, pads, dilation, c)
    got32 = F.depthwise_conv2d(x32, w32, b32, stride=stride, padding=padding, dilation=dilation)
    assert got32.dtype == np.float32
    assert_rel_close(got32.data, ref32.numpy(), 1e-4)


@pytest.mark.parametrize("case", DEPTHWISE, ids=_dw_id)
def test_depthwise_grads_match_torch_and_central_differences(case, rng):
    c, m, size, kernel, stride, padding, dilation, batch = case
    x = rng.standard_normal((batch, c) + size)
    w = rng.standard_normal((c * m, 1) + kernel)
    b = rng.standard_normal(c * m)
    pads = explicit_pads(padding, size, kernel, stride, dilation)

    def fn(xx, ww, bb):
        return F.depthwise_conv2d(xx, ww, bb, stride=stride, padding=padding, dilation=dilation)

    grads = gradcheck(fn, [x, w, b])
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    yt = _torch_conv(*ts, stride, pads, dilation, c)
    yt.backward(torch.tensor(np.random.default_rng(0).standard_normal(tuple(yt.shape))))
    for name, ours, ref in zip(("input", "weight", "bias"), grads, ts, strict=True):
        assert_rel_close(ours, ref.grad.numpy(), 1e-6, what=name)


@pytest.mark.parametrize("batch,c,o,size", [(1, 3, 5, (4, 6)), (2, 6, 2, (5, 3))])
def test_pointwise_matches_torch_and_grads(batch, c, o, size, rng):
    x = rng.standard_normal((batch, c) + size)
    w = rng.standard_normal((o, c, 1, 1))
    b = rng.standard_normal(o)
    got = F.pointwise_conv2d(x, w, b)
    # a per-pixel linear map: y[n, :, h, w] = W x[n, :, h, w] + b
    expected = np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x) + b[None, :, None, None]
    assert_rel_close(got.data, expected, 1e-12)
    ref = TF.conv2d(torch.tensor(x.astype(np.float32)), torch.tensor(w.astype(np.float32)),
                    torch.tensor(b.astype(np.float32)))
    assert_rel_close(F.pointwise_conv2d(*(a.astype(np.float32) for a in (x, w, b))).data,
                     ref.numpy(), 1e-4)
    gradcheck(F.pointwise_conv2d, [x, w, b])


@pytest.mark.parametrize("c,m,o,stride,padding,dilation", [
    (3, 1, 4, 1, 1, 1),
    (4, 2, 5, 2, "same", 1),
    (2, 3, 3, (1, 2), ((1, 0), (2, 1)), 2),
])
def test_separable_is_depthwise_then_pointwise(c, m, o, stride, padding, dilation, rng):
    x = rng.standard_normal((2, c, 7, 6))
    dw = rng.standard_normal((c * m, 1, 3, 3))
    pw = rng.standard_normal((o, c * m, 1, 1))
    b = rng.standard_normal(o)
    got = F.separable_conv2d(x, dw, pw, b, stride=stride, padding=padding, dilation=dilation)
    pads = explicit_pads(padding, (7, 6), (3, 3), stride, dilation)
    mid = conv_nd(x, dw, None, stride, pads, dilation, groups=c)
    assert_rel_close(got.data, conv_nd(mid, pw, b), 1e-12)
    ts = [torch.tensor(a, requires_grad=True) for a in (x, dw, pw, b)]
    yt = TF.conv2d(_torch_conv(ts[0], ts[1], None, stride, pads, dilation, c), ts[2], ts[3])
    assert_rel_close(got.data, yt.detach().numpy(), 1e-10)
    cot = rng.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(cot))
    tensors = [cz.tensor(a, requires_grad=True) for a in (x, dw, pw, b)]
    F.separable_conv2d(*tensors, stride=stride, padding=padding, dilation=dilation).backward(cot)
    for ours, ref in zip(tensors, ts, strict=True):
        assert_rel_close(ours.grad, ref.grad.numpy(), 1e-6)


def test_separable_central_differences(rng):
    x = rng.standard_normal((1, 2, 5, 4))
    dw = rng.standard_normal((4, 1, 3, 2))
    pw = rng.standard_normal((3, 4, 1, 1))
    b = rng.standard_normal(3)
    gradcheck(lambda *a: F.separable_conv2d(*a, stride=(2, 1), padding="same", dilation=(1, 2)),
              [x, dw, pw, b])


# --- the worked numbers of the source articles ----------------------------------------------

def test_article_parameter_counts_grouped_and_separable(rng):
    # source 000: 64 -> 64 channels, 3x3: 36,864 weights standard, 4,608 with groups=8
    standard = np.zeros((64, 64, 3, 3))
    grouped = np.zeros((64, 64 // 8, 3, 3))
    assert standard.size == 36_864 and grouped.size == 4_608
    x = rng.standard_normal((1, 64, 3, 3))
    assert F.conv2d(x, grouped, groups=8).shape == F.conv2d(x, standard).shape == (1, 64, 1, 1)
    # 16 -> 32 channels, 3x3: 4,608 standard vs 16*9 + 32*16 = 656 depthwise-separable
    x = rng.standard_normal((1, 16, 5, 5))
    std, dw, pw = np.ones((32, 16, 3, 3)), np.ones((16, 1, 3, 3)), np.ones((32, 16, 1, 1))
    assert std.size == 4_608 and dw.size + pw.size == 656
    assert F.separable_conv2d(x, dw, pw).shape == F.conv2d(x, std).shape == (1, 32, 3, 3)
    # 3 -> 4 channels, 3x3: 108 standard vs depthwise 27 + pointwise 12 = 39
    std, dw, pw = np.ones((4, 3, 3, 3)), np.ones((3, 1, 3, 3)), np.ones((4, 3, 1, 1))
    assert (std.size, dw.size, pw.size) == (108, 27, 12)
    x = rng.standard_normal((1, 3, 5, 5))
    # with all-ones weights both compute 4 copies of the 3x3 box sum over all channels
    np.testing.assert_allclose(F.separable_conv2d(x, dw, pw).data, F.conv2d(x, std).data,
                               rtol=1e-12)
    # ten 3x3x3 filters with bias: 10 * 27 + 10 = 280 parameters
    w, b = np.ones((10, 3, 3, 3)), np.ones(10)
    assert w.size + b.size == 280
    assert F.conv2d(x, w, b).shape == (1, 10, 3, 3)


# --- errors -----------------------------------------------------------------------------------

def test_depthwise_weight_second_dim_not_one_rejected(rng):
    with pytest.raises(ValueError, match=r"weight must have shape \(C\*M, 1, kh, kw\); "
                                         r"got weight with shape \(6, 3, 3, 3\)"):
        F.depthwise_conv2d(rng.standard_normal((1, 3, 5, 5)), np.ones((6, 3, 3, 3)))


def test_depthwise_weight_not_multiple_of_channels_rejected(rng):
    with pytest.raises(ValueError, match=r"weight.shape\[0\] must be a multiple of the input "
                                         r"channels 3 .*got weight with shape \(4, 1, 3, 3\)"):
        F.depthwise_conv2d(rng.standard_normal((1, 3, 5, 5)), np.ones((4, 1, 3, 3)))


def test_depthwise_input_wrong_ndim_rejected():
    with pytest.raises(ValueError, match=r"input must be 4-dimensional; got input with shape "
                                         r"\(3, 5, 5\)"):
        F.depthwise_conv2d(np.ones((3, 5, 5)), np.ones((3, 1, 3, 3)))


def test_pointwise_weight_not_1x1_rejected(rng):
    with pytest.raises(ValueError, match=r"weight must have shape \(O, C, 1, 1\); got weight "
                                         r"with shape \(4, 3, 3, 3\)"):
        F.pointwise_conv2d(rng.standard_normal((1, 3, 5, 5)), np.ones((4, 3, 3, 3)))


def test_separable_pointwise_channels_mismatch_rejected(rng):
    with pytest.raises(ValueError, match=r"weight expects 5 input channels .*got input with 6 "
                                         r"channels"):
        F.separable_conv2d(rng.standard_normal((1, 3, 5, 5)), np.ones((6, 1, 3, 3)),
                           np.ones((4, 5, 1, 1)))


def test_depthwise_int_input_rejected():
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype; got input "
                                        r"with dtype int64"):
        F.depthwise_conv2d(np.ones((1, 3, 5, 5), dtype=np.int64), np.ones((3, 1, 3, 3)))
