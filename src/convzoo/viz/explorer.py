"""A self-contained interactive explorer page: sliders, the sliding window on a canvas, the numbers.

One HTML file (``explorer.html`` beside this module is the template) with inline CSS
and JavaScript and no network access. Every number it shows is precomputed here, by
the library, for the whole slider grid and embedded as JSON:

* per square configuration (input ``i``, kernel ``k``, stride ``s``, padding ``p``,
  dilation ``d``, transposed or not): the output size and the effective kernel from
  :func:`convzoo.viz.frames.plan_window` (hence :mod:`convzoo.shapes`), the tap
  positions each frame highlights (the same plan the GIFs use), the range of cells to
  draw, and the MACs of a C→C layer for each ``groups`` value from
  :mod:`convzoo.counts` — or the library's own error message when the configuration
  is impossible (a kernel larger than the padded input, an empty transposed output);
* per (k, groups, transposed): the parameter count from :mod:`convzoo.counts`.

The page's JavaScript only looks values up and draws; it does no shape arithmetic.

>>> data = explorer_data(sizes=range(2, 5), kernels=range(1, 4), strides=(1, 2),
...                      paddings=(0, 1), dilations=(1,))
>>> data["configs"]["4,3,2,1,1,0"][0]      # 4x4 input, 3x3 kernel, stride 2, padding 1
2
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import counts
from ..checkpoint import atomic_write_bytes
from .frames import plan_window

TEMPLATE = Path(__file__).with_name("explorer.html")
PLACEHOLDER = "/*__CONVZOO_DATA__*/null"
CHANNELS = 8
GROUPS = (1, 2, 4, 8)


def _entry(i, k, s, p, d, transposed):
    op = "conv_transpose" if transposed else "conv"
    try:
        plan = plan_window(op, i, k, s, p, d)
    except ValueError as err:
        return str(err)
    axis = plan.axes[0]
    lo, hi = axis.span(axis.output if transposed else axis.input)
    shape = (CHANNELS, i, i)
    macs = []
    for g in GROUPS:
        if transposed:
            layer = counts.conv_transpose(shape, CHANNELS, k, s, p, groups=g, bias=False,
                                          dilation=d)
        else:
            layer = counts.conv(shape, CHANNELS, k, s, p, d, groups=g, bias=False)
        assert layer.output_shape[1] == axis.output
        macs.append(layer.macs)
    return [axis.output, axis.effective_kernel, lo, hi, [list(t) for t in axis.taps], macs]


def explorer_data(sizes=range(2, 13), kernels=range(1, 6), strides=range(1, 4),
                  paddings=range(0, 4), dilations=range(1, 4)) -> dict:
    """The tables the explorer page embeds (see the module docstring).

    Returns:
        ``{"axes": {...slider values...}, "channels": C, "groups": [...], "configs":
        {"i,k,s,p,d,t": [out, k_eff, first, last, taps, macs per groups], or the index of
        the library's error message in "errors"}, "params": {"k,g,t": [params,
        explanation]}, "errors": [...]}``.
    """
    configs, errors = {}, {}
    for i in sizes:
        for k in kernels:
            for s in strides:
                for p in paddings:
                    for d in dilations:
                        for t in (0, 1):
                            entry = _entry(i, k, s, p, d, t)
                            if isinstance(entry, str):   # many share one message
                                entry = errors.setdefault(entry, len(errors))
                            configs[f"{i},{k},{s},{p},{d},{t}"] = entry
    params = {}
    for k in kernels:
        for g in GROUPS:
            for t in (0, 1):
                shape = (CHANNELS, k, k)
                if t:
                    n = counts.conv_transpose(shape, CHANNELS, k, groups=g, bias=False).params
                    how = f"C_in·(C_out/g)·k² = {CHANNELS}·{CHANNELS // g}·{k}·{k}"
                else:
                    n = counts.conv(shape, CHANNELS, k, groups=g, bias=False).params
                    how = f"C_out·(C_in/g)·k² = {CHANNELS}·{CHANNELS // g}·{k}·{k}"
                params[f"{k},{g},{t}"] = [n, how]
    return {"axes": {"input": list(sizes), "kernel": list(kernels), "stride": list(strides),
                     "padding": list(paddings), "dilation": list(dilations)},
            "channels": CHANNELS, "groups": list(GROUPS), "configs": configs, "params": params,
            "errors": list(errors)}


def explorer_html(data: dict | None = None) -> str:
    """The explorer page as one HTML string (``data`` defaults to :func:`explorer_data`)."""
    payload = json.dumps(explorer_data() if data is None else data, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")   # never close the <script> early
    template = TEMPLATE.read_text(encoding="utf-8")
    assert PLACEHOLDER in template
    return template.replace(PLACEHOLDER, payload)


def write_explorer(path, data: dict | None = None) -> Path:
    """Write the explorer page to ``path`` (atomically) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, explorer_html(data).encode("utf-8"))
    return path


__all__ = ["CHANNELS", "GROUPS", "explorer_data", "explorer_html", "write_explorer"]
