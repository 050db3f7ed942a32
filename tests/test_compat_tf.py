"""Tests for convzoo.compat.tf (TensorFlow tf.nn convolutions).

TensorFlow itself is not installed, so the oracles are: PyTorch (after transposing
NHWC->NCHW and HWIO->OIHW, with TF's SAME padding applied by ``F.pad`` from a formula
written here), the adjoint identity that defines ``conv2d_transpose``, naive loops from
the formulas in TF's documentation, and worked examples from TF's documentation and
kernel tests whose numbers are recomputed by hand below.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import convzoo as cz
from convzoo.compat import tf

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(20240601)


# ----------------------------------------------------------------- independent helpers

def tf_same_pads(size: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TF's SAME padding, in the form TF's nn_ops docs give it (``size % stride`` cases)."""
    k_eff = (k - 1) * d + 1
    if size % s == 0:
        total = max(k_eff - s, 0)
    else:
        total = max(k_eff - size % s, 0)
    return total // 2, total - total // 2  # the odd cell goes to the bottom / right


def pads_for(padding, hw, kernel, strides, dilations):
    """((top, bottom), (left, right)) for 'SAME' / 'VALID' / explicit NHWC pairs."""
    if isinstance(padding, str) and padding.upper() == "SAME":
        return tuple(tf_same_pads(i, k, s, d)
                     for i, k, s, d in zip(hw, kernel, strides, dilations, strict=True))
    if isinstance(padding, str):
        return ((0, 0), (0, 0))
    return tuple(tuple(p) for p in padding[1:3])


def to_nchw_padding(padding):
    """NHWC explicit padding list -> the NCHW list; strings unchanged."""
    if isinstance(padding, str):
        return padding
    return [padding[0], padding[3], padding[1], padding[2]]


def to_nchw_seq(value):
    """A 4-element NHWC strides/dilations list -> NCHW; others unchanged."""
    if isinstance(value, list) and len(value) == 4:
        return [value[0], value[3], value[1], value[2]]
    return value


def spatial(value):
    if value is None:
        return (1, 1)
    if isinstance(value, int):
        return (value, value)
    if len(value) == 4:
        return (value[1], value[2])
    return tuple(value) * (2 // len(value))


def torch_conv_nhwc(x, w_hwio, strides, pads, dilations, groups=1):
    """NHWC conv by PyTorch: explicit asymmetric zero padding, then a VALID conv."""
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    xt = TF.pad(xt, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    wt = torch.from_numpy(np.ascontiguousarray(w_hwio.transpose(3, 2, 0, 1)))
    y = TF.conv2d(xt, wt, stride=strides, dilation=dilations, groups=groups)
    return y.numpy().transpose(0, 2, 3, 1)


def torch_depthwise_weight(f):
    """(kh, kw, C, M) -> (C*M, 1, kh, kw) by the definition: row c*M + m is f[:, :, c, m]."""
    kh, kw, c_in, mult = f.shape
    out = np.empty((c_in * mult, 1, kh, kw), f.dtype)
    for c in range(c_in):
        for m in range(mult):
            out[c * mult + m, 0] = f[:, :, c, m]
    return out


def torch_depthwise_nhwc(x, f, strides, pads, dilations):
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    xt = TF.pad(xt, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    y = TF.conv2d(xt, torch.from_numpy(torch_depthwise_weight(f)), stride=strides,
                  dilation=dilations, groups=x.shape[3])
    return y.numpy().transpose(0, 2, 3, 1)


def forward_size(o, k, s, d, padding, pair=None):
    """Spatial size a forward TF conv gives for input size ``o`` (None if it does not fit)."""
    k_eff = (k - 1) * d + 1
    if padding == "SAME":
        return math.ceil(o / s)
    lo, hi = (0, 0) if padding == "VALID" else pair
    if o + lo + hi < k_eff:
        return None
    return (o + lo + hi - k_eff) // s + 1


def torch_conv_transpose_nhwc(y, f, out_hw, strides, pads, dilations):
    """tf conv2d_transpose by PyTorch: full transposed conv, then crop/extend to out_hw.

    Output row r sits at row r + top of the forward conv's padded input, i.e. at row
    r + top of the unpadded full transposed conv; rows past its end are zero.
    """
    yt = torch.from_numpy(np.ascontiguousarray(y.transpose(0, 3, 1, 2)))
    wt = torch.from_numpy(np.ascontiguousarray(f.transpose(3, 2, 0, 1)))  # (C_in, C_out, kh, kw)
    full = TF.conv_transpose2d(yt, wt, stride=strides, dilation=dilations).numpy()
    n, c = full.shape[:2]
    big = np.zeros((n, c, out_hw[0] + pads[0][0] + full.shape[2],
                    out_hw[1] + pads[1][0] + full.shape[3]), full.dtype)
    big[:, :, :full.shape[2], :full.shape[3]] = full
    out = big[:, :, pads[0][0]:pads[0][0] + out_hw[0], pads[1][0]:pads[1][0] + out_hw[1]]
    return out.transpose(0, 2, 3, 1)


def naive_conv_nhwc(x, f, strides, padding, dilations):
    """TF's doc formula: out[b,i,j,k] = sum x_pad[b, s*i + d*di, s*j + d*dj, q] * f[di,dj,q,k]."""
    kh, kw, _, out_c = f.shape
    sh, sw = strides
    dh, dw = dilations
    (pt, pb), (pl, pr) = padding
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, out_c))
    for b in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                for k in range(out_c):
                    total = 0.0
                    for di in range(kh):
                        for dj in range(kw):
                            total += float(xp[b, sh * i + dh * di, sw * j + dw * dj, :] @
                                           f[di, dj, :, k])
                    out[b, i, j, k] = total
    return out


def close(actual, expected, dtype):
    assert actual.shape == expected.shape
    if dtype == np.float32:
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4 * scale)
    else:
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)


