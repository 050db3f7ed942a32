"""MobileFaceNet (Chen et al., 2018): a MobileNet-v2 body with a global depthwise conv head.

Table 1 of the paper, for 112×112 face crops: 3×3/2 conv 64 → 3×3 depthwise 64 → five
stages of bottlenecks (t, c, n, s) = (2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1),
(4, 128, 1, 2), (2, 128, 2, 1) → 1×1 conv 512 → linear global depthwise conv (GDC) 7×7 →
linear 1×1 conv to the embedding size (128). Every conv is followed by BN, and by PReLU
unless it is linear (the projections, GDC and the embedding). GDC replaces global average
pooling: a depthwise kernel as large as the 7×7 map learns one weight per position and
channel, which suits aligned faces (the centre matters more than the corners). That is
1,003,136 trainable parameters; folding each BN into its conv for deployment (one bias per
channel instead of γ and β) leaves 993,344 — the paper's "less than 1 million parameters"
and "4.0MB" model.
"""

from __future__ import annotations

from collections import OrderedDict

from .. import nn, shapes
from ..nn.init import make_rng
from ._common import OVERWRITTEN, check_width, conv_weights, scaled
from .registry import register

# t, c, n, s per stage (Table 1)
SETTING = [(2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1), (4, 128, 1, 2), (2, 128, 2, 1)]


def conv_unit(cin, cout, kernel, stride=1, padding=0, groups=1, *, act=True, rng):
    """conv (no bias) → BN [→ PReLU] as ``Sequential(conv, bn[, prelu])``."""
    layers = OrderedDict(conv=nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups,
                                        bias=False, rng=OVERWRITTEN), bn=nn.BatchNorm2d(cout))
    if act:
        layers["prelu"] = nn.PReLU(cout)
    return nn.Sequential(layers)


class Bottleneck(nn.Module):
    """1×1 expand → 3×3 depthwise (stride) → 1×1 linear projection, + x when shapes match."""

    def __init__(self, cin, cout, stride, expansion, *, rng):
        super().__init__()
        hidden = cin * expansion
        self.use_residual = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            conv_unit(cin, hidden, 1, rng=rng),
            conv_unit(hidden, hidden, 3, stride, 1, groups=hidden, rng=rng),
            conv_unit(hidden, cout, 1, act=False, rng=rng))

    def forward(self, x):
        """(N, cin, H, W) -> (N, cout, H/stride, W/stride)."""
        return x + self.conv(x) if self.use_residual else self.conv(x)


@register("mobilefacenet")
def mobilefacenet(num_classes: int = 128, in_channels: int = 3, *, input_size: int = 112,
                  width_mult: float = 1.0, rng=None):
    """MobileFaceNet; the "classes" are the embedding dimensions (128 in the paper).

    Args:
        num_classes: size of the output embedding.
        in_channels: image channels.
        input_size: H = W of the input (112); the GDC kernel covers the final map
            (7×7 at 112).
        width_mult: scales every channel count except the embedding.
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``conv1``, ``conv2_dw``, ``stage1``-``stage5``,
        ``conv_6_sep``, ``conv_6_dw`` (GDC + BN), ``conv_7`` (linear 1×1 + BN), ``flatten``.

    >>> import numpy as np
    >>> mobilefacenet(128, input_size=32, width_mult=0.25, rng=0)(
    ...     np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 128)
    """
    rng = make_rng(rng)
    w = check_width(width_mult)
    size = shapes.conv_output_size(input_size, 3, 2, 1)
    c = scaled(64, w)
    layers = OrderedDict(conv1=conv_unit(in_channels, c, 3, 2, 1, rng=rng),
                         conv2_dw=conv_unit(c, c, 3, 1, 1, groups=c, rng=rng))
    for i, (t, out, n, s) in enumerate(SETTING, start=1):
        out = scaled(out, w)
        blocks = []
        for j in range(n):
            blocks.append(Bottleneck(c, out, s if j == 0 else 1, t, rng=rng))
            c = out
        layers[f"stage{i}"] = nn.Sequential(*blocks)
        if s == 2:
            size = shapes.conv_output_size(size, 3, 2, 1)
    sep = scaled(512, w)
    layers["conv_6_sep"] = conv_unit(c, sep, 1, rng=rng)
    layers["conv_6_dw"] = nn.Sequential(OrderedDict(
        conv=nn.GlobalDepthwiseConv2d(sep, size, rng=rng), bn=nn.BatchNorm2d(sep)))
    layers["conv_7"] = conv_unit(sep, num_classes, 1, act=False, rng=rng)
    layers["flatten"] = nn.Flatten()
    model = nn.Sequential(layers)
    conv_weights(model, rng)
    return model
