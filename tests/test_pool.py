"""Pooling: naive-loop references from the definitions, float64 gradient checks, edge cases, errors.

The PyTorch comparisons live in test_pool_torch.py. Nothing here takes an expected
value from convzoo: the reference below resolves padding modes, enumerates windows
(PyTorch's ceil_mode rule: one extra window may overhang the end, and the last
window is dropped if it starts in the right padding) and reduces each window cell
by cell.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convzoo as cz
from convzoo import functional as F

MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
LP = {1: F.lp_pool1d, 2: F.lp_pool2d, 3: F.lp_pool3d}


# --- naive reference --------------------------------------------------------------------------
def ref_pads(padding, size, kernel, stride, dilation):
    """(before, after) per dim, written from the mode definitions (TF/ONNX SAME_UPPER etc.)."""
    n = len(size)
    if isinstance(padding, int):
        return [(padding, padding)] * n
    if isinstance(padding, str):
        pads = []
        for i, k, s, d in zip(size, kernel, stride, dilation, strict=True):
            k_eff = d * (k - 1) + 1
            if padding == "valid":
                pads.append((0, 0))
            elif padding == "full":
                pads.append((k_eff - 1, k_eff - 1))
            else:
                total = max((math.ceil(i / s) - 1) * s + k_eff - i, 0)
                small, big = total // 2, total - total // 2
                pads.append((small, big) if padding == "same" else (big, small))
        return pads
    return [(p, p) if isinstance(p, int) else tuple(p) for p in padding]


def ref_starts(i, k, s, d, lo, hi, ceil_mode):
    """Window starts (padded coordinates) along one dim, PyTorch's rule.

    Floor mode: every window that fits in the padded input. ceil_mode adds the next
    window when it overhangs the end by less than a stride, then drops the last
    window if it starts in the right padding (once, as PyTorch's ``--outputSize``).
    """
    length, k_eff = i + lo + hi, d * (k - 1) + 1
    starts = list(range(0, length - k_eff + 1, s))
    if ceil_mode and starts:
        following = starts[-1] + s
        if following + k_eff - length < s:
            starts.append(following)
        if starts[-1] >= lo + i:
            starts.pop()
    return starts


def ref_pool(x, kind, kernel, stride=None, padding=0, dilation=1, ceil_mode=False,
             count_include_pad=True, divisor_override=None, p=2.0):
    """Pool ``x`` (N, C, *S) cell by cell. Returns (out, indices or None)."""
    n = x.ndim - 2
    size = x.shape[2:]

    def tup(v):
        return (v,) * n if isinstance(v, int) else tuple(v)

    kernel = tup(kernel)
    stride = kernel if stride is None else tup(stride)
    dilation = tup(dilation)
    pads = ref_pads(padding, size, kernel, stride, dilation)
    starts = [ref_starts(i, k, s, d, lo, hi, ceil_mode)
              for i, k, s, d, (lo, hi) in zip(size, kernel, stride, dilation, pads, strict=True)]
    out_shape = x.shape[:2] + tuple(len(v) for v in starts)
    out = np.zeros(out_shape, dtype=np.float64 if kind != "max" else x.dtype)
    index = np.zeros(out_shape, dtype=np.int64)
    for nc in np.ndindex(*x.shape[:2]):
        plane = x[nc]
        for o in np.ndindex(*out_shape[2:]):
            real, n_pad = [], 0
            for tap in np.ndindex(*kernel):
                padded = [starts[m][o[m]] + tap[m] * dilation[m] for m in range(n)]
                coord = tuple(c - pads[m][0] for m, c in enumerate(padded))
                if all(0 <= c < size[m] for m, c in enumerate(coord)):
                    real.append(coord)
                elif all(c < size[m] + pads[m][0] + pads[m][1] for m, c in enumerate(padded)):
                    n_pad += 1
            assert real, "window wholly in padding"
            values = [plane[c] for c in real]
            if kind == "max":
                best, arg = values[0], real[0]
                for v, c in zip(values, real, strict=True):
                    if v > best or (isinstance(v, float) and math.isnan(v)):
                        best, arg = v, c
                out[nc + o] = best
                index[nc + o] = np.ravel_multi_index(arg, size)
            elif kind == "avg":
                if divisor_override is not None:
                    div = divisor_override
                else:
                    div = len(real) + (n_pad if count_include_pad else 0)
                out[nc + o] = sum(float(v) for v in values) / div
            else:
                out[nc + o] = sum(abs(float(v)) ** p for v in values) ** (1.0 / p)
    return out, (index if kind == "max" else None)


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar ``f`` at every element of ``x``."""
    g = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def analytic_grad(fn, x, w):
    t = cz.tensor(x, requires_grad=True)
    y = fn(t)
    y.backward(w)
    return t.grad


def check_grad(fn, x, rng):
    """Compare backward with central differences of sum(fn(x) * w) in float64."""
    w = rng.standard_normal(fn(x).shape)
    num = numeric_grad(lambda v: float((fn(v).numpy() * w).sum()), x.copy())
    np.testing.assert_allclose(analytic_grad(fn, x, w), num, rtol=1e-6, atol=1e-7)


def distinct(rng, shape):
    """float64 values at least 0.05 apart: no ties for max pooling under finite differences."""
    count = int(np.prod(shape))
    return (rng.permutation(count) * 0.05 + rng.uniform(0, 0.01, count)).reshape(shape) - 1.0


# --- forward against the naive reference -------------------------------------------------------
SHAPES = {1: (2, 2, 7), 2: (2, 2, 5, 6), 3: (1, 2, 5, 6, 5)}
GRID = [  # kernel, stride, padding, dilation, ceil_mode
    (2, None, 0, 1, False),
    (2, None, 0, 1, True),
    (3, 2, 1, 1, True),
    (3, 1, "same", 1, False),
    (3, 2, "same", 1, True),
    (2, 2, "same_lower", 2, False),
    (2, 1, "full", 1, True),
    (3, 2, "valid", 2, True),
    (2, 3, 1, 2, True),
    (3, 2, 2, 1, True),  # padding > kernel/2: ONNX allows it
]


def _per_dim(n, value, alt):
    """Make a grid value non-uniform across dims (odd, asymmetric cases)."""
    if isinstance(value, str) or n == 1:
        return value
    if value is None:
        return None
    return tuple([value] + [alt] * (n - 1))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", GRID)
@pytest.mark.parametrize("kind", ["max", "avg", "lp"])
def test_forward_matches_naive_reference(n, kernel, stride, padding, dilation, ceil_mode, kind):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPES[n])
    if kind == "max":
        got, idx = MAX[n](x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
        want, want_idx = ref_pool(x, "max", kernel, stride, padding, dilation, ceil_mode)
        np.testing.assert_array_equal(idx.numpy(), want_idx)
        assert idx.dtype == np.int64
    elif kind == "avg":
        got = AVG[n](x, kernel, stride, padding, ceil_mode, dilation=dilation)
        want, _ = ref_pool(x, "avg", kernel, stride, padding, dilation, ceil_mode)
    else:
        got = LP[n](x, 3, kernel, stride, ceil_mode, padding=padding, dilation=dilation)
        want, _ = ref_pool(x, "lp", kernel, stride, padding, dilation, ceil_mode, p=3)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", [((1, 0), (0, 2)), ((2, 1), (1, 1)), (0, (1, 2))])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 5])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_avg_asymmetric_padding_divisors(padding, count_include_pad, divisor_override, ceil_mode):
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 4))
    got = F.avg_pool2d(x, (3, 2), (2, 3), padding, ceil_mode, count_include_pad,
                       divisor_override, dilation=(1, 2))
    want, _ = ref_pool(x, "avg", (3, 2), (2, 3), padding, (1, 2), ceil_mode, count_include_pad,
                       divisor_override)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 4])
