"""The training loop: mini-batch training with metrics, atomic checkpoints and exact resume.

A run is fully determined by its ``TrainConfig``: the initial weights come from
``seed``, epoch ``e``'s data order from ``(seed, e)``, and dropout / augmentation
generators are re-seeded from ``(seed, e)`` at the start of every epoch. So a run
resumed from the checkpoint of epoch ``e`` continues exactly as the uninterrupted
run would have: same batches, same masks, same numbers.

Files in ``out``: ``config.json``, ``metrics.jsonl`` (one line per epoch),
``steps.csv`` (one line per optimizer step), ``checkpoint_epochNNN.npz`` and
``last.npz`` (written atomically after every epoch), ``curves.png`` when
matplotlib is installed.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import functional as F
from .autograd import no_grad, tensor
from .checkpoint import atomic_write_bytes, load_checkpoint, save_checkpoint
from .data import DataLoader, load_dataset
from .optim import create_optimizer, create_scheduler
from .zoo import create_model


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run (stored in each checkpoint)."""

    model: str = "lenet5"
    dataset: str = "digits"
    epochs: int = 5
    batch_size: int = 64
    optimizer: str = "sgd"
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "constant"
    warmup_epochs: float = 0.0
    seed: int = 0
    data_dir: str | None = None
    augment: bool = False
    limit_train: int | None = None
    limit_test: int | None = None
    eval_batch_size: int = 500
    model_kwargs: dict = dataclasses.field(default_factory=dict)

    def validate(self) -> TrainConfig:
        """Raise ``ValueError`` naming the first bad field."""
        for name in ("epochs", "batch_size", "eval_batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {name}={value!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0; got lr={self.lr!r}")
        for name in ("limit_train", "limit_test"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive int or None; got {name}={value!r}")
        return self


@dataclasses.dataclass
class Progress:
    """One progress report: within an epoch (``phase='train'``) or at its end (``'epoch'``)."""

    phase: str
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    accuracy: float
    images_per_second: float
    lr: float
    metrics: dict | None = None


def _subset(ds, limit):
    if limit is None or limit >= len(ds):
        return ds
    return ds.subset(np.arange(limit))


class Normalizer:
    """Per-channel standardisation with statistics measured on the training images."""

    def __init__(self, images: np.ndarray):
        axes = (0,) + tuple(range(2, images.ndim))
        self.mean = images.mean(axis=axes, keepdims=True)[0].astype(np.float32)
        self.std = (images.std(axis=axes, keepdims=True)[0] + 1e-6).astype(np.float32)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return ((images - self.mean) / self.std).astype(np.float32)


def build_run(config: TrainConfig):
    """Datasets, model, optimizer, scheduler and normaliser for a config (nothing trained)."""
    train_ds = _subset(load_dataset(config.dataset, "train", config.data_dir), config.limit_train)
    test_ds = _subset(load_dataset(config.dataset, "test", config.data_dir), config.limit_test)
    c, h, _ = train_ds.images.shape[1:]
    kwargs = dict(config.model_kwargs)
    if config.model == "lenet5":
        kwargs.setdefault("input_size", h)
    model = create_model(config.model, num_classes=len(train_ds.classes), in_channels=c,
                         rng=np.random.default_rng([config.seed, 0]), **kwargs)
    loader = DataLoader(train_ds, config.batch_size, shuffle=True, seed=config.seed)
    opt_kw = {"weight_decay": config.weight_decay}
    if config.optimizer in ("sgd", "momentum", "nesterov"):
        opt_kw["momentum"] = config.momentum
    optimizer = create_optimizer(config.optimizer, model.parameters(), lr=config.lr, **opt_kw)
    total = config.epochs * len(loader)
    warmup = int(round(config.warmup_epochs * len(loader)))
    scheduler = create_scheduler(config.schedule, optimizer, total_iters=total,
                                 warmup_iters=warmup)
    return train_ds, test_ds, model, loader, optimizer, scheduler, Normalizer(train_ds.images)


def _reseed(model, config: TrainConfig, epoch: int) -> np.random.Generator:
    """Fresh dropout generators and an augmentation generator for this epoch."""
    for i, m in enumerate(model.modules()):
        if hasattr(m, "rng") and isinstance(m.rng, np.random.Generator):
            m.rng = np.random.default_rng([config.seed, epoch, 1, i])
    return np.random.default_rng([config.seed, epoch, 2])


def _augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from .data import transforms
    pad = max(images.shape[-1] // 8, 1)
    crop = transforms.RandomCrop(images.shape[-1], padding=pad)
    flip = transforms.RandomHorizontalFlip(0.5)
    return flip(crop(images, rng), rng)


def evaluate_model(model, dataset, normalize, batch_size: int = 500) -> dict:
    """Accuracy, mean loss, per-class accuracy and confusion matrix of ``model`` on ``dataset``."""
    model.eval()
    k = len(dataset.classes)
    confusion = np.zeros((k, k), dtype=np.int64)
    total_loss = 0.0
    with no_grad():
        for start in range(0, len(dataset), batch_size):
            x = normalize(dataset.images[start:start + batch_size])
            y = dataset.labels[start:start + batch_size]
            logits = model(tensor(x))
            total_loss += float(F.cross_entropy(logits, y, reduction="sum").data)
            np.add.at(confusion, (y, logits.data.argmax(axis=1)), 1)
    per_class = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    return {
        "accuracy": float(np.trace(confusion) / max(confusion.sum(), 1)),
        "loss": total_loss / max(len(dataset), 1),
        "per_class_accuracy": {name: float(a) for name, a in zip(dataset.classes, per_class)},
        "confusion_matrix": confusion.tolist(),
        "classes": list(dataset.classes),
        "n": int(len(dataset)),
    }


def _checkpoint_state(config, epoch, model, optimizer, scheduler, history):
    return {"format": "convzoo-checkpoint-1", "config": dataclasses.asdict(config),
            "epoch": epoch, "model": dict(model.state_dict()),
            "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "history": history}


def latest_checkpoint(out: str | Path) -> Path | None:
    """``out/last.npz`` if a run directory has one."""
    path = Path(out) / "last.npz"
    return path if path.is_file() else None


def _write_lines(path: Path, lines: list[str]) -> None:
    atomic_write_bytes(path, "".join(lines).encode())


def train(config: TrainConfig, out: str | Path, resume: bool = False,
          on_progress: Callable[[Progress], None] | None = None) -> dict:
    """Train ``config.model`` on ``config.dataset``, checkpointing into ``out`` every epoch.

    Args:
        config: the run's definition.
        out: run directory (created).
        resume: continue from ``out/last.npz`` (its config wins; ``config.epochs`` may extend it).
        on_progress: called with a ``Progress`` after every step and every epoch.

    Returns:
        The last epoch's metrics (``test_accuracy`` etc.) plus ``history`` and ``out``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    history: list[dict] = []
    start_epoch = 0
    state = None
    if resume:
        ckpt = latest_checkpoint(out)
        if ckpt is None:
            raise FileNotFoundError(f"--resume: no checkpoint in {out} "
                                    f"(expected {out / 'last.npz'})")
        state = load_checkpoint(ckpt)
        epochs = config.epochs
        config = TrainConfig(**state["config"])
        config.epochs = max(epochs, config.epochs)
        start_epoch, history = state["epoch"], list(state["history"])
    config.validate()
    train_ds, test_ds, model, loader, optimizer, scheduler, normalize = build_run(config)
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
    config_json = json.dumps(dataclasses.asdict(config), indent=2)
    atomic_write_bytes(out / "config.json", config_json.encode())
    # logs keep exactly the completed epochs: a killed epoch's partial lines are dropped
    _write_lines(out / "metrics.jsonl", [json.dumps(h) + "\n" for h in history])
    steps_path = out / "steps.csv"
    kept = ["epoch,step,loss,accuracy,lr\n"]
    if steps_path.is_file() and state is not None:
        kept += [ln for ln in steps_path.read_text().splitlines(keepends=True)[1:]
                 if ln.split(",")[0].isdigit() and int(ln.split(",")[0]) <= start_epoch]
    _write_lines(steps_path, kept)

    steps = len(loader)
    metrics: dict = {}
    for epoch in range(start_epoch + 1, config.epochs + 1):
        model.train()
        aug_rng = _reseed(model, config, epoch)
        loader.set_epoch(epoch)
        t0, seen, loss_sum, correct = time.perf_counter(), 0, 0.0, 0
        with open(steps_path, "a") as step_log:
            for step, (xb, yb) in enumerate(loader, start=1):
                if config.augment:
                    xb = _augment(xb, aug_rng)
                logits = model(tensor(normalize(xb)))
                loss = F.cross_entropy(logits, yb)
                optimizer.zero_grad()
                loss.backward()
                lr = optimizer.param_groups[0]["lr"]
                optimizer.step()
                scheduler.step()
                batch_loss = float(loss.data)
                batch_correct = int((logits.data.argmax(axis=1) == yb).sum())
                seen += len(yb)
                loss_sum += batch_loss * len(yb)
                correct += batch_correct
                step_log.write(f"{epoch},{step},{batch_loss:.6f},{batch_correct / len(yb):.6f},"
                               f"{lr:.6g}\n")
                if on_progress is not None:
                    elapsed = time.perf_counter() - t0
                    on_progress(Progress("train", epoch, config.epochs, step, steps,
                                         loss_sum / seen, correct / seen, seen / elapsed, lr))
        seconds = time.perf_counter() - t0
        test = evaluate_model(model, test_ds, normalize, config.eval_batch_size)
        metrics = {"epoch": epoch, "train_loss": loss_sum / seen, "train_accuracy": correct / seen,
                   "test_loss": test["loss"], "test_accuracy": test["accuracy"],
                   "lr": optimizer.param_groups[0]["lr"], "seconds": seconds,
                   "images_per_second": seen / seconds}
        history.append(metrics)
        ckpt = _checkpoint_state(config, epoch, model, optimizer, scheduler, history)
        save_checkpoint(out / f"checkpoint_epoch{epoch:03d}.npz", ckpt)
        save_checkpoint(out / "last.npz", ckpt)
        _write_lines(out / "metrics.jsonl", [json.dumps(h) + "\n" for h in history])
        _plot(history, out / "curves.png")
        if on_progress is not None:
            on_progress(Progress("epoch", epoch, config.epochs, steps, steps, metrics["train_loss"],
                                 metrics["train_accuracy"], metrics["images_per_second"],
                                 metrics["lr"], metrics))
    return {**(history[-1] if history else metrics), "history": history, "out": str(out)}


def _plot(history: list[dict], path: Path) -> None:
    try:
        from .viz.curves import plot_training_curves
    except ImportError:  # matplotlib is an optional extra
        return
    plot_training_curves(history, path)


def load_trained(path: str | Path):
    """Model, test dataset and normaliser from a checkpoint file or a run directory.

    Raises:
        FileNotFoundError: no checkpoint at ``path`` (or no ``last.npz`` in the directory).
    """
    path = Path(path)
    if path.is_dir():
        ckpt = latest_checkpoint(path)
        if ckpt is None:
            raise FileNotFoundError(f"no checkpoint in {path} (expected {path / 'last.npz'})")
        path = ckpt
    state = load_checkpoint(path)
    config = TrainConfig(**state["config"])
    _, test_ds, model, _, _, _, normalize = build_run(config)
    model.load_state_dict(state["model"])
    return model, test_ds, normalize, config, state


def evaluate_checkpoint(path: str | Path, batch_size: int = 500) -> dict:
    """``evaluate_model`` for a saved checkpoint or run directory (its config's test split)."""
    model, test_ds, normalize, config, state = load_trained(path)
    result = evaluate_model(model, test_ds, normalize, batch_size)
    return {"checkpoint": str(path), "model": config.model, "dataset": config.dataset,
            "epoch": state["epoch"], **result}
