"""Non-convolution layers the classic networks need: linear, activations, batch norm, dropout,
flatten, channel shuffle, and the cross-entropy loss."""

from __future__ import annotations

import numpy as np

from .. import _args
from .. import functional as F
from ..autograd import Tensor
from .init import default_weight_and_bias, make_rng
from .module import Module


class Linear(Module):
    """Fully connected layer ``y = x·Wᵀ + b`` with weight (out_features, in_features).

    >>> Linear(4, 3, rng=0).num_parameters()
    15
    """

    def __init__(self, in_features, out_features, bias=True, *, rng=None, dtype=np.float32):
        super().__init__()
        self.in_features = _args.positive_int(in_features, "in_features")
        self.out_features = _args.positive_int(out_features, "out_features")
        w, b = default_weight_and_bias((out_features, in_features), bias, make_rng(rng), dtype)
        self.weight = Tensor(w, requires_grad=True)
        self.bias = None if b is None else Tensor(b, requires_grad=True)

    def forward(self, x):
        """(N, in_features) -> (N, out_features)."""
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class _Activation(Module):
    _fn = "relu"

    def forward(self, x):
        """Apply the activation elementwise."""
        return getattr(F, self._fn)(x)


class ReLU(_Activation):
    """max(x, 0)."""

    _fn = "relu"


class ReLU6(_Activation):
    """min(max(x, 0), 6) (MobileNet v2)."""

    _fn = "relu6"


class Sigmoid(_Activation):
    """1 / (1 + e^-x)."""

    _fn = "sigmoid"


class Tanh(_Activation):
    """Hyperbolic tangent (LeNet-5's squashing function)."""

    _fn = "tanh"


class Hardswish(_Activation):
    """x · relu6(x + 3) / 6."""

    _fn = "hardswish"


class Hardsigmoid(_Activation):
    """relu6(x + 3) / 6."""

    _fn = "hardsigmoid"


class LeakyReLU(Module):
    """x for x > 0, negative_slope · x otherwise."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        """Apply leaky ReLU."""
        return F.leaky_relu(x, self.negative_slope)


class PReLU(Module):
    """Leaky ReLU with a learned slope per channel (MobileFaceNet)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, *, dtype=np.float32):
        super().__init__()
        self.weight = Tensor(np.full(num_parameters, init, dtype=dtype), requires_grad=True)

    def forward(self, x):
        """Apply PReLU with the learned slopes."""
        return F.prelu(x, self.weight)


class Identity(Module):
    """Returns its input."""

    def forward(self, x):
        """Return ``x`` unchanged."""
        return x


class Flatten(Module):
    """Flatten dims from ``start_dim`` on: (N, C, H, W) -> (N, C·H·W)."""

    def __init__(self, start_dim: int = 1):
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x):
        """Flatten ``x``."""
        return F.flatten(x, self.start_dim)


class Dropout(Module):
    """Zero each element with probability ``p`` in training, scaling the rest by 1/(1-p)."""

    def __init__(self, p: float = 0.5, *, rng=None):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"p must be in [0, 1); got p={p!r}")
        self.p = p
        self.rng = make_rng(rng)

    def forward(self, x):
        """Drop elements (training) or pass through (eval)."""
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class ChannelShuffle(Module):
    """ShuffleNet's channel shuffle: interleave the channels of ``groups`` groups."""

    def __init__(self, groups: int):
        super().__init__()
        self.groups = _args.positive_int(groups, "groups")

    def forward(self, x):
        """(N, C, H, W) -> (N, C, H, W) with channels permuted."""
        return F.channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class _BatchNorm(Module):
    _dims = (4,)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, dtype=np.float32):
        super().__init__()
        self.num_features = _args.positive_int(num_features, "num_features")
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Tensor(np.ones(num_features, dtype), requires_grad=True) if affine else None
        self.bias = Tensor(np.zeros(num_features, dtype), requires_grad=True) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        """Normalise per channel with batch statistics (training) or running ones (eval)."""
        _args.check_ndim(tuple(np.shape(x)), self._dims, "input")
        use_batch = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked[...] += 1
        mean = self.running_mean if self.track_running_stats else None
        var = self.running_var if self.track_running_stats else None
        return F.batch_norm(x, mean, var, self.weight, self.bias, use_batch, self.momentum,
                            self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L)."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W), per channel (PyTorch semantics, running stats as buffers)."""

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W)."""

    _dims = (5,)


class CrossEntropyLoss(Module):
    """Softmax cross-entropy between logits (N, K) and integer targets (N,)."""

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__()
        self.reduction, self.label_smoothing = reduction, label_smoothing

    def forward(self, logits, target):
        """Mean (or summed / per-sample) loss."""
        return F.cross_entropy(logits, target, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)
