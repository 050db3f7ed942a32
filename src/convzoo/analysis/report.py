"""``summary(model, input_shape)``: a model explained layer by layer, from shapes alone.

The model runs once on a batch-1 placeholder (:mod:`.trace`); every module call becomes
a row with its output shape, own parameters, the MACs and FLOPs of the ops it runs
directly (:mod:`.cost`), its output's bytes and receptive field (:mod:`.rf`); the totals
add the activation memory (:mod:`.memory`). No kernel runs, so a ResNet-152 at 224×224
is summarised in a fraction of a second.

Rows follow the order in which module calls start (a parent before its children), with
their nesting ``depth``; a container's row carries only the ops its own ``forward`` runs
(the residual add and ReLU of a block), so summing any column over all rows never
counts anything twice. A module called twice has two rows; its parameters count in the
first. ``total_params`` is every parameter of the model (``num_parameters()``), including
parts the traced forward does not run (auxiliary heads that only run in training).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _args
from ..nn.module import Module
from . import memory, rf
from .cost import Conventions, op_cost
from .trace import trace


@dataclass(frozen=True)
class LayerRow:
    """One module call of the summary.

    Attributes:
        name: dotted name as in ``named_modules`` ("" for the model itself).
        kind: class name (``Conv2d``, ``Bottleneck``, ...).
        depth: nesting depth (the model is 0).
        leaf: True for modules without children.
        input_shape, output_shape: of the first Tensor argument and result (batch 1).
        params: the module's own parameters (0 on a repeated call).
        macs, flops: of the ops this call runs directly.
        activation_bytes: bytes of the output tensor.
        receptive_field: ``{"size", "jump", "start"}`` per spatial dim, or None.
        ops: names of the Functions run directly (``ConvNd``, ``Add``, ...).
    """

    name: str
    kind: str
    depth: int
    leaf: bool
    input_shape: tuple[int, ...] | None
    output_shape: tuple[int, ...] | None
    params: int
    macs: int
    flops: int
    activation_bytes: int
    receptive_field: dict | None
    ops: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready dict of every field."""
        return {
            "name": self.name, "kind": self.kind, "depth": self.depth, "leaf": self.leaf,
            "input_shape": None if self.input_shape is None else list(self.input_shape),
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "params": self.params, "macs": self.macs, "flops": self.flops,
            "activation_bytes": self.activation_bytes,
            "receptive_field": self.receptive_field, "ops": list(self.ops),
        }


