"""``convzoo summary`` and the model mode of ``convzoo compare``.

Expected numbers are written from the layer definitions (formulas in the comments) or
quoted from published figures, never copied from convzoo's output.
"""

from __future__ import annotations

import json

import pytest

from convzoo.cli import main

# ResNet-20 (CIFAR, option A), the layers written out: stem 3->16, then per stage
# (channels c_in -> c, 6 convs of 3x3, the first strided from stage 2 on), BN (2 per channel)
# after each conv and the 64->10 classifier.
STEM = 3 * 16 * 9
STAGES = [(16, 16, 32), (16, 32, 16), (32, 64, 8)]     # (c_in, c, output size)
BN = 2 * (16 * 7 + 32 * 6 + 64 * 6)
FC = 64 * 10 + 10


def _resnet20(weights_3x3):
    """Params with each stage's six 3x3 convs costing ``weights_3x3(c_in, c)`` + 5x(c, c)."""
    convs = sum(weights_3x3(ci, c) + 5 * weights_3x3(c, c) for ci, c, _ in STAGES)
    return convs, BN + FC


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


# --------------------------------------------------------------------------- convzoo summary

def test_summary_json_keys_and_lenet5(capsys):
    d = run_json(capsys, "summary", "lenet5", "--input", "1x32x32")
    # DESIGN.md §2: {"model", "input", "total_params", "total_macs", "total_flops",
    # "receptive_field": {"size", "jump", "start"}, "layers": [...]}
    assert {"model", "input", "total_params", "total_macs", "total_flops", "receptive_field",
            "layers"} <= set(d)
    assert {"forward_peak_bytes", "training_bytes", "activation_bytes", "params_bytes"} <= set(d)
    assert set(d["receptive_field"]) == {"size", "jump", "start"}
    assert d["model"] == "lenet5" and d["input"] == [1, 32, 32]
    assert d["total_params"] == 61706            # LeNet-5 (LeCun et al. 1998), issue 4
    layer_keys = {"name", "kind", "output_shape", "params", "macs", "flops", "activation_bytes",
                  "receptive_field"}
    assert all(layer_keys <= set(layer) for layer in d["layers"])
    conv1 = next(r for r in d["layers"] if r["name"] == "features.0")
    assert conv1["output_shape"] == [1, 6, 28, 28] and conv1["params"] == 6 * 25 + 6
    assert conv1["macs"] == 28 * 28 * 6 * 25 and conv1["receptive_field"]["size"] == [5, 5]
    assert d["training_bytes"] == 2 * d["params_bytes"] + d["activation_bytes"]


def test_summary_text_table(capsys):
    code, out, err = run(capsys, "summary", "resnet20_cifar", "--input", "3x32x32",
                         "--depth", "1")
    assert code == 0 and err == ""
    assert "resnet20_cifar at input 3x32x32" in out
    assert "layer1" in out and "layer1.0" not in out and "conv2" not in out
    convs, rest = _resnet20(lambda ci, c: ci * c * 9)
    assert f"total params: {STEM + convs + rest:,}" in out
    assert "receptive field: 81 pixels" in out and "forward peak" in out


def test_summary_flop_switches(capsys):
    base = run_json(capsys, "summary", "lenet5", "--input", "1x32x32")
    off = run_json(capsys, "summary", "lenet5", "--input", "1x32x32", "--no-count-pool")
    bias = run_json(capsys, "summary", "lenet5", "--input", "1x32x32", "--count-bias")
    assert off["total_flops"] == 2 * base["total_macs"]
    assert base["total_flops"] - off["total_flops"] == 6 * 14 * 14 * 3 + 16 * 5 * 5 * 3
    # one add per output of every biased layer: 6x28x28 + 16x10x10 + 120 + 84 + 10
    assert bias["total_flops"] - base["total_flops"] == 6 * 784 + 1600 + 120 + 84 + 10
    assert off["conventions"]["count_pool"] is False


def test_summary_options_reach_the_builder(capsys):
    d = run_json(capsys, "summary", "resnet20_cifar", "--input", "3x32x32", "--num-classes",
                 "100", "--set", "width=8")
    # width 8: every channel count halves: 3x3 weights 9*ci*c with (8, 16, 32) channels
    convs = 3 * 8 * 9 + sum(9 * ci * c + 5 * 9 * c * c
                            for ci, c in ((8, 8), (8, 16), (16, 32)))
    bn = 2 * (8 * 7 + 16 * 6 + 32 * 6)
    assert d["total_params"] == convs + bn + 32 * 100 + 100


