"""Integer shape arithmetic for every convolution and pooling op (no arrays).

Every other module asks this one for output sizes and resolved paddings, so the
formulas exist exactly once:

* effective kernel ``d·(k−1)+1``;
* conv output ``⌊(i + p_lo + p_hi − k_eff) / s⌋ + 1``;
* pooling output, the same with ``⌈·⌉`` under ``ceil_mode`` — minus the last
  window when it would start inside the right padding (PyTorch's rule);
* transposed conv output ``(i − 1)·s − p_lo − p_hi + k_eff + output_padding``;
* ``'same'`` = TensorFlow/ONNX SAME_UPPER: output ``⌈i/s⌉``, the odd pad cell at
  the end; ``'same_lower'`` puts it at the start; ``'full'`` pads ``k_eff − 1``
  on both sides; ``'valid'`` pads nothing;
* receptive fields composed layer by layer (size, jump, start).

Sizes are per spatial dimension; functions taking tuples accept an int for all
dimensions, and return an int when ``input_size`` is an int and there is one
dimension, a tuple otherwise. Example:

>>> conv_output_size((5, 5), 3, stride=2)
(2, 2)
>>> resolve_padding("same", (6,), (3,), stride=(2,))
((0, 1),)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from . import _args


def _plain(value) -> bool:
    """An int, str or None, a tuple of such or of int tuples (padding pairs): hashable,
    and equal only to itself. Written flat: it runs on every layer call."""
    kind = type(value)
    if kind is int or kind is str or value is None:
        return True
    if kind is not tuple:
        return False
    for item in value:
        kind = type(item)
        if kind is int or kind is str or item is None:
            continue
        if kind is not tuple:
            return False
        for inner in item:
            if type(inner) is not int:
                return False
    return True


def _memo(fn):
    """Cache ``fn`` for plain arguments (a layer asks the same question every step).

    Anything else (floats, bools, lists, arrays, where ``1.0 == 1`` would hit a cached
    int and skip a check) takes the uncached call, so every argument error still rises.
    """
    # typed: a top-level bool (ceil_mode) is cached apart from the int of the same value
    cached = functools.lru_cache(maxsize=4096, typed=True)(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for value in args:
            if type(value) is not bool and not _plain(value):
                return fn(*args, **kwargs)
        for value in kwargs.values():
            if type(value) is not bool and not _plain(value):
                return fn(*args, **kwargs)
        return cached(*args, **kwargs)

    return wrapper


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Extent of a dilated kernel: ``dilation * (kernel_size - 1) + 1``."""
    return dilation * (kernel_size - 1) + 1


def _ndim_of(*values) -> int:
    for v in values:
        if isinstance(v, Sequence) and not isinstance(v, str):
            return len(v)
    return 1


def _normalise(input_size, kernel_size, stride, dilation):
    n = _ndim_of(input_size, kernel_size, stride, dilation)
    sizes = _args.positive_tuple(input_size, n, "input_size")
    kernel = _args.positive_tuple(kernel_size, n, "kernel_size")
    stride = _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    return n, sizes, kernel, stride, dilation


