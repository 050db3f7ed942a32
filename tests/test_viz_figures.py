"""Figures and pages: filter gallery, feature maps, explorer tables, the HTML report.

Oracles: a naive cross-correlation loop and the Sobel factors written by hand for the
gallery; the output-size and counting formulas written here for the explorer's tables;
Pillow and ``html.parser`` for the files.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from convzoo.viz.explorer import CHANNELS, GROUPS, explorer_data, explorer_html, write_explorer
from convzoo.viz.report import write_report

PIL = pytest.importorskip("PIL")
pytest.importorskip("matplotlib")
from PIL import Image  # noqa: E402


class Elements(HTMLParser):
    """Collects tags with their attributes, and the text of <script> blocks."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def ids(self):
        return {a.get("id") for _, a in self.tags if a.get("id")}

    def all(self, tag):
        return [a for t, a in self.tags if t == tag]


def parse(text: str) -> Elements:
    p = Elements()
    p.feed(text)
    p.close()
    return p


def naive_same_conv(x, k, d=1):
    """Cross-correlation with zero 'same' padding (odd kernels), straight from the definition."""
    kh, kw = k.shape
    ph, pw = d * (kh - 1) // 2, d * (kw - 1) // 2
    xp = np.pad(x, ((ph, ph), (pw, pw)))
    y = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y[i, j] = sum(k[a, b] * xp[i + a * d, j + b * d] for a in range(kh) for b in range(kw))
    return y


# ------------------------------------------------------------------ gallery

def test_gallery_filters_match_the_definition():
    from convzoo.viz.gallery import SOBEL_X, filter_gallery
    rng = np.random.default_rng(0)
    x = rng.random((9, 11))
    g = filter_gallery(x)
    panels = {p["name"]: p for p in g["panels"]}
    sobel = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_array_equal(SOBEL_X, sobel)
    col, row = g["sobel_factors"]
    np.testing.assert_array_equal(col, [1, 2, 1])          # [1, 2, 1]^T [1, 0, -1]
    np.testing.assert_array_equal(row, [1, 0, -1])
    np.testing.assert_allclose(panels["sobel_2d"]["output"], naive_same_conv(x, sobel),
                               atol=1e-12)
    np.testing.assert_allclose(panels["sobel_separable"]["output"], naive_same_conv(x, sobel),
                               atol=1e-12)
    assert g["sobel_max_abs_diff"] < 1e-12
    assert panels["sobel_2d"]["weights"] == 9 and panels["sobel_separable"]["weights"] == 6
    vertical = np.array([[1.0, 0, -1]] * 3)
    np.testing.assert_allclose(panels["vertical_edge"]["output"], naive_same_conv(x, vertical),
                               atol=1e-12)
    np.testing.assert_allclose(panels["horizontal_edge"]["output"],
                               naive_same_conv(x, vertical.T), atol=1e-12)
    np.testing.assert_allclose(panels["dilated_mean"]["output"],
                               naive_same_conv(x, np.full((3, 3), 1 / 9), d=3), atol=1e-12)
    np.testing.assert_allclose(panels["sobel_dilation4"]["output"],
                               naive_same_conv(x, sobel, d=4), atol=1e-12)
    blur = panels["gaussian"]["kernel"]
    assert blur.shape == (5, 5) and abs(blur.sum() - 1) < 1e-12 and np.allclose(blur, blur.T)


