"""Differentiable operations: accept ``np.ndarray`` or ``convzoo.Tensor``, return ``Tensor``.

``from convzoo import functional as F`` gives PyTorch-style ``F.conv2d``, pooling,
activations, losses and the rest; each is a thin wrapper over a ``convzoo.ops`` kernel.
"""

from .conv import (  # noqa: F401
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from .separable import depthwise_conv2d, pointwise_conv2d, separable_conv2d  # noqa: F401
