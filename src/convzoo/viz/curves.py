"""Loss and accuracy curves of a training run, as a PNG written atomically."""

from __future__ import annotations

import io
from pathlib import Path

from ..checkpoint import atomic_write_bytes


def plot_training_curves(history: list[dict], path: str | Path) -> None:
    """Plot train/test loss and accuracy per epoch from ``metrics.jsonl`` rows.

    Args:
        history: dicts with ``epoch``, ``train_loss``, ``test_loss``, ``train_accuracy``,
            ``test_accuracy``.
        path: PNG file to (over)write.

    Raises:
        ImportError: matplotlib is not installed (``pip install convzoo[viz]``).
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-", label="train")
    ax_loss.plot(epochs, [h["test_loss"] for h in history], "s--", label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    ax_acc.plot(epochs, [h["train_accuracy"] for h in history], "o-", label="train")
    ax_acc.plot(epochs, [h["test_accuracy"] for h in history], "s--", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
        if len(epochs) < 15:
            ax.set_xticks(epochs)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