def rand(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# ----------------------------------------------------------------- conv2d vs PyTorch

PADDINGS = ["SAME", "VALID", "same", [[0, 0], [1, 2], [0, 1], [0, 0]]]
STRIDE_FORMS = [1, 2, [2, 1], [1, 2, 2, 1], [1, 3, 2, 1]]


@pytest.mark.parametrize("hw", [(5, 5), (6, 7)])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 3)])
@pytest.mark.parametrize("strides", STRIDE_FORMS)
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("dilations", [None, 2, [1, 2]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_matches_torch_nhwc(hw, kernel, strides, padding, dilations, dtype):
    x = rand(2, *hw, 3, dtype=dtype)
    f = rand(*kernel, 3, 4, dtype=dtype)
    s, d = spatial(strides), spatial(dilations)
    pads = pads_for(padding, hw, kernel, s, d)
    if any(hw[i] + sum(pads[i]) < (kernel[i] - 1) * d[i] + 1 for i in range(2)):
        pytest.skip("filter larger than the padded input")
    out = tf.conv2d(x, f, strides, padding, dilations=dilations)
    assert isinstance(out, np.ndarray) and out.dtype == dtype
    close(out, torch_conv_nhwc(x, f, s, pads, d), dtype)


@pytest.mark.parametrize("hw", [(5, 5), (6, 7)])
@pytest.mark.parametrize("strides", [1, 2, [1, 2, 2, 1]])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("dilations", [None, [1, 2, 2, 1]])
def test_conv2d_nchw_matches_nhwc(hw, strides, padding, dilations):
    """NCHW data is the NHWC result transposed (the NHWC result is checked against torch)."""
    x = rand(2, *hw, 3)
    f = rand(3, 3, 3, 2)
    s, d = spatial(strides), spatial(dilations)
    expected = torch_conv_nhwc(x, f, s, pads_for(padding, hw, (3, 3), s, d), d)
    out = tf.conv2d(x.transpose(0, 3, 1, 2), f, to_nchw_seq(strides), to_nchw_padding(padding),
                    data_format="NCHW", dilations=to_nchw_seq(dilations))
    close(out, expected.transpose(0, 3, 1, 2), np.float64)


def test_conv2d_same_stride2_even_and_odd_sizes_pad_bottom_right():
    # 6 -> 3 with k=3, s=2: total pad 1, all of it at the bottom; 7 -> 4: total 2, one each side
    for size, expected_pads in ((6, (0, 1)), (7, (1, 1)), (5, (1, 1)), (4, (0, 1))):
        assert tf_same_pads(size, 3, 2) == expected_pads
        x = rand(1, size, size, 1)
        f = rand(3, 3, 1, 1)
        out = tf.conv2d(x, f, 2, "SAME")
        assert out.shape == (1, math.ceil(size / 2), math.ceil(size / 2), 1)
        close(out, naive_conv_nhwc(x, f, (2, 2), (expected_pads, expected_pads), (1, 1)),
              np.float64)


@pytest.mark.parametrize("depth,per_group,out", [(4, 2, 6), (6, 1, 6), (4, 4, 3)])
def test_conv2d_grouped_when_input_depth_is_a_multiple(depth, per_group, out):
    x = rand(2, 5, 6, depth)
    f = rand(3, 3, per_group, out)
    pads = pads_for("SAME", (5, 6), (3, 3), (2, 2), (1, 1))
    expected = torch_conv_nhwc(x, f, (2, 2), pads, (1, 1), groups=depth // per_group)
    close(tf.conv2d(x, f, 2, "SAME"), expected, np.float64)


def test_conv2d_extra_batch_dimensions():
    x = rand(2, 3, 5, 5, 2)
    f = rand(3, 3, 2, 4)
    out = tf.conv2d(x, f, 1, "SAME")
    assert out.shape == (2, 3, 5, 5, 4)
    pads = pads_for("SAME", (5, 5), (3, 3), (1, 1), (1, 1))
    close(out[1], torch_conv_nhwc(x[1], f, (1, 1), pads, (1, 1)), np.float64)


def test_conv2d_naive_loop_reference_dilated_strided():
    x = rand(1, 7, 6, 2)
    f = rand(2, 3, 2, 3)
    pads = (tf_same_pads(7, 2, 2, 2), tf_same_pads(6, 3, 3, 2))
    expected = naive_conv_nhwc(x, f, (2, 3), pads, (2, 2))
    close(tf.conv2d(x, f, [1, 2, 3, 1], "SAME", dilations=2), expected, np.float64)


# ----------------------------------------------------------------- depthwise / separable

@pytest.mark.parametrize("hw", [(5, 5), (6, 7)])
@pytest.mark.parametrize("mult", [1, 2])
@pytest.mark.parametrize("strides", [1, 2, [1, 2, 1, 1]])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("dilations", [None, 2])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_depthwise_conv2d_matches_torch(hw, mult, strides, padding, dilations, data_format):
    x = rand(2, *hw, 3, dtype=np.float32)
    f = rand(3, 3, 3, mult, dtype=np.float32)
    s, d = spatial(strides), spatial(dilations)
    expected = torch_depthwise_nhwc(x, f, s, pads_for(padding, hw, (3, 3), s, d), d)
    if data_format == "NHWC":
        out = tf.depthwise_conv2d(x, f, strides, padding, dilations=dilations)
    else:
        out = tf.depthwise_conv2d(x.transpose(0, 3, 1, 2), f, to_nchw_seq(strides),
                                  to_nchw_padding(padding), "NCHW", dilations).transpose(0, 2, 3, 1)
    close(out, expected, np.float32)


def test_depthwise_channel_order_is_c_times_m_plus_m():
    # channel c*M + m must be input channel c filtered by filter[:, :, c, m]
    x = rand(1, 4, 4, 2)
    f = np.zeros((1, 1, 2, 3))
    for c in range(2):
        for m in range(3):
            f[0, 0, c, m] = 10 * c + m + 1
    out = tf.depthwise_conv2d(x, f, 1, "VALID")
    for c in range(2):
        for m in range(3):
            np.testing.assert_allclose(out[..., c * 3 + m], x[..., c] * (10 * c + m + 1))


@pytest.mark.parametrize("hw", [(5, 5), (6, 7)])
@pytest.mark.parametrize("mult", [1, 2])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("padding", ["SAME", "VALID", [[0, 0], [2, 0], [1, 1], [0, 0]]])
@pytest.mark.parametrize("dilations", [None, 2])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_separable_conv2d_matches_torch(hw, mult, strides, padding, dilations, data_format):
    x = rand(2, *hw, 3)
    dw = rand(3, 3, 3, mult)
    pw = rand(1, 1, 3 * mult, 5)
    s, d = spatial(strides), spatial(dilations)
    mid = torch_depthwise_nhwc(x, dw, s, pads_for(padding, hw, (3, 3), s, d), d)
    expected = torch_conv_nhwc(mid, pw, (1, 1), ((0, 0), (0, 0)), (1, 1))
    if data_format == "NHWC":
        out = tf.separable_conv2d(x, dw, pw, strides, padding, dilations=dilations)
    else:
        out = tf.separable_conv2d(x.transpose(0, 3, 1, 2), dw, pw, strides,
                                  to_nchw_padding(padding), "NCHW", dilations)
        out = out.transpose(0, 2, 3, 1)
    close(out, expected, np.float64)


# ----------------------------------------------------------------- conv2d_transpose

def valid_output_sizes(i, k, s, d, padding, pair=None):
    """Every forward-input size that a TF conv maps onto ``i`` (searched by brute force)."""
    return [o for o in range(1, (i + 2) * s + (k - 1) * d + 8)
            if forward_size(o, k, s, d, padding, pair) == i]


TRANSPOSE_CASES = [
    # (input hw, kernel, strides, dilations, padding)
    ((3, 3), (3, 3), 1, 1, "SAME"),
    ((3, 4), (3, 3), 2, 1, "SAME"),
    ((3, 3), (3, 2), 3, 1, "SAME"),
    ((2, 3), (4, 4), 2, 1, "SAME"),
    ((3, 3), (3, 3), 2, 2, "SAME"),
    ((3, 3), (3, 3), 1, 2, "VALID"),
    ((3, 4), (3, 3), 2, 1, "VALID"),
    ((2, 3), (2, 3), 3, 1, "VALID"),
    ((3, 2), (3, 3), 2, 2, "VALID"),
    ((3, 3), (3, 3), 2, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]),
    ((4, 3), (2, 3), 3, 2, [[0, 0], [0, 3], [2, 0], [0, 0]]),
]


def transpose_grid():
    for hw, kernel, s, d, padding in TRANSPOSE_CASES:
        pairs = [None, None] if isinstance(padding, str) else padding[1:3]
        mode = padding if isinstance(padding, str) else "EXPLICIT"
        sizes = [valid_output_sizes(hw[i], kernel[i], s, d, mode, pairs[i]) for i in range(2)]
        for out_hw in itertools.product(*sizes):
            yield hw, kernel, s, d, padding, out_hw


@pytest.mark.parametrize("hw,kernel,s,d,padding,out_hw", list(transpose_grid()))
def test_conv2d_transpose_matches_torch(hw, kernel, s, d, padding, out_hw):
    y = rand(2, *hw, 3)
    f = rand(*kernel, 2, 3)  # (kh, kw, out_channels, in_channels)
    pads = pads_for(padding, out_hw, kernel, (s, s), (d, d))
    expected = torch_conv_transpose_nhwc(y, f, out_hw, (s, s), pads, (d, d))
    out = tf.conv2d_transpose(y, f, [2, *out_hw, 2], s, padding, dilations=d)
    assert out.shape == (2, *out_hw, 2)
    close(out, expected, np.float64)
    out_nchw = tf.conv2d_transpose(y.transpose(0, 3, 1, 2), f, [2, 2, *out_hw],
                                   [1, 1, s, s], to_nchw_padding(padding), "NCHW",
                                   [1, 1, d, d])
    close(out_nchw, expected.transpose(0, 3, 1, 2), np.float64)


@pytest.mark.parametrize("padding", ["SAME", "VALID", [[0, 0], [2, 1], [0, 2], [0, 0]]])
@pytest.mark.parametrize("s", [1, 2, 3])
@pytest.mark.parametrize("size", [(6, 7), (5, 8)])
@pytest.mark.parametrize("d", [1, 2])
def test_conv2d_transpose_is_adjoint_of_conv2d(padding, s, size, d):
    """<conv2d(x, W), y> == <x, conv2d_transpose(y, W, output_shape=x.shape)>, same W array."""
    x = rand(2, *size, 3)
    w = rand(3, 2, 3, 4)  # conv2d: (kh, kw, in=3, out=4); transpose: (kh, kw, out=3, in=4)
    fwd = tf.conv2d(x, w, s, padding, dilations=d)
    y = rand(*fwd.shape)
    back = tf.conv2d_transpose(y, w, x.shape, s, padding, dilations=d)
    assert back.shape == x.shape
    lhs = float(np.sum(fwd * y))
    rhs = float(np.sum(x * back))
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


def test_conv2d_transpose_adjoint_nchw():
    x = rand(1, 3, 7, 6)
    w = rand(3, 3, 3, 2)
    fwd = tf.conv2d(x, w, [1, 1, 2, 2], "SAME", "NCHW")
    y = rand(*fwd.shape)
    back = tf.conv2d_transpose(y, w, list(x.shape), [1, 1, 2, 2], "SAME", "NCHW")
    assert abs(np.sum(fwd * y) - np.sum(x * back)) <= 1e-10 * abs(np.sum(fwd * y))


def test_conv2d_transpose_picks_among_valid_sizes():
    # stride 2 SAME from a 3x3 input: forward inputs 5 and 6 both map to 3 (ceil(o/2) == 3)
    y = rand(1, 3, 3, 1)
    f = rand(3, 3, 1, 1)
    for o in (5, 6):
        assert tf.conv2d_transpose(y, f, [1, o, o, 1], 2, "SAME").shape == (1, o, o, 1)
    for o in (4, 7):
        with pytest.raises(ValueError, match=r"valid output heights are 5\.\.6"):
            tf.conv2d_transpose(y, f, [1, o, 5, 1], 2, "SAME")


# ----------------------------------------------------------------- TF's worked examples

def test_tf_docs_conv2d_usage_example():
    """tf.nn.conv2d docstring: 5x5 image, 2x2x1x2 kernel, VALID -> (1, 4, 4, 2)."""
    x = np.array([[2, 1, 2, 0, 1],
                  [1, 3, 2, 2, 3],
                  [1, 1, 3, 3, 0],
                  [2, 2, 0, 1, 1],
                  [0, 0, 3, 1, 2]], np.float32).reshape(1, 5, 5, 1)
    kernel = np.array([[[[2, 0.1]], [[3, 0.2]]],
                       [[[0, 0.3]], [[1, 0.4]]]], np.float32)  # (2, 2, 1, 2)
    out = tf.conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
    assert out.shape == (1, 4, 4, 2)
    # by hand, channel 0 is 2*x[i,j] + 3*x[i,j+1] + 0*x[i+1,j] + 1*x[i+1,j+1]:
    # top-left 2*2 + 3*1 + 0*1 + 1*3 = 10; channel 1 top-left .1*2 + .2*1 + .3*1 + .4*3 = 1.9
    assert out[0, 0, 0, 0] == pytest.approx(10.0)
    assert out[0, 0, 0, 1] == pytest.approx(1.9)
    # bottom-right: window [[3, 1], [1, 2]] -> 2*1 + 3*1 + 0*1 + 1*2 = 7 ... recompute all
    assert out[0, 3, 3, 0] == pytest.approx(2 * 1 + 3 * 1 + 0 * 1 + 1 * 2)
    img = x[0, :, :, 0].astype(np.float64)
    chan0 = 2 * img[:-1, :-1] + 3 * img[:-1, 1:] + 0 * img[1:, :-1] + 1 * img[1:, 1:]
    chan1 = 0.1 * img[:-1, :-1] + 0.2 * img[:-1, 1:] + 0.3 * img[1:, :-1] + 0.4 * img[1:, 1:]
    np.testing.assert_allclose(out[0, :, :, 0], chan0, rtol=1e-6)
    np.testing.assert_allclose(out[0, :, :, 1], chan1, rtol=1e-6)


def test_tf_docs_same_padding_puts_odd_cell_bottom_right():
    """TF nn_ops padding notes: a 2x2 averaging conv with SAME on a 3x2 image."""
    x = np.array([[2, 2], [1, 1], [1, 1]], np.float32).reshape(1, 3, 2, 1)
    kernel = np.full((2, 2, 1, 1), 0.25, np.float32)
    out = tf.conv2d(x, kernel, strides=[1, 1, 1, 1], padding="SAME")
    # zero row below and zero column right: (2+2+1+1)/4, (2+1)/4; (1+1+1+1)/4, (1+1)/4; ...
    expected = np.array([[1.5, 0.75], [1.0, 0.5], [0.5, 0.25]], np.float32)
    np.testing.assert_allclose(out.reshape(3, 2), expected)


def test_tf_docs_explicit_padding_example():
    """TF nn_ops padding notes: explicit padding equals tf.pad followed by VALID."""
    inp = np.ones((1, 3, 3, 1), np.float32)
    filt = np.ones((2, 2, 1, 1), np.float32)
    padding = [[0, 0], [1, 2], [0, 1], [0, 0]]
    out = tf.conv2d(inp, filt, [1, 1], padding=padding)
    assert out.shape == (1, 5, 3, 1)
    np.testing.assert_allclose(out, tf.conv2d(np.pad(inp, padding), filt, [1, 1], "VALID"))
    # each output counts the ones under a 2x2 window of the padded 6x4 grid
    grid = np.pad(np.ones((3, 3)), ((1, 2), (0, 1)))
    counts = grid[:-1, :-1] + grid[:-1, 1:] + grid[1:, :-1] + grid[1:, 1:]
    np.testing.assert_allclose(out[0, :, :, 0], counts)


def test_tf_docs_depthwise_conv2d_usage_example():
    """tf.nn.depthwise_conv2d docstring: 3x2 image, (2, 1, 1, 2) kernel."""
    x = np.array([[1., 2.], [3., 4.], [5., 6.]], np.float32).reshape(1, 3, 2, 1)
    kernel = np.array([[1., 2.], [3., 4.]], np.float32).reshape(2, 1, 1, 2)
    # filter[:, 0, 0, 0] = [1, 3], filter[:, 0, 0, 1] = [2, 4]:
    # out[i, j, m] = filter[0, 0, 0, m] * x[i, j] + filter[1, 0, 0, m] * x[i + 1, j]
    valid = tf.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
    expected = np.array([[[1 * 1 + 3 * 3, 2 * 1 + 4 * 3], [1 * 2 + 3 * 4, 2 * 2 + 4 * 4]],
                         [[1 * 3 + 3 * 5, 2 * 3 + 4 * 5], [1 * 4 + 3 * 6, 2 * 4 + 4 * 6]]])
    np.testing.assert_allclose(valid[0], expected)
    np.testing.assert_allclose(valid[0], [[[10, 14], [14, 20]], [[18, 26], [22, 32]]])
    explicit = tf.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1],
                                   padding=[[0, 0], [1, 0], [1, 0], [0, 0]])
    np.testing.assert_allclose(explicit[0], [[[0, 0], [3, 4], [6, 8]],
                                             [[0, 0], [10, 14], [14, 20]],
                                             [[0, 0], [18, 26], [22, 32]]])


