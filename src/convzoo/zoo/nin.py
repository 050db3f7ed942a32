"""Network in Network (Lin, Chen & Yan, 2013): mlpconv layers and a global average pooling head.

An mlpconv layer is a k×k conv followed by two 1×1 convs (a small MLP shared across
positions), each with ReLU. The CIFAR-10 network of the paper (the authors' released
configuration) stacks three: 192@5×5-160-96, max pool 3/2, dropout; 192@5×5-192-192,
average pool 3/2, dropout; 192@3×3-192-classes. The last mlpconv outputs one map per
class and global average pooling turns each map into a score — no fully connected layer,
so a 10-class NIN has only 966,986 parameters. Pools use ceil mode, as Caffe.
"""

from __future__ import annotations

from .. import nn
from ..nn.init import make_rng
from ._common import check_width, conv_weights, scaled
from .registry import register

# (kernel, (out, out_1x1, out_1x1)) per mlpconv; None marks the class-count output.
MLPCONV = [(5, (192, 160, 96)), (5, (192, 192, 192)), (3, (192, 192, None))]


@register("nin")
def nin(num_classes: int = 10, in_channels: int = 3, *, width_mult: float = 1.0,
        dropout: float = 0.5, rng=None):
    """NIN for CIFAR-sized images (any size ≥ 9×9 works: the head is global).

    Args:
        num_classes: maps of the last 1×1 conv, one per class.
        in_channels: image channels.
        width_mult: scales the hidden channel counts (192, 160, 96).
        dropout: drop probability after the first two mlpconv blocks.
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``features`` (mlpconvs, pools, dropout), ``pool``
        (global average) and ``flatten``.

    >>> import numpy as np
    >>> nin(10, width_mult=0.125, rng=0)(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    rng = make_rng(rng)
    width_mult = check_width(width_mult)
    layers, channels = [], in_channels
    for block, (kernel, outs) in enumerate(MLPCONV):
        for i, out in enumerate(outs):
            out = num_classes if out is None else scaled(out, width_mult)
            k = kernel if i == 0 else 1
            layers += [nn.Conv2d(channels, out, k, padding=k // 2, rng=rng), nn.ReLU()]
            channels = out
        if block == 0:
            layers += [nn.MaxPool2d(3, 2, ceil_mode=True), nn.Dropout(dropout, rng=rng)]
        elif block == 1:
            layers += [nn.AvgPool2d(3, 2, ceil_mode=True), nn.Dropout(dropout, rng=rng)]
    model = nn.Sequential({"features": nn.Sequential(*layers), "pool": nn.GlobalAvgPool2d(),
                           "flatten": nn.Flatten()})
    conv_weights(model, rng)
    return model
