"""``convzoo compare``: one conv layer's job done by each member of the family, side by side.

For C_in → C_out channels, a k×k kernel and an H×W input: the standard conv, a grouped
conv, the depthwise conv (C → C·M), the pointwise 1×1 (C·M → C_out, the second half of
the separable conv, on the depthwise output grid), the depthwise-separable conv (their
sum), the spatially separable conv (k×1 then 1×k), and with ``--stack N`` N stacked k×k
convs against the one conv with the same receptive field. Every count comes from
:mod:`convzoo.counts`; the ratios are to the standard conv.

The worked numbers of the source articles, reproduced by this command:

* 64→64, 3×3, 8 groups: 36,864 vs 4,608 params;
* 16→32, 3×3: standard 4,608 vs depthwise-separable 656 (16·9 + 16·32);
* 3→4, 3×3: 108 vs depthwise 27 + pointwise 12 = 39;
* 3→10, 3×3 with ``--bias``: 280;
* ``--stack 3``: three 3×3 convs C→C, 27C² weights, against one 7×7, 49C²;
* MobileNet: separable / standard MACs = 1/C_out + 1/k² (shown below the table).

Model mode (``--model NAME --swap grouped|separable``): the zoo model with every dense
3×3 conv (``groups=1``, any stride) swapped for a grouped (``--groups G``) or
depthwise-separable one with the same channels, stride and padding
(:func:`convzoo.analysis.swap.swap_convs`); prints params, MACs and FLOPs before and
after (:func:`convzoo.analysis.summary`, from shapes) and the MEASURED forward time of
each (batch 1, best of ``--repeat`` runs of the real NumPy kernels).
"""

from __future__ import annotations

import argparse
import math
from fractions import Fraction

from . import counts, shapes
from .cli_args import dims, fmt_dims, fmt_int, int_or_dims, padding, positive, print_json, table

JSON_HELP = """\
--json prints one object: {"input": {in_channels, out_channels, kernel_size, size,
stride, padding, groups, depth_multiplier, bias, stack}, "output_size": [...],
"rows": [{name, label, in_channels, out_channels, kernel, output_shape, params, macs,
flops, params_ratio, macs_ratio}, ...], "notes": [...], "mobilenet_ratio":
{formula, value, measured}}. Row names: standard, grouped, depthwise, pointwise,
separable, spatially_separable, and with --stack: stacked, same_receptive_field.

conventions: weights only unless --bias (the articles count weights); MACs per
sample; FLOPs = 2*MACs; padding 'same' by default so every variant keeps the grid.

model mode (--model): {"model", "input", "swap", "groups", "swapped": [names],
"skipped": [{name, reason}], "before": {params, macs, flops, forward_seconds,
forward_runs}, "after": {...}, "ratios": {params, macs, flops, forward_seconds},
"timing": {measured, batch, repeat, note}}. forward_seconds is null with --repeat 0.

examples:
  convzoo compare --in-channels 64 --out-channels 64 --kernel-size 3 --size 56
  convzoo compare --in-channels 16 --out-channels 32 --kernel-size 3 --size 8 --groups 4
  convzoo compare --in-channels 64 --out-channels 64 --kernel-size 3 --size 56 --stack 3
  convzoo compare --model resnet18 --swap grouped --groups 8 --input 3x64x64
  convzoo compare --model resnet20_cifar --swap separable --input 3x32x32 --json
"""

LAYER_REQUIRED = (("in_channels", "--in-channels"), ("out_channels", "--out-channels"),
                  ("kernel_size", "--kernel-size"), ("size", "--size"))
LAYER_ONLY = (("ndim", "--ndim", None), ("depth_multiplier", "--depth-multiplier", 1),
              ("stride", "--stride", 1), ("padding", "--padding", "same"),
              ("bias", "--bias", False), ("stack", "--stack", None))
MODEL_ONLY = (("swap", "--swap", None), ("input", "--input", None), ("repeat", "--repeat", 3),
              ("num_classes", "--num-classes", None), ("set", "--set", []))

DEFAULT_GROUPS = (8, 4, 2)


