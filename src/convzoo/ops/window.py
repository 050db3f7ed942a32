"""Windowing primitives shared by the conv and pooling kernels: padding, cropping, tap views.

A *tap* is one kernel position ``t`` (a tuple, one index per spatial dim). For
stride ``s`` and dilation ``d`` the input cells that tap ``t`` reads for every
output position form a strided slice ``t·d : t·d + s·(o−1) + 1 : s`` — a view,
so the kernels loop over taps (k² of them), never over pixels or batch items.
"""

from __future__ import annotations

import numpy as np

from ..shapes import conv_output_size


def pad_spatial(x: np.ndarray, pads, value=0) -> np.ndarray:
    """Pad the last ``len(pads)`` dims of ``x`` by ``(before, after)`` pairs with ``value``."""
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return x
    lead = x.ndim - len(pads)
    shape = x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[lead:], pads))
    out = np.full(shape, value, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[lead:], pads))] = x
    return out


def crop_spatial(x: np.ndarray, pads) -> np.ndarray:
    """Inverse of ``pad_spatial``: drop ``(before, after)`` cells from the last dims (a view)."""
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return x
    lead = x.ndim - len(pads)
    index = tuple(slice(lo, n - hi) for n, (lo, hi) in zip(x.shape[lead:], pads))
    return x[(Ellipsis,) + index]


def tap_index(tap, stride, dilation, out_size) -> tuple:
    """Index (``Ellipsis`` then one slice per spatial dim) of the cells kernel tap ``tap`` reads."""
    return (Ellipsis,) + tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                               for t, s, d, o in zip(tap, stride, dilation, out_size))


def valid_output_size(padded_size, kernel_size, stride, dilation) -> tuple[int, ...]:
    """Output size of an unpadded ('valid') window sweep over an already padded input."""
    return tuple(conv_output_size(tuple(padded_size), tuple(kernel_size), tuple(stride), 0,
                                  tuple(dilation)))