def test_lp_norm_types(p):
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 5))
    got = F.lp_pool2d(x, p, 3, 2, True, padding=1)
    want, _ = ref_pool(x, "lp", 3, 2, 1, 1, True, p=p)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 7), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 2),
       lo=st.integers(0, 3), hi=st.integers(0, 3), ceil_mode=st.booleans(),
       kind=st.sampled_from(["max", "avg", "lp"]), cip=st.booleans())
def test_random_1d_configs_match_reference_or_raise(size, k, s, d, lo, hi, ceil_mode, kind, cip):
    """Any 1-d configuration: equal to the reference, or a ValueError when some window is empty."""
    x = np.random.default_rng(size * 31 + k).standard_normal((1, 2, size))
    pads = ((lo, hi),)
    if size + lo + hi < d * (k - 1) + 1:
        with pytest.raises(ValueError, match="larger than the padded input"):
            MAX[1](x, k, s, pads, d, ceil_mode)
        return
    starts = ref_starts(size, k, s, d, lo, hi, ceil_mode)
    empty = any(not any(lo <= b + t * d < lo + size for t in range(k)) for b in starts)
    if empty:
        with pytest.raises(ValueError, match="wholly in padding"):
            AVG[1](x, k, s, pads, ceil_mode, dilation=d)
        return
    if kind == "max":
        got = MAX[1](x, k, s, pads, d, ceil_mode).numpy()
    elif kind == "avg":
        got = AVG[1](x, k, s, pads, ceil_mode, cip, dilation=d).numpy()
    else:
        got = LP[1](x, 2, k, s, ceil_mode, padding=pads, dilation=d).numpy()
    want, _ = ref_pool(x, kind, k, s, pads, d, ceil_mode, count_include_pad=cip)
    np.testing.assert_allclose(got, want, rtol=1e-12)


