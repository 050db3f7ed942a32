"""``convzoo animate``: a GIF (MP4 too when ffmpeg is installed) of a convolution's sliding window.

One animation (``convzoo animate conv --input 5x5 --kernel-size 3 --stride 2 --padding 1
--out a.gif``) or a preset group (``convzoo animate --preset classic --out DIR``: the
twelve classic conv-arithmetic animations, each also in a numerical version). Frames,
highlighted cells and values come from :mod:`convzoo.viz` (which asks ``convzoo.shapes``
and the real operators); this module only parses options and prints what was written.
"""

from __future__ import annotations

import argparse

from .cli_args import dims, int_or_dims, padding, positive, print_json

EPILOG = """\
ops: conv, conv_transpose, max_pool, avg_pool (sliding window over HxW; --numeric writes
the values of the real operator into the cells) and grouped, depthwise, separable (which
input channels feed which output channels).

presets: classic (the article's twelve: no/arbitrary/half/full padding, their transposed
versions, strides, padding+strides, odd, dilation), conv_arithmetic (+ the three strided
transposed ones), family (pooling, grouped, depthwise, separable).

examples:
  convzoo animate conv --input 5x5 --kernel-size 3 --stride 2 --padding 1 --out conv.gif
  convzoo animate conv_transpose --input 2x2 --kernel-size 3 --stride 2 --numeric --out t.gif
  convzoo animate conv --input 6x6 --kernel-size 3 --stride 2 --padding same --out same.gif
  convzoo animate grouped --in-channels 4 --out-channels 4 --groups 2 --out grouped.gif
  convzoo animate --preset classic --out animations
"""


def add_parser(sub) -> None:
    """Register ``convzoo animate`` on the subparsers ``sub``."""
    from .viz.animation import OPS
    p = sub.add_parser(
        "animate", help="GIF/MP4 of a convolution's sliding window (or the classic twelve)",
        description="Animate a 2-d convolution, transposed convolution, pooling or channel "
                    "structure; GIF always, MP4 when ffmpeg is installed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("op", nargs="?", default="conv", choices=OPS, help="what to animate")
    p.add_argument("--preset", default=None, metavar="NAME",
                   help="write a preset group into --out DIR (classic, conv_arithmetic, family)")
    p.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    p.add_argument("--input", type=dims, default=(5,), metavar="H[xW]",
                   help="input size (default 5x5)")
    p.add_argument("--kernel-size", type=int_or_dims(1), default=3, metavar="K|AxB")
    p.add_argument("--stride", type=int_or_dims(1), default=None, metavar="S|AxB",
                   help="default 1 (convs) or the kernel size (pooling)")
    p.add_argument("--padding", type=padding, default=0, metavar="P",
                   help="int, AxB, T,B,L,R, or valid/same/same_lower/full (not transposed)")
    p.add_argument("--dilation", type=int_or_dims(1), default=1, metavar="D|AxB")
    p.add_argument("--output-padding", type=int_or_dims(0), default=0, metavar="P|AxB",
                   help="conv_transpose only")
    p.add_argument("--ceil-mode", action="store_true", help="pooling only")
    p.add_argument("--in-channels", type=positive, default=None, metavar="C")
    p.add_argument("--out-channels", type=positive, default=None, metavar="O")
    p.add_argument("--groups", type=positive, default=None, metavar="G")
    p.add_argument("--depth-multiplier", type=positive, default=1, metavar="M")
    p.add_argument("--numeric", action="store_true",
                   help="write input, kernel and output values (from the real operator)")
    p.add_argument("--no-numeric", action="store_true",
                   help="with --preset: skip the numerical versions")
    p.add_argument("--seed", type=int, default=0, help="seed of the numeric values")
    p.add_argument("--fps", type=float, default=1.5, help="frames per second (default 1.5)")
    p.add_argument("--mp4", action=argparse.BooleanOptionalAction, default=None,
                   help="also write an MP4 (default: when ffmpeg is on PATH)")
    p.add_argument("--out", default=None, metavar="PATH",
                   help="the .gif to write, or the directory for --preset (default: "
                        "animation.gif / animations)")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(run=run)


def _padding_value(value, n: int):
    return value.pairs(n) if hasattr(value, "pairs") else value


def _list_presets() -> int:
    from .viz.presets import PRESETS
    for name, group in PRESETS.items():
        print(f"{name}:")
        for preset in group:
            print(f"  {preset.name:42s} {preset.title}")
    return 0


def run(a) -> int:
    """Write the animation(s) and print the written paths (or JSON)."""
    if a.list_presets:
        return _list_presets()
    try:
        import PIL  # noqa: F401
    except ImportError:
        print("convzoo animate: error: animations need Pillow: pip install 'convzoo[viz]'",
              file=__import__("sys").stderr)
        return 1
    if a.preset is not None:
        from .viz.presets import write_preset
        written = write_preset(a.preset, a.out or "animations", numeric=not a.no_numeric,
                               mp4=a.mp4)
        if a.json:
            print_json({"preset": a.preset, "animations": written})
        else:
            for item in written:
                for path in item["files"]:
                    print(path)
        return 0
    from .viz.animation import animate
    size = a.input * 2 if len(a.input) == 1 else a.input
    if len(size) != 2:
        raise ValueError(f"--input must be H or HxW (2-d animations); got --input="
                         f"{'x'.join(map(str, a.input))}")
    anim = animate(a.op, size, a.kernel_size, a.stride, _padding_value(a.padding, 2), a.dilation,
                   output_padding=a.output_padding, ceil_mode=a.ceil_mode,
                   in_channels=a.in_channels, out_channels=a.out_channels, groups=a.groups,
                   depth_multiplier=a.depth_multiplier, numeric=a.numeric, seed=a.seed,
                   fps=a.fps, out=a.out or "animation.gif", mp4=a.mp4)
    if a.json:
        print_json({"files": [str(f) for f in anim.files], "frames": anim.n_frames,
                    "plan": anim.plan.to_dict()})
    else:
        for path in anim.files:
            print(path)
    return 0
