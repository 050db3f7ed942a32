"""Parameters, MACs, FLOPs and activation sizes of one layer, from shapes alone (pure integers).

Every function takes the per-sample input shape ``(C, *spatial)`` (any number of spatial
dims) and the layer's constructor arguments, asks :mod:`convzoo.shapes` for the output
size, and returns a :class:`LayerCount`. Nothing here touches an array, so a whole
network is counted in microseconds.

Conventions (the same everywhere in convzoo):

* **params**: weights plus biases. Separable layers have one bias, after the pointwise
  stage (Keras' ``SeparableConv2D``); spatially separable layers one bias, after the last
  1-D pass; the global depthwise conv has none unless asked.
* **MAC** (multiply-accumulate): one weight times one input value. A conv output element
  costs ``(C_in/g)·prod(K)`` MACs, taps that land on zero padding included (the GEMM does
  them); dilation spreads the taps but does not change their number. Pooling has no
  weights, so 0 MACs.
* **FLOPs** = 2·MACs (a multiply and an add each). A dot product of ``n`` terms really
  has ``n`` multiplies and ``n − 1`` adds, so 2·MACs already has room for the bias add;
  pass ``bias_flops=True`` to count one more FLOP per output element of a biased layer
  anyway. Pooling FLOPs count the window arithmetic, every window at its full kernel
  size (padding cells included): max ``prod(K) − 1`` comparisons, average
  ``prod(K) − 1`` adds + 1 divide, Lp ``prod(K)`` powers + ``prod(K) − 1`` adds + 1 root.
* **Transposed conv** MACs are counted on the INPUT grid:
  ``N·C_in·(C_out/g)·prod(K)·prod(S_in)`` — every input cell multiplies its group's
  whole kernel once per output channel, which is what the scatter computes (and what the
  conv whose gradient it is costs). Counting on the output grid, as thop and ptflops long
  did (ultralytics/thop#92, sovrasov/flops-counter.pytorch#149; fvcore#78 fixed it),
  overstates the cost by about ``prod(stride)``. ``torch.utils.flop_counter`` agrees with
  the input-grid count.
* **activations**: ``output_elements`` = ``N·prod(output_shape)``; bytes at 4 per element
  (float32) unless told otherwise.

Example (the grouped-conv example of the source articles: 64→64, 3×3, 8 groups):

>>> conv((64, 56, 56), 64, 3, padding=1, bias=False).params
36864
>>> conv((64, 56, 56), 64, 3, padding=1, groups=8, bias=False).params
4608
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import _args, shapes


@dataclass(frozen=True)
class LayerCount:
    """What one layer costs, computed from shapes alone.

    Attributes:
        kind: the op ("conv", "conv_transpose", "depthwise", "max_pool", ...).
        input_shape: per-sample input ``(C, *spatial)``.
        output_shape: per-sample output ``(C_out, *spatial_out)``.
        params: number of learnable parameters (weights + biases).
        macs: multiply-accumulates for ``batch`` samples.
        flops: floating-point operations for ``batch`` samples (see module conventions).
        padding: resolved ``((before, after), ...)`` per spatial dim (of the first stage
            for multi-stage layers; per dim of its own pass for spatially separable ones).
        effective_kernel: ``d·(k − 1) + 1`` per spatial dim (of the whole layer).
        batch: N.
        stages: the parts of a multi-stage layer (separable: depthwise then pointwise;
            spatially separable: one 1-D pass per dim), each a ``LayerCount``.
    """

    kind: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    flops: int
    padding: tuple[tuple[int, int], ...]
    effective_kernel: tuple[int, ...]
    batch: int = 1
    stages: tuple[LayerCount, ...] = field(default=())

    @property
    def output_elements(self) -> int:
        """Elements of the output activation for the whole batch: ``N·prod(output_shape)``."""
        return self.batch * math.prod(self.output_shape)

    def activation_bytes(self, itemsize: int = 4) -> int:
        """Bytes of the output activation for the whole batch (float32 by default).

        >>> conv((3, 8, 8), 4, 3).activation_bytes()   # 4 x 6 x 6 floats
        576
        """
        return self.output_elements * _args.positive_int(itemsize, "itemsize")

    def to_dict(self) -> dict:
        """Plain dict (JSON-ready) of every field, plus ``output_elements``."""
        return {
            "kind": self.kind,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "padding": [list(p) for p in self.padding],
            "effective_kernel": list(self.effective_kernel),
            "params": self.params,
            "macs": self.macs,
            "flops": self.flops,
            "batch": self.batch,
            "output_elements": self.output_elements,
            "stages": [s.to_dict() for s in self.stages],
        }


# --------------------------------------------------------------------------- checks

def _input_shape(input_shape) -> tuple[int, ...]:
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__len__"):
        raise TypeError("input_shape must be a sequence (C, *spatial) of ints; "
                        f"got input_shape={input_shape!r}")
    if len(input_shape) < 2:
        raise ValueError("input_shape must be (C, *spatial) with at least one spatial dim; "
                         f"got input_shape={tuple(input_shape)!r}")
    return _args.positive_tuple(tuple(input_shape), len(input_shape), "input_shape")


def _groups(groups, in_channels: int, out_channels: int) -> int:
    groups = _args.positive_int(groups, "groups")
    if in_channels % groups:
        raise ValueError(f"groups must divide in_channels; got groups={groups}, "
                         f"in_channels={in_channels}")
    if out_channels % groups:
        raise ValueError(f"groups must divide out_channels; got groups={groups}, "
                         f"out_channels={out_channels}")
    return groups


def _effective(kernel: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(shapes.effective_kernel_size(k, d) for k, d in zip(kernel, dilation, strict=True))


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {name}={value!r}")
    return value


def _bias_flops(has_bias: bool, bias_flops: bool, out_elements: int) -> int:
    return out_elements if (has_bias and _flag(bias_flops, "bias_flops")) else 0


# --------------------------------------------------------------------------- closed forms

def conv_params(in_channels: int, out_channels: int, kernel_size, groups: int = 1,
                bias: bool = True) -> int:
    """Parameters of a (grouped) convolution: ``C_out·(C_in/g)·prod(K) + C_out·bias``.

    The same count holds for a transposed convolution, whose weight is
    ``(C_in, C_out/g, *K)``.

    Args:
        in_channels, out_channels: C_in, C_out. kernel_size: int or one int per dim.
        groups: g, dividing both channel counts. bias: whether there is a bias (C_out,).

    Returns:
        int.

    Raises:
        ValueError/TypeError: non-positive sizes, groups not dividing the channels.

    >>> conv_params(3, 10, (3, 3))          # ten 3x3x3 filters with bias
    280
    """
    c_in = _args.positive_int(in_channels, "in_channels")
    c_out = _args.positive_int(out_channels, "out_channels")
    n = len(kernel_size) if isinstance(kernel_size, (tuple, list)) else 1
    k = _args.positive_tuple(kernel_size, n, "kernel_size")
    g = _groups(groups, c_in, c_out)
    return c_out * (c_in // g) * math.prod(k) + (c_out if _flag(bias, "bias") else 0)


# --------------------------------------------------------------------------- convolutions

def conv(input_shape, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
         groups: int = 1, bias: bool = True, *, batch: int = 1,
         bias_flops: bool = False) -> LayerCount:
    """Counts of a convolution (any number of spatial dims, grouped or not).

    MACs = ``N·prod(S_out)·C_out·(C_in/g)·prod(K)``; FLOPs = 2·MACs (+ bias adds with
    ``bias_flops``).

    Args:
        input_shape: (C_in, *spatial), e.g. (C, H, W).
        out_channels: C_out.
        kernel_size, stride, dilation: int or one int per spatial dim.
        padding: any form of :func:`convzoo.shapes.resolve_padding` (int, per-dim,
            per-side pairs, 'valid', 'same', 'same_lower', 'full').
        groups: g, dividing C_in and C_out. bias: whether the layer has a bias.
        batch: N. bias_flops: count one FLOP per output element for the bias add.

    Returns:
        LayerCount with output_shape (C_out, *S_out).

    Raises:
        ValueError/TypeError: bad sizes, groups not dividing the channels, a kernel
        larger than the padded input.

    >>> c = conv((3, 32, 32), 8, 3, stride=2, padding="same")
    >>> c.output_shape, c.params, c.macs
    ((8, 16, 16), 224, 55296)
    """
    return _conv("conv", input_shape, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, batch, bias_flops)


def _conv(kind, input_shape, out_channels, kernel_size, stride, padding, dilation, groups, bias,
          batch, bias_flops) -> LayerCount:
    shape = _input_shape(input_shape)
    c_in, spatial, n = shape[0], shape[1:], len(shape) - 1
    c_out = _args.positive_int(out_channels, "out_channels")
    kernel = _args.positive_tuple(kernel_size, n, "kernel_size")
    stride = _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    g = _groups(groups, c_in, c_out)
    batch = _args.positive_int(batch, "batch")
    has_bias = _flag(bias, "bias")
    pads = shapes.resolve_padding(padding, spatial, kernel, stride, dilation)
    out = shapes.conv_output_size(spatial, kernel, stride, pads, dilation)
    out_shape = (c_out, *out)
    macs = batch * math.prod(out_shape) * (c_in // g) * math.prod(kernel)
    out_elements = batch * math.prod(out_shape)
    return LayerCount(
        kind=kind, input_shape=shape, output_shape=out_shape,
        params=c_out * (c_in // g) * math.prod(kernel) + (c_out if has_bias else 0),
        macs=macs, flops=2 * macs + _bias_flops(has_bias, bias_flops, out_elements),
        padding=pads,
        effective_kernel=_effective(kernel, dilation),
        batch=batch)


def grouped_conv(input_shape, out_channels: int, kernel_size, groups: int, stride=1, padding=0,
                 dilation=1, bias: bool = True, *, batch: int = 1,
                 bias_flops: bool = False) -> LayerCount:
    """Counts of a grouped convolution: :func:`conv` with ``groups`` required.

    Params and MACs are ``1/g`` of the dense conv's weights (AlexNet's two-GPU split,
    ResNeXt, ShuffleNet).

    Args:
        as :func:`conv`; ``groups`` must divide C_in and C_out.

    Returns:
        LayerCount (kind "grouped_conv").

    >>> grouped_conv((64, 8, 8), 64, 3, groups=8, bias=False).params
    4608
    """
    return _conv("grouped_conv", input_shape, out_channels, kernel_size, stride, padding,
                 dilation, groups, bias, batch, bias_flops)


def conv_transpose(input_shape, out_channels: int, kernel_size, stride=1, padding=0,
                   output_padding=0, groups: int = 1, bias: bool = True, dilation=1, *,
                   output_size=None, batch: int = 1, bias_flops: bool = False) -> LayerCount:
    """Counts of a transposed convolution, its MACs counted on the INPUT grid.

    MACs = ``N·C_in·(C_out/g)·prod(K)·prod(S_in)``: each input cell multiplies its
    group's kernel once per output channel and scatters the products into the output —
    the work the op does, equal to the MACs of the conv it is the gradient of. Tools
    that count on the output grid (thop and ptflops, until 2025: ultralytics/thop#92,
    sovrasov/flops-counter.pytorch#149) overstate this by roughly ``prod(stride)``.
    Output-padding cells and cropped (``padding``) cells do not change the count.

    Args:
        input_shape: (C_in, *spatial).
        out_channels: C_out. kernel_size, stride, dilation: int or per dim.
        padding: int, per-dim ints or per-side pairs (no modes; as PyTorch).
        output_padding: int or per dim, smaller than stride or dilation.
        groups: g. bias: whether there is a bias (C_out,).
        output_size: spatial output size to pick among the valid ones (instead of
            output_padding).
        batch: N. bias_flops: one FLOP per output element for the bias add.

    Returns:
        LayerCount with output_shape (C_out, *S_out).

    Raises:
        ValueError/TypeError: bad sizes, output_padding too large, unreachable
        output_size, both output_padding and output_size given.

    >>> t = conv_transpose((1, 2, 2), 1, 3, stride=2)   # 2x2 -> 5x5, as the articles draw it
    >>> t.output_shape, t.macs
    ((1, 5, 5), 36)
    """
    shape = _input_shape(input_shape)
    c_in, spatial, n = shape[0], shape[1:], len(shape) - 1
    c_out = _args.positive_int(out_channels, "out_channels")
    kernel = _args.positive_tuple(kernel_size, n, "kernel_size")
    stride = _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    g = _groups(groups, c_in, c_out)
    batch = _args.positive_int(batch, "batch")
    has_bias = _flag(bias, "bias")
    pads = shapes.resolve_padding(padding, spatial, kernel, stride, dilation, modes=())
    if output_size is not None:
        if output_padding not in (0, (0,) * n, [0] * n):
            raise ValueError("give output_padding or output_size, not both; got "
                             f"output_padding={output_padding!r}, output_size={output_size!r}")
        output_padding = shapes.output_padding_for_size(spatial, kernel, output_size, stride,
                                                        pads, dilation)
    out = shapes.conv_transpose_output_size(spatial, kernel, stride, pads, output_padding,
                                            dilation)
    out_shape = (c_out, *out)
    weights = c_in * (c_out // g) * math.prod(kernel)
    macs = batch * weights * math.prod(spatial)
    return LayerCount(
        kind="conv_transpose", input_shape=shape, output_shape=out_shape,
        params=weights + (c_out if has_bias else 0),
        macs=macs,
        flops=2 * macs + _bias_flops(has_bias, bias_flops, batch * math.prod(out_shape)),
        padding=pads,
        effective_kernel=_effective(kernel, dilation),
        batch=batch)


def depthwise_conv(input_shape, kernel_size, depth_multiplier: int = 1, stride=1, padding=0,
                   dilation=1, bias: bool = True, *, batch: int = 1,
                   bias_flops: bool = False) -> LayerCount:
    """Counts of a depthwise conv: ``M`` filters per input channel (groups = C).

    Params ``C·M·prod(K)`` (+ ``C·M`` bias); MACs ``N·prod(S_out)·C·M·prod(K)``.

    Args:
        input_shape: (C, *spatial). kernel_size, stride, dilation: int or per dim.
        depth_multiplier: M, output channels C·M. padding: any form of ``conv``.
        bias: bias (C·M,). batch: N. bias_flops: count bias adds.

    Returns:
        LayerCount (kind "depthwise") with output_shape (C·M, *S_out).

    >>> depthwise_conv((3, 64, 64), 3, bias=False, padding=1).params   # 3 filters of 3x3
    27
    """
    shape = _input_shape(input_shape)
    m = _args.positive_int(depth_multiplier, "depth_multiplier")
    return _conv("depthwise", shape, shape[0] * m, kernel_size, stride, padding, dilation,
                 shape[0], bias, batch, bias_flops)


def pointwise_conv(input_shape, out_channels: int, bias: bool = True, *, batch: int = 1,
                   bias_flops: bool = False) -> LayerCount:
    """Counts of a pointwise (1×1) conv: a per-pixel linear map C_in → C_out.

    Params ``C_in·C_out`` (+ ``C_out``); MACs ``N·prod(S)·C_in·C_out``.

    Args:
        input_shape: (C_in, *spatial). out_channels: C_out. bias, batch, bias_flops:
            as :func:`conv`.

    Returns:
        LayerCount (kind "pointwise") with output_shape (C_out, *spatial).

    >>> pointwise_conv((3, 64, 64), 4, bias=False).params
    12
    """
    shape = _input_shape(input_shape)
    return _conv("pointwise", shape, out_channels, 1, 1, 0, 1, 1, bias, batch, bias_flops)


def separable_conv(input_shape, out_channels: int, kernel_size, depth_multiplier: int = 1,
                   stride=1, padding=0, dilation=1, bias: bool = True, *, batch: int = 1,
                   bias_flops: bool = False) -> LayerCount:
    """Counts of a depthwise-separable conv: depthwise k×k (no bias) then pointwise 1×1.

    Params ``C·M·prod(K) + C·M·C_out`` (+ ``C_out`` bias after the pointwise stage);
    MACs the sum of the two stages. With M = 1, stride and padding shared, its MACs are
    ``1/C_out + 1/prod(K)`` of a standard conv's (MobileNet's ratio).

    Args:
        input_shape: (C, *spatial). out_channels: C_out.
        kernel_size, stride, padding, dilation: of the depthwise stage, as :func:`conv`.
        depth_multiplier: M. bias: one bias (C_out,) after the pointwise stage.
        batch: N. bias_flops: count bias adds.

    Returns:
        LayerCount (kind "separable") whose ``stages`` are the depthwise and pointwise
        counts.

    >>> separable_conv((16, 8, 8), 32, 3, bias=False).params   # 16*3*3 + 16*32
    656
    """
    dw = depthwise_conv(input_shape, kernel_size, depth_multiplier, stride, padding, dilation,
                        bias=False, batch=batch)
    pw = pointwise_conv(dw.output_shape, out_channels, bias, batch=batch, bias_flops=bias_flops)
    return LayerCount(
        kind="separable", input_shape=dw.input_shape, output_shape=pw.output_shape,
        params=dw.params + pw.params, macs=dw.macs + pw.macs, flops=dw.flops + pw.flops,
        padding=dw.padding, effective_kernel=dw.effective_kernel, batch=dw.batch,
        stages=(dw, pw))


def _along(dim: int, n: int, value, rest) -> tuple:
    """``value`` in spatial dim ``dim``, ``rest`` in the other ``n - 1`` dims."""
    return tuple(value if d == dim else rest for d in range(n))


def spatially_separable_conv(input_shape, out_channels: int, kernel_size, stride=1, padding=0,
                             bias: bool = True, *, batch: int = 1,
                             bias_flops: bool = False) -> LayerCount:
    """Counts of a spatially separable conv: one 1-D pass per spatial dim.

    In 2-d: a ``kh×1`` conv C_in → C_out, then a ``1×kw`` conv C_out → C_out (the rank-1
    factorisation of a ``kh×kw`` kernel, e.g. Sobel = [1,2,1]ᵀ·[1,0,−1], 6 weights for
    9). The padding is resolved for the whole ``kh×kw`` kernel and each pass takes its
    own dimension's padding and stride, so the output has the same size as the
    ``kh×kw`` conv's. Params ``C_out·C_in·kh + C_out·C_out·kw`` (+ ``C_out`` bias after
    the last pass).

    Args:
        input_shape: (C_in, *spatial). out_channels: C_out.
        kernel_size, stride: int or per dim. padding: any form of :func:`conv`.
        bias: one bias (C_out,) after the last pass. batch: N. bias_flops: bias adds.

    Returns:
        LayerCount (kind "spatially_separable") with one stage per pass.

    >>> spatially_separable_conv((1, 6, 6), 1, 3, bias=False).params   # Sobel: 3 + 3
    6
    """
    shape = _input_shape(input_shape)
    spatial, n = shape[1:], len(shape) - 1
    kernel = _args.positive_tuple(kernel_size, n, "kernel_size")
    stride = _args.positive_tuple(stride, n, "stride")
    pads = shapes.resolve_padding(padding, spatial, kernel, stride)
    has_bias = _flag(bias, "bias")
    stages, current = [], shape
    for dim in range(n):
        stage = _conv("conv", current, out_channels, _along(dim, n, kernel[dim], 1),
                      _along(dim, n, stride[dim], 1), _along(dim, n, pads[dim], (0, 0)), 1, 1,
                      has_bias and dim == n - 1, batch, bias_flops)
        stages.append(stage)
        current = stage.output_shape
    return LayerCount(
        kind="spatially_separable", input_shape=shape, output_shape=current,
        params=sum(s.params for s in stages), macs=sum(s.macs for s in stages),
        flops=sum(s.flops for s in stages), padding=pads, effective_kernel=kernel,
        batch=stages[0].batch, stages=tuple(stages))


def global_depthwise_conv(input_shape, bias: bool = False, *, batch: int = 1,
                          bias_flops: bool = False) -> LayerCount:
    """Counts of a global depthwise conv (MobileFaceNet's GDC): a depthwise kernel as large
    as the feature map, one learned weight per position and channel.

    Params ``C·prod(S)``; MACs ``N·C·prod(S)``; output (C, 1, ..., 1).

    Args:
        input_shape: (C, *spatial); the kernel is ``spatial``. bias: bias (C,).
        batch: N. bias_flops: bias adds.

    Returns:
        LayerCount (kind "global_depthwise").

    >>> global_depthwise_conv((512, 7, 7)).params
    25088
    """
    shape = _input_shape(input_shape)
    c = _conv("global_depthwise", shape, shape[0], shape[1:], 1, 0, 1, shape[0], bias, batch,
              bias_flops)
    return c


# --------------------------------------------------------------------------- pooling

def _pool(kind, input_shape, kernel_size, stride, padding, dilation, ceil_mode, batch,
          ops_per_window) -> LayerCount:
    shape = _input_shape(input_shape)
    spatial, n = shape[1:], len(shape) - 1
    kernel = _args.positive_tuple(kernel_size, n, "kernel_size")
    stride = kernel if stride is None else _args.positive_tuple(stride, n, "stride")
    dilation = _args.positive_tuple(dilation, n, "dilation")
    batch = _args.positive_int(batch, "batch")
    pads = shapes.resolve_padding(padding, spatial, kernel, stride, dilation)
    out = shapes.pool_output_size(spatial, kernel, stride, pads, dilation,
                                  _flag(ceil_mode, "ceil_mode"))
    out_shape = (shape[0], *out)
    return LayerCount(
        kind=kind, input_shape=shape, output_shape=out_shape, params=0, macs=0,
        flops=batch * math.prod(out_shape) * ops_per_window(math.prod(kernel)),
        padding=pads,
        effective_kernel=_effective(kernel, dilation),
        batch=batch)


def max_pool(input_shape, kernel_size, stride=None, padding=0, dilation=1,
             ceil_mode: bool = False, *, batch: int = 1) -> LayerCount:
    """Counts of max pooling: no params, 0 MACs, ``prod(K) − 1`` comparisons per output.

    Args:
        input_shape: (C, *spatial). kernel_size, dilation: int or per dim.
        stride: defaults to kernel_size. padding: any form of ``resolve_padding``.
        ceil_mode: PyTorch's rule. batch: N.

    Returns:
        LayerCount (kind "max_pool"), output (C, *S_out).

    >>> p = max_pool((1, 4, 4), 2)
    >>> p.output_shape, p.flops
    ((1, 2, 2), 12)
    """
    return _pool("max_pool", input_shape, kernel_size, stride, padding, dilation, ceil_mode,
                 batch, lambda k: k - 1)


def avg_pool(input_shape, kernel_size, stride=None, padding=0, ceil_mode: bool = False, *,
             dilation=1, batch: int = 1) -> LayerCount:
    """Counts of average pooling: ``prod(K) − 1`` adds + 1 divide = ``prod(K)`` FLOPs per output.

    ``count_include_pad`` / ``divisor_override`` change the divisor, not the count.

    Args:
        as :func:`max_pool`.

    Returns:
        LayerCount (kind "avg_pool").

    >>> avg_pool((1, 4, 4), 2).flops
    16
    """
    return _pool("avg_pool", input_shape, kernel_size, stride, padding, dilation, ceil_mode,
                 batch, lambda k: k)


def lp_pool(input_shape, norm_type, kernel_size, stride=None, ceil_mode: bool = False, *,
            padding=0, dilation=1, batch: int = 1) -> LayerCount:
    """Counts of Lp pooling ``(Σ|x|^p)^(1/p)``: ``prod(K)`` powers, ``prod(K) − 1`` adds and
    one root = ``2·prod(K)`` FLOPs per output.

    Args:
        input_shape: (C, *spatial). norm_type: p > 0. Others as :func:`max_pool`.

    Returns:
        LayerCount (kind "lp_pool").

    >>> lp_pool((1, 4, 4), 2, 2).flops
    32
    """
    _args.check_positive_number(norm_type, "norm_type")
    return _pool("lp_pool", input_shape, kernel_size, stride, padding, dilation, ceil_mode,
                 batch, lambda k: 2 * k)


def global_avg_pool(input_shape, *, batch: int = 1) -> LayerCount:
    """Counts of global average pooling: ``prod(S)`` FLOPs per channel, output (C, 1, ..., 1).

    >>> global_avg_pool((512, 7, 7)).flops
    25088
    """
    shape = _input_shape(input_shape)
    return _pool("global_avg_pool", shape, shape[1:], None, 0, 1, False, batch, lambda k: k)


def global_max_pool(input_shape, *, batch: int = 1) -> LayerCount:
    """Counts of global max pooling: ``prod(S) − 1`` comparisons per channel.

    >>> global_max_pool((2, 3, 3)).flops
    16
    """
    shape = _input_shape(input_shape)
    return _pool("global_max_pool", shape, shape[1:], None, 0, 1, False, batch, lambda k: k - 1)


__all__ = [
    "LayerCount", "avg_pool", "conv", "conv_params", "conv_transpose", "depthwise_conv",
    "global_avg_pool", "global_depthwise_conv", "global_max_pool", "grouped_conv", "lp_pool",
    "max_pool", "pointwise_conv", "separable_conv", "spatially_separable_conv",
]
