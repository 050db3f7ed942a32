"""Normalising and checking user arguments; every user-facing error message lives here.

Public functions check their input once, through these helpers, and raise a
``ValueError``/``TypeError`` that names the argument and the value received.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

PADDING_MODES = ("valid", "same", "same_lower", "full")


def _is_int(value) -> bool:
    # exact-type test first: the ABC check below costs ~1 µs and runs on every layer call
    return type(value) is int or (isinstance(value, numbers.Integral)
                                  and not isinstance(value, bool))


def int_tuple(value, n: int, name: str, minimum: int | None = None) -> tuple[int, ...]:
    """Return ``value`` as a tuple of ``n`` ints (an int is repeated), each ``>= minimum``."""
    if type(value) is tuple and len(value) == n and all(type(v) is int for v in value):
        items = value   # the common, already-normal form: nothing to convert
    elif _is_int(value):
        items = (int(value),) * n
    elif isinstance(value, Sequence) and not isinstance(value, str):
        items = tuple(value)
        if len(items) != n or not all(_is_int(v) for v in items):
            raise ValueError(f"{name} must be an int or a sequence of {n} ints; "
                             f"got {name}={value!r}")
        items = tuple(int(v) for v in items)
    elif isinstance(value, np.ndarray) and value.ndim == 1:
        return int_tuple(value.tolist(), n, name, minimum)
    else:
        raise TypeError(f"{name} must be an int or a sequence of {n} ints; got {name}={value!r}")
    if minimum is not None and any(v < minimum for v in items):
        raise ValueError(f"{name} must be >= {minimum}; got {name}={value!r}")
    return items


def positive_tuple(value, n: int, name: str) -> tuple[int, ...]:
    """Stride, dilation, kernel size: ``n`` ints, each at least 1."""
    return int_tuple(value, n, name, minimum=1)


def positive_int(value, name: str) -> int:
    """One int, at least 1 (groups, channels, depth multiplier)."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int; got {name}={value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {name}={value!r}")
    return int(value)


def padding_spec(padding, n: int, name: str = "padding", modes: Sequence[str] = PADDING_MODES):
    """Normalise a padding argument.

    Returns either one of ``modes`` (a string) or a tuple of ``n`` ``(before, after)``
    pairs of non-negative ints. Accepted forms: an int, ``n`` ints (one per spatial
    dim, both sides), ``n`` pairs ``((before, after), ...)``, or a mode string.
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if not modes:   # transposed convs: only explicit numbers
            raise ValueError(f"{name} must be an int, {n} ints, or {n} (before, after) pairs "
                             f"(no mode strings here); got {name}={padding!r}")
        if mode not in modes:
            raise ValueError(f"{name} must be an int, a tuple, or one of {tuple(modes)}; "
                             f"got {name}={padding!r}")
        return mode
    if _is_int(padding):
        if padding < 0:
            raise ValueError(f"{name} must be >= 0; got {name}={padding!r}")
        return ((int(padding), int(padding)),) * n
    if isinstance(padding, np.ndarray):
        padding = padding.tolist()
    if isinstance(padding, Sequence) and len(padding) == n:
        pairs = []
        for item in padding:
            if _is_int(item):
                pairs.append((int(item), int(item)))
            elif (isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2
                  and all(_is_int(v) for v in item)):
                pairs.append((int(item[0]), int(item[1])))
            else:
                raise ValueError(f"{name} must be an int, {n} ints, or {n} (before, after) pairs; "
                                 f"got {name}={padding!r}")
        if any(v < 0 for pair in pairs for v in pair):
            raise ValueError(f"{name} must be >= 0; got {name}={padding!r}")
        return tuple(pairs)
    raise ValueError(f"{name} must be an int, {n} ints, {n} (before, after) pairs, or one of "
                     f"{tuple(modes)}; got {name}={padding!r}")


def check_ndim(shape: tuple[int, ...], expected: int | tuple[int, ...], name: str) -> None:
    """Raise if an array's number of dimensions is not one of ``expected``."""
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    if len(shape) not in allowed:
        want = " or ".join(str(a) for a in allowed)
        raise ValueError(f"{name} must be {want}-dimensional; got {name} with shape {tuple(shape)}")


def check_float(dtype, name: str) -> None:
    """Raise ``TypeError`` unless ``dtype`` is a floating-point dtype."""
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"{name} must have a floating-point dtype; got {name} with dtype {dtype}")


def check_same_dtype(a_dtype, b_dtype, a: str, b: str) -> None:
    """Raise ``TypeError`` when two operands differ in dtype (no silent promotion, as PyTorch)."""
    if a_dtype != b_dtype:
        raise TypeError(f"{a} and {b} must have the same dtype; "
                        f"got {a} {a_dtype} and {b} {b_dtype}")


