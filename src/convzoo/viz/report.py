"""The tour's HTML report: one ``index.html`` with its pictures in files beside it.

``write_report(out_dir, parts)`` turns what ``convzoo tour`` collected — the
conv-comparison tables (``convzoo compare``'s data), the animations written by
:mod:`convzoo.viz.presets`, the filter gallery, the training run with its curves,
kernels, feature maps and model summary, and the explorer page — into a static page
with inline CSS and no script, no network and relative links only. Every text is
HTML-escaped; missing parts are simply left out.

>>> import tempfile, pathlib
>>> path = write_report(tempfile.mkdtemp(), {"title": "demo"})
>>> pathlib.Path(path).read_text().startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from ..checkpoint import atomic_write_bytes

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c202a;
       margin: 0; background: #f6f8fb; }
header, section { max-width: 1180px; margin: 0 auto; padding: 10px 28px; }
header { padding-top: 26px; }
h1 { font-size: 26px; margin: 0 0 6px; } h2 { font-size: 20px; margin: 28px 0 8px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p.lead { color: #4c5666; margin: 4px 0 10px; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; background: #fff; margin: 8px 0 6px; font-size: 14px; }
th, td { border: 1px solid #d8dee8; padding: 5px 10px; }
th { background: #eef2f7; text-align: left; } td.num { text-align: right;
  font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #d8dee8; border-radius: 8px;
         padding: 10px; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 13.5px; color: #4c5666; margin-top: 6px; }
img.wide { max-width: 100%; height: auto; background: #fff; border: 1px solid #d8dee8; }
pre { background: #fff; border: 1px solid #d8dee8; padding: 10px; overflow-x: auto;
      font-size: 12.5px; }
.note { color: #4c5666; font-size: 14px; } code { background: #eef2f7; padding: 0 4px; }
.metric { font-size: 22px; font-weight: 700; color: #0e7888; }
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _rel(path, root: Path) -> str:
    """A URL-safe relative link from ``root`` to ``path``."""
    rel = os.path.relpath(Path(path), root)
    return "/".join(html.escape(part, quote=True) for part in Path(rel).parts)


def _comparison(tables: list[dict]) -> str:
    out = ['<section id="compare"><h2>1. The convolution family side by side</h2>',
           '<p class="lead">Parameters and multiply-accumulates of one layer done by each member '
           'of the family (<code>convzoo compare</code>; counts from <code>convzoo.counts</code>, '
           'weights only, MACs per image).</p>']
    for t in tables:
        i = t["input"]
        size = "×".join(map(str, i["size"]))
        kernel = "×".join(map(str, i["kernel_size"]))
        out.append(f"<h3>{_e(i['in_channels'])} → {_e(i['out_channels'])} channels, kernel "
                   f"{_e(kernel)}, input {_e(size)}, padding {_e(i['padding'])}</h3>")
        out.append("<table><tr><th>variant</th><th>kernel</th><th>output</th><th>params</th>"
                   "<th>× standard</th><th>MACs</th><th>× standard</th></tr>")
        for r in t["rows"]:
            out.append(
                f"<tr><td>{_e(r['label'])}</td><td>{_e(r['kernel'])}</td>"
                f"<td>{_e('×'.join(map(str, r['output_shape'])))}</td>"
                f"<td class=num>{r['params']:,}</td><td class=num>{r['params_ratio']:.4g}</td>"
                f"<td class=num>{r['macs']:,}</td><td class=num>{r['macs_ratio']:.4g}</td></tr>")
        out.append("</table>")
        out.extend(f'<p class="note">{_e(n)}</p>' for n in t.get("notes", []))
    out.append("</section>")
    return "\n".join(out)


def _plan_caption(item: dict) -> str:
    plan = item.get("plan", {})
    if "input_size" in plan:
        size = "×".join(map(str, plan["input_size"]))
        out = "×".join(map(str, plan["output_size"]))
        kernel = "×".join(map(str, plan["kernel_size"]))
        return f"input {size}, kernel {kernel} → output {out}; {item['frames']} frames"
    return f"{item['frames']} frames, {plan.get('params', '?')} weights"


def _animations(groups: list[tuple[str, str, list[dict]]], root: Path) -> str:
    out = ['<section id="animations"><h2>2. Animations of the sliding window</h2>',
           '<p class="lead">Drawn by <code>convzoo animate</code> from <code>convzoo.shapes</code> '
           "and the real operators: blue input, dashed padding, the kernel's footprint dark, "
           'the output cyan. Transposed convolutions scatter each input cell into the output; '
           'the numerical versions show the values <code>convzoo.functional</code> '
           'computes.</p>']
    for title, lead, items in groups:
        out.append(f"<h3>{_e(title)}</h3>")
        if lead:
            out.append(f'<p class="note">{_e(lead)}</p>')
        out.append('<div class="grid">')
        for n, item in enumerate(items, start=1):
            gif = next(f for f in item["files"] if f.endswith(".gif"))
            others = [f for f in item["files"] if not f.endswith(".gif")]
            extra = "".join(f' · <a href="{_rel(f, root)}">{_e(Path(f).suffix[1:])}</a>'
                            for f in others)
            out.append(f'<figure><img src="{_rel(gif, root)}" alt="{_e(item["title"])}" '
                       f'><figcaption><b>{n:02d} {_e(item["title"])}</b><br>'
                       f"{_e(_plan_caption(item))}{extra}</figcaption></figure>")
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def _gallery(g: dict, root: Path) -> str:
    return "\n".join([
        '<section id="gallery"><h2>3. Hand-made filters on a photo</h2>',
        '<p class="lead">scikit-learn\'s <code>china.jpg</code> in grey, filtered with '
        "<code>F.conv2d</code>. Sobel-x applied as two 1-D passes "
        f"({_e(g.get('separable_weights', 6))} weights, <code>F.spatially_separable_conv2d</code> "
        "with the factors <code>factorize_kernel</code> finds) gives the same output as the 3×3 "
        f"kernel (9 weights): largest difference {g['sobel_max_abs_diff']:.1e}, rounding only. "
        "A dilated 3×3 kernel sees as far as a dense 7×7 one with 9 weights instead of 49.</p>",
        f'<img class="wide" src="{_rel(g["figure"], root)}" alt="filter gallery">',
        "</section>"])


def _training(t: dict, root: Path) -> str:
    h = t["history"][-1] if t.get("history") else {}
    out = ['<section id="training"><h2>4. LeNet-5 trained on the bundled digits</h2>',
           f'<p class="lead">{_e(t.get("description", ""))}</p>']
    if h:
        out.append(f'<p><span class="metric">{h["test_accuracy"]:.1%}</span> test accuracy '
                   f'after {h["epoch"]} epochs ({_e(t.get("seconds", 0))} s; train loss '
                   f'{h["train_loss"]:.4f}, test loss {h["test_loss"]:.4f}).</p>')
    for key, caption in (("curves", "Loss and accuracy per epoch"),
                         ("kernels", "Learned kernels"),
                         ("feature_maps", "Feature maps for one test image")):
        if t.get(key):
            out.append(f"<h3>{_e(caption)}</h3>")
            out.append(f'<img class="wide" src="{_rel(t[key], root)}" alt="{_e(caption)}">')
    if t.get("summary"):
        out.append("<h3>Model summary</h3>")
        out.append(f"<pre>{_e(t['summary'])}</pre>")
    if t.get("run_dir"):
        out.append(f'<p class="note">Run directory (checkpoints, metrics.jsonl, steps.csv): '
                   f'<a href="{_rel(t["run_dir"], root)}/">{_e(Path(t["run_dir"]).name)}/</a>; '
                   f"evaluate it again with <code>convzoo evaluate {_e(t['run_dir'])}</code>.</p>")
    out.append("</section>")
    return "\n".join(out)


def _explorer(path, root: Path) -> str:
    return "\n".join([
        '<section id="explorer"><h2>5. Try it yourself</h2>',
        f'<p><a href="{_rel(path, root)}"><b>Open the interactive explorer</b></a> — sliders for '
        "input size, kernel, stride, padding, dilation, groups and transposed; the sliding window "
        "on a canvas, the output size with its formula, parameters and MACs (one self-contained "
        "page, numbers precomputed by the library).</p>",
        "</section>"])


def write_report(out_dir, parts: dict) -> Path:
    """Write ``out_dir/index.html`` from the tour's collected ``parts``.

    Args:
        out_dir: the report directory (pictures are linked relative to it).
        parts: optional keys ``title``, ``intro``, ``comparison`` (list of
            ``cli_compare.compare`` dicts), ``animations`` (list of (title, lead,
            ``write_preset`` items)), ``gallery`` (``filter_gallery`` result),
            ``training`` (dict with ``history``, ``curves``, ``kernels``,
            ``feature_maps``, ``summary``, ``run_dir``, ``description``, ``seconds``),
            ``explorer`` (path of the explorer page), ``commands`` (list of shell lines).

    Returns:
        The path of ``index.html``.
    """
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    title = parts.get("title", "convzoo tour")
    links = [("compare", "comparison", "comparison"), ("animations", "animations", "animations"),
             ("gallery", "filters", "gallery"), ("training", "LeNet-5", "training"),
             ("explorer", "explorer", "explorer")]
    nav = " ".join(f'<a href="#{a}">{_e(text)}</a>' for a, text, key in links if parts.get(key))
    body = [f"<header><h1>{_e(title)}</h1>",
            f'<p class="lead">{_e(parts.get("intro", ""))}</p><nav>{nav}</nav></header>']
    if parts.get("comparison"):
        body.append(_comparison(parts["comparison"]))
    if parts.get("animations"):
        body.append(_animations(parts["animations"], root))
    if parts.get("gallery"):
        body.append(_gallery(parts["gallery"], root))
    if parts.get("training"):
        body.append(_training(parts["training"], root))
    if parts.get("explorer"):
        body.append(_explorer(parts["explorer"], root))
    if parts.get("commands"):
        body.append('<section id="again"><h2>Do it again</h2><pre>'
                    + _e("\n".join(parts["commands"])) + "</pre></section>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
    path = root / "index.html"
    atomic_write_bytes(path, page.encode("utf-8"))
    return path


__all__ = ["write_report"]
