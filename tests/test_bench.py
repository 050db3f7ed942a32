"""``convzoo bench`` and ``convzoo.bench``: the structure of what they report.

Timings are never asserted against thresholds (the machine is shared and noisy);
these tests check that a quick run on a tiny batch returns every field, that times,
ratios and rates are positive numbers, that ratios are the quotients of the times
reported beside them, and that missing frameworks give nulls, not errors.
"""

from __future__ import annotations

import json
import math

import pytest

from convzoo import bench
from convzoo.cli import main

CASES = ["resnet_3x3_7", "mobilenet_dw_14", "maxpool_3x3_s2", "transposed_4x4_s2"]
ROW_KEYS = {"name", "label", "kind", "input_shape", "weight_shape", "output_shape", "flops",
            "fwdbwd_flops", "convzoo_fwd", "torch_fwd", "onnx_fwd", "convzoo_fwdbwd",
            "torch_fwdbwd", "ratio_fwd", "ratio_fwdbwd", "ratio_onnx_fwd", "gflops_fwd",
            "gflops_fwdbwd", "pct_sgemm_fwd", "pct_sgemm_fwdbwd", "max_rel_diff"}


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def _quick(capsys, *extra):
    argv = ["bench", "--quick", "--json", "--batch", "2"]
    for name in CASES:
        argv += ["--case", name]
    code = main(argv + list(extra))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_quick_json_has_every_field_and_positive_ratios(capsys):
    pytest.importorskip("torch")
    result = _quick(capsys)
    assert set(result) == {"batch", "repeat", "dtype", "versions", "threads", "sgemm_gflops",
                           "rows", "geomean", "memory"}
    assert result["batch"] == 2 and result["repeat"] <= 2 and result["dtype"] == "float32"
    assert _positive(result["sgemm_gflops"])
    assert [r["name"] for r in result["rows"]] == CASES
    for row in result["rows"]:
        assert set(row) == ROW_KEYS
        assert row["input_shape"][0] == 2
        for key in ("convzoo_fwd", "torch_fwd", "convzoo_fwdbwd", "torch_fwdbwd", "ratio_fwd",
                    "ratio_fwdbwd", "gflops_fwd", "gflops_fwdbwd", "flops"):
            assert _positive(row[key]), (row["name"], key, row[key])
        assert row["ratio_fwd"] == pytest.approx(row["convzoo_fwd"] / row["torch_fwd"])
        assert row["ratio_fwdbwd"] == pytest.approx(row["convzoo_fwdbwd"] / row["torch_fwdbwd"])
        assert row["max_rel_diff"] < 1e-3          # the frameworks computed the same layer
        if row["onnx_fwd"] is not None:
            assert _positive(row["ratio_onnx_fwd"])
        if row["weight_shape"] is None:            # pools: no sgemm share
            assert row["pct_sgemm_fwd"] is None
        else:
            assert _positive(row["pct_sgemm_fwd"])
    for key in ("fwd", "fwdbwd"):
        assert _positive(result["geomean"][key])
    memory = result["memory"]
    assert isinstance(memory, list) and memory[0]["workload"] == "resnet_3x3_56"
    if memory[0]["ratio"] is not None:          # Linux /proc available
        assert _positive(memory[0]["convzoo_mib"]) and _positive(memory[0]["ratio"])


def test_without_torch_reports_convzoo_alone(capsys):
    result = _quick(capsys, "--no-torch", "--no-memory")
    assert result["memory"] is None
    assert result["versions"]["torch"] is None
    for row in result["rows"]:
        assert _positive(row["convzoo_fwd"]) and _positive(row["convzoo_fwdbwd"])
        assert row["torch_fwd"] is None and row["ratio_fwd"] is None
        assert row["onnx_fwd"] is None and row["ratio_onnx_fwd"] is None
    assert result["geomean"] == {"fwd": None, "fwdbwd": None, "onnx_fwd": None}


def test_table_lists_every_case(capsys):
    code = main(["bench", "--quick", "--no-memory", "--no-onnx", "--batch", "1", "--case",
                 "global_avgpool", "--case", "resnet_1x1_7"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("convzoo bench: batch 1, float32")
    assert any(line.startswith("global_avgpool") for line in lines)
    assert any(line.startswith("resnet_1x1_7") for line in lines)
    assert "geometric mean" in out


def test_unknown_case_is_rejected(capsys):
    assert main(["bench", "--case", "resnet_9x9"]) == 2
    assert "resnet_9x9" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown bench case 'nope'"):
        bench.run_suite(cases=["nope"], memory=False)


def test_suite_counts_and_geomean():
    names = [c.name for c in bench.SUITE]
    assert len(names) == len(set(names))
    kinds = {c.kind for c in bench.SUITE}
    assert kinds == {"conv", "conv_transpose", "max_pool", "global_avg_pool"}
    stem = next(c for c in bench.SUITE if c.name == "stem_7x7_s2")
    # 3->64, 7x7, stride 2 on 224: 112x112 outputs of 3*49 MACs each, per image
    assert stem.count(1).macs == 64 * 112 * 112 * 3 * 49
    assert bench.geomean([2.0, 8.0]) == pytest.approx(4.0)
    assert bench.geomean([None]) is None
