"""TensorFlow ``tf.nn`` convolutions on convzoo: same arguments, layouts and padding rules.

``conv2d``, ``depthwise_conv2d``, ``separable_conv2d`` and ``conv2d_transpose`` take
TensorFlow's argument order and conventions and return ``np.ndarray``:

* layouts: input ``NHWC`` (or ``NCHW`` via ``data_format``); filters ``HWIO``
  ``(kh, kw, in, out)``; depthwise filter ``(kh, kw, C, M)`` whose output channel
  ``c*M + m`` comes from input channel ``c``; separable pointwise filter
  ``(1, 1, C*M, out)``; transposed filters ``(kh, kw, out_channels, in_channels)``;
* ``strides`` / ``dilations``: an int, 1 or 2 ints (H, W), or 4 ints in the layout of
  ``data_format`` whose batch and channel entries must be 1, as ``tf.nn`` accepts;
* ``padding``: ``"SAME"`` (output ``ceil(i/s)``, total padding
  ``max((ceil(i/s)-1)*s + d*(k-1)+1 - i, 0)``, the odd cell at the bottom/right),
  ``"VALID"`` (none), either in any letter case, or explicit pairs in the layout of
  ``data_format``: ``[[0, 0], [top, bottom], [left, right], [0, 0]]`` for NHWC;
* ``conv2d_transpose`` is the gradient of ``conv2d`` with respect to its input: it
  takes the forward conv's input shape as ``output_shape``, pads as that forward conv
  would (SAME/VALID resolved on ``output_shape``) and requires ``output_shape`` to be
  one the forward conv maps onto the given input, as TensorFlow does.

Algorithm: nothing here convolves. Each function checks its arguments once, resolves
the padding through ``convzoo.shapes``, transposes to PyTorch's layouts (NCHW input;
``(O, I, kh, kw)``, ``(C*M, 1, kh, kw)`` or ``(I, O, kh, kw)`` weights), calls the
matching ``convzoo.functional`` op without recording a graph, and transposes back.
TensorFlow's grouped conv (input depth a multiple of ``filters.shape[2]``) maps to
``groups``; ``conv2d_transpose``'s ``output_shape`` becomes PyTorch's per-side
``padding`` plus ``output_padding``.

Where TensorFlow rejects a combination that has one obvious meaning (stride > 1 with
dilation > 1 in depthwise/separable conv, NCHW on CPU, unequal depthwise strides),
this module computes it rather than raising.

>>> import numpy as np
>>> conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), strides=2, padding="SAME").shape
(1, 3, 3, 2)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from .. import _args, shapes
from .. import functional as F
from ..autograd import Tensor, no_grad

_MODES = ("SAME", "VALID")


# --------------------------------------------------------------------------- arguments

def _array(value, name: str) -> np.ndarray:
    """The NumPy array behind an ndarray, a Tensor or a nested list."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array or Tensor; got {name}={value!r}")
    return np.asarray(value)


def _channels_first(data_format) -> bool:
    if data_format is None or data_format == "NHWC":
        return False
    if data_format == "NCHW":
        return True
    raise ValueError(f"data_format must be 'NHWC' or 'NCHW'; got data_format={data_format!r}")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _spatial(value, name: str, channels_first: bool) -> tuple[int, int]:
    """(h, w) from TF's int / 1 / 2 / 4-element ``strides`` or ``dilations``."""
    if value is None:
        return (1, 1)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if _is_int(value):
        items = [value]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        items = list(value)
    else:
        raise TypeError(f"{name} must be an int or a list of 1, 2 or 4 ints; got {name}={value!r}")
    if not all(_is_int(v) for v in items):
        raise TypeError(f"{name} must be an int or a list of 1, 2 or 4 ints; got {name}={value!r}")
    if len(items) == 4:
        outer = (0, 1) if channels_first else (0, 3)
        if any(items[i] != 1 for i in outer):
            layout = "NCHW" if channels_first else "NHWC"
            raise ValueError(
                f"{name} must be 1 in the batch and channel dimensions "
                f"({name}[{outer[0]}] = {name}[{outer[1]}] = 1 for data_format='{layout}'); "
                f"got {name}={value!r}")
        items = items[2:] if channels_first else items[1:3]
    elif len(items) == 1:
        items = items * 2
    elif len(items) != 2:
        raise ValueError(f"{name} must be an int or a list of 1, 2 or 4 ints; "
                         f"got {name}={value!r} of length {len(items)}")
    if any(v < 1 for v in items):
        raise ValueError(f"{name} must be >= 1; got {name}={value!r}")
    return (int(items[0]), int(items[1]))


