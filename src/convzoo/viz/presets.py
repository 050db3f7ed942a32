"""Preset animations: the twelve classic conv-arithmetic configurations, and more.

``classic`` is the list of the source article ("12 animations to understand CNNs"),
in its order, with the sizes of Dumoulin & Visin's "A guide to convolution arithmetic
for deep learning" (2016), whose figures the article reproduces:

==  =========================================  ==========================  ======
 #  name                                       configuration               output
==  =========================================  ==========================  ======
 1  no_padding_no_strides                      4×4, k3                     2×2
 2  arbitrary_padding_no_strides               5×5, k4, p2                 6×6
 3  same_padding_no_strides (half padding)     5×5, k3, p1                 5×5
 4  full_padding_no_strides                    5×5, k3, p2                 7×7
 5  no_padding_no_strides_transposed           2×2, k3                     4×4
 6  arbitrary_padding_no_strides_transposed    6×6, k4, p2                 5×5
 7  same_padding_no_strides_transposed         5×5, k3, p1                 5×5
 8  full_padding_no_strides_transposed         7×7, k3, p2                 5×5
 9  no_padding_strides                         5×5, k3, s2                 2×2
10  padding_strides                            5×5, k3, s2, p1             3×3
11  padding_strides_odd                        6×6, k3, s2, p1             3×3
12  dilation                                   7×7, k3, d2                 3×3
==  =========================================  ==========================  ======

Each transposed configuration is the transpose of the convolution with the same name
(it maps that conv's output size back to its input size). ``conv_arithmetic`` adds the
paper's three strided transposed convolutions (2×2 → 5×5, 3×3 → 5×5 with p1,
3×3 → 6×6 with p1 and output_padding 1); ``family`` animates pooling and the channel
structures (grouped, depthwise, depthwise-separable).

>>> [p.name for p in PRESETS["classic"]][:2]
['no_padding_no_strides', 'arbitrary_padding_no_strides']
>>> len(PRESETS["classic"])
12
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .animation import Animation, animate


@dataclass(frozen=True)
class Preset:
    """One named animation: ``animate(**kwargs)``.

    Attributes:
        name: file stem (Dumoulin & Visin's names for the classic ones).
        title: a short human title.
        kwargs: arguments of :func:`convzoo.viz.animate`.
        numeric: whether a numeric version (values in the cells) is written too.
    """

    name: str
    title: str
    kwargs: dict = field(default_factory=dict)
    numeric: bool = True

    def animation(self, numeric: bool = False, **extra) -> Animation:
        """The animation (numeric: with the operator's values)."""
        kw = dict(self.kwargs)
        if numeric:
            kw["numeric"] = True
        return animate(**kw, **extra)


def _conv(name, title, size, k, **kw) -> Preset:
    return Preset(name, title, {"op": "conv", "input_size": size, "kernel_size": k, **kw})


def _tconv(name, title, size, k, **kw) -> Preset:
    return Preset(name, title, {"op": "conv_transpose", "input_size": size, "kernel_size": k,
                                **kw})


CLASSIC = (
    _conv("no_padding_no_strides", "no padding, no strides", 4, 3),
    _conv("arbitrary_padding_no_strides", "arbitrary padding, no strides", 5, 4, padding=2),
    _conv("same_padding_no_strides", "half (same) padding, no strides", 5, 3, padding=1),
    _conv("full_padding_no_strides", "full padding, no strides", 5, 3, padding=2),
    _tconv("no_padding_no_strides_transposed", "no padding, no strides, transposed", 2, 3),
    _tconv("arbitrary_padding_no_strides_transposed",
           "arbitrary padding, no strides, transposed", 6, 4, padding=2),
    _tconv("same_padding_no_strides_transposed", "half (same) padding, no strides, transposed",
           5, 3, padding=1),
    _tconv("full_padding_no_strides_transposed", "full padding, no strides, transposed", 7, 3,
           padding=2),
    _conv("no_padding_strides", "no padding, strides", 5, 3, stride=2),
    _conv("padding_strides", "padding, strides", 5, 3, stride=2, padding=1),
    _conv("padding_strides_odd", "padding, strides (odd)", 6, 3, stride=2, padding=1),
    _conv("dilation", "dilation", 7, 3, dilation=2),
)

STRIDED_TRANSPOSED = (
    _tconv("no_padding_strides_transposed", "no padding, strides, transposed", 2, 3, stride=2),
    _tconv("padding_strides_transposed", "padding, strides, transposed", 3, 3, stride=2,
           padding=1),
    _tconv("padding_strides_odd_transposed", "padding, strides (odd), transposed", 3, 3,
           stride=2, padding=1, output_padding=1),
)

FAMILY = (
    Preset("max_pooling", "max pooling 2×2, stride 2",
           {"op": "max_pool", "input_size": 4, "kernel_size": 2}),
    Preset("average_pooling_padding_strides", "average pooling 3×3, stride 2, padding 1",
           {"op": "avg_pool", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}),
    Preset("grouped", "grouped convolution, 4 → 4 channels, 2 groups",
           {"op": "grouped", "in_channels": 4, "out_channels": 4, "groups": 2}, numeric=False),
    Preset("depthwise", "depthwise convolution, 3 channels, multiplier 2",
           {"op": "depthwise", "in_channels": 3, "depth_multiplier": 2}, numeric=False),
    Preset("depthwise_separable", "depthwise-separable convolution, 3 → 4 channels",
           {"op": "separable", "in_channels": 3, "out_channels": 4}, numeric=False),
)

PRESETS = {
    "classic": CLASSIC,
    "conv_arithmetic": CLASSIC + STRIDED_TRANSPOSED,
    "family": FAMILY,
}


def get_preset(name: str) -> tuple[Preset, ...]:
    """The presets of group ``name`` (``'classic'``, ``'conv_arithmetic'``, ``'family'``).

    Raises:
        ValueError: unknown name.
    """
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {tuple(PRESETS)}; got preset={name!r}")
    return PRESETS[name]


def write_preset(name: str, out_dir, numeric: bool = True, mp4: bool | None = None,
                 on_file=None) -> list[dict]:
    """Write every animation of preset group ``name`` into ``out_dir``.

    Args:
        name: preset group.
        out_dir: directory (created); files ``NAME.gif`` and, for the numeric versions,
            ``numerical_NAME.gif`` (Dumoulin & Visin's file names), each with an ``.mp4``
            beside it when ``mp4`` (default: when ffmpeg is installed).
        numeric: also write the numeric versions.
        mp4: as :func:`convzoo.viz.animate`.
        on_file: optional callback ``on_file(path)`` after each written file.

    Returns:
        One dict per animation: ``name``, ``title``, ``numeric``, ``frames``, ``files``
        (paths as strings) and ``plan`` (the plan's ``to_dict()``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for preset in get_preset(name):
        versions = [False] + ([True] if numeric and preset.numeric else [])
        for num in versions:
            anim = preset.animation(numeric=num)
            stem = f"numerical_{preset.name}" if num else preset.name
            files = anim.save(out / f"{stem}.gif", mp4=mp4)
            for f in files:
                if on_file is not None:
                    on_file(f)
            written.append({"name": stem, "title": preset.title + (" (numerical)" if num else ""),
                            "numeric": num, "frames": anim.n_frames,
                            "files": [str(f) for f in files], "plan": anim.plan.to_dict()})
    return written


__all__ = ["CLASSIC", "FAMILY", "PRESETS", "STRIDED_TRANSPOSED", "Preset", "get_preset",
           "write_preset"]
