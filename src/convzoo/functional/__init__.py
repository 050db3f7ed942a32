"""Differentiable operations: accept ``np.ndarray`` or ``convzoo.Tensor``, return ``Tensor``.

``from convzoo import functional as F`` gives PyTorch-style ``F.conv2d``, pooling,
activations, losses and the rest; each is a thin wrapper over a ``convzoo.ops`` kernel.
"""

from .activation import (  # noqa: F401
    hardsigmoid,
    hardswish,
    leaky_relu,
    log_softmax,
    prelu,
    relu,
    relu6,
    sigmoid,
    softmax,
    tanh,
)
from .basic import (  # noqa: F401
    add,
    channel_shuffle,
    concat,
    div,
    exp,
    flatten,
    getitem,
    linear,
    log,
    matmul,
    mean,
    mul,
    neg,
    pow,
    reshape,
    sqrt,
    stack,
    sub,
    sum,
    transpose,
)
from .conv import (  # noqa: F401
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from .deform import deform_conv2d  # noqa: F401
from .extra import adaptive_avg_pool2d, local_response_norm  # noqa: F401
from .loss import cross_entropy, nll_loss  # noqa: F401
from .norm import batch_norm, dropout  # noqa: F401
from .pool import (  # noqa: F401
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    global_avg_pool2d,
    global_max_pool2d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from .separable import depthwise_conv2d, pointwise_conv2d, separable_conv2d  # noqa: F401
from .spatial import spatially_separable_conv2d  # noqa: F401
