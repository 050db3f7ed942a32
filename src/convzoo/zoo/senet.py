"""SE-ResNets (Hu et al., 2017): ResNet blocks with squeeze-and-excitation channel weighting.

Squeeze: global average pooling turns each channel of the residual branch into one number.
Excitation: 1×1 conv C → C/r, ReLU, 1×1 conv C/r → C, sigmoid — a weight in (0, 1) per
channel. The branch is multiplied by those weights before the shortcut is added. With
r = 16 and biased 1×1 convs (the reference implementation's), SE-ResNet-50 has
28,088,024 parameters, 2,530,992 more than ResNet-50. The backbone is ``resnet``'s
(torchvision names); each block gains ``se.fc1`` and ``se.fc2``.
"""

from __future__ import annotations

from functools import partial

from .. import functional as F
from .. import nn
from .registry import register
from .resnet import DEPTHS, resnet


class SqueezeExcitation(nn.Module):
    """x · sigmoid(fc2(relu(fc1(global_avg_pool(x))))) with fc1/fc2 1×1 convs."""

    def __init__(self, channels: int, reduction: int = 16, *, rng=None):
        super().__init__()
        squeezed = max(1, channels // reduction)
        self.fc1 = nn.Conv2d(channels, squeezed, 1, rng=rng)
        self.fc2 = nn.Conv2d(squeezed, channels, 1, rng=rng)

    def forward(self, x):
        """(N, C, H, W) -> (N, C, H, W), each channel scaled by its learned gate."""
        gate = F.sigmoid(self.fc2(F.relu(self.fc1(F.global_avg_pool2d(x)))))
        return x * gate


def _register(depth: int) -> None:
    def build(num_classes: int = 1000, in_channels: int = 3, *, reduction: int = 16,
              width: int = 64, zero_init_residual: bool = False, rng=None):
        return resnet(depth, num_classes, in_channels, width=width,
                      zero_init_residual=zero_init_residual,
                      attention=partial(SqueezeExcitation, reduction=reduction), rng=rng)

    build.__name__ = f"se_resnet{depth}"
    build.__doc__ = (f"SE-ResNet-{depth}: ``resnet({depth})`` with a squeeze-and-excitation "
                     f"module (reduction ``reduction``) in every block.")
    register(f"se_resnet{depth}")(build)


for _depth in DEPTHS:
    _register(_depth)
