"""VGG-11/13/16/19 (Simonyan & Zisserman, 2014), with and without batch norm, as torchvision.

A configuration is a list of channel counts (a 3×3 conv, padding 1, then ReLU — with batch
norm between them for the ``_bn`` models) and ``'M'`` (2×2 max pooling, stride 2). The head
is torchvision's: adaptive average pooling to 7×7, then FC 25088→4096→4096→classes with
ReLU and dropout. Parameter names, shapes and counts equal torchvision's
(``features.0.weight`` ... ``classifier.6.bias``; VGG-16 has 138,357,544 parameters).
Initialisation is torchvision's: He-normal (fan_out) convs with zero biases, N(0, 0.01)
FC weights with zero biases.
"""

from __future__ import annotations

from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, check_width, conv_weights, linear_weights, scaled
from .registry import register

CONFIGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
         512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"],
}


def vgg(depth: int, batch_norm: bool = False, num_classes: int = 1000, in_channels: int = 3, *,
        width_mult: float = 1.0, dropout: float = 0.5, rng=None) -> nn.Sequential:
    """VGG of ``depth`` 11, 13, 16 or 19.

    Args:
        depth: weight layers (a key of ``CONFIGS``).
        batch_norm: BatchNorm2d after every conv (the ``_bn`` models).
        num_classes: outputs of the last FC layer.
        in_channels: image channels.
        width_mult: scales every conv's channels and the hidden FC width (4096).
        dropout: drop probability after the two hidden FC layers.
        rng: Generator or int seed for every weight and the dropout masks.

    Returns:
        nn.Sequential with children ``features``, ``avgpool``, ``flatten``, ``classifier``.

    Raises:
        ValueError: unknown depth.

    >>> import numpy as np
    >>> net = vgg(11, num_classes=10, width_mult=0.0625, rng=0)
    >>> net(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    if depth not in CONFIGS:
        raise ValueError(f"depth must be one of {sorted(CONFIGS)}; got depth={depth!r}")
    rng = make_rng(rng)
    width_mult = check_width(width_mult)
    layers, channels = [], in_channels
    for v in CONFIGS[depth]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        out = scaled(v, width_mult)
        layers.append(nn.Conv2d(channels, out, 3, padding=1, rng=OVERWRITTEN))
        if batch_norm:
            layers.append(nn.BatchNorm2d(out))
        layers.append(nn.ReLU())
        channels = out
    hidden = scaled(4096, width_mult)
    classifier = nn.Sequential(
        nn.Linear(channels * 49, hidden, rng=OVERWRITTEN), nn.ReLU(),
        nn.Dropout(dropout, rng=rng), nn.Linear(hidden, hidden, rng=OVERWRITTEN), nn.ReLU(),
        nn.Dropout(dropout, rng=rng), nn.Linear(hidden, num_classes, rng=OVERWRITTEN))
    model = nn.Sequential({"features": nn.Sequential(*layers),
                           "avgpool": nn.AdaptiveAvgPool2d((7, 7)), "flatten": nn.Flatten(),
                           "classifier": classifier})
    conv_weights(model, rng)
    linear_weights(model, rng)
    return model


def _register(depth: int, batch_norm: bool) -> None:
    name = f"vgg{depth}" + ("_bn" if batch_norm else "")

    def build(num_classes: int = 1000, in_channels: int = 3, *, width_mult: float = 1.0,
              dropout: float = 0.5, rng=None):
        return vgg(depth, batch_norm, num_classes, in_channels, width_mult=width_mult,
                   dropout=dropout, rng=rng)

    build.__name__ = name
    build.__doc__ = (f"VGG-{depth}{' with batch norm' if batch_norm else ''} (torchvision's "
                     f"``{name}``); see ``vgg`` for the arguments.")
    register(name)(build)


for _depth in CONFIGS:
    for _bn in (False, True):
        _register(_depth, _bn)
