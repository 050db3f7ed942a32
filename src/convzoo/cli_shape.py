"""``convzoo shape``: one layer's output size (with the formula filled in), padding, counts.

The numbers come from :mod:`convzoo.shapes` (sizes, paddings) and :mod:`convzoo.counts`
(params, MACs, FLOPs); this module only checks which options apply to which op and
writes the arithmetic out so a student can redo it by hand.
"""

from __future__ import annotations

import argparse
import math

from . import counts, shapes
from .cli_args import (
    SidePadding,
    dims,
    fmt_dims,
    fmt_int,
    int_or_dims,
    padding,
    positive,
    print_json,
)

OPS = ("conv", "conv_transpose", "depthwise", "pointwise", "separable", "spatially_separable",
       "max_pool", "avg_pool", "lp_pool")
POOLS = ("max_pool", "avg_pool", "lp_pool")
_CONVS = {"conv", "conv_transpose", "depthwise", "pointwise", "separable", "spatially_separable"}

# Which layer options mean something for each op; anything else given is an error.
APPLIES = {
    "conv": {"out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"},
    "conv_transpose": {"out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                       "bias", "output_padding", "output_size"},
    "depthwise": {"out_channels", "kernel_size", "stride", "padding", "dilation",
                  "depth_multiplier", "bias"},
    "pointwise": {"out_channels", "bias"},
    "separable": {"out_channels", "kernel_size", "stride", "padding", "dilation",
                  "depth_multiplier", "bias"},
    "spatially_separable": {"out_channels", "kernel_size", "stride", "padding", "bias"},
    "max_pool": {"kernel_size", "stride", "padding", "dilation", "ceil_mode"},
    "avg_pool": {"kernel_size", "stride", "padding", "dilation", "ceil_mode"},
    "lp_pool": {"kernel_size", "stride", "padding", "dilation", "ceil_mode", "norm_type"},
}
LAYER_OPTIONS = ("out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                 "depth_multiplier", "output_padding", "output_size", "ceil_mode", "bias",
                 "norm_type")

JSON_HELP = """\
--json prints one object with the keys:
  op, input_shape ([C, *spatial]), output_shape ([C_out, *spatial_out]),
  padding ([[before, after] per spatial dim]), effective_kernel (d*(k-1)+1 per dim),
  params, macs, flops (integers; batch N included in macs/flops),
  formula (one string per spatial dim, the output-size formula with the numbers),
  formula_symbolic, explain ({params, macs, flops}: the same sums written out),
  output_elements, activation_bytes (float32), batch, stages (multi-stage layers).

conventions: FLOPs = 2*MACs for convs (bias adds not counted); transposed convs
are counted on the INPUT grid; pooling has 0 MACs and counts its window ops as FLOPs.
Input without channels (HxW, L, DxHxW) means C=1; 3 values are CxHxW unless
--ndim 3 or a 3-d --kernel-size says DxHxW.

examples:
  convzoo shape --input 3x32x32 --out-channels 8 --kernel-size 3 --stride 2 --padding same
  convzoo shape --op conv_transpose --input 1x2x2 --kernel-size 3 --stride 2
  convzoo shape --op max_pool --input 64x7x7 --kernel-size 2 --ceil-mode --json
"""


def add_parser(sub) -> None:
    """Register ``convzoo shape`` on the subparsers ``sub``."""
    p = sub.add_parser(
        "shape", help="output size, padding, params and MACs of one layer",
        description="Output size of one conv/pool layer with its formula filled in, the "
                    "resolved padding, effective kernel, params, MACs and FLOPs.",
        epilog=JSON_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--op", choices=OPS, default="conv", help="the layer (default: conv)")
    p.add_argument("--input", type=dims, required=True, metavar="CxHxW",
                   help="per-sample input: CxHxW, HxW, L, CxL, DxHxW, CxDxHxW")
    p.add_argument("--ndim", type=int, choices=(1, 2, 3), default=None,
                   help="spatial dims (default: from the tuples given, else 2 when --input has "
                        "2 or 3 values)")
    p.add_argument("--out-channels", type=positive, default=None, metavar="O",
                   help="output channels (default: the input channels; depthwise: C*M)")
    p.add_argument("--kernel-size", type=int_or_dims(1), default=None, metavar="K|AxB")
    p.add_argument("--stride", type=int_or_dims(1), default=None, metavar="S|AxB",
                   help="default 1 (pooling: the kernel size)")
    p.add_argument("--padding", type=padding, default=None, metavar="P",
                   help="int, AxB (per dim), valid, same, same_lower, full, or per side "
                        "T,B,L,R (before,after per dim); default 0")
    p.add_argument("--dilation", type=int_or_dims(1), default=None, metavar="D|AxB")
    p.add_argument("--groups", type=positive, default=None, metavar="G")
    p.add_argument("--depth-multiplier", type=positive, default=None, metavar="M")
    p.add_argument("--output-padding", type=int_or_dims(0), default=None, metavar="P|AxB",
                   help="conv_transpose only; smaller than stride or dilation")
    p.add_argument("--output-size", type=int_or_dims(1), default=None, metavar="HxW",
                   help="conv_transpose only: pick the output size instead of --output-padding")
    p.add_argument("--ceil-mode", action="store_true", default=None,
                   help="pooling: round the output size up (PyTorch's rule)")
    p.add_argument("--norm-type", type=float, default=None, metavar="P",
                   help="lp_pool: the p of (sum |x|^p)^(1/p) (default 2)")
    p.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None,
                   help="whether the conv has a bias (default: yes)")
    p.add_argument("--batch", type=positive, default=1, metavar="N",
                   help="batch size N for MACs/FLOPs/activations (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object (keys below)")
    p.set_defaults(run=run)


# --------------------------------------------------------------------------- arguments

def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_applicable(a) -> None:
    for name in LAYER_OPTIONS:
        if getattr(a, name) is not None and name not in APPLIES[a.op]:
            raise ValueError(f"{_option(name)} does not apply to --op {a.op}")
    if a.op in _CONVS - {"pointwise"} and a.kernel_size is None:
        raise ValueError(f"--kernel-size is required for --op {a.op}")
    if a.op in POOLS and a.kernel_size is None:
        raise ValueError(f"--kernel-size is required for --op {a.op}")
    if a.op == "conv_transpose" and isinstance(a.padding, str):
        raise ValueError(f"--padding {a.padding!r} does not apply to --op conv_transpose; give "
                         "an int, AxB or per-side T,B,L,R")
    if a.output_padding is not None and a.output_size is not None:
        raise ValueError("give --output-padding or --output-size, not both")


def _ndim(a) -> int:
    if a.ndim is not None:
        return a.ndim
    for value in (a.kernel_size, a.stride, a.dilation, a.output_padding, a.output_size):
        if isinstance(value, tuple):
            return len(value)
    if isinstance(a.padding, SidePadding):
        if len(a.padding) % 2 == 0:
            return len(a.padding) // 2
    elif isinstance(a.padding, tuple):
        return len(a.padding)
    return {1: 1, 2: 2, 3: 2}.get(len(a.input), len(a.input) - 1)


def _input_shape(a, n: int) -> tuple[int, ...]:
    if len(a.input) == n:
        return (1, *a.input)
    if len(a.input) == n + 1:
        return tuple(a.input)
    raise ValueError(f"--input has {len(a.input)} values but the layer is {n}-d: give "
                     f"{n} spatial sizes, optionally after the channels; got --input="
                     f"{fmt_dims(a.input)}")


def _padding(a, n: int):
    if a.padding is None:
        return 0
    if isinstance(a.padding, SidePadding):
        return a.padding.pairs(n)
    return a.padding


# --------------------------------------------------------------------------- counting

def _count(a, shape, n) -> counts.LayerCount:
    op, c_in = a.op, shape[0]
    out = c_in if a.out_channels is None else a.out_channels
    bias = True if a.bias is None else a.bias
    k, pad = a.kernel_size, _padding(a, n)
    stride = 1 if a.stride is None else a.stride
    dil = 1 if a.dilation is None else a.dilation
    m = a.depth_multiplier
    batch = a.batch
    if op == "conv":
        return counts.conv(shape, out, k, stride, pad, dil, a.groups or 1, bias, batch=batch)
    if op == "conv_transpose":
        return counts.conv_transpose(shape, out, k, stride, pad, a.output_padding or 0,
                                     a.groups or 1, bias, dil, output_size=a.output_size,
                                     batch=batch)
    if op == "depthwise":
        if a.out_channels is not None:
            if m is None and a.out_channels % c_in == 0:
                m = a.out_channels // c_in
            if a.out_channels != c_in * (m or 1):
                raise ValueError(
                    f"--out-channels of a depthwise conv must be C*M = {c_in}*{m or 1}; got "
                    f"--out-channels={a.out_channels}")
        return counts.depthwise_conv(shape, k, m or 1, stride, pad, dil, bias, batch=batch)
    if op == "pointwise":
        return counts.pointwise_conv(shape, out, bias, batch=batch)
    if op == "separable":
        return counts.separable_conv(shape, out, k, m or 1, stride, pad, dil, bias, batch=batch)
    if op == "spatially_separable":
        return counts.spatially_separable_conv(shape, out, k, stride, pad, bias, batch=batch)
    ceil = bool(a.ceil_mode)
    if op == "max_pool":
        return counts.max_pool(shape, k, a.stride, pad, dil, ceil, batch=batch)
    if op == "avg_pool":
        return counts.avg_pool(shape, k, a.stride, pad, ceil, dilation=dil, batch=batch)
    p = 2.0 if a.norm_type is None else a.norm_type
    return counts.lp_pool(shape, p, k, a.stride, ceil, padding=pad, dilation=dil, batch=batch)


# --------------------------------------------------------------------------- explaining

def _names(n: int) -> list[str]:
    return {1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"]}.get(n, [f"S{i}" for i in range(n)])


def _kernel_symbol(n: int) -> str:
    return {1: "k", 2: "kh*kw", 3: "kd*kh*kw"}.get(n, "prod(k)")


def _tup(value, n: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,) * n


def _star(values) -> str:
    return "*".join(str(v) for v in values)


def _window_formula(name, i, pad, k, s, d, out, ceil) -> str:
    span = i + pad[0] + pad[1] - (d * (k - 1) + 1)
    rounded = (-(-span // s) if ceil else span // s) + 1
    text = (f"{name}_out = {'ceil' if ceil else 'floor'}(({i} + {pad[0]} + {pad[1]} - "
            f"{d}*({k} - 1) - 1) / {s}) + 1")
    if rounded != out:   # ceil_mode's last window would start in the right padding
        return f"{text} = {rounded} - 1 = {out} (last window would start in the padding)"
    return f"{text} = {out}"


def _formulas(a, layer: counts.LayerCount, n: int) -> tuple[str, list[str]]:
    names, spatial, out = _names(n), layer.input_shape[1:], layer.output_shape[1:]
    op = a.op
    if op == "pointwise":
        return "X_out = X (1x1 kernel, stride 1, no padding)", [
            f"{x}_out = {x} = {o}" for x, o in zip(names, out, strict=True)]
    kernel = _tup(a.kernel_size, n)
    stride = _tup(a.stride if a.stride is not None else (kernel if op in POOLS else 1), n)
    dil = _tup(1 if a.dilation is None else a.dilation, n)
    if op == "conv_transpose":
        extra = _tup(a.output_padding or 0, n)
        if a.output_size is not None:
            extra = shapes.output_padding_for_size(spatial, kernel, a.output_size, stride,
                                                   layer.padding, dil)
        rows = [f"{x}_out = ({i} - 1)*{s} - {p[0]} - {p[1]} + {d}*({k} - 1) + 1 + {e} = {o}"
                for x, i, s, p, d, k, e, o in zip(names, spatial, stride, layer.padding, dil,
                                                   kernel, extra, out, strict=True)]
        return ("X_out = (X - 1)*stride - pad_before - pad_after + dilation*(k - 1) + 1 "
                "+ output_padding"), rows
    ceil = bool(a.ceil_mode)
    symbolic = (f"X_out = {'ceil' if ceil else 'floor'}((X + pad_before + pad_after - "
                "dilation*(k - 1) - 1) / stride) + 1")
    rows = [_window_formula(x, i, p, k, s, d, o, ceil)
            for x, i, p, k, s, d, o in zip(names, spatial, layer.padding, kernel, stride, dil, out,
                                           strict=True)]
    if op == "separable":
        symbolic += "  (depthwise stage; the pointwise 1x1 keeps the size)"
    if op == "spatially_separable":
        symbolic += "  (each 1-D pass changes only its own dim)"
    return symbolic, rows


def _explain(a, layer: counts.LayerCount, n: int) -> dict:
    op, c_in = a.op, layer.input_shape[0]
    ksym, kernel = _kernel_symbol(n), _tup(a.kernel_size or 1, n)
    nsym = "N*" if layer.batch > 1 else ""
    npre = f"{layer.batch}*" if layer.batch > 1 else ""
    osym = "*".join(f"{x}_out" for x in _names(n))
    out_sp = _star(layer.output_shape[1:])
    in_sp = _star(layer.input_shape[1:])
    bias = True if a.bias is None else a.bias
    if op in POOLS:
        per = {"max_pool": ("prod(k) - 1 comparisons", math.prod(kernel) - 1),
               "avg_pool": ("prod(k) - 1 adds + 1 divide", math.prod(kernel)),
               "lp_pool": ("prod(k) powers + prod(k) - 1 adds + 1 root", 2 * math.prod(kernel))}
        words, ops = per[op]
        return {"params": "0 (pooling has no weights)", "macs": "0 (no weights to multiply)",
                "flops": f"{nsym}C*{osym} * ({words}) = {npre}{c_in}*{out_sp} * {ops} "
                         f"= {layer.flops}"}
    flops = f"2*MACs = 2*{layer.macs} = {layer.flops}"
    if op == "depthwise":
        cm = layer.output_shape[0]
        b = f" + {cm}" if bias else ""
        return {
            "params": f"C*M*{ksym}{' + C*M' if bias else ''} = {cm}*{_star(kernel)}{b} = "
                      f"{layer.params}",
            "macs": f"{nsym}C*M*{osym} * {ksym} = {npre}{cm}*{out_sp} * {_star(kernel)} = "
                    f"{layer.macs}",
            "flops": flops}
    if op == "conv":
        c_out, g = layer.output_shape[0], a.groups or 1
        b = f" + {c_out}" if bias else ""
        return {
            "params": f"C_out*(C_in/groups)*{ksym}{' + C_out' if bias else ''} = "
                      f"{c_out}*{c_in // g}*{_star(kernel)}{b} = {layer.params}",
            "macs": f"{nsym}C_out*{osym} * (C_in/groups)*{ksym} = {npre}{c_out}*{out_sp} * "
                    f"{c_in // g}*{_star(kernel)} = {layer.macs}",
            "flops": flops}
    if op == "conv_transpose":
        c_out, g = layer.output_shape[0], a.groups or 1
        b = f" + {c_out}" if bias else ""
        isym = "*".join(_names(n))
        return {
            "params": f"C_in*(C_out/groups)*{ksym}{' + C_out' if bias else ''} = "
                      f"{c_in}*{c_out // g}*{_star(kernel)}{b} = {layer.params}",
            "macs": f"{nsym}C_in*{isym} * (C_out/groups)*{ksym} = {npre}{c_in}*{in_sp} * "
                    f"{c_out // g}*{_star(kernel)} = {layer.macs} (counted on the input grid: "
                    "each input cell times its kernel, once per output channel)",
            "flops": flops}
    if op == "pointwise":
        c_out = layer.output_shape[0]
        b = f" + {c_out}" if bias else ""
        return {
            "params": f"C_in*C_out{' + C_out' if bias else ''} = {c_in}*{c_out}{b} = "
                      f"{layer.params}",
            "macs": f"{nsym}C_out*{osym} * C_in = {npre}{c_out}*{out_sp} * {c_in} = {layer.macs}",
            "flops": flops}
    if op == "separable":
        dw, pw = layer.stages
        cm, c_out = dw.output_shape[0], pw.output_shape[0]
        b = f" + {c_out}" if bias else ""
        return {
            "params": f"depthwise C*M*{ksym} + pointwise C*M*C_out{' + C_out' if bias else ''} = "
                      f"{cm}*{_star(kernel)} + {cm}*{c_out}{b} = {layer.params}",
            "macs": f"depthwise {nsym}C*M*{osym}*{ksym} + pointwise {nsym}C_out*{osym}*C*M = "
                    f"{npre}{cm}*{out_sp}*{_star(kernel)} + {npre}{c_out}*{out_sp}*{cm} = "
                    f"{dw.macs} + {pw.macs} = {layer.macs}",
            "flops": flops}
    # spatially separable: one 1-D pass per dim
    parts_p, parts_m = [], []
    for dim, stage in enumerate(layer.stages):
        cin_s, cout_s = stage.input_shape[0], stage.output_shape[0]
        parts_p.append(f"{cout_s}*{cin_s}*{kernel[dim]}")
        parts_m.append(f"{npre}{cout_s}*{_star(stage.output_shape[1:])}*{cin_s}*{kernel[dim]}")
    b = f" + {layer.output_shape[0]}" if bias else ""
    return {
        "params": f"one pass per dim (C_out*C*k_dim){' + C_out' if bias else ''} = "
                  f"{' + '.join(parts_p)}{b} = {layer.params}",
        "macs": f"sum over passes of {nsym}C_out*(pass output)*C*k_dim = {' + '.join(parts_m)} "
                f"= {' + '.join(str(s.macs) for s in layer.stages)} = {layer.macs}",
        "flops": flops}


def _stage_dict(stage: counts.LayerCount) -> dict:
    d = stage.to_dict()
    d.pop("stages")
    return d


def run(a) -> int:
    """Count one layer and print the report (text, or JSON with ``--json``)."""
    _check_applicable(a)
    n = _ndim(a)
    shape = _input_shape(a, n)
    layer = _count(a, shape, n)
    symbolic, rows = _formulas(a, layer, n)
    explain = _explain(a, layer, n)
    report = {
        "op": a.op,
        "input_shape": list(layer.input_shape),
        "output_shape": list(layer.output_shape),
        "padding": [list(p) for p in layer.padding],
        "effective_kernel": list(layer.effective_kernel),
        "params": layer.params,
        "macs": layer.macs,
        "flops": layer.flops,
        "formula": rows,
        "formula_symbolic": symbolic,
        "explain": explain,
        "output_elements": layer.output_elements,
        "activation_bytes": layer.activation_bytes(),
        "batch": layer.batch,
        "stages": [_stage_dict(s) for s in layer.stages],
    }
    if a.json:
        print_json(report)
        return 0
    names = _names(n)
    pad_text = ", ".join(f"{x} ({p[0]}, {p[1]})" for x, p in zip(names, layer.padding, strict=True))
    if isinstance(a.padding, str):
        pad_text += f"   from '{a.padding}'"
    lines = [
        f"{a.op}: input {fmt_dims(layer.input_shape)} -> output {fmt_dims(layer.output_shape)}"
        + (f"  (batch {layer.batch})" if layer.batch > 1 else ""),
        f"output size    {symbolic}",
        *(f"               {r}" for r in rows),
        f"padding        (before, after): {pad_text}",
        f"eff. kernel    {fmt_dims(layer.effective_kernel)}   (dilation*(k - 1) + 1)",
        f"params         {fmt_int(layer.params)}   = {explain['params']}",
        f"MACs           {fmt_int(layer.macs)}   = {explain['macs']}",
        f"FLOPs          {fmt_int(layer.flops)}   = {explain['flops']}",
        f"activation     {fmt_int(layer.output_elements)} elements = "
        f"{fmt_int(layer.activation_bytes())} bytes as float32",
    ]
    print("\n".join(lines))
    return 0
