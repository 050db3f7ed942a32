"""Batch transforms for image arrays (N, C, H, W): to-float, normalise, pad, random crop/flip.

Every transform is called as ``t(images, rng=None)`` on a whole batch and
returns a new array (the input is never modified). A single (C, H, W) image is
accepted too and treated as a batch of one. Random transforms need ``rng``, an
explicit ``np.random.Generator`` (``DataLoader`` passes one per batch, derived
from its seed), and draw per-image parameters as vectors:

- ``RandomCrop``: ``top = rng.integers(0, H - h + 1, size=N)`` then
  ``left = rng.integers(0, W - w + 1, size=N)``; crops are gathered in one fancy
  index into ``sliding_window_view(x, (h, w), axis=(2, 3))`` of shape
  (N, C, H-h+1, W-w+1, h, w), taking window ``[n, :, top[n], left[n]]``.
- ``RandomHorizontalFlip``: ``flip = rng.random(N) < p``, then the flipped
  images are written through a boolean mask.

No Python loop runs over the images of a batch.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import _args

PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def _as_batch(images) -> tuple[np.ndarray, bool]:
    x = np.asarray(images)
    if x.ndim == 3:
        return x[None], True
    _args.check_ndim(x.shape, (3, 4), "images")
    return x, False


def _unbatch(x: np.ndarray, single: bool) -> np.ndarray:
    return x[0] if single else x


def _check_rng(rng, owner: str) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{owner} is random and needs an explicit np.random.Generator: call it "
                        f"as t(images, rng); got rng={rng!r}")
    return rng


class Compose:
    """Apply transforms in order, passing the same generator to each.

    Args:
        transforms: sequence of callables ``t(images, rng)``.

    Example:
        >>> t = Compose([ToFloat(), Normalize(0.5, 0.5)])
        >>> t(np.full((1, 1, 1, 1), 255, np.uint8)).tolist()
        [[[[1.0]]]]
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"every transform must be callable; got {t!r}")

    def __call__(self, images, rng=None):
        for t in self.transforms:
            images = t(images, rng)
        return images

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(map(repr, self.transforms)) + "])"


