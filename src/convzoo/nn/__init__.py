"""Layers and models: ``Module``, containers, and one layer per op of the convolution family.

>>> from convzoo import nn
>>> net = nn.Sequential(nn.Conv2d(1, 6, 5, rng=0), nn.ReLU(), nn.MaxPool2d(2))
>>> net.num_parameters()
156
"""

from . import init  # noqa: F401
from .conv import (  # noqa: F401
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
    DeformConv2d,
    DepthwiseConv2d,
    GlobalDepthwiseConv2d,
    PointwiseConv2d,
    SeparableConv2d,
    SpatiallySeparableConv2d,
)
from .extra import AdaptiveAvgPool2d, LocalResponseNorm  # noqa: F401  (general sizes)
from .layers import (  # noqa: F401
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    ChannelShuffle,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Identity,
    LeakyReLU,
    Linear,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    Tanh,
)
from .module import Module, ModuleList, Sequential  # noqa: F401
from .pool import (  # noqa: F401
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    GlobalAvgPool2d,
    GlobalMaxPool2d,
    LPPool1d,
    LPPool2d,
    LPPool3d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
)
