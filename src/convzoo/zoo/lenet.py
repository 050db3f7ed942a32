"""LeNet-5 (LeCun et al., 1998): CONV-POOL-CONV-POOL-FC-FC(-FC), 5×5 convs, 2×2 pooling.

C1: 6@5×5 → S2: 2×2 pool → C3: 16@5×5 → S4: 2×2 pool → C5/F: 120 → F6: 84 → output.
On a 32×32 input that is 61,706 parameters. A 28×28 input (MNIST, Fashion-MNIST)
gets 2 cells of zero padding on C1, the usual way of framing it as the 32×32 the
paper used, so the sizes and the parameter count are the same. Smaller inputs
(scikit-learn's 8×8 digits) pad C3 by 2 as well, keeping every layer; only F5's
input width changes.
"""

from __future__ import annotations

from .. import nn, shapes
from ..nn.init import make_rng
from .registry import register


@register("lenet5")
def lenet5(num_classes: int = 10, in_channels: int = 1, *, input_size: int = 28,
           activation: str = "relu", pool: str = "max", rng=None):
    """LeNet-5.

    Args:
        num_classes: outputs of the last layer.
        in_channels: 1 for grey digits, 3 for colour.
        input_size: H = W of the input (28 pads C1 by 2; 32 is the paper's framing; below
            20 C3 is padded by 2 too).
        activation: 'relu' (modern) or 'tanh' (the paper's squashing function).
        pool: 'max' (modern) or 'avg' (the paper's subsampling).
        rng: Generator or int seed for the initial weights.

    Returns:
        nn.Sequential with children ``features`` and ``classifier``.
    """
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh}
    pools = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}
    if activation not in acts:
        raise ValueError(f"activation must be one of {sorted(acts)}; got activation={activation!r}")
    if pool not in pools:
        raise ValueError(f"pool must be one of {sorted(pools)}; got pool={pool!r}")
    rng = make_rng(rng)
    pad = 0 if input_size >= 32 else 2
    size = shapes.pool_output_size(shapes.conv_output_size(input_size, 5, padding=pad), 2)
    pad3 = 0 if size >= 10 else 2
    size = shapes.pool_output_size(shapes.conv_output_size(size, 5, padding=pad3), 2)
    act, pool_cls = acts[activation], pools[pool]
    features = nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=pad, rng=rng), act(), pool_cls(2),
        nn.Conv2d(6, 16, 5, padding=pad3, rng=rng), act(), pool_cls(2),
    )
    classifier = nn.Sequential(
        nn.Flatten(), nn.Linear(16 * size * size, 120, rng=rng), act(),
        nn.Linear(120, 84, rng=rng), act(), nn.Linear(84, num_classes, rng=rng),
    )
    return nn.Sequential({"features": features, "classifier": classifier})
