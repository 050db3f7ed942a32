"""`convzoo train` and `convzoo evaluate`: the training CLI over ``convzoo.train``."""

from __future__ import annotations

import argparse
import json
import sys
import time

from .train import Progress, TrainConfig, evaluate_checkpoint, train  # noqa: F401

DATASETS = ("digits", "fashion-mnist", "mnist", "cifar10")


class ProgressBar:
    """A one-line progress bar on stderr: loss, accuracy, images/s, ETA (redrawn ≤ 10×/s).

    When stderr is not a terminal it prints a plain line every 10% of an epoch instead.
    """

    def __init__(self, stream=None, width: int = 24):
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._last_decile = -1
        self._epoch_start = time.monotonic()

    def __call__(self, p: Progress) -> None:
        if p.phase == "epoch":
            m = p.metrics
            self._line(f"epoch {p.epoch}/{p.epochs}  train loss {m['train_loss']:.4f} "
                       f"acc {m['train_accuracy']:.4f} | test loss {m['test_loss']:.4f} "
                       f"acc {m['test_accuracy']:.4f} | {m['images_per_second']:.0f} img/s, "
                       f"{m['seconds']:.1f} s", final=True)
            self._last_decile = -1
            return
        now = time.monotonic()
        if p.step == 1:
            self._epoch_start = now
        decile = 10 * p.step // p.steps
        if self.tty and now - self._last < 0.1 and p.step != p.steps:
            return
        if not self.tty and decile == self._last_decile:
            return
        self._last, self._last_decile = now, decile
        done = int(self.width * p.step / p.steps)
        bar = "#" * done + "." * (self.width - done)
        eta = (now - self._epoch_start) / p.step * (p.steps - p.step)
        self._line(f"epoch {p.epoch}/{p.epochs} [{bar}] {p.step}/{p.steps} loss {p.loss:.4f} "
                   f"acc {p.accuracy:.4f} {p.images_per_second:.0f} img/s lr {p.lr:.3g} "
                   f"eta {eta:.0f}s")

    def _line(self, text: str, final: bool = False) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def add_train_parser(sub) -> None:
    """Register ``convzoo train``."""
    p = sub.add_parser("train", help="train a model on real data",
                       description="Train a zoo model with mini-batch SGD (or an adaptive "
                                   "optimizer), checkpointing every epoch.")
    p.add_argument("model", help="model name (see `convzoo summary --list`), e.g. lenet5")
    p.add_argument("--dataset", default="digits", choices=DATASETS)
    p.add_argument("--data-dir", default=None, help="directory with IDX files / CIFAR batches")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--optimizer", default="sgd",
                   help="sgd, momentum, nesterov, adagrad, adadelta, rmsprop, adam, adamw, ftrl")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--schedule", default="constant",
                   help="constant, step, exponential, polynomial, cosine, warmup_cosine")
    p.add_argument("--warmup-epochs", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--augment", action="store_true", help="random crop + horizontal flip")
    p.add_argument("--limit-train", type=int, default=None, help="use only the first N images")
    p.add_argument("--limit-test", type=int, default=None)
    p.add_argument("--out", default="runs/train", help="run directory (checkpoints, logs, plot)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.npz")
    p.add_argument("--json", action="store_true", help="print the final metrics as JSON")
    p.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    """Run ``convzoo train``."""
    config = TrainConfig(model=args.model, dataset=args.dataset, epochs=args.epochs,
                         batch_size=args.batch_size, optimizer=args.optimizer, lr=args.lr,
                         momentum=args.momentum, weight_decay=args.weight_decay,
                         schedule=args.schedule, warmup_epochs=args.warmup_epochs, seed=args.seed,
                         data_dir=args.data_dir, augment=args.augment,
                         limit_train=args.limit_train, limit_test=args.limit_test)
    result = train(config, args.out, resume=args.resume, on_progress=ProgressBar())
    result.pop("history", None)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"test accuracy {result.get('test_accuracy', float('nan')):.4f} after epoch "
              f"{result.get('epoch')}; run saved in {args.out}")
    return 0


def add_evaluate_parser(sub) -> None:
    """Register ``convzoo evaluate``."""
    p = sub.add_parser("evaluate", help="evaluate a checkpoint on its test split",
                       description="Accuracy, per-class accuracy and confusion matrix of a "
                                   "checkpoint file or a run directory (its last.npz).")
    p.add_argument("path", help="checkpoint .npz or a `convzoo train --out` directory")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``convzoo evaluate``."""
    r = evaluate_checkpoint(args.path, args.batch_size)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"{r['model']} on {r['dataset']} (epoch {r['epoch']}): accuracy {r['accuracy']:.4f} "
          f"over {r['n']} test images, loss {r['loss']:.4f}")
    width = max(len(c) for c in r["classes"])
    print("per-class accuracy:")
    for name, acc in r["per_class_accuracy"].items():
        print(f"  {name:>{width}}  {acc:.4f}")
    print("confusion matrix (rows: true, columns: predicted):")
    for name, row in zip(r["classes"], r["confusion_matrix"]):
        print(f"  {name:>{width}} " + " ".join(f"{v:5d}" for v in row))
    return 0
