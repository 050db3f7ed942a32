"""GoogLeNet / Inception-v1 (Szegedy et al., 2014) as torchvision builds it.

An Inception module runs four branches on the same input and concatenates them along
channels: 1×1; 1×1 bottleneck → 3×3; 1×1 bottleneck → 5×5; 3×3 max pool → 1×1 projection.
The bottlenecks are what keep the 28×28×256 → 28×28×480 module (inception3b) cheap. Every
conv is conv (no bias) → BatchNorm(eps 1e-3) → ReLU (torchvision's ``BasicConv2d``).

Two details follow torchvision so names, shapes and counts match (6,624,904 parameters):
its "5×5" branch uses a 3×3 kernel (pytorch/vision#906; ``branch3_kernel=5`` gives the
paper's), and the auxiliary classifiers pool adaptively to 4×4 (the paper's 5×5/3 average
pool on the 14×14 map gives the same 4×4) → 1×1 conv 128 → FC 1024 → dropout 0.7 → FC.
They sit on inception4a and inception4d and are switchable: with ``aux_logits=True`` (add
6,379,984 parameters) a model in training mode returns ``GoogLeNetOutputs(logits,
aux_logits2, aux_logits1)``; in eval mode, and always without them, just the logits. The
default is ``aux_logits=False``, the model torchvision's pretrained builder returns (its
bare ``GoogLeNet()`` constructor defaults to True). Weights are N(0, 0.01) (torchvision's
truncation at ±2 is 200 standard deviations away), batch norm 1/0.
"""

from __future__ import annotations

from collections import namedtuple

from .. import functional as F
from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, _set, check_width, normal, scaled
from .registry import register

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])

# in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj (the paper's Table 1)
INCEPTION = {
    "3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}


class BasicConv2d(nn.Module):
    """conv (no bias) → BatchNorm2d(eps=1e-3) → ReLU."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *, rng):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                              bias=False, rng=OVERWRITTEN)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        """(N, C_in, H, W) -> (N, C_out, H', W')."""
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """Four parallel branches concatenated along channels."""

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, *,
                 branch3_kernel: int = 3, rng):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, 1, rng=rng)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, 1, rng=rng),
                                     BasicConv2d(ch3x3red, ch3x3, 3, padding=1, rng=rng))
        k = branch3_kernel
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, 1, rng=rng),
                                     BasicConv2d(ch5x5red, ch5x5, k, padding=k // 2, rng=rng))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True),
                                     BasicConv2d(in_channels, pool_proj, 1, rng=rng))
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj

    def forward(self, x):
        """(N, C, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)."""
        return F.concat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)],
                        axis=1)


class InceptionAux(nn.Module):
    """Auxiliary classifier: adaptive avg pool 4×4 → 1×1 conv 128 → FC 1024 → dropout → FC."""

    def __init__(self, in_channels, num_classes, *, hidden: int = 1024, rng):
        super().__init__()
        self.conv = BasicConv2d(in_channels, 128, 1, rng=rng)
        self.pool = nn.AdaptiveAvgPool2d((4, 4))
        self.fc1 = nn.Linear(2048, hidden, rng=rng)
        self.fc2 = nn.Linear(hidden, num_classes, rng=rng)
        self.dropout = nn.Dropout(0.7, rng=rng)

    def forward(self, x):
        """(N, C, H, W) -> (N, num_classes)."""
        x = F.flatten(self.conv(self.pool(x)), 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x))))


class GoogLeNet(nn.Module):
    """GoogLeNet with torchvision's attribute names (conv1 ... inception5b, aux1/aux2, fc)."""

    def __init__(self, num_classes=1000, in_channels=3, *, aux_logits=False, branch3_kernel=3,
                 width_mult=1.0, dropout=0.2, rng=None):
        super().__init__()
        rng = make_rng(rng)
        w = check_width(width_mult)
        self.aux_logits = bool(aux_logits)
        self.conv1 = BasicConv2d(in_channels, scaled(64, w), 7, 2, 3, rng=rng)
        self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = BasicConv2d(scaled(64, w), scaled(64, w), 1, rng=rng)
        self.conv3 = BasicConv2d(scaled(64, w), scaled(192, w), 3, padding=1, rng=rng)
        self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        channels = scaled(192, w)
        for name, (_, *outs) in INCEPTION.items():
            block = Inception(channels, *(scaled(c, w) for c in outs),
                              branch3_kernel=branch3_kernel, rng=rng)
            setattr(self, f"inception{name}", block)
            channels = block.out_channels
            if name == "3b":
                self.maxpool3 = nn.MaxPool2d(3, 2, ceil_mode=True)
            elif name == "4e":
                self.maxpool4 = nn.MaxPool2d(2, 2, ceil_mode=True)
        if self.aux_logits:
            self.aux1 = InceptionAux(self.inception4a.out_channels, num_classes,
                                     hidden=scaled(1024, w), rng=rng)
            self.aux2 = InceptionAux(self.inception4d.out_channels, num_classes,
                                     hidden=scaled(1024, w), rng=rng)
        self.avgpool = nn.GlobalAvgPool2d()
        self.dropout = nn.Dropout(dropout, rng=rng)
        self.fc = nn.Linear(channels, num_classes, rng=rng)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                _set(m.weight, normal(m.weight.shape, 0.01, rng))

    def forward(self, x):
        """(N, C, H, W) -> logits (N, classes), or ``GoogLeNetOutputs`` when training with
        auxiliary classifiers."""
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux = self.aux_logits and self.training
        aux1 = self.aux1(x) if aux else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if aux else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        logits = self.fc(self.dropout(F.flatten(self.avgpool(x), 1)))
        return GoogLeNetOutputs(logits, aux2, aux1) if aux else logits


@register("googlenet")
def googlenet(num_classes: int = 1000, in_channels: int = 3, *, aux_logits: bool = False,
              branch3_kernel: int = 3, width_mult: float = 1.0, dropout: float = 0.2, rng=None):
    """GoogLeNet (Inception-v1), torchvision's.

    Args:
        num_classes: outputs of the classifier (and of the auxiliary classifiers).
        in_channels: image channels.
        aux_logits: add the two auxiliary classifiers (returned in training mode).
        branch3_kernel: 3 (torchvision) or 5 (the paper) for the third branch's conv.
        width_mult: scales every conv's channels and the auxiliary FC width.
        dropout: drop probability before the final FC layer.
        rng: Generator or int seed.

    Returns:
        ``GoogLeNet`` module.

    >>> import numpy as np
    >>> googlenet(10, width_mult=0.125, rng=0)(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    return GoogLeNet(num_classes, in_channels, aux_logits=aux_logits,
                     branch3_kernel=branch3_kernel, width_mult=width_mult, dropout=dropout,
                     rng=rng)