def test_summary_list(capsys):
    code, out, err = run(capsys, "summary", "--list")
    assert code == 0 and {"lenet5", "resnet20_cifar", "resnet110_cifar"} <= set(out.split())
    assert "lenet5" in run_json(capsys, "summary", "--list")["models"]


@pytest.mark.parametrize("argv, named", [
    (["lenet5", "--input", "1x0x32"], "--input"),
    (["lenet5", "--input", "abc"], "--input"),
    (["lenet5"], "--input"),
    (["--input", "1x32x32"], "MODEL"),
    (["no_such_model", "--input", "3x32x32"], "known models: "),
    (["lenet5", "--input", "1x12x12", "--set", "input_size=32"], "features.3 (Conv2d)"),
    (["lenet5", "--input", "1x32x32", "--set", "width"], "--set expects KEY=VALUE"),
    (["lenet5", "--input", "1x32x32", "--set", "depth=3"], "takes no option depth"),
    (["lenet5", "--input", "1x32x32", "--depth", "-1"], "--depth"),
    (["lenet5", "--input", "1x32x32", "--count-pool", "maybe"], "unrecognized"),
])
def test_summary_errors_exit_2_with_one_line(capsys, argv, named):
    code, out, err = run(capsys, "summary", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and named in err and "Traceback" not in err


# --------------------------------------------------------------------------- compare --model

def test_compare_model_grouped(capsys):
    d = run_json(capsys, "compare", "--model", "resnet20_cifar", "--swap", "grouped",
                 "--groups", "4", "--input", "3x32x32", "--repeat", "1")
    dense, rest = _resnet20(lambda ci, c: ci * c * 9)
    grouped, _ = _resnet20(lambda ci, c: ci * c * 9 // 4)
    assert d["before"]["params"] == STEM + dense + rest
    # the stem (3 -> 16) cannot be split into 4 groups and stays dense
    assert d["after"]["params"] == STEM + grouped + rest
    assert [s["name"] for s in d["skipped"]] == ["conv1"] and len(d["swapped"]) == 18
    conv_macs = sum(9 * ci * c * size * size + 5 * 9 * c * c * size * size
                    for ci, c, size in STAGES)
    stem_macs = 32 * 32 * 16 * 27
    assert d["before"]["macs"] == stem_macs + conv_macs + 640
    assert d["after"]["macs"] == stem_macs + conv_macs // 4 + 640
    assert d["ratios"]["params"] == d["after"]["params"] / d["before"]["params"]
    for side in ("before", "after"):
        assert d[side]["forward_seconds"] > 0 and len(d[side]["forward_runs"]) == 1
    assert d["timing"]["measured"] is True and d["timing"]["batch"] == 1


def test_compare_model_separable_text(capsys):
    code, out, err = run(capsys, "compare", "--model", "resnet20_cifar", "--swap", "separable",
                         "--input", "3x32x32", "--repeat", "0")
    assert code == 0, err
    sep, rest = _resnet20(lambda ci, c: 9 * ci + ci * c)     # depthwise 3x3 + pointwise 1x1
    stem = 9 * 3 + 3 * 16
    assert "19 dense 3x3 convs -> depthwise-separable" in out
    assert f"{stem + sep + rest:,}" in out
    assert "not measured" in out


def test_compare_model_json_without_timing(capsys):
    d = run_json(capsys, "compare", "--model", "lenet5", "--swap", "separable", "--input",
                 "1x28x28", "--repeat", "0")
    assert d["swapped"] == [] and d["before"] == {**d["after"]}    # LeNet has no 3x3 conv
    assert d["before"]["forward_seconds"] is None and d["timing"]["measured"] is False


@pytest.mark.parametrize("argv, named", [
    (["--model", "resnet20_cifar"], "--swap"),
    (["--model", "resnet20_cifar", "--swap", "grouped"], "--groups"),
    (["--model", "resnet20_cifar", "--swap", "grouped", "--groups", "1"], "--groups"),
    (["--model", "resnet20_cifar", "--swap", "separable", "--groups", "2"], "--groups"),
    (["--model", "resnet20_cifar", "--swap", "separable", "--in-channels", "3"],
     "--in-channels"),
    (["--model", "resnet20_cifar", "--swap", "other"], "--swap"),
    (["--model", "resnet20_cifar", "--swap", "separable", "--repeat", "-1"], "--repeat"),
    (["--model", "nope", "--swap", "separable"], "known models"),
    (["--swap", "separable", "--in-channels", "4", "--out-channels", "4", "--kernel-size", "3",
      "--size", "8"], "--swap"),
])
def test_compare_model_errors(capsys, argv, named):
    code, out, err = run(capsys, "compare", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and named in err and "Traceback" not in err
