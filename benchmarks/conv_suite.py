"""The conv-family suite of ``convzoo bench``, saved for later comparison.

    python benchmarks/conv_suite.py [--batch 32] [--repeat 5] [--out results.json]

Runs ``convzoo.bench.run_suite`` (every layer in convzoo, PyTorch and ONNX Runtime in
this process, forward and forward+backward, best of ``--repeat``; peak memory of a
training step in subprocesses), prints the table and, with ``--out``, writes the
JSON together with the machine it ran on (CPU model, cores, load average before
and after), so runs from different days can be told apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform

from convzoo import bench


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--case", action="append", help="only this case (repeatable)")
    p.add_argument("--no-memory", action="store_true")
    p.add_argument("--out", help="write the JSON here")
    a = p.parse_args()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    result = bench.run_suite(batch=a.batch, repeat=a.repeat, cases=a.case,
                             memory=not a.no_memory)
    result["machine"] = {"cpu": _cpu_model(), "cpus": os.cpu_count(),
                         "python": platform.python_version(),
                         "loadavg_before": load_before,
                         "loadavg_after": os.getloadavg() if load_before else None}
    print(bench.format_table(result))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
