"""Animations of the sliding window for any convolution or pooling: frames, GIF and MP4.

``animate(...)`` plans the frames (:mod:`convzoo.viz.frames` for the sliding window,
:mod:`convzoo.viz.channels` for channel structure), optionally runs the real operator
for the numbers (:mod:`convzoo.viz.numeric`), draws each frame with Pillow
(:mod:`convzoo.viz.draw`) and writes a GIF — always — and an MP4 when ``ffmpeg`` is on
``PATH`` (frames piped to it as raw RGB; H.264, yuv420p). Frame counts, highlighted cells
and values all come from those modules: this one only sequences and encodes.

>>> anim = animate("conv", input_size=5, kernel_size=3, stride=2, padding=1)
>>> anim.n_frames, anim.plan.output_size
(9, (3, 3))
>>> anim.render_frame(0).size[0] > 0
True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .channels import CHANNEL_OPS, ChannelPlan, plan_channels
from .draw import renderer
from .frames import WINDOW_OPS, WindowPlan, plan_window
from .numeric import WindowValues, window_values

OPS = WINDOW_OPS + CHANNEL_OPS


def ffmpeg_path() -> str | None:
    """Path of the ``ffmpeg`` executable, or None when it is not installed."""
    return shutil.which("ffmpeg")


@dataclass(eq=False)
class Animation:
    """A planned animation: frames on demand, GIF/MP4 writers.

    Attributes:
        plan: :class:`~convzoo.viz.frames.WindowPlan` or :class:`~convzoo.viz.channels.ChannelPlan`.
        values: the operator's numbers (numeric mode) or None.
        fps: frames per second of the written files.
        files: paths written by :meth:`save` (GIF first).
    """

    plan: WindowPlan | ChannelPlan
    values: WindowValues | None = None
    fps: float = 1.5
    files: list[Path] = field(default_factory=list)

    @property
    def n_frames(self) -> int:
        """Number of frames (from the plan)."""
        return self.plan.n_frames

    def render_frame(self, index: int):
        """Frame ``index`` as a PIL RGB image."""
        return renderer(self.plan, self.values).render(index)

    def render(self) -> list:
        """Every frame as PIL RGB images."""
        draw = renderer(self.plan, self.values)
        return [draw.render(i) for i in range(self.n_frames)]

    def _durations(self) -> list[int]:
        step = int(round(1000 / self.fps))
        durations = [step] * self.n_frames
        durations[-1] = step * 3   # linger on the finished output before looping
        return durations

    def save_gif(self, path) -> Path:
        """Write the animation as a looping GIF (atomically) and return its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        frames = _paletted(self.render())
        tmp = path.with_name(path.name + ".tmp")
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=self._durations(), loop=0, disposal=1)
        os.replace(tmp, path)
        return path

    def save_mp4(self, path) -> Path:
        """Write the animation as an H.264 MP4 with ffmpeg and return its path.

        Raises:
            RuntimeError: ffmpeg is not installed or fails.
        """
        exe = ffmpeg_path()
        if exe is None:
            raise RuntimeError("writing MP4 needs ffmpeg on PATH (apt-get install ffmpeg); "
                               "the GIF needs only Pillow")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        frames = self.render()
        width, height = frames[0].size
        even_w, even_h = width + width % 2, height + height % 2   # yuv420p needs even sizes
        with tempfile.TemporaryDirectory() as tmp:
            # one still per frame shown for its duration: a concat list keeps the timing exact
            listing = []
            for i, (img, ms) in enumerate(zip(frames, self._durations())):
                name = os.path.join(tmp, f"f{i:05d}.png")
                canvas = img if (even_w, even_h) == (width, height) else _pad(img, even_w, even_h)
                canvas.save(name)
                listing.append(f"file '{name}'\nduration {ms / 1000:.3f}\n")
            listing.append(f"file '{os.path.join(tmp, f'f{len(frames) - 1:05d}.png')}'\n")
            concat = os.path.join(tmp, "frames.txt")
            Path(concat).write_text("".join(listing))
            out_tmp = os.path.join(tmp, "out.mp4")
            cmd = [exe, "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
                   "-i", concat, "-vf", "fps=10,format=yuv420p", "-c:v", "libx264",
                   "-movflags", "+faststart", out_tmp]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"ffmpeg failed ({done.returncode}): {done.stderr.strip()}")
            shutil.move(out_tmp, path)
        return path

    def save(self, path, mp4: bool | None = None) -> list[Path]:
        """Write ``path`` (a .gif) and, when ``mp4`` (default: if ffmpeg exists), the .mp4 beside.

        Returns:
            The written paths (also kept in ``files``).

        Raises:
            ValueError: ``path`` does not end in .gif.
            RuntimeError: ``mp4=True`` without ffmpeg.
        """
        path = Path(path)
        if path.suffix.lower() != ".gif":
            raise ValueError(f"path must end in .gif (an .mp4 is written beside it); got "
                             f"path={str(path)!r}")
        written = [self.save_gif(path)]
        if mp4 or (mp4 is None and ffmpeg_path() is not None):
            written.append(self.save_mp4(path.with_suffix(".mp4")))
        self.files = written
        return written


