"""CIFAR ResNets (He et al., 2016, §4.2): depth 6n+2, three stages of 16/32/64 channels.

Basic blocks of two 3×3 convs with batch norm; where a stage halves the grid and
doubles the channels the shortcut is the paper's option A — a stride-2 subsample
with the new channels zero-padded, adding no parameters — so ResNet-20 has
0.27M parameters as in the paper's Table 6.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor
from ..nn.init import kaiming_normal, make_rng
from .registry import register


class BasicBlockA(nn.Module):
    """conv3×3-BN-ReLU-conv3×3-BN + option-A shortcut, then ReLU."""

    def __init__(self, in_planes: int, planes: int, stride: int, rng):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False, rng=rng)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False, rng=rng)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride, self.extra = stride, planes - in_planes

    def shortcut(self, x):
        """Identity, or subsample by the stride and zero-pad the added channels (option A)."""
        if self.stride == 1 and self.extra == 0:
            return x
        x = x[:, :, ::self.stride, ::self.stride]
        if self.extra:
            n, _, h, w = x.shape
            before = np.zeros((n, self.extra // 2, h, w), dtype=x.dtype)
            after = np.zeros((n, self.extra - self.extra // 2, h, w), dtype=x.dtype)
            x = F.concat([Tensor(before), x, Tensor(after)], axis=1)
        return x

    def forward(self, x):
        """Residual block."""
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNetCifar(nn.Module):
    """ResNet-(6n+2) for small images: stem 3×3/16, stages 16@1, 32@/2, 64@/4, GAP, FC."""

    def __init__(self, depth: int, num_classes: int = 10, in_channels: int = 3, width: int = 16,
                 rng=None):
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"depth must be 6n+2 with n >= 1 (8, 20, 32, 44, 56, 110); "
                             f"got depth={depth}")
        rng = make_rng(rng)
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False, rng=rng)
        self.bn1 = nn.BatchNorm2d(width)
        planes = width
        for stage, mult in enumerate((1, 2, 4), start=1):
            blocks = []
            for i in range(n):
                stride = 2 if stage > 1 and i == 0 else 1
                blocks.append(BasicBlockA(planes, width * mult, stride, rng))
                planes = width * mult
            setattr(self, f"layer{stage}", nn.Sequential(*blocks))
        self.pool = nn.GlobalAvgPool2d()
        self.fc = nn.Linear(planes, num_classes, rng=rng)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):  # He init, as the paper
                m.weight.data[...] = kaiming_normal(m.weight.shape, rng, mode="fan_out")

    def forward(self, x):
        """(N, C, H, W) -> (N, num_classes) logits."""
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(F.flatten(self.pool(x), 1))


def _make(depth):
    def build(num_classes: int = 10, in_channels: int = 3, *, width: int = 16, rng=None):
        return ResNetCifar(depth, num_classes, in_channels, width, rng)
    build.__doc__ = f"ResNet-{depth} for 32×32 images (He et al. 2016, option-A shortcuts)."
    return build


for _depth in (8, 20, 32, 44, 56, 110):
    register(f"resnet{_depth}_cifar")(_make(_depth))
