"""``convzoo tour --quick``: the report's files exist, parse, and hold what the issue lists."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from convzoo import cli_tour
from convzoo.cli import main

pytest.importorskip("PIL")
pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")
from PIL import Image  # noqa: E402


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_quick_tour_writes_a_complete_report(tmp_path, capsys):
    out = tmp_path / "tour"
    assert main(["tour", "--quick", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    index = out / "index.html"
    assert captured.out.strip() == f"report: {index.resolve()}"
    stages = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert [s[:5] for s in stages[1::2]] == [f"[{k}/6]" for k in range(1, 7)]   # begin/done

    page = Page()
    page.feed(index.read_text(encoding="utf-8"))
    page.close()
    ids = {a.get("id") for _, a in page.tags}
    assert {"compare", "animations", "gallery", "training", "explorer"} <= ids
    text = " ".join(page.text)
    for needed in ("standard conv", "depthwise-separable (dw + pw)", "grouped conv (groups=8)",
                   "36,864", "4,608", "656", "Model summary", "test accuracy"):
        assert needed in text, needed
    images = [a["src"] for t, a in page.tags if t == "img"]
    gifs = [s for s in images if s.endswith(".gif")]
    assert len(gifs) == 12
    for src in images:
        with Image.open(out / src) as im:
            assert im.format in ("GIF", "PNG")
            if im.format == "GIF":
                assert im.n_frames >= 4
    assert {"figures/gallery.png", "figures/kernels.png", "figures/feature_maps.png",
            "lenet5/curves.png"} <= set(images)
    links = [a["href"] for t, a in page.tags if t == "a" and "href" in a]
    assert "explorer.html" in links and (out / "explorer.html").stat().st_size > 10_000
    assert (out / "lenet5" / "last.npz").is_file()


def test_tour_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_tour, "_missing_extras", lambda: ["pillow", "matplotlib"])
    assert main(["tour", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "needs pillow, matplotlib" in err and '.[viz,data]' in err
    assert not Path(tmp_path / "index.html").exists()


def test_tour_rejects_bad_epochs(tmp_path, capsys):
    assert main(["tour", "--epochs", "0", "--out", str(tmp_path)]) == 2
    assert "--epochs must be >= 1" in capsys.readouterr().err