def _transpose_expected_same_stride1(y_shape):
    """TF conv2d_transpose_test testConv2DTransposeSingleStride, 3x3 all-ones filter, 3 inputs.

    Each output cell sums the input cells whose 3x3 window covers it: 9 inside, 6 on an
    edge, 4 in a corner, times 3 input channels.
    """
    expected = np.zeros(y_shape)
    for h in range(y_shape[1]):
        for w in range(y_shape[2]):
            rows = 3 - (h == 0) - (h == y_shape[1] - 1)
            cols = 3 - (w == 0) - (w == y_shape[2] - 1)
            expected[:, h, w, :] = 3 * rows * cols
    return expected


def _transpose_expected_stride2(y_shape, pad_top):
    """TF conv2d_transpose_test stride-2 cases, 3x3 ones filter, 3 input channels.

    Output row h receives input row i through kernel row t = h + pad_top - 2*i (0 <= t < 3):
    per dimension that is 2 input rows when h + pad_top is even and both neighbours exist,
    else 1; the value is 3 channels times the row count times the column count.
    """
    def hits(pos, n_in):
        return sum(1 for i in range(n_in) if 0 <= pos + pad_top - 2 * i < 3)
    n_in_h, n_in_w = 6, 4
    expected = np.zeros(y_shape)
    for h in range(y_shape[1]):
        for w in range(y_shape[2]):
            expected[:, h, w, :] = 3 * hits(h, n_in_h) * hits(w, n_in_w)
    return expected


