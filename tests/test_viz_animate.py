"""Animations: frame counts, highlighted cells and values against formulas and PyTorch.

Oracles (never convzoo's own output):
* the output-size formulas and the paper's sizes (Dumoulin & Visin 2016), written here;
* the cells a frame highlights: the definition ``input[a·s − p + t·d]`` written here, and
  the non-zero pattern of PyTorch's Jacobian (conv on the explicitly padded input, and
  the uncropped transposed conv);
* the numeric values: PyTorch's conv2d / conv_transpose2d / max_pool2d / avg_pool2d and
  a naive loop; the files: Pillow reads the GIF back (format, frame count, durations).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from convzoo import viz
from convzoo.cli import main
from convzoo.viz.animation import animate
from convzoo.viz.channels import plan_channels
from convzoo.viz.draw import INPUT, TAP, WindowRenderer, blend
from convzoo.viz.frames import plan_window
from convzoo.viz.presets import CLASSIC, PRESETS, STRIDED_TRANSPOSED

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

# Dumoulin & Visin, "A guide to convolution arithmetic for deep learning": name -> (op,
# input, kernel, stride, padding, dilation, output_padding, expected output size)
PAPER = {
    "no_padding_no_strides": ("conv", 4, 3, 1, 0, 1, 0, 2),
    "arbitrary_padding_no_strides": ("conv", 5, 4, 1, 2, 1, 0, 6),
    "same_padding_no_strides": ("conv", 5, 3, 1, 1, 1, 0, 5),
    "full_padding_no_strides": ("conv", 5, 3, 1, 2, 1, 0, 7),
    "no_padding_no_strides_transposed": ("conv_transpose", 2, 3, 1, 0, 1, 0, 4),
    "arbitrary_padding_no_strides_transposed": ("conv_transpose", 6, 4, 1, 2, 1, 0, 5),
    "same_padding_no_strides_transposed": ("conv_transpose", 5, 3, 1, 1, 1, 0, 5),
    "full_padding_no_strides_transposed": ("conv_transpose", 7, 3, 1, 2, 1, 0, 5),
    "no_padding_strides": ("conv", 5, 3, 2, 0, 1, 0, 2),
    "padding_strides": ("conv", 5, 3, 2, 1, 1, 0, 3),
    "padding_strides_odd": ("conv", 6, 3, 2, 1, 1, 0, 3),
    "dilation": ("conv", 7, 3, 1, 0, 2, 0, 3),
    "no_padding_strides_transposed": ("conv_transpose", 2, 3, 2, 0, 1, 0, 5),
    "padding_strides_transposed": ("conv_transpose", 3, 3, 2, 1, 1, 0, 5),
    "padding_strides_odd_transposed": ("conv_transpose", 3, 3, 2, 1, 1, 1, 6),
}
ARTICLE_ORDER = ["no_padding_no_strides", "arbitrary_padding_no_strides",
                 "same_padding_no_strides", "full_padding_no_strides",
                 "no_padding_no_strides_transposed", "arbitrary_padding_no_strides_transposed",
                 "same_padding_no_strides_transposed", "full_padding_no_strides_transposed",
                 "no_padding_strides", "padding_strides", "padding_strides_odd", "dilation"]


def conv_out(i, k, s, lo, hi, d):
    return (i + lo + hi - (d * (k - 1) + 1)) // s + 1


def tconv_out(i, k, s, lo, hi, d, op):
    return (i - 1) * s - lo - hi + d * (k - 1) + 1 + op


def expected_cells(a, b, s, pads, d, k):
    """Cells the window of frame (a, b) touches: position·stride − pad_before + tap·dilation."""
    rows = [a * s[0] - pads[0][0] + t * d[0] for t in range(k[0])]
    cols = [b * s[1] - pads[1][0] + t * d[1] for t in range(k[1])]
    return {(r, c) for r in rows for c in cols}


# ------------------------------------------------------------------ the classic presets

def test_classic_is_the_articles_twelve_in_order():
    assert [p.name for p in PRESETS["classic"]] == ARTICLE_ORDER
    assert len({p.name for p in PRESETS["conv_arithmetic"]}) == 15


@pytest.mark.parametrize("preset", CLASSIC + STRIDED_TRANSPOSED, ids=lambda p: p.name)
def test_preset_sizes_frames_and_cells(preset):
    op, i, k, s, p, d, op_pad, out = PAPER[preset.name]
    plan = preset.animation().plan
    assert plan.op == op
    assert plan.input_size == (i, i) and plan.output_size == (out, out)
    if op == "conv":
        assert conv_out(i, k, s, p, p, d) == out
        assert plan.n_frames == out * out
    else:
        assert tconv_out(i, k, s, p, p, d, op_pad) == out
        assert plan.n_frames == i * i          # one frame per input cell scattered
    n = out if op == "conv" else i
    for f in range(plan.n_frames):
        frame = plan.frame(f)
        a, b = divmod(f, n)
        assert frame.position == (a, b)
        assert set(frame.cells) == expected_cells(a, b, (s, s), ((p, p), (p, p)), (d, d), (k, k))
        assert len(frame.cells) == k * k


# ------------------------------------------------------------------ cells vs torch Jacobian

GRID = [
    # input, kernel, stride, padding, dilation
    ((5, 5), (3, 3), (1, 1), 0, (1, 1)),
    ((6, 7), (3, 2), (2, 1), ((1, 0), (2, 1)), (1, 1)),
    ((7, 6), (3, 3), (2, 2), "same", (1, 1)),
    ((6, 6), (2, 2), (2, 2), "same_lower", (1, 1)),
    ((4, 5), (3, 3), (1, 2), "full", (1, 1)),
    ((8, 7), (3, 2), (1, 2), (2, 1), (2, 3)),
    ((5, 5), (1, 1), (3, 3), 0, (1, 1)),
]


@pytest.mark.parametrize("size, kernel, stride, padding, dilation", GRID)
def test_conv_cells_are_torch_jacobian_support(size, kernel, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    plan = plan_window("conv", size, kernel, stride, padding, dilation)
    (t, b), (left, r) = plan.padding
    if padding == "same":   # SAME_UPPER: the odd cell goes at the end
        for i, k, s, (lo, hi) in zip(size, kernel, stride, plan.padding):
            total = max((-(-i // s) - 1) * s + k - i, 0)
            assert (lo, hi) == (total // 2, total - total // 2)
    hp, wp = size[0] + t + b, size[1] + left + r
    # the Jacobian of a linear map, one column per sample: sample n is one-hot at padded cell n
    onehot = torch.eye(hp * wp, dtype=torch.float64).reshape(hp * wp, 1, hp, wp)
    y = torch.nn.functional.conv2d(onehot, torch.ones((1, 1, *kernel), dtype=torch.float64),
                                   stride=stride, dilation=dilation)
    assert tuple(y.shape[2:]) == plan.output_size
    assert plan.n_frames == y.shape[2] * y.shape[3]
    for f in range(plan.n_frames):
        a, c = divmod(f, y.shape[3])
        reads = np.nonzero(y[:, 0, a, c].numpy())[0]
        support = {(int(n) // wp - t, int(n) % wp - left) for n in reads}
        assert set(plan.frame(f).cells) == support


@pytest.mark.parametrize("size, kernel, stride, padding, dilation, output_padding", [
    ((2, 2), (3, 3), (2, 2), 0, (1, 1), 0),
    ((3, 4), (3, 2), (2, 3), ((1, 0), (0, 2)), (1, 1), (1, 2)),
    ((3, 3), (3, 3), (1, 2), 1, (2, 1), (1, 0)),
    ((4, 2), (2, 3), (1, 1), (1, 2), (1, 2), 0),
])
def test_transposed_cells_are_torch_jacobian_support(size, kernel, stride, padding, dilation,
                                                     output_padding):
    """Frame (a, b) lights the cells input[a, b] feeds in the UNCROPPED output, minus p."""
    torch = pytest.importorskip("torch")
    plan = plan_window("conv_transpose", size, kernel, stride, padding, dilation,
                       output_padding=output_padding)
    pads = plan.padding
    n = size[0] * size[1]
    onehot = torch.eye(n, dtype=torch.float64).reshape(n, 1, *size)
    w = torch.ones((1, 1, *kernel), dtype=torch.float64)
    full = torch.nn.functional.conv_transpose2d(onehot, w, stride=stride, dilation=dilation)
    ops = (output_padding,) * 2 if isinstance(output_padding, int) else output_padding
    for dim in range(2):
        expect = tconv_out(size[dim], kernel[dim], stride[dim], *pads[dim], dilation[dim],
                           ops[dim])
        assert plan.output_size[dim] == expect
    assert plan.n_frames == n
    for f in range(n):   # sample f is input cell f alone: where does it land, uncropped?
        support = {(int(i) - pads[0][0], int(j) - pads[1][0])
                   for i, j in zip(*np.nonzero(full[f, 0].numpy()))}
        assert set(plan.frame(f).cells) == support


@pytest.mark.parametrize("op, size, kernel, stride, padding, dilation, ceil", [
    ("max_pool", (5, 5), (2, 2), None, 0, (1, 1), True),
    ("avg_pool", (6, 7), (3, 3), (2, 2), 1, (1, 1), True),
    ("max_pool", (7, 7), (3, 2), (2, 2), ((1, 0), (0, 1)), (2, 1), False),
])
def test_pool_frames_and_cells(op, size, kernel, stride, padding, dilation, ceil):
    plan = plan_window(op, size, kernel, stride, padding, dilation, ceil_mode=ceil)
    s = kernel if stride is None else stride
    outs = []
    for dim in range(2):
        lo, hi = plan.padding[dim]
        span = size[dim] + lo + hi - (dilation[dim] * (kernel[dim] - 1) + 1)
        o = (-(-span // s[dim]) if ceil else span // s[dim]) + 1
        if ceil and (o - 1) * s[dim] >= size[dim] + lo:   # PyTorch drops such a window
            o -= 1
        outs.append(o)
    assert plan.output_size == tuple(outs)
    assert plan.n_frames == outs[0] * outs[1]
    for f in range(plan.n_frames):
        a, b = divmod(f, outs[1])
        assert set(plan.frame(f).cells) == expected_cells(a, b, s, plan.padding, dilation, kernel)


# ------------------------------------------------------------------ numeric values

def naive_conv(x, w, s, pads, d):
    xp = np.pad(x, pads)
    kh, kw = w.shape
    oh = (xp.shape[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (xp.shape[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    y = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    y[i, j] += w[a, b] * xp[i * s[0] + a * d[0], j * s[1] + b * d[1]]
    return y


@pytest.mark.parametrize("preset", CLASSIC + STRIDED_TRANSPOSED, ids=lambda p: p.name)
def test_numeric_values_are_the_operators_output(preset):
    torch = pytest.importorskip("torch")
    anim = preset.animation(numeric=True)
    plan, v = anim.plan, anim.values
    x = torch.tensor(v.input[None, None])
    w = torch.tensor(v.kernel[None, None])
    p = plan.padding[0][0]
    if plan.op == "conv":
        ref = torch.nn.functional.conv2d(x, w, stride=plan.stride, padding=p,
                                         dilation=plan.dilation)[0, 0].numpy()
        np.testing.assert_allclose(v.output, naive_conv(v.input, v.kernel, plan.stride,
                                                        plan.padding, plan.dilation))
        for f in range(anim.n_frames):   # a conv frame shows outputs 0..f, the rest blank
            shown = v.output_after(f).reshape(-1)
            assert np.all(np.isnan(shown[f + 1:]))
            np.testing.assert_allclose(shown[:f + 1], ref.reshape(-1)[:f + 1])
    else:
        kw = {"stride": plan.stride, "padding": p, "dilation": plan.dilation,
              "output_padding": plan.output_padding}
        ref = torch.nn.functional.conv_transpose2d(x, w, **kw)[0, 0].numpy()
        flat = v.input.reshape(-1)
        for f in range(anim.n_frames):   # running sums: input cells 0..f scattered so far
            masked = np.where(np.arange(flat.size) <= f, flat, 0.0).reshape(v.input.shape)
            partial = torch.nn.functional.conv_transpose2d(torch.tensor(masked[None, None]), w,
                                                           **kw)[0, 0].numpy()
            np.testing.assert_allclose(v.output_after(f), partial, atol=1e-12)
        np.testing.assert_allclose(v.partial[-1], ref, atol=1e-12)
    np.testing.assert_allclose(v.output, ref, atol=1e-12)
    assert np.all(v.input == np.round(v.input)) and v.input.min() >= 0 and v.input.max() <= 3


def test_numeric_pooling_values_and_argmax():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 5, 2, 0, 3], [4, 0, 9, 1, 1], [2, 8, 3, 7, 0], [6, 1, 0, 2, 5],
                  [0, 3, 4, 1, 2]])
    anim = animate("max_pool", 5, 2, ceil_mode=True, numeric=True, input_values=x)
    ref, idx = torch.nn.functional.max_pool2d(torch.tensor(x[None, None]), 2, ceil_mode=True,
                                              return_indices=True)
    np.testing.assert_array_equal(anim.values.output, ref[0, 0].numpy())
    for f in range(anim.n_frames):
        frame = anim.plan.frame(f)
        r, c = anim.values.argmax[frame.position]
        assert (r, c) in frame.cells and x[r, c] == anim.values.output[frame.position]
        assert r * 5 + c == int(idx[0, 0][frame.position])
    avg = animate("avg_pool", (5, 6), 3, stride=2, padding=1, numeric=True, input_values=x[:, :5]
                  .repeat(2, axis=1)[:, :6])
    ref = torch.nn.functional.avg_pool2d(torch.tensor(avg.values.input[None, None]), 3, 2, 1)
    np.testing.assert_allclose(avg.values.output, ref[0, 0].numpy())


def test_numeric_given_values_and_asymmetric_padding():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((4, 6)), rng.standard_normal((2, 3))
    anim = animate("conv", (4, 6), (2, 3), (1, 2), ((1, 0), (2, 1)), (1, 2), numeric=True,
                   input_values=x, kernel_values=w)
    xp = torch.nn.functional.pad(torch.tensor(x[None, None]), (2, 1, 1, 0))
    ref = torch.nn.functional.conv2d(xp, torch.tensor(w[None, None]), stride=(1, 2),
                                     dilation=(1, 2))
    np.testing.assert_allclose(anim.values.output, ref[0, 0].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(anim.values.output, naive_conv(x, w, (1, 2), ((1, 0), (2, 1)),
                                                              (1, 2)), atol=1e-12)


# ------------------------------------------------------------------ channel structure

@pytest.mark.parametrize("c_in, c_out, groups", [(4, 4, 2), (6, 9, 3), (8, 4, 4), (3, 6, 1)])
def test_grouped_wiring(c_in, c_out, groups):
    plan = plan_channels("grouped", c_in, c_out, 3, groups)
    per_in, per_out = c_in // groups, c_out // groups
    expect = np.array([[o // per_out == c // per_in for c in range(c_in)] for o in range(c_out)])
    np.testing.assert_array_equal(plan.stages[0].connections, expect)
    assert plan.n_frames == c_out
    assert plan.params == c_out * per_in * 9


def test_depthwise_and_separable_wiring():
    dw = plan_channels("depthwise", 3, depth_multiplier=2)
    expect = np.array([[o // 2 == c for c in range(3)] for o in range(6)])
    np.testing.assert_array_equal(dw.stages[0].connections, expect)
    sep = plan_channels("separable", 16, 32)
    assert sep.params == 656                    # the article: 16*3*3 + 16*32
    assert sep.stages[1].connections.all()
    assert sep.n_frames == 16 + 32
    assert [sep.frame(f) for f in (0, 15, 16, 47)] == [(0, 0), (0, 15), (1, 0), (1, 31)]
    assert plan_channels("separable", 3, 4).params == 39     # 27 + 12


# ------------------------------------------------------------------ pictures and files

def test_frame_pixels_show_the_plan():
    """The cells drawn dark in a frame are exactly the planned footprint."""
    plan = plan_window("conv", 6, 3, stride=2, padding=1, dilation=1)
    draw = WindowRenderer(plan)
    dark = blend(INPUT, TAP, 0.78)
    for f in (0, 4, 8):
        img = draw.render(f)
        cells = set(plan.frame(f).cells)
        for r in range(6):
            for c in range(6):
                x0, y0, _, _ = draw._xy(draw.left_origin, draw.left, r, c)
                pixel = img.getpixel((x0 + 4, y0 + 4))
                assert pixel == (dark if (r, c) in cells else INPUT), (f, r, c, pixel)


def test_gif_and_mp4_files(tmp_path):
    anim = animate("conv_transpose", 2, 3, stride=2, numeric=True,
                   out=tmp_path / "t.gif", mp4=shutil.which("ffmpeg") is not None, fps=2)
    with Image.open(anim.files[0]) as gif:
        assert gif.format == "GIF" and gif.is_animated and gif.n_frames == 4
        sizes, durations = set(), []
        for i in range(gif.n_frames):
            gif.seek(i)
            sizes.add(gif.size)
            durations.append(gif.info["duration"])
        assert len(sizes) == 1 and durations == [500, 500, 500, 1500]
    if shutil.which("ffmpeg"):
        data = anim.files[1].read_bytes()
        assert anim.files[1].suffix == ".mp4" and data[4:8] == b"ftyp" and len(data) > 1000


def test_channel_animation_gif(tmp_path):
    anim = viz.animate("separable", in_channels=3, out_channels=4, out=tmp_path / "s.gif",
                       mp4=False)
    with Image.open(anim.files[0]) as gif:
        assert gif.n_frames == 3 + 4
    assert len(anim.files) == 1


def test_cli_animate_and_presets(tmp_path, capsys):
    assert main(["animate", "conv", "--input", "6x5", "--kernel-size", "3", "--stride", "2",
                 "--padding", "1,0,0,1", "--numeric", "--no-mp4",
                 "--out", str(tmp_path / "c.gif")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "c.gif")
    with Image.open(tmp_path / "c.gif") as gif:   # padding top 1, bottom 0, left 0, right 1
        assert gif.n_frames == conv_out(6, 3, 2, 1, 0, 1) * conv_out(5, 3, 2, 0, 1, 1)
    assert main(["animate", "--preset", "classic", "--no-numeric", "--no-mp4",
                 "--out", str(tmp_path / "classic")]) == 0
    written = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[-1] for p in written] == [f"{n}.gif" for n in ARTICLE_ORDER]
    for name in ARTICLE_ORDER:
        op, i, k, s, p, d, op_pad, out = PAPER[name]
        with Image.open(tmp_path / "classic" / f"{name}.gif") as gif:
            assert gif.n_frames == (out * out if op == "conv" else i * i), name
    assert main(["animate", "--list-presets"]) == 0
    assert "padding_strides_odd" in capsys.readouterr().out


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("kwargs, error, match", [
    ({"op": "conv3d"}, ValueError, "op must be one of"),
    ({"op": "conv", "ceil_mode": True}, ValueError, "ceil_mode applies to pooling only"),
    ({"op": "conv", "output_padding": 1}, ValueError, "output_padding applies to"),
    ({"op": "conv", "groups": 2}, ValueError, "groups applies to the channel ops"),
    ({"op": "grouped", "numeric": True}, ValueError, "numeric applies to the sliding-window"),
    ({"op": "grouped", "stride": 2}, ValueError, "stride applies to the sliding-window"),
    ({"op": "grouped", "in_channels": 4, "groups": 3}, ValueError, "groups must divide"),
    ({"op": "depthwise", "in_channels": 3, "out_channels": 4}, ValueError,
     "in_channels\\*depth_multiplier = 3"),
    ({"op": "conv", "input_size": 3, "kernel_size": 5}, ValueError, "larger than the padded"),
    ({"op": "conv_transpose", "padding": "same"}, ValueError, "no mode strings"),
    ({"op": "conv_transpose", "stride": 2, "output_padding": 2}, ValueError,
     "output_padding must be smaller"),
    ({"op": "conv", "fps": 0}, ValueError, "fps must be a number > 0"),
    ({"op": "conv", "numeric": 1}, TypeError, "numeric must be True or False"),
    ({"op": "max_pool", "ceil_mode": "yes"}, TypeError, "ceil_mode must be True or False"),
    ({"op": "conv", "input_size": 2.5}, TypeError, "input_size must be an int"),
    ({"op": "conv", "numeric": True, "input_values": np.zeros((3, 3))}, ValueError,
     "input_values must have shape \\(5, 5\\)"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        animate(**kwargs)


def test_bad_paths_and_cli_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match="path must end in .gif"):
        animate("conv", out=tmp_path / "x.png")
    assert main(["animate", "conv", "--input", "3", "--kernel-size", "5"]) == 2
    assert "larger than the padded input" in capsys.readouterr().err
    assert main(["animate", "--preset", "nope", "--out", str(tmp_path)]) == 2
    assert "preset must be one of" in capsys.readouterr().err
    with pytest.raises(IndexError, match="frame index"):
        plan_window("conv", 4, 3).frame(4)