# --- gradient checks (float64, central differences) --------------------------------------------
GRAD_GRID = [  # kernel, stride, padding, dilation, ceil_mode
    (2, None, 0, 1, False),
    (3, 2, 1, 1, True),
    (3, 1, "same", 2, False),
    (2, 2, ((1, 0),), 1, True),  # per-side pairs; expanded per dim below
    (3, 2, 2, 1, True),
]


def _grad_padding(n, padding):
    if isinstance(padding, tuple):
        return padding * n
    return padding


GRAD_SHAPES = {1: (2, 2, 6), 2: (2, 1, 5, 4), 3: (1, 2, 3, 4, 3)}


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", GRAD_GRID)
def test_max_pool_gradcheck(n, kernel, stride, padding, dilation, ceil_mode):
    rng = np.random.default_rng(3)
    x = distinct(rng, GRAD_SHAPES[n])
    padding = _grad_padding(n, padding)
    check_grad(lambda v: MAX[n](v, kernel, stride, padding, dilation, ceil_mode), x, rng)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", GRAD_GRID)
@pytest.mark.parametrize("count_include_pad,divisor_override", [(True, None), (False, None),
                                                                 (True, 3)])
def test_avg_pool_gradcheck(n, kernel, stride, padding, dilation, ceil_mode, count_include_pad,
                            divisor_override):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(GRAD_SHAPES[n])
    padding = _grad_padding(n, padding)
    check_grad(lambda v: AVG[n](v, kernel, stride, padding, ceil_mode, count_include_pad,
                                divisor_override, dilation=dilation), x, rng)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", GRAD_GRID)
@pytest.mark.parametrize("p", [1, 2, 3.5, 0.7])
def test_lp_pool_gradcheck(n, kernel, stride, padding, dilation, ceil_mode, p):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(GRAD_SHAPES[n])
    x += np.sign(x) * 0.1  # keep |x| away from the kink at 0
    padding = _grad_padding(n, padding)
    check_grad(lambda v: LP[n](v, p, kernel, stride, ceil_mode, padding=padding,
                               dilation=dilation), x, rng)


def test_global_pools_gradcheck():
    rng = np.random.default_rng(6)
    check_grad(F.global_avg_pool2d, rng.standard_normal((2, 3, 3, 4)), rng)
    check_grad(F.global_max_pool2d, distinct(rng, (2, 3, 3, 4)), rng)


def test_max_pool_gradient_goes_to_first_of_tied_cells():
    x = np.zeros((1, 1, 2, 3))
    g = analytic_grad(lambda v: F.max_pool2d(v, 2, 1), x, np.array([[[[1.0, 10.0]]]]))
    # window 0 covers columns 0-1, window 1 columns 1-2: each picks its first cell (row 0)
    np.testing.assert_array_equal(g, [[[[1.0, 10.0, 0.0], [0.0, 0.0, 0.0]]]])


def test_max_pool_gradient_sums_over_overlapping_windows():
    x = np.array([[[0.0, 5.0, 1.0, 2.0]]])
    g = analytic_grad(lambda v: F.max_pool1d(v, 3, 1), x, np.array([[[2.0, 3.0]]]))
    np.testing.assert_array_equal(g, [[[0.0, 5.0, 0.0, 0.0]]])


