"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.

PyTorch's formulation (``torch.optim.SGD``), for learning rate ``lr``, momentum
``mu``, dampening ``tau`` and weight decay ``lambda``, with ``b`` the momentum buffer::

    g = grad + lambda * p                      # L2 penalty folded into the gradient
    b = g                      at the first step  (no dampening on the first step)
    b = mu * b + (1 - tau) * g afterwards
    d = g + mu * b   (nesterov)   or   d = b   (classic momentum)   or   d = g   (mu = 0)
    p = p - lr * d

Note that ``lr`` multiplies the buffer (not the gradient inside it), so changing
the learning rate mid-run rescales the whole step at once — unlike the
``v = mu*v - lr*g`` form of Sutskever et al.
"""

from __future__ import annotations

import numpy as np

from .._args import check_fraction
from .optimizer import Optimizer, check_bool, check_nonnegative


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum — ``torch.optim.SGD``.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: learning rate (>= 0). Default 1e-3.
        momentum: momentum factor ``mu`` (>= 0). Default 0.
        dampening: dampening ``tau`` for momentum, in [0, 1]. Default 0.
        weight_decay: L2 penalty ``lambda`` added to the gradient (>= 0). Default 0.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening = 0).

    Raises:
        ValueError: an option out of range, or ``nesterov`` without momentum or with
            dampening (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(2), requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     w.grad = np.ones(2); opt.step()
        >>> w.data  # -0.1*1 then -0.1*(0.9*1 + 1)
        array([-0.29, -0.29])
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _check_group(self, group: dict) -> dict:
        group = super()._check_group(group)
        group["momentum"] = check_nonnegative(group["momentum"], "momentum")
        group["dampening"] = check_fraction(group["dampening"], "dampening", include_one=True)
        group["weight_decay"] = check_nonnegative(group["weight_decay"], "weight_decay")
        group["nesterov"] = check_bool(group["nesterov"], "nesterov")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"nesterov=True requires momentum > 0 and dampening = 0; got "
                             f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd != 0:
            grad = grad + wd * param
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= mu
                buf += (1 - group["dampening"]) * grad
            grad = grad + mu * buf if group["nesterov"] else buf
        param -= lr * grad
