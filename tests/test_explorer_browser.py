"""The explorer page in a real browser: headless Chromium driven by Playwright.

Moving a slider must change the shown output size to the value of the output-size
formula written here (not convzoo's); parameters and MACs follow the counting
formulas; impossible configurations show the library's error; the page makes no
network request and logs no error. Skipped, with a message, when Playwright or a
Chromium binary is missing (CI installs Debian's chromium and the ``browser`` extra).
"""

from __future__ import annotations

import os
import shutil

import pytest

from convzoo.viz.explorer import write_explorer

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
C = 8   # the page's channel count


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def conv_out(i, k, s, p, d):
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def tconv_out(i, k, s, p, d):
    return (i - 1) * s - 2 * p + d * (k - 1) + 1


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright is not installed (pip install "
                                          "'convzoo[browser]'); skipping the browser test")
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary (apt-get install chromium chromium-driver); skipping "
                    "the browser test")
    path = write_explorer(tmp_path_factory.mktemp("explorer") / "explorer.html")
    with sync_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        except Exception as err:   # a broken or sandboxed browser: say so and skip
            pytest.skip(f"Chromium at {exe} would not start: {err}")
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.problems = []
        pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
        pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)
        pg.on("request", lambda r: None if r.url.startswith("file://")
              else pg.problems.append(f"network request: {r.url}"))
        pg.goto(path.as_uri())
        yield pg
        browser.close()


def _set(page, slider: str, value) -> None:
    """Move a slider to the position of ``value`` (as a user dragging it would end up)."""
    page.evaluate("""([id, value]) => {
        const el = document.getElementById(id);
        const values = id === "groups" ? DATA.groups : DATA.axes[id];
        el.value = values.indexOf(value);
        el.dispatchEvent(new Event("input", {bubbles: true}));
    }""", [slider, value])


def _configure(page, i, k, s, p, d, g=1, transposed=False):
    for name, value in (("input", i), ("kernel", k), ("stride", s), ("padding", p),
                        ("dilation", d), ("groups", g)):
        _set(page, name, value)
    box = page.locator("#transposed")
    if box.is_checked() != transposed:
        box.click()


def _numbers(text: str) -> list[int]:
    return [int(t.replace(",", "")) for t in text.replace("=", " ").split()
            if t.replace(",", "").isdigit()]


def test_keyboard_slider_moves_change_the_output_size(page):
    _configure(page, 5, 3, 1, 0, 1)
    assert page.text_content("#output-size") == "3×3"
    page.locator("#stride").press("ArrowRight")           # stride 2
    page.locator("#padding").press("ArrowRight")          # padding 1
    o = conv_out(5, 3, 2, 1, 1)
    assert page.text_content("#stride-value") == "2"
    assert page.text_content("#output-size") == f"{o}×{o}"
    page.locator("#dilation").press("ArrowRight")         # dilation 2
    o = conv_out(5, 3, 2, 1, 2)
    assert page.text_content("#output-size") == f"{o}×{o}"
    assert page.text_content("#formula").endswith(f"= {o}")
    page.locator("#input").press("ArrowRight")            # input 6
    page.locator("#input").press("ArrowRight")            # input 7
    o = conv_out(7, 3, 2, 1, 2)
    assert page.text_content("#output-size") == f"{o}×{o}"
    assert not page.problems, page.problems


@pytest.mark.parametrize("transposed", [False, True])
def test_output_size_params_and_macs_across_a_grid(page, transposed):
    checked = 0
    for i, k, s, p, d, g in [(2, 1, 1, 0, 1, 1), (4, 3, 1, 0, 1, 2), (5, 4, 1, 2, 1, 4),
                             (6, 3, 2, 1, 1, 8), (7, 3, 1, 0, 2, 1), (9, 5, 3, 3, 2, 2),
                             (12, 2, 2, 1, 3, 4), (11, 5, 2, 0, 1, 8), (3, 5, 1, 3, 3, 1),
                             (8, 4, 3, 2, 2, 2)]:
        _configure(page, i, k, s, p, d, g, transposed)
        o = tconv_out(i, k, s, p, d) if transposed else conv_out(i, k, s, p, d)
        if o < 1 or (not transposed and i + 2 * p < d * (k - 1) + 1):
            assert page.is_visible("#error")
            assert page.text_content("#output-size") == "—"
            continue
        assert not page.is_visible("#error")
        assert page.text_content("#output-size") == f"{o}×{o}", (i, k, s, p, d, transposed)
        params = C * (C // g) * k * k
        grid = i * i if transposed else o * o   # transposed convs: counted on the input grid
        assert _numbers(page.text_content("#params"))[0] == params
        assert _numbers(page.text_content("#macs"))[0] == params * grid
        frames = page.text_content("#status").rsplit("/", 1)[1]
        assert int(frames) == grid
        checked += 1
    assert checked >= 7
    assert not page.problems, page.problems


def test_impossible_configuration_shows_the_librarys_error(page):
    _configure(page, 2, 5, 1, 0, 3)
    assert page.is_visible("#error")
    assert "larger than the padded input" in page.text_content("#error")
    _configure(page, 2, 1, 1, 3, 1, transposed=True)
    assert "transposed convolution output size would be" in page.text_content("#error")
    _configure(page, 5, 3, 1, 0, 1)
    assert not page.is_visible("#error")
    assert not page.problems, page.problems


def test_canvas_draws_and_steps(page):
    if page.text_content("#play") == "pause":   # stop the timer so the frames stay put
        page.click("#play")
    _configure(page, 5, 3, 2, 1, 1)             # back to frame 0
    first = page.text_content("#status")
    assert first.startswith("output[0, 0] reads input rows -1,0,1, cols -1,0,1")
    page.click("#step")
    assert page.text_content("#status").startswith("output[0, 1] reads input rows -1,0,1, "
                                                   "cols 1,2,3")
    inked = page.evaluate("""() => {
        const c = document.getElementById("anim");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")
    assert inked > 10000
    assert not page.problems, page.problems