def test_the_articles_vertical_edge_example():
    """DESIGN §5: the 6x6 image with the vertical-edge filter gives 4x4, first value -5."""
    import convzoo.functional as F
    from convzoo.viz.gallery import VERTICAL_EDGE
    img = np.array([[3.0, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                    [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]])
    out = F.conv2d(img[None, None], VERTICAL_EDGE[None, None]).data[0, 0]
    assert out.shape == (4, 4) and out[0, 0] == -5


def test_gallery_on_the_photo_writes_a_png(tmp_path):
    pytest.importorskip("sklearn")
    from convzoo.viz.gallery import filter_gallery, sample_photo
    photo = sample_photo()
    assert photo.shape == (427 // 3, 640 // 3) and 0 <= photo.min() and photo.max() <= 1
    g = filter_gallery(out=tmp_path / "gallery.png")
    with Image.open(g["figure"]) as im:
        assert im.format == "PNG" and im.size[0] > 1000 and im.size[1] > 600
    assert len(g["panels"]) == 12 and g["sobel_max_abs_diff"] < 1e-12


def test_gallery_errors():
    from convzoo.viz.gallery import filter_gallery
    with pytest.raises(ValueError, match="image must be a 2-d grey image"):
        filter_gallery(np.zeros((2, 3, 4)))


# ------------------------------------------------------------------ feature maps and kernels

def test_feature_maps_and_kernels(tmp_path):
    from convzoo.viz.featuremaps import layer_outputs, plot_feature_maps, plot_kernels
    from convzoo.zoo import create_model
    model = create_model("lenet5", num_classes=10, in_channels=1, input_size=8, rng=0)
    image = np.random.default_rng(1).random((1, 8, 8)).astype(np.float32)
    rows = layer_outputs(model, image[None])
    shapes = [(name, out.shape) for name, _, out in rows]
    assert shapes[0] == ("features.0", (1, 6, 8, 8))      # LeNet-5 on 8x8: C1 pads by 2
    assert shapes[2] == ("features.2", (1, 6, 4, 4))
    assert shapes[3] == ("features.3", (1, 16, 4, 4))
    assert shapes[-1][1] == (1, 10)
    assert model.training                                  # restored after the eval pass
    fm = plot_feature_maps(model, image, tmp_path / "fm.png", classes=list("0123456789"),
                           label=3)
    assert [t.split(":")[0] for t, _ in fm["stages"]] == ["features.0", "features.2",
                                                          "features.3", "features.5"]
    assert abs(sum(fm["probabilities"]) - 1) < 1e-9
    assert fm["predicted"] == int(np.argmax(rows[-1][2][0]))
    k = plot_kernels(model, tmp_path / "k.png")
    assert k["layers"] == [("features.0", [6, 1, 5, 5]), ("features.3", [16, 6, 5, 5])]
    for name in ("fm.png", "k.png"):
        with Image.open(tmp_path / name) as im:
            assert im.format == "PNG" and min(im.size) > 200
    from convzoo import nn
    with pytest.raises(ValueError, match="no Conv2d layer"):
        plot_kernels(nn.Sequential(nn.Linear(2, 2)), tmp_path / "none.png")


# ------------------------------------------------------------------ explorer tables and page

@pytest.fixture(scope="module")
def data():
    return explorer_data()


def test_explorer_tables_follow_the_formulas(data):
    axes = data["axes"]
    assert axes["input"] == list(range(2, 13)) and data["groups"] == list(GROUPS)
    n_ok = 0
    for key, entry in data["configs"].items():
        i, k, s, p, d, t = map(int, key.split(","))
        keff = d * (k - 1) + 1
        o = (i - 1) * s - 2 * p + keff if t else (i + 2 * p - keff) // s + 1
        impossible = o < 1 if t else i + 2 * p < keff
        if impossible:
            assert isinstance(entry, int) and data["errors"][entry], key
            continue
        out, k_eff, lo, hi, taps, macs = entry
        assert (out, k_eff) == (o, keff), key
        frames = i if t else o
        assert taps == [[f * s - p + tap * d for tap in range(k)] for f in range(frames)], key
        assert lo <= -p and hi >= (o if t else i) + p and lo <= min(map(min, taps))
        for g, m in zip(data["groups"], macs):
            weights = CHANNELS * (CHANNELS // g) * k * k
            assert m == weights * (i * i if t else o * o), key
        n_ok += 1
    assert n_ok > 3000
    for key, (params, how) in data["params"].items():
        k, g, t = map(int, key.split(","))
        assert params == CHANNELS * (CHANNELS // g) * k * k and str(k) in how


def test_explorer_page_is_self_contained(tmp_path, data):
    path = write_explorer(tmp_path / "explorer.html", data)
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 600_000
    page = parse(text)
    for needed in ("input", "kernel", "stride", "padding", "dilation", "groups", "transposed",
                   "output-size", "formula", "params", "macs", "anim", "error"):
        assert needed in page.ids(), needed
    ranges = [a["id"] for a in page.all("input") if a.get("type") == "range"]
    assert ranges == ["input", "kernel", "stride", "padding", "dilation", "groups"]
    assert [a["id"] for a in page.all("canvas")] == ["anim"]
    assert not [a for t, a in page.tags if a.get("src") or t == "link"]   # nothing external
    assert not re.search(r"https?://", text)
    script = "".join(page.scripts)
    match = re.search(r"const DATA = (\{.*?\});\n", script, re.S)
    assert match and json.loads(match.group(1).replace("<\\/", "</")) == data


def test_explorer_small_grid_and_escaping():
    data = explorer_data(sizes=(3,), kernels=(3,), strides=(1,), paddings=(0,), dilations=(1,))
    data["errors"] = ["</script><b>"]
    html = explorer_html(data)
    assert "</script><b>" not in html and "<\\/script><b>" in html


# ------------------------------------------------------------------ report

def test_report_lists_every_part(tmp_path):
    gif = tmp_path / "animations" / "a.gif"
    gif.parent.mkdir()
    Image.new("RGB", (4, 4)).save(gif)
    png = tmp_path / "figures" / "g.png"
    png.parent.mkdir()
    Image.new("RGB", (4, 4)).save(png)
    parts = {
        "title": "tour <test>",
        "comparison": [{"input": {"in_channels": 3, "out_channels": 4, "kernel_size": [3, 3],
                                  "size": [8, 8], "padding": "same"},
                        "rows": [{"label": "standard conv", "kernel": "3x3",
                                  "output_shape": [4, 8, 8], "params": 108, "params_ratio": 1.0,
                                  "macs": 6912, "macs_ratio": 1.0}], "notes": ["a & b"]}],
        "animations": [("classic", "lead", [{"title": "no padding", "frames": 4,
                                             "files": [str(gif)], "plan": {
                                                 "input_size": [4, 4], "output_size": [2, 2],
                                                 "kernel_size": [3, 3]}}])],
        "gallery": {"figure": str(png), "sobel_max_abs_diff": 1e-16},
        "training": {"history": [{"epoch": 2, "test_accuracy": 0.9, "train_loss": 0.3,
                                  "test_loss": 0.4}], "summary": "x < y", "curves": str(png),
                     "run_dir": str(tmp_path / "run")},
        "explorer": str(tmp_path / "explorer.html"),
        "commands": ["convzoo tour"],
    }
    path = write_report(tmp_path, parts)
    text = path.read_text(encoding="utf-8")
    page = parse(text)
    assert {"compare", "animations", "gallery", "training", "explorer"} <= page.ids()
    assert [a["src"] for a in page.all("img")] == ["animations/a.gif", "figures/g.png",
                                                   "figures/g.png"]
    assert "explorer.html" in [a["href"] for a in page.all("a")]
    assert "tour &lt;test&gt;" in text and "x &lt; y" in text and "a &amp; b" in text
    assert "<td class=num>108</td>" in text and "90.0%" in text
