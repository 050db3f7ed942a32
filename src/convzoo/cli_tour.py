"""``convzoo tour``: the whole library in one HTML report, written on a fresh install.

Stages (one progress line each on stderr; the report's path on stdout at the end):

1. the conv-family comparison tables (``convzoo compare``'s data, from ``convzoo.counts``);
2. the twelve classic conv-arithmetic animations and their numerical versions, plus
   pooling / grouped / depthwise / separable (``convzoo.viz.presets``);
3. the filter gallery on scikit-learn's photo (``convzoo.viz.gallery``);
4. LeNet-5 trained on scikit-learn's bundled 8×8 digits (``convzoo.train``), with its
   loss curves, kernels, feature maps and model summary;
5. the interactive explorer page (``convzoo.viz.explorer``);
6. ``index.html`` (``convzoo.viz.report``).

Needs the ``viz`` and ``data`` extras (Pillow, matplotlib, scikit-learn). ``--quick``
trains for one short epoch and skips the numerical and extra animations (for tests).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EPOCHS = 30
LR = 0.05


def add_parser(sub) -> None:
    """Register ``convzoo tour`` on the subparsers ``sub``."""
    p = sub.add_parser(
        "tour", help="write an HTML report: comparisons, animations, filters, a trained LeNet-5",
        description="Write DIR/index.html: the convolution family compared, the classic "
                    "animations, a filter gallery on a photo, LeNet-5 trained on the bundled "
                    "digits with its feature maps, and an interactive explorer page.")
    p.add_argument("--out", default="tour", metavar="DIR", help="report directory (default: tour)")
    p.add_argument("--quick", action="store_true",
                   help="tiny training and only the classic animations (seconds; for tests)")
    p.add_argument("--epochs", type=int, default=None,
                   help=f"LeNet-5 training epochs (default {EPOCHS}; 1 with --quick)")
    p.add_argument("--lr", type=float, default=LR, help=f"learning rate (default {LR})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mp4", action=argparse.BooleanOptionalAction, default=False,
                   help="also write MP4s of the animations (needs ffmpeg; default off)")
    p.set_defaults(run=run)


class _Stages:
    """One progress line per stage on stderr, with its time."""

    def __init__(self, total: int, stream=None):
        self.total, self.index, self.stream = total, 0, stream or sys.stderr
        self.start = time.monotonic()

    def begin(self, text: str) -> None:
        self.index += 1
        self.t0 = time.monotonic()
        self.say(f"[{self.index}/{self.total}] {text} ...")

    def done(self, text: str) -> None:
        self.say(f"[{self.index}/{self.total}] {text} ({time.monotonic() - self.t0:.1f} s)")

    def say(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def _missing_extras() -> list[str]:
    missing = []
    for module, package in (("PIL", "pillow"), ("matplotlib", "matplotlib"),
                            ("sklearn", "scikit-learn")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    return missing


def _comparisons() -> list[dict]:
    from . import cli_compare
    from .cli import build_parser
    tables = []
    for argv in (["--in-channels", "64", "--out-channels", "64", "--kernel-size", "3",
                  "--size", "56", "--stack", "3"],
                 ["--in-channels", "16", "--out-channels", "32", "--kernel-size", "3",
                  "--size", "56"]):
        tables.append(cli_compare.compare(build_parser().parse_args(["compare", *argv])))
    return tables


def _summary_text(model, input_shape) -> str:
    try:
        from .analysis import summary
    except ImportError:   # analysis is optional for the report: fall back to a parameter table
        summary = None
    if summary is not None:
        return str(summary(model, input_shape))
    lines = [f"{'parameter':30s} {'shape':>16s} {'count':>8s}"]
    total = 0
    for name, p in model.named_parameters():
        lines.append(f"{name:30s} {'x'.join(map(str, p.shape)):>16s} {p.data.size:8,d}")
        total += p.data.size
    lines.append(f"{'total':30s} {'':>16s} {total:8,d}")
    return "\n".join(lines)


def _train(a, out: Path, stages: _Stages) -> dict:
    from .train import TrainConfig, load_trained, train
    from .viz.featuremaps import plot_feature_maps, plot_kernels
    epochs = a.epochs if a.epochs is not None else (1 if a.quick else EPOCHS)
    config = TrainConfig(model="lenet5", dataset="digits", epochs=epochs, batch_size=32, lr=a.lr,
                         schedule="cosine", weight_decay=5e-4, seed=a.seed,
                         limit_train=256 if a.quick else None,
                         limit_test=128 if a.quick else None)
    run_dir = out / "lenet5"

    def progress(p) -> None:
        if p.phase == "epoch" and (p.epoch % 5 == 0 or p.epoch in (1, p.epochs)):
            m = p.metrics
            stages.say(f"      epoch {p.epoch}/{p.epochs}: train loss {m['train_loss']:.4f}, "
                       f"test accuracy {m['test_accuracy']:.4f}")

    t0 = time.monotonic()
    result = train(config, run_dir, on_progress=progress)
    seconds = round(time.monotonic() - t0, 1)
    model, test_ds, normalize, _, _ = load_trained(run_dir)
    figures = out / "figures"
    fmaps = plot_feature_maps(model, test_ds.images[0], figures / "feature_maps.png", normalize,
                              test_ds.classes, int(test_ds.labels[0]))
    kernels = plot_kernels(model, figures / "kernels.png")
    curves = run_dir / "curves.png"
    c, h, w = test_ds.images.shape[1:]
    return {
        "history": result["history"], "seconds": seconds, "run_dir": str(run_dir),
        "curves": str(curves) if curves.is_file() else None,
        "kernels": kernels["figure"], "feature_maps": fmaps["figure"],
        "summary": _summary_text(model, (c, h, w)),
        "description": (f"convzoo.train with TrainConfig(model='lenet5', dataset='digits', "
                        f"epochs={epochs}, batch_size=32, lr={a.lr}, schedule='cosine', "
                        f"weight_decay=5e-4, seed={a.seed}"
                        + (", limit_train=256, limit_test=128" if a.quick else "")
                        + f"): {len(test_ds)} held-out test images of {h}×{w} pixels."),
    }


def run(a) -> int:
    """Write the report; print its path. Exit 1 when an optional extra is missing."""
    missing = _missing_extras()
    if missing:
        print(f"convzoo tour: error: needs {', '.join(missing)}: pip install -e \".[viz,data]\" "
              "(or pip install 'convzoo[viz,data]')", file=sys.stderr)
        return 1
    if a.epochs is not None and a.epochs < 1:
        raise ValueError(f"--epochs must be >= 1; got --epochs={a.epochs}")
    from .viz.explorer import write_explorer
    from .viz.gallery import filter_gallery
    from .viz.presets import write_preset
    from .viz.report import write_report

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    stages = _Stages(6)
    parts = {"title": "convzoo tour: the convolution family of CNNs",
             "intro": "Everything on this page was computed by convzoo on this machine: the "
                      "counts, the animations (from the real operators), the filtered photo and "
                      "a LeNet-5 trained just now with convzoo's own NumPy operators."}

    stages.begin("comparison tables (convzoo compare)")
    parts["comparison"] = _comparisons()
    stages.done(f"comparison tables: {len(parts['comparison'])}")

    stages.begin("animations (convzoo animate --preset classic)")
    anim_dir = out / "animations"
    classic = write_preset("classic", anim_dir, numeric=not a.quick, mp4=a.mp4)
    groups = [("The twelve classic configurations",
               "Dumoulin & Visin's sizes, in the order of the source article.",
               [x for x in classic if not x["numeric"]])]
    if not a.quick:
        groups.append(("The same, with numbers", "Input and kernel values (small integers) and "
                       "the operator's output in the cells.", [x for x in classic if x["numeric"]]))
        family = write_preset("family", anim_dir, numeric=False, mp4=a.mp4)
        groups.append(("Pooling and channel structure", "Max/average pooling windows; which "
                       "input channels feed which output channel in grouped, depthwise and "
                       "depthwise-separable convolutions.", family))
    parts["animations"] = groups
    n_files = sum(len(item["files"]) for _, _, items in groups for item in items)
    stages.done(f"animations: {n_files} files in {anim_dir}")

    stages.begin("filter gallery on scikit-learn's china.jpg")
    gallery = filter_gallery(out=out / "figures" / "gallery.png")
    gallery["separable_weights"] = 6
    parts["gallery"] = gallery
    stages.done(f"filter gallery: Sobel as two 1-D passes differs by "
                f"{gallery['sobel_max_abs_diff']:.1e}")

    stages.begin("training LeNet-5 on the bundled digits")
    parts["training"] = _train(a, out, stages)
    acc = parts["training"]["history"][-1]["test_accuracy"]
    stages.done(f"LeNet-5: test accuracy {acc:.4f}")

    stages.begin("interactive explorer page")
    parts["explorer"] = str(write_explorer(out / "explorer.html"))
    stages.done(f"explorer: {parts['explorer']}")

    stages.begin("report")
    parts["commands"] = [
        "convzoo animate conv --input 5x5 --kernel-size 3 --stride 2 --padding 1 --numeric "
        "--out conv.gif",
        "convzoo animate --preset classic --out animations",
        "convzoo compare --in-channels 64 --out-channels 64 --kernel-size 3 --size 56",
        "convzoo summary lenet5 --input 1x8x8",
        f"convzoo evaluate {parts['training']['run_dir']}",
    ]
    path = write_report(out, parts)
    stages.done(f"report: {path}")
    print(f"report: {path.resolve()}")
    return 0
