"""Adagrad: per-coordinate learning rates from the running sum of squared gradients.

Duchi, Hazan & Singer (2011), as ``torch.optim.Adagrad``. With ``t`` the step
number (from 1), ``s`` the accumulator (starting at ``initial_accumulator_value``)::

    g   = grad + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s   = s + g * g
    p   = p - clr * g / (sqrt(s) + eps)

Coordinates with large past gradients take small steps; rare features keep a
large step — the property that made Adagrad popular for sparse problems.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_nonnegative


class Adagrad(Optimizer):
    """Adagrad — ``torch.optim.Adagrad``.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: learning rate (>= 0). Default 1e-2.
        lr_decay: decay of the learning rate per step (>= 0). Default 0.
        weight_decay: L2 penalty added to the gradient (>= 0). Default 0.
        initial_accumulator_value: starting value of the squared-gradient sum (>= 0).
        eps: added to the denominator (>= 0). Default 1e-10.

    Raises:
        ValueError: an option out of range (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(2), requires_grad=True)
        >>> opt = Adagrad([w], lr=1.0, eps=0.0)
        >>> w.grad = np.array([3.0, -0.5]); opt.step(); w.data  # first step: -lr*sign(g)
        array([-1.,  1.])
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps))

    def _check_group(self, group: dict) -> dict:
        group = super()._check_group(group)
        for name in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            group[name] = check_nonnegative(group[name], name)
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        param -= clr * (grad / (np.sqrt(state["sum"]) + group["eps"]))
