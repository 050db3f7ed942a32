"""convzoo.counts against independent oracles.

Oracles: (a) closed forms written here from the definitions, (b) PyTorch — parameter
counts of the equivalent ``torch.nn`` layers (sum of ``p.numel()``), output shapes of
``torch.nn.functional`` on meta tensors, and ``torch.utils.flop_counter`` (2 FLOPs per
MAC, transposed convs on the input grid) — and (c) the worked numbers of the source
articles in /work/shared/sources/, each with its file named.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest

from convzoo import counts


def _out(i, k, s=1, p=(0, 0), d=1):
    """Conv output size straight from the definition: floor((i + pads - d(k-1) - 1)/s) + 1."""
    return (i + p[0] + p[1] - d * (k - 1) - 1) // s + 1


# --------------------------------------------------------------------------- closed forms

CONV_GRID = [
    # (input_shape, out_channels, kernel, stride, padding, dilation, groups)
    ((3, 9, 9), 8, 3, 1, 0, 1, 1),
    ((4, 10, 7), 6, (3, 2), (2, 1), (1, 0), (1, 2), 2),
    ((6, 11, 8), 6, 3, 2, ((0, 2), (1, 1)), 2, 3),
    ((6, 11, 8), 12, (1, 5), 3, ((2, 0), (3, 1)), 1, 6),
    ((2, 13), 4, 4, 3, 2, 2, 2),
    ((4, 5, 6, 7), 4, (2, 3, 1), (1, 2, 2), 1, (2, 1, 1), 4),
]


@pytest.mark.parametrize("shape,out,k,s,p,d,g", CONV_GRID)
@pytest.mark.parametrize("batch", [1, 3])
def test_conv_counts_match_the_definition(shape, out, k, s, p, d, g, batch):
    n = len(shape) - 1
    tup = lambda v: v if isinstance(v, tuple) else (v,) * n  # noqa: E731
    ks, ss, ds = tup(k), tup(s), tup(d)
    pads = p if isinstance(p, tuple) and isinstance(p[0], tuple) else tuple(
        (q, q) for q in tup(p))
    spatial = [_out(i, kk, st, pp, dd)
               for i, kk, st, pp, dd in zip(shape[1:], ks, ss, pads, ds, strict=True)]
    c = counts.conv(shape, out, k, s, p, d, g, batch=batch)
    assert c.output_shape == (out, *spatial)
    assert c.params == out * (shape[0] // g) * math.prod(ks) + out
    assert c.macs == batch * out * math.prod(spatial) * (shape[0] // g) * math.prod(ks)
    assert c.flops == 2 * c.macs
    assert c.effective_kernel == tuple(dd * (kk - 1) + 1 for kk, dd in zip(ks, ds, strict=True))
    assert c.padding == pads
    assert c.output_elements == batch * out * math.prod(spatial)
    assert c.activation_bytes() == 4 * c.output_elements
    assert c.activation_bytes(8) == 8 * c.output_elements


def test_bias_flops_convention():
    plain = counts.conv((3, 8, 8), 4, 3)
    with_adds = counts.conv((3, 8, 8), 4, 3, bias_flops=True)
    no_bias = counts.conv((3, 8, 8), 4, 3, bias=False, bias_flops=True)
    assert plain.flops == 2 * plain.macs
    assert with_adds.flops == 2 * plain.macs + 4 * 6 * 6
    assert no_bias.flops == 2 * no_bias.macs


def test_dilation_does_not_change_macs_only_the_view():
    a = counts.conv((1, 20, 20), 1, 3, padding=2, dilation=2)
    b = counts.conv((1, 20, 20), 1, 3, padding=1)
    assert a.output_shape == b.output_shape and a.macs == b.macs and a.params == b.params
    assert a.effective_kernel == (5, 5)


@pytest.mark.parametrize("shape,out,k,s,p,op,d,g", [
    ((3, 4, 4), 5, 3, 2, 1, 1, 1, 1),
    ((4, 3, 5), 6, (2, 3), (3, 1), (0, 1), (2, 0), (1, 2), 2),
    ((2, 7), 4, 4, 2, ((1, 0),), 1, 1, 2),
    ((2, 2, 3, 2), 2, 2, 2, 0, 0, 1, 1),
])
def test_conv_transpose_counted_on_the_input_grid(shape, out, k, s, p, op, d, g):
    t = counts.conv_transpose(shape, out, k, s, p, op, g, True, d, batch=2)
    n = len(shape) - 1
    ks = k if isinstance(k, tuple) else (k,) * n
    assert t.params == shape[0] * (out // g) * math.prod(ks) + out
    assert t.macs == 2 * shape[0] * (out // g) * math.prod(ks) * math.prod(shape[1:])
    assert t.flops == 2 * t.macs


@pytest.mark.parametrize("i,k,s,p,d,g", [
    (9, 3, 2, 1, 1, 1), (10, 4, 3, 0, 2, 2), (7, 2, 2, 1, 3, 4), (12, 5, 1, 2, 1, 2)])
def test_conv_transpose_costs_what_its_conv_costs(i, k, s, p, d, g):
    """A transposed conv is the gradient of the conv with the same weight: same MACs."""
    fwd = counts.conv((4, i, i + 1), 8, k, s, p, d, g)
    back = counts.conv_transpose(fwd.output_shape, 4, k, s, p, 0, g, True, d)
    assert back.macs == fwd.macs
    # and it maps back to a size the conv could have come from (output_padding picks i)
    assert i - (s - 1) <= back.output_shape[1] <= i


def test_conv_transpose_output_size_picks_output_padding():
    t = counts.conv_transpose((1, 3, 3), 1, 3, stride=2, padding=1, output_size=(6, 5))
    assert t.output_shape == (1, 6, 5)
    with pytest.raises(ValueError, match="output_size"):
        counts.conv_transpose((1, 3, 3), 1, 3, stride=2, padding=1, output_size=(7, 5))
    with pytest.raises(ValueError, match="not both"):
        counts.conv_transpose((1, 3, 3), 1, 3, 2, 1, 1, output_size=(6, 6))


def test_depthwise_pointwise_separable_are_their_parts():
    dw = counts.depthwise_conv((5, 9, 9), 3, depth_multiplier=2, stride=2, padding=1)
    assert dw.output_shape == (10, 5, 5) and dw.params == 10 * 9 + 10
    assert dw.macs == 10 * 25 * 9
    pw = counts.pointwise_conv((10, 5, 5), 7, bias=False)
    assert pw.params == 70 and pw.macs == 7 * 25 * 10
    sep = counts.separable_conv((5, 9, 9), 7, 3, 2, 2, 1)
    assert [s.kind for s in sep.stages] == ["depthwise", "pointwise"]
    assert sep.params == 10 * 9 + 10 * 7 + 7          # one bias, after the pointwise stage
    assert sep.macs == 10 * 25 * 9 + 7 * 25 * 10
    assert sep.output_shape == (7, 5, 5)


@pytest.mark.parametrize("kh,kw,s,p", [(3, 3, 1, "same"), (5, 3, 2, "same"), (3, 1, 1, 0),
                                        (3, 5, (2, 1), ((1, 2), (0, 3)))])
def test_spatially_separable_is_two_one_dimensional_passes(kh, kw, s, p):
    c, o, h, w = 3, 4, 11, 9
    ss = counts.spatially_separable_conv((c, h, w), o, (kh, kw), s, p)
    full = counts.conv((c, h, w), o, (kh, kw), s, p)
    assert ss.output_shape == full.output_shape       # same output as the kh x kw conv
    col, row = ss.stages
    (pt, pb), (pl, pr) = full.padding
    sh, sw = (s, s) if isinstance(s, int) else s
    h1 = _out(h, kh, sh, (pt, pb))
    assert col.output_shape == (o, h1, w)              # the column pass leaves W alone
    assert ss.params == o * c * kh + o * o * kw + o
    assert ss.macs == o * h1 * w * c * kh + o * h1 * full.output_shape[2] * o * kw


def test_global_depthwise_conv_is_a_kernel_as_large_as_the_map():
    # 002_df810aa0f088bae7.txt: G = N = C and K = H = W gives a C x 1 x 1 output (GDC,
    # MobileFaceNet): a learned weight per position, unlike global average pooling.
    g = counts.global_depthwise_conv((512, 7, 7))
    assert g.output_shape == (512, 1, 1)
    assert g.params == 512 * 49 and g.macs == 512 * 49
    gap = counts.global_avg_pool((512, 7, 7))
    assert gap.output_shape == (512, 1, 1) and gap.params == 0


@pytest.mark.parametrize("kind", ["max", "avg", "lp"])
@pytest.mark.parametrize("shape,k,s,p,d,ceil", [
    ((2, 7, 7), 2, None, 0, 1, False),
    ((3, 7, 6), 3, 2, 1, 1, True),
    ((1, 5, 5), 2, 2, 1, 1, True),           # ceil_mode window that would start in the padding
    ((2, 9, 8), (3, 2), (2, 3), (1, 0), (2, 1), True),
])
def test_pool_counts(kind, shape, k, s, p, d, ceil):
    if kind == "max":
        c = counts.max_pool(shape, k, s, p, d, ceil)
    elif kind == "avg":
        c = counts.avg_pool(shape, k, s, p, ceil, dilation=d)
    else:
        c = counts.lp_pool(shape, 3, k, s, ceil, padding=p, dilation=d)
    kk = math.prod(k) if isinstance(k, tuple) else k ** 2
    outputs = math.prod(c.output_shape)
    per_window = {"max": kk - 1, "avg": kk, "lp": 2 * kk}[kind]
    assert c.params == 0 and c.macs == 0
    assert c.flops == outputs * per_window
    assert c.output_shape[0] == shape[0]


def test_pool_stride_defaults_to_the_window():
    # 004_01fecd32a375b158.txt: pooling keeps the channels; the default stride equals the
    # pooling size.
    assert counts.max_pool((5, 8, 8), 2).output_shape == (5, 4, 4)
    assert counts.avg_pool((5, 9, 9), 3).output_shape == (5, 3, 3)
    assert counts.lp_pool((5, 8, 8), 2, 2).output_shape == (5, 4, 4)


def test_pool_ceil_mode_drops_a_window_starting_in_the_padding():
    # 5 + 2 padding, k=2, s=2: ceil gives 4 windows but the 4th starts at 6 >= 5 + 1
    assert counts.max_pool((1, 5, 5), 2, 2, 1, ceil_mode=True).output_shape == (1, 3, 3)


def test_to_dict_is_plain_json():
    import json
    d = counts.separable_conv((4, 6, 6), 8, 3).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["params"] == 4 * 9 + 32 + 8 and len(d["stages"]) == 2
    assert d["output_elements"] == 8 * 16


# --------------------------------------------------------------------------- PyTorch

def _torch_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("n,c,o,k,g,bias", [
    (n, c, o, k, g, bias)
    for n, (c, o, g), k, bias in itertools.product(
        (1, 2, 3), ((3, 6, 1), (4, 8, 2), (6, 6, 6), (8, 4, 4)), (1, 3), (True, False))])
def test_params_match_torch(n, c, o, k, g, bias):
    torch = pytest.importorskip("torch")
    conv_cls = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)[n - 1]
    tconv_cls = (torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d,
                 torch.nn.ConvTranspose3d)[n - 1]
    shape = (c,) + (5,) * n
    kw = dict(groups=g, bias=bias, device="meta")
    assert counts.conv(shape, o, k, groups=g, bias=bias).params == _torch_params(
        conv_cls(c, o, k, **kw))
    assert counts.conv_transpose(shape, o, k, groups=g, bias=bias).params == _torch_params(
        tconv_cls(c, o, k, **kw))
    assert counts.conv_params(c, o, (k,) * n, g, bias) == _torch_params(conv_cls(c, o, k, **kw))


@pytest.mark.parametrize("c,o,k,m,bias", [(3, 4, 3, 1, False), (16, 32, 3, 1, True),
                                          (4, 6, (3, 5), 2, True), (5, 5, (1, 3), 3, False)])
def test_channel_structured_params_match_torch(c, o, k, m, bias):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    kh, kw = (k, k) if isinstance(k, int) else k
    shape = (c, 9, 9)
    dw = nn.Conv2d(c, c * m, k, groups=c, bias=bias, device="meta")
    pw = nn.Conv2d(c * m, o, 1, bias=bias, device="meta")
    assert counts.depthwise_conv(shape, k, m, bias=bias).params == _torch_params(dw)
    assert counts.pointwise_conv((c * m, 9, 9), o, bias).params == _torch_params(pw)
    sep = nn.Sequential(nn.Conv2d(c, c * m, k, groups=c, bias=False, device="meta"), pw)
    assert counts.separable_conv(shape, o, k, m, bias=bias).params == _torch_params(sep)
    ss = nn.Sequential(nn.Conv2d(c, o, (kh, 1), bias=False, device="meta"),
                       nn.Conv2d(o, o, (1, kw), bias=bias, device="meta"))
    assert counts.spatially_separable_conv(shape, o, k, bias=bias).params == _torch_params(ss)


def _torch_flops(fn):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        out = fn()
    return counter.get_total_flops(), tuple(out.shape)


CONV_TORCH_GRID = [
    # (N, input_shape, out, k, stride, padding (int/per-dim), dilation, groups)
    (1, (3, 9, 9), 8, 3, 1, 0, 1, 1),
    (2, (4, 10, 7), 6, (3, 2), (2, 1), (1, 0), (1, 2), 2),
    (1, (6, 11, 8), 6, 3, 2, 1, 2, 6),
    (3, (6, 11), 12, 5, 3, 2, 1, 3),
    (1, (4, 5, 6, 7), 4, (2, 3, 1), (1, 2, 2), 1, (2, 1, 1), 4),
]


@pytest.mark.parametrize("batch,shape,out,k,s,p,d,g", CONV_TORCH_GRID)
def test_conv_shape_and_macs_match_torch(batch, shape, out, k, s, p, d, g):
    torch = pytest.importorskip("torch")
    n = len(shape) - 1
    fn = (torch.nn.functional.conv1d, torch.nn.functional.conv2d,
          torch.nn.functional.conv3d)[n - 1]
    kk = k if isinstance(k, tuple) else (k,) * n
    x = torch.empty(batch, *shape, device="meta")
    w = torch.empty(out, shape[0] // g, *kk, device="meta")
    flops, out_shape = _torch_flops(lambda: fn(x, w, None, s, p, d, g))
    c = counts.conv(shape, out, k, s, p, d, g, bias=False, batch=batch)
    assert (batch, *c.output_shape) == out_shape
    assert c.flops == flops == 2 * c.macs


@pytest.mark.parametrize("batch,shape,out,k,s,p,op,d,g", [
    (1, (3, 4, 4), 5, 3, 2, 1, 1, 1, 1),
    (2, (4, 3, 5), 6, (2, 3), (3, 2), (0, 1), (2, 1), (1, 2), 2),
    (1, (4, 6), 8, 4, 2, 1, 0, 1, 4),
    (2, (2, 2, 3, 2), 2, 2, 2, 0, 0, 1, 1),
])
def test_conv_transpose_shape_and_macs_match_torch_flop_counter(batch, shape, out, k, s, p, op,
                                                                d, g):
    torch = pytest.importorskip("torch")
    n = len(shape) - 1
    fn = (torch.nn.functional.conv_transpose1d, torch.nn.functional.conv_transpose2d,
          torch.nn.functional.conv_transpose3d)[n - 1]
    kk = k if isinstance(k, tuple) else (k,) * n
    x = torch.empty(batch, *shape, device="meta")
    w = torch.empty(shape[0], out // g, *kk, device="meta")
    flops, out_shape = _torch_flops(lambda: fn(x, w, None, s, p, op, g, d))
    t = counts.conv_transpose(shape, out, k, s, p, op, g, False, d, batch=batch)
    assert (batch, *t.output_shape) == out_shape
    assert t.flops == flops == 2 * t.macs


def test_separable_macs_match_torch_flop_counter():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.empty(2, 6, 13, 10, device="meta")
    dw, pw = torch.empty(12, 1, 3, 3, device="meta"), torch.empty(5, 12, 1, 1, device="meta")
    flops, shape = _torch_flops(lambda: F.conv2d(F.conv2d(x, dw, None, 2, 1, 1, 6), pw))
    sep = counts.separable_conv((6, 13, 10), 5, 3, 2, 2, 1, batch=2)
    assert sep.flops == flops and (2, *sep.output_shape) == shape


@pytest.mark.parametrize("k,s,p,d,ceil", [(2, None, 0, 1, False), (3, 2, 1, 1, True),
                                          (2, 2, 1, 1, True), ((3, 2), (2, 3), (1, 0), (2, 1),
                                                               True)])
def test_pool_shapes_match_torch(k, s, p, d, ceil):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.empty(2, 3, 9, 8)
    got = counts.max_pool((3, 9, 8), k, s, p, d, ceil, batch=2)
    assert (2, *got.output_shape) == tuple(F.max_pool2d(x, k, s, p, d, ceil).shape)
    if d == 1:
        avg = counts.avg_pool((3, 9, 8), k, s, p, ceil, batch=2)
        assert (2, *avg.output_shape) == tuple(F.avg_pool2d(x, k, s, p, ceil).shape)


# --------------------------------------------------------------------------- the articles

def test_grouped_conv_64_to_64_groups_8():
    # 000_f77e0d7ce6cac7fd.txt: 64 in, 64 out, 3x3: 64*3*3*64 = 36864; 8 groups of
    # 8 in / 8 out: 8*8*3*3*8 = 4608, 1/8 of the original.
    std = counts.conv((64, 56, 56), 64, 3, padding=1, bias=False)
    grp = counts.grouped_conv((64, 56, 56), 64, 3, groups=8, padding=1, bias=False)
    assert std.params == 36864 and grp.params == 4608
    assert Fraction(grp.params, std.params) == Fraction(1, 8)
    assert Fraction(grp.macs, std.macs) == Fraction(1, 8)


@pytest.mark.parametrize("g", [1, 2, 4, 8, 16])
def test_grouped_conv_reduces_params_to_one_over_g(g):
    # 002_df810aa0f088bae7.txt (2.2/2.3): N*C/G*K*K, 1/G of N*C*K*K.
    std = counts.conv((16, 9, 9), 32, 3, bias=False)
    assert counts.conv((16, 9, 9), 32, 3, groups=g, bias=False).params * g == std.params


def test_separable_16_to_32():
    # 000_f77e0d7ce6cac7fd.txt and 003_060ca123419ba27b.txt: 16 in, 32 out, 3x3:
    # 32*3*3*16 = 4608 directly; 16*3*3 = 144 depthwise + 16*32 = 512 pointwise = 656.
    std = counts.conv((16, 32, 32), 32, 3, bias=False)
    dw = counts.depthwise_conv((16, 32, 32), 3, bias=False)
    sep = counts.separable_conv((16, 32, 32), 32, 3, bias=False)
    assert (std.params, dw.params, sep.params) == (4608, 144, 656)
    assert sep.params - dw.params == 512


def test_standard_vs_separable_3_to_4():
    # 002_df810aa0f088bae7.txt: 64x64x3 image, 4 filters of 3x3x3: N_std = 108;
    # depthwise 3x3x3 = 27; pointwise 1x1x3x4 = 12; separable 27 + 12 = 39.
    shape = (3, 64, 64)
    assert counts.conv(shape, 4, 3, padding=1, bias=False).params == 108
    assert counts.depthwise_conv(shape, 3, padding=1, bias=False).params == 27
    assert counts.pointwise_conv(shape, 4, bias=False).params == 12
    sep = counts.separable_conv(shape, 4, 3, padding=1, bias=False)
    assert sep.params == 39 and sep.output_shape == (4, 64, 64)


def test_ten_3x3x3_filters_with_bias():
    # 001_a0d86916560d8201.txt: 10 filters of 3x3x3, each 27 weights + 1 bias = 28: 280,
    # whatever the image size.
    for size in (6, 32, 224):
        assert counts.conv((3, size, size), 10, 3).params == 280


def test_channels_times_kernel_values():
    # 003_060ca123419ba27b.txt: a layer needs I * O * K parameters (K values per kernel).
    assert counts.conv((7, 20, 20), 5, (3, 4), bias=False).params == 7 * 5 * 12


def test_stacked_3x3_vs_7x7():
    # 004_01fecd32a375b158.txt: three stacked 3x3 convs (stride 1) see 7x7 like one 7x7
    # conv; with C channels throughout: 3*(3*3*C*C) = 27C^2 weights against 7*7*C*C = 49C^2.
    from convzoo import shapes
    for c in (1, 8, 64):
        layer = counts.conv((c, 28, 28), c, 3, padding=1, bias=False)
        stack = 3 * layer.params
        single = counts.conv((c, 28, 28), c, 7, padding=3, bias=False)
        assert stack == 27 * c * c and single.params == 49 * c * c
        assert 3 * layer.macs == Fraction(27, 49) * single.macs
    assert shapes.receptive_field([(3, 1, 1, 1)] * 3).size == 7
    assert shapes.receptive_field([(3, 1, 1, 1)] * 2).size == 5


def test_dilated_3x3_sees_5x5_with_9_params():
    # 003_060ca123419ba27b.txt: a 3x3 kernel with dilation rate 2 has the view of a 5x5
    # kernel and only 9 parameters.
    c = counts.conv((1, 10, 10), 1, 3, dilation=2, bias=False)
    assert c.effective_kernel == (5, 5) and c.params == 9


def test_sobel_is_spatially_separable_with_6_params():
    # 003_060ca123419ba27b.txt: Sobel = [1,0,-1] times [1,2,1]^T: 6 parameters, not 9.
    ss = counts.spatially_separable_conv((1, 6, 6), 1, 3, bias=False)
    assert ss.params == 6
    assert counts.conv((1, 6, 6), 1, 3, bias=False).params == 9
    assert ss.output_shape == (1, 4, 4)


def test_strided_conv_and_its_transpose():
    # 003_060ca123419ba27b.txt: a 5x5 image, 3x3 kernel, stride 2, no padding gives 2x2;
    # the transposed conv (stride 2, kernel 3) gives a 5x5 image back.
    down = counts.conv((1, 5, 5), 1, 3, stride=2)
    assert down.output_shape == (1, 2, 2)
    up = counts.conv_transpose(down.output_shape, 1, 3, stride=2)
    assert up.output_shape == (1, 5, 5)
    assert up.macs == down.macs == 4 * 9


def test_valid_same_and_strided_sizes():
    # 001_a0d86916560d8201.txt: 6x6 image * 3x3 filter = 4x4 (n - f + 1); 'same' pads
    # p = (f - 1)/2; with stride: floor((n + 2p - f)/s) + 1; 6x6x3 with a 3x3x3 filter
    # gives 4x4x1, with two filters 4x4x2.
    assert counts.conv((1, 6, 6), 1, 3).output_shape == (1, 4, 4)
    same = counts.conv((1, 6, 6), 1, 5, padding="same")
    assert same.output_shape == (1, 6, 6) and same.padding == ((2, 2), (2, 2))
    assert counts.conv((1, 7, 7), 1, 3, stride=2, padding=1).output_shape == (1, 4, 4)
    assert counts.conv((3, 6, 6), 1, 3).output_shape == (1, 4, 4)
    assert counts.conv((3, 6, 6), 2, 3).output_shape == (2, 4, 4)
    # 2x2 max pooling, stride 2, on a 4x4 map gives 2x2 (the article's picture)
    assert counts.max_pool((1, 4, 4), 2, 2).output_shape == (1, 2, 2)


def test_inception_naive_module_operations():
    # 001_a0d86916560d8201.txt (Lecture 9): a 28x28x256 input through parallel 1x1 (128),
    # 3x3 (192), 5x5 (96) convs, 'same' padding, and 3x3 pooling concatenated to
    # 28x28x672. The lecture's slide (a picture, not in the text) totals the conv ops at
    # 854M; the text keeps the shapes.
    shape = (256, 28, 28)
    branches = [counts.conv(shape, 128, 1, bias=False),
                counts.conv(shape, 192, 3, padding="same", bias=False),
                counts.conv(shape, 96, 5, padding="same", bias=False)]
    pool = counts.max_pool(shape, 3, 1, 1)
    assert sum(b.output_shape[0] for b in branches) + pool.output_shape[0] == 672
    assert all(b.output_shape[1:] == (28, 28) for b in [*branches, pool])
    total = sum(b.macs for b in branches)
    assert total == 854_196_224 and round(total / 1e6) == 854


@pytest.mark.parametrize("c,o,k,s", [(3, 4, 3, 1), (32, 64, 3, 2), (64, 64, 5, 1),
                                     (16, 24, 7, 2)])
def test_mobilenet_cost_ratio(c, o, k, s):
    # MobileNet (Howard et al. 2017), the depthwise-separable cost behind the articles'
    # examples: (C*k^2*H*W + C*O*H*W) / (C*O*k^2*H*W) = 1/O + 1/k^2.
    shape = (c, 28, 28)
    std = counts.conv(shape, o, k, s, "same")
    sep = counts.separable_conv(shape, o, k, 1, s, "same")
    assert Fraction(sep.macs, std.macs) == Fraction(1, o) + Fraction(1, k * k)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call,exc,match", [
    (lambda: counts.conv((4, 8, 8), 6, 3, groups=3), ValueError,
     r"groups must divide in_channels; got groups=3, in_channels=4"),
    (lambda: counts.conv((4, 8, 8), 6, 3, groups=4), ValueError,
     r"groups must divide out_channels; got groups=4, out_channels=6"),
    (lambda: counts.conv((4, 8, 8), 0, 3), ValueError, r"out_channels must be >= 1"),
    (lambda: counts.conv((4, 8, 8), 2, 0), ValueError, r"kernel_size must be >= 1"),
    (lambda: counts.conv((4, 8, 8), 2, 3, stride=0), ValueError, r"stride must be >= 1"),
    (lambda: counts.conv((4, 8, 8), 2, (3, 3, 3)), ValueError, r"kernel_size must be"),
    (lambda: counts.conv((4, 0, 8), 2, 3), ValueError, r"input_shape must be >= 1"),
    (lambda: counts.conv((4,), 2, 3), ValueError, r"input_shape must be \(C, \*spatial\)"),
    (lambda: counts.conv("4x8x8", 2, 3), TypeError, r"input_shape must be a sequence"),
    (lambda: counts.conv((4, 2, 2), 2, 3), ValueError, r"larger than the padded input"),
    (lambda: counts.conv((4, 8, 8), 2, 3, padding=-1), ValueError, r"padding must be >= 0"),
    (lambda: counts.conv((4, 8, 8), 2, 3, padding="half"), ValueError, r"padding must be"),
    (lambda: counts.conv((4, 8, 8), 2, 3, bias=1), TypeError, r"bias must be True or False"),
    (lambda: counts.conv((4, 8, 8), 2, 3, batch=0), ValueError, r"batch must be >= 1"),
    (lambda: counts.conv_transpose((4, 3, 3), 2, 3, stride=2, output_padding=2), ValueError,
     r"output_padding must be smaller than stride or dilation"),
    (lambda: counts.conv_transpose((4, 3, 3), 2, 3, padding="same"), ValueError,
     r"padding must be"),
    (lambda: counts.depthwise_conv((4, 8, 8), 3, depth_multiplier=0), ValueError,
     r"depth_multiplier must be >= 1"),
    (lambda: counts.lp_pool((4, 8, 8), 0, 2), ValueError, r"norm_type must be"),
    (lambda: counts.max_pool((4, 8, 8), 2, ceil_mode="yes"), TypeError, r"ceil_mode must be"),
    (lambda: counts.conv((4, 8, 8), 2, 3).activation_bytes(0), ValueError,
     r"itemsize must be >= 1"),
    (lambda: counts.conv_params(4, 6, 3, groups=4), ValueError, r"groups must divide"),
])
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