def test_lp_pool_gradient_at_zero_window_is_zero():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 2:, 2:] = [[0.0, 3.0], [4.0, 0.0]]
    for p in (0.5, 1, 2, 3):
        g = analytic_grad(lambda v, p=p: F.lp_pool2d(v, p, 2), x, np.ones((1, 1, 2, 2)))
        assert np.all(np.isfinite(g))
        np.testing.assert_array_equal(g[0, 0, :2], 0.0)
        assert g[0, 0, 2, 2] == 0.0 and g[0, 0, 3, 3] == 0.0
    g = analytic_grad(lambda v: F.lp_pool2d(v, 2, 2), x, np.ones((1, 1, 2, 2)))
    np.testing.assert_allclose(g[0, 0, 2:, 2:], [[0.0, 0.6], [0.8, 0.0]])  # x / ||x||


# --- named edge cases ---------------------------------------------------------------------------
def test_ceil_mode_last_window_starting_in_padding_is_dropped():
    # length 5, k=2, s=3, padding 1: padded cells -1..5; ceil would give starts -1, 2, 5,
    # but the window at 5 starts in the right padding, so only two windows remain.
    x = np.array([[[1.0, 2.0, 3.0, 4.0, 5.0]]])
    y = F.max_pool1d(x, 2, 3, 1, ceil_mode=True)
    np.testing.assert_array_equal(y.numpy(), [[[1.0, 4.0]]])
    a = F.avg_pool1d(x, 2, 3, 1, ceil_mode=True)
    np.testing.assert_array_equal(a.numpy(), [[[0.5, 3.5]]])
    lp = F.lp_pool1d(x, 1, 2, 3, ceil_mode=True, padding=1)
    np.testing.assert_array_equal(lp.numpy(), [[[1.0, 7.0]]])
    # a last window that starts inside the input is kept: length 6 gives three windows
    x6 = np.arange(1.0, 7.0).reshape(1, 1, 6)
    np.testing.assert_array_equal(F.max_pool1d(x6, 2, 3, 1, ceil_mode=True).numpy(),
                                  [[[1.0, 4.0, 6.0]]])
    # 2-d: H=5 drops, W=6 keeps
    x2 = np.random.default_rng(7).standard_normal((1, 1, 5, 6))
    assert F.max_pool2d(x2, 2, 3, 1, ceil_mode=True).shape == (1, 1, 2, 3)


def test_count_include_pad_with_ceil_mode():
    # length 6, k=3, s=2, padding 1, ceil: windows start at padded -1, 1, 3, 5; the last
    # covers x[5], one padding cell and one cell past the padding.
    x = np.arange(1.0, 7.0).reshape(1, 1, 6)
    inc = F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True)
    exc = F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    # the padding cell is counted, the overhang cell is not: 6 / 2, not 6 / 3
    np.testing.assert_allclose(inc.numpy(), [[[3.0 / 3, 9.0 / 3, 15.0 / 3, 6.0 / 2]]])
    np.testing.assert_allclose(exc.numpy(), [[[3.0 / 2, 9.0 / 3, 15.0 / 3, 6.0 / 1]]])
    over = F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, divisor_override=4)
    np.testing.assert_allclose(over.numpy(), [[[3.0 / 4, 9.0 / 4, 15.0 / 4, 6.0 / 4]]])
    # no padding at all: the overhanging window divides by its in-range cells only
    np.testing.assert_allclose(F.avg_pool1d(x[..., :5], 2, ceil_mode=True).numpy(),
                               [[[1.5, 3.5, 5.0]]])


