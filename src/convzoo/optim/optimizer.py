"""``Optimizer``: the base of every optimizer — parameter groups, per-parameter state, checkpoints.

The design is PyTorch's ``torch.optim.Optimizer``. Parameters are ``convzoo.Tensor``
objects; an optimizer reads ``p.grad`` and updates ``p.data`` **in place** (so every
module holding the tensor sees the new values), in the parameter's own dtype.
Parameters are organised in *param groups*: dicts holding ``'params'`` (a list of
tensors) and the options of the update (``'lr'``, ``'weight_decay'``, ...); options a
group leaves out are taken from the optimizer's ``defaults``. A subclass validates a
group's options in ``_check_group`` and updates one parameter in ``_update``.

State (momentum buffers, moment estimates, step counts) lives in ``self.state``,
keyed by ``id(param)``. ``state_dict()`` names each parameter by its position in the
concatenated groups (0, 1, 2, ... in group order), exactly as PyTorch does, so a
checkpoint written by one process loads into a fresh optimizer over a fresh model
and training continues bit for bit.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable

import numpy as np

from .._args import check_fraction
from ..autograd import Tensor, enable_grad

# --- option checks (the few checks _args.py has no helper for; text follows its style) ---------


def check_nonnegative(value, name: str) -> float:
    """A finite real number ``>= 0`` (lr, eps, weight decay, momentum, l1, ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {name}={value!r}")
    if not (value >= 0 and np.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0; got {name}={value!r}")
    return float(value)


def check_betas(betas, name: str = "betas") -> tuple[float, float]:
    """A pair ``(beta1, beta2)``, each in ``[0, 1)``."""
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Iterable):
        raise TypeError(f"{name} must be a pair of numbers; got {name}={betas!r}")
    items = tuple(betas)
    if len(items) != 2:
        raise ValueError(f"{name} must be a pair of numbers; got {name}={betas!r}")
    return (check_fraction(items[0], f"{name}[0]"), check_fraction(items[1], f"{name}[1]"))


def check_bool(value, name: str) -> bool:
    """A Python or NumPy bool (flags such as ``nesterov``, ``amsgrad``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {name}={value!r}")
    return bool(value)


def check_choice(value, choices, name: str) -> str:
    """A name from ``choices`` (case-insensitive); the error lists every valid name."""
    key = value.strip().lower() if isinstance(value, str) else value
    if key not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {valid}; got {name}={value!r}")
    return key


# --- the base class ----------------------------------------------------------------------------


class Optimizer:
    """Base class of optimizers: param groups, ``step``, ``zero_grad``, ``state_dict``.

    Args:
        params: an iterable of ``Tensor`` parameters, or of dicts (param groups) each
            with a ``'params'`` entry (a Tensor or an iterable of Tensors) and any
            options that override ``defaults`` for that group.
        defaults: the options (``lr`` and the optimizer's hyperparameters) used by
            groups that do not set them.

    Attributes:
        param_groups: list of dicts, each with ``'params'`` (list of Tensors) and every
            option; change ``group['lr']`` to change the learning rate (schedulers do).
        state: per-parameter state dicts, keyed by ``id(param)``.
        defaults: the default options.

    Raises:
        TypeError: ``params`` is a single Tensor, or holds something that is not a
            floating-point Tensor.
        ValueError: no parameters, a parameter in two groups, a non-leaf tensor, or an
            option out of range (the subclass names the argument and value).

    Example:
        >>> import numpy as np, convzoo as cz
        >>> from convzoo.optim import SGD
        >>> w = cz.tensor(np.ones(3), requires_grad=True)
        >>> opt = SGD([w], lr=0.5)
        >>> w.grad = np.array([1.0, 2.0, 0.0])
        >>> opt.step(); w.data
        array([0.5, 0. , 1. ])
    """

    def __init__(self, params, defaults: dict):
        self.defaults = self._check_group(dict(defaults))
        self.state: dict[int, dict] = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors or of dicts (param groups); "
                            "got a single Tensor (wrap it in a list)")
        if isinstance(params, (str, bytes, dict)) or not isinstance(params, Iterable):
            raise TypeError(f"params must be an iterable of Tensors or of dicts (param groups); "
                            f"got params of type {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("params is empty: the optimizer got no parameters to optimise")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # --- subclass hooks ------------------------------------------------------------------
    def _check_group(self, group: dict) -> dict:
        """Validate and normalise a group's options; subclasses extend this."""
        if "lr" in group:
            group["lr"] = check_nonnegative(group["lr"], "lr")
        return group

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """Update ``param`` in place from ``grad``; ``state`` is this parameter's state."""
        raise NotImplementedError  # pragma: no cover - abstract

    # --- groups ----------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own options) to optimise.

        Args:
            param_group: dict with ``'params'`` (a Tensor or an iterable of Tensors) and
                options overriding ``defaults``.

        Raises:
            TypeError: not a dict, or a parameter that is not a floating-point Tensor.
            ValueError: a parameter already in another group, a non-leaf tensor, or an
                option out of range.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict; got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("param_group['params'] must be an ordered collection of Tensors; "
                            "got a set (its order changes between runs, breaking state_dict)")
        else:
            params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"params must be convzoo Tensors; got params[{i}] of type "
                                f"{type(p).__name__}")
            if not np.issubdtype(p.dtype, np.floating):
                raise TypeError(f"params must have a floating-point dtype; got params[{i}] "
                                f"with dtype {p.dtype}")
            if not p.is_leaf:
                raise ValueError(f"params must be leaf tensors (created by the user, not by an "
                                 f"operation); got a non-leaf params[{i}]")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids) or seen.intersection(ids):
            raise ValueError("a parameter appears more than once in the param groups")
        group = {k: v for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group = self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)

    # --- the update ------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``None``, or zeros with ``set_to_none=False``)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad = np.zeros_like(p.data)

    def step(self, closure=None):
        """Update every parameter that has a gradient; parameters whose grad is None are skipped.

        Args:
            closure: optional callable that recomputes the loss (and the gradients);
                called once, with gradient recording on, before the update.

        Returns:
            The closure's return value, or None.

        Raises:
            ValueError: a gradient whose shape differs from its parameter's.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for i, p in enumerate(group["params"]):
                if p.grad is None:
                    continue
                grad = np.asarray(p.grad)
                if grad.shape != p.data.shape:
                    raise ValueError(f"grad of params[{i}] must have the parameter's shape "
                                     f"{p.data.shape}; got grad with shape {grad.shape}")
                # Updates run in the parameter's dtype: a float64 grad on a float32 weight is
                # rounded first rather than promoting the weight.
                grad = grad.astype(p.data.dtype, copy=False)
                self._update(p.data, grad, self.state.setdefault(id(p), {}), group)
        return loss

    # --- checkpoints -----------------------------------------------------------------------
    def _index(self) -> dict[int, int]:
        """``id(param) -> position`` in the concatenated groups (PyTorch's state_dict keys)."""
        return {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}

    def state_dict(self) -> dict:
        """The optimizer's state as plain data: ``{'state': {...}, 'param_groups': [...]}``.

        ``state`` maps a parameter's position (0, 1, ... across the groups in order) to
        copies of its state arrays and step count; each entry of ``param_groups`` holds
        the group's options and ``'params'``, the positions of its parameters. Only
        ``np.ndarray``, numbers, bools, strings, tuples, lists and dicts appear, so the
        result can be stored without pickling.

        Example:
            >>> import numpy as np, convzoo as cz
            >>> from convzoo.optim import Adam
            >>> w = cz.tensor(np.zeros(2), requires_grad=True)
            >>> opt = Adam([w]); w.grad = np.ones(2); opt.step()
            >>> sd = opt.state_dict(); sorted(sd['state'][0]), sd['param_groups'][0]['params']
            (['exp_avg', 'exp_avg_sq', 'step'], [0])
        """
        index = self._index()
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if id(p) in self.state:
                    state[index[id(p)]] = {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                           for k, v in self.state[id(p)].items()}
        groups = []
        for group in self.param_groups:
            saved = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned (of an optimizer of the same kind and layout).

        Group options (``lr`` included) and per-parameter state are replaced; state
        arrays are copied and cast to their parameter's dtype.

        Raises:
            ValueError: the number of groups, a group's size, or a state array's shape
                does not match this optimizer's parameters.
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError("state_dict must be a dict with 'state' and 'param_groups', as "
                             "returned by Optimizer.state_dict()")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"state_dict has {len(saved_groups)} param groups; this optimizer "
                             f"has {len(self.param_groups)}")
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"param group {i} of state_dict has {len(saved['params'])} "
                                 f"parameters; this optimizer's has {len(group['params'])}")
        by_position = {}
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            for position, p in zip(saved["params"], group["params"], strict=True):
                by_position[position] = p
        new_state: dict[int, dict] = {}
        for position, entries in state_dict["state"].items():
            p = by_position[int(position)]
            restored = {}
            for key, value in entries.items():
                if isinstance(value, np.ndarray):
                    if value.shape != p.data.shape:
                        raise ValueError(f"state {key!r} of parameter {position} has shape "
                                         f"{value.shape}; the parameter has shape {p.data.shape}")
                    value = value.astype(p.data.dtype) if value.dtype.kind == "f" else value.copy()
                elif isinstance(value, np.generic):
                    value = value.item()
                restored[key] = value
            new_state[id(p)] = restored
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            options = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            if isinstance(options.get("betas"), list):
                options["betas"] = tuple(options["betas"])
            options["params"] = group["params"]
            new_groups.append(options)
        self.state = new_state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
