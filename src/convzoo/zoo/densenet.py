"""DenseNet-BC 121/161/169/201 (Huang et al., 2016) as torchvision builds them.

Inside a dense block every layer sees the concatenation of the block input and all earlier
layers' outputs, and adds ``growth_rate`` new channels: BN → ReLU → 1×1 conv (bottleneck
to ``bn_size·growth_rate``) → BN → ReLU → 3×3 conv. Between blocks a transition halves the
channels (BN → ReLU → 1×1 conv) and the grid (2×2 average pool). Stem 7×7/2 conv →
BN → ReLU → 3×3/2 max pool; head BN → ReLU → global average pool → FC. Names, shapes and
counts equal torchvision's (``features.denseblock1.denselayer1.conv1.weight`` ...;
DenseNet-121: 7,978,856). Init: He-normal (fan_in) convs, BN 1/0, FC bias 0.
"""

from __future__ import annotations

from collections import OrderedDict

from .. import functional as F
from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, conv_weights, zero_biases
from .registry import register

# growth_rate, block_config, num_init_features
CONFIGS = {121: (32, (6, 12, 24, 16), 64), 161: (48, (6, 12, 36, 24), 96),
           169: (32, (6, 12, 32, 32), 64), 201: (32, (6, 12, 48, 32), 64)}


class DenseLayer(nn.Module):
    """BN-ReLU-1×1 conv (bottleneck) → BN-ReLU-3×3 conv, producing ``growth_rate`` maps."""

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, *, rng):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, 1, bias=False,
                               rng=OVERWRITTEN)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False,
                               rng=OVERWRITTEN)
        if drop_rate > 0:
            self.dropout = nn.Dropout(drop_rate, rng=rng)

    def forward(self, features):
        """A list of (N, C_i, H, W) maps -> the (N, growth_rate, H, W) new features."""
        x = F.concat(features, axis=1) if len(features) > 1 else features[0]
        x = self.conv1(F.relu(self.norm1(x)))
        x = self.conv2(F.relu(self.norm2(x)))
        return self.dropout(x) if "dropout" in self._modules else x


class DenseBlock(nn.Module):
    """``num_layers`` dense layers (``denselayer1`` ...); output: every map concatenated."""

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate, *,
                 rng):
        super().__init__()
        for i in range(num_layers):
            setattr(self, f"denselayer{i + 1}",
                    DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size,
                               drop_rate, rng=rng))

    def forward(self, x):
        """(N, C, H, W) -> (N, C + num_layers·growth_rate, H, W)."""
        features = [x]
        for layer in self.children():
            features.append(layer(features))
        return F.concat(features, axis=1)


def transition(num_input_features, num_output_features, rng) -> nn.Sequential:
    """BN → ReLU → 1×1 conv → 2×2 average pool (children ``norm, relu, conv, pool``)."""
    return nn.Sequential(OrderedDict(
        norm=nn.BatchNorm2d(num_input_features), relu=nn.ReLU(),
        conv=nn.Conv2d(num_input_features, num_output_features, 1, bias=False, rng=OVERWRITTEN),
        pool=nn.AvgPool2d(2, 2)))


def densenet(depth: int, num_classes: int = 1000, in_channels: int = 3, *,
             growth_rate: int | None = None, num_init_features: int | None = None,
             bn_size: int = 4, drop_rate: float = 0.0, rng=None) -> nn.Sequential:
    """DenseNet-BC of ``depth`` 121, 161, 169 or 201.

    Args:
        depth: a key of ``CONFIGS`` (fixes the layers per block).
        num_classes: outputs of the classifier.
        in_channels: image channels.
        growth_rate: k, new maps per layer (the config's 32 or 48 when None).
        num_init_features: stem channels (the config's 64 or 96 when None).
        bn_size: bottleneck width as a multiple of k.
        drop_rate: dropout after each dense layer.
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``features``, ``relu``, ``pool``, ``flatten``,
        ``classifier``.

    Raises:
        ValueError: unknown depth.

    >>> import numpy as np
    >>> x = np.zeros((2, 3, 32, 32), np.float32)
    >>> densenet(121, 10, growth_rate=4, num_init_features=8, rng=0)(x).shape
    (2, 10)
    """
    if depth not in CONFIGS:
        raise ValueError(f"depth must be one of {sorted(CONFIGS)}; got depth={depth!r}")
    rng = make_rng(rng)
    k, blocks, init = CONFIGS[depth]
    k = k if growth_rate is None else growth_rate
    c = init if num_init_features is None else num_init_features
    features = OrderedDict(
        conv0=nn.Conv2d(in_channels, c, 7, 2, 3, bias=False, rng=OVERWRITTEN),
        norm0=nn.BatchNorm2d(c), relu0=nn.ReLU(), pool0=nn.MaxPool2d(3, 2, 1))
    for i, n in enumerate(blocks):
        features[f"denseblock{i + 1}"] = DenseBlock(n, c, bn_size, k, drop_rate, rng=rng)
        c += n * k
        if i != len(blocks) - 1:
            features[f"transition{i + 1}"] = transition(c, c // 2, rng)
            c //= 2
    features["norm5"] = nn.BatchNorm2d(c)
    model = nn.Sequential(OrderedDict(
        features=nn.Sequential(features), relu=nn.ReLU(), pool=nn.GlobalAvgPool2d(),
        flatten=nn.Flatten(), classifier=nn.Linear(c, num_classes, rng=rng)))
    conv_weights(model, rng, mode="fan_in", zero_bias=False)
    zero_biases(model)
    return model


def _register(depth: int) -> None:
    def build(num_classes: int = 1000, in_channels: int = 3, *, growth_rate=None,
              num_init_features=None, bn_size: int = 4, drop_rate: float = 0.0, rng=None):
        return densenet(depth, num_classes, in_channels, growth_rate=growth_rate,
                        num_init_features=num_init_features, bn_size=bn_size,
                        drop_rate=drop_rate, rng=rng)

    build.__name__ = f"densenet{depth}"
    build.__doc__ = f"DenseNet-{depth} (torchvision's ``densenet{depth}``); see ``densenet``."
    register(build.__name__)(build)


for _depth in CONFIGS:
    _register(_depth)
