"""conv1d / conv2d / conv3d against three independent oracles.

1. ``naive.conv_nd`` (explicit loops from the definition), float64, forward;
2. PyTorch CPU: forward in float32 within 1e-4 relative, gradients in float64 within 1e-6;
   padding forms torch cannot express ('same' with stride > 1, 'same_lower', 'full',
   asymmetric pairs) go through ``F.pad`` with the pairs ``naive.explicit_pads`` computes
   from the TF/ONNX definitions, then ``padding=0``;
3. float64 central differences for input, weight and bias.

The grids cover stride > 1 with every padding form, dilation > 1 with stride > 1,
groups in {1, 2, C} (C with depth multiplier 2), odd and non-square sizes and kernels,
kernels larger and smaller than the stride, batch 1 and 2, and ``flip_kernel``.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import convzoo as cz
from conftest import assert_rel_close, gradcheck
from convzoo import functional as F
from convzoo import shapes
from naive import conv_nd, explicit_pads

torch = pytest.importorskip("torch")
TF = torch.nn.functional

FUNCS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _cases():
    """(nd, batch, C, O, size, kernel, stride, padding, dilation, groups, flip) over the grids."""
    grids = {
        1: dict(paddings=[0, 2, (1,), ((0, 2),), ((3, 1),), "valid", "same", "same_lower", "full"],
                strides=[1, 3], dilations=[1, 2], sizes=[(9,), (10,), (7,)],
                kernels=[(3,), (4,), (2,)]),
        2: dict(paddings=[0, 1, (1, 2), ((0, 2), (1, 0)), ((2, 1), (0, 1)), "valid", "same",
                          "same_lower", "full"],
                strides=[1, 2, (2, 3)], dilations=[1, (2, 1), 2],
                sizes=[(7, 6), (6, 5), (5, 8), (8, 7)], kernels=[(3, 2), (3, 3), (2, 3), (1, 1)]),
        3: dict(paddings=[1, (0, 1, 1), ((1, 0), (0, 2), (1, 1)), "valid", "same", "same_lower",
                          "full"],
                strides=[1, (2, 1, 2)], dilations=[1, (1, 2, 1)], sizes=[(4, 5, 3), (5, 6, 4)],
                kernels=[(2, 3, 2), (3, 2, 1)]),
    }
    cases = []
    for nd, g in grids.items():
        combos = itertools.product(g["paddings"], g["strides"], g["dilations"])
        for idx, (padding, stride, dilation) in enumerate(combos):
            groups = (1, 2, 4)[idx % 3]
            out_channels = {1: 3, 2: 6, 4: 8}[groups]   # groups == C with depth multiplier 2
            batch = (1, 2)[(idx // 3) % 2]
            size = g["sizes"][idx % len(g["sizes"])]
            kernel = g["kernels"][(idx // 2) % len(g["kernels"])]
            flip = idx % 5 == 0
            cases.append((nd, batch, 4, out_channels, size, kernel, stride, padding, dilation,
                          groups, flip))
    return cases


CASES = _cases()


def _case_id(case):
    nd, batch, c, o, size, kernel, stride, padding, dilation, groups, flip = case
    return (f"{nd}d-n{batch}-c{c}o{o}-i{size}-k{kernel}-s{stride}-p{padding}-d{dilation}"
            f"-g{groups}{'-flip' if flip else ''}").replace(" ", "")


def _arrays(case, rng, dtype=np.float64):
    nd, batch, c, o, size, kernel, *_ = case
    groups = case[9]
    x = rng.standard_normal((batch, c) + size).astype(dtype)
    w = rng.standard_normal((o, c // groups) + kernel).astype(dtype)
    b = rng.standard_normal(o).astype(dtype)
    return x, w, b


def _ours(case, x, w, b):
    nd, _, _, _, _, _, stride, padding, dilation, groups, flip = case
    return FUNCS[nd](x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups,
                     flip_kernel=flip)


def torch_conv(x, w, b, stride, pads, dilation, groups, flip):
    """torch conv on explicitly padded input; ``flip`` rotates the kernel 180 degrees."""
    nd = x.dim() - 2
    flat = [v for pair in reversed(pads) for v in pair]     # F.pad wants the last dim first
    xp = TF.pad(x, flat)
    if flip:
        w = torch.flip(w, dims=tuple(range(2, 2 + nd)))
    conv = {1: TF.conv1d, 2: TF.conv2d, 3: TF.conv3d}[nd]
    return conv(xp, w, b, stride=stride, padding=0, dilation=dilation, groups=groups)


def _torch_case(case, x, w, b, requires_grad=False):
    nd, _, _, _, size, kernel, stride, padding, dilation, groups, flip = case
    pads = explicit_pads(padding, size, kernel, stride, dilation)
    xt, wt, bt = (torch.tensor(a, requires_grad=requires_grad) for a in (x, w, b))
    return torch_conv(xt, wt, bt, stride, pads, dilation, groups, flip), (xt, wt, bt)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_forward_matches_naive_loops(case, rng):
    x, w, b = _arrays(case, rng)
    nd, _, _, _, size, kernel, stride, padding, dilation, groups, flip = case
    pads = explicit_pads(padding, size, kernel, stride, dilation)
    expected = conv_nd(x, w, b, stride, pads, dilation, groups, flip)
    got = _ours(case, x, w, b)
    assert isinstance(got, cz.Tensor)
    assert got.dtype == np.float64
    assert_rel_close(got.data, expected, 1e-12)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_forward_float32_matches_torch(case, rng):
    x, w, b = _arrays(case, rng, np.float32)
    expected, _ = _torch_case(case, x, w, b)
    got = _ours(case, x, w, b)
    assert got.dtype == np.float32
    assert_rel_close(got.data, expected.numpy(), 1e-4)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_grads_float64_match_torch(case, rng):
    x, w, b = _arrays(case, rng)
    yt, (xt, wt, bt) = _torch_case(case, x, w, b, requires_grad=True)
    cot = rng.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(cot))
    tx, tw, tb = (cz.tensor(a, requires_grad=True) for a in (x, w, b))
    y = _ours(case, tx, tw, tb)
    assert_rel_close(y.data, yt.detach().numpy(), 1e-6)
    y.backward(cot)
    for name, ours, ref in (("input", tx, xt), ("weight", tw, wt), ("bias", tb, bt)):
        assert ours.grad.dtype == np.float64
        assert_rel_close(ours.grad, ref.grad.numpy(), 1e-6, what=name)


@pytest.mark.parametrize("case", CASES[::5], ids=_case_id)
def test_grads_central_differences(case, rng):
    nd, batch, c, o, size, kernel, *_ = case
    # batch 1 and fewer output channels keep the number of finite-difference probes small
    small = (nd, 1, c, o, size, kernel) + case[6:]
    x, w, b = _arrays(small, rng)
    gradcheck(lambda xx, ww, bb: _ours(small, xx, ww, bb), [x, w, b])


def test_grads_central_differences_without_bias(rng):
    case = (2, 2, 4, 6, (6, 5), (3, 2), 2, ((1, 0), (0, 2)), (1, 2), 2, True)
    x, w, _ = _arrays(case, rng)
    gradcheck(lambda xx, ww: _ours(case, xx, ww, None), [x, w])


def test_only_requested_gradients_are_computed(rng):
    x, w, b = _arrays((2, 2, 4, 4, (5, 5), (3, 3), 1, 1, 1, 1, False), rng)
    tx = cz.tensor(x, requires_grad=True)
    y = F.conv2d(tx, w, b, padding=1)
    y.backward(np.ones(y.shape))
    assert tx.grad is not None and tx.grad.shape == x.shape


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_stride1_padding_strings_match_torch_native(nd, padding, rng):
    """torch itself accepts 'same'/'valid' at stride 1 (odd cell at the end, like SAME_UPPER)."""
    kernel = (4, 3, 2)[:nd]
    x = rng.standard_normal((2, 3) + (7, 6, 5)[:nd])
    w = rng.standard_normal((5, 3) + kernel)
    dilation = (2, 1, 3)[:nd]
    with warnings.catch_warnings():   # torch notes it copies the input for even kernels
        warnings.simplefilter("ignore", UserWarning)
        ref = {1: TF.conv1d, 2: TF.conv2d, 3: TF.conv3d}[nd](
            torch.tensor(x), torch.tensor(w), padding=padding, dilation=dilation)
    got = FUNCS[nd](x, w, padding=padding, dilation=dilation)
    assert_rel_close(got.data, ref.numpy(), 1e-10)


# --- 'same' padding with stride: TF/ONNX SAME_UPPER and SAME_LOWER -------------------------

def _onnx_auto_pad(i, k, s, d, upper):
    """ONNX Conv auto_pad arithmetic, restated from the operator spec (not from convzoo)."""
    out = math.ceil(i / s)
    pad_total = max(0, (out - 1) * s + ((k - 1) * d + 1) - i)
    if upper:   # SAME_UPPER: the extra cell goes at the end
        return pad_total // 2, pad_total - pad_total // 2
    return pad_total - pad_total // 2, pad_total // 2


@pytest.mark.parametrize("size", [5, 6, 7, 8, 9, 10])
@pytest.mark.parametrize("kernel,dilation", [(1, 1), (2, 1), (3, 1), (4, 1), (3, 2)])
def test_same_padding_stride2_even_and_odd_sizes(size, kernel, dilation, rng):
    pads = _onnx_auto_pad(size, kernel, 2, dilation, upper=True)
    assert pads[1] >= pads[0]                               # odd cell at the end
    assert shapes.resolve_padding("same", (size,), (kernel,), (2,), (dilation,)) == (pads,)
    assert shapes.conv_output_size(size, kernel, 2, "same", dilation) == math.ceil(size / 2)
    x = rng.standard_normal((1, 2, size, size + 1))
    w = rng.standard_normal((3, 2, kernel, kernel))
    got = F.conv2d(x, w, stride=2, padding="same", dilation=dilation)
    assert got.shape == (1, 3, math.ceil(size / 2), math.ceil((size + 1) / 2))
    pads_w = _onnx_auto_pad(size + 1, kernel, 2, dilation, upper=True)
    ref = torch_conv(torch.tensor(x), torch.tensor(w), None, 2, (pads, pads_w), dilation, 1,
                     False)
    assert_rel_close(got.data, ref.numpy(), 1e-10)


def test_same_padding_stride2_known_pairs():
    # hand-worked: i=6, k=3, s=2 -> out 3, total (3-1)*2+3-6 = 1 -> (0, 1);
    # i=7 -> out 4, total 3*2+3-7 = 2 -> (1, 1); i=5, k=4 -> out 3, total 2*2+4-5 = 3 -> (1, 2)
    assert shapes.resolve_padding("same", (6, 7, 5), (3, 3, 4), 2) == ((0, 1), (1, 1), (1, 2))


@pytest.mark.parametrize("size,kernel,stride", [(6, 3, 2), (5, 4, 1), (5, 4, 2), (7, 2, 3),
                                                (4, 6, 1)])
def test_same_lower_puts_odd_cell_first(size, kernel, stride, rng):
    upper = _onnx_auto_pad(size, kernel, stride, 1, upper=True)
    lower = _onnx_auto_pad(size, kernel, stride, 1, upper=False)
    assert (upper[0] + upper[1]) % 2 == 1 and lower == (upper[1], upper[0])
    assert shapes.resolve_padding("same_lower", (size,), (kernel,), (stride,)) == (lower,)
    assert lower[0] == lower[1] + 1
    x = rng.standard_normal((2, 3, size))
    w = rng.standard_normal((2, 3, kernel))
    got = F.conv1d(x, w, stride=stride, padding="same_lower")
    assert got.shape[-1] == math.ceil(size / stride)
    assert_rel_close(got.data, conv_nd(x, w, None, stride, (lower,)), 1e-12)
    assert_rel_close(got.data, torch_conv(torch.tensor(x), torch.tensor(w), None, stride,
                                          (lower,), 1, 1, False).numpy(), 1e-10)


# --- true convolution ---------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_flip_kernel_is_numpy_convolve(mode, rng):
    """np.convolve is a true convolution: the independent 1-d oracle for flip_kernel=True."""
    x = rng.standard_normal(9)
    k = rng.standard_normal(4)
    got = F.conv1d(x[None, None], k[None, None], padding=mode, flip_kernel=True).data[0, 0]
    full = np.convolve(x, k, mode="full")      # length 9 + 4 - 1 = 12
    if mode == "full":
        expected = full
    elif mode == "valid":
        expected = np.convolve(x, k, mode="valid")
    else:
        # 'same' pads (1, 2) (odd cell at the end); in the full result that is offset 3 - 1 = 2
        expected = full[2:2 + 9]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_flip_kernel_2d_is_rotated_correlation(rng):
    x = rng.standard_normal((1, 1, 5, 6))
    w = rng.standard_normal((1, 1, 3, 2))
    rotated = w[:, :, ::-1, ::-1]
    np.testing.assert_allclose(F.conv2d(x, w, flip_kernel=True).data,
                               F.conv2d(x, np.ascontiguousarray(rotated)).data, rtol=1e-12)


# --- the worked numbers of the source articles (DESIGN.md section 5) ------------------------

# Source: /work/shared/sources/001_a0d86916560d8201.txt, section 4 (CNN): "3*1+1*1+2*1+0*0+
# 0*0+0*0+1*(-1)+8*(-1)+2*(-1)=-5", a 6x6 image times a vertical-edge filter [1, 0, -1] per
# row. The text gives only the first window: left column (3, 1, 2), right column (1, 8, 2);
# the middle column meets the filter's zeros. Its picture is not in the text; the image
# below is the vertical-edge example of Andrew Ng's deeplearning.ai CNN course, whose first
# window is exactly those numbers. The half-bright 10/0 image of the same section is the
# next test.
ARTICLE_IMAGE = np.array([
    [3, 0, 1, 2, 7, 4],
    [1, 5, 8, 9, 3, 1],
    [2, 7, 2, 5, 1, 3],
    [0, 1, 3, 1, 7, 8],
    [4, 2, 1, 6, 2, 8],
    [2, 4, 5, 2, 3, 9],
], dtype=np.float64)
VERTICAL_EDGE = np.array([[1, 0, -1]] * 3, dtype=np.float64)


def test_article_vertical_edge_6x6_gives_4x4_starting_with_minus_5():
    y = F.conv2d(ARTICLE_IMAGE[None, None], VERTICAL_EDGE[None, None]).data[0, 0]
    assert y.shape == (4, 4)
    assert y[0, 0] == 3 * 1 + 1 * 1 + 2 * 1 + 0 * 0 + 0 * 0 + 0 * 0 + 1 * -1 + 8 * -1 + 2 * -1
    assert y[0, 0] == -5
    # the course's full output map, each entry a 3x3 window sum worked by hand
    expected = np.array([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(y, conv_nd(ARTICLE_IMAGE[None, None],
                                             VERTICAL_EDGE[None, None])[0, 0])


def test_article_half_bright_image_shows_a_bright_band_in_the_middle():
    # same article: an image bright (10) on the left half and dark (0) on the right gives
    # a 4x4 map that is 0 at the sides and 30 (= 3 rows x 10) in the two middle columns
    image = np.array([[10, 10, 10, 0, 0, 0]] * 6, dtype=np.float32)
    y = F.conv2d(image[None, None], VERTICAL_EDGE[None, None].astype(np.float32)).data[0, 0]
    np.testing.assert_array_equal(y, np.array([[0, 30, 30, 0]] * 4, dtype=np.float32))


def test_article_5x5_stride2_gives_2x2():
    # source 003 (transposed convolution section): 5x5 image, stride 2, no padding, 3x3 kernel
    x = np.arange(25, dtype=np.float64).reshape(1, 1, 5, 5)
    y = F.conv2d(x, np.ones((1, 1, 3, 3)), stride=2).data[0, 0]
    # window sums worked by hand: rows 0-2 x cols 0-2 = 54, cols 2-4 = 72; rows 2-4: 144, 162
    np.testing.assert_array_equal(y, [[54, 72], [144, 162]])


# --- dtypes, inputs ----------------------------------------------------------------------------

def test_float32_stays_float32_and_tensor_inputs_accepted(rng):
    x = cz.tensor(rng.standard_normal((1, 2, 5, 5)).astype(np.float32), requires_grad=True)
    w = cz.tensor(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), requires_grad=True)
    b = np.zeros(3, dtype=np.float32)
    y = F.conv2d(x, w, b, padding="same")
    assert y.dtype == np.float32 and y.shape == (1, 3, 5, 5)
    y.backward(np.ones(y.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_non_contiguous_inputs(rng):
    base = rng.standard_normal((3, 5, 9, 8))
    x = base[::2, ::-1, 1::2].transpose(0, 1, 3, 2)          # strided, reversed, transposed view
    w = rng.standard_normal((6, 5, 3, 2))[:, :, ::-1]
    got = F.conv2d(x, w, stride=(2, 1), padding="same")
    expected = F.conv2d(np.ascontiguousarray(x), np.ascontiguousarray(w), stride=(2, 1),
                        padding="same")
    np.testing.assert_array_equal(got.data, expected.data)
    gt = F.conv_transpose2d(x, np.ascontiguousarray(w.transpose(1, 0, 2, 3)), stride=2)
    et = F.conv_transpose2d(np.ascontiguousarray(x), w.transpose(1, 0, 2, 3).copy(), stride=2)
    np.testing.assert_allclose(gt.data, et.data, rtol=1e-13)


def test_no_grad_records_nothing(rng):
    x = cz.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    with cz.no_grad():
        y = F.conv2d(x, rng.standard_normal((3, 2, 3, 3)))
    assert not y.requires_grad


def test_kernel_taps_only_loop_in_the_kernels():
    """The op kernels iterate over kernel taps (np.ndindex over K) and nothing else."""
    import ast
    import inspect

    from convzoo.ops import conv, transpose

    for module in (conv, transpose):
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.For):
                source = ast.unparse(node.iter)
                assert source.removeprefix("enumerate(").startswith("np.ndindex(*kernel"), (
                    module.__name__, source)
            assert not isinstance(node, ast.While), module.__name__