def test_tf_kernel_test_conv2d_transpose_single_stride_same():
    x = np.ones((2, 6, 4, 3))
    f = np.ones((3, 3, 2, 3))
    out = tf.conv2d_transpose(x, f, [2, 6, 4, 2], strides=[1, 1, 1, 1], padding="SAME")
    expected = _transpose_expected_same_stride1((2, 6, 4, 2))
    # TF's own enumeration: 4*3 at corners, + 2*3 on edges, + 5*3 inside
    assert expected[0, 0, 0, 0] == 12 and expected[0, 0, 1, 0] == 18
    assert expected[0, 2, 2, 0] == 27
    np.testing.assert_allclose(out, expected)
    nchw = tf.conv2d_transpose(x.transpose(0, 3, 1, 2), f, [2, 2, 6, 4], [1, 1, 1, 1], "SAME",
                               data_format="NCHW")
    np.testing.assert_allclose(nchw, expected.transpose(0, 3, 1, 2))


def test_tf_kernel_test_conv2d_transpose_stride2_same():
    x = np.ones((2, 6, 4, 3))
    f = np.ones((3, 3, 2, 3))
    out = tf.conv2d_transpose(x, f, [2, 12, 8, 2], strides=[1, 2, 2, 1], padding="SAME")
    # forward SAME from 12 with k=3, s=2: total pad (6-1)*2 + 3 - 12 = 1 -> top 0, bottom 1
    expected = _transpose_expected_stride2((2, 12, 8, 2), pad_top=0)
    # TF's case analysis: 3, + 3 on even rows or columns past 0, + 9 on both
    for h, w in itertools.product(range(12), range(8)):
        h_in = h % 2 == 0 and 0 < h < 11
        w_in = w % 2 == 0 and 0 < w < 7
        assert expected[0, h, w, 0] == 3 + (9 if h_in and w_in else 3 if h_in or w_in else 0)
    np.testing.assert_allclose(out, expected)
    nchw = tf.conv2d_transpose(x.transpose(0, 3, 1, 2), f, [2, 2, 12, 8], [1, 1, 2, 2], "SAME",
                               data_format="NCHW")
    np.testing.assert_allclose(nchw, expected.transpose(0, 3, 1, 2))


