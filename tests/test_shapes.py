"""``convzoo.shapes`` against hand-written formulas, brute-force counts and PyTorch's sizes.

Every expected number here is computed in this file in a different way from the library:
by counting window positions, by the TF/ONNX padding rules (``naive.explicit_pads``), by
enumerating the input cells a unit depends on, or by asking PyTorch for the shape.
"""

from __future__ import annotations

import itertools
import math
import warnings

import pytest

from convzoo import shapes
from naive import explicit_pads

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _window_starts(padded, extent, stride):
    """Windows that fit: every start 0, s, 2s, ... with start + extent <= padded."""
    return len(range(0, padded - extent + 1, stride))


# --- conv output sizes --------------------------------------------------------------------

GRID = list(itertools.product(range(1, 11), range(1, 5), range(1, 4), range(1, 3)))


def test_effective_kernel_size():
    for k, d in itertools.product(range(1, 8), range(1, 5)):
        # k taps with d-1 holes between neighbours
        assert shapes.effective_kernel_size(k, d) == k + (k - 1) * (d - 1)


@pytest.mark.parametrize("pads", [(0, 0), (1, 1), (0, 2), (2, 1), (3, 0)])
def test_conv_output_size_explicit_padding(pads):
    for i, k, s, d in GRID:
        extent = k + (k - 1) * (d - 1)
        padded = i + pads[0] + pads[1]
        if padded < extent:
            with pytest.raises(ValueError, match="larger than the padded input"):
                shapes.conv_output_size(i, k, s, (pads,), d)
            continue
        expected = _window_starts(padded, extent, s)
        assert expected == math.floor((padded - extent) / s) + 1
        assert shapes.conv_output_size(i, k, s, (pads,), d) == expected
        if pads[0] == pads[1]:
            assert shapes.conv_output_size(i, k, s, pads[0], d) == expected


