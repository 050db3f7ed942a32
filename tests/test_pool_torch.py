"""Pooling against PyTorch (CPU): forward in float32 within 1e-4, indices exactly, grads in float64.

PyTorch pools take only symmetric int padding of at most half the kernel and no
dilation for average/Lp pooling; the other padding forms are compared by padding
the torch input explicitly first (-inf for max, 0 for average with
count_include_pad). PyTorch's lp_pool raises x (not |x|) to the power p, so Lp is
compared on positive inputs only; negative inputs are covered against the naive
reference in test_pool.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import convzoo as cz
from convzoo import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

OURS = {
    "max": {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d},
    "avg": {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d},
    "lp": {1: F.lp_pool1d, 2: F.lp_pool2d, 3: F.lp_pool3d},
}
THEIRS = {
    "max": {1: TF.max_pool1d, 2: TF.max_pool2d, 3: TF.max_pool3d},
    "avg": {1: TF.avg_pool1d, 2: TF.avg_pool2d, 3: TF.avg_pool3d},
    "lp": {1: TF.lp_pool1d, 2: TF.lp_pool2d, 3: TF.lp_pool3d},
}
SHAPES = {  # odd and non-square sizes, batch 1 and > 1
    1: [(1, 3, 9), (2, 2, 8)],
    2: [(1, 2, 7, 6), (2, 3, 8, 9)],
    3: [(1, 2, 5, 6, 7), (2, 1, 6, 5, 6)],
}


def ours_and_grad(fn, x, w):
    """Forward and input gradient of sum(fn(x) * w)."""
    t = cz.tensor(x, requires_grad=True)
    out = fn(t)
    y = out[0] if isinstance(out, tuple) else out
    y.backward(w)
    return out, t.grad


def theirs_and_grad(fn, x, w):
    t = torch.tensor(x, requires_grad=True)
    out = fn(t)
    y = out[0] if isinstance(out, tuple) else out
    y.backward(torch.tensor(w))
    return out, t.grad.numpy()


def assert_forward_f32(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def _grid(kinds):
    """(n, shape, kernel, stride, padding, dilation, ceil_mode) cases torch accepts."""
    cases = []
    for n in (1, 2, 3):
        dilations = (1, 2) if "max" in kinds else (1,)
        for k, stride, pad, dil, ceil in itertools.product((2, 3), (None, 1, 2), (0, 1),
                                                           dilations, (False, True)):
            if n == 3 and (stride == 1 or dil == 2 and k == 3):
                continue  # keep 3-d small
            if pad > k // 2:
                continue
            kernel = k if n == 1 else (k,) + (3,) * (n - 1)  # non-square where n > 1
            shape = SHAPES[n][len(cases) % 2]  # alternate batch 1 / batch > 1
            cases.append((n, shape, kernel, stride, pad, dil, ceil))
    return cases


@pytest.mark.parametrize("n,shape,kernel,stride,padding,dilation,ceil_mode", _grid(("max",)))
def test_max_pool_matches_torch(n, shape, kernel, stride, padding, dilation, ceil_mode):
    rng = np.random.default_rng(hash((shape, kernel, stride)) % 2**32)
    x = rng.standard_normal(shape)

    def ours(v):
        return OURS["max"][n](v, kernel, stride, padding, dilation, ceil_mode, return_indices=True)

    def theirs(v):
        return THEIRS["max"][n](v, kernel, stride, padding, dilation, ceil_mode,
                                return_indices=True)

    (y32, i32) = ours(x.astype(np.float32))
    (ty32, ti32) = theirs(torch.tensor(x.astype(np.float32)))
    assert y32.shape == tuple(ty32.shape)
    assert_forward_f32(y32.numpy(), ty32.numpy())
    np.testing.assert_array_equal(i32.numpy(), ti32.numpy())
    w = rng.standard_normal(y32.shape)
    (y, idx), g = ours_and_grad(ours, x, w)
    (ty, tidx), tg = theirs_and_grad(theirs, x, w)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("n,shape,kernel,stride,padding,dilation,ceil_mode", _grid(("avg",)))
def test_avg_pool_matches_torch(n, shape, kernel, stride, padding, dilation, ceil_mode):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    for count_include_pad, divisor_override in [(True, None), (False, None), (True, 3),
                                                (False, 5)]:
        if n == 1 and divisor_override is not None:
            continue  # torch.nn.functional.avg_pool1d has no divisor_override
        extra = {} if n == 1 else {"divisor_override": divisor_override}

        def ours(v, cip=count_include_pad, div=divisor_override):
            return OURS["avg"][n](v, kernel, stride, padding, ceil_mode, cip, div)

        def theirs(v, cip=count_include_pad, extra=extra):
            return THEIRS["avg"][n](v, kernel, stride, padding, ceil_mode, cip, **extra)

        y32 = ours(x.astype(np.float32))
        ty32 = theirs(torch.tensor(x.astype(np.float32)))
        assert y32.shape == tuple(ty32.shape)
        assert_forward_f32(y32.numpy(), ty32.numpy())
        w = rng.standard_normal(y32.shape)
        _, g = ours_and_grad(ours, x, w)
        _, tg = theirs_and_grad(theirs, x, w)
        np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)


def _full_windows(n, shape, kernel, stride):
    """Index of the outputs whose window lies wholly inside an unpadded input."""
    kernel = (kernel,) * n if isinstance(kernel, int) else kernel
    stride = kernel if stride is None else (stride,) * n
    return (Ellipsis,) + tuple(slice(0, (i - k) // s + 1)
                               for i, k, s in zip(shape[2:], kernel, stride, strict=True))


@pytest.mark.parametrize("n,shape,kernel,stride,padding,dilation,ceil_mode",
                         [c for c in _grid(("lp",)) if c[4] == 0])
def test_lp_pool_matches_torch_on_positive_inputs(n, shape, kernel, stride, padding, dilation,
                                                  ceil_mode):
    rng = np.random.default_rng(2)
    x = rng.uniform(0.1, 2.0, shape)
    # PyTorch rescales a ceil_mode window that overhangs the input by k/in-range-cells
    # (it is avg_pool * prod(k)); compare the windows wholly inside the input, where the
    # definitions agree. The overhanging ones are checked against the reference.
    full = _full_windows(n, shape, kernel, stride)
    for p in (1, 2, 3):
        def ours(v, p=p):
            return OURS["lp"][n](v, p, kernel, stride, ceil_mode)

        def theirs(v, p=p):
            return THEIRS["lp"][n](v, p, kernel, stride, ceil_mode)

        y32 = ours(x.astype(np.float32))
        ty32 = theirs(torch.tensor(x.astype(np.float32)))
        assert y32.shape == tuple(ty32.shape)
        assert_forward_f32(y32.numpy()[full], ty32.numpy()[full])
        w = np.zeros(y32.shape)
        w[full] = rng.standard_normal(w[full].shape)
        _, g = ours_and_grad(ours, x, w)
        _, tg = theirs_and_grad(theirs, x, w)
        np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)


PADDINGS = [  # (padding argument, explicit pairs for a (7, 6) input with kernel 3, stride 2)
    ("same", ((1, 1), (0, 1))),
    ("same_lower", ((1, 1), (1, 0))),
    ("valid", ((0, 0), (0, 0))),
    ("full", ((2, 2), (2, 2))),
    (((2, 0), (1, 2)), ((2, 0), (1, 2))),
    ((0, (1, 0)), ((0, 0), (1, 0))),
]


@pytest.mark.parametrize("padding,pairs", PADDINGS)
@pytest.mark.parametrize("kind", ["max", "avg", "lp"])
def test_padding_forms_match_explicitly_padded_torch(kind, padding, pairs):
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 2.0, (2, 2, 7, 6))
    torch_pad = tuple(v for pair in reversed(pairs) for v in pair)  # F.pad: last dim first
    fill = float("-inf") if kind == "max" else 0.0
    if kind == "max":
        def ours(v):
            return F.max_pool2d(v, 3, 2, padding, return_indices=True)

        def theirs(v):
            return TF.max_pool2d(TF.pad(v, torch_pad, value=fill), 3, 2, return_indices=True)
    elif kind == "avg":
        def ours(v):
            return F.avg_pool2d(v, 3, 2, padding)

        def theirs(v):
            return TF.avg_pool2d(TF.pad(v, torch_pad, value=fill), 3, 2)
    else:
        def ours(v):
            return F.lp_pool2d(v, 2, 3, 2, padding=padding)

        def theirs(v):
            return TF.lp_pool2d(TF.pad(v, torch_pad, value=fill), 2, 3, 2)

    w = rng.standard_normal(np.shape(ours(x)[0] if kind == "max" else ours(x)))
    out, g = ours_and_grad(ours, x, w)
    tout, tg = theirs_and_grad(theirs, x, w)
    if kind == "max":
        (y, idx), (ty, tidx) = out, tout
        # torch indexes the padded plane: map back to the unpadded one
        wp = 6 + pairs[1][0] + pairs[1][1]
        row, col = np.divmod(tidx.numpy(), wp)
        np.testing.assert_array_equal(idx.numpy(), (row - pairs[0][0]) * 6 + col - pairs[1][0])
    else:
        y, ty = out, tout
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)


def test_same_stride_2_matches_torch_on_even_and_odd_sizes():
    rng = np.random.default_rng(4)
    for size in (6, 7):  # SAME_UPPER pads (0, 1) for 6 and (1, 1) for 7 with k=3, s=2
        x = rng.standard_normal((1, 2, size, size)).astype(np.float32)
        lo, hi = {6: (0, 1), 7: (1, 1)}[size]
        want = TF.max_pool2d(TF.pad(torch.tensor(x), (lo, hi, lo, hi), value=float("-inf")), 3,
                             2)
        got = F.max_pool2d(x, 3, 2, "same")
        assert got.shape == (1, 2, (size + 1) // 2, (size + 1) // 2) == tuple(want.shape)
        assert_forward_f32(got.numpy(), want.numpy())


def test_return_indices_match_torch_exactly_with_ties_and_nan():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, (2, 3, 9, 8)).astype(np.float32)  # many ties
    x[0, 0, 3, 3] = np.nan
    x[1, 2, 0, 0] = np.nan
    x[1, 2, 1, 1] = np.nan
    for k, s, p, d, c in [(3, 2, 1, 1, True), (2, 1, 0, 2, False), (3, 3, 1, 2, True),
                          ((2, 3), (1, 2), (1, 0), (2, 1), False)]:
        y, idx = F.max_pool2d(x, k, s, p, d, c, return_indices=True)
        ty, tidx = TF.max_pool2d(torch.tensor(x), k, s, p, d, c, return_indices=True)
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())  # NaN == NaN here
    x1 = rng.integers(0, 2, (2, 2, 11)).astype(np.float32)
    _, idx = F.max_pool1d(x1, 3, 2, 1, 1, True, return_indices=True)
    _, tidx = TF.max_pool1d(torch.tensor(x1), 3, 2, 1, 1, True, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    x3 = rng.integers(0, 2, (1, 2, 5, 4, 5)).astype(np.float32)
    _, idx = F.max_pool3d(x3, 2, 2, 1, 1, True, return_indices=True)
    _, tidx = TF.max_pool3d(torch.tensor(x3), 2, 2, 1, 1, True, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


def test_max_pool_tied_gradients_match_torch():
    x = np.random.default_rng(6).integers(0, 2, (2, 2, 6, 7)).astype(np.float64)
    w = np.random.default_rng(7).standard_normal((2, 2, 4, 4))
    _, g = ours_and_grad(lambda v: F.max_pool2d(v, 3, 2, 1, ceil_mode=True), x, w)
    _, tg = theirs_and_grad(lambda v: TF.max_pool2d(v, 3, 2, 1, ceil_mode=True), x, w)
    np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)


def test_max_pool_integer_input_matches_torch():
    x = np.random.default_rng(8).integers(-100, 100, (2, 2, 7, 6)).astype(np.int64)
    y, idx = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True)
    ty, tidx = TF.max_pool2d(torch.tensor(x).double(), 3, 2, 1, ceil_mode=True,
                             return_indices=True)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), ty.numpy().astype(np.int64))
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


def test_ceil_mode_edge_cases_match_torch():
    x = np.arange(1.0, 6.0).reshape(1, 1, 5)
    assert_forward_f32(F.max_pool1d(x, 2, 3, 1, ceil_mode=True).numpy(),
                       TF.max_pool1d(torch.tensor(x), 2, 3, 1, ceil_mode=True).numpy())
    x6 = np.arange(1.0, 7.0).reshape(1, 1, 6)
    for cip in (True, False):
        assert_forward_f32(
            F.avg_pool1d(x6, 3, 2, 1, ceil_mode=True, count_include_pad=cip).numpy(),
            TF.avg_pool1d(torch.tensor(x6), 3, 2, 1, ceil_mode=True,
                          count_include_pad=cip).numpy())


def test_global_pools_match_torch():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 5, 6))
    w = rng.standard_normal((2, 3, 1, 1))
    y, g = ours_and_grad(F.global_avg_pool2d, x, w)
    ty, tg = theirs_and_grad(lambda v: TF.adaptive_avg_pool2d(v, 1), x, w)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)
    y, g = ours_and_grad(F.global_max_pool2d, x, w)
    ty, tg = theirs_and_grad(lambda v: TF.adaptive_max_pool2d(v, 1), x, w)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-12)
    x32 = x.astype(np.float32)
    assert_forward_f32(F.global_avg_pool2d(x32).numpy(),
                       TF.adaptive_avg_pool2d(torch.tensor(x32), 1).numpy())
