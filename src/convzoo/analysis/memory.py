"""Activation memory of a traced forward pass: the inference peak and what training keeps.

Model (an estimate from shapes, stated so it can be checked):

* every op output is a new buffer of ``prod(shape)·itemsize`` bytes, except views —
  reshape/flatten, transpose and basic slicing — which share their input's buffer and
  keep it alive; the model input and constants the model's code creates (zeros of an
  option-A shortcut) are buffers too; parameters are not activations;
* **inference peak**: walking the ops in execution order, an op's output is allocated
  while its inputs are still alive, and a buffer is freed right after the last op that
  reads it (or any view of it); model outputs stay alive to the end. The peak is the
  largest sum of live buffers — what a reference-counting runtime without in-place ops
  holds. Kernel workspaces (im2col/GEMM scratch) and max-pool indices are not counted.
* **training**: every activation is kept for the backward pass, so the saved bytes are
  the sum of all buffers; training memory = parameters + their gradients (one per
  trainable parameter) + saved activations. Optimizer state (momentum, Adam moments)
  is not included.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..functional import basic
from .trace import Trace

VIEW_OPS = (basic.Reshape, basic.Transpose)


def _is_view(op) -> bool:
    if op.fn in VIEW_OPS:
        return True
    if op.fn is basic.GetItem:
        index = op.params["index"]
        index = index if isinstance(index, tuple) else (index,)
        return all(i is None or i is Ellipsis or isinstance(i, (slice, int)) for i in index)
    return False


@dataclass(frozen=True)
class Memory:
    """Bytes of one batch-1 forward pass.

    Attributes:
        activation_bytes: all activation buffers together (what training saves).
        forward_peak_bytes: the most activation bytes alive at once in inference.
        params_bytes: parameter bytes. grads_bytes: one gradient per trainable parameter.
        training_bytes: params + grads + saved activations.
    """

    activation_bytes: int
    forward_peak_bytes: int
    params_bytes: int
    grads_bytes: int

    @property
    def training_bytes(self) -> int:
        """Parameters + gradients + every saved activation."""
        return self.params_bytes + self.grads_bytes + self.activation_bytes


def estimate(trace: Trace, params_bytes: int, grads_bytes: int) -> Memory:
    """The :class:`Memory` of ``trace`` (see the module docstring for the model).

    Args:
        trace: a shape-only trace.
        params_bytes, grads_bytes: of the model's parameters (given by the caller).

    Returns:
        Memory.
    """
    buffer = list(range(len(trace.tensors)))      # tensor -> the buffer it lives in
    size = [0] * len(trace.tensors)               # buffer -> bytes
    born = [None] * len(trace.tensors)            # buffer -> op index at which it appears
    last = [-1] * len(trace.tensors)              # buffer -> op index of its last reader
    end = len(trace.ops)

    def own(t: int, when: int) -> None:
        rec = trace.tensors[t]
        if buffer[t] == t and rec.kind != "param" and born[t] is None:
            born[t], size[t] = when, rec.nbytes

    own(trace.input, -1)
    for op in trace.ops:
        for i in op.inputs:
            if i is not None:
                own(i, op.index)          # a constant appears when first read
                last[buffer[i]] = max(last[buffer[i]], op.index)
        source = op.inputs[0] if op.inputs else None
        if _is_view(op) and source is not None and trace.tensors[source].kind != "param":
            buffer[op.output] = buffer[source]
        else:
            own(op.output, op.index)
    for t in trace.outputs:
        last[buffer[t]] = end

    starts: dict[int, list[int]] = {}
    stops: dict[int, list[int]] = {}
    for b in range(len(size)):
        if born[b] is None or size[b] == 0:
            continue
        starts.setdefault(born[b], []).append(b)
        stops.setdefault(max(last[b], born[b]), []).append(b)
    live = sum(size[b] for b in starts.get(-1, []))
    peak = live
    for step in range(end):
        live += sum(size[b] for b in starts.get(step, []))
        peak = max(peak, live)
        live -= sum(size[b] for b in stops.get(step, []))
    total = sum(size[b] for b in range(len(size)) if born[b] is not None)
    return Memory(total, peak, params_bytes, grads_bytes)


__all__ = ["Memory", "VIEW_OPS", "estimate"]