@pytest.mark.parametrize("mode", ["valid", "same", "same_lower", "full"])
def test_conv_output_size_modes(mode):
    for i, k, s, d in GRID:
        extent = d * (k - 1) + 1
        if mode == "valid" and i < extent:
            continue
        got = shapes.conv_output_size(i, k, s, mode, d)
        if mode == "valid":
            assert got == (i - extent) // s + 1
        elif mode == "full":
            assert got == (i + extent - 2) // s + 1     # i + 2(e-1) - e = i + e - 2
        else:
            assert got == -(-i // s)                      # ceil(i / s)
        (lo, hi), = explicit_pads(mode, (i,), k, s, d)
        assert got == _window_starts(i + lo + hi, extent, s)


def test_conv_output_size_per_dim_and_tuples():
    assert shapes.conv_output_size((7, 8, 9), (3, 2, 1), (2, 3, 1), ((1, 0), 2, (0, 3)),
                                   (1, 2, 1)) == (
        (7 + 1 - 3) // 2 + 1, (8 + 4 - 3) // 3 + 1, (9 + 3 - 1) // 1 + 1)
    assert shapes.conv_output_size((6, 5), 3) == (4, 3)
    # an int input_size with one dim gives an int; a tuple input_size always a tuple
    assert shapes.conv_output_size(6, (3,)) == 4
    assert shapes.conv_output_size((6,), 3) == (4,)
    assert shapes.conv_output_size(6, (3, 2)) == (4, 5)


# --- resolved padding ------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["valid", "same", "same_lower", "full"])
def test_resolve_padding_matches_tf_onnx_definitions(mode):
    for i, k, s, d in GRID:
        assert shapes.resolve_padding(mode, (i,), (k,), (s,), (d,)) == explicit_pads(
            mode, (i,), k, s, d)
    assert shapes.resolve_padding(mode.upper(), 5, 3) == explicit_pads(mode, (5,), 3)


def test_resolve_padding_explicit_forms():
    assert shapes.resolve_padding(2, (5, 6), 3) == ((2, 2), (2, 2))
    assert shapes.resolve_padding((1, 2), (5, 6), 3) == ((1, 1), (2, 2))
    assert shapes.resolve_padding(((0, 1), (3, 2)), (5, 6), 3) == ((0, 1), (3, 2))
    assert shapes.resolve_padding(((0, 1), 2), (5, 6), 3) == ((0, 1), (2, 2))


def test_same_padding_one_dim():
    # i=10, k=4, s=3: out 4, total 3*3 + 4 - 10 = 3 -> upper (1, 2), lower (2, 1)
    assert shapes.same_padding(10, 4, 3) == (1, 2)
    assert shapes.same_padding(10, 4, 3, lower=True) == (2, 1)
    # stride larger than the kernel: no padding needed (total would be negative)
    assert shapes.same_padding(9, 1, 3) == (0, 0)
    # dilation 2, k=3 -> extent 5 at stride 1: total 4
    assert shapes.same_padding(7, 3, 1, 2) == (2, 2)


def test_same_padding_at_stride_1_keeps_size_and_matches_torch(rng):
    for i, k, d in itertools.product(range(2, 9), range(1, 5), range(1, 3)):
        x = torch.zeros(1, 1, i)
        w = torch.zeros(1, 1, k)
        assert shapes.conv_output_size(i, k, 1, "same", d) == i
        with warnings.catch_warnings():   # torch notes it copies the input for even kernels
            warnings.simplefilter("ignore", UserWarning)
            assert TF.conv1d(x, w, padding="same", dilation=d).shape[-1] == i


# --- pooling ---------------------------------------------------------------------------------

def _torch_pool_size(i, k, s, p, d, ceil):
    x = torch.zeros(1, 1, i)
    return TF.max_pool1d(x, k, s, p, d, ceil_mode=ceil).shape[-1]


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_output_size_matches_torch_max_pool(ceil_mode):
    checked = 0
    for i, k, s, d in GRID:
        for p in range(0, k // 2 + 1):      # torch allows padding up to half the kernel
            extent = d * (k - 1) + 1
            if i + 2 * p < extent:
                continue
            got = shapes.pool_output_size(i, k, s, p, d, ceil_mode)
            assert got == _torch_pool_size(i, k, s, p, d, ceil_mode), (i, k, s, p, d)
            checked += 1
    assert checked > 300


def test_pool_output_size_hand_formula_with_ceil_mode():
    for (i, k, s, d), p in itertools.product(GRID, range(3)):
        extent = d * (k - 1) + 1
        if i + 2 * p < extent:
            continue
        floor_out = (i + 2 * p - extent) // s + 1
        ceil_out = math.ceil((i + 2 * p - extent) / s) + 1
        # PyTorch drops a last window that would start in the right padding
        if (ceil_out - 1) * s >= i + p:
            ceil_out -= 1
        assert shapes.pool_output_size(i, k, s, p, d) == floor_out
        assert shapes.pool_output_size(i, k, s, p, d, ceil_mode=True) == ceil_out


def test_pool_ceil_mode_last_window_starting_in_padding_is_dropped():
    # i=5, k=2, s=2, p=1: padded length 7; ceil gives starts 0, 2, 4, 6 but the window at 6
    # starts in the right padding (cells 0 and 6 are padding), so only 3 windows remain
    assert shapes.pool_output_size(5, 2, 2, 1, ceil_mode=True) == 3
    assert _torch_pool_size(5, 2, 2, 1, 1, True) == 3
    # i=6, k=3, s=2, p=1: starts 0, 2, 4, 6; the one at 6 starts on input cell 5: kept
    assert shapes.pool_output_size(6, 3, 2, 1, ceil_mode=True) == 4
    assert _torch_pool_size(6, 3, 2, 1, 1, True) == 4


def test_pool_output_size_defaults_and_avg_pool():
    assert shapes.pool_output_size(7, 2) == 3                      # stride defaults to kernel
    assert shapes.pool_output_size(7, 2, ceil_mode=True) == 4
    assert shapes.pool_output_size((7, 8), (3, 2), (2, 2), 1, ceil_mode=True) == (4, 5)
    for i, k, s in itertools.product(range(2, 10), range(1, 4), range(1, 4)):
        if i < k:
            continue
        for p in range(0, k // 2 + 1):
            for ceil in (False, True):
                x = torch.zeros(1, 1, i)
                ref = TF.avg_pool1d(x, k, s, p, ceil_mode=ceil).shape[-1]
                assert shapes.pool_output_size(i, k, s, p, ceil_mode=ceil) == ref


# --- transposed conv -----------------------------------------------------------------------

def test_conv_transpose_output_size_hand_formula_and_torch():
    for (i, k, s, d), p in itertools.product(GRID, range(3)):
        for op in range(max(s, d)):
            expected = (i - 1) * s - 2 * p + d * (k - 1) + 1 + op
            if expected < 1:
                with pytest.raises(ValueError, match="reduce padding"):
                    shapes.conv_transpose_output_size(i, k, s, p, op, d)
                continue
            assert shapes.conv_transpose_output_size(i, k, s, p, op, d) == expected
            y = TF.conv_transpose1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s,
                                    padding=p, output_padding=op, dilation=d)
            assert y.shape[-1] == expected


def test_conv_transpose_output_size_asymmetric_and_rejections():
    assert shapes.conv_transpose_output_size((3, 4), (3, 2), (2, 3), ((1, 0), (0, 2)),
                                             (1, 2)) == (2 * 2 - 1 + 3 + 1, 3 * 3 - 2 + 2 + 2)
    with pytest.raises(ValueError, match=r"output_padding must be smaller than stride or "
                                         r"dilation; got output_padding=2 with stride=2, "
                                         r"dilation=1"):
        shapes.conv_transpose_output_size(3, 3, 2, 0, 2)
    with pytest.raises(ValueError, match="padding must be an int"):
        shapes.conv_transpose_output_size(3, 3, 2, "same")


def test_output_padding_for_size_every_reachable_size():
    for (i, k, s, d), p in itertools.product(GRID, range(2)):
        smallest = (i - 1) * s - 2 * p + d * (k - 1) + 1
        if smallest < 1:
            continue
        for extra in range(s):
            assert shapes.output_padding_for_size(i, k, smallest + extra, s, p, d) == (extra,)
        with pytest.raises(ValueError, match=rf"valid sizes are {smallest}\.\.{smallest + s - 1}"):
            shapes.output_padding_for_size(i, k, smallest + s, s, p, d)


# --- receptive fields -------------------------------------------------------------------------

def _brute_force_field(layers, unit):
    """Input indices (on an unbounded line; negatives are padding) that ``unit`` depends on."""
    cells = {unit}
    for k, s, p, d in reversed(layers):
        cells = {c * s - p + t * d for c in cells for t in range(k)}
    return min(cells), max(cells)


def test_receptive_field_matches_brute_force_over_random_chains():
    import numpy as np

    gen = np.random.default_rng(7)
    for _ in range(200):
        layers = [(int(gen.integers(1, 6)), int(gen.integers(1, 4)), int(gen.integers(0, 3)),
                   int(gen.integers(1, 3))) for _ in range(int(gen.integers(1, 6)))]
        rf = shapes.receptive_field(layers)
        lo0, hi0 = _brute_force_field(layers, 0)
        lo1, _ = _brute_force_field(layers, 1)
        assert rf.size == hi0 - lo0 + 1, layers
        assert rf.jump == lo1 - lo0, layers
        assert rf.start == (lo0 + hi0) / 2, layers


def test_three_stacked_3x3_convs_see_7x7():
    # source 004: "the second layer sees a 5x5 region of the input, the third a 7x7 region";
    # DESIGN.md: 27 C^2 weights against 49 C^2 for one 7x7 conv
    assert shapes.receptive_field([(3, 1, 1, 1)] * 2).size == 5
    rf = shapes.receptive_field([(3, 1, 1, 1)] * 3)
    assert (rf.size, rf.jump, rf.start) == (7, 1, 0.0)
    c = 64
    assert 3 * (3 * 3 * c * c) == 27 * c * c and 7 * 7 * c * c == 49 * c * c


def test_receptive_field_published_examples():
    # Dang Ha The Hien, "A guide to receptive field arithmetic for CNNs" (2017): 5x5 input,
    # two convs k=3, p=1, s=2 -> (j, r, start) = (2, 3, 0.5) then (4, 7, 0.5), with pixel
    # centres at 0.5; here centres are at 0, so start is 0.0
    one = shapes.receptive_field([(3, 2, 1, 1)])
    two = shapes.receptive_field([(3, 2, 1, 1)] * 2)
    assert (one.jump, one.size, one.start + 0.5) == (2, 3, 0.5)
    assert (two.jump, two.size, two.start + 0.5) == (4, 7, 0.5)
    # Araujo, Norris & Sim, "Computing Receptive Fields of CNNs" (Distill 2019): AlexNet 195,
    # VGG-16 212 (to pool5)
    alexnet = [(11, 4, 0, 1), (3, 2, 0, 1), (5, 1, 2, 1), (3, 2, 0, 1), (3, 1, 1, 1),
               (3, 1, 1, 1), (3, 1, 1, 1), (3, 2, 0, 1)]
    assert shapes.receptive_field(alexnet).size == 195
    vgg16 = []
    for convs in (2, 2, 3, 3, 3):
        vgg16 += [(3, 1, 1, 1)] * convs + [(2, 2, 0, 1)]
    assert shapes.receptive_field(vgg16).size == 212
    assert shapes.receptive_field(vgg16).jump == 32


def test_receptive_field_step_dilation():
    # a 3x3 conv with dilation 2 spans 5 cells; after a stride-2 layer each tap is 2 apart
    rf = shapes.receptive_field_step(shapes.ReceptiveField(1, 1, 0.0), 3, 1, 0, 2)
    assert (rf.size, rf.jump, rf.start) == (5, 1, 2.0)
    rf = shapes.receptive_field_step(shapes.ReceptiveField(3, 2, 1.0), 3, 1, 1, 1)
    assert (rf.size, rf.jump, rf.start) == (7, 2, 1.0)


def test_ceil_div():
    for a, b in itertools.product(range(-5, 20), range(1, 6)):
        assert shapes.ceil_div(a, b) == math.ceil(a / b)


# --- bad arguments ------------------------------------------------------------------------

def test_shapes_reject_zero_kernel():
    with pytest.raises(ValueError, match=r"kernel_size must be >= 1; got kernel_size=0"):
        shapes.conv_output_size(5, 0)


def test_shapes_reject_zero_stride():
    with pytest.raises(ValueError, match=r"stride must be >= 1; got stride=0"):
        shapes.conv_output_size(5, 3, stride=0)


def test_shapes_reject_negative_dilation():
    with pytest.raises(ValueError, match=r"dilation must be >= 1; got dilation=-1"):
        shapes.pool_output_size(5, 3, dilation=-1)


def test_shapes_reject_negative_padding():
    with pytest.raises(ValueError, match=r"padding must be >= 0; got padding=-1"):
        shapes.conv_output_size(5, 3, padding=-1)


def test_shapes_reject_unknown_mode():
    with pytest.raises(ValueError, match=r"got padding='half'"):
        shapes.resolve_padding("half", 5, 3)


def test_shapes_reject_zero_input_size():
    with pytest.raises(ValueError, match=r"input_size must be >= 1; got input_size=0"):
        shapes.conv_output_size(0, 1)


def test_shapes_reject_unreachable_output_size():
    with pytest.raises(ValueError, match=r"output_size 9 is not reachable in spatial dim 0: "
                                         r"valid sizes are 5\.\.6"):
        shapes.output_padding_for_size(2, 3, 9, stride=2)


def test_cached_sizes_still_reject_lookalike_arguments():
    # the size functions are memoised for plain ints; 7.0 == 7 and True == 1 must not hit
    # the cached int answers and skip the type checks
    assert shapes.conv_output_size(7, 3) == 5
    assert shapes.conv_output_size(7, 3) == 5
    with pytest.raises(TypeError, match="input_size"):
        shapes.conv_output_size(7.0, 3)
    with pytest.raises((TypeError, ValueError), match="kernel_size"):
        shapes.conv_output_size(7, True)
    assert shapes.pool_output_size((5, 5), (2, 2), ceil_mode=True) == (3, 3)
    assert shapes.pool_output_size([5, 5], [2, 2], ceil_mode=True) == (3, 3)


def test_cached_sizes_keep_bool_flags_apart_from_ints():
    # ceil_mode is a bool; a bool where a size belongs must still be refused after caching
    assert shapes.pool_output_size(5, 2, 2, 0, 1, True) == 3
    assert shapes.pool_output_size(5, 2, 2, 0, 1, False) == 2
    assert shapes.pool_output_size(5, 2, 2, 0, 1, True) == 3
    shapes.conv_output_size(5, 1)
    with pytest.raises((TypeError, ValueError), match="kernel_size"):
        shapes.conv_output_size(5, True)