def test_tf_kernel_test_conv2d_transpose_stride2_valid():
    x = np.ones((2, 6, 4, 3))
    f = np.ones((3, 3, 2, 3))
    out = tf.conv2d_transpose(x, f, [2, 13, 9, 2], strides=[1, 2, 2, 1], padding="VALID")
    expected = _transpose_expected_stride2((2, 13, 9, 2), pad_top=0)
    # TF's case analysis: interior as the SAME case shifted by pad = 1, border copies its neighbour
    pad = 1
    tf_values = np.zeros((13, 9))
    for h in range(pad, 13 - pad):
        for w in range(pad, 9 - pad):
            h_in = h % 2 == 0 and pad < h < 13 - 1 - pad
            w_in = w % 2 == 0 and pad < w < 9 - 1 - pad
            tf_values[h, w] = 3 + (9 if h_in and w_in else 3 if h_in or w_in else 0)
    tf_values[:, 0], tf_values[:, -1] = tf_values[:, 1], tf_values[:, -2]
    tf_values[0, :], tf_values[-1, :] = tf_values[1, :], tf_values[-2, :]
    np.testing.assert_allclose(expected[0, :, :, 0], tf_values)
    np.testing.assert_allclose(out, expected)


def test_source_article_5x5_stride2_and_back():
    # DESIGN.md §5: a 5x5 input, 3x3 kernel, stride 2 gives 2x2; its transposed conv gives 5x5
    x = rand(1, 5, 5, 1)
    f = rand(3, 3, 1, 1)
    assert tf.conv2d(x, f, 2, "VALID").shape == (1, 2, 2, 1)
    assert tf.conv2d_transpose(rand(1, 2, 2, 1), f, [1, 5, 5, 1], 2, "VALID").shape == (1, 5, 5, 1)


