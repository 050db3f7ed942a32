"""``Module``, the base of every layer and model, and the ``Sequential``/``ModuleList`` containers.

A module's parameters are the ``Tensor`` attributes assigned on it; its buffers
(running statistics) are NumPy arrays registered with ``register_buffer``; its
children are the ``Module`` attributes. Names compose with dots exactly as in
PyTorch (``features.0.weight``), so state dicts line up with torchvision's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from ..autograd import Tensor


class Module:
    """Base class for layers and models: parameters, buffers, children, train/eval.

    Subclasses assign parameters (``Tensor``) and child modules as attributes in
    ``__init__`` and define ``forward``. Calling the module calls ``forward``.

    >>> import numpy as np
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.weight = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    ...     def forward(self, x):
    ...         return x * self.weight
    >>> [name for name, _ in Scale().named_parameters()]
    ['weight']
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"call Module.__init__() before assigning {name!r} "
                               f"in {type(self).__name__}.__init__")
        if name in self._buffers and (value is None or isinstance(value, np.ndarray)):
            self._buffers[name] = value  # reassigning a buffer keeps it a buffer
            object.__setattr__(self, name, value)
            return
        for store in (self._parameters, self._buffers, self._modules):
            store.pop(name, None)
        if isinstance(value, Tensor):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for store in (self._parameters, self._buffers, self._modules):
            store.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, value: np.ndarray | None) -> None:
        """Keep a non-trainable array (e.g. running mean) in the state dict."""
        self._parameters.pop(name, None)
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    def set_buffer(self, name: str, value: np.ndarray) -> None:
        """Replace a registered buffer's array."""
        if name not in self._buffers:
            raise KeyError(f"{type(self).__name__} has no buffer {name!r}")
        self.register_buffer(name, value)

    # --- forward --------------------------------------------------------------
    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- traversal ------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct children with their attribute names."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Direct children."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all descendants, depth first, with dotted names."""
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and all descendants."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every parameter with its dotted name (each shared tensor once)."""
        seen: set[int] = set()
        for mod_name, module in self.named_modules(prefix):
            for name, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Tensor]:
        """Every parameter tensor."""
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Every buffer with its dotted name."""
        for mod_name, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Total number of parameter elements."""
        return sum(p.size for p in self.parameters() if p.requires_grad or not trainable_only)

    # --- modes ----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Switch this module and its descendants to training (or eval) mode."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (batch norm uses running stats, dropout is off)."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Drop every parameter's accumulated gradient."""
        for p in self.parameters():
            p.grad = None

    # --- state ----------------------------------------------------------------
    def state_dict(self) -> OrderedDict:
        """Copies of every parameter and buffer array, by dotted name."""
        state = OrderedDict()
        for mod_name, module in self.named_modules():
            for name, p in module._parameters.items():
                if p is not None:
                    state[f"{mod_name}.{name}" if mod_name else name] = p.data.copy()
            for name, b in module._buffers.items():
                if b is not None:
                    state[f"{mod_name}.{name}" if mod_name else name] = np.array(b, copy=True)
        return state

    def load_state_dict(self, state_dict, strict: bool = True) -> None:
        """Copy arrays from ``state_dict`` into the parameters and buffers, in place.

        Raises:
            KeyError: with ``strict``, missing or unexpected keys (all listed).
            ValueError: a shape mismatch, naming the key and both shapes.
        """
        targets = {}
        for mod_name, module in self.named_modules():
            for name in list(module._parameters) + list(module._buffers):
                targets[f"{mod_name}.{name}" if mod_name else name] = (module, name)
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        if strict and (missing or unexpected):
            raise KeyError(f"state_dict does not match the model: missing keys {missing}, "
                           f"unexpected keys {unexpected}")
        for key, value in state_dict.items():
            if key not in targets:
                continue
            module, name = targets[key]
            value = np.asarray(value)
            if name in module._parameters:
                p = module._parameters[name]
                if p.shape != value.shape:
                    raise ValueError(f"shape mismatch for {key}: model has {p.shape}, "
                                     f"state_dict has {value.shape}")
                p.data[...] = value
            else:
                current = module._buffers[name]
                if current is not None and np.shape(current) != value.shape:
                    raise ValueError(f"shape mismatch for {key}: model has {np.shape(current)}, "
                                     f"state_dict has {value.shape}")
                module.register_buffer(name, value.astype(np.asarray(current).dtype
                                                          if current is not None else value.dtype))

    # --- display --------------------------------------------------------------
    def extra_repr(self) -> str:
        """Layer arguments shown by ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        if self._modules:
            for name, child in self._modules.items():
                body = repr(child).replace("\n", "\n  ")
                lines.append(f"  ({name}): {body}")
            return "\n".join(lines) + "\n)"
        return lines[0] + ")"


class Sequential(Module):
    """Modules applied one after another; indexable, with children named ``0, 1, ...``.

    >>> from convzoo import nn
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
    >>> len(net)
    2
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (OrderedDict, dict)):
            for name, m in modules[0].items():
                self._add(str(name), m)
        else:
            for i, m in enumerate(modules):
                self._add(str(i), m)

    def _add(self, name: str, module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential takes Modules; got {name}={module!r}")
        setattr(self, name, module)

    def append(self, module: Module) -> Sequential:
        """Add a module at the end."""
        self._add(str(len(self._modules)), module)
        return self

    def forward(self, x):
        """Apply each module in order."""
        for m in self._modules.values():
            x = m(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[index][1]


class ModuleList(Module):
    """A list of modules registered as children ``0, 1, ...`` (no forward of its own)."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end."""
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList takes Modules; got {module!r}")
        setattr(self, str(len(self._modules)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]