def _padding(padding, channels_first: bool):
    """``'SAME'`` / ``'VALID'`` or ``((top, bottom), (left, right))`` from TF's forms."""
    if isinstance(padding, str):
        if padding.upper() not in _MODES:
            raise ValueError(f"padding must be 'SAME', 'VALID' or a list of 4 [before, after] "
                             f"pairs; got padding={padding!r}")
        return padding.upper()
    form = ("[[0, 0], [0, 0], [top, bottom], [left, right]]" if channels_first
            else "[[0, 0], [top, bottom], [left, right], [0, 0]]")
    bad = ValueError(f"padding must be 'SAME', 'VALID' or an explicit list {form}; "
                     f"got padding={padding!r}")
    pairs = padding.tolist() if isinstance(padding, np.ndarray) else padding
    if not isinstance(pairs, Sequence) or len(pairs) != 4:
        raise bad
    for pair in pairs:
        if (not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2
                or not all(_is_int(v) for v in pair)):
            raise bad
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f"padding must be >= 0; got padding={padding!r}")
    outer = (0, 1) if channels_first else (0, 3)
    if any(tuple(pairs[i]) != (0, 0) for i in outer):
        raise ValueError(f"padding must be [0, 0] in the batch and channel dimensions {form}; "
                         f"got padding={padding!r}")
    spatial = pairs[2:] if channels_first else pairs[1:3]
    return tuple((int(a), int(b)) for a, b in spatial)


def _resolve(padding, size, kernel, strides, dilations):
    """Per-side pairs of a parsed padding for a conv over ``size`` (H, W)."""
    if isinstance(padding, str):
        return shapes.resolve_padding(padding.lower(), size, kernel, strides, dilations)
    return padding


def _operand(value, name: str, ndim) -> np.ndarray:
    array = _array(value, name)
    _args.check_ndim(array.shape, ndim, name)
    _args.check_float(array.dtype, name)
    if 0 in array.shape:
        raise ValueError(f"{name} must not have a zero-size dimension; "
                         f"got {name} with shape {array.shape}")
    return array


def _same_dtype(a: np.ndarray, b: np.ndarray, a_name: str, b_name: str) -> None:
    _args.check_same_dtype(a.dtype, b.dtype, a_name, b_name)


def _to_nchw(x: np.ndarray, channels_first: bool) -> np.ndarray:
    return x if channels_first else x.transpose(0, 3, 1, 2)


def _from_nchw(y: Tensor, channels_first: bool) -> np.ndarray:
    out = y.data if channels_first else y.data.transpose(0, 2, 3, 1)
    return np.ascontiguousarray(out)


def _hw(x: np.ndarray, channels_first: bool) -> tuple[int, int]:
    return tuple(x.shape[2:4]) if channels_first else tuple(x.shape[1:3])


def _depth(x: np.ndarray, channels_first: bool) -> int:
    return x.shape[1] if channels_first else x.shape[3]


# --------------------------------------------------------------------------- public API