# ----------------------------------------------------------------- types and dtypes

def test_accepts_tensors_and_returns_ndarray():
    x = cz.tensor(rand(1, 5, 5, 2, dtype=np.float32), requires_grad=True)
    f = cz.tensor(rand(3, 3, 2, 2, dtype=np.float32))
    out = tf.conv2d(x, f, 1, "SAME")
    assert type(out) is np.ndarray and out.dtype == np.float32
    np.testing.assert_allclose(out, tf.conv2d(x.data, f.data, 1, "SAME"))
    back = tf.conv2d_transpose(cz.tensor(out), f, [1, 5, 5, 2], 1)
    assert type(back) is np.ndarray and back.shape == (1, 5, 5, 2)
    dw = tf.depthwise_conv2d(x, cz.tensor(rand(3, 3, 2, 1, dtype=np.float32)), 1, "SAME")
    assert type(dw) is np.ndarray
    assert x.grad is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(dtype):
    x = rand(1, 4, 4, 2, dtype=dtype)
    assert tf.conv2d(x, rand(2, 2, 2, 1, dtype=dtype), 1, "SAME").dtype == dtype
    assert tf.depthwise_conv2d(x, rand(2, 2, 2, 2, dtype=dtype), 1, "SAME").dtype == dtype
    assert tf.separable_conv2d(x, rand(2, 2, 2, 1, dtype=dtype), rand(1, 1, 2, 3, dtype=dtype),
                               1, "SAME").dtype == dtype
    assert tf.conv2d_transpose(x, rand(2, 2, 1, 2, dtype=dtype), [1, 8, 8, 1], 2).dtype == dtype