@dataclass(frozen=True)
class Summary:
    """A model's layers and totals; ``print(s)`` gives the table, ``s.to_dict()`` the JSON.

    Attributes:
        model: the model's name. input_shape: (C, H, W) per sample (batch 1).
        rows: one :class:`LayerRow` per module call.
        total_params, trainable_params: parameter counts of the whole model.
        total_macs, total_flops: over every op of the forward pass.
        receptive_field: the model's (``{"size", "jump", "start"}`` per spatial dim) or None.
        memory: :class:`convzoo.analysis.memory.Memory` estimates.
        conventions: what FLOPs include.
        uncounted_ops: Functions convzoo has no counting rule for (their MACs are 0).
    """

    model: str
    input_shape: tuple[int, ...]
    rows: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    total_macs: int
    total_flops: int
    receptive_field: dict | None
    memory: memory.Memory
    conventions: Conventions
    uncounted_ops: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """The JSON of ``convzoo summary MODEL --input CxHxW --json`` (DESIGN.md §2)."""
        m = self.memory
        return {
            "model": self.model,
            "input": list(self.input_shape),
            "batch": 1,
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "total_flops": self.total_flops,
            "receptive_field": self.receptive_field,
            "params_bytes": m.params_bytes,
            "activation_bytes": m.activation_bytes,
            "forward_peak_bytes": m.forward_peak_bytes,
            "training_bytes": m.training_bytes,
            "conventions": self.conventions.to_dict(),
            "uncounted_ops": list(self.uncounted_ops),
            "layers": [r.to_dict() for r in self.rows],
        }

    def table(self, max_depth: int | None = None) -> str:
        """The aligned text table (rows deeper than ``max_depth`` hidden), then the totals."""
        head = ["layer", "kind", "output shape", "params", "MACs", "FLOPs", "act. bytes", "RF"]
        cells = [head]
        for r in self.rows:
            if max_depth is not None and r.depth > max_depth:
                continue
            label = "  " * r.depth + (r.name.rsplit(".", 1)[-1] if r.name else self.model)
            quiet = not r.leaf and r.params == 0 and r.flops == 0
            cells.append([
                label, r.kind,
                "" if r.output_shape is None else "x".join(map(str, r.output_shape)),
                "--" if quiet else f"{r.params:,}",
                "--" if quiet else f"{r.macs:,}",
                "--" if quiet else f"{r.flops:,}",
                f"{r.activation_bytes:,}",
                _rf_text(r.receptive_field),
            ])
        widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
        right = {3, 4, 5, 6}
        lines = ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                           for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
                 for row in cells]
        rule = "-" * max(len(line) for line in lines)
        lines.insert(1, rule)
        lines.append(rule)
        lines.extend(self._totals())
        return "\n".join(lines)

    def _totals(self) -> list[str]:
        m, c = self.memory, self.conventions
        extras = [name for name, on in (("pooling", c.count_pool), ("normalisation", c.count_norm),
                                        ("bias adds", c.count_bias),
                                        ("elementwise ops", c.count_elementwise)) if on]
        rf_line = "none (no spatial output)" if self.receptive_field is None else (
            f"{_rf_text(self.receptive_field)} pixels, jump "
            f"{'x'.join(f'{v:.4g}' for v in self.receptive_field['jump'])}, start "
            f"{'x'.join(f'{v:.4g}' for v in self.receptive_field['start'])}")
        lines = [
            f"input: {'x'.join(map(str, self.input_shape))} (batch 1)",
            f"total params: {self.total_params:,} ({_mb(m.params_bytes)})"
            + ("" if self.trainable_params == self.total_params
               else f", trainable {self.trainable_params:,}"),
            f"total MACs: {self.total_macs:,} ({_si(self.total_macs)}; conv, linear, matmul; "
            f"transposed convs on the input grid)",
            f"total FLOPs: {self.total_flops:,} ({_si(self.total_flops)}; 2*MACs"
            + "".join(f" + {e}" for e in extras) + ")",
            f"receptive field: {rf_line}",
            f"activations: {_mb(m.activation_bytes)} in all; forward peak "
            f"{_mb(m.forward_peak_bytes)}; training {_mb(m.training_bytes)} (params + grads + "
            f"saved activations)",
        ]
        if self.uncounted_ops:
            lines.append(f"not counted (no rule): {', '.join(self.uncounted_ops)}")
        return lines

    def __str__(self) -> str:
        return self.table()


def _rf_text(field_dict: dict | None) -> str:
    if field_dict is None:
        return ""
    sizes = field_dict["size"]
    return str(sizes[0]) if len(set(sizes)) == 1 else "x".join(map(str, sizes))


def _si(value: int) -> str:
    for scale, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return str(value)


def _mb(nbytes: int) -> str:
    return f"{nbytes / 2**20:.2f} MiB"


def _check_input_shape(input_shape) -> tuple[int, ...]:
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__len__"):
        raise TypeError("input_shape must be a sequence (C, H, W) of ints; "
                        f"got input_shape={input_shape!r}")
    if len(input_shape) < 2:
        raise ValueError("input_shape must be (C, *spatial) with at least one spatial dim, "
                         f"e.g. (3, 224, 224); got input_shape={tuple(input_shape)!r}")
    return _args.positive_tuple(tuple(input_shape), len(input_shape), "input_shape")