def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None) -> np.ndarray:
    """``tf.nn.conv2d``: 2-d cross-correlation with HWIO filters and TF padding.

    ``output[b, i, j, k] = sum_{di, dj, q} input[b, s_h*i + d_h*di, s_w*j + d_w*dj, q]
    * filters[di, dj, q, k]`` over the padded input.

    Args:
        input: (N, H, W, C) for NHWC, (N, C, H, W) for NCHW; extra leading batch
            dimensions are allowed, as in TF (rank >= 4). np.ndarray or Tensor.
        filters: (kh, kw, C / groups, O); an input depth that is a multiple of
            ``filters.shape[2]`` is a grouped conv, as in TF.
        strides: int, [sh, sw], or [1, sh, sw, 1] (NHWC) / [1, 1, sh, sw] (NCHW).
        padding: 'SAME', 'VALID' (any case) or explicit per-side pairs, e.g.
            [[0, 0], [top, bottom], [left, right], [0, 0]] for NHWC.
        data_format: 'NHWC' (default) or 'NCHW'.
        dilations: like ``strides``; None means 1.

    Returns:
        np.ndarray (N, H_out, W_out, O) (or NCHW), the dtype of ``input``.

    Raises:
        ValueError: wrong rank, channel mismatch, bad strides/dilations/padding/data_format,
            filter larger than the padded input.
        TypeError: non-float or mismatched dtypes, non-int strides.

    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> conv2d(x, np.ones((2, 2, 1, 1)), strides=1, padding="VALID")[0, :, :, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    first = _channels_first(data_format)
    x = _array(input, "input")
    if x.ndim > 4:  # TF folds extra leading batch dimensions into one
        lead = x.shape[:-3]
        flat = x.reshape((-1,) + x.shape[-3:])
        y = conv2d(flat, filters, strides, padding, data_format, dilations)
        return y.reshape(lead + y.shape[1:])
    x = _operand(x, "input", 4)
    w = _operand(filters, "filters", 4)
    _same_dtype(x, w, "input", "filters")
    strides = _spatial(strides, "strides", first)
    dilations = _spatial(dilations, "dilations", first)
    pad = _padding(padding, first)
    depth, kh, kw, per_group, out = _depth(x, first), *w.shape
    if depth % per_group:
        raise ValueError(f"input depth must be a multiple of filters.shape[2]; got input with "
                         f"{depth} channels (shape {x.shape}) and filters with shape {w.shape}")
    groups = depth // per_group
    if out % groups:
        raise ValueError(f"filters.shape[3] (output channels) must be a multiple of the number of "
                         f"groups input depth / filters.shape[2] = {groups}; got filters with "
                         f"shape {w.shape} and input with {depth} channels")
    pads = _resolve(pad, _hw(x, first), (kh, kw), strides, dilations)
    with no_grad():
        y = F.conv2d(_to_nchw(x, first), w.transpose(3, 2, 0, 1), None, strides, pads, dilations,
                     groups)
    return _from_nchw(y, first)


def depthwise_conv2d(input, filter, strides, padding, data_format="NHWC",
                     dilations=None) -> np.ndarray:
    """``tf.nn.depthwise_conv2d``: each input channel convolved with its own M filters.

    ``output[b, i, j, c*M + m] = sum_{di, dj} filter[di, dj, c, m]
    * input[b, s_h*i + d_h*di, s_w*j + d_w*dj, c]`` over the padded input.

    Args:
        input: (N, H, W, C) for NHWC, (N, C, H, W) for NCHW.
        filter: (kh, kw, C, M), M the channel multiplier.
        strides, dilations: int, [h, w], or 4 ints in the data_format layout.
        padding: 'SAME', 'VALID' or explicit pairs (see ``conv2d``).
        data_format: 'NHWC' (default; None means NHWC, as in TF) or 'NCHW'.

    Returns:
        np.ndarray (N, H_out, W_out, C*M) (or NCHW).

    Raises:
        ValueError: wrong rank, ``filter.shape[2]`` != input depth, bad strides/padding.
        TypeError: non-float or mismatched dtypes.

    >>> import numpy as np
    >>> x = np.array([[1., 2.], [3., 4.], [5., 6.]]).reshape(1, 3, 2, 1)
    >>> k = np.array([[1., 2.], [3., 4.]]).reshape(2, 1, 1, 2)
    >>> depthwise_conv2d(x, k, strides=[1, 1, 1, 1], padding="VALID")[0, 0]
    array([[10., 14.],
           [14., 20.]])
    """
    first = _channels_first(data_format)
    x = _operand(input, "input", 4)
    w = _operand(filter, "filter", 4)
    _same_dtype(x, w, "input", "filter")
    strides = _spatial(strides, "strides", first)
    dilations = _spatial(dilations, "dilations", first)
    pad = _padding(padding, first)
    kh, kw, channels, mult = w.shape
    if channels != _depth(x, first):
        raise ValueError(f"filter.shape[2] must equal the input depth {_depth(x, first)}; got "
                         f"filter with shape {w.shape} and input with shape {x.shape}")
    pads = _resolve(pad, _hw(x, first), (kh, kw), strides, dilations)
    # (kh, kw, C, M) -> (C, M, kh, kw) -> (C*M, 1, kh, kw): row c*M + m is filter[:, :, c, m]
    weight = w.transpose(2, 3, 0, 1).reshape(channels * mult, 1, kh, kw)
    with no_grad():
        y = F.depthwise_conv2d(_to_nchw(x, first), weight, None, strides, pads, dilations)
    return _from_nchw(y, first)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,
                     data_format="NHWC", dilations=None) -> np.ndarray:
    """``tf.nn.separable_conv2d``: ``depthwise_conv2d`` then a 1×1 ``conv2d``.

    Args:
        input: (N, H, W, C) for NHWC, (N, C, H, W) for NCHW.
        depthwise_filter: (kh, kw, C, M).
        pointwise_filter: (1, 1, C*M, O).
        strides, dilations: of the depthwise stage; int, [h, w] or 4 ints.
        padding: of the depthwise stage: 'SAME', 'VALID' or explicit pairs.
        data_format: 'NHWC' (default; None means NHWC) or 'NCHW'.

    Returns:
        np.ndarray (N, H_out, W_out, O) (or NCHW).

    Raises:
        ValueError: wrong ranks, channel mismatches, a pointwise filter that is not 1×1.
        TypeError: non-float or mismatched dtypes.

    >>> import numpy as np
    >>> separable_conv2d(np.ones((1, 8, 8, 16)), np.ones((3, 3, 16, 1)),
    ...                  np.ones((1, 1, 16, 32)), strides=1, padding="SAME").shape
    (1, 8, 8, 32)
    """
    first = _channels_first(data_format)
    x = _operand(input, "input", 4)
    dw = _operand(depthwise_filter, "depthwise_filter", 4)
    pw = _operand(pointwise_filter, "pointwise_filter", 4)
    _same_dtype(x, dw, "input", "depthwise_filter")
    _same_dtype(x, pw, "input", "pointwise_filter")
    strides = _spatial(strides, "strides", first)
    dilations = _spatial(dilations, "dilations", first)
    pad = _padding(padding, first)
    kh, kw, channels, mult = dw.shape
    if channels != _depth(x, first):
        raise ValueError(f"depthwise_filter.shape[2] must equal the input depth "
                         f"{_depth(x, first)}; got depthwise_filter with shape {dw.shape} and "
                         f"input with shape {x.shape}")
    if pw.shape[:2] != (1, 1) or pw.shape[2] != channels * mult:
        raise ValueError(f"pointwise_filter must have shape (1, 1, {channels * mult}, out_channels)"
                         f" (in_channels * channel_multiplier = {channels} * {mult}); got "
                         f"pointwise_filter with shape {pw.shape}")
    pads = _resolve(pad, _hw(x, first), (kh, kw), strides, dilations)
    depthwise = dw.transpose(2, 3, 0, 1).reshape(channels * mult, 1, kh, kw)
    with no_grad():
        y = F.separable_conv2d(_to_nchw(x, first), depthwise, pw.transpose(3, 2, 0, 1), None,
                               strides, pads, dilations)
    return _from_nchw(y, first)


def _output_shape(output_shape, x: np.ndarray, w: np.ndarray, first: bool) -> tuple[int, int]:
    """Check ``output_shape`` against batch and channels; return its (H, W)."""
    if isinstance(output_shape, Tensor):
        output_shape = output_shape.data
    if isinstance(output_shape, np.ndarray):
        output_shape = output_shape.tolist()
    if (not isinstance(output_shape, Sequence) or isinstance(output_shape, str)
            or len(output_shape) not in (2, 4) or not all(_is_int(v) for v in output_shape)):
        raise ValueError(f"output_shape must be 4 ints (N, H, W, C) for NHWC / (N, C, H, W) for "
                         f"NCHW, or 2 ints (H, W); got output_shape={output_shape!r}")
    dims = [int(v) for v in output_shape]
    if any(v < 1 for v in dims):
        raise ValueError(f"output_shape must be positive; got output_shape={output_shape!r}")
    if len(dims) == 2:
        return (dims[0], dims[1])
    batch, depth = (dims[0], dims[1]) if first else (dims[0], dims[3])
    if batch != x.shape[0]:
        raise ValueError(f"output_shape batch size must equal the input's {x.shape[0]}; "
                         f"got output_shape={output_shape!r}")
    if depth != w.shape[2]:
        raise ValueError(f"output_shape channels must equal filters.shape[2] = {w.shape[2]} "
                         f"(filters are (kh, kw, out_channels, in_channels)); "
                         f"got output_shape={output_shape!r}")
    return (dims[2], dims[3]) if first else (dims[1], dims[2])


def _consistent_sizes(size: int, kernel: int, stride: int, dilation: int, pad) -> list[int]:
    """The output sizes a forward conv maps onto an input of ``size`` (for the message)."""
    found = []
    span = (size + 1) * stride + shapes.effective_kernel_size(kernel, dilation)
    for o in range(1, span + (0 if isinstance(pad, str) else sum(pad)) + 1):
        pairs = shapes.resolve_padding(pad.lower() if isinstance(pad, str) else (pad,), (o,),
                                       (kernel,), (stride,), (dilation,))
        if o + sum(pairs[0]) >= shapes.effective_kernel_size(kernel, dilation) and \
                shapes.conv_output_size((o,), (kernel,), (stride,), pairs, (dilation,)) == (size,):
            found.append(o)
    return found


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",
                     dilations=None) -> np.ndarray:
    """``tf.nn.conv2d_transpose``: the gradient of ``conv2d`` with respect to its input.

    For every ``x`` of shape ``output_shape`` and ``y`` of the input's shape,
    ``<conv2d(x, filters, ...), y> == <x, conv2d_transpose(y, filters, output_shape, ...)>``
    with the same strides, padding and dilations.

    Args:
        input: (N, H, W, C_in) for NHWC, (N, C_in, H, W) for NCHW.
        filters: (kh, kw, C_out, C_in) — output channels first, as in TF.
        output_shape: (N, H_out, W_out, C_out) (or (N, C_out, H_out, W_out) for NCHW, or
            just (H_out, W_out)): the input shape of the forward conv, which must map it
            onto ``input``'s spatial size.
        strides, dilations: int, [h, w], or 4 ints in the data_format layout.
        padding: 'SAME' (default), 'VALID' or explicit pairs: the forward conv's padding,
            resolved on ``output_shape``.
        data_format: 'NHWC' (default) or 'NCHW'.

    Returns:
        np.ndarray of ``output_shape`` (with N and C_out), the dtype of ``input``.

    Raises:
        ValueError: wrong ranks, channel or batch mismatches, an ``output_shape`` that
            the forward conv does not map onto the input (the valid sizes are listed),
            bad strides/padding/data_format.
        TypeError: non-float or mismatched dtypes.

    >>> import numpy as np
    >>> y = conv2d_transpose(np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1)), [1, 4, 4, 1],
    ...                      strides=2, padding="SAME")
    >>> y[0, :, :, 0]
    array([[1., 1., 2., 1.],
           [1., 1., 2., 1.],
           [2., 2., 4., 2.],
           [1., 1., 2., 1.]])
    """
    first = _channels_first(data_format)
    x = _operand(input, "input", 4)
    w = _operand(filters, "filters", 4)
    _same_dtype(x, w, "input", "filters")
    strides = _spatial(strides, "strides", first)
    dilations = _spatial(dilations, "dilations", first)
    pad = _padding(padding, first)
    kh, kw, out_channels, in_channels = w.shape
    if in_channels != _depth(x, first):
        raise ValueError(f"filters.shape[3] must equal the input depth {_depth(x, first)} "
                         f"(filters are (kh, kw, out_channels, in_channels)); got filters with "
                         f"shape {w.shape} and input with shape {x.shape}")
    out_hw = _output_shape(output_shape, x, w, first)
    in_hw = _hw(x, first)
    pads = _resolve(pad, out_hw, (kh, kw), strides, dilations)
    for dim, name in enumerate(("height", "width")):
        k, s, d = (kh, kw)[dim], strides[dim], dilations[dim]
        pad_dim = pad if isinstance(pad, str) else pad[dim]
        if out_hw[dim] + sum(pads[dim]) >= shapes.effective_kernel_size(k, d):
            maps_to = shapes.conv_output_size((out_hw[dim],), (k,), (s,), (pads[dim],), (d,))[0]
        else:
            maps_to = None  # the filter does not fit: no conv2d of that size exists
        if maps_to != in_hw[dim]:
            valid = _consistent_sizes(in_hw[dim], k, s, d, pad_dim)
            choices = f"{valid[0]}..{valid[-1]}" if valid else "none"
            k_eff = shapes.effective_kernel_size(k, d)
            result = (f"to {maps_to}" if maps_to is not None else
                      f"to nothing (the filter, effective size {k_eff}, does not fit)")
            raise ValueError(
                f"output_shape is inconsistent with the input: a conv2d with strides={strides}, "
                f"dilations={dilations}, padding={padding!r} maps output {name} {out_hw[dim]} "
                f"{result}, not the input {name} {in_hw[dim]}; valid output {name}s are "
                f"{choices}; got output_shape={output_shape!r}")
    output_padding = shapes.output_padding_for_size(in_hw, (kh, kw), out_hw, strides, pads,
                                                    dilations)
    with no_grad():
        y = F.conv_transpose2d(_to_nchw(x, first), w.transpose(3, 2, 0, 1), None, strides, pads,
                               output_padding, 1, dilations)
    return _from_nchw(y, first)


__all__ = ["conv2d", "conv2d_transpose", "depthwise_conv2d", "separable_conv2d"]
