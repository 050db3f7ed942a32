"""``convzoo summary``: a zoo model explained layer by layer, from shapes alone.

``convzoo summary MODEL --input CxHxW`` builds the model (``in_channels`` = C) and
prints :func:`convzoo.analysis.summary`'s table — per module call: output shape,
parameters, MACs, FLOPs, activation bytes, receptive field — and the totals: parameters,
MACs, FLOPs, receptive field, activation memory for inference (peak) and training.
``--json`` prints ``Summary.to_dict()``; ``--list`` lists the registered models.
"""

from __future__ import annotations

import argparse
import ast
import inspect

from .cli_args import dims, fmt_dims, positive, print_json

JSON_HELP = """\
--json prints one object: {"model", "input" ([C, H, W]), "batch" (1), "total_params",
"trainable_params", "total_macs", "total_flops", "receptive_field" ({"size", "jump",
"start"}: one value per spatial dim, or null), "params_bytes", "activation_bytes",
"forward_peak_bytes", "training_bytes", "conventions", "uncounted_ops", "layers": [{name,
kind, depth, leaf, input_shape, output_shape, params, macs, flops, activation_bytes,
receptive_field, ops}, ...]}. With --list: {"models": [...]}.

conventions: MACs are the multiply-accumulates of conv, linear and matmul (grouped and
depthwise convs per group, transposed convs on the INPUT grid): the figure torchvision
calls GFLOPS. FLOPs = 2*MACs + pooling windows + batch norm (2 per element); bias adds
(--count-bias) and elementwise ops (--count-elementwise) are off by default. Shapes
include the batch of 1. The model runs in eval mode; layer rows are module calls in the
order they start, indented by depth; a container's row holds only its own ops.
Memory: forward peak = most activation bytes alive at once (each op output freed after
its last reader, views free); training = params + grads + every activation.

examples:
  convzoo summary resnet18 --input 3x224x224
  convzoo summary lenet5 --input 1x32x32 --json
  convzoo summary mobilenet_v2 --input 3x224x224 --set width_mult=0.5 --depth 1
  convzoo summary --list
"""


def add_parser(sub) -> None:
    """Register ``convzoo summary`` on the subparsers ``sub``."""
    p = sub.add_parser(
        "summary", help="per-layer shapes, params, MACs, memory and receptive field of a model",
        description="Explain a zoo model layer by layer, computed from shapes alone.",
        epilog=JSON_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", metavar="MODEL", help="a name from --list")
    p.add_argument("--input", type=dims, default=None, metavar="CxHxW",
                   help="per-sample input shape; C is the model's in_channels")
    p.add_argument("--list", action="store_true", help="list the registered models")
    p.add_argument("--num-classes", type=positive, default=None, metavar="K",
                   help="classifier outputs (default: the model's own default)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a builder option, e.g. width_mult=0.5 (repeatable)")
    p.add_argument("--depth", type=int, default=None, metavar="D",
                   help="show rows nested at most D deep (totals always cover everything)")
    for flag, default, what in (("count-bias", False, "one FLOP per output of a biased layer"),
                                ("count-norm", True, "batch norm, 2 FLOPs per element"),
                                ("count-pool", True, "pooling window FLOPs"),
                                ("count-elementwise", False,
                                 "one FLOP per output of activations, adds, products")):
        p.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=default,
                       help=f"FLOPs include {what} (default: {'on' if default else 'off'})")
    p.add_argument("--json", action="store_true", help="print one JSON object (keys below)")
    p.set_defaults(run=run)


def parse_options(items: list[str]) -> dict:
    """``["width_mult=0.5", "aux_logits=False"]`` -> ``{"width_mult": 0.5, "aux_logits": False}``.

    Values are Python literals when they parse as one, strings otherwise.

    >>> parse_options(["width_mult=0.5", "pool=avg"])
    {'width_mult': 0.5, 'pool': 'avg'}
    """
    options = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"--set expects KEY=VALUE with KEY a Python name; got --set={item!r}")
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            value = text.strip()
        options[key.strip()] = value
    return options


def build_model(name: str, input_shape: tuple[int, ...], num_classes: int | None = None,
                options: dict | None = None, rng=0):
    """A zoo model for ``input_shape`` (C, H, W): ``in_channels`` = C, builder defaults else.

    ``num_classes`` None keeps the builder's own default (LeNet-5: 10); a builder with an
    ``input_size`` option (LeNet-5) gets H when the input is square and the option is not
    in ``options``.

    Raises:
        ValueError: unknown model (the message lists the known ones); TypeError: an
            option the builder does not take.

    >>> build_model("lenet5", (1, 32, 32)).num_parameters()
    61706
    """
    from .zoo import create_model, list_models, registry

    key = str(name).lower()
    if key not in list_models():
        create_model(key)   # raises the registry's ValueError listing the known models
    builder = registry._MODELS[key]
    accepted = inspect.signature(builder).parameters
    kw = dict(options or {})
    if num_classes is None:
        default = accepted.get("num_classes")
        num_classes = 1000 if default is None or default.default is inspect._empty \
            else default.default
    if ("input_size" in accepted and "input_size" not in kw and len(input_shape) == 3
            and input_shape[1] == input_shape[2]):
        kw["input_size"] = input_shape[1]
    if "rng" in accepted and "rng" not in kw:
        kw["rng"] = rng
    unknown = [k for k in kw if k not in accepted
               and not any(p.kind is p.VAR_KEYWORD for p in accepted.values())]
    if unknown:
        own = [k for k in accepted if k not in ("num_classes", "in_channels")]
        raise TypeError(f"model {key!r} takes no option {', '.join(unknown)}; its options: "
                        f"{', '.join(own)}")
    return create_model(key, num_classes=num_classes, in_channels=input_shape[0], **kw)


def run(a) -> int:
    """Print the summary table (or JSON with ``--json``), or the model list with ``--list``."""
    from .cli import UsageError

    if a.list:
        from .zoo import list_models
        if a.json:
            print_json({"models": list_models()})
        else:
            print("\n".join(list_models()))
        return 0
    if a.model is None:
        raise UsageError("convzoo summary: error: give a MODEL (see --list) "
                         "(see 'convzoo summary --help')")
    if a.input is None:
        raise UsageError("convzoo summary: error: the following arguments are required: "
                         "--input (e.g. --input 3x224x224) (see 'convzoo summary --help')")
    if a.depth is not None and a.depth < 0:
        raise UsageError(f"convzoo summary: error: argument --depth: must be >= 0; got "
                         f"{a.depth} (see 'convzoo summary --help')")
    from .analysis import summary

    model = build_model(a.model, a.input, a.num_classes, parse_options(a.set))
    result = summary(model, a.input, name=a.model.lower(), count_bias=a.count_bias,
                     count_norm=a.count_norm, count_pool=a.count_pool,
                     count_elementwise=a.count_elementwise)
    if a.json:
        print_json(result.to_dict())
    else:
        print(f"{a.model.lower()} at input {fmt_dims(a.input)}")
        print(result.table(max_depth=a.depth))
    return 0