def summary(model, input_shape, *, name: str | None = None, dtype=None,
            count_bias: bool = False, count_norm: bool = True, count_pool: bool = True,
            count_elementwise: bool = False) -> Summary:
    """Per-layer shapes, parameters, MACs/FLOPs, activation memory and receptive fields.

    Computed from shapes alone: the model's forward runs on a placeholder input whose
    ops only infer their output shapes (see :mod:`convzoo.analysis.trace`).

    Args:
        model: a ``convzoo.nn.Module``.
        input_shape: per-sample input (C, H, W) (or (C, L), (C, D, H, W)); batch is 1.
        name: the model's name in the output (default: its class name).
        dtype: input dtype (default: the dtype of the model's first parameter, else float32);
            sets the bytes per element of the memory figures.
        count_bias, count_norm, count_pool, count_elementwise: what FLOPs include beyond
            2·MACs (see :mod:`convzoo.analysis.cost`; defaults: pooling and batch norm
            yes, bias adds and elementwise ops no).

    Returns:
        Summary (printable table; ``to_dict()`` for JSON).

    Raises:
        TypeError: model is not a Module, input_shape not a sequence of ints, a switch
            not a bool.
        ValueError: a non-positive size, or an input the model rejects (the message
            names the layer).

    >>> from convzoo import nn
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    >>> s = summary(net, (3, 8, 8))
    >>> s.total_params, s.total_macs, s.rows[-1].output_shape, s.receptive_field["size"]
    (224, 13824, (1, 8, 4, 4), [4, 4])
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a convzoo.nn.Module; got model of type "
                        f"{type(model).__name__}")
    shape = _check_input_shape(input_shape)
    switches = {"count_bias": count_bias, "count_norm": count_norm, "count_pool": count_pool,
                "count_elementwise": count_elementwise}
    for key, value in switches.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{key} must be True or False; got {key}={value!r}")
    conventions = Conventions(**{k: bool(v) for k, v in switches.items()})
    params = list(model.parameters())
    if dtype is None:
        dtype = params[0].dtype if params else np.float32
    dtype = np.dtype(dtype)

    t = trace(model, shape, dtype)
    fields, model_field = rf.propagate(t, (rf.IDENTITY,) * (len(shape) - 1))
    op_costs, uncounted = [], []
    for op in t.ops:
        c = op_cost(op, t, conventions)
        if c is None:
            uncounted.append(op.name)
            c = (0, 0)
        op_costs.append(c)

    rows = []
    for call in t.calls:
        out = call.outputs[0] if call.outputs else None
        inp = call.inputs[0] if call.inputs else None
        own = 0
        if call.first:
            own = sum(p.size for pname, p in call.module.named_parameters() if "." not in pname)
        rows.append(LayerRow(
            name=call.name, kind=call.kind, depth=call.depth,
            leaf=next(call.module.children(), None) is None,
            input_shape=None if inp is None else t.tensors[inp].shape,
            output_shape=None if out is None else t.tensors[out].shape,
            params=own,
            macs=sum(op_costs[i][0] for i in call.ops),
            flops=sum(op_costs[i][1] for i in call.ops),
            activation_bytes=0 if out is None else t.tensors[out].nbytes,
            receptive_field=None if out is None else rf.as_dict(fields[out]),
            ops=tuple(t.ops[i].name for i in call.ops),
        ))
    params_bytes = sum(p.data.nbytes for p in params)
    grads_bytes = sum(p.data.nbytes for p in params if p.requires_grad)
    return Summary(
        model=name if name is not None else type(model).__name__,
        input_shape=shape,
        rows=tuple(rows),
        total_params=sum(p.size for p in params),
        trainable_params=sum(p.size for p in params if p.requires_grad),
        total_macs=sum(c[0] for c in op_costs),
        total_flops=sum(c[1] for c in op_costs),
        receptive_field=rf.as_dict(model_field),
        memory=memory.estimate(t, params_bytes, grads_bytes),
        conventions=conventions,
        uncounted_ops=tuple(dict.fromkeys(uncounted)),
    )


__all__ = ["LayerRow", "Summary", "summary"]
