"""Learning-rate schedules: each group's ``lr`` as a closed-form function of the step count.

The classes mirror ``torch.optim.lr_scheduler`` (same names, arguments and values)
with one simplification: every scheduler computes ``lr(t)`` from its base rates and
the counter ``t = last_epoch`` alone, using PyTorch's closed forms, instead of
PyTorch's chainable form that multiplies the current ``group['lr']``. The values
agree with PyTorch's to rounding; what a closed form buys is that a resumed run
(``load_state_dict``) lands on exactly the same rates, and nothing drifts. The
price: two schedulers on one optimizer do not compose by multiplication — use
``SequentialLR`` to run one after another (warm-up, then cosine).

Like PyTorch, constructing a scheduler records ``group['initial_lr']`` (the base
rate; kept if already present) and sets ``group['lr'] = lr(0)``; each ``step()``
advances ``t`` by one and sets ``group['lr'] = lr(t)``. Call ``optimizer.step()``
before ``scheduler.step()``.

Closed forms (``b`` the base rate, ``t`` the step count):

==================  ==========================================================
StepLR              ``b * gamma ** (t // step_size)``
MultiStepLR         ``b * gamma ** (number of milestones <= t)``
ExponentialLR       ``b * gamma ** t``
PolynomialLR        ``b * (1 - min(t, total_iters) / total_iters) ** power``
CosineAnnealingLR   ``eta_min + (b - eta_min) * (1 + cos(pi * t / T_max)) / 2``
LinearLR            ``b * (start + (end - start) * min(t, total_iters) / total_iters)``
ConstantLR          ``b * factor`` while ``t < total_iters``, then ``b``
LambdaLR            ``b * lr_lambda(t)``
SequentialLR        scheduler ``k`` at ``t - milestones[k-1]`` for ``milestones[k-1] <= t``
==================  ==========================================================

``create_scheduler(name, optimizer, total_iters=..., warmup_iters=...)`` builds one by name.
"""

from __future__ import annotations

import math
import numbers
from bisect import bisect_right

from .._args import check_fraction, check_positive_number, positive_int
from .optimizer import Optimizer, check_choice, check_nonnegative