def add_parser(sub) -> None:
    """Register ``convzoo compare`` on the subparsers ``sub``."""
    p = sub.add_parser(
        "compare", help="params and MACs of the conv variants side by side",
        description="Standard vs grouped vs depthwise vs pointwise vs depthwise-separable vs "
                    "spatially separable convolution: params and MACs, with the ratio to the "
                    "standard conv. With --model: a zoo model before and after swapping its "
                    "3x3 convs, with measured forward times.",
        epilog=JSON_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--in-channels", type=positive, default=None, metavar="C",
                   help="layer mode (required there)")
    p.add_argument("--out-channels", type=positive, default=None, metavar="O",
                   help="layer mode (required there)")
    p.add_argument("--kernel-size", type=int_or_dims(1), default=None, metavar="K|AxB",
                   help="layer mode (required there)")
    p.add_argument("--size", type=dims, default=None, metavar="H[xW]",
                   help="layer mode (required there): spatial input size, one value per "
                        "spatial dim (one value: square)")
    p.add_argument("--ndim", type=int, choices=(1, 2, 3), default=None,
                   help="spatial dims (default: from --size/--kernel-size/--stride, else 2)")
    p.add_argument("--groups", type=positive, default=None, metavar="G",
                   help="groups of the grouped row (default: the largest of 8, 4, 2 dividing "
                        "both channel counts; no grouped row if none does)")
    p.add_argument("--depth-multiplier", type=positive, default=1, metavar="M")
    p.add_argument("--stride", type=int_or_dims(1), default=1, metavar="S|AxB")
    p.add_argument("--padding", type=padding, default="same", metavar="P",
                   help="as in 'convzoo shape' (default: same)")
    p.add_argument("--bias", action=argparse.BooleanOptionalAction, default=False,
                   help="count biases too (default: weights only, as the articles do)")
    p.add_argument("--stack", type=positive, default=None, metavar="N",
                   help="add N stacked kxk convs and the single conv with their receptive field")
    m = p.add_argument_group("model mode")
    m.add_argument("--model", default=None, metavar="NAME",
                   help="a zoo model (see 'convzoo summary --list'); switches to model mode")
    m.add_argument("--swap", choices=("grouped", "separable"), default=None,
                   help="what the dense 3x3 convs become (grouped needs --groups)")
    m.add_argument("--input", type=dims, default=None, metavar="CxHxW",
                   help="per-sample input for counts and timing (default 3x224x224)")
    m.add_argument("--repeat", type=int, default=3, metavar="N",
                   help="timed forward passes per model, best taken (0: no timing; default 3)")
    m.add_argument("--num-classes", type=positive, default=None, metavar="K",
                   help="classifier outputs (default: the model's own)")
    m.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a builder option, e.g. width_mult=0.5 (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object (keys below)")
    p.set_defaults(run=run)


def _row(name, label, layer: counts.LayerCount, kernel: str, in_channels=None) -> dict:
    return {"name": name, "label": label,
            "in_channels": layer.input_shape[0] if in_channels is None else in_channels,
            "out_channels": layer.output_shape[0], "kernel": kernel,
            "output_shape": list(layer.output_shape), "params": layer.params,
            "macs": layer.macs, "flops": layer.flops}


def _stack_rows(a, shape, n, pad) -> list[dict]:
    """N stacked kxk convs (the first with the stride) and the one conv seeing as far."""
    kernel = a.kernel_size if isinstance(a.kernel_size, tuple) else (a.kernel_size,) * n
    stride = a.stride if isinstance(a.stride, tuple) else (a.stride,) * n
    layers, current, per_dim = [], shape, [[] for _ in range(n)]
    for i in range(a.stack):
        s = stride if i == 0 else (1,) * n
        layer = counts.conv(current, a.out_channels, kernel, s, pad, bias=a.bias)
        for d in range(n):
            per_dim[d].append((kernel[d], s[d], layer.padding[d][0], 1))
        layers.append(layer)
        current = layer.output_shape
    rf = tuple(shapes.receptive_field(chain).size for chain in per_dim)
    total = counts.LayerCount(
        kind="stack", input_shape=shape, output_shape=current,
        params=sum(x.params for x in layers), macs=sum(x.macs for x in layers),
        flops=sum(x.flops for x in layers), padding=layers[0].padding,
        effective_kernel=rf, stages=tuple(layers))
    single = counts.conv(shape, a.out_channels, rf, stride, pad, bias=a.bias)
    return [
        _row("stacked", f"{a.stack} stacked {fmt_dims(kernel)} convs", total,
             f"{a.stack} x {fmt_dims(kernel)}"),
        _row("same_receptive_field", f"one {fmt_dims(rf)} conv (same receptive field)", single,
             fmt_dims(rf)),
    ]


def _layout(a) -> tuple[int, tuple[int, ...]]:
    """Spatial dims and per-dim input size: one --size value is square (cubic) input."""
    n = a.ndim
    for value in (a.size if len(a.size) > 1 else None, a.kernel_size, a.stride):
        if n is None and isinstance(value, tuple):
            n = len(value)
    n = 2 if n is None else n
    if len(a.size) == 1:
        return n, a.size * n
    if len(a.size) != n:
        raise ValueError(f"--size must have 1 or {n} values for a {n}-d layer; got "
                         f"--size={fmt_dims(a.size)}")
    return n, tuple(a.size)


def _groups(a) -> int | None:
    if a.groups is not None:
        for name, c in (("--in-channels", a.in_channels), ("--out-channels", a.out_channels)):
            if c % a.groups:
                raise ValueError(f"--groups must divide {name}; got --groups={a.groups}, "
                                 f"{name}={c}")
        return a.groups
    for g in DEFAULT_GROUPS:
        if a.in_channels % g == 0 and a.out_channels % g == 0:
            return g
    return None


def _ratio(value: int, base: int) -> float:
    return value / base


def _json_padding(pad):
    if isinstance(pad, (int, str)):
        return pad
    return [list(p) if isinstance(p, tuple) else p for p in pad]


def compare(a) -> dict:
    """The comparison as a JSON-ready dict (what ``--json`` prints)."""
    n, size = _layout(a)
    shape = (a.in_channels, *size)
    pad = a.padding.pairs(n) if hasattr(a.padding, "pairs") else a.padding
    c, o, m, bias = a.in_channels, a.out_channels, a.depth_multiplier, a.bias
    kernel = a.kernel_size if isinstance(a.kernel_size, tuple) else (a.kernel_size,) * n
    k = fmt_dims(kernel)
    std = counts.conv(shape, o, kernel, a.stride, pad, bias=bias)
    rows = [_row("standard", "standard conv", std, k)]
    g = _groups(a)
    if g is not None:
        grouped = counts.grouped_conv(shape, o, kernel, g, a.stride, pad, bias=bias)
        rows.append(_row("grouped", f"grouped conv (groups={g})", grouped, k))
    sep = counts.separable_conv(shape, o, kernel, m, a.stride, pad, bias=bias)
    dw = counts.depthwise_conv(shape, kernel, m, a.stride, pad, bias=False)
    pw = counts.pointwise_conv(dw.output_shape, o, bias=bias)
    assert (dw.params + pw.params, dw.macs + pw.macs) == (sep.params, sep.macs)
    rows.append(_row("depthwise", f"depthwise (multiplier={m})", dw, k))
    rows.append(_row("pointwise", "pointwise 1x1 (after the depthwise)", pw, "1x1"))
    rows.append(_row("separable", "depthwise-separable (dw + pw)", sep, f"{k} + 1x1"))
    if n >= 2:
        ss = counts.spatially_separable_conv(shape, o, kernel, a.stride, pad, bias=bias)
        passes = " + ".join(fmt_dims(tuple(kk if d == i else 1 for d in range(n)))
                            for i, kk in enumerate(kernel))
        rows.append(_row("spatially_separable", "spatially separable", ss, passes))
        notes_ss = (f"spatially separable: {passes} = C_in*C_out*{kernel[0]} + "
                    + " + ".join(f"C_out*C_out*{kk}" for kk in kernel[1:])
                    + " weights; exact only for rank-1 kernels (e.g. Sobel)")
    else:
        notes_ss = None
    if a.stack is not None and a.stack >= 2:
        rows.extend(_stack_rows(a, shape, n, pad))
    for r in rows:
        r["params_ratio"] = _ratio(r["params"], std.params)
        r["macs_ratio"] = _ratio(r["macs"], std.macs)

    kk = math.prod(kernel)
    exact = Fraction(m, o) + Fraction(m, kk)
    measured = Fraction(sep.macs, std.macs)
    mobilenet = {
        "formula": (f"separable/standard MACs = M/C_out + M/prod(k) = {m}/{o} + {m}/{kk}"
                    if m != 1 else
                    f"separable/standard MACs = 1/C_out + 1/prod(k) = 1/{o} + 1/{kk}"),
        "value": float(exact),
        "measured": float(measured),
    }
    notes = [f"{mobilenet['formula']} = {float(exact):.4f} (MobileNet); counted: "
             f"{float(measured):.4f}"]
    if notes_ss is not None:
        notes.insert(0, notes_ss)
    by_name = {r["name"]: r for r in rows}
    if "stacked" in by_name:
        st, one = by_name["stacked"], by_name["same_receptive_field"]
        notes.append(f"{a.stack} stacked {k} convs see {one['kernel']} like one {one['kernel']} "
                     f"conv: {fmt_int(st['params'])} vs {fmt_int(one['params'])} params "
                     f"({st['params'] / one['params']:.4f}), with {a.stack} nonlinearities")
    if g is not None:
        notes.insert(0, f"grouped/standard = 1/groups = 1/{g}: each output channel sees "
                        f"C_in/groups = {c // g} input channels")
    return {
        "input": {"in_channels": c, "out_channels": o, "kernel_size": list(kernel),
                  "size": list(size),
                  "stride": a.stride if isinstance(a.stride, int) else list(a.stride),
                  "padding": _json_padding(pad),
                  "groups": g, "depth_multiplier": m, "bias": bias, "stack": a.stack},
        "output_size": list(std.output_shape[1:]),
        "rows": rows,
        "notes": notes,
        "mobilenet_ratio": mobilenet,
    }


def _fmt_ratio(r: float) -> str:
    return "1" if r == 1 else f"{r:.4f}"


def _usage(message: str):
    from .cli import UsageError
    return UsageError(f"convzoo compare: error: {message} (see 'convzoo compare --help')")


def _check_mode(a) -> None:
    """Layer mode needs the four layer options; model mode takes none of the layer-only ones."""
    if a.model is None:
        missing = [flag for attr, flag in LAYER_REQUIRED if getattr(a, attr) is None]
        if missing:
            raise _usage(f"the following arguments are required: {', '.join(missing)} "
                         f"(or --model NAME for model mode)")
        given = [flag for attr, flag, default in MODEL_ONLY if getattr(a, attr) != default]
        if given:
            raise _usage(f"{', '.join(given)} only apply with --model")
        return
    given = [flag for attr, flag in LAYER_REQUIRED if getattr(a, attr) is not None]
    given += [flag for attr, flag, default in LAYER_ONLY if getattr(a, attr) != default]
    if given:
        raise _usage(f"{', '.join(given)} only apply to layer mode, not with --model")
    if a.swap is None:
        raise _usage("--model needs --swap grouped or --swap separable")
    if a.swap == "grouped" and a.groups is None:
        raise _usage("--swap grouped needs --groups G (e.g. --groups 8)")
    if a.swap == "grouped" and a.groups < 2:
        raise _usage(f"argument --groups: must be >= 2 for --swap grouped; got {a.groups}")
    if a.swap == "separable" and a.groups is not None:
        raise _usage("--groups only applies to --swap grouped")
    if a.repeat < 0:
        raise _usage(f"argument --repeat: must be >= 0; got {a.repeat}")


def _side(s, times) -> dict:
    return {"params": s.total_params, "macs": s.total_macs, "flops": s.total_flops,
            "forward_seconds": min(times) if times else None, "forward_runs": times}


def compare_model(a) -> dict:
    """Model mode as a JSON-ready dict: counts and measured times before and after the swap."""
    from .analysis import summary
    from .analysis.swap import swap_convs, time_forward
    from .cli_summary import build_model, parse_options

    shape = a.input or (3, 224, 224)
    model = build_model(a.model, shape, a.num_classes, parse_options(a.set))
    before = summary(model, shape)
    t_before = time_forward(model, shape, a.repeat) if a.repeat else []
    done = swap_convs(model, a.swap, a.groups)
    after = summary(model, shape)
    t_after = time_forward(model, shape, a.repeat) if a.repeat else []
    sides = {"before": _side(before, t_before), "after": _side(after, t_after)}
    ratios = {k: (None if sides["before"][k] in (None, 0) or sides["after"][k] is None
                  else sides["after"][k] / sides["before"][k])
              for k in ("params", "macs", "flops", "forward_seconds")}
    return {
        "model": a.model.lower(), "input": list(shape), "swap": a.swap, "groups": a.groups,
        **done, **sides, "ratios": ratios,
        "timing": {"measured": bool(a.repeat), "batch": 1, "repeat": a.repeat,
                   "note": "wall-clock seconds of the real forward pass (NumPy kernels, eval "
                           "mode, no_grad), best of --repeat; params/MACs/FLOPs are counted "
                           "from shapes"},
    }


def _run_model(a) -> int:
    result = compare_model(a)
    if a.json:
        print_json(result)
        return 0
    what = (f"grouped 3x3 convs (groups={a.groups})" if a.swap == "grouped"
            else "depthwise-separable 3x3 convs (depthwise 3x3 + pointwise 1x1)")
    b, f, r = result["before"], result["after"], result["ratios"]

    def secs(x):
        return "not timed" if x is None else f"{x * 1000:.1f} ms"

    cells = [["", "params", "MACs", "FLOPs", "forward (measured)"],
             ["before: dense 3x3", fmt_int(b["params"]), fmt_int(b["macs"]), fmt_int(b["flops"]),
              secs(b["forward_seconds"])],
             [f"after: {a.swap}", fmt_int(f["params"]), fmt_int(f["macs"]), fmt_int(f["flops"]),
              secs(f["forward_seconds"])],
             ["after / before"] + ["" if r[k] is None else f"{r[k]:.4f}"
                                   for k in ("params", "macs", "flops", "forward_seconds")]]
    lines = [f"{result['model']} at input {fmt_dims(result['input'])} (batch 1): "
             f"{len(result['swapped'])} dense 3x3 convs -> {what}", ""]
    lines += table(cells, right={1, 2, 3, 4})
    lines.append("")
    for skip in result["skipped"]:
        lines.append(f"kept {skip['name']}: {skip['reason']}")
    lines.append(f"forward time: measured, best of {a.repeat} runs of the real kernels "
                 f"(batch 1, eval mode); params/MACs/FLOPs counted from shapes"
                 if a.repeat else "forward time: not measured (--repeat 0)")
    print("\n".join(lines))
    return 0


def run(a) -> int:
    """Print the comparison table (or JSON with ``--json``); ``--model`` switches to model mode."""
    _check_mode(a)
    if a.model is not None:
        return _run_model(a)
    result = compare(a)
    if a.json:
        print_json(result)
        return 0
    i = result["input"]
    pad = i["padding"]
    head = (f"C_in={i['in_channels']} -> C_out={i['out_channels']}, kernel "
            f"{fmt_dims(i['kernel_size'])}, input {fmt_dims(i['size'])}, stride "
            f"{fmt_dims(i['stride']) if isinstance(i['stride'], list) else i['stride']}, "
            f"padding {pad!r} -> output {fmt_dims(result['output_size'])}; "
            f"{'weights + biases' if i['bias'] else 'weights only (no bias)'}; MACs per sample")
    cells = [["variant", "channels", "kernel", "output", "params", "x std", "MACs", "x std"]]
    for r in result["rows"]:
        cells.append([r["label"], f"{r['in_channels']}->{r['out_channels']}", r["kernel"],
                      fmt_dims(r["output_shape"]), fmt_int(r["params"]),
                      _fmt_ratio(r["params_ratio"]), fmt_int(r["macs"]),
                      _fmt_ratio(r["macs_ratio"])])
    lines = [head, "", *table(cells, right={4, 5, 6, 7}), ""]
    lines += result["notes"]
    print("\n".join(lines))
    return 0
