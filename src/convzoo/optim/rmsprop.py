"""RMSprop: divide the gradient by a running root-mean-square of recent gradients.

Hinton's lecture 6e, as ``torch.optim.RMSprop``. With ``v`` the running mean of
``g^2``, ``m`` that of ``g`` (centered only) and ``b`` the momentum buffer::

    g   = grad + weight_decay * p
    v   = alpha * v + (1 - alpha) * g^2
    m   = m + (1 - alpha) * (g - m)                       (centered)
    den = sqrt(v - m^2) + eps   (centered)   or   sqrt(v) + eps
    b   = momentum * b + g / den;  p = p - lr * b        (momentum > 0)
    p   = p - lr * g / den                                (momentum = 0)

Centering divides by an estimate of the gradient's standard deviation instead of
its root mean square.
"""

from __future__ import annotations

import numpy as np

from .._args import check_fraction
from .optimizer import Optimizer, check_bool, check_nonnegative


class RMSprop(Optimizer):
    """RMSprop — ``torch.optim.RMSprop``.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: learning rate (>= 0). Default 1e-2.
        alpha: smoothing constant of the running averages, in [0, 1]. Default 0.99.
        eps: added to the denominator (>= 0). Default 1e-8.
        weight_decay: L2 penalty added to the gradient (>= 0). Default 0.
        momentum: momentum factor (>= 0). Default 0.
        centered: normalise by the estimated variance instead of the raw second moment.

    Raises:
        ValueError: an option out of range (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(2), requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.0, eps=0.0)
        >>> w.grad = np.array([4.0, -0.1]); opt.step(); w.data  # alpha=0: -lr*sign(g)
        array([-0.01,  0.01])
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _check_group(self, group: dict) -> dict:
        group = super()._check_group(group)
        group["alpha"] = check_fraction(group["alpha"], "alpha", include_one=True)
        for name in ("eps", "weight_decay", "momentum"):
            group[name] = check_nonnegative(group[name], name)
        group["centered"] = check_bool(group["centered"], "centered")
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        alpha = group["alpha"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
        # created on first use, so switching momentum or centering on mid-run works
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * (grad * grad)
        if group["centered"]:
            m = state["grad_avg"]
            m += (1 - alpha) * (grad - m)
            avg = np.sqrt(v - m * m)
        else:
            avg = np.sqrt(v)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += grad / avg
            param -= group["lr"] * buf
        else:
            param -= group["lr"] * (grad / avg)
