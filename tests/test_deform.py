"""Deformable convolution (torchvision ``deform_conv2d`` semantics) against independent oracles.

Oracles: a naive loop reference written from the definition (bilinear interpolation as a
sum of tent functions over the in-image pixels); ``torch.nn.functional.grid_sample``
(bilinear, zero padding, ``align_corners=True``) + ``einsum`` as a PyTorch re-statement,
forward and autograd gradients; ``conv2d`` for zero and integer offsets; float64 central
differences for every argument.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import convzoo as cz
import naive
from conftest import assert_rel_close, gradcheck
from convzoo import functional as F
from convzoo.ops import deform as deform_ops

# ----------------------------------------------------------------------------- references


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _out_size(h, w, kernel, stride, padding, dilation):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, _pair(stride), _pair(padding), _pair(dilation)
    return (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1


def bilinear_ref(img, y, x):
    """Zero-extended bilinear interpolation: sum of tent weights over in-image pixels."""
    h, w = img.shape
    if y <= -1 or y >= h or x <= -1 or x >= w:
        return 0.0
    total = 0.0
    for yy in range(math.floor(y) - 1, math.floor(y) + 3):
        for xx in range(math.floor(x) - 1, math.floor(x) + 3):
            ty, tx = 1 - abs(y - yy), 1 - abs(x - xx)
            if 0 <= yy < h and 0 <= xx < w and ty > 0 and tx > 0:
                total += ty * tx * float(img[yy, xx])
    return total


def deform_ref(x, offset, weight, bias=None, stride=1, padding=0, dilation=1, mask=None):
    """Deformable convolution by explicit loops, straight from the definition (float64)."""
    x, offset, weight = (np.asarray(a, dtype=np.float64) for a in (x, offset, weight))
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n_batch, c_in, h, w = x.shape
    c_out, cw, kh, kw = weight.shape
    taps = kh * kw
    groups = offset.shape[1] // (2 * taps)
    ho, wo = offset.shape[2:]
    og = c_out // (c_in // cw)
    y = np.zeros((n_batch, c_out, ho, wo))
    for n in range(n_batch):
        for o in range(c_out):
            wg = o // og
            for i in range(ho):
                for j in range(wo):
                    total = 0.0 if bias is None else float(bias[o])
                    for ci in range(cw):
                        c = wg * cw + ci
                        g = c // (c_in // groups)
                        for a in range(kh):
                            for b in range(kw):
                                t = a * kw + b
                                dy = offset[n, 2 * (g * taps + t), i, j]
                                dx = offset[n, 2 * (g * taps + t) + 1, i, j]
                                v = bilinear_ref(x[n, c], i * sh - ph + a * dh + dy,
                                                 j * sw - pw + b * dw + dx)
                                if mask is not None:
                                    v *= mask[n, g * taps + t, i, j]
                                total += weight[o, ci, a, b] * v
                    y[n, o, i, j] = total
    return y


def deform_torch(torch, x, offset, weight, bias, stride, padding, dilation, mask):
    """The same op restated with torch.grid_sample (bilinear, zeros, align_corners=True)."""
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n_batch, c_in, h, w = x.shape
    c_out, cw, kh, kw = weight.shape
    taps = kh * kw
    groups = offset.shape[1] // (2 * taps)
    ho, wo = offset.shape[2:]
    wgroups = c_in // cw
    a = torch.arange(kh).repeat_interleave(kw).reshape(taps, 1, 1)
    b = torch.arange(kw).repeat(kh).reshape(taps, 1, 1)
    i = torch.arange(ho).reshape(1, ho, 1)
    j = torch.arange(wo).reshape(1, 1, wo)
    off = offset.reshape(n_batch, groups, taps, 2, ho, wo)
    ys = (i * sh - ph + a * dh).to(x.dtype) + off[:, :, :, 0]
    xs = (j * sw - pw + b * dw).to(x.dtype) + off[:, :, :, 1]
    grid = torch.stack([2 * xs / (w - 1) - 1, 2 * ys / (h - 1) - 1], dim=-1)
    grid = grid.reshape(n_batch * groups, taps * ho, wo, 2)
    samples = torch.nn.functional.grid_sample(
        x.reshape(n_batch * groups, c_in // groups, h, w), grid, mode="bilinear",
        padding_mode="zeros", align_corners=True)
    samples = samples.reshape(n_batch, groups, c_in // groups, taps, ho, wo)
    if mask is not None:
        samples = samples * mask.reshape(n_batch, groups, 1, taps, ho, wo)
    cols = samples.reshape(n_batch, wgroups, cw, taps, ho * wo)
    wr = weight.reshape(wgroups, c_out // wgroups, cw, taps)
    out = torch.einsum("gock,ngckp->ngop", wr, cols).reshape(n_batch, c_out, ho, wo)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


# ----------------------------------------------------------------------------- cases

# (N, C, O, H, W, kernel, stride, padding, dilation, weight_groups, offset_groups, mask)
CASES = [
    (1, 2, 3, 5, 4, (3, 3), 1, 0, 1, 1, 1, False),
    (2, 4, 4, 6, 5, (3, 2), (2, 1), (1, 0), 1, 2, 2, True),
    (1, 3, 2, 7, 6, (2, 3), 2, 1, (2, 1), 1, 3, True),
    (2, 2, 2, 5, 5, (3, 3), 1, 2, 2, 2, 1, False),          # depthwise weight, dilation 2
    (1, 4, 2, 4, 6, (1, 1), 1, 0, 1, 1, 4, True),            # 1x1 kernel, per-channel offsets
    (2, 2, 4, 6, 7, (2, 2), (1, 3), (0, 1), (2, 2), 2, 2, False),
]
IDS = [f"case{i}" for i in range(len(CASES))]


def make(case, rng, dtype=np.float64, fractional=False, scale=1.5):
    n, c, o, h, w, kernel, stride, padding, dilation, wg, g, use_mask = case
    ho, wo = _out_size(h, w, kernel, stride, padding, dilation)
    taps = kernel[0] * kernel[1]
    x = rng.standard_normal((n, c, h, w))
    weight = rng.standard_normal((o, c // wg) + kernel)
    bias = rng.standard_normal(o)
    if fractional:
        # Integer part anywhere (some samples leave the image), fraction in [0.2, 0.8] so
        # every sampling point stays well inside one bilinear cell for finite differences.
        whole = rng.integers(-2, 3, size=(n, 2 * g * taps, ho, wo))
        offset = whole + rng.uniform(0.2, 0.8, size=whole.shape)
    else:
        offset = scale * rng.standard_normal((n, 2 * g * taps, ho, wo))
    mask = rng.uniform(-1, 2, size=(n, g * taps, ho, wo)) if use_mask else None
    arrays = [x, offset, weight, bias, mask]
    params = dict(stride=stride, padding=padding, dilation=dilation)
    return [None if a is None else a.astype(dtype) for a in arrays], params


def run(arrays, params):
    x, offset, weight, bias, mask = arrays
    return F.deform_conv2d(x, offset, weight, bias, mask=mask, **params)


# ----------------------------------------------------------------------------- forward


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_naive(case, rng):
    arrays, params = make(case, rng)
    y = run(arrays, params)
    assert isinstance(y, cz.Tensor) and y.dtype == np.float64
    expected = deform_ref(*arrays[:4], mask=arrays[4], **params)
    assert_rel_close(y.data, expected, 1e-12)


@pytest.mark.parametrize("case", CASES[:3], ids=IDS[:3])
def test_forward_float32_matches_naive(case, rng):
    arrays, params = make(case, rng, dtype=np.float32)
    y = run(arrays, params)
    assert y.dtype == np.float32
    assert_rel_close(y.data, deform_ref(*arrays[:4], mask=arrays[4], **params), 1e-4)


def test_half_pixel_outside_reads_half_the_border():
    x = np.arange(1.0, 13.0).reshape(1, 1, 3, 4)
    weight = np.ones((1, 1, 1, 1))
    offset = np.zeros((1, 2, 3, 4))
    offset[0, 0] = -0.5                       # every sample moves half a pixel up
    y = F.deform_conv2d(x, offset, weight).data[0, 0]
    np.testing.assert_allclose(y[0], 0.5 * x[0, 0, 0])              # half of row 0, half zero
    np.testing.assert_allclose(y[1:], 0.5 * (x[0, 0, :-1] + x[0, 0, 1:]))
    offset[0, 0], offset[0, 1] = 0.25, 0.5    # inside: plain bilinear interpolation
    y = F.deform_conv2d(x, offset, weight).data[0, 0]
    assert y[0, 0] == pytest.approx(0.75 * 0.5 * (1 + 2) + 0.25 * 0.5 * (5 + 6))


@pytest.mark.parametrize("shift", [1e-9, 0.0, -1e-9])
def test_samples_at_or_past_the_boundary_lines_read_zero(shift):
    # y == -1 or y == H (and beyond) reads zero; just inside reads a vanishing fraction.
    x = np.ones((1, 1, 3, 3))
    for dy, dx in ((-1.0, 0.0), (3.0, 0.0), (0.0, -1.0), (0.0, 3.0)):
        offset = np.zeros((1, 2, 3, 3))
        offset[0, 0] = dy + (shift if dy < 0 else -shift) * (dy != 0)
        offset[0, 1] = dx + (shift if dx < 0 else -shift) * (dx != 0)
        y = F.deform_conv2d(x, offset, np.ones((1, 1, 1, 1))).data[0, 0]
        expected = np.array([[bilinear_ref(x[0, 0], i + offset[0, 0, i, j],
                                           j + offset[0, 1, i, j]) for j in range(3)]
                             for i in range(3)])
        np.testing.assert_allclose(y, expected, atol=1e-15)


@pytest.mark.parametrize("stride,padding,dilation,wgroups,use_mask", [
    (1, 0, 1, 1, False), (2, 1, 1, 2, True), ((2, 1), (0, 2), (1, 2), 1, True),
    (1, 1, 2, 4, False), ((1, 3), (2, 1), 1, 2, True), (3, 2, 2, 1, False),
])
@pytest.mark.parametrize("offset_groups", [1, 2])
def test_zero_offsets_equal_conv2d(stride, padding, dilation, wgroups, use_mask, offset_groups,
                                   rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 4, 7, 6))
    weight = rng.standard_normal((4, 4 // wgroups, 3, 2))
    bias = rng.standard_normal(4)
    ho, wo = _out_size(7, 6, (3, 2), stride, padding, dilation)
    offset = np.zeros((2, 2 * offset_groups * 6, ho, wo))
    mask = np.ones((2, offset_groups * 6, ho, wo)) if use_mask else None
    y = F.deform_conv2d(x, offset, weight, bias, stride, padding, dilation, mask=mask).data
    ref = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(weight), torch.tensor(bias),
                                     stride, padding, dilation, wgroups).numpy()
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("dy,dx", [(1, 0), (-2, 1), (0, -1), (3, -3)])
@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), (1, (2, 1), 2)])
def test_integer_offsets_equal_shifted_conv(dy, dx, stride, padding, dilation, rng):
    x = rng.standard_normal((2, 2, 6, 5))
    weight = rng.standard_normal((3, 2, 3, 3))
    ho, wo = _out_size(6, 5, (3, 3), stride, padding, dilation)
    offset = np.zeros((2, 18, ho, wo))
    offset[:, 0::2], offset[:, 1::2] = dy, dx
    y = F.deform_conv2d(x, offset, weight, None, stride, padding, dilation).data
    # Sampling x at (base + shift) is a plain conv of x embedded in zeros, read from a
    # window that starts `shift` cells later.
    big = 8
    ext = np.zeros((2, 2, 6 + 2 * big, 5 + 2 * big))
    ext[:, :, big:big + 6, big:big + 5] = x
    ph, pw = _pair(padding)
    window = ext[:, :, big - ph + dy:, big - pw + dx:]
    ref = naive.conv_nd(window, weight, stride=stride, dilation=dilation)[:, :, :ho, :wo]
    assert_rel_close(y, ref, 1e-12)


def test_offsets_out_of_bounds_give_bias_and_no_input_gradient(rng):
    x = cz.tensor(rng.standard_normal((2, 3, 5, 4)), requires_grad=True)
    weight = rng.standard_normal((2, 3, 3, 3))
    bias = rng.standard_normal(2)
    offset = np.zeros((2, 18, 3, 2))
    offset[:, 0::2] = rng.choice([-1.0, 1.0], size=(2, 9, 3, 2)) * rng.uniform(7, 50, (2, 9, 3, 2))
    offset[:, 1::2] = rng.standard_normal((2, 9, 3, 2))
    off = cz.tensor(offset, requires_grad=True)
    y = F.deform_conv2d(x, off, weight, bias)
    np.testing.assert_array_equal(y.data, np.broadcast_to(bias[None, :, None, None], y.shape))
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(x.grad, 0)
    np.testing.assert_array_equal(off.grad, 0)


def test_infinite_offset_reads_zero():
    offset = np.zeros((1, 2, 2, 2))
    offset[0, 0, 0, 0] = np.inf
    offset[0, 1, 1, 1] = -np.inf
    y = F.deform_conv2d(np.ones((1, 1, 2, 2)), offset, np.ones((1, 1, 1, 1))).data
    np.testing.assert_array_equal(y[0, 0], [[0, 1], [1, 0]])


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("case", CASES[1:4], ids=IDS[1:4])
def test_gradcheck_all_arguments(case, rng):
    arrays, params = make(case, rng, fractional=True)
    gradcheck(lambda *a: run(a, params), arrays)


def test_gradcheck_without_bias_and_mask(rng):
    arrays, params = make(CASES[0], rng, fractional=True)
    arrays[3] = None
    gradcheck(lambda *a: run(a, params), arrays)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_torch_grid_sample(case, rng):
    torch = pytest.importorskip("torch")
    arrays32, params = make(case, rng, dtype=np.float32)
    y32 = run(arrays32, params)
    t32 = [None if a is None else torch.tensor(a) for a in arrays32]
    ref32 = deform_torch(torch, *t32[:4], mask=t32[4], **params).numpy()
    assert_rel_close(y32.data, ref32, 1e-4)

    arrays, _ = make(case, rng, fractional=True)
    tensors = [None if a is None else cz.tensor(a, requires_grad=True) for a in arrays]
    out = run(tensors, params)
    cot = rng.standard_normal(out.shape)
    out.backward(cot)
    tt = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    ref = deform_torch(torch, *tt[:4], mask=tt[4], **params)
    ref.backward(torch.tensor(cot))
    assert_rel_close(out.data, ref.detach().numpy(), 1e-10)
    for name, mine, theirs in zip(("input", "offset", "weight", "bias", "mask"), tensors, tt,
                                  strict=True):
        if mine is not None:
            assert_rel_close(mine.grad, theirs.grad.numpy(), 1e-6, what=name)


def test_offset_gradient_at_integer_positions_is_one_sided(rng):
    # torchvision's coordinate weight differentiates on the cell [floor(y), floor(y) + 1):
    # at integer positions (zero offsets, samples on the border lines y = -1 and y = H - 1)
    # it is the right-hand derivative, finite and well defined.
    x = rng.standard_normal((1, 2, 4, 5))
    weight = rng.standard_normal((3, 2, 3, 3))
    offset = rng.integers(-2, 3, size=(1, 18, 4, 5)).astype(np.float64)
    mask = rng.uniform(0.5, 1.5, size=(1, 9, 4, 5))
    off = cz.tensor(offset, requires_grad=True)
    y = F.deform_conv2d(x, off, weight, padding=1, mask=mask)
    cot = rng.standard_normal(y.shape)
    y.backward(cot)
    assert np.all(np.isfinite(off.grad))
    h = 1e-5
    base = float(np.sum(F.deform_conv2d(x, offset, weight, padding=1, mask=mask).data * cot))
    numeric = np.zeros_like(offset)
    for idx in np.ndindex(*offset.shape):
        bumped = offset.copy()
        bumped[idx] += h
        numeric[idx] = (np.sum(F.deform_conv2d(x, bumped, weight, padding=1,
                                               mask=mask).data * cot) - base) / h
    # Piecewise bilinear: the function is linear on [y, y + h], so the one-sided difference
    # is exact up to rounding.
    assert_rel_close(off.grad, numeric, 1e-6)


def test_batch_chunking_gives_the_same_results(rng, monkeypatch):
    arrays, params = make(CASES[1], rng, fractional=True)

    def forward_backward():
        tensors = [cz.tensor(a, requires_grad=True) for a in arrays]
        out = run(tensors, params)
        out.backward(np.cos(np.arange(out.size)).reshape(out.shape))
        return [out.data] + [t.grad for t in tensors]

    whole = forward_backward()
    monkeypatch.setattr(deform_ops, "_CHUNK_BYTES", 1)   # one sample per chunk
    chunked = forward_backward()
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_float32_gradients_keep_dtype(rng):
    arrays, params = make(CASES[1], rng, dtype=np.float32, fractional=True)
    tensors = [cz.tensor(a, requires_grad=True) for a in arrays]
    run(tensors, params).sum().backward()
    for t in tensors:
        assert t.grad.dtype == np.float32


def test_only_requested_gradients(rng):
    arrays, params = make(CASES[1], rng, fractional=True)
    x, offset, weight, bias, mask = arrays
    w = cz.tensor(weight, requires_grad=True)
    F.deform_conv2d(x, offset, w, bias, mask=mask, **params).sum().backward()
    assert w.grad.shape == weight.shape
    with cz.no_grad():
        y = F.deform_conv2d(x, offset, w, bias, mask=mask, **params)
    assert not y.requires_grad


# ----------------------------------------------------------------------------- errors


def _ok():
    return (np.zeros((2, 4, 5, 5)), np.zeros((2, 36, 3, 3)), np.zeros((6, 2, 3, 3)))


def test_error_offset_channels_not_multiple_of_2k():
    x, offset, weight = _ok()
    with pytest.raises(ValueError, match=r"offset must have 2\*kh\*kw\*offset_groups channels"):
        F.deform_conv2d(x, offset[:, :17], weight)
    with pytest.raises(ValueError, match=r"offset must have 2\*kh\*kw\*offset_groups channels"):
        F.deform_conv2d(x, offset[:, :0], weight)


def test_error_offset_groups_must_divide_channels():
    x, offset, weight = _ok()
    with pytest.raises(ValueError, match="offset groups must divide the input channels; got "
                                         "offset_groups=3"):
        F.deform_conv2d(x, np.zeros((2, 54, 3, 3)), weight)


def test_error_offset_spatial_size_not_output_size():
    x, offset, weight = _ok()
    with pytest.raises(ValueError, match=r"offset must have shape \(2, 36, 3, 3\)"):
        F.deform_conv2d(x, np.zeros((2, 36, 5, 5)), weight)
    with pytest.raises(ValueError, match=r"offset must have shape \(2, 36, 2, 2\)"):
        F.deform_conv2d(x, offset, weight, stride=2)
    with pytest.raises(ValueError, match=r"offset must have shape \(2, 36, 3, 3\)"):
        F.deform_conv2d(x, offset[:1], weight)


def test_error_mask_shape():
    x, offset, weight = _ok()
    with pytest.raises(ValueError, match=r"mask must have shape \(2, 18, 3, 3\)"):
        F.deform_conv2d(x, offset, weight, mask=np.ones((2, 9, 3, 3)))
    with pytest.raises(ValueError, match="mask must be 4-dimensional"):
        F.deform_conv2d(x, offset, weight, mask=np.ones((2, 18, 9)))


def test_error_weight_channels_not_dividing_input():
    x, offset, _ = _ok()
    with pytest.raises(ValueError, match=r"weight.shape\[1\] must divide the input channels"):
        F.deform_conv2d(x, offset, np.zeros((6, 3, 3, 3)))
    with pytest.raises(ValueError, match="weight groups must divide out_channels"):
        F.deform_conv2d(x, offset, np.zeros((5, 2, 3, 3)))


def test_error_misc_arguments():
    x, offset, weight = _ok()
    with pytest.raises(ValueError, match="input must be 4-dimensional"):
        F.deform_conv2d(x[0], offset, weight)
    with pytest.raises(ValueError, match="offset must be 4-dimensional"):
        F.deform_conv2d(x, offset[0], weight)
    with pytest.raises(TypeError, match="input and offset must have the same dtype"):
        F.deform_conv2d(x, offset.astype(np.float32), weight)
    with pytest.raises(TypeError, match="offset must have a floating-point dtype"):
        F.deform_conv2d(x, offset.astype(np.int64), weight)
    with pytest.raises(ValueError, match=r"bias must have shape \(6,\)"):
        F.deform_conv2d(x, offset, weight, np.zeros(5))
    with pytest.raises(TypeError, match="padding must be an int or a sequence of 2 ints"):
        F.deform_conv2d(x, offset, weight, padding="same")
    with pytest.raises(ValueError, match="padding must be an int or a sequence of 2 ints"):
        F.deform_conv2d(x, offset, weight, padding=((1, 1), (0, 0)))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        F.deform_conv2d(x, offset, weight, stride=0)
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.deform_conv2d(x, offset, weight, dilation=3)
