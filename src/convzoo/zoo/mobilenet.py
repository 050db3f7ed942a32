"""MobileNet v1 (Howard et al., 2017) as Keras builds it, and MobileNet v2 (Sandler et al.,
2018) as torchvision builds it.

v1: a 3×3/2 conv, then 13 depthwise-separable blocks — 3×3 depthwise conv → BN → ReLU6 →
1×1 pointwise conv → BN → ReLU6 — then global average pooling and a 1×1 conv classifier
(Keras' ``conv_preds``). The width multiplier α scales every channel count
(``int(c·α)``). Layer names follow Keras (``conv1``, ``conv_dw_1``, ``conv_pw_1_bn`` ...),
and so does the geometry: 'same' padding for the stem, a (0, 1) bottom/right pad for the
stride-2 depthwise convs, batch norm with ε = 1e-3 and Keras' momentum 0.99 (0.01 in
PyTorch's convention). At α = 1 that is 4,231,976 parameters — Keras' "Trainable params";
its "Total params: 4,253,864" also counts the 21,888 moving means and variances, which
convzoo keeps as buffers.

v2: inverted residual blocks — 1×1 expand (×t) → 3×3 depthwise → 1×1 linear projection,
each with BN, ReLU6 after the first two, an identity shortcut when shape allows — with
torchvision's names (``features.1.conv.0.0.weight`` ...), channel rounding to multiples of 8
and init; 3,504,872 parameters at width 1.
"""

from __future__ import annotations

from collections import OrderedDict

from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, check_width, conv_bn, conv_weights, linear_weights, scaled
from .registry import register

# (pointwise channels, stride) of the 13 depthwise-separable blocks
V1_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
             (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

# t (expansion), c (channels), n (repeats), s (first stride) — the v2 paper's Table 2
V2_SETTING = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
              (6, 160, 3, 2), (6, 320, 1, 1)]


def _bn(channels):
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)   # Keras' defaults


@register("mobilenet_v1")
def mobilenet_v1(num_classes: int = 1000, in_channels: int = 3, *, width_mult: float = 1.0,
                 depth_multiplier: int = 1, dropout: float = 1e-3, rng=None):
    """MobileNet v1 (Keras ``MobileNet``).

    Args:
        num_classes: outputs of the ``conv_preds`` classifier.
        in_channels: image channels.
        width_mult: α, scaling every channel count (Keras ``alpha``).
        depth_multiplier: depthwise outputs per input channel.
        dropout: drop probability before the classifier (Keras' 1e-3).
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``features``, ``pool``, ``dropout``, ``conv_preds``,
        ``flatten``.

    >>> import numpy as np
    >>> mobilenet_v1(10, width_mult=0.25, rng=0)(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    rng = make_rng(rng)
    alpha = check_width(width_mult)
    channels = scaled(32, alpha)
    layers = OrderedDict(conv1=nn.Conv2d(in_channels, channels, 3, 2, "same", bias=False,
                                         rng=OVERWRITTEN),
                         conv1_bn=_bn(channels), conv1_relu=nn.ReLU6())
    for i, (out, stride) in enumerate(V1_BLOCKS, start=1):
        dw = channels * depth_multiplier
        pad = 1 if stride == 1 else ((0, 1), (0, 1))
        out = scaled(out, alpha)
        layers[f"conv_dw_{i}"] = nn.Conv2d(channels, dw, 3, stride, pad, groups=channels,
                                           bias=False, rng=OVERWRITTEN)
        layers[f"conv_dw_{i}_bn"] = _bn(dw)
        layers[f"conv_dw_{i}_relu"] = nn.ReLU6()
        layers[f"conv_pw_{i}"] = nn.Conv2d(dw, out, 1, bias=False, rng=OVERWRITTEN)
        layers[f"conv_pw_{i}_bn"] = _bn(out)
        layers[f"conv_pw_{i}_relu"] = nn.ReLU6()
        channels = out
    model = nn.Sequential(OrderedDict(
        features=nn.Sequential(layers), pool=nn.GlobalAvgPool2d(),
        dropout=nn.Dropout(dropout, rng=rng),
        conv_preds=nn.Conv2d(channels, num_classes, 1, rng=rng), flatten=nn.Flatten()))
    conv_weights(model, rng)
    return model


def make_divisible(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round ``v`` to a multiple of ``divisor``, never below 90% of ``v`` (TF's rule)."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


class InvertedResidual(nn.Module):
    """[1×1 expand-BN-ReLU6] → 3×3 depthwise-BN-ReLU6 → 1×1 linear-BN, + x when shapes match."""

    def __init__(self, inp, oup, stride, expand_ratio, *, rng):
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = [] if expand_ratio == 1 else [conv_bn(inp, hidden, 1, activation=nn.ReLU6,
                                                       rng=rng)]
        layers += [conv_bn(hidden, hidden, 3, stride, 1, groups=hidden, activation=nn.ReLU6,
                           rng=rng),
                   nn.Conv2d(hidden, oup, 1, bias=False, rng=OVERWRITTEN), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        """(N, inp, H, W) -> (N, oup, H/stride, W/stride)."""
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


@register("mobilenet_v2")
def mobilenet_v2(num_classes: int = 1000, in_channels: int = 3, *, width_mult: float = 1.0,
                 round_nearest: int = 8, dropout: float = 0.2, rng=None):
    """MobileNet v2 (torchvision's ``mobilenet_v2``).

    Args:
        num_classes: outputs of the classifier.
        in_channels: image channels.
        width_mult: scales every channel count (rounded to ``round_nearest``); the last
            conv keeps at least 1280 channels.
        round_nearest: channel rounding multiple (1 turns rounding off).
        dropout: drop probability before the classifier.
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``features``, ``pool``, ``flatten``, ``classifier``.

    >>> import numpy as np
    >>> mobilenet_v2(10, width_mult=0.25, rng=0)(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    rng = make_rng(rng)
    width_mult = check_width(width_mult)
    channels = make_divisible(32 * width_mult, round_nearest)
    last = make_divisible(1280 * max(1.0, width_mult), round_nearest)
    features = [conv_bn(in_channels, channels, 3, 2, 1, activation=nn.ReLU6, rng=rng)]
    for t, c, n, s in V2_SETTING:
        out = make_divisible(c * width_mult, round_nearest)
        for i in range(n):
            features.append(InvertedResidual(channels, out, s if i == 0 else 1, t, rng=rng))
            channels = out
    features.append(conv_bn(channels, last, 1, activation=nn.ReLU6, rng=rng))
    model = nn.Sequential(OrderedDict(
        features=nn.Sequential(*features), pool=nn.GlobalAvgPool2d(), flatten=nn.Flatten(),
        classifier=nn.Sequential(nn.Dropout(dropout, rng=rng),
                                 nn.Linear(last, num_classes, rng=rng))))
    conv_weights(model, rng)
    linear_weights(model, rng)
    return model