def check_numeric(dtype, name: str) -> None:
    """Raise ``TypeError`` unless ``dtype`` is integer or floating point (max pooling)."""
    if not (np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.integer)):
        raise TypeError(f"{name} must have an integer or floating-point dtype; "
                        f"got {name} with dtype {dtype}")


def check_positive_number(value, name: str) -> float:
    """A real number strictly above zero (Lp norm, learning rate, ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {name}={value!r}")
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number > 0; got {name}={value!r}")
    return float(value)


def normalize_axis(axis, ndim: int, name: str = "axis") -> int:
    """One axis as a non-negative int in ``[0, ndim)``; negative values count from the end."""
    if not _is_int(axis):
        raise TypeError(f"{name} must be an int; got {name}={axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name} must be in [{-ndim}, {ndim}) for an input with {ndim} "
                         f"dimensions; got {name}={axis!r}")
    return int(axis) % ndim


def normalize_axes(axis, ndim: int, name: str = "axis") -> tuple[int, ...] | None:
    """``None`` (all axes), one int, or a sequence of distinct ints, each normalised."""
    if axis is None:
        return None
    if _is_int(axis):
        return (normalize_axis(axis, ndim, name),)
    if not isinstance(axis, Sequence) or isinstance(axis, str):
        raise TypeError(f"{name} must be None, an int or a sequence of ints; got {name}={axis!r}")
    axes = tuple(normalize_axis(a, ndim, name) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name} must not repeat an axis; got {name}={axis!r}")
    return axes


def check_fraction(value, name: str, include_one: bool = False) -> float:
    """A real number in ``[0, 1)`` (or ``[0, 1]`` with ``include_one``): dropout p, smoothing."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {name}={value!r}")
    upper_ok = value <= 1 if include_one else value < 1
    if not (value >= 0 and upper_ok):
        interval = "[0, 1]" if include_one else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}; got {name}={value!r}")
    return float(value)


def check_integer(dtype, name: str) -> None:
    """Raise ``TypeError`` unless ``dtype`` is an integer dtype (class indices)."""
    if not np.issubdtype(dtype, np.integer):
        raise TypeError(f"{name} must have an integer dtype; got {name} with dtype {dtype}")


def check_shape(shape, expected, name: str, why: str = "") -> None:
    """Raise ``ValueError`` unless ``shape == expected``; ``why`` says what fixes the shape."""
    if tuple(shape) != tuple(expected):
        reason = f" {why}" if why else ""
        raise ValueError(f"{name} must have shape {tuple(expected)}{reason}; "
                         f"got {name} with shape {tuple(shape)}")


def check_class_indices(values: np.ndarray, num_classes: int, name: str = "target") -> None:
    """Raise ``ValueError`` unless every class index lies in ``[0, num_classes)``."""
    if values.size and (values.min() < 0 or values.max() >= num_classes):
        raise ValueError(f"{name} values must be in [0, {num_classes}) for {num_classes} classes; "
                         f"got values from {values.min()} to {values.max()}")


def check_real(value, name: str) -> float:
    """A finite real scalar (an exponent, a slope); rejects bools, arrays and Tensors."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {name}={value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {name}={value!r}")
    return value


def check_permutation(axes, ndim: int, name: str = "axes") -> tuple[int, ...]:
    """``axes`` as a permutation of ``range(ndim)`` (negative axes allowed)."""
    normalised = normalize_axes(axes, ndim, name) if ndim else tuple(axes)
    if normalised is None or len(normalised) != ndim:
        raise ValueError(f"{name} must be a permutation of the {ndim} axes; got {name}={axes!r}")
    return normalised


def reshape_target(shape, size: int, name: str = "shape") -> tuple[int, ...]:
    """Resolve a reshape target (ints, at most one -1) for an array of ``size`` elements."""
    items = (shape,) if _is_int(shape) else shape
    if not isinstance(items, (Sequence, np.ndarray)) or isinstance(items, str):
        raise TypeError(f"{name} must be an int or a sequence of ints; got {name}={shape!r}")
    items = tuple(items)
    if not all(_is_int(v) for v in items):
        raise TypeError(f"{name} must be an int or a sequence of ints; got {name}={shape!r}")
    if any(v < -1 for v in items) or items.count(-1) > 1:
        raise ValueError(f"{name} must hold sizes >= 0 and at most one -1; got {name}={shape!r}")
    known = int(np.prod([v for v in items if v != -1], dtype=np.int64))
    if -1 in items:
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape {size} elements into {name}={shape!r}")
        items = tuple(size // known if v == -1 else int(v) for v in items)
    elif known != size:
        raise ValueError(f"cannot reshape {size} elements into {name}={shape!r}")
    return tuple(int(v) for v in items)


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """An explicit ``np.random.Generator``; ``None`` gives a fresh one from OS entropy."""
    if rng is None:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)) "
                        f"or None; got {name} of type {type(rng).__name__}")
    return rng
