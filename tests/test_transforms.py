"""convzoo.data.transforms against per-image loop references written from the definitions.

Random transforms document how they draw from the generator (crop: ``top`` then
``left`` via ``rng.integers``, one per image; flip: ``rng.random(N) < p``); the
references draw the same numbers from an identically seeded generator and then
build each output image on its own, pixel by pixel.
"""

from __future__ import annotations

import numpy as np
import pytest

from convzoo.data import (
    Compose,
    DataLoader,
    Normalize,
    Pad,
    RandomCrop,
    RandomHorizontalFlip,
    ToFloat,
)


def batch(n=3, c=2, h=5, w=4, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(dtype)


# ----------------------------------------------------------------------------- references

def source_index(i: int, size: int, mode: str) -> int | None:
    """The input index that padded position ``i`` (may be < 0 or >= size) copies."""
    if 0 <= i < size:
        return i
    if mode == "constant":
        return None
    if mode == "edge":
        return 0 if i < 0 else size - 1
    if mode == "reflect":  # mirror about the edge cells: ... 2 1 | 0 1 2 | 1 0 ...
        period = 2 * (size - 1)
        k = i % period if period else 0
        return k if k < size else period - k
    if mode == "symmetric":  # mirror including the edge cells: ... 1 0 | 0 1 2 | 2 1 ...
        period = 2 * size
        k = i % period
        return k if k < size else period - 1 - k
    raise AssertionError(mode)


def pad_reference(image, top, bottom, left, right, mode, value=0.0):
    c, h, w = image.shape
    out = np.empty((c, h + top + bottom, w + left + right), image.dtype)
    for ch in range(c):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                si = source_index(i - top, h, mode)
                sj = source_index(j - left, w, mode)
                out[ch, i, j] = value if si is None or sj is None else image[ch, si, sj]
    return out


# ----------------------------------------------------------------------------- ToFloat / Normalize

def test_to_float():
    x = np.array([[[[0, 1, 128, 255]]]], np.uint8)
    out = ToFloat()(x)
    assert out.dtype == np.float32
    for j in range(4):
        assert out[0, 0, 0, j] == np.float32(x[0, 0, 0, j]) / np.float32(255)
    y = batch(dtype=np.float64)
    kept = ToFloat()(y)
    assert kept.dtype == np.float32 and np.array_equal(kept, y.astype(np.float32))
    assert ToFloat(scale=16, dtype=np.float64)(np.array([[[[16]]]])).dtype == np.float64
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        ToFloat(scale=0)
    with pytest.raises(TypeError, match="dtype must have a floating-point dtype"):
        ToFloat(dtype=np.int32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mean, std", [((0.5, -1.0, 2.0), (0.25, 2.0, 1.0)), (0.3, 0.7),
                                       ([0.1], [2.0])])
def test_normalize_vs_loop(dtype, mean, std):
    x = batch(n=2, c=3, h=3, w=2, dtype=dtype)
    out = Normalize(mean, std)(x)
    assert out.dtype == dtype and out.shape == x.shape
    m = np.broadcast_to(np.atleast_1d(mean), (3,))
    s = np.broadcast_to(np.atleast_1d(std), (3,))
    for n in range(2):
        for c in range(3):
            for i in range(3):
                for j in range(2):
                    ref = (float(x[n, c, i, j]) - m[c]) / s[c]
                    assert out[n, c, i, j] == pytest.approx(ref, rel=1e-6, abs=1e-6)


def test_normalize_errors_and_single_image():
    single = Normalize([1.0, 2.0], [2.0, 4.0])(np.full((2, 1, 1), 3.0, np.float32))
    assert single.shape == (2, 1, 1) and single.ravel().tolist() == [1.0, 0.25]
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        Normalize(0.0, [1.0, 0.0])
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        Normalize(0.0, -1.0)
    with pytest.raises(ValueError, match="mean must have 1 or C=2 values"):
        Normalize([0.0, 0.0, 0.0], 1.0)(batch(c=2))
    with pytest.raises(TypeError, match="images must have a floating-point dtype"):
        Normalize(0.0, 1.0)(np.zeros((1, 1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="images must be 3 or 4-dimensional"):
        Normalize(0.0, 1.0)(np.zeros((2, 2), np.float32))


# ----------------------------------------------------------------------------- Pad

@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding, sides", [
    (2, (2, 2, 2, 2)), ((1, 3), (1, 1, 3, 3)), (((0, 2), (3, 1)), (0, 2, 3, 1)),
    (0, (0, 0, 0, 0)),
])
def test_pad_vs_loop(mode, padding, sides):
    x = batch(n=2, c=2, h=4, w=5)
    out = Pad(padding, mode=mode)(x)
    top, bottom, left, right = sides
    assert out.shape == (2, 2, 4 + top + bottom, 5 + left + right)
    for n in range(2):
        np.testing.assert_array_equal(out[n], pad_reference(x[n], top, bottom, left, right, mode))


def test_pad_value_and_input_untouched():
    x = batch(n=1, c=1, h=2, w=2)
    before = x.copy()
    out = Pad(1, value=-7.0)(x)
    assert out[0, 0, 0, 0] == -7.0 and (out[0, 0, 1:3, 1:3] == x[0, 0]).all()
    assert (x == before).all()
    assert Pad(1)(x[0]).shape == (1, 4, 4)


def test_pad_errors():
    with pytest.raises(ValueError, match="padding must be >= 0"):
        Pad(-1)
    with pytest.raises(ValueError, match="mode must be one of"):
        Pad(1, mode="wrap")
    with pytest.raises(TypeError, match="padding must be an int, .*got padding='same'"):
        Pad("same")
    with pytest.raises(ValueError, match="padding must be an int, 2 ints"):
        Pad((1, 2, 3))
    with pytest.raises(ValueError, match="reflect padding must be smaller than the image"):
        Pad(2, mode="reflect")(batch(h=2, w=5))


