"""AlexNet (Krizhevsky et al., 2012) and ZFNet (Zeiler & Fergus, 2013) as layer lists.

Three recipes share one builder: a list of convs ``(out, kernel, stride, padding, groups)``
(each followed by ReLU), ``"L"`` local response normalisation and ``"M"``/``"Mc"`` 3×3
stride-2 max pooling (floor / ceil), then torchvision's head — adaptive average pooling to
6×6 (so small images work too), dropout and three fully connected layers.

* ``alexnet`` — torchvision's AlexNet (the single-GPU "one weird trick" variant: 64-192-
  384-256-256 channels, no normalisation): the same parameter names, shapes and count
  (61,100,840) and PyTorch's default initialisation.
* ``alexnet(original=True)`` — the 2012 paper: 96-256-384-384-256 channels, conv2/4/5
  split into two groups (the two GPUs), LRN after conv1 and conv2 (before pooling), weights
  N(0, 0.01) and biases 1 in conv2, conv4, conv5 and the hidden FC layers (60,965,224).
* ``zfnet`` — the paper's Fig. 3: 7×7 stride-2 first layer, 5×5 stride-2 second layer,
  dense (ungrouped) layers, pooling then normalisation, weights N(0, 0.01), biases 0.
  CS231n quotes a larger variant with 512-1024-512 filters in layers 3-5; pass
  ``conv345=(512, 1024, 512)``.

LRN uses the paper's k=2, n=5, α=1e-4, β=0.75; convzoo (like PyTorch and Caffe) divides α
by n, so the layer gets ``alpha=5e-4``.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, _set, check_width, normal, scaled
from .registry import register

TORCHVISION = [(64, 11, 4, 2, 1), "M", (192, 5, 1, 2, 1), "M", (384, 3, 1, 1, 1),
               (256, 3, 1, 1, 1), (256, 3, 1, 1, 1), "M"]
PAPER = [(96, 11, 4, 0, 1), "L", "M", (256, 5, 1, 2, 2), "L", "M", (384, 3, 1, 1, 1),
         (384, 3, 1, 1, 2), (256, 3, 1, 1, 2), "M"]


def zfnet_layers(conv345=(384, 384, 256)):
    """ZFNet's Fig. 3 as a layer list (pool-then-normalise, ceil-mode pools as Caffe)."""
    c3, c4, c5 = conv345
    return [(96, 7, 2, 1, 1), "Mc", "L", (256, 5, 2, 0, 1), "Mc", "L", (c3, 3, 1, 1, 1),
            (c4, 3, 1, 1, 1), (c5, 3, 1, 1, 1), "M"]


def build(layers, num_classes: int, in_channels: int, *, width_mult: float = 1.0,
          hidden: int = 4096, dropout: float = 0.5, rng=None,
          layer_rng=None) -> nn.Sequential:
    """Features from ``layers``, then avgpool(6×6) → flatten → dropout/FC/ReLU ×2 → FC.

    ``layer_rng`` (default ``rng``) draws the layers' initial weights; ``rng`` the dropout."""
    rng = make_rng(rng)
    lrng = rng if layer_rng is None else layer_rng
    width_mult = check_width(width_mult)
    features, channels = [], in_channels
    for item in layers:
        if item == "L":
            features.append(nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0))
        elif item in ("M", "Mc"):
            features.append(nn.MaxPool2d(3, 2, ceil_mode=item == "Mc"))
        else:
            out, k, s, p, g = item
            out = scaled(out, width_mult)
            features += [nn.Conv2d(channels, out, k, s, p, groups=g, rng=lrng), nn.ReLU()]
            channels = out
    hidden = scaled(hidden, width_mult)
    classifier = nn.Sequential(
        nn.Dropout(dropout, rng=rng), nn.Linear(channels * 36, hidden, rng=lrng), nn.ReLU(),
        nn.Dropout(dropout, rng=rng), nn.Linear(hidden, hidden, rng=lrng), nn.ReLU(),
        nn.Linear(hidden, num_classes, rng=lrng))
    return nn.Sequential({"features": nn.Sequential(*features),
                          "avgpool": nn.AdaptiveAvgPool2d((6, 6)), "flatten": nn.Flatten(),
                          "classifier": classifier})


def _paper_init(model: nn.Sequential, rng, one_biases=()) -> None:
    """N(0, 0.01) weights; biases 1 for the layers numbered in ``one_biases`` (1-based over
    convs then FCs), 0 elsewhere."""
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for i, m in enumerate(layers, start=1):
        _set(m.weight, normal(m.weight.shape, 0.01, rng))
        _set(m.bias, np.full(m.bias.shape, 1.0 if i in one_biases else 0.0))


@register("alexnet")
def alexnet(num_classes: int = 1000, in_channels: int = 3, *, original: bool = False,
            width_mult: float = 1.0, dropout: float = 0.5, rng=None):
    """AlexNet: torchvision's by default, the 2012 paper's with ``original=True``.

    Args:
        num_classes: outputs of the last FC layer.
        in_channels: image channels.
        original: the paper's grouped 96-256-384-384-256 network with LRN and its init.
        width_mult: scales every conv's channels and the hidden FC width (4096).
        dropout: drop probability before the two hidden FC layers.
        rng: Generator or int seed for every weight and the dropout masks.

    Returns:
        nn.Sequential with children ``features``, ``avgpool``, ``flatten``, ``classifier``.

    >>> import numpy as np
    >>> alexnet(10, width_mult=0.125, rng=0)(np.zeros((2, 3, 64, 64), np.float32)).shape
    (2, 10)
    """
    rng = make_rng(rng)
    model = build(PAPER if original else TORCHVISION, num_classes, in_channels,
                  width_mult=width_mult, dropout=dropout, rng=rng,
                  layer_rng=OVERWRITTEN if original else rng)
    if original:
        _paper_init(model, rng, one_biases=(2, 4, 5, 6, 7))
    return model


@register("zfnet")
def zfnet(num_classes: int = 1000, in_channels: int = 3, *, conv345=(384, 384, 256),
          width_mult: float = 1.0, dropout: float = 0.5, rng=None):
    """ZFNet (Zeiler & Fergus 2013, Fig. 3): AlexNet with a 7×7/2 first layer and a 5×5/2
    second layer.

    Args:
        num_classes: outputs of the last FC layer.
        in_channels: image channels.
        conv345: filters of layers 3-5 ((512, 1024, 512) is CS231n's larger variant).
        width_mult: scales every conv's channels and the hidden FC width.
        dropout: drop probability before the two hidden FC layers.
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``features``, ``avgpool``, ``flatten``, ``classifier``.
    """
    rng = make_rng(rng)
    model = build(zfnet_layers(conv345), num_classes, in_channels, width_mult=width_mult,
                  dropout=dropout, rng=rng, layer_rng=OVERWRITTEN)
    _paper_init(model, rng)
    return model
