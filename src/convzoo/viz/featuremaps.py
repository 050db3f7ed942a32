"""What a trained CNN learned: its kernels, and its feature maps for one image.

``layer_outputs`` runs a model's ``Sequential`` layers one by one (in eval mode, without
gradients) and keeps every leaf's output; ``plot_feature_maps`` draws the input, each
stage's maps (a conv followed by its activation is shown once, after the activation)
and the predicted class probabilities; ``plot_kernels`` draws the conv kernels (the
first layer's in full, later layers' as one small map per (out, in) channel pair).

>>> from convzoo.zoo import create_model
>>> model = create_model("lenet5", num_classes=10, in_channels=1, input_size=8, rng=0)
>>> [(name, out.shape) for name, _, out in layer_outputs(model, np.zeros((1, 1, 8, 8)))][:2]
[('features.0', (1, 6, 8, 8)), ('features.1', (1, 6, 8, 8))]
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .. import nn
from ..autograd import no_grad, tensor
from ..checkpoint import atomic_write_bytes

_ACTIVATIONS = ("ReLU", "ReLU6", "Tanh", "Sigmoid", "Hardswish", "LeakyReLU", "PReLU")


def _leaves(module, prefix=""):
    if isinstance(module, nn.Sequential):
        for name, child in module._modules.items():
            yield from _leaves(child, f"{prefix}.{name}" if prefix else name)
    else:
        yield prefix, module


def layer_outputs(model, x) -> list[tuple[str, object, np.ndarray]]:
    """Each leaf layer's output for input ``x``: ``[(name, module, array), ...]``.

    Args:
        model: an ``nn.Sequential`` (nested Sequentials are walked; any other module is
            one leaf).
        x: (N, C, H, W) array, already normalised as the model expects.

    Returns:
        One entry per leaf, in order; the last is the model's output.
    """
    was_training = model.training
    model.eval()
    out, rows = tensor(np.asarray(x, dtype=np.float32)), []
    try:
        with no_grad():
            for name, layer in _leaves(model):
                out = layer(out)
                rows.append((name, layer, np.asarray(out.data)))
    finally:
        if was_training:
            model.train()
    return rows


def _conv_layers(model):
    return [(name, m) for name, m in _leaves(model) if type(m).__name__ == "Conv2d"]


def _describe(layer) -> str:
    kind = type(layer).__name__
    if kind == "Conv2d":
        k = "×".join(str(v) for v in layer.weight.shape[2:])
        return f"conv {k}"
    return kind


def _stages(rows):
    """(title, maps) per stage with spatial maps; a conv + activation pair shown once."""
    stages, pending = [], None
    for name, layer, out in rows:
        if out.ndim != 4:
            continue
        kind = type(layer).__name__
        if kind == "Conv2d":
            pending = (name, layer)
            continue
        if kind in _ACTIVATIONS and pending is not None:
            title = f"{pending[0]}: {_describe(pending[1])} + {kind}"
            pending = None
        else:
            if pending is not None:
                stages.append((f"{pending[0]}: {_describe(pending[1])}", None))
                pending = None
            title = f"{name}: {kind}"
        stages.append((title, out[0]))
    return [(t, m) for t, m in stages if m is not None]


def _figure():
    from ._mpl import pyplot
    return pyplot()


def _save(fig, plt, path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def plot_feature_maps(model, image, path, normalize=None, classes=None, label=None) -> dict:
    """Draw one image's feature maps through ``model`` and its class probabilities.

    Args:
        model: a trained ``nn.Sequential`` CNN.
        image: (C, H, W) image as stored in the dataset.
        path: PNG file to write.
        normalize: callable applied to the (1, C, H, W) batch first (the training
            normaliser), or None.
        classes: class names for the probability bars.
        label: the true class index, shown in the title.

    Returns:
        ``{"figure": path, "predicted": int, "probabilities": [...], "stages": [(title,
        shape), ...]}``.
    """
    plt = _figure()
    batch = np.asarray(image, dtype=np.float32)[None]
    x = normalize(batch) if normalize is not None else batch
    rows = layer_outputs(model, x)
    logits = rows[-1][2][0].astype(np.float64)
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    stages = _stages(rows)
    width = max([8] + [m.shape[0] for _, m in stages])
    per_row = min(width, 16)
    heights = [1.4] + [1.25 * -(-m.shape[0] // per_row) for _, m in stages]
    fig = plt.figure(figsize=(0.8 * per_row + 0.6, 0.8 * sum(heights) + 0.8))
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights, hspace=0.55, left=0.03,
                            right=0.98, bottom=0.03, top=1 - 0.7 / (sum(heights) + 0.8))
    top = grid[0].subgridspec(1, per_row)
    ax = fig.add_subplot(top[0, :2])
    ax.imshow(np.asarray(image)[0], cmap="gray")
    ax.set_xticks([])
    ax.set_yticks([])
    predicted = int(probs.argmax())
    names = list(classes) if classes is not None else [str(i) for i in range(len(probs))]
    truth = f", true {names[label]}" if label is not None else ""
    ax.set_title(f"input (predicted {names[predicted]}{truth})", fontsize=10)
    bars = fig.add_subplot(top[0, 3:])
    bars.bar(range(len(probs)), probs, color=["#12808f" if i == predicted else "#9ac6d8"
                                                for i in range(len(probs))])
    bars.set_xticks(range(len(probs)), names, fontsize=9)
    bars.set_ylim(0, 1)
    bars.set_title("class probabilities (softmax of the last layer)", fontsize=10)
    bars.tick_params(axis="y", labelsize=8)
    for k, (title, maps) in enumerate(stages, start=1):
        n_rows = -(-maps.shape[0] // per_row)
        sub = grid[k].subgridspec(n_rows, per_row, wspace=0.08, hspace=0.15)
        for c in range(maps.shape[0]):
            a = fig.add_subplot(sub[c // per_row, c % per_row])
            a.imshow(maps[c], cmap="viridis", interpolation="nearest")
            a.set_xticks([])
            a.set_yticks([])
            if c == 0:
                a.set_title(f"{title} — {maps.shape[0]} maps "
                            f"{maps.shape[1]}×{maps.shape[2]}", fontsize=10, loc="left")
    fig.suptitle("Feature maps of the trained network for one test image", fontsize=12)
    written = _save(fig, plt, path)
    return {"figure": str(written), "predicted": predicted, "probabilities": probs.tolist(),
            "stages": [(t, list(m.shape)) for t, m in stages]}


def plot_kernels(model, path, max_layers: int = 2) -> dict:
    """Draw the conv kernels of the first ``max_layers`` Conv2d layers.

    The first layer's kernels are drawn one per output channel (its input channels
    averaged for colour inputs); a later layer's as a grid of small maps, one column per
    output channel and one row per input channel (up to 16 of each).

    Returns:
        ``{"figure": path, "layers": [(name, weight shape), ...]}``.

    Raises:
        ValueError: the model has no Conv2d layer.
    """
    plt = _figure()
    convs = _conv_layers(model)[:max_layers]
    if not convs:
        raise ValueError(f"model has no Conv2d layer to draw; got model {type(model).__name__}")
    blocks = [(name, np.asarray(layer.weight.data, dtype=np.float64)) for name, layer in convs]
    cap = 16
    cols = min(max(w.shape[0] for _, w in blocks), cap)
    # one row for the first layer, then a gap row and min(C_in, cap) rows per later layer
    layout, row = [], 0
    for k, (_, w) in enumerate(blocks):
        n = 1 if k == 0 else min(w.shape[1], cap)
        layout.append(row + (1 if k else 0))
        row += n + (1 if k else 0)
    heights = []
    for k, (_, w) in enumerate(blocks):
        heights += ([0.55] if k else []) + [1.0] * (1 if k == 0 else min(w.shape[1], cap))
    fig = plt.figure(figsize=(0.78 * cols + 0.8, 0.78 * sum(heights) + 1.0))
    grid = fig.add_gridspec(len(heights), cols, height_ratios=heights, wspace=0.08, hspace=0.12,
                            left=0.02, right=0.98, top=1 - 0.75 / (0.78 * sum(heights) + 1.0),
                            bottom=0.02)
    for k, (name, w) in enumerate(blocks):
        lim = float(np.abs(w).max()) or 1.0
        start = layout[k]
        if k == 0:
            cells = [((0, o), w[o].mean(axis=0)) for o in range(min(w.shape[0], cap))]
            title = f"{name}: {w.shape[0]} kernels {w.shape[2]}×{w.shape[3]}"
        else:
            cells = [((i, o), w[o, i]) for i in range(min(w.shape[1], cap))
                     for o in range(min(w.shape[0], cap))]
            title = (f"{name}: {w.shape[0]}×{w.shape[1]} kernels {w.shape[2]}×{w.shape[3]} "
                     "(column: output channel, row: input channel)")
        for (r, c), kernel in cells:
            a = fig.add_subplot(grid[start + r, c])
            a.imshow(kernel, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
            a.set_xticks([])
            a.set_yticks([])
            if (r, c) == (0, 0):
                a.set_title(title, fontsize=9, loc="left")
    fig.suptitle("Learned kernels (red +, blue −)", fontsize=11)
    written = _save(fig, plt, path)
    return {"figure": str(written), "layers": [(n, list(w.shape)) for n, w in blocks]}


__all__ = ["layer_outputs", "plot_feature_maps", "plot_kernels"]