def _paletted(frames: list) -> list:
    """Frames converted to ONE shared palette, so the GIF stores only what changes."""
    from PIL import Image
    picks = [frames[0], frames[len(frames) // 2], frames[-1]]
    width, height = picks[0].size
    sheet = Image.new("RGB", (width, height * len(picks)))
    for i, img in enumerate(picks):
        sheet.paste(img, (0, i * height))
    palette = sheet.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    return [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]


def _pad(img, width, height):
    from PIL import Image
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    canvas.paste(img, (0, 0))
    return canvas


def animate(op: str = "conv", input_size=5, kernel_size=3, stride=None, padding=0, dilation=1,
            *, output_padding=0, ceil_mode: bool = False, in_channels: int | None = None,
            out_channels: int | None = None, groups: int | None = None,
            depth_multiplier: int = 1, numeric: bool = False, input_values=None,
            kernel_values=None, seed: int = 0, fps: float = 1.5, out=None,
            mp4: bool | None = None) -> Animation:
    """Animate a 2-d convolution, transposed convolution, pooling or channel structure.

    Args:
        op: ``'conv'``, ``'conv_transpose'``, ``'max_pool'``, ``'avg_pool'`` (sliding
            window over H×W) or ``'grouped'``, ``'depthwise'``, ``'separable'`` (which
            input channels feed which output channels).
        input_size: H or (H, W) (sliding-window ops).
        kernel_size: k or (kh, kw).
        stride: s or (sh, sw); default 1 for convs, the kernel for pooling.
        padding: int, (ph, pw), ((top, bottom), (left, right)) or, except for the
            transposed conv, ``'valid'``, ``'same'``, ``'same_lower'``, ``'full'``.
        dilation: d or (dh, dw).
        output_padding: transposed conv only.
        ceil_mode: pooling only.
        in_channels, out_channels, groups, depth_multiplier: channel ops only (defaults
            4 channels; groups 2 when it divides them).
        numeric: write input, kernel and output values into the cells (sliding-window
            ops), computed by the real ``convzoo.functional`` operator.
        input_values, kernel_values: (H, W) and (kh, kw) arrays for numeric mode
            (default: small random integers from ``seed``).
        seed: seed of the random values.
        fps: frames per second.
        out: a ``.gif`` path to write (plus ``.mp4`` beside it, see ``mp4``), or None.
        mp4: write the MP4 too: None = when ffmpeg is installed, True = always (error
            without ffmpeg), False = never.

    Returns:
        :class:`Animation` (with ``files`` set when ``out`` was given).

    Raises:
        ValueError: unknown op, bad sizes, options that do not apply to ``op``.
        TypeError: non-int sizes or flags of the wrong type.
        ImportError: Pillow is missing when frames are drawn (``pip install 'convzoo[viz]'``).

    >>> animate("conv_transpose", 2, 3, stride=2).n_frames   # one frame per input cell
    4
    >>> animate("separable", in_channels=3, out_channels=4).n_frames   # 3 depthwise + 4 pointwise
    7
    """
    if op not in OPS:
        raise ValueError(f"op must be one of {OPS}; got op={op!r}")
    if not isinstance(fps, (int, float)) or isinstance(fps, bool) or not fps > 0:
        raise ValueError(f"fps must be a number > 0; got fps={fps!r}")
    if not isinstance(numeric, bool):
        raise TypeError(f"numeric must be True or False; got numeric={numeric!r}")
    if op in CHANNEL_OPS:
        window_only = {"stride": stride, "padding": padding, "dilation": dilation,
                       "output_padding": output_padding, "ceil_mode": ceil_mode,
                       "numeric": numeric}
        defaults = {"stride": None, "padding": 0, "dilation": 1, "output_padding": 0,
                    "ceil_mode": False, "numeric": False}
        for name, value in window_only.items():
            if value != defaults[name]:
                raise ValueError(f"{name} applies to the sliding-window ops {WINDOW_OPS}; got "
                                 f"{name}={value!r} with op={op!r}")
        plan = plan_channels(op, 4 if in_channels is None else in_channels, out_channels,
                             kernel_size, groups, depth_multiplier)
        anim = Animation(plan, None, float(fps))
    else:
        channel_only = {"in_channels": in_channels, "out_channels": out_channels,
                        "groups": groups}
        for name, value in channel_only.items():
            if value is not None:
                raise ValueError(f"{name} applies to the channel ops {CHANNEL_OPS}; got "
                                 f"{name}={value!r} with op={op!r}")
        if depth_multiplier != 1:
            raise ValueError(f"depth_multiplier applies to the channel ops {CHANNEL_OPS}; got "
                             f"depth_multiplier={depth_multiplier!r} with op={op!r}")
        plan = plan_window(op, input_size, kernel_size, stride, padding, dilation,
                           output_padding=output_padding, ceil_mode=ceil_mode)
        values = window_values(plan, input_values, kernel_values, seed) if numeric else None
        anim = Animation(plan, values, float(fps))
    if out is not None:
        anim.save(out, mp4=mp4)
    return anim


__all__ = ["OPS", "Animation", "animate", "ffmpeg_path"]
