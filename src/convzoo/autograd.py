"""Reverse-mode automatic differentiation: ``Tensor``, ``Function`` and the backward pass.

A ``Function`` subclass pairs a NumPy ``forward(ctx, *arrays, **params)`` with its
vector-Jacobian product ``backward(ctx, grad)`` (one gradient per array input,
``None`` where there is none). ``Function.apply`` records the call on the output
tensor; ``Tensor.backward`` walks the recorded graph in reverse topological order.

Example:

>>> import numpy as np, convzoo as cz
>>> x = cz.tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
>>> y = cz.functional.conv2d(x, np.ones((1, 1, 2, 2))).sum()
>>> y.backward(); float(x.grad[0, 0, 1, 1])
4.0
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from ._graph import _edge, _Node, _private, _topological_order

_state = threading.local()


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for differentiation."""
    return getattr(_state, "enabled", True)


@contextlib.contextmanager
def no_grad():
    """Context manager in which no graph is recorded (evaluation, optimizer steps)."""
    previous = is_grad_enabled()
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = previous


@contextlib.contextmanager
def enable_grad():
    """Context manager that turns recording back on inside ``no_grad``."""
    previous = is_grad_enabled()
    _state.enabled = True
    try:
        yield
    finally:
        _state.enabled = previous


def _as_array(data, dtype=None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    array = np.asarray(data, dtype=dtype)
    if dtype is None and array.dtype.kind in "fiu" and not isinstance(data, np.generic):
        array = array.astype(np.float32)  # Python floats and ints become float32 (DESIGN §2)
    return array


class Tensor:
    """An n-dimensional array that records the operations producing it.

    Attributes:
        data: the values, an ``np.ndarray``.
        grad: accumulated gradient (``np.ndarray``) after ``backward``, or ``None``.
        requires_grad: whether gradients flow to this tensor.
    """

    __array_priority__ = 1000  # make ``ndarray (op) Tensor`` call Tensor's reflected operator

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _as_array(data, dtype)
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(f"requires_grad needs a floating-point tensor; "
                            f"got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._node: _Node | None = None  # the call that produced this tensor

    # --- array-like properties -------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of ``data``."""
        return self.data.shape

    @property
    def dtype(self):
        """NumPy dtype of ``data``."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than by an operation."""
        return self._node is None

    def numpy(self) -> np.ndarray:
        """The underlying array (no copy)."""
        return self.data

    def item(self):
        """The single value of a one-element tensor as a Python number."""
        return self.data.item()

    def detach(self) -> Tensor:
        """A tensor sharing ``data`` but cut from the graph."""
        return Tensor(self.data)

    def astype(self, dtype) -> Tensor:
        """A detached copy in another dtype."""
        return Tensor(self.data.astype(dtype), requires_grad=self.requires_grad)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        if flag and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(f"requires_grad needs a floating-point tensor; "
                            f"got dtype {self.data.dtype}")
        self.requires_grad = bool(flag)
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    def __len__(self) -> int:
        return len(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"tensor({np.array2string(self.data, precision=4, threshold=20)}{flag})"

    # --- backward ---------------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · grad into every leaf's ``.grad``.

        As in PyTorch, the arrays each operation saved for its gradient are released
        as the pass goes (so a training step's peak memory falls as backward proceeds);
        a second ``backward`` through the same graph needs ``retain_graph=True`` on
        the first.

        Args:
            grad: the gradient flowing into this tensor, same shape; may be omitted
                for a one-element tensor (taken as 1).
            retain_graph: keep the saved arrays for another backward pass.

        Raises:
            RuntimeError: the tensor does not require grad, or its graph was already
                released by an earlier backward.
            ValueError: ``grad`` omitted for a non-scalar, or of the wrong shape.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() called on a tensor that does not require grad")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"grad can be omitted only for one-element tensors; "
                                 f"got shape {self.shape}")
            grad = np.ones_like(self.data)
        grad = _as_array(grad, self.data.dtype)
        if grad.shape != self.data.shape:
            raise ValueError(f"grad must have shape {self.shape}; got grad with shape {grad.shape}")

        root = self if self._node is None else self._node
        order = _topological_order(root)
        grads: dict[int, np.ndarray] = {id(root): grad}
        for item in order:
            g = grads.pop(id(item), None)
            if g is None:
                continue
            if isinstance(item, Tensor):   # a leaf
                item.grad = _private(g) if item.grad is None else item.grad + g
                continue
            if item.ctx is None:
                raise RuntimeError(
                    f"backward through {item.fn.__name__} a second time: its saved arrays "
                    f"were released by the first backward; pass retain_graph=True to it")
            input_grads = item.fn.backward(item.ctx, g)
            if not retain_graph:
                item.ctx = None
            if not isinstance(input_grads, tuple):
                input_grads = (input_grads,)
            for edge, tg in zip(item.inputs, input_grads):
                if edge is None or tg is None:
                    continue
                assert tg.shape == edge.shape, (item.fn.__name__, tg.shape, edge.shape)
                key = id(edge)
                grads[key] = tg if key not in grads else grads[key] + tg
            input_grads = tg = g = None   # leave ``grads`` the only holder (see ``_private``)

    # Arithmetic operators live in functional.basic; bound here lazily to avoid import cycles.
    def __add__(self, other):
        return _basic().add(self, other)

    def __radd__(self, other):
        return _basic().add(other, self)

    def __sub__(self, other):
        return _basic().sub(self, other)

    def __rsub__(self, other):
        return _basic().sub(other, self)

    def __mul__(self, other):
        return _basic().mul(self, other)

    def __rmul__(self, other):
        return _basic().mul(other, self)

    def __truediv__(self, other):
        return _basic().div(self, other)

    def __rtruediv__(self, other):
        return _basic().div(other, self)

    def __neg__(self):
        return _basic().neg(self)

    def __pow__(self, exponent):
        return _basic().pow(self, exponent)

    def __matmul__(self, other):
        return _basic().matmul(self, other)

    def __getitem__(self, index):
        return _basic().getitem(self, index)

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (all by default)."""
        return _basic().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (all by default)."""
        return _basic().mean(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        """Differentiable reshape."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _basic().reshape(self, shape)

    def flatten(self, start_dim: int = 1):
        """Flatten dims from ``start_dim`` on (batch kept by default)."""
        return _basic().flatten(self, start_dim)


def _basic():
    from .functional import basic
    return basic


class Context:
    """Scratch space a ``Function`` uses to pass values from forward to backward."""

    needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *values) -> None:
        """Keep arrays for the backward pass."""
        self.saved = values


class Function:
    """Base class of differentiable operations.

    Subclasses define ``forward(ctx, *arrays, **params) -> ndarray`` and
    ``backward(ctx, grad) -> tuple`` of one gradient (or ``None``) per array input.
    A forward may return ``(output, aux)`` when the class sets ``has_aux = True``;
    ``apply`` then returns ``(Tensor, aux)`` with ``aux`` not differentiated.
    """

    has_aux = False

    @staticmethod
    def forward(ctx, *arrays, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **params):
        """Run forward on the inputs' arrays and record the call for backward."""
        hook = getattr(_state, "apply_hook", None)
        if hook is not None:   # shape-only tracing (convzoo.analysis): see ``apply_hook``
            return hook(cls, inputs, params)
        tensors = tuple(None if x is None else (x if isinstance(x, Tensor) else Tensor(x))
                        for x in inputs)
        ctx = Context()
        record = is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)
        ctx.needs_input_grad = tuple(bool(record and t is not None and t.requires_grad)
                                     for t in tensors)
        result = cls.forward(ctx, *(None if t is None else t.data for t in tensors), **params)
        aux = None
        if cls.has_aux:
            result, aux = result
        out = Tensor(result)
        if record:
            out.requires_grad = True
            out._node = _Node(cls, ctx, tuple(_edge(t) for t in tensors), out.data.shape)
        return (out, aux) if cls.has_aux else out


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Create a ``Tensor``. NumPy arrays keep their dtype; Python floats and ints become float32.

    >>> tensor([1.0, 2.0]).dtype
    dtype('float32')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(value) -> Tensor:
    """``value`` itself if it is a Tensor, else a new non-grad Tensor over it."""
    return value if isinstance(value, Tensor) else Tensor(value)


# --- shape-only execution (additive hook used by convzoo.analysis) --------------------------------

def meta_array(shape, dtype) -> np.ndarray:
    """A read-only placeholder array of ``shape`` and ``dtype`` that stores one element.

    All strides are zero (``np.broadcast_to`` of a 0-d zero), so a placeholder of any size
    is free to create; ``Function.infer`` rules take and return placeholders.

    >>> meta_array((2, 3), np.float32).shape, meta_array((2, 3), np.float32).strides
    ((2, 3), (0, 0))
    """
    return np.broadcast_to(np.zeros((), dtype=dtype), tuple(int(d) for d in shape))


@contextlib.contextmanager
def apply_hook(hook):
    """Context manager under which ``Function.apply`` calls ``hook(cls, inputs, params)`` instead.

    The hook receives the Function class, the raw inputs (Tensors, arrays or None) and the
    keyword parameters, and returns what ``apply`` would (a Tensor, or ``(Tensor, aux)``
    for ``has_aux`` classes). It is per thread. ``convzoo.analysis`` uses it to run a model
    on shapes alone: each Function's ``infer(*placeholders, **params)`` gives the output.

    >>> calls = []
    >>> with apply_hook(lambda cls, inputs, params: calls.append(cls.__name__)):
    ...     _ = _basic().add(np.ones(2), np.ones(2))
    >>> calls
    ['Add']
    """
    previous = getattr(_state, "apply_hook", None)
    _state.apply_hook = hook
    try:
        yield
    finally:
        _state.apply_hook = previous
