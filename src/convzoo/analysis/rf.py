"""Receptive fields propagated through a traced graph, op by op.

A tensor's field is a tuple with one :class:`convzoo.shapes.ReceptiveField` per spatial
dimension — ``size`` (input pixels one unit spans, holes of dilated kernels included),
``jump`` (input pixels between neighbouring units) and ``start`` (input coordinate of the
centre of unit 0's field; pixel centres at 0, 1, 2, ...; negative means it reaches into
padding) — or ``None`` when the tensor has no spatial extent left. Values are exact
``Fraction``s. The spatial dimensions are the trailing ones: the model input (N, C, *S)
starts with ``size 1, jump 1, start 0`` in each of them.

Rules, one per op:

* conv, pooling, deformable conv (its nominal kernel grid; learned offsets can reach
  further): :func:`convzoo.shapes.receptive_field_step` with the resolved padding before
  each dim and the dilation (dilated layers grow the field by ``d·(k−1)·jump``).
  Adaptive average pooling from S to s cells: its largest window, jump ``·S/s`` (when s
  does not divide S the windows are unevenly spaced; the jump is their mean spacing and
  the start is unit 0's centre).
* transposed conv: :func:`convzoo.shapes.receptive_field_transpose_step` — the jump is
  divided by the stride (outputs are ``1/s`` input cells apart), the size grows by
  ``d·(k−1)/s·jump``; fractional sizes are reported rounded down (the whole number of
  input pixels one output can read; ``ceil(k/s)`` for one layer with d = 1).
* elementwise ops, residual add, batch norm, channel shuffle, concatenation along a
  non-spatial axis (Inception, DenseNet): the LARGEST field over the inputs, per
  dimension. Operands without spatial extent (per-channel weights such as an SE gate,
  biases, constants) do not enlarge it — strictly an SE-gated unit sees the whole image
  through the global pooling of its gate; reported here is the local field, as the
  receptive-field tools report it.
* slicing a spatial axis with step ``t`` from index ``a`` (ResNet option-A shortcut
  ``x[:, :, ::2, ::2]``): ``jump·t``, start moved by ``a·jump``.
* reshape/transpose/reductions/softmax keep the field when the spatial axes are left
  alone and end it otherwise; global pooling, flatten, linear and losses end it.

The model's field is the largest of the fields that were ended (the input of the global
pooling or flatten) or that reach a model output.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .. import shapes
from ..functional import activation, basic, conv, deform, extra, loss, norm, pool
from .trace import OpRecord, Trace

Field = tuple[shapes.ReceptiveField, ...]

IDENTITY = shapes.ReceptiveField(Fraction(1), Fraction(1), Fraction(0))


def _exact(rf: shapes.ReceptiveField) -> shapes.ReceptiveField:
    """The same field with every value a Fraction (``receptive_field_step`` gives a float
    start, exact for the halves it produces)."""
    return shapes.ReceptiveField(Fraction(rf.size), Fraction(rf.jump),
                                 Fraction(rf.start).limit_denominator(1 << 30))


def largest(fields: list[Field | None], out_ndim: int) -> Field | None:
    """Per dimension, the field of largest size among the inputs that have one."""
    present = [f for f in fields if f is not None and len(f) <= out_ndim - 2]
    if not present:
        return None
    n = max(len(f) for f in present)
    present = [f for f in present if len(f) == n]
    return tuple(max((f[d] for f in present), key=lambda r: r.size) for d in range(n))


# --- rules: op -> output field ------------------------------------------------------------------

def _window(op: OpRecord, fields, trace: Trace, kernel, stride, padding, dilation):
    field = fields[0]
    n = len(kernel)
    if field is None or len(field) != n:
        return None
    return tuple(_exact(shapes.receptive_field_step(field[d], kernel[d], stride[d],
                                                     padding[d][0], dilation[d]))
                 for d in range(n))


def _conv(op, fields, trace):
    p = op.params
    w = trace.tensors[op.inputs[1]]
    return _window(op, fields, trace, w.shape[2:], p["stride"], p["padding"], p["dilation"])


def _deform(op, fields, trace):
    p = op.params
    w = trace.tensors[op.inputs[2]]
    return _window(op, fields, trace, w.shape[2:], p["stride"],
                   tuple((q, q) for q in p["padding"]), p["dilation"])


def _pool(op, fields, trace):
    p = op.params
    return _window(op, fields, trace, p["kernel"], p["stride"], p["padding"], p["dilation"])


def _conv_transpose(op, fields, trace):
    p = op.params
    field = fields[0]
    kernel = trace.tensors[op.inputs[1]].shape[2:]
    if field is None or len(field) != len(kernel):
        return None
    return tuple(shapes.receptive_field_transpose_step(field[d], kernel[d], p["stride"][d],
                                                       p["padding"][d][0], p["dilation"][d])
                 for d in range(len(kernel)))


def _elementwise(op, fields, trace):
    return largest(list(fields), len(trace.tensors[op.output].shape))


def _end(op, fields, trace):
    return None


def _first_axis_spatial(ndim: int, field: Field | None) -> int:
    """Index of the first spatial axis of a tensor with ``ndim`` dims and this field."""
    return ndim - (0 if field is None else len(field))


def _along_axis(op, fields, trace, axes):
    """Keep the field if no axis in ``axes`` is spatial (concat/softmax/reductions)."""
    field = largest(list(fields), len(trace.tensors[op.inputs[0]].shape))
    if field is None:
        return None
    ndim = len(trace.tensors[op.inputs[0]].shape)
    first = _first_axis_spatial(ndim, field)
    if any(a % ndim >= first for a in axes):
        return None
    return field


def _concat(op, fields, trace):
    return _along_axis(op, fields, trace, (op.params["axis"],))


def _stack(op, fields, trace):
    field = largest(list(fields), len(trace.tensors[op.output].shape))
    ndim = len(trace.tensors[op.inputs[0]].shape)
    if field is None or op.params["axis"] > _first_axis_spatial(ndim, field):
        return None
    return field


def _reduce(op, fields, trace):
    axes = op.params["axes"]
    ndim = len(trace.tensors[op.inputs[0]].shape)
    axes = range(ndim) if axes is None else ((axes,) if isinstance(axes, int) else axes)
    if fields[0] is None:
        return None
    first = _first_axis_spatial(ndim, fields[0])
    if any(a % ndim >= first for a in axes):
        return None
    return fields[0]


def _softmax(op, fields, trace):
    axis = op.params.get("axis")
    ndim = len(trace.tensors[op.inputs[0]].shape)
    return _along_axis(op, fields, trace, range(ndim) if axis is None else (axis,))


def _reshape(op, fields, trace):
    field = fields[0]
    if field is None:
        return None
    n = len(field)
    before = trace.tensors[op.inputs[0]].shape
    after = trace.tensors[op.output].shape
    if len(after) >= n + 2 and after[len(after) - n:] == before[len(before) - n:]:
        return field
    return None


def _transpose(op, fields, trace):
    field = fields[0]
    if field is None:
        return None
    axes = tuple(op.params["axes"])
    n, ndim = len(field), len(axes)
    return field if axes[ndim - n:] == tuple(range(ndim - n, ndim)) else None


def _getitem(op, fields, trace):
    field = fields[0]
    if field is None:
        return None
    shape = trace.tensors[op.inputs[0]].shape
    index = op.params["index"]
    index = index if isinstance(index, tuple) else (index,)
    if sum(i is Ellipsis for i in index) > 1:
        return None
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (len(shape) - len(index) + 1) + index[at + 1:]
    index = index + (slice(None),) * (len(shape) - len(index))
    if len(index) != len(shape) or not all(isinstance(i, slice) for i in index):
        return None   # integers drop axes, arrays and newaxis reorder them: no spatial meaning
    n = len(field)
    out = []
    for d in range(n):
        start, _, step = index[len(shape) - n + d].indices(shape[len(shape) - n + d])
        if step < 1:
            return None
        rf = field[d]
        out.append(shapes.ReceptiveField(rf.size, rf.jump * step, rf.start + start * rf.jump))
    return tuple(out)


def adaptive_windows(size: int, out: int) -> list[int]:
    """Window lengths of adaptive pooling from ``size`` to ``out`` cells (PyTorch's rule:
    cell i averages ``floor(i·size/out) .. ceil((i+1)·size/out) − 1``)."""
    return [-(-(i + 1) * size // out) - (i * size) // out for i in range(out)]


def _adaptive_pool(op, fields, trace):
    field = fields[0]
    if field is None or len(field) != 2:
        return None
    in_size = trace.tensors[op.inputs[0]].shape[2:]
    out = []
    for d, rf_in in enumerate(field):
        lengths = adaptive_windows(in_size[d], op.params["output_size"][d])
        out.append(shapes.ReceptiveField(
            rf_in.size + (max(lengths) - 1) * rf_in.jump,
            rf_in.jump * Fraction(in_size[d], len(lengths)),
            rf_in.start + Fraction(lengths[0] - 1, 2) * rf_in.jump))
    return tuple(out)


RULES = {
    conv.ConvNd: _conv,
    extra.AdaptiveAvgPool2d: _adaptive_pool,
    conv.ConvTransposeNd: _conv_transpose,
    deform.DeformConv2dFn: _deform,
    pool.MaxPoolNd: _pool,
    pool.AvgPoolNd: _pool,
    pool.LpPoolNd: _pool,
    pool.GlobalAvgPool: _end,
    pool.GlobalMaxPool: _end,
    basic.Linear: _end,
    basic.MatMul: _end,
    loss.CrossEntropy: _end,
    loss.NLLLoss: _end,
    basic.Concat: _concat,
    basic.Stack: _stack,
    basic.Sum: _reduce,
    basic.Mean: _reduce,
    basic.Reshape: _reshape,
    basic.Transpose: _transpose,
    basic.GetItem: _getitem,
    activation.Softmax: _softmax,
    activation.LogSoftmax: _softmax,
}
for _cls in (basic.Add, basic.Sub, basic.Mul, basic.Div, basic.Pow, basic.Exp, basic.Log,
             basic.Sqrt, basic.ChannelShuffle, norm.BatchNorm, norm.Dropout, activation.PReLU,
             extra.LocalResponseNorm,
             activation.ReLU, activation.LeakyReLU, activation.ReLU6, activation.Hardsigmoid,
             activation.Hardswish, activation.Sigmoid, activation.Tanh):
    RULES[_cls] = _elementwise


def _unknown(op, fields, trace):
    """An op without a rule: elementwise if it keeps the trailing (spatial) sizes."""
    out = trace.tensors[op.output].shape
    field = largest(list(fields), len(out))
    if field is None:
        return None
    n = len(field)
    ins = [trace.tensors[i].shape for i, f in zip(op.inputs, fields, strict=True)
           if i is not None and f is not None]
    return field if all(s[len(s) - n:] == out[len(out) - n:] for s in ins) else None


def propagate(trace: Trace, input_field: Field) -> tuple[list[Field | None], Field | None]:
    """Fields of every tensor of ``trace`` and the model's receptive field.

    Args:
        trace: from :func:`convzoo.analysis.trace.trace`.
        input_field: the model input's field (identity per spatial dim).

    Returns:
        ``(fields, model_field)``: one entry per tensor (None: no spatial extent) and the
        largest field that was ended (by global pooling, flatten, ...) or reaches an output.
    """
    fields: list[Field | None] = [None] * len(trace.tensors)
    fields[trace.input] = input_field
    ended: list[Field] = []
    for op in trace.ops:
        ins = [None if i is None else fields[i] for i in op.inputs]
        rule = RULES.get(op.fn, _unknown)
        out = rule(op, ins, trace)
        fields[op.output] = out
        if out is None:
            ended.extend(f for f in ins if f is not None)
    ended.extend(fields[i] for i in trace.outputs if fields[i] is not None)
    if not ended:
        return fields, None
    best = max(range(len(ended)), key=lambda i: (math.prod(r.size for r in ended[i]), i))
    return fields, ended[best]


def as_dict(field: Field | None) -> dict | None:
    """``{"size": [...], "jump": [...], "start": [...]}`` per spatial dim (JSON-ready).

    Sizes are whole pixels (rounded down after transposed convs); jump and start are ints
    when whole, floats otherwise.
    """
    if field is None:
        return None
    return {"size": [math.floor(r.size) for r in field],
            "jump": [_number(r.jump) for r in field],
            "start": [_number(r.start) for r in field]}


def _number(value: Fraction):
    value = Fraction(value)
    return int(value) if value.denominator == 1 else float(value)


__all__ = ["IDENTITY", "RULES", "adaptive_windows", "as_dict", "largest", "propagate"]