class ToFloat:
    """Convert to floating point; integer images are divided by ``scale``.

    Args:
        scale: divisor for integer input (255 maps uint8 to [0, 1]).
        dtype: output dtype, float32 by default.

    Example:
        >>> ToFloat()(np.array([[[[0, 51, 255]]]], np.uint8)).tolist()
        [[[[0.0, 0.20000000298023224, 1.0]]]]
    """

    def __init__(self, scale: float = 255.0, dtype=np.float32):
        self.scale = _args.check_positive_number(scale, "scale")
        self.dtype = np.dtype(dtype)
        _args.check_float(self.dtype, "dtype")

    def __call__(self, images, rng=None):
        x = np.asarray(images)
        if np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
            return x.astype(self.dtype) / self.dtype.type(self.scale)
        return x.astype(self.dtype, copy=True)

    def __repr__(self) -> str:
        return f"ToFloat(scale={self.scale}, dtype={self.dtype.name})"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel; floating dtype is kept.

    Args:
        mean: one number (all channels) or one per channel.
        std: one positive number or one per channel.

    Raises:
        ValueError: ``std`` not positive, or the number of values does not match C.
        TypeError: integer images (apply ``ToFloat`` first).

    Example:
        >>> Normalize([0.0, 1.0], [1.0, 2.0])(np.ones((1, 2, 1, 1), np.float32)).ravel().tolist()
        [1.0, 0.0]
    """

    def __init__(self, mean, std):
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"mean and std must be numbers or 1-d sequences; "
                             f"got mean={mean!r}, std={std!r}")
        if not np.all(self.std > 0) or not np.all(np.isfinite(self.std)):
            raise ValueError(f"std must be finite and > 0; got std={std!r}")

    def __call__(self, images, rng=None):
        x, single = _as_batch(images)
        _args.check_float(x.dtype, "images")
        c = x.shape[1]
        for name, v in (("mean", self.mean), ("std", self.std)):
            if len(v) not in (1, c):
                raise ValueError(f"{name} must have 1 or C={c} values for images with shape "
                                 f"{x.shape}; got {name} with {len(v)} values")
        mean = self.mean.astype(x.dtype).reshape(-1, 1, 1)
        std = self.std.astype(x.dtype).reshape(-1, 1, 1)
        return _unbatch((x - mean) / std, single)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class Pad:
    """Pad the two spatial dims.

    Args:
        padding: int (all four sides), ``(ph, pw)`` (both sides of H, of W), or
            ``((top, bottom), (left, right))``, as everywhere in convzoo.
        mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"`` (``np.pad``).
        value: fill value for ``"constant"``.

    Example:
        >>> Pad(((0, 1), (1, 0)))(np.ones((1, 1, 1, 1), np.float32))[0, 0].tolist()
        [[0.0, 1.0], [0.0, 0.0]]
    """

    def __init__(self, padding, mode: str = "constant", value: float = 0.0):
        if isinstance(padding, str):
            raise TypeError(f"padding must be an int, (ph, pw) or ((top, bottom), (left, "
                            f"right)); got padding={padding!r}")
        self.padding = _args.padding_spec(padding, 2, "padding", modes=())
        if mode not in PAD_MODES:
            raise ValueError(f"mode must be one of {PAD_MODES}; got mode={mode!r}")
        self.mode = mode
        self.value = value

    def __call__(self, images, rng=None):
        x, single = _as_batch(images)
        (top, bottom), (left, right) = self.padding
        h, w = x.shape[2:]
        if self.mode == "reflect" and (max(top, bottom) >= h or max(left, right) >= w):
            raise ValueError(f"reflect padding must be smaller than the image; got "
                             f"padding={self.padding} for images of size {h}x{w}")
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        kwargs = {"constant_values": self.value} if self.mode == "constant" else {}
        return _unbatch(np.pad(x, widths, mode=self.mode, **kwargs), single)

    def __repr__(self) -> str:
        return f"Pad(padding={self.padding}, mode={self.mode!r})"


class RandomCrop:
    """Crop each image at its own random position (after optional padding).

    Args:
        size: int or ``(h, w)`` of the crop.
        padding: None or any ``Pad`` padding applied first (CIFAR's classic: 4).
        pad_mode: ``Pad`` mode for that padding.

    Raises:
        ValueError: the crop is larger than the (padded) image.
        TypeError: called without a ``np.random.Generator``.

    Example:
        >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
        >>> RandomCrop(2)(x, np.random.default_rng(0)).shape
        (1, 1, 2, 2)
    """

    def __init__(self, size, padding=None, pad_mode: str = "constant"):
        self.size = _args.positive_tuple(size, 2, "size")
        self.pad = None if padding is None else Pad(padding, pad_mode)

    def __call__(self, images, rng=None):
        rng = _check_rng(rng, "RandomCrop")
        x, single = _as_batch(images)
        if self.pad is not None:
            x = self.pad(x)
        n, _, height, width = x.shape
        h, w = self.size
        if h > height or w > width:
            raise ValueError(f"size {self.size} is larger than the (padded) images of size "
                             f"{height}x{width}")
        top = rng.integers(0, height - h + 1, size=n)
        left = rng.integers(0, width - w + 1, size=n)
        windows = sliding_window_view(x, (h, w), axis=(2, 3))  # (N, C, H-h+1, W-w+1, h, w)
        # Advanced indices split by a slice: their broadcast dim (N) leads -> (N, C, h, w).
        out = windows[np.arange(n), :, top, left]
        return _unbatch(np.ascontiguousarray(out), single)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, pad={self.pad!r})"


class RandomHorizontalFlip:
    """Mirror each image left-right with probability ``p``.

    Args:
        p: flip probability in [0, 1].

    Raises:
        ValueError: ``p`` outside [0, 1].
        TypeError: called without a ``np.random.Generator``.

    Example:
        >>> x = np.array([[[[1.0, 2.0]]]], np.float32)
        >>> RandomHorizontalFlip(p=1.0)(x, np.random.default_rng(0)).tolist()
        [[[[2.0, 1.0]]]]
    """

    def __init__(self, p: float = 0.5):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"p must be a probability in [0, 1]; got p={p!r}")
        self.p = float(p)

    def __call__(self, images, rng=None):
        rng = _check_rng(rng, "RandomHorizontalFlip")
        x, single = _as_batch(images)
        flip = rng.random(len(x)) < self.p
        out = x.copy()
        out[flip] = x[flip, ..., ::-1]
        return _unbatch(out, single)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"
