"""Adadelta: step sizes from running averages of squared gradients and squared updates.

Zeiler (2012), as ``torch.optim.Adadelta``. With ``v`` the running average of
``g^2`` and ``u`` that of the squared updates (both start at 0)::

    g     = grad + weight_decay * p
    v     = rho * v + (1 - rho) * g^2
    delta = sqrt(u + eps) / sqrt(v + eps) * g
    u     = rho * u + (1 - rho) * delta^2
    p     = p - lr * delta

The ratio ``sqrt(u)/sqrt(v)`` carries the units of ``p``, which is why the
paper needs no learning rate; ``lr`` (default 1.0) only rescales the update.
"""

from __future__ import annotations

import numpy as np

from .._args import check_fraction
from .optimizer import Optimizer, check_nonnegative


class Adadelta(Optimizer):
    """Adadelta — ``torch.optim.Adadelta``.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: scale of the update (>= 0). Default 1.0.
        rho: decay of the running averages, in [0, 1]. Default 0.9.
        eps: added inside both square roots (>= 0). Default 1e-6.
        weight_decay: L2 penalty added to the gradient (>= 0). Default 0.

    Raises:
        ValueError: an option out of range (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(1), requires_grad=True)
        >>> opt = Adadelta([w], rho=0.0, eps=1e-6)
        >>> w.grad = np.array([2.0]); opt.step(); float(w.data[0])  # -sqrt(eps)/sqrt(4+eps)*2
        -0.0009999998750000...
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _check_group(self, group: dict) -> dict:
        group = super()._check_group(group)
        group["rho"] = check_fraction(group["rho"], "rho", include_one=True)
        group["eps"] = check_nonnegative(group["eps"], "eps")
        group["weight_decay"] = check_nonnegative(group["weight_decay"], "weight_decay")
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * (grad * grad)
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * grad
        u *= rho
        u += (1 - rho) * (delta * delta)
        param -= group["lr"] * delta