def _nonnegative_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {name}={value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {name}={value!r}")
    return int(value)


class LRScheduler:
    """Base class: sets every group's ``lr`` to ``get_lr()`` at each ``step()``.

    Subclasses define ``_lrs_at(t)``, the rates at step count ``t`` from ``base_lrs``.

    Args:
        optimizer: the ``Optimizer`` whose ``param_groups`` rates are set.
        last_epoch: the step count already done (-1 for a fresh start). A value
            >= 0 needs ``'initial_lr'`` in every group (as after loading the
            optimizer's state).

    Attributes:
        base_lrs: the base (initial) rate of each group.
        last_epoch: steps taken so far (``t``).

    Raises:
        TypeError: ``optimizer`` is not a convzoo ``Optimizer``.
        ValueError: ``last_epoch >= 0`` but a group lacks ``'initial_lr'``.
    """

    _excluded_state = ("optimizer",)

    def __init__(self, optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a convzoo.optim.Optimizer; got "
                            f"{type(optimizer).__name__}")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral) \
                or last_epoch < -1:
            raise ValueError(f"last_epoch must be an int >= -1; got last_epoch={last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise ValueError(f"param_groups[{i}] has no 'initial_lr', needed to resume "
                                     f"with last_epoch={last_epoch}; load the optimizer's "
                                     f"state_dict first or start from last_epoch=-1")
        self.base_lrs = [float(group["initial_lr"]) for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self.step()

    def _lrs_at(self, t: int) -> list[float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        """The rates of the current step count, one per param group."""
        return [float(lr) for lr in self._lrs_at(self.last_epoch)]

    def step(self) -> None:
        """Advance one step and set every group's ``'lr'``."""
        self.last_epoch += 1
        self._apply(self.get_lr())

    def _apply(self, lrs: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def get_last_lr(self) -> list[float]:
        """The rates set by the last ``step()`` (or by construction), one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute except the optimizer, as plain data (ints, floats, lists)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items()
                if k not in self._excluded_state}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned. Like PyTorch, group rates are left alone:
        they come back with the optimizer's own ``load_state_dict``.

        Raises:
            ValueError: ``state_dict`` is not a dict or lacks ``last_epoch``.
        """
        if not isinstance(state_dict, dict) or "last_epoch" not in state_dict:
            raise ValueError("state_dict must be a dict with 'last_epoch', as returned by "
                             "LRScheduler.state_dict()")
        for key, value in state_dict.items():
            if key not in self._excluded_state:
                setattr(self, key, list(value) if isinstance(value, (list, tuple)) else value)


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(t)`` — ``torch.optim.lr_scheduler.LambdaLR``.

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the step count ``t`` returning a factor, or a list
            with one such function per param group.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError: ``lr_lambda`` (or one of the list) is not callable.
        ValueError: a list whose length differs from the number of param groups.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = LambdaLR(opt, lambda t: 1 / (t + 1))
        >>> sched.step(); sched.step(); sched.get_last_lr()
        [0.3333333333333333]
    """

    _excluded_state = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        groups = getattr(optimizer, "param_groups", [])
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"lr_lambda must hold one function per param group "
                                 f"({len(groups)}); got {len(lr_lambda)} functions")
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * len(groups)
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda must be callable; got lr_lambda={fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        return [base * fn(t) for fn, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class StepLR(LRScheduler):
    """``lr = base_lr * gamma ** (t // step_size)`` — ``torch.optim.lr_scheduler.StepLR``.

    Args:
        optimizer: the optimizer.
        step_size: steps between decays (int >= 1).
        gamma: factor applied at each decay (> 0). Default 0.1.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: ``step_size`` not a positive int, ``gamma`` not > 0.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(opt.param_groups[0]['lr']); sched.step()
        >>> rates
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size = positive_int(step_size, "step_size")
        self.gamma = check_positive_number(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        return [base * self.gamma ** (t // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``lr = base_lr * gamma ** (number of milestones <= t)`` — PyTorch's ``MultiStepLR``.

    Args:
        optimizer: the optimizer.
        milestones: step counts (ints >= 0) at which the rate is multiplied by
            ``gamma``; a repeated milestone applies ``gamma`` once per repetition.
        gamma: the factor (> 0). Default 0.1.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: a milestone that is not an int >= 0, ``gamma`` not > 0.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
        >>> for _ in range(3):
        ...     sched.step()
        >>> sched.get_last_lr()  # t = 3: both milestones passed
        [0.010000000000000002]
    """

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"milestones must be a list of ints; got milestones={milestones!r}")
        self.milestones = sorted(_nonnegative_int(m, "milestones[i]") for m in milestones)
        self.gamma = check_positive_number(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        return [base * self.gamma ** bisect_right(self.milestones, t) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``lr = base_lr * gamma ** t`` — ``torch.optim.lr_scheduler.ExponentialLR``.

    Args:
        optimizer: the optimizer.
        gamma: the factor per step (> 0).
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: ``gamma`` not a number > 0.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = ExponentialLR(opt, gamma=0.5); sched.step(); sched.step(); sched.get_last_lr()
        [0.25]
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = check_positive_number(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        return [base * self.gamma ** t for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """``lr = base_lr * (1 - min(t, total_iters) / total_iters) ** power`` — ``PolynomialLR``.

    Args:
        optimizer: the optimizer.
        total_iters: steps over which the rate decays to 0 (int >= 1). Default 5.
        power: the polynomial's power (>= 0); 1 is linear decay. Default 1.0.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: ``total_iters`` not a positive int, ``power`` < 0.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = PolynomialLR(opt, total_iters=4, power=2.0)
        >>> sched.step(); sched.step(); sched.get_last_lr()  # (1 - 2/4)^2
        [0.25]
    """

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1):
        self.total_iters = positive_int(total_iters, "total_iters")
        self.power = check_nonnegative(power, "power")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        factor = (1.0 - min(self.total_iters, t) / self.total_iters) ** self.power
        return [base * factor for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` — cosine annealing.

    SGDR's schedule without restarts (Loshchilov & Hutter 2017), as
    ``torch.optim.lr_scheduler.CosineAnnealingLR``: the rate reaches ``eta_min`` at
    ``t = T_max`` (and, as in PyTorch, rises again if stepped further).

    Args:
        optimizer: the optimizer.
        T_max: half-period in steps (int >= 1).
        eta_min: the minimum rate (>= 0). Default 0.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: ``T_max`` not a positive int, ``eta_min`` < 0.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
        >>> sched.step(); sched.step(); sched.get_last_lr()  # half-way: the mean of 1 and 0.1
        [0.55]
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max = positive_int(T_max, "T_max")
        self.eta_min = check_nonnegative(eta_min, "eta_min")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        cos = (1 + math.cos(math.pi * t / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cos for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Linear ramp of the factor from ``start_factor`` to ``end_factor`` — ``LinearLR``.

    ``lr = base_lr * (start + (end - start) * min(t, total_iters) / total_iters)``;
    with ``start_factor < 1 = end_factor`` this is a linear warm-up.

    Args:
        optimizer: the optimizer.
        start_factor: factor at ``t = 0``, in (0, 1]. Default 1/3.
        end_factor: factor from ``t = total_iters`` on, in [0, 1]. Default 1.
        total_iters: length of the ramp (int >= 1). Default 5.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: a factor outside its interval, ``total_iters`` < 1.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(opt.param_groups[0]['lr']); sched.step()
        >>> rates
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        self.start_factor = check_fraction(start_factor, "start_factor", include_one=True)
        if self.start_factor == 0:
            raise ValueError(f"start_factor must be in (0, 1]; got start_factor={start_factor!r}")
        self.end_factor = check_fraction(end_factor, "end_factor", include_one=True)
        self.total_iters = positive_int(total_iters, "total_iters")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        factor = (self.start_factor + (self.end_factor - self.start_factor)
                  * min(self.total_iters, t) / self.total_iters)
        return [base * factor for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """``lr = base_lr * factor`` for the first ``total_iters`` steps, then ``base_lr``.

    ``torch.optim.lr_scheduler.ConstantLR``; with ``factor=1`` (or ``total_iters=0``)
    the rate simply stays at its base value.

    Args:
        optimizer: the optimizer.
        factor: the factor while ``t < total_iters``, in [0, 1]. Default 1/3.
        total_iters: how many steps the factor applies (int >= 0). Default 5.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError / ValueError: ``factor`` outside [0, 1], ``total_iters`` < 0.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
        >>> rates = []
        >>> for _ in range(3):
        ...     rates.append(opt.param_groups[0]['lr']); sched.step()
        >>> rates
        [0.5, 0.5, 1.0]
    """

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        self.factor = check_fraction(factor, "factor", include_one=True)
        self.total_iters = _nonnegative_int(total_iters, "total_iters")
        super().__init__(optimizer, last_epoch)

    def _lrs_at(self, t):
        factor = 1.0 if t >= self.total_iters else self.factor
        return [base * factor for base in self.base_lrs]


class SequentialLR(LRScheduler):
    """Run schedulers one after another, switching at ``milestones`` — ``SequentialLR``.

    Before ``milestones[0]`` the first scheduler sets the rate at step count ``t``;
    from ``milestones[k-1]`` on, scheduler ``k`` does, restarted at its own step 0
    (it sees ``t - milestones[k-1]``). Every scheduler must belong to ``optimizer``;
    they all share the groups' ``'initial_lr'`` as their base.

    Args:
        optimizer: the optimizer.
        schedulers: the schedulers, in order (at least one).
        milestones: strictly increasing step counts (ints >= 1), one fewer than
            ``schedulers``.
        last_epoch: steps already taken (-1 for a fresh start).

    Raises:
        TypeError: an entry of ``schedulers`` is not an ``LRScheduler``.
        ValueError: no schedulers, one with another optimizer, or bad milestones.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> warm = LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> cos = CosineAnnealingLR(opt, T_max=2)
        >>> sched = SequentialLR(opt, [warm, cos], milestones=[2])
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(opt.param_groups[0]['lr']); sched.step()
        >>> [round(r, 3) for r in rates]
        [0.5, 0.75, 1.0, 0.5, 0.0]
    """

    _excluded_state = ("optimizer", "_schedulers")

    def __init__(self, optimizer, schedulers, milestones, last_epoch: int = -1):
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError("schedulers must hold at least one scheduler; got none")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"schedulers[{i}] must be an LRScheduler; got "
                                f"{type(s).__name__}")
            if s.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] ({type(s).__name__}) belongs to another "
                                 f"optimizer; every scheduler must use the one given")
        milestones = [positive_int(m, "milestones[i]") for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"milestones must hold one fewer entry than schedulers "
                             f"({len(schedulers) - 1}); got milestones={milestones!r}")
        if any(b <= a for a, b in zip(milestones, milestones[1:], strict=False)):
            raise ValueError(f"milestones must be strictly increasing; got "
                             f"milestones={milestones!r}")
        self._schedulers = schedulers
        self._milestones = milestones
        super().__init__(optimizer, last_epoch)

    def _locate(self, t: int) -> tuple[LRScheduler, int]:
        idx = bisect_right(self._milestones, t)
        return self._schedulers[idx], t - (self._milestones[idx - 1] if idx else 0)

    def _lrs_at(self, t):
        scheduler, local = self._locate(t)
        return scheduler._lrs_at(local)

    def step(self) -> None:
        """Advance one step; the active scheduler's counter follows."""
        super().step()
        scheduler, local = self._locate(self.last_epoch)
        scheduler.last_epoch = local
        scheduler._last_lr = self.get_last_lr()

    def state_dict(self) -> dict:
        """Own attributes plus each scheduler's state under ``'_schedulers'``."""
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore own and every scheduler's state.

        Raises:
            ValueError: a different number of schedulers than this one holds.
        """
        inner = state_dict.get("_schedulers", []) if isinstance(state_dict, dict) else []
        if len(inner) != len(self._schedulers):
            raise ValueError(f"state_dict holds {len(inner)} schedulers; this SequentialLR "
                             f"has {len(self._schedulers)}")
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for s, sd in zip(self._schedulers, inner, strict=True):
            s.load_state_dict(sd)


# --- factory -----------------------------------------------------------------------------------

SCHEDULER_NAMES = ("constant", "step", "exponential", "polynomial", "cosine", "warmup_cosine")


def create_scheduler(name: str, optimizer, *, total_iters: int | None = None,
                     warmup_iters: int | None = None, warmup_start_factor: float = 0.1, **kw):
    """Build a schedule by name — what the training CLI's ``--schedule`` passes.

    ``total_iters`` is the length of the run in ``scheduler.step()`` calls. With
    ``warmup_iters > 0`` a linear warm-up from ``warmup_start_factor * lr`` to ``lr``
    runs first (``LinearLR`` then the named schedule, joined by ``SequentialLR``),
    and the named schedule gets the remaining ``total_iters - warmup_iters`` steps.

    ===============  ===============================================================
    name             schedule (extra keywords, defaults)
    ===============  ===============================================================
    'constant'       the base rate throughout (``ConstantLR(factor=1)``)
    'step'           ``StepLR(step_size=total_iters // 3, gamma=0.1)``: /10 at 1/3, 2/3
    'exponential'    ``ExponentialLR(gamma)``; default gamma ends the run at 1% of lr
    'polynomial'     ``PolynomialLR(total_iters, power=1.0)``: linear decay to 0
    'cosine'         ``CosineAnnealingLR(T_max=total_iters, eta_min=0.0)``
    'warmup_cosine'  'cosine' with a warm-up of ``warmup_iters`` steps (default, and
                     when given 0: 5% of ``total_iters``, at least 1)
    ===============  ===============================================================

    Args:
        name: one of ``SCHEDULER_NAMES`` (case-insensitive).
        optimizer: the optimizer whose rates are scheduled.
        total_iters: number of ``step()`` calls in the run (needed by every name but
            'constant', unless ``step_size`` / ``gamma`` is given for 'step' /
            'exponential').
        warmup_iters: steps of linear warm-up in front (0 or None: none).
        warmup_start_factor: the warm-up's starting factor, in (0, 1]. Default 0.1.
        **kw: the named schedule's own options (``gamma``, ``step_size``, ``power``,
            ``eta_min``).

    Returns:
        An ``LRScheduler``.

    Raises:
        ValueError: unknown name (the message lists the valid ones), a missing or
            too small ``total_iters``, or ``warmup_iters >= total_iters``.

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> opt = SGD([cz.tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> sched = create_scheduler('warmup_cosine', opt, total_iters=6, warmup_iters=2)
        >>> rates = []
        >>> for _ in range(6):
        ...     rates.append(opt.param_groups[0]['lr']); sched.step()
        >>> [round(r, 3) for r in rates]
        [0.1, 0.55, 1.0, 0.854, 0.5, 0.146]
    """
    key = check_choice(name, SCHEDULER_NAMES, "name")
    if total_iters is not None:
        total_iters = positive_int(total_iters, "total_iters")
    warmup = 0 if warmup_iters is None else _nonnegative_int(warmup_iters, "warmup_iters")
    if key == "warmup_cosine" and warmup == 0:
        if total_iters is None:
            raise ValueError("create_scheduler('warmup_cosine') needs total_iters; got "
                             "total_iters=None")
        warmup = max(1, total_iters // 20)
    main_iters = None
    if total_iters is not None:
        main_iters = total_iters - warmup
        if main_iters < 1:
            raise ValueError(f"warmup_iters must be smaller than total_iters; got "
                             f"warmup_iters={warmup}, total_iters={total_iters}")

    def need_total(alternative: str | None = None) -> int:
        if main_iters is None:
            either = f" (or {alternative})" if alternative else ""
            raise ValueError(f"create_scheduler({key!r}) needs total_iters{either}; got "
                             f"total_iters=None")
        return main_iters

    if key == "constant":
        main = ConstantLR(optimizer, factor=1.0, total_iters=0)
    elif key == "step":
        step_size = kw.pop("step_size", None)
        if step_size is None:
            step_size = max(1, need_total("step_size") // 3)
        main = StepLR(optimizer, step_size=step_size, gamma=kw.pop("gamma", 0.1))
    elif key == "exponential":
        gamma = kw.pop("gamma", None)
        if gamma is None:
            gamma = 0.01 ** (1.0 / need_total("gamma"))
        main = ExponentialLR(optimizer, gamma=gamma)
    elif key == "polynomial":
        main = PolynomialLR(optimizer, total_iters=need_total(),
                            power=kw.pop("power", 1.0))
    else:  # cosine, warmup_cosine
        main = CosineAnnealingLR(optimizer, T_max=need_total(),
                                 eta_min=kw.pop("eta_min", 0.0))
    if kw:
        raise TypeError(f"create_scheduler({key!r}) got unexpected keyword arguments "
                        f"{sorted(kw)}")
    if warmup == 0:
        return main
    warm = LinearLR(optimizer, start_factor=warmup_start_factor, end_factor=1.0,
                    total_iters=warmup)
    return SequentialLR(optimizer, [warm, main], milestones=[warmup])
