"""ShuffleNet v1 (Zhang et al., 2017) and ShuffleNet v2 (Ma et al., 2018).

v1 unit: grouped 1×1 conv (compress to out/4) → BN → ReLU → channel shuffle → 3×3
depthwise → BN → grouped 1×1 conv (expand) → BN, added to the input and ReLU'd; a stride-2
unit instead concatenates the branch with a 3×3/2 average pool of the input (so its branch
produces out − in channels). The shuffle lets the next grouped conv see every group. The
first 1×1 of stage 2 is not grouped (24 input channels are too few). Stage widths for
g = 1, 2, 3, 4, 8 are the paper's Table 1; names follow the imgclsmob reference
(``features.stage1.unit1.compress_conv1.weight`` ... ``output.weight``), whose published
counts these match (g = 3: 1,865,728).

v2 unit (torchvision's): split the channels in half, run one half through 1×1 → 3×3
depthwise → 1×1 (BN after each, ReLU after the 1×1s), concatenate with the other half and
shuffle with 2 groups; a stride-2 unit feeds the whole input to both branches (the first
a 3×3/2 depthwise → 1×1). Names, shapes and counts equal torchvision's
(``shufflenet_v2_x1_0``: 2,278,604), with its default (PyTorch) initialisation.
"""

from __future__ import annotations

from collections import OrderedDict

from .. import functional as F
from .. import nn
from ..nn.init import make_rng
from ._common import OVERWRITTEN, check_width, conv_weights, scaled
from .registry import register

V1_CHANNELS = {1: (144, 288, 576), 2: (200, 400, 800), 3: (240, 480, 960),
               4: (272, 544, 1088), 8: (384, 768, 1536)}
V1_REPEATS = (4, 8, 4)


class ShuffleUnit(nn.Module):
    """ShuffleNet v1 unit (stride 2 when ``downsample``)."""

    def __init__(self, in_channels, out_channels, groups, downsample, ignore_group, *, rng):
        super().__init__()
        mid = out_channels // 4
        self.downsample, self.groups = downsample, groups
        if downsample:
            out_channels -= in_channels
        self.compress_conv1 = nn.Conv2d(in_channels, mid, 1, groups=1 if ignore_group else groups,
                                        bias=False, rng=OVERWRITTEN)
        self.compress_bn1 = nn.BatchNorm2d(mid)
        self.dw_conv2 = nn.Conv2d(mid, mid, 3, 2 if downsample else 1, 1, groups=mid, bias=False,
                                  rng=OVERWRITTEN)
        self.dw_bn2 = nn.BatchNorm2d(mid)
        self.expand_conv3 = nn.Conv2d(mid, out_channels, 1, groups=groups, bias=False,
                                      rng=OVERWRITTEN)
        self.expand_bn3 = nn.BatchNorm2d(out_channels)
        if downsample:
            self.avgpool = nn.AvgPool2d(3, 2, 1)

    def forward(self, x):
        """(N, C_in, H, W) -> (N, C_out, H', W')."""
        y = F.relu(self.compress_bn1(self.compress_conv1(x)))
        if self.groups > 1:
            y = F.channel_shuffle(y, self.groups)
        y = self.expand_bn3(self.expand_conv3(self.dw_bn2(self.dw_conv2(y))))
        if self.downsample:
            return F.relu(F.concat([y, self.avgpool(x)], axis=1))
        return F.relu(y + x)


