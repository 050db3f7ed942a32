"""Swap a model's dense 3×3 convolutions for grouped or depthwise-separable ones, and time it.

What ``convzoo compare --model`` measures: the same network with its 3×3 convs (any
stride, ``groups=1``) replaced in place by

* ``"grouped"``: ``Conv2d(C_in, C_out, 3, groups=g)`` — ``1/g`` of the weights and MACs
  (a conv whose channel counts ``g`` does not divide is left alone and reported);
* ``"separable"``: ``SeparableConv2d(C_in, C_out, 3)`` — a depthwise 3×3 then a
  pointwise 1×1, ``9·C_in + C_in·C_out`` weights instead of ``9·C_in·C_out``;

with the same channels, stride, padding, dilation and bias, so every output shape stays
the same. :func:`time_forward` measures the real forward pass (the NumPy kernels run).
"""

from __future__ import annotations

import time

import numpy as np

from .. import nn
from ..autograd import Tensor, no_grad
from ..nn.init import make_rng

MODES = ("grouped", "separable")


def _replace(parent: nn.Module, attr: str, new: nn.Module) -> None:
    """Put ``new`` where ``parent.attr`` was, keeping the children's order (Sequential)."""
    parent._modules[attr] = new
    object.__setattr__(parent, attr, new)


def swappable(module) -> bool:
    """True for a dense 3×3 ``nn.Conv2d`` (groups 1, any stride), the convs that get swapped."""
    return (type(module) is nn.Conv2d and module.kernel_size == (3, 3) and module.groups == 1
            and not module.flip_kernel)


def swap_convs(model: nn.Module, mode: str, groups: int | None = None, rng=0) -> dict:
    """Replace every dense 3×3 conv of ``model`` in place (see the module docstring).

    Args:
        model: a ``convzoo.nn.Module``; changed in place.
        mode: "grouped" or "separable".
        groups: g for "grouped" (required there, >= 2).
        rng: Generator or seed for the new layers' weights.

    Returns:
        ``{"swapped": [names], "skipped": [{"name", "reason"}]}``.

    Raises:
        ValueError: unknown mode, groups missing or < 2 for "grouped".

    >>> net = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())
    >>> swap_convs(net, "separable")["swapped"], net.num_parameters()
    (['0'], 688)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got mode={mode!r}")
    if mode == "grouped":
        if groups is None:
            raise ValueError("groups is required for mode='grouped' (e.g. groups=8)")
        if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 2:
            raise ValueError(f"groups must be an int >= 2 for mode='grouped'; "
                             f"got groups={groups!r}")
    rng = make_rng(rng)
    swapped, skipped = [], []
    targets = [(name, m) for name, m in model.named_modules() if name and swappable(m)]
    parents = dict(model.named_modules())
    for name, conv in targets:
        owner, _, attr = name.rpartition(".")
        c_in, c_out = conv.in_channels, conv.out_channels
        bias, dtype = conv.bias is not None, conv.weight.dtype
        if mode == "grouped":
            if c_in % groups or c_out % groups:
                skipped.append({"name": name, "reason": f"groups={groups} does not divide "
                                f"in_channels={c_in} and out_channels={c_out}"})
                continue
            new = nn.Conv2d(c_in, c_out, 3, conv.stride, conv.padding, conv.dilation, groups,
                            bias, rng=rng, dtype=dtype)
        else:
            new = nn.SeparableConv2d(c_in, c_out, 3, 1, conv.stride, conv.padding,
                                     conv.dilation, bias, rng=rng, dtype=dtype)
        _replace(parents[owner], attr, new)
        swapped.append(name)
    return {"swapped": swapped, "skipped": skipped}


def time_forward(model: nn.Module, input_shape, repeat: int = 3, rng=0) -> list[float]:
    """Wall-clock seconds of ``repeat`` real forward passes on a batch-1 random input.

    The model runs in eval mode under ``no_grad`` (its training flags are restored);
    take the minimum as the measurement least disturbed by other processes.

    Args:
        model: a ``convzoo.nn.Module``.
        input_shape: per-sample (C, H, W).
        repeat: number of timed runs, >= 1.
        rng: Generator or seed for the input.

    Returns:
        list of ``repeat`` durations in seconds.

    >>> len(time_forward(nn.Sequential(nn.Conv2d(1, 2, 3)), (1, 8, 8), repeat=2))
    2
    """
    params = list(model.parameters())
    dtype = params[0].dtype if params else np.float32
    x = Tensor(make_rng(rng).standard_normal((1, *input_shape)).astype(dtype))
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    times = []
    try:
        with no_grad():
            for _ in range(repeat):
                start = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - start)
    finally:
        for m, flag in flags:
            object.__setattr__(m, "training", flag)
    return times


__all__ = ["MODES", "swap_convs", "swappable", "time_forward"]