def test_lp_pool_negative_inputs():
    x = np.array([[[3.0, -4.0, -1.0, -2.0]]])
    y = F.lp_pool1d(x, 2, 2)
    np.testing.assert_allclose(y.numpy(), [[[5.0, math.sqrt(5.0)]]])
    y3 = F.lp_pool1d(x, 3, 2)
    np.testing.assert_allclose(y3.numpy(), [[[91.0 ** (1 / 3), 9.0 ** (1 / 3)]]])
    # without the abs (PyTorch's x**p) the first window would be (27 - 64)^(1/3): no real root
    y1 = F.lp_pool1d(x, 1, 2)
    np.testing.assert_allclose(y1.numpy(), [[[7.0, 3.0]]])
    # the same as pooling |x|, gradient sign(x)·(|x|/y)^(p-1)
    rng = np.random.default_rng(8)
    xs = -np.abs(rng.standard_normal((2, 2, 5, 5))) - 0.1
    np.testing.assert_allclose(F.lp_pool2d(xs, 3, 2, 1, True).numpy(),
                               F.lp_pool2d(-xs, 3, 2, 1, True).numpy())
    np.testing.assert_allclose(F.lp_pool2d(xs, 3, 2, 1, True).numpy(),
                               ref_pool(xs, "lp", 2, 1, 0, 1, True, p=3)[0])
    g = analytic_grad(lambda v: F.lp_pool1d(v, 2, 2), x, np.ones((1, 1, 2)))
    np.testing.assert_allclose(g, [[[0.6, -0.8, -1 / math.sqrt(5), -2 / math.sqrt(5)]]])
    check_grad(lambda v: F.lp_pool2d(v, 3, 2, 1, True), xs, rng)


@pytest.mark.parametrize("size,want_out,want_pads", [(6, 3, (0, 1)), (7, 4, (1, 1)),
                                                     (8, 4, (0, 1)), (5, 3, (1, 1))])
def test_same_padding_stride_2_even_and_odd_sizes(size, want_out, want_pads):
    x = np.random.default_rng(size).standard_normal((2, 1, size, size + 1))
    y = F.max_pool2d(x, 3, 2, "same")
    assert y.shape[2] == want_out == math.ceil(size / 2)
    assert y.shape[3] == math.ceil((size + 1) / 2)
    pad_w = ref_pads("same", (size + 1,), (3,), (2,), (1,))[0]
    explicit = F.max_pool2d(x, 3, 2, (want_pads, pad_w))
    np.testing.assert_array_equal(y.numpy(), explicit.numpy())
    np.testing.assert_array_equal(y.numpy(), ref_pool(x, "max", 3, 2, "same")[0])
    a = F.avg_pool2d(x, 3, 2, "same", count_include_pad=False)
    np.testing.assert_allclose(a.numpy(), ref_pool(x, "avg", 3, 2, "same",
                                                   count_include_pad=False)[0])
    lower = F.avg_pool2d(x, 3, 2, "same_lower")
    np.testing.assert_allclose(lower.numpy(), ref_pool(x, "avg", 3, 2, "same_lower")[0])


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8])
def test_max_pool_integer_inputs(dtype):
    rng = np.random.default_rng(9)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, (2, 2, 5, 6), endpoint=True).astype(dtype)
    x[0, 0, :2, :2] = info.min  # a window of the dtype's minimum must still index a real cell
    y, idx = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True)
    want, want_idx = ref_pool(x, "max", 3, 2, 1, ceil_mode=True)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), want)
    np.testing.assert_array_equal(idx.numpy(), want_idx)
    y1 = F.max_pool1d(x[:, :, 0], 2, padding="same")
    np.testing.assert_array_equal(y1.numpy(), ref_pool(x[:, :, 0], "max", 2, None, "same")[0])
    assert F.global_max_pool2d(x).numpy().ravel().tolist() == x.reshape(4, -1).max(1).tolist()
    assert not y.requires_grad


def test_max_pool_all_minus_inf_window_indexes_first_real_cell():
    x = np.full((1, 1, 3, 3), -np.inf)
    y, idx = F.max_pool2d(x, 2, 2, 1, return_indices=True)
    assert np.all(y.numpy() == -np.inf)
    np.testing.assert_array_equal(idx.numpy()[0, 0], [[0, 1], [3, 4]])


def test_max_pool_nan_propagates():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 0] = np.nan
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(y.numpy()[0, 0, 0, 0]) and idx.numpy()[0, 0, 0, 0] == 0
    assert y.numpy()[0, 0, 1, 1] == 15.0


def test_global_pools_forward():
    x = np.random.default_rng(10).standard_normal((2, 3, 5, 4)).astype(np.float32)
    ga, gm = F.global_avg_pool2d(x), F.global_max_pool2d(x)
    assert ga.shape == gm.shape == (2, 3, 1, 1)
    assert ga.dtype == gm.dtype == np.float32
    np.testing.assert_allclose(ga.numpy()[..., 0, 0], x.mean(axis=(2, 3)), rtol=1e-6)
    np.testing.assert_array_equal(gm.numpy()[..., 0, 0], x.max(axis=(2, 3)))


