"""Naive loop references for the convolution tests, written straight from the definitions.

Every function here walks explicit Python loops over batch, channels, output (or input)
positions and kernel taps, reading one scalar at a time. They are slow by design and
meant for tiny shapes only; they share no code with ``convzoo`` (padding is given as
explicit ``(before, after)`` pairs, which the tests compute with their own formulas).

Definitions (one spatial dim shown; the N-d case takes every dim at once):

* cross-correlation ``y[n, o, p] = b[o] + sum_{c in group(o)} sum_t w[o, c, t] *
  x_pad[n, c, p*s + t*d]`` where ``x_pad`` is ``x`` with zeros ``before`` cells ahead and
  ``after`` cells behind;
* true convolution (``flip=True``) reads ``w[o, c, K-1-t]`` instead of ``w[o, c, t]``;
* transposed convolution scatters every input cell: ``full[n, o, i*s + t*d] +=
  x[n, c, i] * w[c, o', t]`` over ``full`` of size ``(I-1)*s + d*(K-1) + 1 +
  output_padding``, then drops ``before`` cells at the start and ``after`` at the end.
"""

from __future__ import annotations

import itertools

import numpy as np


def _product(sizes):
    return itertools.product(*(range(s) for s in sizes))


def _padded_value(x, n, c, pos, pads):
    """x_pad[n, c, pos]: zero when ``pos`` falls in the padding."""
    index = []
    for p, (before, _), size in zip(pos, pads, x.shape[2:], strict=True):
        q = p - before
        if q < 0 or q >= size:
            return 0.0
        index.append(q)
    return x[(n, c) + tuple(index)]


def _pairs(padding, nd):
    if isinstance(padding, int):
        return ((padding, padding),) * nd
    return tuple((p, p) if isinstance(p, int) else tuple(p) for p in padding)


def _tuple(value, nd):
    return (value,) * nd if isinstance(value, int) else tuple(value)


def conv_nd(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, flip=False):
    """Cross-correlation (or true convolution with ``flip``) by explicit loops.

    Args:
        x: (N, C, *S). w: (O, C/groups, *K). b: (O,) or None.
        stride, dilation: int or per-dim tuple. padding: int, per-dim ints or
            ``(before, after)`` pairs (explicit numbers only).

    Returns:
        (N, O, *out) float64 array.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    nd = x.ndim - 2
    stride, dilation, pads = _tuple(stride, nd), _tuple(dilation, nd), _pairs(padding, nd)
    n_batch, c_in = x.shape[:2]
    c_out, cg = w.shape[:2]
    kernel = w.shape[2:]
    og = c_out // groups
    dims = zip(x.shape[2:], pads, kernel, stride, dilation, strict=True)
    out_size = tuple((i + lo + hi - (d * (k - 1) + 1)) // s + 1 for i, (lo, hi), k, s, d in dims)
    y = np.zeros((n_batch, c_out) + out_size)
    for n in range(n_batch):
        for o in range(c_out):
            g = o // og
            for p in _product(out_size):
                total = 0.0 if b is None else float(b[o])
                for ci in range(cg):
                    c = g * cg + ci
                    for t in _product(kernel):
                        tw = tuple(k - 1 - tt for k, tt in zip(kernel, t, strict=True))
                        pos = tuple(pp * s + tt * d
                                    for pp, tt, s, d in zip(p, t, stride, dilation, strict=True))
                        wv = w[(o, ci) + tw] if flip else w[(o, ci) + t]
                        total += wv * _padded_value(x, n, c, pos, pads)
                y[(n, o) + p] = total
    return y


def conv_transpose_nd(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """Transposed convolution by explicit scatter loops.

    Args:
        x: (N, C_in, *S). w: (C_in, C_out/groups, *K). b: (C_out,) or None.
        padding: int, per-dim ints or ``(before, after)`` pairs cropped from the full output.
        output_padding: extra cells at the end of each dim.

    Returns:
        (N, C_out, *out) float64 array.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    nd = x.ndim - 2
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    extra, pads = _tuple(output_padding, nd), _pairs(padding, nd)
    n_batch, c_in = x.shape[:2]
    og = w.shape[1]
    cg = c_in // groups
    kernel = w.shape[2:]
    dims = zip(x.shape[2:], kernel, stride, dilation, extra, strict=True)
    full = tuple((i - 1) * s + d * (k - 1) + 1 + e for i, k, s, d, e in dims)
    y_full = np.zeros((n_batch, og * groups) + full)
    for n in range(n_batch):
        for c in range(c_in):
            g = c // cg
            for i in _product(x.shape[2:]):
                for oc in range(og):
                    for t in _product(kernel):
                        pos = tuple(ii * s + tt * d
                                    for ii, tt, s, d in zip(i, t, stride, dilation, strict=True))
                        y_full[(n, g * og + oc) + pos] += x[(n, c) + i] * w[(c, oc) + t]
    out = tuple(f - lo - hi for f, (lo, hi) in zip(full, pads, strict=True))
    y = np.zeros((n_batch, og * groups) + out)
    for n in range(n_batch):
        for o in range(og * groups):
            for p in _product(out):
                src = tuple(pp + lo for pp, (lo, _) in zip(p, pads, strict=True))
                y[(n, o) + p] = y_full[(n, o) + src] + (0.0 if b is None else float(b[o]))
    return y


def explicit_pads(padding, in_size, kernel, stride=1, dilation=1):
    """The (before, after) pairs a padding argument means, from the TF/ONNX definitions.

    ``'same'`` (ONNX SAME_UPPER, TF SAME): output ``ceil(i/s)``; total padding
    ``max((out-1)*s + d*(k-1) + 1 - i, 0)``, the smaller half first. ``'same_lower'``
    swaps the halves. ``'full'``: ``d*(k-1)`` each side. ``'valid'``: none.
    """
    nd = len(in_size)
    stride, dilation, kernel = _tuple(stride, nd), _tuple(dilation, nd), _tuple(kernel, nd)
    if isinstance(padding, str):
        pairs = []
        for i, k, s, d in zip(in_size, kernel, stride, dilation, strict=True):
            extent = d * (k - 1) + 1
            if padding == "valid":
                pairs.append((0, 0))
            elif padding == "full":
                pairs.append((extent - 1, extent - 1))
            else:
                out = (i + s - 1) // s
                total = max((out - 1) * s + extent - i, 0)
                small, big = total // 2, total - total // 2
                pairs.append((small, big) if padding == "same" else (big, small))
        return tuple(pairs)
    return _pairs(padding, nd)
