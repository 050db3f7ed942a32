"""Every algorithm path of the conv and pooling kernels against the naive references.

``convzoo.ops.kernels`` picks an algorithm per shape (direct 1×1 GEMM, chunked im2col
GEMM with two column layouts, scatter-GEMM + col2im, fused depthwise, direct and
pooling kernels with Numba (serial and threaded compilations), the pitched stride-1
backward columns, the per-tap NumPy path). Each case below uses a shape that selects
one path — asserted through ``select_conv_algorithm`` — and is run with Numba
and with the pure-NumPy fallback (``numpy_only``), for the GEMM paths also with both
column layouts and with the batch cut into image chunks and row chunks. Oracles:
the loop references of ``naive.py`` and ``test_pool.ref_pool`` for the forward pass,
the naive transposed conv (the adjoint, written from its definition) for input
gradients, a naive loop for weight gradients and float64 central differences for
pooling gradients.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import convzoo as cz
from conftest import assert_rel_close
from convzoo import functional as F
from convzoo.ops import kernels
from convzoo.ops import pool as pool_ops
from convzoo.ops.kernels import gemm, plan
from naive import conv_nd, conv_transpose_nd, explicit_pads
from test_pool import check_grad, distinct, ref_pool

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


@pytest.fixture(params=["numba", "numba_threaded", "numpy"])
def backend(request, monkeypatch):
    """Run the test with the Numba kernels (small shapes run their serial compilation),
    with every Numba kernel forced onto its threaded compilation, then with NumPy alone."""
    if request.param.startswith("numba"):
        if not kernels.HAVE_NUMBA:
            pytest.skip("numba is not installed")
        if request.param == "numba_threaded":
            from convzoo.ops.kernels import _backend
            monkeypatch.setattr(_backend, "SERIAL_WORK", 0)
        yield "numba"
    else:
        with kernels.numpy_only():
            yield "numpy"


def _tuple(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def _geometry(x_shape, kernel, stride, pads, dilation):
    nd = len(kernel)
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    out = tuple((i + lo + hi - (d * (k - 1) + 1)) // s + 1 for i, k, s, d, (lo, hi)
                in zip(x_shape[2:], kernel, stride, dilation, pads))
    return plan.geometry(x_shape[2:], kernel, stride, dilation, pads, out)


def naive_weight_grad(x, dy, w_shape, stride, pads, dilation, groups):
    """dW[o, c, t] = Σ_n Σ_p dy[n, o, p] · x_pad[n, g·Cg + c, p·s + t·d], by loops."""
    nd = x.ndim - 2
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    xp = np.pad(np.asarray(x, np.float64), [(0, 0), (0, 0)] + [tuple(p) for p in pads])
    o_total, cg = w_shape[:2]
    og = o_total // groups
    gw = np.zeros(w_shape)
    for o, c in itertools.product(range(o_total), range(cg)):
        ci = (o // og) * cg + c
        for t in np.ndindex(*w_shape[2:]):
            total = 0.0
            for n in range(x.shape[0]):
                for p in np.ndindex(*dy.shape[2:]):
                    pos = tuple(pp * s + tt * d for pp, tt, s, d in zip(p, t, stride, dilation))
                    total += dy[(n, o) + p] * xp[(n, ci) + pos]
            gw[(o, c) + t] = total
    return gw


# --- convolutions ------------------------------------------------------------------------------
# id, path (with Numba), x shape, w shape, stride, padding, dilation, groups
CONV_CASES = [
    ("pointwise", "pointwise", (2, 4, 5, 6), (3, 4, 1, 1), 1, 0, 1, 1),
    ("pointwise_grouped_s2", "pointwise", (2, 4, 5, 7), (6, 2, 1, 1), 2, 0, 1, 2),
    ("im2col", "im2col", (2, 3, 6, 7), (17, 3, 3, 2), (2, 1), ((1, 0), (2, 1)), (1, 2), 1),
    ("im2col_grouped", "im2col", (2, 4, 7, 6), (34, 2, 3, 3), 1, 1, 1, 2),
    ("im2col_1x1_padded", "im2col", (1, 3, 4, 5), (17, 3, 1, 1), 1, 1, 1, 1),
    ("im2col_1d", "im2col", (2, 3, 11), (17, 3, 3), 2, ((2, 1),), 2, 1),
    ("im2col_many_taps", "im2col", (2, 4, 6, 6), (3, 4, 3, 3), 1, 1, 1, 1),
    ("direct", "direct", (2, 3, 6, 7), (4, 3, 3, 2), (2, 1), ((1, 0), (2, 1)), (1, 2), 1),
    ("direct_lenet_c1", "direct", (3, 1, 8, 8), (6, 1, 5, 5), 1, 2, 1, 1),
    ("direct_grouped", "direct", (2, 4, 7, 6), (6, 2, 3, 3), 1, 1, 1, 2),
    ("direct_1x1_padded", "direct", (1, 3, 4, 5), (2, 3, 1, 1), 1, 1, 1, 1),
    ("direct_1d", "direct", (2, 3, 11), (4, 3, 3), 2, ((2, 1),), 2, 1),
    ("direct_s3_dilated", "direct", (2, 2, 9, 10), (5, 2, 2, 3), 3, ((0, 2), (3, 1)), (3, 2), 1),
    ("im2col_3d", "im2col", (1, 2, 4, 5, 4), (3, 2, 2, 3, 2), (1, 2, 1), 1, 1, 1),
    ("depthwise", "depthwise", (2, 3, 7, 6), (3, 1, 3, 3), 1, 1, 1, 3),
    ("depthwise_mult_s2", "depthwise", (2, 3, 8, 7), (6, 1, 3, 2), 2, ((1, 2), (0, 1)), (2, 1),
     3),
    ("depthwise_s3_dilated", "depthwise", (1, 2, 9, 10), (2, 1, 2, 3), 3, ((0, 2), (3, 1)),
     (3, 2), 2),
    ("depthwise_1d", "depthwise", (2, 3, 9), (3, 1, 3), 1, 1, 2, 3),
    ("tap_3d_depthwise", "tap", (1, 2, 4, 4, 5), (2, 1, 2, 2, 3), 1, 1, 1, 2),
]
GEMM_CASES = [c for c in CONV_CASES if c[1] in ("pointwise", "im2col")]


def _expected_path(path, backend):
    if backend == "numpy":
        return {"depthwise": "tap", "direct": "im2col"}.get(path, path)
    return path


def _check_conv(case, rng, dtype=np.float64):
    _, _, x_shape, w_shape, stride, padding, dilation, groups = case
    nd = len(x_shape) - 2
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    pads = explicit_pads(padding, x_shape[2:], w_shape[2:], stride, dilation)
    want = conv_nd(x, w, b, stride, pads, dilation, groups)
    xt = cz.tensor(x.astype(dtype), requires_grad=True)
    wt = cz.tensor(w.astype(dtype), requires_grad=True)
    bt = cz.tensor(b.astype(dtype), requires_grad=True)
    y = CONV[nd](xt, wt, bt, stride, padding, dilation, groups)
    rel = 1e-10 if dtype == np.float64 else 1e-4
    assert y.dtype == dtype
    assert_rel_close(y.data, want, rel, "forward")
    dy = rng.standard_normal(want.shape)
    y.backward(dy.astype(dtype))
    s = _tuple(stride, nd)
    d = _tuple(dilation, nd)
    extra = tuple((i + lo + hi - (dd * (k - 1) + 1)) % ss for i, k, ss, dd, (lo, hi)
                  in zip(x_shape[2:], w_shape[2:], s, d, pads))
    gx = conv_transpose_nd(dy, w, None, stride, pads, extra, dilation, groups)
    assert_rel_close(xt.grad, gx, rel, "input gradient")
    gw = naive_weight_grad(x, dy, w_shape, stride, pads, dilation, groups)
    assert_rel_close(wt.grad, gw, rel, "weight gradient")
    assert_rel_close(bt.grad, dy.sum(axis=(0,) + tuple(range(2, dy.ndim))), rel, "bias")


@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv_path_matches_naive(case, backend, rng):
    _, path, x_shape, w_shape, stride, padding, dilation, groups = case
    pads = explicit_pads(padding, x_shape[2:], w_shape[2:], stride, dilation)
    geom = _geometry(x_shape, w_shape[2:], stride, pads, dilation).as_2d()
    assert kernels.select_conv_algorithm(geom, x_shape[1], groups,
                                         w_shape[0]) == _expected_path(path, backend)
    _check_conv(case, rng)


# Winograd F(2x2, 3x3): selected for many channels and mid-size outputs; the thresholds are
# lowered here so that small shapes (odd sizes: partial last tiles; asymmetric, 'same',
# 'valid' and size-changing padding; several image chunks) take the path.
WINOGRAD_CASES = [
    ("winograd", (2, 3, 6, 7), (4, 3, 3, 3), 1),
    ("winograd_odd_asymmetric", (3, 2, 7, 5), (3, 2, 3, 3), ((0, 2), (1, 0))),
    ("winograd_valid", (2, 4, 9, 8), (2, 4, 3, 3), 0),
    ("winograd_pad2", (1, 3, 4, 6), (5, 3, 3, 3), 2),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", WINOGRAD_CASES, ids=[c[0] for c in WINOGRAD_CASES])
def test_winograd_path_matches_naive(case, dtype, rng, monkeypatch):
    if not kernels.HAVE_NUMBA:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(plan, "WINOGRAD_MIN_CHANNELS", 1)
    monkeypatch.setattr(plan, "WINOGRAD_MIN_SIZE", 1)
    monkeypatch.setattr(plan, "CHUNK_BYTES", 1)   # one image per chunk
    name, x_shape, w_shape, padding = case
    pads = explicit_pads(padding, x_shape[2:], w_shape[2:], 1, 1)
    geom = _geometry(x_shape, w_shape[2:], 1, pads, 1)
    assert kernels.select_conv_algorithm(geom, x_shape[1], 1, w_shape[0]) == "winograd"
    _check_conv((name, "winograd", x_shape, w_shape, 1, padding, 1, 1), rng, dtype)


def test_winograd_selection_on_suite_shapes():
    def geo(size):
        return plan.geometry((size, size), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)),
                             (size, size))
    select = kernels.select_conv_algorithm
    want = "winograd" if kernels.HAVE_NUMBA else "im2col"
    assert select(geo(14), 256, 1, 256) == want
    assert select(geo(16), 128, 1, 128) == want
    assert select(geo(28), 128, 1, 128) == "im2col"   # no gain measured at 28×28
    assert select(geo(56), 64, 1, 64) == "im2col"     # big planes: transforms cost too much
    assert select(geo(7), 512, 1, 512) == "im2col"    # 7 = 4 tiles of 2: 30 % overhang
    assert select(geo(14), 256, 2, 256) == "im2col"   # grouped
    dilated = plan.geometry((14, 14), (3, 3), (1, 1), (2, 2), ((2, 2), (2, 2)), (14, 14))
    assert select(dilated, 256, 1, 256) == "im2col"


@pytest.mark.parametrize("case", CONV_CASES[::3], ids=[c[0] for c in CONV_CASES[::3]])
def test_conv_path_float32(case, backend, rng):
    _check_conv(case, rng, np.float32)


@pytest.mark.parametrize("layout", ["per_image", "batch_second"])
@pytest.mark.parametrize("chunking", ["image_chunks", "row_chunks"])
@pytest.mark.parametrize("case", GEMM_CASES, ids=[c[0] for c in GEMM_CASES])
def test_gemm_layouts_and_chunks(case, layout, chunking, backend, rng, monkeypatch):
    """Both column layouts, one image per chunk and one output row per chunk."""
    _, _, x_shape, w_shape, stride, padding, dilation, groups = case
    monkeypatch.setattr(plan, "PER_IMAGE_MIN_CELLS", 1 if layout == "per_image" else 10**9)
    monkeypatch.setattr(plan, "PER_IMAGE_MIN_MACS", 1)
    # both orientations of the weight-gradient GEMM (dY·colsᵀ for big weights)
    monkeypatch.setattr(gemm, "_BIG_WEIGHT", 1 if layout == "batch_second" else 1 << 21)
    pads = explicit_pads(padding, x_shape[2:], w_shape[2:], stride, dilation)
    geom = _geometry(x_shape, w_shape[2:], stride, pads, dilation).as_2d()
    image = x_shape[1] * geom.taps * geom.cells * 8
    monkeypatch.setattr(plan, "CHUNK_BYTES", image + image // 2 if chunking == "image_chunks"
                        else 1)
    parts = list(plan.chunks(x_shape[0], geom, image // geom.out_size[0]))
    if chunking == "row_chunks":
        assert all(rows == 1 for *_, rows in parts)
    else:
        assert all(nb == 1 and rows == geom.out_size[0] for _, nb, _, rows in parts)
    _check_conv(case, rng)


def test_pitched_backward_layout_selection(backend):
    """2-d stride-1 backward sweeps use the pitched columns with Numba (the cases above
    with stride 1 run them); strided layers and the NumPy path use dense columns."""
    from convzoo.ops.kernels import columns
    geom = plan.geometry((7, 6), (3, 3), (1, 1), (1, 2), ((1, 1), (2, 0)), (7, 4))
    assert (columns.pitch(geom) is not None) == (backend == "numba")
    if backend == "numba":
        assert columns.pitch(geom) == (9, 6 + 2)       # padded height, padded width
    strided = plan.geometry((7, 6), (3, 3), (2, 1), (1, 1), ((1, 1), (1, 1)), (4, 6))
    assert columns.pitch(strided) is None


def test_column_buffer_is_bounded_by_chunking():
    """A big batch never gets a prod(K)× column buffer: one chunk is at most CHUNK_BYTES."""
    geom = plan.geometry((56, 56), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), (56, 56))
    buf, parts = gemm._buffer(32, 64, geom, np.float32)
    assert buf.nbytes <= plan.CHUNK_BYTES < 32 * 64 * 9 * 56 * 56 * 4
    assert sum(nb for _, nb, r0, _ in parts if r0 == 0) == 32
    big = plan.geometry((1024, 1024), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), (1024, 1024))
    buf, parts = gemm._buffer(1, 64, big, np.float32)   # one image alone is > CHUNK_BYTES
    assert buf.nbytes <= plan.CHUNK_BYTES
    assert sum(rows for *_, rows in parts) == 1024


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_one_gradient_at_a_time(stride, backend, rng):
    """The fused two-gradient pass and the single-gradient kernels agree with the loops."""
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((6, 1, 3, 3))
    want = conv_nd(x, w, None, stride, 1, 1, 3)
    dy = rng.standard_normal(want.shape)
    extra = tuple((i + 2 - 3) % stride for i in x.shape[2:])
    gx = conv_transpose_nd(dy, w, None, stride, 1, extra, 1, 3)
    gw = naive_weight_grad(x, dy, w.shape, stride, ((1, 1), (1, 1)), 1, 3)
    for wrt in ("x", "w"):
        xt = cz.tensor(x, requires_grad=wrt == "x")
        wt = cz.tensor(w, requires_grad=wrt == "w")
        F.conv2d(xt, wt, None, stride, 1, 1, 3).backward(dy)
        got = xt.grad if wrt == "x" else wt.grad
        assert_rel_close(got, gx if wrt == "x" else gw, 1e-10, wrt)


# --- transposed convolutions -------------------------------------------------------------------
# id, path of the conv it is the gradient of, x, w (C_in, C_out/g, *K), stride, padding,
# output_padding, dilation, groups
TRANSPOSED_CASES = [
    ("scatter", "im2col", (2, 17, 3, 4), (17, 3, 3, 2), 2, ((1, 0), (0, 1)), 1, 1, 1),
    ("scatter_grouped_dilated", "im2col", (1, 34, 3, 3), (34, 2, 2, 3), (1, 2), 1, 0, (2, 1),
     2),
    ("scatter_1d", "im2col", (2, 17, 5), (17, 2, 4), 2, 1, 1, 1, 1),
    ("direct", "direct", (2, 4, 3, 4), (4, 3, 3, 2), 2, ((1, 0), (0, 1)), 1, 1, 1),
    ("direct_grouped_dilated", "direct", (1, 4, 3, 3), (4, 2, 2, 3), (1, 2), 1, 0, (2, 1), 2),
    ("scatter_3d", "im2col", (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), 2, 0, 0, 1, 1),
    ("pointwise_s2", "pointwise", (2, 4, 3, 3), (4, 3, 1, 1), 2, 0, 0, 1, 1),
    ("depthwise", "depthwise", (2, 3, 4, 5), (3, 1, 3, 3), 2, 1, 1, 1, 3),
]


@pytest.mark.parametrize("case", TRANSPOSED_CASES, ids=[c[0] for c in TRANSPOSED_CASES])
def test_conv_transpose_path_matches_naive(case, backend, rng):
    _, path, x_shape, w_shape, stride, padding, output_padding, dilation, groups = case
    nd = len(x_shape) - 2
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[1] * groups)
    want = conv_transpose_nd(x, w, b, stride, padding, output_padding, dilation, groups)
    pads = explicit_pads(padding, want.shape[2:], w_shape[2:], stride, dilation)
    geom = plan.geometry(want.shape[2:], w_shape[2:], _tuple(stride, nd), _tuple(dilation, nd),
                         pads, x_shape[2:]).as_2d()
    assert kernels.select_conv_algorithm(geom, want.shape[1], groups,
                                         x_shape[1]) == _expected_path(path, backend)
    xt, wt = cz.tensor(x, requires_grad=True), cz.tensor(w, requires_grad=True)
    y = CONV_T[nd](xt, wt, b, stride, padding, output_padding, groups, dilation)
    assert_rel_close(y.data, want, 1e-10, "forward")
    dy = rng.standard_normal(want.shape)
    y.backward(dy)
    assert_rel_close(xt.grad, conv_nd(dy, w, None, stride, pads, dilation, groups), 1e-10,
                     "input gradient")
    gw = naive_weight_grad(dy, x, w_shape, stride, pads, dilation, groups)
    assert_rel_close(wt.grad, gw, 1e-10, "weight gradient")


# --- pooling -----------------------------------------------------------------------------------
# kernel, stride, padding, dilation, ceil_mode — on (2, 3, 7, 8) and, for 1-d, (2, 3, 9)
POOL_CASES = [
    (3, 2, 1, 1, False),
    (3, 2, 1, 1, True),
    (2, None, 0, 1, False),
    ((3, 2), (2, 3), ((1, 0), (1, 1)), (1, 2), True),
    ((2, 3), 1, "same", (2, 1), False),
    (3, 2, 2, 1, True),
]
POOL_1D = [(3, 2, 1, 2, True), (2, 1, "full", 1, False)]


def _pool_input(rng, nd):
    return distinct(rng, (2, 3, 7, 8) if nd == 2 else (2, 3, 9))


def _pool_fn(kind, nd, kernel, stride, padding, dilation, ceil_mode, **kw):
    if kind == "max":
        fn = F.max_pool2d if nd == 2 else F.max_pool1d
        return lambda v: fn(v, kernel, stride, padding, dilation, ceil_mode, **kw)
    fn = F.avg_pool2d if nd == 2 else F.avg_pool1d
    return lambda v: fn(v, kernel, stride, padding, ceil_mode, dilation=dilation, **kw)


def _assert_fused(x, backend):
    assert pool_ops._fused(x) == (backend == "numba")


@pytest.mark.parametrize("nd, params", [(2, p) for p in POOL_CASES] + [(1, p) for p in POOL_1D])
def test_max_pool_path_matches_reference(nd, params, backend, rng):
    kernel, stride, padding, dilation, ceil_mode = params
    x = _pool_input(rng, nd)
    _assert_fused(x, backend)
    want, want_idx = ref_pool(x, "max", kernel, stride, padding, dilation, ceil_mode)
    got, idx = _pool_fn("max", nd, kernel, stride, padding, dilation, ceil_mode,
                        return_indices=True)(x)
    np.testing.assert_array_equal(got.data, want)
    np.testing.assert_array_equal(idx.data, want_idx)
    check_grad(_pool_fn("max", nd, kernel, stride, padding, dilation, ceil_mode), x, rng)
    x32 = x.astype(np.float32)
    got32 = _pool_fn("max", nd, kernel, stride, padding, dilation, ceil_mode)(x32)
    assert got32.dtype == np.float32
    np.testing.assert_array_equal(got32.data, want.astype(np.float32))


@pytest.mark.parametrize("cip, override", [(True, None), (False, None), (True, 5)])
@pytest.mark.parametrize("nd, params", [(2, p) for p in POOL_CASES] + [(1, p) for p in POOL_1D])
def test_avg_pool_path_matches_reference(nd, params, cip, override, backend, rng):
    kernel, stride, padding, dilation, ceil_mode = params
    x = _pool_input(rng, nd)
    _assert_fused(x, backend)
    want, _ = ref_pool(x, "avg", kernel, stride, padding, dilation, ceil_mode, cip, override)
    fn = _pool_fn("avg", nd, kernel, stride, padding, dilation, ceil_mode,
                  count_include_pad=cip, divisor_override=override)
    assert_rel_close(fn(x).data, want, 1e-12)
    check_grad(fn, x, rng)


def test_max_pool_nan_ties_and_minus_inf_windows(backend):
    """NaN wins (the last NaN's index), ties keep the first cell, an all -inf window
    points at its first real cell — on the fused path as in the reference."""
    x = np.array([[[[1.0, 1.0, -np.inf, -np.inf, 2.0],
                    [np.nan, 0.0, -np.inf, -np.inf, np.nan],
                    [3.0, np.nan, -np.inf, -np.inf, 2.0]]]])
    for args in [(2, 1, 0, 1, False), (3, 2, 1, 1, True), ((2, 3), (1, 2), 1, 1, False)]:
        want, want_idx = ref_pool(x, "max", *args)
        got, idx = F.max_pool2d(x, *args, return_indices=True)
        np.testing.assert_array_equal(got.data, want)
        np.testing.assert_array_equal(idx.data, want_idx)


def test_global_pools_paths(backend, rng):
    x = rng.standard_normal((2, 3, 4, 5))
    want = np.array([[[[np.mean(x[n, c])]] for c in range(3)] for n in range(2)])
    xt = cz.tensor(x, requires_grad=True)
    y = F.global_avg_pool2d(xt)
    assert_rel_close(y.data, want, 1e-12)
    dy = rng.standard_normal(y.shape)
    y.backward(dy)
    assert_rel_close(xt.grad, np.broadcast_to(dy / 20, x.shape), 1e-12)
    xt = cz.tensor(x, requires_grad=True)
    F.global_max_pool2d(xt).backward(dy)
    flat = x.reshape(6, 20)
    want_g = np.zeros((6, 20))
    want_g[np.arange(6), flat.argmax(axis=1)] = dy.ravel()
    np.testing.assert_array_equal(xt.grad, want_g.reshape(x.shape))
    x32 = x.astype(np.float32)
    assert F.global_avg_pool2d(x32).dtype == np.float32


def test_integer_max_pool_takes_the_numpy_path():
    x = np.arange(2 * 3 * 5 * 4, dtype=np.int32).reshape(2, 3, 5, 4) % 7
    assert not pool_ops._fused(x)
    want, want_idx = ref_pool(x, "max", 3, 2, 1)
    got, idx = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(got.data, want)
    np.testing.assert_array_equal(idx.data, want_idx)


def test_numpy_only_switch_restores_state():
    before = kernels.numba_enabled()
    with kernels.numpy_only():
        assert not kernels.numba_enabled()
    assert kernels.numba_enabled() == before


def test_selection_rules_on_suite_shapes():
    """The shapes issue 6 names select the paths the kernels document."""
    def geo(size, k, s=1, p=0, d=1):
        out = (size + 2 * p - d * (k - 1) - 1) // s + 1
        return plan.geometry((size, size), (k, k), (s, s), (d, d), ((p, p), (p, p)), (out, out))
    select = kernels.select_conv_algorithm
    assert select(geo(56, 1), 256, 1) == "pointwise"
    assert select(geo(56, 1, s=2), 256, 1) == "pointwise"
    assert select(geo(56, 3, p=1), 64, 1, 64) == "im2col"
    assert select(geo(28, 5, p=2), 1, 1, 6) == ("direct" if kernels.HAVE_NUMBA else "im2col")
    assert select(geo(14, 5), 6, 1, 16) == "im2col"      # 150 weights per output: GEMM
    assert select(geo(224, 7, s=2, p=3), 3, 1) == "im2col"
    assert select(geo(28, 3, p=1), 240, 3) == "im2col"
    if kernels.HAVE_NUMBA:
        assert select(geo(112, 3, p=1), 32, 32) == "depthwise"
    with kernels.numpy_only():
        assert select(geo(112, 3, p=1), 32, 32) == "tap"
    assert math.isfinite(plan.CHUNK_BYTES)
