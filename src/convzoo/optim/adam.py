"""Adam and AdamW: bias-corrected running moments of the gradient.

Kingma & Ba (2015) and Loshchilov & Hutter (2019), as ``torch.optim.Adam`` /
``torch.optim.AdamW``. With ``t`` the step number (from 1), ``m``/``v`` the first
and second moment estimates (start at 0) and ``v_max`` their running maximum
(AMSGrad, Reddi et al. 2018)::

    g     = grad + weight_decay * p                      (Adam: L2 folded into the gradient)
    p     = p * (1 - lr * weight_decay)                  (AdamW: decoupled decay, before the step)
    m     = m + (1 - beta1) * (g - m)
    v     = beta2 * v + (1 - beta2) * g^2
    v_max = max(v_max, v)                                (amsgrad; then v_max replaces v below)
    p     = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

Adam's L2 term is rescaled by the adaptive denominator, so heavily-updated weights
are barely decayed; AdamW decays every weight by the same factor.
"""

from __future__ import annotations

import math

import numpy as np

from .optimizer import Optimizer, check_betas, check_bool, check_nonnegative


class Adam(Optimizer):
    """Adam, optionally AMSGrad — ``torch.optim.Adam``.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: learning rate (>= 0). Default 1e-3.
        betas: decay rates ``(beta1, beta2)`` of the moment estimates, each in [0, 1).
        eps: added to the denominator (>= 0). Default 1e-8.
        weight_decay: L2 penalty added to the gradient (>= 0). Default 0.
        amsgrad: use the running maximum of the second moment (AMSGrad).

    Raises:
        ValueError: an option out of range (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(2), requires_grad=True)
        >>> opt = Adam([w], lr=0.1, eps=0.0)
        >>> w.grad = np.array([5.0, -1e-3]); opt.step(); w.data  # bias-corrected: -lr*sign(g)
        array([-0.1,  0.1])
    """

    _decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    def _check_group(self, group: dict) -> dict:
        group = super()._check_group(group)
        group["betas"] = check_betas(group["betas"])
        group["eps"] = check_nonnegative(group["eps"], "eps")
        group["weight_decay"] = check_nonnegative(group["weight_decay"], "weight_decay")
        group["amsgrad"] = check_bool(group["amsgrad"], "amsgrad")
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, wd, (beta1, beta2) = group["lr"], group["weight_decay"], group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        t = state["step"]
        if wd != 0:
            if self._decoupled:
                param *= 1 - lr * wd
            else:
                grad = grad + wd * param
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (grad - m)
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = lr / (1 - beta1 ** t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t)
        denom += group["eps"]
        param -= step_size * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay — ``torch.optim.AdamW``.

    Each step first shrinks every weight by ``1 - lr * weight_decay``, then takes
    the Adam step on the raw gradient.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: learning rate (>= 0). Default 1e-3.
        betas: decay rates ``(beta1, beta2)`` of the moment estimates, each in [0, 1).
        eps: added to the denominator (>= 0). Default 1e-8.
        weight_decay: decoupled decay coefficient (>= 0). Default 1e-2.
        amsgrad: use the running maximum of the second moment (AMSGrad).

    Raises:
        ValueError: an option out of range (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.ones(2), requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = np.zeros(2); opt.step(); w.data  # zero gradient: only the decay acts
        array([0.95, 0.95])
    """

    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
