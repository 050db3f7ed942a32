"""The ``convzoo`` command line: ``shape`` and ``compare``.

Expected numbers are written from the definitions (or quoted from the source articles in
/work/shared/sources/, file named in a comment), never copied from convzoo's output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from convzoo.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


# --------------------------------------------------------------------------- convzoo shape

def test_shape_text_fills_in_the_formula(capsys):
    code, out, err = run(capsys, "shape", "--input", "3x32x32", "--out-channels", "8",
                         "--kernel-size", "3", "--stride", "2", "--padding", "same")
    assert code == 0 and err == ""
    # 'same' with stride 2 on 32: ceil(32/2) = 16 outputs, total pad (16-1)*2 + 3 - 32 = 1,
    # the odd cell after (SAME_UPPER)
    assert "-> output 8x16x16" in out
    assert "floor((32 + 0 + 1 - 1*(3 - 1) - 1) / 2) + 1 = 16" in out
    assert "H (0, 1), W (0, 1)" in out
    assert "224" in out                      # 8*3*3*3 + 8
    assert "55,296" in out                   # 8*16*16 * 3*3*3
    assert "110,592" in out                  # 2 * MACs


def test_shape_json_keys_and_values(capsys):
    d = run_json(capsys, "shape", "--input", "3x32x32", "--out-channels", "8", "--kernel-size",
                 "3", "--stride", "2", "--padding", "same")
    for key in ("output_shape", "padding", "effective_kernel", "params", "macs", "flops",
                "formula"):
        assert key in d
    assert d["output_shape"] == [8, 16, 16]
    assert d["padding"] == [[0, 1], [0, 1]]
    assert d["effective_kernel"] == [3, 3]
    assert d["params"] == 8 * 3 * 9 + 8
    assert d["macs"] == 8 * 16 * 16 * 3 * 9
    assert d["flops"] == 2 * d["macs"]
    assert len(d["formula"]) == 2 and d["formula"][0].startswith("H_out = floor(")
    assert d["activation_bytes"] == 4 * 8 * 16 * 16


@pytest.mark.parametrize("argv,shape,padding", [
    # per-side T,B,L,R: H gets (1, 2), W gets (0, 3)
    (["--input", "2x10x9", "--kernel-size", "3", "--padding", "1,2,0,3"], [2, 11, 10],
     [[1, 2], [0, 3]]),
    # per dim AxB and a non-square kernel, dilation 2: effective 5x3
    (["--input", "2x10x9", "--kernel-size", "3x2", "--padding", "2x1", "--dilation", "2"],
     [2, 10, 9], [[2, 2], [1, 1]]),
    # 'full' pads k_eff - 1 both sides
    (["--input", "1x5x5", "--kernel-size", "3", "--padding", "full"], [1, 7, 7],
     [[2, 2], [2, 2]]),
    # 'same_lower', stride 2 on 6: total pad 1, the odd cell before
    (["--input", "1x6x6", "--kernel-size", "3", "--stride", "2", "--padding", "same_lower"],
     [1, 3, 3], [[1, 0], [1, 0]]),
    # HxW without channels: C = 1
    (["--input", "6x6", "--kernel-size", "3"], [1, 4, 4], [[0, 0], [0, 0]]),
    # 1-d: L, CxL
    (["--input", "10", "--kernel-size", "3", "--stride", "2"], [1, 4], [[0, 0]]),
    (["--input", "4x10", "--ndim", "1", "--kernel-size", "3", "--out-channels", "2"], [2, 8],
     [[0, 0]]),
    # 3-d: DxHxW told by a 3-d kernel, CxDxHxW by its length
    (["--input", "4x6x8", "--kernel-size", "3x3x3"], [1, 2, 4, 6], [[0, 0]] * 3),
    (["--input", "2x4x6x8", "--kernel-size", "3", "--padding", "1"], [2, 4, 6, 8],
     [[1, 1]] * 3),
])
def test_shape_padding_forms_and_dims(capsys, argv, shape, padding):
    d = run_json(capsys, "shape", *argv)
    assert d["output_shape"] == shape
    assert d["padding"] == padding


def test_shape_6x6_edge_filter_gives_4x4(capsys):
    # 001_a0d86916560d8201.txt: a 6x6 image and a 3x3 vertical-edge filter give 4x4;
    # a 6x6x3 input and one 3x3x3 filter give 4x4x1, two filters 4x4x2.
    assert run_json(capsys, "shape", "--input", "6x6", "--kernel-size", "3",
                    "--no-bias")["output_shape"] == [1, 4, 4]
    d = run_json(capsys, "shape", "--input", "3x6x6", "--kernel-size", "3", "--out-channels",
                 "2")
    assert d["output_shape"] == [2, 4, 4] and d["params"] == 2 * 27 + 2


def test_shape_strided_conv_and_transpose_5_2_5(capsys):
    # 003_060ca123419ba27b.txt: 5x5 input, 3x3 kernel, stride 2, no padding -> 2x2; the
    # transposed conv with the same settings brings 2x2 back to 5x5.
    down = run_json(capsys, "shape", "--input", "1x5x5", "--kernel-size", "3", "--stride", "2")
    assert down["output_shape"] == [1, 2, 2]
    up = run_json(capsys, "shape", "--op", "conv_transpose", "--input", "1x2x2",
                  "--kernel-size", "3", "--stride", "2")
    assert up["output_shape"] == [1, 5, 5]
    # (2 - 1)*2 - 0 - 0 + 1*(3 - 1) + 1 + 0 = 5
    assert up["formula"][0].endswith("(2 - 1)*2 - 0 - 0 + 1*(3 - 1) + 1 + 0 = 5")
    assert up["macs"] == 1 * 4 * 1 * 9            # input grid: C_in*H*W * (C_out/g)*k*k


def test_shape_conv_transpose_output_size_and_padding(capsys):
    d = run_json(capsys, "shape", "--op", "conv_transpose", "--input", "4x3x3", "--out-channels",
                 "2", "--kernel-size", "3", "--stride", "2", "--padding", "1", "--output-size",
                 "6x5", "--groups", "2")
    # (3-1)*2 - 2 + 3 = 5; output_size 6 needs output_padding 1 in H, 0 in W
    assert d["output_shape"] == [2, 6, 5]
    assert d["formula"][0].endswith("+ 1 = 6") and d["formula"][1].endswith("+ 0 = 5")
    assert d["params"] == 4 * 1 * 9 + 2 and d["macs"] == 4 * 9 * 1 * 9


def test_shape_pooling(capsys):
    # ceil_mode: 5 + 1 + 1 with k=2, s=2: ceil(5/2) + 1 = 4 windows, the 4th starting at
    # 6 >= 5 + 1 (in the right padding) is dropped -> 3 (PyTorch's rule)
    d = run_json(capsys, "shape", "--op", "max_pool", "--input", "2x5x5", "--kernel-size", "2",
                 "--stride", "2", "--padding", "1", "--ceil-mode")
    assert d["output_shape"] == [2, 3, 3]
    assert "= 4 - 1 = 3" in d["formula"][0]
    assert d["params"] == 0 and d["macs"] == 0 and d["flops"] == 2 * 9 * 3
    # the stride defaults to the window (004_01fecd32a375b158.txt)
    d = run_json(capsys, "shape", "--op", "avg_pool", "--input", "3x8x6", "--kernel-size", "2")
    assert d["output_shape"] == [3, 4, 3] and d["flops"] == 3 * 12 * 4
    d = run_json(capsys, "shape", "--op", "lp_pool", "--input", "3x8x6", "--kernel-size", "2",
                 "--norm-type", "3")
    assert d["flops"] == 3 * 12 * 8


def test_shape_channel_structured_ops(capsys):
    # 000_f77e0d7ce6cac7fd.txt: 16 -> 32, 3x3 depthwise-separable: 16*3*3 + 16*32 = 656
    d = run_json(capsys, "shape", "--op", "separable", "--input", "16x8x8", "--out-channels",
                 "32", "--kernel-size", "3", "--no-bias", "--padding", "same")
    assert d["params"] == 656 and d["output_shape"] == [32, 8, 8]
    assert d["macs"] == 16 * 64 * 9 + 32 * 64 * 16
    assert [s["kind"] for s in d["stages"]] == ["depthwise", "pointwise"]
    # 002_df810aa0f088bae7.txt: depthwise 3x3x3 = 27, pointwise 1x1x3x4 = 12
    d = run_json(capsys, "shape", "--op", "depthwise", "--input", "3x64x64", "--kernel-size", "3",
                 "--no-bias", "--padding", "1")
    assert d["params"] == 27 and d["output_shape"] == [3, 64, 64]
    d = run_json(capsys, "shape", "--op", "pointwise", "--input", "3x64x64", "--out-channels",
                 "4", "--no-bias", "--batch", "2")
    assert d["params"] == 12 and d["macs"] == 2 * 4 * 64 * 64 * 3
    d = run_json(capsys, "shape", "--op", "depthwise", "--input", "3x8x8", "--kernel-size", "3",
                 "--out-channels", "6")
    assert d["output_shape"] == [6, 6, 6] and d["params"] == 6 * 9 + 6
    # 003_060ca123419ba27b.txt: Sobel as [1,2,1]^T then [1,0,-1]: 6 parameters
    d = run_json(capsys, "shape", "--op", "spatially_separable", "--input", "1x6x6",
                 "--kernel-size", "3", "--no-bias")
    assert d["params"] == 6 and d["output_shape"] == [1, 4, 4]
    assert d["macs"] == 4 * 6 * 3 + 4 * 4 * 3


def test_shape_grouped_conv(capsys):
    # 000_f77e0d7ce6cac7fd.txt: 64 -> 64, 3x3, 8 groups: 8*8*3*3*8 = 4608
    d = run_json(capsys, "shape", "--input", "64x56x56", "--out-channels", "64", "--kernel-size",
                 "3", "--padding", "1", "--groups", "8", "--no-bias")
    assert d["params"] == 4608 and d["macs"] == 64 * 56 * 56 * 8 * 9


@pytest.mark.parametrize("argv,named", [
    (["--input", "abc"], "--input"),
    (["--input", "3x0x8", "--kernel-size", "3"], "--input"),
    (["--input", "3x8x8", "--kernel-size", "0"], "--kernel-size"),
    (["--input", "3x8x8", "--kernel-size", "3", "--stride", "x"], "--stride"),
    (["--input", "3x8x8", "--kernel-size", "3", "--padding", "-1"], "--padding"),
    (["--input", "3x8x8", "--kernel-size", "3", "--padding", "half"], "--padding"),
    (["--input", "3x8x8", "--kernel-size", "3", "--padding", "1,2,3"], "--padding"),
    (["--input", "4x8x8", "--kernel-size", "3", "--out-channels", "6", "--groups", "3"],
     "groups"),
    (["--input", "3x8x8", "--kernel-size", "3", "--ceil-mode"], "--ceil-mode"),
    (["--input", "3x8x8", "--kernel-size", "3", "--depth-multiplier", "2"],
     "--depth-multiplier"),
    (["--op", "max_pool", "--input", "3x8x8", "--kernel-size", "2", "--groups", "2"],
     "--groups"),
    (["--input", "3x8x8"], "--kernel-size"),
    (["--op", "nope", "--input", "3x8x8"], "--op"),
    (["--input", "3x2x2", "--kernel-size", "3"], "kernel size"),
    (["--input", "3x8x8", "--kernel-size", "3x3x3x3"], "--input"),
    (["--op", "conv_transpose", "--input", "3x8x8", "--kernel-size", "3", "--padding", "same"],
     "--padding"),
    (["--op", "conv_transpose", "--input", "3x8x8", "--kernel-size", "3", "--stride", "2",
      "--output-padding", "2"], "output_padding"),
    (["--op", "conv_transpose", "--input", "3x8x8", "--kernel-size", "3", "--output-padding",
      "1", "--output-size", "10"], "--output-size"),
    (["--op", "depthwise", "--input", "3x8x8", "--kernel-size", "3", "--out-channels", "7"],
     "--out-channels"),
    (["--kernel-size", "3"], "--input"),
])
def test_shape_bad_arguments_exit_2_with_one_line(capsys, argv, named):
    code, out, err = run(capsys, "shape", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("convzoo shape: error: ")
    assert named in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- convzoo compare

def _rows(d):
    return {r["name"]: r for r in d["rows"]}


def test_compare_readme_command(capsys):
    code, out, err = run(capsys, "compare", "--in-channels", "64", "--out-channels", "64",
                         "--kernel-size", "3", "--size", "56")
    assert code == 0 and err == ""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("variant"))
    table = lines[header:header + 7]
    # aligned: every numeric column ends at the same place on every row
    ends = {len(line) for line in table}
    assert len(ends) == 1, table
    for label in ("standard conv", "grouped conv (groups=8)", "depthwise", "pointwise",
                  "depthwise-separable", "spatially separable"):
        assert any(line.startswith(label) for line in table), label
    assert "36,864" in out and "4,608" in out
    assert "115,605,504" in out                 # 64*56*56 * 64*9 with 'same' padding


def test_compare_grouped_64(capsys):
    # 000_f77e0d7ce6cac7fd.txt: 64*3*3*64 = 36864 vs 8 groups 8*8*3*3*8 = 4608 (1/8)
    d = run_json(capsys, "compare", "--in-channels", "64", "--out-channels", "64",
                 "--kernel-size", "3", "--size", "56", "--groups", "8")
    rows = _rows(d)
    assert rows["standard"]["params"] == 36864 and rows["grouped"]["params"] == 4608
    assert rows["grouped"]["params_ratio"] == 1 / 8 and rows["grouped"]["macs_ratio"] == 1 / 8
    assert rows["standard"]["macs"] == 64 * 56 * 56 * 64 * 9


def test_compare_separable_16_32(capsys):
    # 000_f77e0d7ce6cac7fd.txt / 003_060ca123419ba27b.txt: 32*3*3*16 = 4608 directly,
    # 16*3*3 + 16*32 = 144 + 512 = 656 depthwise-separable
    rows = _rows(run_json(capsys, "compare", "--in-channels", "16", "--out-channels", "32",
                          "--kernel-size", "3", "--size", "8"))
    assert rows["standard"]["params"] == 4608
    assert rows["depthwise"]["params"] == 144
    assert rows["pointwise"]["params"] == 512
    assert rows["separable"]["params"] == 656


def test_compare_3_to_4(capsys):
    # 002_df810aa0f088bae7.txt: 4 filters 3x3x3 = 108; depthwise 27 + pointwise 12 = 39
    d = run_json(capsys, "compare", "--in-channels", "3", "--out-channels", "4",
                 "--kernel-size", "3", "--size", "64")
    rows = _rows(d)
    assert [rows[n]["params"] for n in ("standard", "depthwise", "pointwise", "separable")] == [
        108, 27, 12, 39]
    assert "grouped" not in rows                # no group count divides 3 and 4
    assert d["output_size"] == [64, 64]


def test_compare_ten_filters_with_bias(capsys):
    # 001_a0d86916560d8201.txt: ten 3x3x3 filters, each 27 weights + 1 bias: 280
    rows = _rows(run_json(capsys, "compare", "--in-channels", "3", "--out-channels", "10",
                          "--kernel-size", "3", "--size", "6", "--bias"))
    assert rows["standard"]["params"] == 280


@pytest.mark.parametrize("c", [1, 16, 64])
def test_compare_stack_of_three_3x3_vs_7x7(capsys, c):
    # 004_01fecd32a375b158.txt: three stacked 3x3 convs see 7x7; 27C^2 weights vs 49C^2
    rows = _rows(run_json(capsys, "compare", "--in-channels", str(c), "--out-channels", str(c),
                          "--kernel-size", "3", "--size", "28", "--stack", "3"))
    assert rows["stacked"]["params"] == 27 * c * c
    assert rows["same_receptive_field"]["params"] == 49 * c * c
    assert rows["same_receptive_field"]["kernel"] == "7x7"
    assert rows["stacked"]["output_shape"] == rows["same_receptive_field"]["output_shape"]


@pytest.mark.parametrize("c,o,k,s,m", [(32, 64, 3, 1, 1), (64, 64, 3, 2, 1), (16, 24, 5, 1, 1),
                                       (8, 16, 3, 1, 2)])
def test_compare_mobilenet_ratio(capsys, c, o, k, s, m):
    # MobileNet: separable / standard cost = M/N + M/k^2 (M = 1: 1/N + 1/k^2)
    d = run_json(capsys, "compare", "--in-channels", str(c), "--out-channels", str(o),
                 "--kernel-size", str(k), "--size", "28", "--stride", str(s),
                 "--depth-multiplier", str(m))
    rows = _rows(d)
    expected = m / o + m / (k * k)
    assert rows["separable"]["macs_ratio"] == pytest.approx(expected, rel=1e-12)
    assert d["mobilenet_ratio"]["value"] == pytest.approx(expected, rel=1e-12)
    assert d["mobilenet_ratio"]["measured"] == pytest.approx(expected, rel=1e-12)
    std = rows["standard"]
    # standard MACs from the definition: O * H_out * W_out * C * k * k, 'same' padding
    h_out = -(-28 // s)
    assert std["macs"] == o * h_out * h_out * c * k * k
    assert rows["depthwise"]["out_channels"] == c * m


def test_compare_spatially_separable_row(capsys):
    rows = _rows(run_json(capsys, "compare", "--in-channels", "4", "--out-channels", "6",
                          "--kernel-size", "5x3", "--size", "10x12", "--padding", "valid"))
    ss, std = rows["spatially_separable"], rows["standard"]
    # k_h x 1 from 4 to 6 channels, then 1 x k_w from 6 to 6
    assert ss["params"] == 6 * 4 * 5 + 6 * 6 * 3
    assert ss["output_shape"] == std["output_shape"] == [6, 6, 10]
    assert ss["macs"] == 6 * 6 * 12 * 4 * 5 + 6 * 6 * 10 * 6 * 3


def test_compare_text_notes(capsys):
    code, out, _ = run(capsys, "compare", "--in-channels", "64", "--out-channels", "64",
                       "--kernel-size", "3", "--size", "56")
    assert "1/64 + 1/9" in out and "1/8" in out


@pytest.mark.parametrize("argv,named", [
    (["--out-channels", "4", "--kernel-size", "3", "--size", "8"], "--in-channels"),
    (["--in-channels", "0", "--out-channels", "4", "--kernel-size", "3", "--size", "8"],
     "--in-channels"),
    (["--in-channels", "4", "--out-channels", "4", "--kernel-size", "3", "--size", "8x"],
     "--size"),
    (["--in-channels", "4", "--out-channels", "6", "--kernel-size", "3", "--size", "8",
      "--groups", "4"], "--groups"),
    (["--in-channels", "4", "--out-channels", "6", "--kernel-size", "3", "--size", "8x8x8",
      "--ndim", "2"], "--size"),
    (["--in-channels", "4", "--out-channels", "6", "--kernel-size", "3x3", "--size", "8x8x8"],
     "kernel_size"),
    (["--in-channels", "4", "--out-channels", "6", "--kernel-size", "9", "--size", "4",
      "--padding", "valid"], "kernel size"),
])
def test_compare_bad_arguments(capsys, argv, named):
    code, out, err = run(capsys, "compare", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and named in err and "Traceback" not in err


# --------------------------------------------------------------------------- entry points

def test_main_without_command_and_help(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "shape" in capsys.readouterr().out
    assert main(["shape", "--help"]) == 0
    help_text = capsys.readouterr().out
    for key in ("output_shape", "padding", "effective_kernel", "params", "macs", "flops",
                "formula"):
        assert key in help_text
    assert main(["--version"]) == 0


def test_subprocess_entry_points():
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    args = ["compare", "--in-channels", "64", "--out-channels", "64", "--kernel-size", "3",
            "--size", "56", "--json"]
    done = subprocess.run([sys.executable, "-m", "convzoo", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _rows(json.loads(done.stdout))["standard"]["params"] == 36864
    done = subprocess.run([sys.executable, "-m", "convzoo.cli", "shape", "--input", "abc"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "--input" in done.stderr and "Traceback" not in done.stderr
    exe = shutil.which("convzoo")
    if exe is not None:
        done = subprocess.run([exe, "shape", "--input", "1x5x5", "--kernel-size", "3",
                               "--stride", "2", "--json"], capture_output=True, text=True,
                              env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["output_shape"] == [1, 2, 2]