# ----------------------------------------------------------------- bad input

X = np.ones((1, 5, 5, 2))
W = np.ones((3, 3, 2, 4))


@pytest.mark.parametrize("call,error,match", [
    (lambda: tf.conv2d(np.ones((5, 5, 2)), W, 1, "SAME"), ValueError, "input must be 4"),
    (lambda: tf.conv2d(X, np.ones((3, 3, 2)), 1, "SAME"), ValueError, "filters must be 4"),
    (lambda: tf.conv2d(X, np.ones((3, 3, 3, 4)), 1, "SAME"), ValueError,
     r"input depth must be a multiple of filters.shape\[2\]"),
    (lambda: tf.conv2d(np.ones((1, 5, 5, 4)), np.ones((3, 3, 2, 3)), 1, "SAME"), ValueError,
     r"filters.shape\[3\]"),
    (lambda: tf.conv2d(X, W, [2, 1, 1, 1], "SAME"), ValueError,
     r"strides must be 1 in the batch and channel.*strides=\[2, 1, 1, 1\]"),
    (lambda: tf.conv2d(X, W, [1, 2, 2, 2], "SAME"), ValueError, r"strides\[0\] = strides\[3\]"),
    (lambda: tf.conv2d(np.ones((1, 2, 5, 5)), W, [1, 2, 2, 1], "SAME", "NCHW"), ValueError,
     r"strides\[0\] = strides\[1\] = 1 for data_format='NCHW'"),
    (lambda: tf.conv2d(X, W, [1, 2, 2], "SAME"), ValueError,
     r"strides must be an int or a list of 1, 2 or 4 ints; got strides=\[1, 2, 2\] of length 3"),
    (lambda: tf.conv2d(X, W, 0, "SAME"), ValueError, "strides must be >= 1; got strides=0"),
    (lambda: tf.conv2d(X, W, 1.5, "SAME"), TypeError, "strides must be an int"),
    (lambda: tf.conv2d(X, W, 1, "SAME", dilations=[1, 0]), ValueError, "dilations must be >= 1"),
    (lambda: tf.conv2d(X, W, 1, "SAME", dilations=[2, 2, 2, 2]), ValueError,
     "dilations must be 1 in the batch"),
    (lambda: tf.conv2d(X, W, 1, "FULL"), ValueError, "padding must be 'SAME', 'VALID'.*'FULL'"),
    (lambda: tf.conv2d(X, W, 1, [[0, 0], [1, 1], [1, 1]]), ValueError, "padding must be"),
    (lambda: tf.conv2d(X, W, 1, [[1, 0], [1, 1], [1, 1], [0, 0]]), ValueError,
     "batch and channel dimensions"),
    (lambda: tf.conv2d(X, W, 1, [[0, 0], [1, 1], [1, 1], [0, 1]]), ValueError,
     "batch and channel dimensions"),
    (lambda: tf.conv2d(X, W, 1, [[0, 0], [-1, 1], [1, 1], [0, 0]]), ValueError,
     "padding must be >= 0"),
    (lambda: tf.conv2d(X, W, 1, "SAME", data_format="NWHC"), ValueError,
     "data_format must be 'NHWC' or 'NCHW'; got data_format='NWHC'"),
    (lambda: tf.conv2d(X, np.ones((6, 6, 2, 1)), 1, "VALID"), ValueError, "larger than"),
    (lambda: tf.conv2d(X.astype(np.int64), W, 1, "SAME"), TypeError, "input must have a float"),
    (lambda: tf.conv2d(X, W.astype(np.float32), 1, "SAME"), TypeError,
     "input and filters must have the same dtype"),
    (lambda: tf.conv2d(X, np.ones((3, 3, 2, 0)), 1, "SAME"), ValueError, "zero-size"),
    (lambda: tf.conv2d(None, W, 1, "SAME"), TypeError, "input must be an array"),
    (lambda: tf.depthwise_conv2d(X, np.ones((3, 3, 3, 2)), 1, "SAME"), ValueError,
     r"filter.shape\[2\] must equal the input depth 2"),
    (lambda: tf.depthwise_conv2d(X, np.ones((3, 3, 2)), 1, "SAME"), ValueError,
     "filter must be 4"),
    (lambda: tf.depthwise_conv2d(X, np.ones((3, 3, 2, 1)), [1, 1, 1, 2], "SAME"), ValueError,
     "strides must be 1 in the batch"),
    (lambda: tf.separable_conv2d(X, np.ones((3, 3, 2, 2)), np.ones((1, 1, 2, 3)), 1, "SAME"),
     ValueError, r"pointwise_filter must have shape \(1, 1, 4, out_channels\)"),
    (lambda: tf.separable_conv2d(X, np.ones((3, 3, 2, 1)), np.ones((3, 3, 2, 3)), 1, "SAME"),
     ValueError, "pointwise_filter must have shape"),
    (lambda: tf.separable_conv2d(X, np.ones((3, 3, 1, 1)), np.ones((1, 1, 1, 3)), 1, "SAME"),
     ValueError, r"depthwise_filter.shape\[2\] must equal the input depth"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 3)), [1, 5, 5, 4], 1), ValueError,
     r"filters.shape\[3\] must equal the input depth 2"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [2, 5, 5, 4], 1), ValueError,
     "output_shape batch size must equal the input's 1"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 5, 5, 3], 1), ValueError,
     r"output_shape channels must equal filters.shape\[2\] = 4"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 5, 5], 1), ValueError,
     "output_shape must be 4 ints"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 0, 5, 4], 1), ValueError,
     "output_shape must be positive"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 6, 5, 4], 1), ValueError,
     r"maps output height 6 to 6, not the input height 5; valid output heights are 5..5"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 13, 11, 4], 2, "VALID"),
     ValueError, r"output height 13 to 6, not the input height 5.*valid output heights are 11..12"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 11, 8, 4], 2, "VALID"),
     ValueError, r"output width 8 to 3, not the input width 5; valid output widths are 11..12"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 2, 10, 4], 2, "VALID"),
     ValueError, r"maps output height 2 to nothing \(the filter, effective size 3, does not fit\)"),
    (lambda: tf.conv2d_transpose(X, np.ones((3, 3, 4, 2)), [1, 10, 10, 4], 2, "valid!"),
     ValueError, "padding must be 'SAME', 'VALID'"),
])
def test_bad_input_raises_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_lowercase_padding_accepted():
    np.testing.assert_allclose(tf.conv2d(X, W, 2, "same"), tf.conv2d(X, W, 2, "SAME"))
    np.testing.assert_allclose(tf.conv2d(X, W, 1, "valid"), tf.conv2d(X, W, 1, "VALID"))
