"""ResNet-18/34/50/101/152 (He et al., 2015) as torchvision builds them.

Stem 7×7/2 conv (64) → BN → ReLU → 3×3/2 max pool, four stages of residual blocks with
64·2^i base channels, the first block of stages 2-4 halving the grid, global average
pooling and one FC layer. Basic blocks (18/34) are two 3×3 convs; bottlenecks (50+) are
1×1 reduce → 3×3 → 1×1 expand (×4), with the stride on the 3×3 conv (torchvision's
"ResNet v1.5"; the parameter count is the paper's either way). Where a block changes the
grid or the width, the shortcut is a strided 1×1 conv + BN (option B, ``downsample.0/1``).
Names, shapes and counts equal torchvision's (ResNet-50: 25,557,032). Init: He-normal
(fan_out) convs, BN 1/0, PyTorch's default for the FC layer; ``zero_init_residual`` zeroes
each block's last BN weight.

The blocks take an optional ``attention`` factory (a module applied to the residual branch
before the addition); ``senet`` uses it for squeeze-and-excitation.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, _set, conv_weights
from .registry import register


class BasicBlock(nn.Module):
    """3×3 conv-BN-ReLU → 3×3 conv-BN (→ attention) + shortcut → ReLU."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, *, attention=None, rng):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False, rng=OVERWRITTEN)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False, rng=OVERWRITTEN)
        self.bn2 = nn.BatchNorm2d(planes)
        if attention is not None:
            self.se = attention(planes, rng=rng)
        self.downsample = downsample

    def residual(self, x):
        """The residual branch F(x)."""
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return self.se(out) if "se" in self._modules else out

    def forward(self, x):
        """relu(F(x) + shortcut(x))."""
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(self.residual(x) + identity)


class Bottleneck(BasicBlock):
    """1×1 reduce → 3×3 (stride) → 1×1 expand ×4, each with BN (→ attention) + shortcut."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, *, attention=None, rng):
        nn.Module.__init__(self)
        width = planes
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False, rng=OVERWRITTEN)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False, rng=OVERWRITTEN)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False, rng=OVERWRITTEN)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        if attention is not None:
            self.se = attention(planes * 4, rng=rng)
        self.downsample = downsample

    def residual(self, x):
        """The residual branch F(x)."""
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn3(self.conv3(F.relu(self.bn2(self.conv2(out)))))
        return self.se(out) if "se" in self._modules else out


class ResNet(nn.Module):
    """ResNet with torchvision's attribute names: conv1, bn1, layer1..layer4, fc."""

    def __init__(self, block, layers, num_classes=1000, in_channels=3, *, width=64,
                 zero_init_residual=False, attention=None, rng=None):
        super().__init__()
        rng = make_rng(rng)
        self.inplanes = width
        self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False, rng=OVERWRITTEN)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for i, blocks in enumerate(layers):
            stage = self._make_layer(block, width * 2 ** i, blocks, 1 if i == 0 else 2,
                                     attention, rng)
            setattr(self, f"layer{i + 1}", stage)
        self.avgpool = nn.GlobalAvgPool2d()
        self.fc = nn.Linear(self.inplanes, num_classes, rng=rng)
        conv_weights(self, rng, zero_bias=False)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    last = m.bn3 if isinstance(m, Bottleneck) else m.bn2
                    _set(last.weight, np.zeros(last.weight.shape))

    def _make_layer(self, block, planes, blocks, stride, attention, rng):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False,
                          rng=OVERWRITTEN),
                nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, attention=attention, rng=rng)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, attention=attention, rng=rng)
                   for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        """(N, C, H, W) -> (N, num_classes) logits."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(F.flatten(self.avgpool(x), 1))


DEPTHS = {18: (BasicBlock, (2, 2, 2, 2)), 34: (BasicBlock, (3, 4, 6, 3)),
          50: (Bottleneck, (3, 4, 6, 3)), 101: (Bottleneck, (3, 4, 23, 3)),
          152: (Bottleneck, (3, 8, 36, 3))}


def resnet(depth: int, num_classes: int = 1000, in_channels: int = 3, *, width: int = 64,
           zero_init_residual: bool = False, attention=None, rng=None) -> ResNet:
    """ResNet of ``depth`` 18, 34, 50, 101 or 152.

    Args:
        depth: a key of ``DEPTHS``.
        num_classes: outputs of the FC layer.
        in_channels: image channels.
        width: stem and first-stage channels (64); stage i has ``width·2^i``.
        zero_init_residual: start every block as the identity (last BN weight 0).
        attention: optional factory ``(channels, rng=...) -> Module`` for the residual branch.
        rng: Generator or int seed.

    Raises:
        ValueError: unknown depth.

    >>> import numpy as np
    >>> resnet(18, 10, width=8, rng=0)(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {sorted(DEPTHS)}; got depth={depth!r}")
    block, layers = DEPTHS[depth]
    return ResNet(block, layers, num_classes, in_channels, width=width,
                  zero_init_residual=zero_init_residual, attention=attention, rng=rng)


def _register(depth: int) -> None:
    def build(num_classes: int = 1000, in_channels: int = 3, *, width: int = 64,
              zero_init_residual: bool = False, rng=None):
        return resnet(depth, num_classes, in_channels, width=width,
                      zero_init_residual=zero_init_residual, rng=rng)

    build.__name__ = f"resnet{depth}"
    build.__doc__ = f"ResNet-{depth} (torchvision's ``resnet{depth}``); see ``resnet``."
    register(f"resnet{depth}")(build)


for _depth in DEPTHS:
    _register(_depth)
