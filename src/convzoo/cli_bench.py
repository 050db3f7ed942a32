"""``convzoo bench``: the conv family timed against PyTorch and ONNX Runtime on this machine.

Runs ``convzoo.bench.run_suite`` (the fixed suite of layer shapes from the classic
networks, forward and forward+backward, every framework in the same process,
interleaved, best of ``--repeat``) and prints an aligned table or, with ``--json``,
the same data. ``--quick`` (batch 4, two repeats) takes seconds; the default
(batch 32) takes a few minutes.
"""

from __future__ import annotations

import argparse
import sys

from .cli_args import positive, print_json

JSON_HELP = """\
--json prints one object: {"batch", "repeat", "dtype", "versions", "threads",
"sgemm_gflops", "rows": [{name, label, kind, input_shape, weight_shape, output_shape,
flops, fwdbwd_flops, convzoo_fwd, torch_fwd, onnx_fwd, convzoo_fwdbwd, torch_fwdbwd
(seconds, null when that framework is missing), ratio_fwd, ratio_fwdbwd,
ratio_onnx_fwd (convzoo time / other time), gflops_fwd, gflops_fwdbwd, pct_sgemm_fwd,
pct_sgemm_fwdbwd, max_rel_diff}, ...], "geomean": {fwd, fwdbwd, onnx_fwd},
"memory": [{workload, batch, convzoo_mib, torch_mib, ratio}, ...] or null}.

method: every framework runs on the same arrays in this process, interleaved
repeat by repeat after a warm-up; times are the best of --repeat. Memory: one
training step per framework in a fresh subprocess, peak resident set above the
resident set before the step (Linux /proc; null elsewhere).

examples:
  convzoo bench
  convzoo bench --quick --json
  convzoo bench --case resnet_3x3_56 --case mobilenet_dw_112 --repeat 10
"""


def add_parser(sub) -> None:
    """Register ``convzoo bench`` on the subparsers ``sub``."""
    from .bench import SUITE
    p = sub.add_parser(
        "bench", help="time the conv family against PyTorch and ONNX Runtime",
        description="Time a fixed suite of conv and pooling layers (ResNet, VGG, MobileNet, "
                    "ShuffleNet, DCGAN shapes) in convzoo, PyTorch and ONNX Runtime, forward "
                    "and forward+backward, with ratios, GFLOP/s against NumPy's sgemm and "
                    "the peak memory of a training step.",
        epilog=JSON_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=positive, default=None, metavar="N",
                   help="batch size (default 32; 4 with --quick)")
    p.add_argument("--repeat", type=positive, default=5, metavar="R",
                   help="timed runs per measurement, best kept (default 5; at most 2 with "
                        "--quick)")
    p.add_argument("--quick", action="store_true",
                   help="batch 4, two repeats, memory of one layer only: a smoke run")
    p.add_argument("--case", action="append", choices=[c.name for c in SUITE], metavar="NAME",
                   help="run only this case (repeatable); one of: "
                        + ", ".join(c.name for c in SUITE))
    p.add_argument("--no-torch", action="store_true", help="convzoo alone")
    p.add_argument("--no-onnx", action="store_true", help="skip ONNX Runtime")
    p.add_argument("--no-memory", action="store_true",
                   help="skip the training-step memory comparison (subprocesses)")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.set_defaults(run=run)


def run(args) -> int:
    """Run the suite with the parsed options; print the table or JSON. Returns 0."""
    from . import bench
    batch = args.batch if args.batch is not None else (4 if args.quick else 32)

    def progress(name: str) -> None:
        if not args.json:
            print(f"  timing {name} ...", file=sys.stderr, flush=True)

    result = bench.run_suite(batch=batch, repeat=args.repeat, quick=args.quick,
                             cases=args.case, use_torch=not args.no_torch,
                             use_onnx=not args.no_onnx, memory=not args.no_memory,
                             progress=progress)
    if args.json:
        print_json(result)
    else:
        print(bench.format_table(result))
    return 0
