"""conv_transpose1d / 2d / 3d against the naive scatter loops, PyTorch and central differences.

PyTorch takes symmetric padding natively; asymmetric ``(before, after)`` pairs are run in
torch with ``padding=0`` and the full output cropped by hand (the definition of padding
for a transposed conv). Grids: stride 1..3, int / per-dim / per-side padding,
output_padding up to ``max(stride, dilation) - 1``, dilation, groups in {1, 2, C}, batch
1 and 2, odd and non-square sizes, kernels larger and smaller than the stride, 1d/2d/3d.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import convzoo as cz
from conftest import assert_rel_close, gradcheck
from convzoo import functional as F
from convzoo import shapes
from naive import conv_nd, conv_transpose_nd

torch = pytest.importorskip("torch")
TF = torch.nn.functional

FUNCS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
CONVS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _tuple(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def _pairs(padding, nd):
    if isinstance(padding, int):
        return ((padding, padding),) * nd
    return tuple((p, p) if isinstance(p, int) else tuple(p) for p in padding)


def _cases():
    """(nd, batch, C_in, C_out/g, size, kernel, stride, padding, output_padding, dilation, g)."""
    grids = {
        1: dict(strides=[1, 2, 3], paddings=[0, 2, (1,), ((0, 2),), ((3, 1),)],
                dilations=[1, 2], sizes=[(4,), (5,), (3,)], kernels=[(3,), (4,), (2,)]),
        2: dict(strides=[1, 2, (3, 2)], paddings=[0, 1, (1, 0), ((0, 2), (1, 0)),
                                                  ((2, 1), (0, 1))],
                dilations=[1, (1, 2), 3], sizes=[(3, 4), (4, 3), (3, 5)],
                kernels=[(3, 2), (2, 3), (3, 3)]),
        3: dict(strides=[1, (2, 1, 2)], paddings=[0, (1, 0, 1), ((1, 0), (0, 2), (1, 1))],
                dilations=[1, (1, 2, 1)], sizes=[(3, 4, 2), (2, 3, 3)],
                kernels=[(2, 3, 2), (3, 2, 2)]),
    }
    cases = []
    for nd, g in grids.items():
        for idx, (stride, padding, dilation) in enumerate(
                itertools.product(g["strides"], g["paddings"], g["dilations"])):
            groups = (1, 2, 4)[idx % 3]
            og = {1: 3, 2: 3, 4: 2}[groups]
            batch = (1, 2)[(idx // 3) % 2]
            size = g["sizes"][idx % len(g["sizes"])]
            kernel = g["kernels"][(idx // 2) % len(g["kernels"])]
            s, d = _tuple(stride, nd), _tuple(dilation, nd)
            # cycle output_padding through every allowed value 0..max(s, d)-1
            op = tuple((idx + j) % max(sj, dj) for j, (sj, dj) in enumerate(zip(s, d, strict=True)))
            cases.append((nd, batch, 4, og, size, kernel, stride, padding, op, dilation, groups))
    return cases


CASES = _cases()


def _case_id(case):
    nd, batch, c, og, size, kernel, stride, padding, op, dilation, groups = case
    return (f"{nd}d-n{batch}-c{c}og{og}-i{size}-k{kernel}-s{stride}-p{padding}-op{op}"
            f"-d{dilation}-g{groups}").replace(" ", "")


def _arrays(case, rng, dtype=np.float64):
    nd, batch, c, og, size, kernel, *_ = case
    groups = case[10]
    x = rng.standard_normal((batch, c) + size).astype(dtype)
    w = rng.standard_normal((c, og) + kernel).astype(dtype)
    b = rng.standard_normal(og * groups).astype(dtype)
    return x, w, b


def _ours(case, x, w, b):
    nd, _, _, _, _, _, stride, padding, op, dilation, groups = case
    return FUNCS[nd](x, w, b, stride=stride, padding=padding, output_padding=op, groups=groups,
                     dilation=dilation)


def torch_conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups):
    """torch transposed conv; asymmetric padding as padding=0 plus a crop of the full output."""
    nd = x.dim() - 2
    fn = {1: TF.conv_transpose1d, 2: TF.conv_transpose2d, 3: TF.conv_transpose3d}[nd]
    pairs = _pairs(padding, nd)
    if all(lo == hi for lo, hi in pairs):
        return fn(x, w, b, stride=stride, padding=tuple(lo for lo, _ in pairs),
                  output_padding=output_padding, groups=groups, dilation=dilation)
    full = fn(x, w, b, stride=stride, padding=0, output_padding=output_padding, groups=groups,
              dilation=dilation)
    dims = zip(pairs, full.shape[2:], strict=True)
    index = (Ellipsis,) + tuple(slice(lo, n - hi) for (lo, hi), n in dims)
    return full[index]


def _torch_case(case, x, w, b, requires_grad=False):
    nd, _, _, _, _, _, stride, padding, op, dilation, groups = case
    xt, wt, bt = (torch.tensor(a, requires_grad=requires_grad) for a in (x, w, b))
    return torch_conv_transpose(xt, wt, bt, stride, padding, op, dilation, groups), (xt, wt, bt)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_forward_matches_naive_scatter(case, rng):
    x, w, b = _arrays(case, rng)
    nd, _, _, _, size, kernel, stride, padding, op, dilation, groups = case
    expected = conv_transpose_nd(x, w, b, stride, padding, op, dilation, groups)
    got = _ours(case, x, w, b)
    assert got.dtype == np.float64
    assert got.shape == expected.shape
    assert got.shape[2:] == _tuple(shapes.conv_transpose_output_size(
        size, kernel, stride, padding, op, dilation), nd)
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
        assert_rel_close(ours.grad, ref.grad.numpy(), 1e-6, what=name)


@pytest.mark.parametrize("case", CASES[::4], ids=_case_id)
def test_grads_central_differences(case, rng):
    small = case[:1] + (1,) + case[2:]
    x, w, b = _arrays(small, rng)
    gradcheck(lambda xx, ww, bb: _ours(small, xx, ww, bb), [x, w, b])


def test_grads_central_differences_output_padding_beyond_stride(rng):
    # dilation 3 > stride 1 allows output_padding 2: rows the scatter never reaches
    case = (2, 2, 4, 3, (3, 4), (2, 2), 1, ((1, 0), 0), (2, 1), (3, 2), 2)
    x, w, b = _arrays(case, rng)
    gradcheck(lambda xx, ww, bb: _ours(case, xx, ww, bb), [x, w, b])
    gradcheck(lambda xx, ww: _ours(case, xx, ww, None), [x, w])


@pytest.mark.parametrize("nd,stride,padding,dilation,groups", [
    (1, 2, ((1, 2),), 1, 1),
    (2, (2, 3), ((0, 1), (2, 1)), (1, 2), 2),
    (2, 3, 1, 2, 4),
    (3, (1, 2, 2), (1, 0, 1), 1, 2),
])
def test_transpose_is_adjoint_of_conv(nd, stride, padding, dilation, groups, rng):
    """<conv(x, W), y> == <x, conv_transpose(y, W)>, sizing the transposed output with
    output_size = x's spatial size."""
    size = (7, 6, 5)[:nd]
    x = rng.standard_normal((2, 4) + size)
    w = rng.standard_normal((8, 4 // groups) + (3, 2, 3)[:nd])
    yx = CONVS[nd](x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = rng.standard_normal(yx.shape)
    xt = FUNCS[nd](y, w, stride=stride, padding=padding, groups=groups, dilation=dilation,
                   output_size=size)
    assert xt.shape == x.shape
    np.testing.assert_allclose(np.vdot(yx.data, y), np.vdot(x, xt.data), rtol=1e-12)


# --- output_size and output_padding ---------------------------------------------------------

@pytest.mark.parametrize("stride,padding,dilation,kernel", [
    ((3, 2), (1, 0), (1, 1), (3, 3)),
    ((2, 4), (0, 2), (2, 1), (2, 5)),
    ((1, 3), (0, 0), (3, 1), (3, 2)),
])
def test_transposed_output_size_picks_among_valid_sizes(stride, padding, dilation, kernel, rng):
    x = rng.standard_normal((2, 4, 3, 4))
    w = rng.standard_normal((4, 3) + kernel)
    smallest = [(i - 1) * s - 2 * p + d * (k - 1) + 1
                for i, s, p, d, k in zip((3, 4), stride, padding, dilation, kernel, strict=True)]
    ref = torch.nn.ConvTranspose2d(4, 3, kernel, stride=stride, padding=padding,
                                   dilation=dilation, bias=False).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(w))
    for h in range(smallest[0], smallest[0] + stride[0]):
        for wd in range(smallest[1], smallest[1] + stride[1]):
            got = F.conv_transpose2d(x, w, stride=stride, padding=padding, dilation=dilation,
                                     output_size=(h, wd))
            expected = ref(torch.tensor(x), output_size=[h, wd]).detach().numpy()
            assert got.shape == (2, 3, h, wd)
            assert_rel_close(got.data, expected, 1e-10)
    # PyTorch also accepts the full (N, C, H, W) shape
    full = F.conv_transpose2d(x, w, stride=stride, padding=padding, dilation=dilation,
                              output_size=(2, 3, smallest[0], smallest[1]))
    assert full.shape == (2, 3, smallest[0], smallest[1])
    for bad in (smallest[0] - 1, smallest[0] + stride[0]):
        top = smallest[0] + stride[0] - 1
        with pytest.raises(ValueError, match=rf"output_size {bad} is not reachable in spatial "
                           rf"dim 0: valid sizes are {smallest[0]}\.\.{top}"):
            F.conv_transpose2d(x, w, stride=stride, padding=padding, dilation=dilation,
                               output_size=(bad, smallest[1]))
    with pytest.raises(ValueError, match=r"spatial dim 1: valid sizes are"):
        F.conv_transpose2d(x, w, stride=stride, padding=padding, dilation=dilation,
                           output_size=(smallest[0], smallest[1] + stride[1]))


@pytest.mark.parametrize("stride,dilation", [(2, 1), (3, 1), (1, 2), (2, 3), (4, 2)])
def test_output_padding_not_smaller_than_stride_or_dilation_rejected(stride, dilation, rng):
    x = rng.standard_normal((1, 2, 4, 4))
    w = rng.standard_normal((2, 3, 3, 3))
    limit = max(stride, dilation)
    for op in range(limit):   # every smaller output_padding is accepted and matches torch
        got = F.conv_transpose2d(x, w, stride=stride, output_padding=(op, 0), dilation=dilation)
        ref = TF.conv_transpose2d(torch.tensor(x), torch.tensor(w), stride=stride,
                                  output_padding=(op, 0), dilation=dilation)
        assert_rel_close(got.data, ref.numpy(), 1e-10)
    with pytest.raises(ValueError, match=rf"output_padding must be smaller than stride or "
                       rf"dilation; got output_padding={limit} with stride={stride}, "
                       rf"dilation={dilation}"):
        F.conv_transpose2d(x, w, stride=stride, output_padding=(0, limit), dilation=dilation)
    with pytest.raises(RuntimeError):   # torch agrees the value is invalid
        TF.conv_transpose2d(torch.tensor(x), torch.tensor(w), stride=stride,
                            output_padding=(0, limit), dilation=dilation)


# --- worked numbers of the source articles ---------------------------------------------------

def test_article_5x5_stride2_then_transposed_back_to_5x5():
    # /work/shared/sources/003_060ca123419ba27b.txt: "a 5x5 image into a conv layer, stride 2,
    # no padding, 3x3 kernel gives a 2x2 image"; the transposed conv (stride 2, kernel 3)
    # guarantees a 5x5 output again.
    x = np.ones((1, 1, 5, 5))
    k = np.ones((1, 1, 3, 3))
    y = F.conv2d(x, k, stride=2)
    assert y.shape == (1, 1, 2, 2)
    back = F.conv_transpose2d(y, k, stride=2)
    assert back.shape == (1, 1, 5, 5)
    # every 2x2 value is 9; each output cell receives 9 from each window covering it:
    # windows cover rows [0..2] and [2..4], so row counts are 1, 1, 2, 1, 1 (same for columns)
    cover = np.array([1, 1, 2, 1, 1])
    np.testing.assert_array_equal(back.data[0, 0], 9 * np.outer(cover, cover))
    np.testing.assert_array_equal(back.data, conv_transpose_nd(y.data, k, stride=2))
    assert shapes.conv_transpose_output_size(2, 3, stride=2) == 5


def test_transposed_conv_is_conv_over_dilated_padded_input(rng):
    """The textbook construction (source 003's animations): insert s-1 zeros between input
    cells, pad k-1 around, and run an ordinary conv with the kernel rotated 180 degrees."""
    x = rng.standard_normal((1, 1, 3, 4))
    w = rng.standard_normal((1, 1, 3, 2))
    s = 2
    dil = np.zeros((1, 1, 3 * s - 1, 4 * s - 1))
    dil[..., ::s, ::s] = x
    expected = conv_nd(dil, w, padding=((2, 2), (1, 1)), flip=True)
    np.testing.assert_allclose(F.conv_transpose2d(x, w, stride=s).data, expected, rtol=1e-12)
