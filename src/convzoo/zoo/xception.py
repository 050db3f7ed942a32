"""Xception (Chollet, 2017) as Keras builds it: depthwise-separable convolutions everywhere.

Entry flow: two plain 3×3 convs (32/2, 64; 'valid' padding, so inputs must be ≥ 71×71),
then three blocks of [ReLU →] separable 3×3 → BN → ReLU → separable 3×3 → BN → 3×3/2 max
pool (128, 256, 728 channels), each added to a strided 1×1 conv + BN shortcut. Middle flow:
eight residual blocks of three ReLU → separable 3×3 (728) → BN. Exit flow: a block to 728
and 1024 channels with a 1×1 shortcut, then separable convs to 1536 and 2048 with ReLU,
global average pooling and the classifier. No conv has a bias; batch norm uses Keras'
ε = 1e-3 and momentum 0.99. Module names follow Keras' layer names (``block1_conv1``,
``block2.sepconv1_bn``, ``predictions``). The parameter count is Keras' "Trainable params"
(22,855,952); its "Total params: 22,910,480" adds the 54,528 moving means and variances,
which convzoo keeps as buffers.
"""

from __future__ import annotations

from collections import OrderedDict

from .. import functional as F
from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, check_width, conv_weights, linear_weights, scaled
from .registry import register


def _bn(channels):
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


def _sep(cin, cout, rng):
    return nn.SeparableConv2d(cin, cout, 3, padding=1, bias=False, rng=OVERWRITTEN)


class Block(nn.Module):
    """Xception residual block: ``len(channels)`` × ([ReLU →] separable conv → BN), then a
    3×3/2 max pool and a strided 1×1 conv + BN shortcut (``strided``) or the identity."""

    def __init__(self, in_channels, channels, *, strided, first_relu=True, rng):
        super().__init__()
        self.first_relu, self.strided = first_relu, strided
        c = in_channels
        for i, out in enumerate(channels, start=1):
            setattr(self, f"sepconv{i}", _sep(c, out, rng))
            setattr(self, f"sepconv{i}_bn", _bn(out))
            c = out
        self.depth = len(channels)
        if strided:
            self.pool = nn.MaxPool2d(3, 2, "same")
            self.residual = nn.Conv2d(in_channels, c, 1, 2, bias=False, rng=OVERWRITTEN)
            self.residual_bn = _bn(c)

    def forward(self, x):
        """(N, C_in, H, W) -> (N, C_out, ⌈H/2⌉, ⌈W/2⌉) if strided, else the same size."""
        y = x
        for i in range(1, self.depth + 1):
            if i > 1 or self.first_relu:
                y = F.relu(y)
            y = getattr(self, f"sepconv{i}_bn")(getattr(self, f"sepconv{i}")(y))
        if not self.strided:
            return y + x
        return self.pool(y) + self.residual_bn(self.residual(x))


@register("xception")
def xception(num_classes: int = 1000, in_channels: int = 3, *, width_mult: float = 1.0,
             rng=None):
    """Xception (Keras ``Xception``).

    Args:
        num_classes: outputs of the ``predictions`` layer.
        in_channels: image channels.
        width_mult: scales every channel count (not in Keras; 1 is the paper's network).
        rng: Generator or int seed.

    Returns:
        nn.Sequential: ``block1_conv1`` ... ``block14_sepconv2_act``, ``avg_pool``,
        ``flatten``, ``predictions``.

    >>> import numpy as np
    >>> xception(10, width_mult=0.0625, rng=0)(np.zeros((2, 3, 71, 71), np.float32)).shape
    (2, 10)
    """
    rng = make_rng(rng)
    w = check_width(width_mult)

    def s(c):
        return scaled(c, w)

    layers = OrderedDict(
        block1_conv1=nn.Conv2d(in_channels, s(32), 3, 2, bias=False, rng=OVERWRITTEN),
        block1_conv1_bn=_bn(s(32)), block1_conv1_act=nn.ReLU(),
        block1_conv2=nn.Conv2d(s(32), s(64), 3, bias=False, rng=OVERWRITTEN),
        block1_conv2_bn=_bn(s(64)), block1_conv2_act=nn.ReLU())
    layers["block2"] = Block(s(64), (s(128), s(128)), strided=True, first_relu=False, rng=rng)
    layers["block3"] = Block(s(128), (s(256), s(256)), strided=True, rng=rng)
    layers["block4"] = Block(s(256), (s(728), s(728)), strided=True, rng=rng)
    for i in range(5, 13):
        layers[f"block{i}"] = Block(s(728), (s(728),) * 3, strided=False, rng=rng)
    layers["block13"] = Block(s(728), (s(728), s(1024)), strided=True, rng=rng)
    layers.update(
        block14_sepconv1=_sep(s(1024), s(1536), rng), block14_sepconv1_bn=_bn(s(1536)),
        block14_sepconv1_act=nn.ReLU(),
        block14_sepconv2=_sep(s(1536), s(2048), rng), block14_sepconv2_bn=_bn(s(2048)),
        block14_sepconv2_act=nn.ReLU(),
        avg_pool=nn.GlobalAvgPool2d(), flatten=nn.Flatten(),
        predictions=nn.Linear(s(2048), num_classes, rng=rng))
    model = nn.Sequential(layers)
    conv_weights(model, rng)
    linear_weights(model, rng)
    return model