def shufflenet_v1(groups: int = 3, num_classes: int = 1000, in_channels: int = 3, *,
                  width_mult: float = 1.0, rng=None) -> nn.Sequential:
    """ShuffleNet v1 with ``groups`` ∈ {1, 2, 3, 4, 8}.

    Args:
        groups: g of the grouped 1×1 convs.
        num_classes: outputs of the FC layer.
        in_channels: image channels.
        width_mult: s, scaling every channel count including the 24-channel stem.
        rng: Generator or int seed.

    Returns:
        nn.Sequential with children ``features`` (init_block, stage1-3, pool), ``flatten``,
        ``output``.

    Raises:
        ValueError: unsupported groups, or a width whose channels the groups do not divide.

    >>> import numpy as np
    >>> shufflenet_v1(3, 10, width_mult=0.25, rng=0)(np.zeros((2, 3, 32, 32), np.float32)).shape
    (2, 10)
    """
    if groups not in V1_CHANNELS:
        raise ValueError(f"groups must be one of {sorted(V1_CHANNELS)}; got groups={groups!r}")
    rng = make_rng(rng)
    width_mult = check_width(width_mult)
    channels = scaled(24, width_mult)
    init_block = nn.Sequential(OrderedDict(
        conv=nn.Conv2d(in_channels, channels, 3, 2, 1, bias=False, rng=OVERWRITTEN),
        bn=nn.BatchNorm2d(channels), activ=nn.ReLU(), pool=nn.MaxPool2d(3, 2, 1)))
    features = OrderedDict(init_block=init_block)
    for i, (width, repeats) in enumerate(zip(V1_CHANNELS[groups], V1_REPEATS)):
        out = scaled(width, width_mult)
        if (out // 4) % groups or (out - channels) % groups or out % groups:
            raise ValueError(f"groups must divide every unit's channels; got groups={groups}, "
                             f"width_mult={width_mult} (stage {i + 1} has {out} channels)")
        units = OrderedDict()
        for j in range(repeats):
            units[f"unit{j + 1}"] = ShuffleUnit(channels, out, groups, j == 0, i == 0 and j == 0,
                                                rng=rng)
            channels = out
        features[f"stage{i + 1}"] = nn.Sequential(units)
    features["final_pool"] = nn.GlobalAvgPool2d()
    model = nn.Sequential(OrderedDict(features=nn.Sequential(features), flatten=nn.Flatten(),
                                      output=nn.Linear(channels, num_classes, rng=rng)))
    conv_weights(model, rng)
    return model


def _register_v1(groups: int) -> None:
    def build(num_classes: int = 1000, in_channels: int = 3, *, width_mult: float = 1.0,
              rng=None):
        return shufflenet_v1(groups, num_classes, in_channels, width_mult=width_mult, rng=rng)

    build.__name__ = f"shufflenet_v1_g{groups}"
    build.__doc__ = f"ShuffleNet v1 1× with g = {groups}; see ``shufflenet_v1``."
    register(build.__name__)(build)


class InvertedResidual(nn.Module):
    """ShuffleNet v2 unit: channel split (stride 1) or two branches (stride 2), concat,
    shuffle."""

    def __init__(self, inp, oup, stride, *, rng):
        super().__init__()
        self.stride = stride
        half = oup // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False, rng=rng),
                nn.BatchNorm2d(inp), nn.Conv2d(inp, half, 1, bias=False, rng=rng),
                nn.BatchNorm2d(half), nn.ReLU())
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else half, half, 1, bias=False, rng=rng),
            nn.BatchNorm2d(half), nn.ReLU(),
            nn.Conv2d(half, half, 3, stride, 1, groups=half, bias=False, rng=rng),
            nn.BatchNorm2d(half), nn.Conv2d(half, half, 1, bias=False, rng=rng),
            nn.BatchNorm2d(half), nn.ReLU())

    def forward(self, x):
        """(N, inp, H, W) -> (N, oup, H/stride, W/stride)."""
        if self.stride == 1:
            c = x.shape[1] // 2
            out = F.concat([x[:, :c], self.branch2(x[:, c:])], axis=1)
        else:
            out = F.concat([self.branch1(x), self.branch2(x)], axis=1)
        return F.channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    """ShuffleNet v2 with torchvision's names: conv1, stage2-4, conv5, fc."""

    def __init__(self, stages_out_channels, num_classes=1000, in_channels=3, *, rng=None,
                 repeats=(4, 8, 4)):
        super().__init__()
        rng = make_rng(rng)
        c = stages_out_channels[0]
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, c, 3, 2, 1, bias=False, rng=rng),
                                   nn.BatchNorm2d(c), nn.ReLU())
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for name, n, out in zip(("stage2", "stage3", "stage4"), repeats, stages_out_channels[1:]):
            units = [InvertedResidual(c, out, 2, rng=rng)]
            units += [InvertedResidual(out, out, 1, rng=rng) for _ in range(n - 1)]
            setattr(self, name, nn.Sequential(*units))
            c = out
        last = stages_out_channels[-1]
        self.conv5 = nn.Sequential(nn.Conv2d(c, last, 1, bias=False, rng=rng),
                                   nn.BatchNorm2d(last), nn.ReLU())
        self.fc = nn.Linear(last, num_classes, rng=rng)

    def forward(self, x):
        """(N, C, H, W) -> (N, num_classes) logits."""
        x = self.stage4(self.stage3(self.stage2(self.maxpool(self.conv1(x)))))
        return self.fc(F.mean(self.conv5(x), axis=(2, 3)))


V2_CHANNELS = {"0_5": (24, 48, 96, 192, 1024), "1_0": (24, 116, 232, 464, 1024),
               "1_5": (24, 176, 352, 704, 1024), "2_0": (24, 244, 488, 976, 2048)}


def _register_v2(size: str) -> None:
    def build(num_classes: int = 1000, in_channels: int = 3, *, rng=None):
        return ShuffleNetV2(V2_CHANNELS[size], num_classes, in_channels, rng=rng)

    build.__name__ = f"shufflenet_v2_x{size}"
    build.__doc__ = (f"ShuffleNet v2 {size.replace('_', '.')}× (torchvision's "
                     f"``shufflenet_v2_x{size}``), stage channels {V2_CHANNELS[size]}.")
    register(build.__name__)(build)


for _g in V1_CHANNELS:
    _register_v1(_g)
for _size in V2_CHANNELS:
    _register_v2(_size)
