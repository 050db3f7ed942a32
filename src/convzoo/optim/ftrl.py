"""FTRL-Proximal: Follow-The-(Proximally)-Regularized-Leader with per-coordinate rates.

McMahan et al. (2013), "Ad Click Prediction: a View from the Trenches", Algorithm 1,
with TensorFlow's ``learning_rate_power`` generalisation (``-0.5`` gives the paper).
Each coordinate ``i`` keeps ``z_i`` (the "linear" accumulator: gradients minus the
proximal shifts) and ``n_i`` (the sum of squared gradients). Writing
``alpha = lr``, ``beta``, ``lambda1 = l1``, ``lambda2 = l2`` and ``c = -learning_rate_power``
(so ``n^c = sqrt(n)`` in the paper), one step with gradient ``g`` at the current weight ``w``::

    g     = g + weight_decay * w              (optional coupled L2 penalty; 0 in the paper)
    sigma = (( n + g^2 )^c - n^c) / alpha
    z     = z + g - sigma * w
    n     = n + g^2
    w     = 0                                                  if |z| <= lambda1
    w     = -(z - sign(z) * lambda1) / ((beta + n^c) / alpha + lambda2)   otherwise

The closed form for ``w`` minimises ``z·w + lambda1 |w|_1 + (1/2)(lambda2 + sum sigma)|w|^2``;
the L1 term sets whole coordinates exactly to zero, the sparsity the paper is after.
In TensorFlow's ``tf.keras.optimizers.Ftrl`` terms: ``l1_regularization_strength = l1``,
``l2_regularization_strength = l2 / 2`` (TF writes its penalty without the 1/2),
``beta = beta`` and ``initial_accumulator_value`` as here (TF's default is 0.1, the
paper's is 0; this class follows the paper).

The paper starts from ``w = 0``; with a non-zero starting weight the ``sigma * w``
term keeps the step proximal to the current weight. As in the paper and in
TensorFlow, a coordinate whose ``|z|`` never exceeds ``l1`` is set to 0 — including a
coordinate that has only ever seen zero gradients.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_nonnegative


class FTRL(Optimizer):
    """FTRL-Proximal (McMahan et al. 2013, Algorithm 1); the update rule is in the module doc.

    Args:
        params: iterable of Tensors, or of dicts (param groups) with per-group options.
        lr: ``alpha``, the per-coordinate learning-rate scale (>= 0). Default 1e-3.
        beta: ``beta``, added to ``n^c`` in the rate's denominator (>= 0). Default 0.
        l1: ``lambda1``, the L1 strength (>= 0). Default 0.
        l2: ``lambda2``, the L2 strength (>= 0). Default 0.
        learning_rate_power: ``-c`` (<= 0); -0.5 is the paper's square root. Default -0.5.
        initial_accumulator_value: starting ``n`` (>= 0). Default 0 (the paper).
        weight_decay: coupled L2 penalty added to the gradient (>= 0). Default 0.

    Raises:
        ValueError: an option out of range (the message names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(3), requires_grad=True)
        >>> opt = FTRL([w], lr=1.0, l1=1.5)
        >>> w.grad = np.array([2.0, -1.0, 0.5]); opt.step(); w.data  # |z| <= l1 -> exactly 0
        array([-0.25,  0.  ,  0.  ])
    """

    def __init__(self, params, lr: float = 1e-3, beta: float = 0.0, l1: float = 0.0,
                 l2: float = 0.0, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, beta=beta, l1=l1, l2=l2,
                                      learning_rate_power=learning_rate_power,
                                      initial_accumulator_value=initial_accumulator_value,
                                      weight_decay=weight_decay))

    def _check_group(self, group: dict) -> dict:
        group = super()._check_group(group)
        for name in ("beta", "l1", "l2", "initial_accumulator_value", "weight_decay"):
            group[name] = check_nonnegative(group[name], name)
        power = group["learning_rate_power"]
        if isinstance(power, bool) or not isinstance(power, (int, float, np.floating)):
            raise TypeError(f"learning_rate_power must be a number; got "
                            f"learning_rate_power={power!r}")
        if not (power <= 0 and np.isfinite(power)):
            raise ValueError(f"learning_rate_power must be a finite number <= 0; got "
                             f"learning_rate_power={power!r}")
        group["learning_rate_power"] = float(power)
        if group["lr"] == 0:
            raise ValueError("lr must be > 0 for FTRL (it divides the accumulators); got lr=0.0")
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        alpha, c = group["lr"], -group["learning_rate_power"]
        if not state:
            state["step"] = 0
            state["z"] = np.zeros_like(param)
            state["n"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        z, n = state["z"], state["n"]
        n_new = n + grad * grad
        root_new = n_new ** c
        sigma = (root_new - n ** c) / alpha
        z += grad - sigma * param
        n[...] = n_new
        l1 = group["l1"]
        denom = (group["beta"] + root_new) / alpha + group["l2"]
        keep = np.abs(z) > l1
        # where keep is False the denominator may be 0 (no gradient yet): divide only where kept
        shrunk = np.divide(np.sign(z) * l1 - z, denom, out=np.zeros_like(param), where=keep)
        param[...] = shrunk
