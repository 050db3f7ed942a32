"""Helpers the zoo families share: torchvision-style weight initialisation, width scaling,
and the small conv-BN-activation unit.

Initialisation draws from the one explicit ``np.random.Generator`` a builder receives, in
module order, so a seed fixes every weight. The recipes are torchvision's: He-normal
(``fan_out``, ReLU gain) conv weights, batch norm weight 1 / bias 0 (convzoo's default
already), N(0, 0.01) classifier weights with zero biases.
"""

from __future__ import annotations

import numpy as np

from .. import _args, nn
from ..autograd import Tensor
from ..nn.init import kaiming_normal, make_rng


class _ZeroDraws(np.random.Generator):
    """A Generator whose draws are zeros, handed to layers whose every parameter the builder
    then overwrites (torchvision re-initialises most weights): building skips the wasted
    default draws — half the cost of VGG's 138M parameters."""

    def __init__(self):
        super().__init__(np.random.PCG64(0))

    def uniform(self, low=0.0, high=1.0, size=None):
        return np.zeros(size, np.float32)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        return np.zeros(size, dtype)


#: ``rng`` for layers that are re-initialised right after construction.
OVERWRITTEN = _ZeroDraws()


def scaled(channels: int, width_mult: float) -> int:
    """``int(channels · width_mult)``, at least 1 (Keras' and imgclsmob's width rule)."""
    return max(1, int(channels * width_mult))


def check_width(width_mult, name: str = "width_mult") -> float:
    """A width multiplier: a real number > 0."""
    return _args.check_positive_number(width_mult, name)


def normal(shape, std: float, rng, dtype=np.float32) -> np.ndarray:
    """N(0, std²) samples of ``shape``, drawn directly in float32 (VGG's 123M FC weights)."""
    draw_dtype = np.float32 if np.dtype(dtype) == np.float32 else np.float64
    out = np.asarray(make_rng(rng).standard_normal(shape, dtype=draw_dtype))
    out *= std
    return out.astype(dtype, copy=False)


def _set(param: Tensor, array: np.ndarray) -> None:
    param.data = array.astype(param.dtype, copy=False)


def conv_weights(model: nn.Module, rng, mode: str = "fan_out", zero_bias: bool = True) -> None:
    """He-normal (ReLU gain) weights for every conv of ``model``; biases zeroed or kept."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.DepthwiseConv2d, nn.PointwiseConv2d)):
            _set(m.weight, kaiming_normal(m.weight.shape, rng, mode=mode))
            if zero_bias and m.bias is not None:
                _set(m.bias, np.zeros(m.bias.shape))
        elif isinstance(m, nn.SeparableConv2d):
            _set(m.depthwise_weight, kaiming_normal(m.depthwise_weight.shape, rng, mode=mode))
            _set(m.pointwise_weight, kaiming_normal(m.pointwise_weight.shape, rng, mode=mode))
            if zero_bias and m.bias is not None:
                _set(m.bias, np.zeros(m.bias.shape))


def linear_weights(model: nn.Module, rng, std: float = 0.01, zero_bias: bool = True) -> None:
    """N(0, std²) weights for every ``Linear`` of ``model``; biases zeroed or kept."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            _set(m.weight, normal(m.weight.shape, std, rng))
            if zero_bias and m.bias is not None:
                _set(m.bias, np.zeros(m.bias.shape))


def zero_biases(model: nn.Module, kinds=(nn.Linear,)) -> None:
    """Set the bias of every module of ``kinds`` to 0."""
    for m in model.modules():
        if isinstance(m, kinds) and getattr(m, "bias", None) is not None:
            _set(m.bias, np.zeros(m.bias.shape))


def conv_bn(in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, groups=1, *,
            activation=nn.ReLU, rng=None, eps: float = 1e-5, momentum: float = 0.1):
    """``Sequential(conv (no bias), BatchNorm2d[, activation])`` — children ``0, 1, 2``
    as torchvision's ``Conv2dNormActivation``."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups=groups,
                        bias=False, rng=rng),
              nn.BatchNorm2d(out_channels, eps=eps, momentum=momentum)]
    if activation is not None:
        layers.append(activation())
    return nn.Sequential(*layers)
