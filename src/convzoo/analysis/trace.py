"""Run a model on shapes alone and record every op and every module call.

``trace(model, input_shape)`` calls the model's ordinary ``forward`` on a placeholder
input (``autograd.meta_array``: the right shape and dtype, one stored element) with two
hooks installed for the duration of the call:

* ``autograd.apply_hook`` replaces every ``Function.apply`` by the Function's
  ``infer(*placeholders, **params)`` shape rule, so no kernel runs and no array of
  activation size is allocated; each call becomes an :class:`OpRecord` (Function class,
  input and output tensors, parameters). A Function without ``infer`` (user code) runs
  its forward on zero-filled inputs instead: correct, only slower, and listed as such.
* ``Module.__call__`` is wrapped so that each module call becomes a :class:`CallRecord`
  (dotted name as in ``named_modules``, class name, depth, input and output tensors,
  the ops executed directly inside it). A ``ValueError``/``TypeError`` raised inside a
  module is re-raised with the innermost module's name in front.

The model runs in eval mode (batch norm uses running statistics, dropout is off, an
auxiliary head that only runs in training is skipped) and its training flags are
restored afterwards; batch-norm running statistics are never touched because the
``BatchNorm`` Function's forward is not called.
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass, field

import numpy as np

from ..autograd import Context, Tensor, apply_hook, meta_array
from ..nn.module import Module

_local = threading.local()
_ORIGINAL_CALL = Module.__call__


@dataclass
class TensorRecord:
    """One tensor seen during the trace.

    Attributes:
        index: position in ``Trace.tensors``.
        shape, dtype: of the tensor (batch included).
        producer: index of the op that produced it, or -1 (model input, parameter or a
            constant the model's code created).
        kind: "input", "op", "param" or "constant".
    """

    index: int
    shape: tuple[int, ...]
    dtype: np.dtype
    producer: int = -1
    kind: str = "op"

    @property
    def nbytes(self) -> int:
        """``prod(shape) * itemsize``: what the tensor would occupy if it were real."""
        return math.prod(self.shape) * self.dtype.itemsize


@dataclass
class OpRecord:
    """One ``Function.apply`` call.

    Attributes:
        index: position in ``Trace.ops`` (execution order).
        fn: the Function class.
        inputs: tensor indices of the array inputs (None where the input was None).
        output: tensor index of the output.
        params: the keyword parameters given to ``apply``.
        call: index of the innermost module call running when the op ran (-1: none).
        inferred: False when the Function had no ``infer`` rule and its forward ran.
    """

    index: int
    fn: type
    inputs: tuple[int | None, ...]
    output: int
    params: dict
    call: int
    inferred: bool = True

    @property
    def name(self) -> str:
        """The Function class name (``ConvNd``, ``Add``, ...)."""
        return self.fn.__name__


@dataclass
class CallRecord:
    """One call of a module.

    Attributes:
        index: position in ``Trace.calls`` (order in which calls started).
        module: the module object.
        name: dotted name as in ``model.named_modules()`` ("" for the model itself).
        kind: the module's class name.
        depth: nesting depth (the model is 0).
        parent: index of the enclosing call, -1 for the model.
        first: True for the first call of this module object (its parameters count here).
        inputs, outputs: tensor indices of the Tensor arguments and results.
        ops: indices of the ops executed directly in this call (not in child modules).
    """

    index: int
    module: Module
    name: str
    kind: str
    depth: int
    parent: int
    first: bool
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    ops: list[int] = field(default_factory=list)


@dataclass
class Trace:
    """Everything recorded while the model ran on shapes: tensors, ops, module calls."""

    tensors: list[TensorRecord]
    ops: list[OpRecord]
    calls: list[CallRecord]
    input: int
    outputs: list[int]


class _Tracer:
    def __init__(self, model: Module):
        self.names: dict[int, str] = {}
        for name, module in model.named_modules():
            self.names.setdefault(id(module), name)
        self.params = {id(p) for p in model.parameters()}
        self.tensors: list[TensorRecord] = []
        self.ops: list[OpRecord] = []
        self.calls: list[CallRecord] = []
        self.stack: list[int] = []
        self.seen_modules: set[int] = set()
        self._ids: dict[int, int] = {}
        self._alive: list = []   # strong references: ids stay unique while tracing

    # --- tensors -----------------------------------------------------------------------
    def register(self, t: Tensor, kind: str, producer: int = -1) -> int:
        key = id(t)
        if key in self._ids:
            return self._ids[key]
        rec = TensorRecord(len(self.tensors), tuple(t.shape), t.dtype, producer, kind)
        self.tensors.append(rec)
        self._ids[key] = rec.index
        self._alive.append(t)
        return rec.index

    def lookup(self, t: Tensor) -> int:
        kind = "param" if id(t) in self.params else "constant"
        return self.register(t, kind)

    # --- ops ---------------------------------------------------------------------------
    def apply(self, cls, inputs, params):
        tensors = tuple(None if x is None else (x if isinstance(x, Tensor) else Tensor(x))
                        for x in inputs)
        ids = tuple(None if t is None else self.lookup(t) for t in tensors)
        arrays = tuple(None if t is None else t.data for t in tensors)
        infer = getattr(cls, "infer", None)
        if infer is not None:
            result = infer(*arrays, **params)
        else:
            result = _run_forward(cls, arrays, params)
        aux = None
        if cls.has_aux:
            result, aux = result
        out = Tensor(result)
        index = len(self.ops)
        out_id = self.register(out, "op", producer=index)
        call = self.stack[-1] if self.stack else -1
        self.ops.append(OpRecord(index, cls, ids, out_id, dict(params), call, infer is not None))
        if call >= 0:
            self.calls[call].ops.append(index)
        return (out, aux) if cls.has_aux else out

    # --- module calls ------------------------------------------------------------------
    def call(self, module: Module, args, kwargs):
        parent = self.stack[-1] if self.stack else -1
        name = self.names.get(id(module))
        kind = type(module).__name__
        if name is None:   # a module created inside forward, not registered as a child
            owner = self.calls[parent].name if parent >= 0 else ""
            name = f"{owner}.<{kind}>" if owner else f"<{kind}>"
        rec = CallRecord(len(self.calls), module, name, kind, len(self.stack), parent,
                         first=id(module) not in self.seen_modules)
        self.seen_modules.add(id(module))
        rec.inputs = [self.lookup(t) for t in _tensors_in((args, kwargs))]
        self.calls.append(rec)
        self.stack.append(rec.index)
        try:
            out = _ORIGINAL_CALL(module, *args, **kwargs)
        except (ValueError, TypeError) as err:
            if getattr(err, "_convzoo_layer", False):
                raise
            label = f"{name} ({kind})" if name else kind
            new = type(err)(f"{label}: {err}")
            new._convzoo_layer = True
            raise new from err
        finally:
            self.stack.pop()
        rec.outputs = [self.lookup(t) for t in _tensors_in(out)]
        return out


def _tensors_in(value) -> list[Tensor]:
    """Tensors inside nested tuples/lists/dicts, in order."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors_in(v)]
    return []


def _is_placeholder(a: np.ndarray) -> bool:
    return a.size > 1 and all(s == 0 for s in a.strides)


def _run_forward(cls, arrays, params):
    """Fallback for a Function without ``infer``: its forward on zero-filled inputs."""
    real = tuple(None if a is None else (np.zeros(a.shape, a.dtype) if _is_placeholder(a) else a)
                 for a in arrays)
    ctx = Context()
    ctx.needs_input_grad = (False,) * len(arrays)
    result = cls.forward(ctx, *real, **params)
    if cls.has_aux:
        out, aux = result
        return meta_array(np.shape(out), np.asarray(out).dtype), aux
    return meta_array(np.shape(result), np.asarray(result).dtype)


def _traced_call(module, *args, **kwargs):
    tracer = getattr(_local, "tracer", None)
    if tracer is None:
        return _ORIGINAL_CALL(module, *args, **kwargs)
    return tracer.call(module, args, kwargs)


@contextlib.contextmanager
def _module_calls_traced(tracer: _Tracer):
    if getattr(_local, "tracer", None) is not None:
        raise RuntimeError("convzoo.analysis.trace cannot run inside another trace")
    _local.tracer = tracer
    Module.__call__ = _traced_call
    try:
        yield
    finally:
        _local.tracer = None
        Module.__call__ = _ORIGINAL_CALL


def trace(model: Module, input_shape: tuple[int, ...], dtype=np.float32) -> Trace:
    """Run ``model`` on a batch-1 placeholder of ``(1, *input_shape)`` and record what happens.

    Args:
        model: a ``convzoo.nn.Module``.
        input_shape: per-sample shape, e.g. (C, H, W) (already checked by the caller).
        dtype: dtype of the placeholder input.

    Returns:
        Trace with every tensor, op and module call.

    Raises:
        ValueError, TypeError: the model rejects the input (the message starts with the
            innermost module's name).

    >>> from convzoo import nn
    >>> t = trace(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), (1, 5, 5))
    >>> [op.name for op in t.ops], t.tensors[t.outputs[0]].shape
    (['ConvNd', 'ReLU'], (1, 2, 3, 3))
    """
    tracer = _Tracer(model)
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    x = Tensor(meta_array((1, *input_shape), dtype))
    input_id = tracer.register(x, "input")
    try:
        with apply_hook(tracer.apply), _module_calls_traced(tracer):
            out = model(x)
    finally:
        for m, flag in flags:
            object.__setattr__(m, "training", flag)
    outputs = [tracer.lookup(t) for t in _tensors_in(out)]
    return Trace(tracer.tensors, tracer.ops, tracer.calls, input_id, outputs)


__all__ = ["CallRecord", "OpRecord", "TensorRecord", "Trace", "trace"]