def same_padding(input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1,
                 lower: bool = False) -> tuple[int, int]:
    """(before, after) padding giving output ``ceil(input_size / stride)`` in one dim."""
    out = -(-input_size // stride)
    total = max((out - 1) * stride + effective_kernel_size(kernel_size, dilation) - input_size, 0)
    small, big = total // 2, total - total // 2
    return (big, small) if lower else (small, big)


@_memo
def resolve_padding(padding, input_size, kernel_size, stride=1, dilation=1,
                    modes: Sequence[str] = _args.PADDING_MODES) -> tuple[tuple[int, int], ...]:
    """The explicit ``((before, after), ...)`` pairs that a padding argument means.

    Args:
        padding: int, per-dim ints, per-side pairs, or a mode in ``modes``.
        input_size, kernel_size, stride, dilation: per-dim ints (or one int).

    Raises:
        ValueError: unknown mode, negative padding, wrong length.
    """
    n, sizes, kernel, stride, dilation = _normalise(input_size, kernel_size, stride, dilation)
    spec = _args.padding_spec(padding, n, "padding", modes)
    if not isinstance(spec, str):
        return spec
    if spec == "valid":
        return ((0, 0),) * n
    if spec == "full":
        return tuple((effective_kernel_size(k, d) - 1,) * 2
                     for k, d in zip(kernel, dilation, strict=True))
    lower = spec == "same_lower"
    return tuple(same_padding(i, k, s, d, lower)
                 for i, k, s, d in zip(sizes, kernel, stride, dilation, strict=True))


def _too_small(dim, i, k_eff, pad, kind):
    return ValueError(
        f"{kind} window (effective kernel size {k_eff}) is larger than the padded input "
        f"in spatial dim {dim}: input size {i} + padding {pad[0]}+{pad[1]} = {i + sum(pad)}")


def _unwrap(values: tuple[int, ...], like) -> int | tuple[int, ...]:
    scalar = not (isinstance(like, Sequence) and not isinstance(like, str))
    return values[0] if scalar and len(values) == 1 else values


@_memo
def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Output spatial size of a convolution for any padding form.

    >>> conv_output_size(7, 3, padding="same", stride=2)
    4
    """
    n, sizes, kernel, strides, dils = _normalise(input_size, kernel_size, stride, dilation)
    pads = resolve_padding(padding, sizes, kernel, strides, dils)
    out = []
    for dim, (i, k, s, d, p) in enumerate(zip(sizes, kernel, strides, dils, pads, strict=True)):
        k_eff = effective_kernel_size(k, d)
        if i + p[0] + p[1] < k_eff:
            raise _too_small(dim, i, k_eff, p, "convolution")
        out.append((i + p[0] + p[1] - k_eff) // s + 1)
    return _unwrap(tuple(out), input_size)


@_memo
def pool_output_size(input_size, kernel_size, stride=None, padding=0, dilation=1,
                     ceil_mode=False):
    """Output spatial size of a pooling window, PyTorch's ceil_mode rule included.

    Under ``ceil_mode`` a last, partial window is kept only if it starts inside the
    input or the left padding, never wholly in the right padding.

    >>> pool_output_size(5, 2, stride=2, ceil_mode=True)
    3
    """
    stride = kernel_size if stride is None else stride
    n, sizes, kernel, strides, dils = _normalise(input_size, kernel_size, stride, dilation)
    pads = resolve_padding(padding, sizes, kernel, strides, dils)
    out = []
    for dim, (i, k, s, d, p) in enumerate(zip(sizes, kernel, strides, dils, pads, strict=True)):
        k_eff = effective_kernel_size(k, d)
        span = i + p[0] + p[1] - k_eff
        if span < 0:
            raise _too_small(dim, i, k_eff, p, "pooling")
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= i + p[0]:
            o -= 1
        out.append(o)
    return _unwrap(tuple(out), input_size)


@_memo
def conv_transpose_output_size(input_size, kernel_size, stride=1, padding=0, output_padding=0,
                               dilation=1):
    """Output spatial size of a transposed convolution.

    ``(i - 1)*s - p_before - p_after + d*(k - 1) + 1 + output_padding``; output_padding
    must be smaller than stride or dilation (as PyTorch).

    >>> conv_transpose_output_size(2, 3, stride=2)
    5
    """
    n, sizes, kernel, strides, dils = _normalise(input_size, kernel_size, stride, dilation)
    pads = resolve_padding(padding, sizes, kernel, strides, dils, modes=())
    extra = _args.int_tuple(output_padding, n, "output_padding", minimum=0)
    out = []
    dims = zip(sizes, kernel, strides, dils, pads, extra, strict=True)
    for dim, (i, k, s, d, p, op) in enumerate(dims):
        if op >= max(s, d):
            raise ValueError(
                f"output_padding must be smaller than stride or dilation; got output_padding={op} "
                f"with stride={s}, dilation={d} in spatial dim {dim}")
        o = (i - 1) * s - p[0] - p[1] + effective_kernel_size(k, d) + op
        if o < 1:
            raise ValueError(f"transposed convolution output size would be {o} in spatial dim {dim}"
                             f" (input {i}, padding {p[0]}+{p[1]}); reduce padding")
        out.append(o)
    return _unwrap(tuple(out), input_size)


def output_padding_for_size(input_size, kernel_size, output_size, stride=1, padding=0,
                            dilation=1) -> tuple[int, ...]:
    """The output_padding that makes a transposed conv produce ``output_size``.

    Valid sizes run from the size with no output_padding to that plus ``stride - 1``
    (PyTorch's ``output_size`` rule); anything else is a ``ValueError`` listing them.
    """
    n, sizes, kernel, strides, dils = _normalise(input_size, kernel_size, stride, dilation)
    pads = resolve_padding(padding, sizes, kernel, strides, dils, modes=())
    wanted = _args.positive_tuple(output_size, n, "output_size")
    result = []
    dims = zip(sizes, kernel, strides, dils, pads, wanted, strict=True)
    for dim, (i, k, s, d, p, o) in enumerate(dims):
        smallest = (i - 1) * s - p[0] - p[1] + effective_kernel_size(k, d)
        if not smallest <= o < smallest + s:
            raise ValueError(
                f"output_size {o} is not reachable in spatial dim {dim}: valid sizes are "
                f"{smallest}..{smallest + s - 1}; got output_size={output_size!r}")
        result.append(o - smallest)
    return tuple(result)


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of one output unit, in input pixels, along one dimension.

    ``size``: how many input pixels it spans; ``jump``: distance in input pixels
    between neighbouring output units; ``start``: centre of the first output unit's
    field (input pixel centres at 0, 1, 2, ...; negative means it sits in padding).
    """

    size: int
    jump: int
    start: float


def receptive_field_step(rf: ReceptiveField, kernel_size: int, stride: int = 1,
                         padding_before: int = 0, dilation: int = 1) -> ReceptiveField:
    """Compose one conv/pool layer onto the receptive field reaching it."""
    k_eff = effective_kernel_size(kernel_size, dilation)
    return ReceptiveField(
        size=rf.size + (k_eff - 1) * rf.jump,
        jump=rf.jump * stride,
        start=rf.start + ((k_eff - 1) / 2 - padding_before) * rf.jump,
    )


def receptive_field(layers) -> ReceptiveField:
    """Receptive field of a chain of layers along one dimension.

    Args:
        layers: iterable of ``(kernel_size, stride, padding_before, dilation)``.

    >>> receptive_field([(3, 1, 1, 1)] * 3).size   # three 3x3 convs see 7x7
    7
    """
    rf = ReceptiveField(1, 1, 0.0)
    for k, s, p, d in layers:
        rf = receptive_field_step(rf, k, s, p, d)
    return rf


def ceil_div(a: int, b: int) -> int:
    """Integer ceiling of ``a / b`` for positive ``b``."""
    return -(-a // b)


def receptive_field_transpose_step(rf: ReceptiveField, kernel_size: int, stride: int = 1,
                                   padding_before: int = 0, dilation: int = 1) -> ReceptiveField:
    """Compose one transposed conv onto the receptive field reaching it: the jump divides.

    Input cell ``i`` writes output cells ``i*s - p + t*d`` (taps ``t < k``), so output
    cell ``o`` reads the input cells between ``(o + p - d(k-1))/s`` and ``(o + p)/s``:
    neighbouring outputs are ``1/s`` input cells apart (``jump / s``), the footprint
    spans ``d(k-1)/s`` input cells (``size + d(k-1)/s · jump``) and output 0 sits at input
    coordinate ``(p - d(k-1)/2)/s``. Sizes and jumps become fractions (exact
    ``Fraction`` values); the whole number of input pixels one output sees is at most
    ``floor(size)`` (for one layer ``ceil(k/s)`` with d = 1), and the start is the centre of
    the footprint averaged over the ``s`` output phases.

    >>> r = receptive_field_transpose_step(ReceptiveField(1, 1, 0.0), 3, stride=2)
    >>> r.size, r.jump, r.start   # 2x2 -> 5x5: each output reads at most 2 input cells
    (Fraction(2, 1), Fraction(1, 2), Fraction(-1, 2))
    """
    from fractions import Fraction

    span = Fraction(effective_kernel_size(kernel_size, dilation) - 1)
    jump = Fraction(rf.jump)
    return ReceptiveField(
        size=rf.size + span / stride * jump,
        jump=jump / stride,
        start=Fraction(rf.start) + (padding_before - span / 2) / stride * jump,
    )


__all__ = [
    "ReceptiveField", "ceil_div", "conv_output_size", "conv_transpose_output_size",
    "effective_kernel_size", "output_padding_for_size", "pool_output_size", "receptive_field",
    "receptive_field_step", "receptive_field_transpose_step", "resolve_padding", "same_padding",
]
