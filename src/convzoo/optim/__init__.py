"""Optimizers and learning-rate schedules, after ``torch.optim``, for ``convzoo.Tensor`` parameters.

Every optimizer reads ``param.grad`` and updates ``param.data`` in place, in the
parameter's dtype; parameters whose grad is ``None`` are skipped. The update rules
are PyTorch's (FTRL: McMahan et al. 2013, Algorithm 1) and are written out in each
module's docstring. ``state_dict`` / ``load_state_dict`` resume a run exactly.

>>> import numpy as np, convzoo as cz
>>> from convzoo import optim
>>> w = cz.tensor(np.array([1.0, -2.0]), requires_grad=True)
>>> opt = optim.create_optimizer('nesterov', [w], lr=0.1)
>>> sched = optim.create_scheduler('cosine', opt, total_iters=10)
>>> for _ in range(10):
...     w.grad = 2 * w.data          # gradient of |w|^2
...     opt.step(); sched.step()
>>> np.round(w.data, 3)          # from [1, -2], damped oscillation towards 0
array([-0.295,  0.59 ])
"""

from __future__ import annotations

from . import lr_scheduler  # noqa: F401
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .ftrl import FTRL
from .lr_scheduler import (  # noqa: F401
    SCHEDULER_NAMES,
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    PolynomialLR,
    SequentialLR,
    StepLR,
    create_scheduler,
)
from .optimizer import Optimizer, check_choice
from .rmsprop import RMSprop
from .sgd import SGD

Ftrl = FTRL  # TensorFlow's spelling

# name -> (class, defaults the name implies; explicit keywords override them)
_OPTIMIZERS = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (Adagrad, {}),
    "adadelta": (Adadelta, {}),
    "rmsprop": (RMSprop, {}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
    "ftrl": (FTRL, {}),
}
OPTIMIZER_NAMES = tuple(_OPTIMIZERS)


def create_optimizer(name: str, params, lr: float | None = None, **kw) -> Optimizer:
    """Build an optimizer by name — what the training CLI's ``--optimizer`` passes.

    'sgd' is plain SGD (momentum 0 unless given), 'momentum' is SGD with momentum
    0.9, 'nesterov' SGD with Nesterov momentum 0.9; the other names are the classes
    of the same name with their defaults. Keywords override those defaults.

    Args:
        name: one of ``OPTIMIZER_NAMES`` (case-insensitive).
        params: iterable of Tensors, or of dicts (param groups).
        lr: learning rate; None keeps the class default.
        **kw: the optimizer's other options (``momentum``, ``weight_decay``, ``betas``...).

    Returns:
        An ``Optimizer``.

    Raises:
        ValueError: unknown name (the message lists the valid ones), or a bad option.
        TypeError: an option the optimizer does not take.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> w = cz.tensor(np.zeros(2), requires_grad=True)
        >>> opt = create_optimizer('momentum', [w], lr=0.1)
        >>> type(opt).__name__, opt.param_groups[0]['momentum']
        ('SGD', 0.9)
    """
    key = check_choice(name, OPTIMIZER_NAMES, "name")
    cls, implied = _OPTIMIZERS[key]
    options = {**implied, **kw}
    if lr is not None:
        options["lr"] = lr
    return cls(params, **options)


__all__ = [
    "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "FTRL", "Ftrl", "Optimizer",
    "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "PolynomialLR",
    "CosineAnnealingLR", "LinearLR", "ConstantLR", "SequentialLR",
    "create_optimizer", "create_scheduler", "OPTIMIZER_NAMES", "SCHEDULER_NAMES",
]
