"""Weight initialisations (PyTorch's formulas), drawn from an explicit ``np.random.Generator``.

Fans follow PyTorch: for a weight of shape (O, I, *K), ``fan_in = I·prod(K)`` and
``fan_out = O·prod(K)``. Layers default to PyTorch's own choice —
``kaiming_uniform(a=√5)`` for weights and ``U(±1/√fan_in)`` for biases — so a
convzoo layer and a torch layer start from the same distribution.
"""

from __future__ import annotations

import math

import numpy as np


def make_rng(rng) -> np.random.Generator:
    """``rng`` if it is a Generator, a seeded one for an int, fresh entropy for None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None; got rng={rng!r}")


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape (O, I, *K) or (out, in)."""
    if len(shape) < 2:
        raise ValueError(f"fan computation needs at least 2 dims; got shape {tuple(shape)}")
    receptive = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def gain(nonlinearity: str = "relu", param: float | None = None) -> float:
    """Recommended gain for a nonlinearity (PyTorch's ``calculate_gain``)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"unknown nonlinearity; got nonlinearity={nonlinearity!r}")


def uniform(shape, bound: float, rng, dtype=np.float32) -> np.ndarray:
    """U(-bound, bound)."""
    return make_rng(rng).uniform(-bound, bound, size=shape).astype(dtype)


def kaiming_uniform(shape, rng, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", dtype=np.float32) -> np.ndarray:
    """He uniform: U(±gain·√(3/fan))."""
    fan = fans(shape)[0 if mode == "fan_in" else 1]
    bound = gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform(shape, bound, rng, dtype)


def kaiming_normal(shape, rng, a: float = 0.0, mode: str = "fan_out",
                   nonlinearity: str = "relu", dtype=np.float32) -> np.ndarray:
    """He normal: N(0, gain²/fan) (torchvision's ResNet uses fan_out, relu)."""
    fan = fans(shape)[0 if mode == "fan_in" else 1]
    std = gain(nonlinearity, a) / math.sqrt(fan)
    return (make_rng(rng).standard_normal(shape) * std).astype(dtype)


def xavier_uniform(shape, rng, gain_value: float = 1.0, dtype=np.float32) -> np.ndarray:
    """Glorot uniform: U(±gain·√(6/(fan_in+fan_out)))."""
    fan_in, fan_out = fans(shape)
    return uniform(shape, gain_value * math.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)


def xavier_normal(shape, rng, gain_value: float = 1.0, dtype=np.float32) -> np.ndarray:
    """Glorot normal: N(0, gain²·2/(fan_in+fan_out))."""
    fan_in, fan_out = fans(shape)
    std = gain_value * math.sqrt(2.0 / (fan_in + fan_out))
    return (make_rng(rng).standard_normal(shape) * std).astype(dtype)


def default_weight_and_bias(weight_shape, bias: bool, rng, dtype=np.float32, bias_size=None):
    """PyTorch's default init for conv and linear layers: (weight, bias or None) arrays.

    ``bias_size`` defaults to ``weight_shape[0]`` (transposed convs pass their C_out).
    """
    rng = make_rng(rng)
    weight = kaiming_uniform(weight_shape, rng, a=math.sqrt(5), dtype=dtype)
    b = None
    if bias:
        fan_in = fans(weight_shape)[0]
        size = weight_shape[0] if bias_size is None else bias_size
        b = uniform((size,), 1 / math.sqrt(fan_in) if fan_in else 0.0, rng, dtype)
    return weight, b
