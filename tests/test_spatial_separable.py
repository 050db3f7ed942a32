"""Spatially separable convolution and rank-1 kernel factorisation.

Oracles: known factorisations written by hand (Sobel, Prewitt, binomial); rank-1 and
rank-2 kernels built from chosen orthonormal vectors and singular values (so the best
rank-1 approximation and its error are known without an SVD); the naive loop conv and
PyTorch's conv2d with the combined kh×kw kernel; PyTorch's two 1-d passes for gradients;
float64 central differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import convzoo as cz
import naive
from conftest import assert_rel_close, gradcheck
from convzoo import functional as F
from convzoo.ops.separable import KernelFactorization, factorize_kernel

SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
SOBEL_Y = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]

# ----------------------------------------------------------------------------- factorisation


@pytest.mark.parametrize("kernel,column,row", [
    (SOBEL_X, [1, 2, 1], [1, 0, -1]),
    (SOBEL_Y, [1, 0, -1], [1, 2, 1]),
    ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], [1, 2, 1], [-1, 0, 1]),
    ([[1, 0, -1]] * 3, [1, 1, 1], [1, 0, -1]),                       # Prewitt-x
    ([[1, 2, 1], [2, 4, 2], [1, 2, 1]], [1, 2, 1], [1, 2, 1]),        # binomial blur
    ([[4] * 3] * 3, [4, 4, 4], [1, 1, 1]),
    ([[1, 4, 6, 4, 1], [2, 8, 12, 8, 2], [1, 4, 6, 4, 1]], [1, 2, 1], [1, 4, 6, 4, 1]),
    ([[0, 0], [0, 3]], [0, 3], [0, 1]),
    ([[2, 4], [3, 6]], [2, 3], [1, 2]),
    ([[6, -3, 9]], [3], [2, -1, 3]),
    ([[2], [-4], [6]], [2, -4, 6], [1]),
])
def test_integer_kernels_get_integer_factors(kernel, column, row):
    f = factorize_kernel(kernel)
    assert isinstance(f, KernelFactorization)
    assert f.rank1
    assert f.relative_error == 0.0
    np.testing.assert_array_equal(f.column, column)
    np.testing.assert_array_equal(f.row, row)
    np.testing.assert_array_equal(np.outer(f.column, f.row), kernel)
    assert f.column.dtype == np.float64 and f.row.dtype == np.float64


def test_sobel_needs_6_weights_instead_of_9():
    f = factorize_kernel(np.array(SOBEL_X))
    assert (f.separable_weights, f.dense_weights) == (6, 9)
    np.testing.assert_array_equal(f.kernel, SOBEL_X)
    np.testing.assert_allclose(f.singular_values, [np.sqrt(12), 0, 0], atol=1e-12)


def test_factorisation_is_frozen():
    f = factorize_kernel(SOBEL_X)
    with pytest.raises(AttributeError):
        f.rank1 = False


@pytest.mark.parametrize("shape", [(3, 3), (5, 2), (1, 4), (4, 1), (7, 7)])
def test_random_rank1_kernels(shape, rng):
    u, v = rng.standard_normal(shape[0]), rng.standard_normal(shape[1])
    kernel = np.outer(u, v)
    f = factorize_kernel(kernel)
    assert f.rank1 and f.relative_error < 1e-12
    assert_rel_close(np.outer(f.column, f.row), kernel, 1e-12)
    # Conventions: balanced scale for non-integer kernels, largest column entry positive.
    assert np.linalg.norm(f.column) == pytest.approx(np.linalg.norm(f.row), rel=1e-12)
    assert f.column[np.argmax(np.abs(f.column))] > 0
    # The factors are parallel to the vectors the kernel was built from.
    assert abs(abs(np.dot(f.column, u)) - np.linalg.norm(f.column) * np.linalg.norm(u)) < 1e-9


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (2, 6)])
def test_random_rank2_kernels_report_best_rank1_and_error(shape, rng):
    # K = s1 u1 v1ᵀ + s2 u2 v2ᵀ with orthonormal u's and v's: Eckart–Young says the best
    # rank-1 approximation is s1 u1 v1ᵀ, with relative error s2 / sqrt(s1² + s2²).
    q_u, _ = np.linalg.qr(rng.standard_normal((shape[0], 2)))
    q_v, _ = np.linalg.qr(rng.standard_normal((shape[1], 2)))
    s1, s2 = 3.0, 1.2
    kernel = s1 * np.outer(q_u[:, 0], q_v[:, 0]) + s2 * np.outer(q_u[:, 1], q_v[:, 1])
    f = factorize_kernel(kernel)
    assert not f.rank1
    assert f.relative_error == pytest.approx(s2 / np.hypot(s1, s2), rel=1e-12)
    assert_rel_close(np.outer(f.column, f.row), s1 * np.outer(q_u[:, 0], q_v[:, 0]), 1e-12)
    np.testing.assert_allclose(f.singular_values[:2], [s1, s2], rtol=1e-12)
    np.testing.assert_allclose(f.singular_values[2:], 0, atol=1e-12)


def test_laplacian_is_not_separable():
    f = factorize_kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert not f.rank1
    err = np.linalg.norm(np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]) - f.kernel) / np.sqrt(20)
    assert f.relative_error == pytest.approx(err, rel=1e-12)
    assert f.relative_error > 0.05


def test_tolerance_decides_rank1(rng):
    kernel = np.array(SOBEL_X, dtype=np.float64) + 1e-9 * rng.standard_normal((3, 3))
    assert factorize_kernel(kernel).rank1
    assert not factorize_kernel(kernel, tol=1e-12).rank1
    assert factorize_kernel(np.array(SOBEL_X), tol=0).rank1


def test_zero_kernel():
    f = factorize_kernel(np.zeros((2, 3)))
    assert f.rank1 and f.relative_error == 0.0
    np.testing.assert_array_equal(f.kernel, np.zeros((2, 3)))


def test_accepts_tensor():
    f = factorize_kernel(cz.tensor(np.array(SOBEL_X, dtype=np.float32)))
    np.testing.assert_array_equal(f.column, [1, 2, 1])


@pytest.mark.parametrize("bad,exc,match", [
    ([1, 2, 1], ValueError, "kernel_2d must be 2-dimensional"),
    (np.ones((3, 3, 1)), ValueError, "kernel_2d must be 2-dimensional"),
    (np.ones((0, 3)), ValueError, "kernel_2d must not be empty"),
    ([["a", "b"], ["c", "d"]], TypeError, "kernel_2d must hold integer or floating-point"),
    (np.ones((2, 2), dtype=bool), TypeError, "kernel_2d must hold integer or floating-point"),
    ([[1.0, np.nan], [0, 1]], ValueError, "kernel_2d must hold finite values"),
])
def test_factorize_errors(bad, exc, match):
    with pytest.raises(exc, match=match):
        factorize_kernel(bad)


def test_factorize_tol_errors():
    with pytest.raises(ValueError, match="tol must be a finite number >= 0; got tol=-1"):
        factorize_kernel(SOBEL_X, tol=-1)
    with pytest.raises(TypeError, match="tol must be a number; got tol='x'"):
        factorize_kernel(SOBEL_X, tol="x")


# ----------------------------------------------------------------------------- convolution


def combined(column_weight, row_weight):
    """The kh×kw kernel of the two passes: W[p, c, a, b] = Σ_o row[p, o, 0, b] col[o, c, a, 0]."""
    out = np.zeros((row_weight.shape[0], column_weight.shape[1], column_weight.shape[2],
                    row_weight.shape[3]))
    for p in range(out.shape[0]):
        for c in range(out.shape[1]):
            for o in range(column_weight.shape[0]):
                out[p, c] += np.outer(column_weight[o, c, :, 0], row_weight[p, o, 0, :])
    return out


def test_sobel_two_passes_equal_2d_sobel(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 1, 7, 6))
    f = factorize_kernel(SOBEL_X)
    col, row = f.column.reshape(1, 1, 3, 1), f.row.reshape(1, 1, 1, 3)
    sobel = np.array(SOBEL_X, dtype=np.float64).reshape(1, 1, 3, 3)
    for stride, padding in ((1, 0), (1, 1), (2, 1), ((2, 1), (0, 1))):
        y = F.spatially_separable_conv2d(x, col, row, stride=stride, padding=padding).data
        ref = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(sobel), stride=stride,
                                         padding=padding).numpy()
        assert_rel_close(y, ref, 1e-12)
        assert_rel_close(y, naive.conv_nd(x, sobel, stride=stride, padding=padding), 1e-12)


def test_vertical_edge_gives_sobel_response():
    x = np.zeros((1, 1, 4, 6))
    x[..., 3:] = 1.0
    col = np.array([1.0, 2, 1]).reshape(1, 1, 3, 1)
    row = np.array([1.0, 0, -1]).reshape(1, 1, 1, 3)
    y = F.spatially_separable_conv2d(x, col, row).data
    np.testing.assert_array_equal(y[0, 0], [[0, -4, -4, 0]] * 2)


PADDINGS = [0, 2, (1, 0), (0, 2), ((1, 0), (2, 1)), ((0, 2), (1, 3)), "valid", "same",
            "same_lower", "full"]


@pytest.mark.parametrize("padding", PADDINGS, ids=[str(p) for p in PADDINGS])
@pytest.mark.parametrize("stride", [1, 2, (2, 1), (1, 3)])
def test_matches_combined_kernel_naive(padding, stride, rng):
    x = rng.standard_normal((2, 2, 7, 6))
    cw = rng.standard_normal((3, 2, 3, 1))
    rw = rng.standard_normal((4, 3, 1, 2))
    bias = rng.standard_normal(4)
    y = F.spatially_separable_conv2d(x, cw, rw, bias, stride, padding)
    pads = naive.explicit_pads(padding, (7, 6), (3, 2), stride)
    expected = naive.conv_nd(x, combined(cw, rw), bias, stride=stride, padding=pads)
    assert_rel_close(y.data, expected, 1e-12)


@pytest.mark.parametrize("padding,stride", [(((1, 0), (2, 1)), 2), ("same", (2, 3)),
                                            ("valid", 1), ((2, 0), (1, 2))])
def test_matches_torch_forward_and_gradients(padding, stride, rng):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = rng.standard_normal((1, 3, 8, 7))
    cw = rng.standard_normal((2, 3, 4, 1))
    rw = rng.standard_normal((5, 2, 1, 3))
    bias = rng.standard_normal(5)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    (top, bottom), (left, right) = naive.explicit_pads(padding, (8, 7), (4, 3), stride)

    def torch_two_pass(xt, ct, rt, bt):
        mid = tf.conv2d(tf.pad(xt, (0, 0, top, bottom)), ct, stride=(sh, 1))
        return tf.conv2d(tf.pad(mid, (left, right, 0, 0)), rt, bt, stride=(1, sw))

    y32 = F.spatially_separable_conv2d(*(a.astype(np.float32) for a in (x, cw, rw, bias)),
                                       stride=stride, padding=padding)
    assert y32.dtype == np.float32
    ref32 = torch_two_pass(*(torch.tensor(a.astype(np.float32)) for a in (x, cw, rw, bias)))
    assert_rel_close(y32.data, ref32.numpy(), 1e-4)

    mine = [cz.tensor(a, requires_grad=True) for a in (x, cw, rw, bias)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, cw, rw, bias)]
    out = F.spatially_separable_conv2d(*mine, stride=stride, padding=padding)
    ref = torch_two_pass(*theirs)
    cot = rng.standard_normal(out.shape)
    out.backward(cot)
    ref.backward(torch.tensor(cot))
    assert_rel_close(out.data, ref.detach().numpy(), 1e-12)
    for name, a, b in zip(("input", "column_weight", "row_weight", "bias"), mine, theirs,
                          strict=True):
        assert_rel_close(a.grad, b.grad.numpy(), 1e-6, what=name)


@pytest.mark.parametrize("padding,stride", [(1, 1), (((0, 1), (2, 0)), (2, 1)), ("same", 2)])
def test_gradcheck(padding, stride, rng):
    x = rng.standard_normal((2, 2, 5, 6))
    cw = rng.standard_normal((3, 2, 3, 1))
    rw = rng.standard_normal((2, 3, 1, 3))
    bias = rng.standard_normal(2)
    gradcheck(lambda *a: F.spatially_separable_conv2d(*a, stride=stride, padding=padding),
              [x, cw, rw, bias])


def test_factorised_random_rank1_kernel_reproduces_2d_conv(rng):
    kernel = np.outer(rng.standard_normal(5), rng.standard_normal(3))
    f = factorize_kernel(kernel)
    x = rng.standard_normal((1, 1, 9, 8))
    y = F.spatially_separable_conv2d(x, f.column.reshape(1, 1, 5, 1), f.row.reshape(1, 1, 1, 3),
                                     padding="same")
    pads = naive.explicit_pads("same", (9, 8), (5, 3))
    assert_rel_close(y.data, naive.conv_nd(x, kernel.reshape(1, 1, 5, 3), padding=pads), 1e-12)


def test_conv_errors():
    x = np.zeros((1, 2, 6, 6))
    cw, rw = np.zeros((3, 2, 3, 1)), np.zeros((4, 3, 1, 3))
    sep = F.spatially_separable_conv2d
    with pytest.raises(ValueError, match=r"column_weight must have shape \(O, C, kh, 1\)"):
        sep(x, np.zeros((3, 2, 3, 3)), rw)
    with pytest.raises(ValueError, match=r"row_weight must have shape \(O2, O, 1, kw\)"):
        sep(x, cw, np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"column_weight.shape\[1\] must equal the input channels"):
        sep(np.zeros((1, 4, 6, 6)), cw, rw)
    with pytest.raises(ValueError, match=r"row_weight.shape\[1\] must equal column_weight.shape"):
        sep(x, cw, np.zeros((4, 5, 1, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        sep(x, cw, rw, np.zeros(3))
    with pytest.raises(ValueError, match="column_weight must be 4-dimensional"):
        sep(x, np.zeros((3, 2, 3)), rw)
    with pytest.raises(ValueError, match="input must be 4-dimensional"):
        sep(x[0], cw, rw)
    with pytest.raises(TypeError, match="input and row_weight must have the same dtype"):
        sep(x, cw, rw.astype(np.float32))
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        sep(x.astype(np.int64), cw, rw)
    with pytest.raises(ValueError, match="padding must be"):
        sep(x, cw, rw, padding="circular")
    with pytest.raises(ValueError, match="stride must be >= 1"):
        sep(x, cw, rw, stride=(1, 0))
    with pytest.raises(ValueError, match="larger than the padded input"):
        sep(np.zeros((1, 2, 2, 6)), cw, rw)