@pytest.mark.parametrize("kind", ["max", "avg", "lp"])
def test_dtype_preserved_and_tensor_input(kind):
    x32 = np.random.default_rng(11).standard_normal((1, 2, 5, 5)).astype(np.float32)
    fn = {"max": lambda v: F.max_pool2d(v, 2), "avg": lambda v: F.avg_pool2d(v, 2),
          "lp": lambda v: F.lp_pool2d(v, 2, 2)}[kind]
    assert fn(x32).dtype == np.float32
    assert fn(x32.astype(np.float64)).dtype == np.float64
    t = cz.tensor(x32, requires_grad=True)
    y = fn(t)
    assert isinstance(y, cz.Tensor) and y.requires_grad
    y.backward(np.ones(y.shape, dtype=np.float32))
    assert t.grad.dtype == np.float32 and t.grad.shape == x32.shape
    with cz.no_grad():
        assert not fn(t).requires_grad


def test_max_pool_indices_without_grad_and_values_only_path_agree():
    x = np.random.default_rng(12).standard_normal((2, 3, 6, 7))
    a = F.max_pool2d(x, 3, 2, 1, 2, True)
    b, _ = F.max_pool2d(x, 3, 2, 1, 2, True, return_indices=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


# --- errors -------------------------------------------------------------------------------------
ALL_POOLS = [
    lambda x, **kw: F.max_pool2d(x, **kw),
    lambda x, **kw: F.avg_pool2d(x, **kw),
    lambda x, **kw: F.lp_pool2d(x, 2, **kw),
]


@pytest.mark.parametrize("pool", ALL_POOLS)
def test_wrong_ndim(pool):
    with pytest.raises(ValueError, match=r"input must be 4-dimensional; got input with shape"):
        pool(np.ones((1, 4, 4)), kernel_size=2)
    with pytest.raises(ValueError, match="input must be 3-dimensional"):
        F.max_pool1d(np.ones((1, 1, 4, 4)), 2)
    with pytest.raises(ValueError, match="input must be 5-dimensional"):
        F.avg_pool3d(np.ones((1, 1, 4, 4)), 2)
    with pytest.raises(ValueError, match="input must be 4-dimensional"):
        F.global_avg_pool2d(np.ones((1, 4, 4)))
    with pytest.raises(ValueError, match="input must be 4-dimensional"):
        F.global_max_pool2d(np.ones((1, 1, 1, 4, 4)))


@pytest.mark.parametrize("pool", ALL_POOLS)
def test_non_positive_sizes(pool):
    x = np.ones((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"kernel_size must be >= 1; got kernel_size=0"):
        pool(x, kernel_size=0)
    with pytest.raises(ValueError, match=r"kernel_size must be >= 1; got kernel_size=\(2, -1\)"):
        pool(x, kernel_size=(2, -1))
    with pytest.raises(ValueError, match=r"stride must be >= 1; got stride=0"):
        pool(x, kernel_size=2, stride=0)
    with pytest.raises(ValueError, match=r"padding must be >= 0; got padding=-1"):
        pool(x, kernel_size=2, padding=-1)
    with pytest.raises(ValueError, match=r"kernel_size must be an int or a sequence of 2 ints"):
        pool(x, kernel_size=(2, 2, 2))
    with pytest.raises(ValueError, match=r"padding must be an int, a tuple, or one of"):
        pool(x, kernel_size=2, padding="bogus")
    with pytest.raises(ValueError, match="larger than the padded input"):
        pool(x, kernel_size=5)
    with pytest.raises(ValueError, match="input must not have a zero-size dimension"):
        pool(np.ones((1, 1, 0, 4)), kernel_size=1)
    with pytest.raises(TypeError, match=r"ceil_mode must be a bool; got ceil_mode='yes'"):
        pool(x, kernel_size=2, ceil_mode="yes")


def test_dilation_errors():
    x = np.ones((1, 1, 6, 6))
    with pytest.raises(ValueError, match=r"dilation must be >= 1; got dilation=0"):
        F.max_pool2d(x, 2, dilation=0)
    with pytest.raises(ValueError, match=r"dilation must be >= 1; got dilation=\(1, 0\)"):
        F.avg_pool2d(x, 2, dilation=(1, 0))
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.lp_pool2d(x, 2, 3, dilation=3)


def test_non_float_input_for_avg_and_lp():
    x = np.ones((1, 1, 4, 4), dtype=np.int64)
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype; got input "
                                        r"with dtype int64"):
        F.avg_pool2d(x, 2)
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.lp_pool1d(x[0], 2, 2)
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.global_avg_pool2d(x)
    with pytest.raises(TypeError, match="input must have an integer or floating-point dtype"):
        F.max_pool2d(x.astype(bool), 2)
    with pytest.raises(TypeError, match="input must have an integer or floating-point dtype"):
        F.global_max_pool2d(x.astype(np.complex128))


@pytest.mark.parametrize("pool", ALL_POOLS)
def test_window_wholly_in_padding(pool):
    x = np.ones((1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"padding=1 leaves pooling window 0 of spatial dim 0 "
                                         r"wholly in padding"):
        pool(x, kernel_size=1, padding=1)
    with pytest.raises(ValueError, match=r"wholly in padding"):
        pool(x, kernel_size=2, stride=2, padding=((0, 0), (0, 3)))
    # 'full' padding with dilation can skip every input cell: [P P x P P], taps {1, 3}
    with pytest.raises(ValueError, match=r"padding='full' leaves pooling window 1 of spatial "
                                         r"dim 0 wholly in padding"):
        pool(np.ones((1, 1, 1, 1)), kernel_size=2, stride=1, padding="full", dilation=2)
    # padding beyond half the kernel is fine while each window keeps a real cell
    assert pool(x, kernel_size=3, stride=3, padding=2).shape == (1, 1, 2, 2)


def test_bad_norm_type():
    x = np.ones((1, 1, 4, 4))
    for bad in (0, -2, float("inf"), float("nan")):
        with pytest.raises(ValueError, match=r"norm_type must be a finite number > 0; got "
                                             r"norm_type="):
            F.lp_pool2d(x, bad, 2)
    for bad in ("2", None, True):
        with pytest.raises(TypeError, match=r"norm_type must be a number; got norm_type="):
            F.lp_pool2d(x, bad, 2)


def test_bad_divisor_override():
    x = np.ones((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"divisor_override must be >= 1; got "
                                         r"divisor_override=0"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match=r"divisor_override must be an int; got "
                                        r"divisor_override=2.5"):
        F.avg_pool2d(x, 2, divisor_override=2.5)


def test_dilation_and_padding_are_keyword_only_for_avg_and_lp():
    x = np.ones((1, 1, 4, 4))
    with pytest.raises(TypeError):
        F.avg_pool2d(x, 2, 2, 0, False, True, None, 2)
    with pytest.raises(TypeError):
        F.lp_pool2d(x, 2, 2, 2, False, 1)


def test_ceil_mode_drops_at_most_one_window_in_right_padding():
    # PyTorch's rule drops the last window when it starts in the right padding, even a
    # window that fits; a second such window would be wholly padding, which is an error.
    x = np.array([[[7.0]]])
    np.testing.assert_array_equal(F.max_pool1d(x, 1, 1, ((0, 1),), ceil_mode=True).numpy(),
                                  [[[7.0]]])
    with pytest.raises(ValueError, match="window 1 of spatial dim 0 wholly in padding"):
        F.max_pool1d(x, 1, 1, ((0, 1),), ceil_mode=False)
    with pytest.raises(ValueError, match="window 1 of spatial dim 0 wholly in padding"):
        F.avg_pool1d(x, 1, 1, ((0, 2),), ceil_mode=True)


def test_all_windows_are_enumerated_from_every_start():
    """Sanity of the reference itself on a hand example (k=2, s=2, ceil, length 5)."""
    assert ref_starts(5, 2, 2, 1, 0, 0, True) == [0, 2, 4]
    assert ref_starts(5, 2, 3, 1, 1, 1, True) == [0, 3]
    assert ref_starts(7, 3, 2, 1, 1, 1, False) == [0, 2, 4, 6]
    assert ref_starts(1, 1, 1, 1, 0, 1, True) == [0]