# ----------------------------------------------------------------------------- RandomCrop

@pytest.mark.parametrize("n, h, w, size, padding", [
    (1, 5, 4, 3, None), (6, 5, 4, (2, 3), None), (4, 6, 7, (6, 7), None),
    (5, 4, 4, 4, 1), (3, 5, 3, (4, 2), ((0, 2), (1, 0))), (8, 8, 8, 8, 4),
])
def test_random_crop_vs_loop(n, h, w, size, padding):
    x = batch(n=n, c=2, h=h, w=w, seed=n)
    before = x.copy()
    out = RandomCrop(size, padding=padding)(x, np.random.default_rng(42))
    ch, cw = (size, size) if isinstance(size, int) else size
    assert out.shape == (n, 2, ch, cw) and out.dtype == x.dtype
    assert (x == before).all()
    if padding is None:
        sides = (0, 0, 0, 0)
    elif isinstance(padding, int):
        sides = (padding,) * 4
    else:
        sides = (*padding[0], *padding[1])
    ph, pw = h + sides[0] + sides[1], w + sides[2] + sides[3]
    rng = np.random.default_rng(42)
    tops = rng.integers(0, ph - ch + 1, size=n)
    lefts = rng.integers(0, pw - cw + 1, size=n)
    for k in range(n):
        padded = pad_reference(x[k], *sides, "constant")
        ref = padded[:, tops[k]:tops[k] + ch, lefts[k]:lefts[k] + cw]
        np.testing.assert_array_equal(out[k], ref)


def test_random_crop_covers_all_offsets_and_pads_by_mode():
    x = np.broadcast_to(np.arange(5, dtype=np.float32), (400, 1, 1, 5)).copy()
    out = RandomCrop((1, 3))(x, np.random.default_rng(0))
    assert sorted({float(v) for v in out[:, 0, 0, 0]}) == [0.0, 1.0, 2.0]
    edge = RandomCrop((1, 5), padding=((0, 0), (2, 2)), pad_mode="edge")(
        x[:1], np.random.default_rng(1))
    assert set(edge.ravel().tolist()) <= {0.0, 1.0, 2.0, 3.0, 4.0}


def test_random_crop_errors():
    with pytest.raises(ValueError, match="size must be >= 1"):
        RandomCrop(0)
    with pytest.raises(ValueError, match=r"size \(6, 6\) is larger than the \(padded\) images"):
        RandomCrop(6)(batch(h=5, w=5), np.random.default_rng(0))
    with pytest.raises(TypeError, match="RandomCrop is random and needs an explicit"):
        RandomCrop(2)(batch())
    with pytest.raises(TypeError, match="np.random.Generator"):
        RandomCrop(2)(batch(), np.random.RandomState(0))


# ----------------------------------------------------------------------------- RandomHorizontalFlip

@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("n", [1, 9])
def test_flip_vs_loop(p, n):
    x = batch(n=n, c=2, h=3, w=4, seed=3)
    before = x.copy()
    out = RandomHorizontalFlip(p)(x, np.random.default_rng(7))
    assert (x == before).all()
    flips = np.random.default_rng(7).random(n) < p
    for k in range(n):
        for c in range(2):
            for i in range(3):
                for j in range(4):
                    src = 3 - j if flips[k] else j
                    assert out[k, c, i, j] == x[k, c, i, src]


def test_flip_rate_and_errors():
    x = np.arange(2, dtype=np.float32).reshape(1, 1, 1, 2).repeat(4000, axis=0)
    out = RandomHorizontalFlip(0.25)(x, np.random.default_rng(0))
    assert 0.22 < (out[:, 0, 0, 0] == 1.0).mean() < 0.28
    for bad in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match="p must be a probability in"):
            RandomHorizontalFlip(bad)
    with pytest.raises(TypeError, match="RandomHorizontalFlip is random"):
        RandomHorizontalFlip()(x)


# ----------------------------------------------------------------------------- Compose

def test_compose_threads_one_generator():
    raw = np.random.default_rng(5).integers(0, 256, size=(6, 3, 6, 6), dtype=np.uint8)
    pipeline = Compose([ToFloat(), RandomCrop(4, padding=1), RandomHorizontalFlip(),
                        Normalize((0.5, 0.4, 0.3), (0.2, 0.2, 0.25))])
    out = pipeline(raw, np.random.default_rng(9))
    rng = np.random.default_rng(9)
    step = ToFloat()(raw)
    step = RandomCrop(4, padding=1)(step, rng)
    step = RandomHorizontalFlip()(step, rng)
    step = Normalize((0.5, 0.4, 0.3), (0.2, 0.2, 0.25))(step)
    np.testing.assert_array_equal(out, step)
    assert out.dtype == np.float32 and "RandomCrop" in repr(pipeline)
    with pytest.raises(TypeError, match="every transform must be callable"):
        Compose([ToFloat(), 3])


def test_compose_in_loader_is_deterministic():
    x = np.random.default_rng(1).random((10, 1, 5, 5)).astype(np.float32)
    t = Compose([RandomCrop(3), RandomHorizontalFlip()])
    a = [xb for xb, _ in DataLoader((x, np.arange(10)), 4, True, seed=2, transform=t)]
    b = [xb for xb, _ in DataLoader((x, np.arange(10)), 4, True, seed=2, transform=t)]
    assert all((u == v).all() for u, v in zip(a, b, strict=True))
