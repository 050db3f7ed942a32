"""convzoo.data: IDX and CIFAR readers on files written here by hand, load_dataset, DataLoader.

The oracles are the file formats themselves: IDX bytes are assembled with ``struct``
from LeCun's description, CIFAR batches are pickled dicts laid out as the CIFAR-10
page describes (row-major 32×32 planes, R then G then B), and expected values are
read back from those raw bytes with plain loops.
"""

from __future__ import annotations

import gzip
import os
import pickle
import struct
import sys

import numpy as np
import pytest

from convzoo import data
from convzoo.data import cifar, datasets, digits, idx
from convzoo.data.loader import DataLoader

# ----------------------------------------------------------------------------- IDX

STRUCT = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}
NP_DTYPE = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32,
            0x0D: np.float32, 0x0E: np.float64}


def idx_bytes(code: int, shape, values) -> bytes:
    """An IDX file by the book: 0, 0, dtype code, ndim, big-endian dims, big-endian items."""
    header = struct.pack(">BBBB", 0, 0, code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)
    return header + struct.pack(f">{len(values)}{STRUCT[code]}", *values)


def write(path, payload: bytes, gz: bool = False):
    with open(path, "wb") as fh:
        fh.write(gzip.compress(payload) if gz else payload)
    return str(path)


SAMPLES = {
    0x08: [0, 1, 127, 128, 254, 255],
    0x09: [-128, -1, 0, 1, 100, 127],
    0x0B: [-32768, -2, 0, 3, 1000, 32767],
    0x0C: [-2**31, -70000, 0, 5, 70000, 2**31 - 1],
    0x0D: [-1.5, 0.0, 0.25, 3.0, 1e10, -2.0**-20],
    0x0E: [-1.5, 0.1, 1e-300, 3.0, 1e300, -7.25],
}


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_read_idx_every_dtype(tmp_path, code, gz):
    values = SAMPLES[code]
    path = write(tmp_path / f"f{code}", idx_bytes(code, (2, 3), values), gz)
    got = idx.read_idx(path)
    assert got.shape == (2, 3)
    assert got.dtype == NP_DTYPE[code] and got.dtype.isnative
    for i in range(2):
        for j in range(3):
            assert got[i, j] == np.array(values[i * 3 + j], dtype=NP_DTYPE[code])


@pytest.mark.parametrize("shape", [(5,), (3, 2, 4), (2, 1, 3, 2)])
def test_read_idx_shapes_c_order(tmp_path, shape):
    n = int(np.prod(shape))
    values = [(7 * k + 3) % 256 for k in range(n)]
    got = idx.read_idx(write(tmp_path / "x.gz", idx_bytes(0x08, shape, values), gz=True))
    assert got.shape == shape
    assert got.ravel().tolist() == values


def test_gzip_detected_by_content_not_name(tmp_path):
    path = write(tmp_path / "plain-name-idx1-ubyte", idx_bytes(0x08, (3,), [9, 8, 7]), gz=True)
    assert idx.read_idx(path).tolist() == [9, 8, 7]


@pytest.mark.parametrize("name", ["w-idx3-ubyte", "w-idx3-ubyte.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float64])
def test_write_idx_matches_format(tmp_path, name, dtype):
    array = (np.arange(12).reshape(2, 3, 2) - 4).astype(dtype)
    if dtype == np.uint8:
        array = np.arange(12, dtype=np.uint8).reshape(2, 3, 2)
    path = tmp_path / name
    idx.write_idx(path, array)
    raw = path.read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    code = {np.uint8: 0x08, np.int16: 0x0B, np.float64: 0x0E}[dtype]
    assert raw == idx_bytes(code, array.shape, array.ravel().tolist())
    np.testing.assert_array_equal(idx.read_idx(path), array)


def test_write_idx_errors(tmp_path):
    with pytest.raises(TypeError, match="dtype"):
        idx.write_idx(tmp_path / "a", np.zeros(3, np.uint16))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        idx.write_idx(tmp_path / "a", np.uint8(3))


GOOD = idx_bytes(0x08, (2, 2, 2), list(range(8)))


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("payload, match", [
    (GOOD[:-1], "truncated IDX file"),
    (GOOD[:10], "truncated IDX header"),
    (GOOD[:3], "shorter than the 4-byte magic"),
    (b"", "shorter than the 4-byte magic"),
    (GOOD + b"\x00", "1 extra"),
    (b"\x01" + GOOD[1:], "two zero bytes"),
    (GOOD[:2] + b"\x07" + GOOD[3:], "unknown IDX dtype code 0x07"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
])
def test_bad_idx_raises_naming_file(tmp_path, payload, match, gz):
    path = write(tmp_path / "bad-file-idx3-ubyte", payload, gz)
    with pytest.raises(ValueError, match=match) as info:
        idx.read_idx(path)
    assert path in str(info.value)


def test_truncated_and_corrupt_gzip(tmp_path):
    big = idx_bytes(0x08, (64, 8, 8), [k % 251 for k in range(4096)])
    packed = gzip.compress(big)
    cut = write(tmp_path / "cut.gz", packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as info:
        idx.read_idx(cut)
    assert cut in str(info.value)
    damaged = bytearray(packed)
    damaged[len(damaged) // 2] ^= 0xFF
    damaged[-6] ^= 0xFF  # CRC32 as well, in case the deflate stream still decodes
    bad = write(tmp_path / "bad.gz", bytes(damaged))
    with pytest.raises(ValueError, match="bad.gz"):
        idx.read_idx(bad)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        idx.read_idx(tmp_path / "nope")


def test_read_idx_pair(tmp_path):
    imgs = write(tmp_path / "i", idx_bytes(0x08, (3, 2, 2), list(range(12))))
    labs = write(tmp_path / "l", idx_bytes(0x08, (3,), [2, 0, 1]))
    x, y = idx.read_idx_pair(imgs, labs)
    assert x.shape == (3, 1, 2, 2) and x[2, 0, 1, 0] == 10
    assert y.dtype == np.int64 and y.tolist() == [2, 0, 1]
    short = write(tmp_path / "l2", idx_bytes(0x08, (2,), [2, 0]))
    with pytest.raises(ValueError, match="3 images but .*l2 holds 2 labels"):
        idx.read_idx_pair(imgs, short)
    flat = write(tmp_path / "i2", idx_bytes(0x08, (3, 4), list(range(12))))
    with pytest.raises(ValueError, match="i2: image file must be 3-dimensional"):
        idx.read_idx_pair(flat, labs)
    floats = write(tmp_path / "l3", idx_bytes(0x0D, (3,), [0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="l3: label file must be 1-dimensional integers"):
        idx.read_idx_pair(imgs, floats)


# ----------------------------------------------------------------------------- CIFAR

def cifar_batch(rng, n, labels=None):
    raw = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = list(rng.integers(0, 10, size=n).tolist()) if labels is None else labels
    return raw, labels


def dump(path, obj, protocol=2):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=protocol)


def pixel(raw_row, c, i, j):
    """CIFAR layout: 1024 red values, then green, then blue, each 32 rows of 32."""
    return raw_row[c * 1024 + i * 32 + j]


@pytest.mark.parametrize("protocol, bytes_keys", [(2, True), (2, False), (4, False),
                                                  (5, True), (5, False)])
def test_read_cifar_batch(tmp_path, protocol, bytes_keys):
    rng = np.random.default_rng(0)
    raw, labels = cifar_batch(rng, 3)
    key = (lambda s: s.encode()) if bytes_keys else (lambda s: s)
    dump(tmp_path / "data_batch_1", {key("data"): raw, key("labels"): labels,
                                     key("batch_label"): key("training batch 1 of 5")},
         protocol)
    x, y = cifar.read_cifar_batch(tmp_path / "data_batch_1")
    assert x.shape == (3, 3, 32, 32) and x.dtype == np.uint8
    assert y.dtype == np.int64 and y.tolist() == labels
    for n in range(3):
        for c in range(3):
            for i in range(0, 32, 5):
                for j in range(0, 32, 3):
                    assert x[n, c, i, j] == pixel(raw[n], c, i, j)


def make_cifar_dir(folder, rng, sizes=(2, 3, 1, 2, 2), n_test=3, meta=True):
    os.makedirs(folder, exist_ok=True)
    batches = []
    for k, n in enumerate(sizes, start=1):
        raw, labels = cifar_batch(rng, n)
        dump(os.path.join(folder, f"data_batch_{k}"), {b"data": raw, b"labels": labels})
        batches.append((raw, labels))
    raw, labels = cifar_batch(rng, n_test)
    dump(os.path.join(folder, "test_batch"), {b"data": raw, b"labels": labels})
    if meta:
        names = [f"class{k}".encode() for k in range(10)]
        dump(os.path.join(folder, "batches.meta"),
             {b"label_names": names, b"num_cases_per_batch": 2, b"num_vis": 3072})
    return batches, (raw, labels)


@pytest.mark.parametrize("nested", [False, True])
def test_load_cifar10_train_and_test(tmp_path, nested):
    folder = tmp_path / "cifar-10-batches-py" if nested else tmp_path
    batches, (traw, tlabels) = make_cifar_dir(folder, np.random.default_rng(1))
    x, y, classes = cifar.load_cifar10(tmp_path, "train")
    assert x.shape == (10, 3, 32, 32)
    assert classes == tuple(f"class{k}" for k in range(10))
    expected_labels = [lab for _, labels in batches for lab in labels]
    assert y.tolist() == expected_labels
    rows = [row for raw, _ in batches for row in raw]
    for n, row in enumerate(rows):
        assert x[n, 2, 31, 0] == pixel(row, 2, 31, 0) and x[n, 1, 4, 17] == pixel(row, 1, 4, 17)
    ds = data.load_dataset("cifar10", "test", data_dir=tmp_path)
    assert ds.images.shape == (3, 3, 32, 32) and ds.images.dtype == np.float32
    assert ds.labels.tolist() == tlabels
    for n in range(3):
        assert ds.images[n, 0, 5, 9] == np.float32(pixel(traw[n], 0, 5, 9)) / np.float32(255)
    assert ds.classes == classes


def test_cifar_without_meta_uses_standard_names(tmp_path):
    make_cifar_dir(tmp_path, np.random.default_rng(2), meta=False)
    assert cifar.load_cifar10(tmp_path, "test")[2] == (
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def test_cifar_missing_batches(tmp_path):
    rng = np.random.default_rng(3)
    make_cifar_dir(tmp_path, rng)
    os.remove(tmp_path / "data_batch_4")
    with pytest.raises(FileNotFoundError, match="missing data_batch_4"):
        cifar.load_cifar10(tmp_path, "train")
    with pytest.raises(FileNotFoundError) as info:
        data.load_dataset("cifar10", "train", data_dir=tmp_path)
    msg = str(info.value)
    assert str(tmp_path) in msg and "no data_batch_4" in msg
    assert os.path.join(str(tmp_path), "cifar-10-batches-py") in msg
    assert "--data-dir" in msg and "never downloads" in msg
    assert len(data.load_dataset("cifar10", "test", data_dir=tmp_path)) == 3
    with pytest.raises(ValueError, match="split must be"):
        cifar.load_cifar10(tmp_path, "val")


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_cifar_refuses_code_in_pickle(tmp_path):
    marker = tmp_path / "pwned"
    dump(tmp_path / "data_batch_1", {b"data": _Evil(marker), b"labels": [0]})
    with pytest.raises(ValueError, match="data_batch_1: not a readable CIFAR pickle"):
        cifar.read_cifar_batch(tmp_path / "data_batch_1")
    assert not marker.exists()


@pytest.mark.parametrize("obj, match", [
    ({b"labels": [0]}, "no 'data' entry"),
    ({b"data": np.zeros((1, 3072), np.uint8)}, "no 'labels' entry"),
    ({b"data": np.zeros((1, 3000), np.uint8), b"labels": [0]}, r"\(N, 3072\) uint8"),
    ({b"data": np.zeros((1, 3072), np.float32), b"labels": [0]}, r"\(N, 3072\) uint8"),
    ({b"data": [1, 2], b"labels": [0]}, r"\(N, 3072\) uint8 array; got list"),
    ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, "2 images but labels"),
    ({b"data": np.zeros((1, 3072), np.uint8), b"labels": [10]}, r"0\.\.9"),
    ([1, 2, 3], "expected a pickled dict"),
])
def test_bad_cifar_batches(tmp_path, obj, match):
    path = tmp_path / "test_batch"
    dump(path, obj)
    with pytest.raises(ValueError, match=match) as info:
        cifar.read_cifar_batch(path)
    assert str(path) in str(info.value)


def test_truncated_cifar_batch(tmp_path):
    path = tmp_path / "data_batch_1"
    dump(path, {b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 3]})
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(ValueError, match="data_batch_1: not a readable CIFAR pickle"):
        cifar.read_cifar_batch(path)


def test_bad_cifar_meta(tmp_path):
    dump(tmp_path / "batches.meta", {b"other": 1})
    with pytest.raises(ValueError, match="batches.meta: CIFAR meta file has no 'label_names'"):
        cifar.read_cifar_meta(tmp_path / "batches.meta")


# ----------------------------------------------------------------------------- load_dataset

def make_idx_dir(folder, rng, n_train=7, n_test=4, hw=(28, 28), gz=True, dotted=False):
    os.makedirs(folder, exist_ok=True)
    out = {}
    for split, prefix, n in (("train", "train", n_train), ("test", "t10k", n_test)):
        pixels = rng.integers(0, 256, size=(n, *hw)).tolist()
        flat = [v for img in pixels for row in img for v in row]
        labels = rng.integers(0, 10, size=n).tolist()
        sep = "." if dotted else "-"
        ext = ".gz" if gz else ""
        write(os.path.join(folder, f"{prefix}-images{sep}idx3-ubyte{ext}"),
              idx_bytes(0x08, (n, *hw), flat), gz)
        write(os.path.join(folder, f"{prefix}-labels{sep}idx1-ubyte{ext}"),
              idx_bytes(0x08, (n,), labels), gz)
        out[split] = (pixels, labels)
    return out


@pytest.mark.parametrize("gz, dotted", [(True, False), (False, False), (False, True)])
@pytest.mark.parametrize("layout", ["flat", "named", "torchvision"])
def test_load_mnist_from_data_dir(tmp_path, gz, dotted, layout):
    folder = {"flat": tmp_path, "named": tmp_path / "mnist",
              "torchvision": tmp_path / "MNIST" / "raw"}[layout]
    written = make_idx_dir(folder, np.random.default_rng(4), hw=(5, 3), gz=gz, dotted=dotted)
    for split in ("train", "test"):
        ds = data.load_dataset("MNIST", split, data_dir=str(tmp_path))
        pixels, labels = written[split]
        assert ds.images.shape == (len(labels), 1, 5, 3) and ds.images.dtype == np.float32
        assert ds.labels.dtype == np.int64 and ds.labels.tolist() == labels
        assert ds.classes == tuple("0123456789") and ds.num_classes == 10
        for n in range(len(labels)):
            for i in range(5):
                for j in range(3):
                    assert ds.images[n, 0, i, j] == np.float32(pixels[n][i][j]) / np.float32(255)


def test_data_dir_searched_before_system_dir(tmp_path, monkeypatch):
    system = tmp_path / "system"
    make_idx_dir(system, np.random.default_rng(5), n_train=3)
    user = tmp_path / "user"
    make_idx_dir(user, np.random.default_rng(6), n_train=5)
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "fashion-mnist", (str(system),))
    assert len(data.load_dataset("fashion-mnist", data_dir=user)) == 5
    assert len(data.load_dataset("fashion_mnist")) == 3
    ds = data.load_dataset("fashion-mnist", "test")
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"


def test_missing_fashion_mnist_message(tmp_path, monkeypatch):
    system = tmp_path / "usr-share-datasets-fashion-mnist"
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "fashion-mnist", (str(system),))
    user = tmp_path / "mine"
    user.mkdir()
    write(user / "train-images-idx3-ubyte.gz", idx_bytes(0x08, (1, 1, 1), [0]), gz=True)
    with pytest.raises(FileNotFoundError) as info:
        data.load_dataset("fashion-mnist", "train", data_dir=user)
    msg = str(info.value)
    for place in (str(user), str(user / "fashion-mnist"), str(user / "FashionMNIST" / "raw"),
                  str(system)):
        assert place in msg
    assert "no train-labels-idx1-ubyte[.gz]" in msg
    assert "apt-get install dataset-fashion-mnist" in msg and "--data-dir DIR" in msg
    with pytest.raises(FileNotFoundError, match="no t10k-images-idx3-ubyte"):
        data.load_dataset("fashion-mnist", "test", data_dir=user)


def test_missing_without_data_dir(monkeypatch):
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "mnist", ())
    with pytest.raises(FileNotFoundError, match="nowhere: no data_dir"):
        data.load_dataset("mnist")


def test_corrupt_file_through_load_dataset(tmp_path):
    make_idx_dir(tmp_path, np.random.default_rng(7), gz=False)
    target = tmp_path / "t10k-images-idx3-ubyte"
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte: truncated"):
        data.load_dataset("mnist", "test", data_dir=tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(0x08, (7,), [0, 1, 2, 3, 4, 5, 11]))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: labels must lie in 0\.\.9"):
        data.load_dataset("mnist", "train", data_dir=tmp_path)


def test_load_dataset_bad_arguments():
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_dataset("imagenet")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'; got split='val'"):
        data.load_dataset("mnist", "val")


@pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_system_fashion_mnist():
    for split, n in (("train", 60000), ("test", 10000)):
        ds = data.load_dataset("fashion-mnist", split)
        assert ds.images.shape == (n, 1, 28, 28) and ds.images.dtype == np.float32
        assert ds.num_classes == 10 and len(ds.labels) == n
        assert 0.0 <= ds.images.min() and ds.images.max() <= 1.0
        # The published dataset is balanced: 6000 / 1000 images per class.
        assert np.bincount(ds.labels, minlength=10).tolist() == [n // 10] * 10


# ----------------------------------------------------------------------------- Dataset

def test_dataset_conversion_and_errors():
    raw = np.arange(24, dtype=np.uint8).reshape(2, 3, 2, 2)
    ds = data.Dataset(raw, [1, 0], classes=["a", "b"], name="toy")
    assert ds.images.dtype == np.float32
    assert ds.images[1, 2, 1, 0] == np.float32(22) / np.float32(255)
    assert ds.labels.dtype == np.int64 and ds.image_shape == (3, 2, 2)
    x, y = ds[1]
    assert x.shape == (3, 2, 2) and y == 0
    sub = ds.subset([1])
    assert len(sub) == 1 and sub.classes == ("a", "b") and "toy" in repr(sub)
    assert data.Dataset(np.zeros((2, 1, 1, 1)), [0, 4]).classes == ("0", "1", "2", "3", "4")
    with pytest.raises(ValueError, match="4-dimensional"):
        data.Dataset(np.zeros((2, 2, 2)), [0, 1])
    with pytest.raises(TypeError, match="uint8 or floating"):
        data.Dataset(np.zeros((2, 1, 1, 1), np.int32), [0, 1])
    with pytest.raises(TypeError, match="labels must be a 1-dimensional integer"):
        data.Dataset(np.zeros((2, 1, 1, 1)), [0.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        data.Dataset(np.zeros((2, 1, 1, 1)), [0])
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.1"):
        data.Dataset(np.zeros((2, 1, 1, 1)), [0, 2], classes=["a", "b"])


def test_channel_stats_against_definition():
    x = np.random.default_rng(8).random((9000, 2, 3, 4)).astype(np.float32)
    x[:, 1] *= 0.5
    mean, std = data.Dataset(x, np.zeros(9000, np.int64)).channel_stats()
    for c in range(2):
        values = x[:, c].astype(np.float64).ravel()
        m = values.sum() / values.size
        s = np.sqrt(((values - m) ** 2).sum() / values.size)
        assert mean[c] == pytest.approx(m, rel=1e-12)
        assert std[c] == pytest.approx(s, rel=1e-12)


# ----------------------------------------------------------------------------- digits

def test_digits_split():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    xtr, ytr, classes = digits.load_digits("train")
    xte, yte, _ = digits.load_digits("test")
    assert xtr.shape == (1437, 1, 8, 8) and xte.shape == (360, 1, 8, 8)
    assert xtr.dtype == np.float32 and ytr.dtype == np.int64 and len(classes) == 10
    both = np.concatenate([xtr, xte])
    assert both.min() == 0.0 and both.max() == 1.0
    # The documented split: permutation from default_rng(0), first ceil(0.2 * 1797) are test.
    order = np.random.default_rng(0).permutation(1797)
    for k in (0, 17, 359):
        assert (xte[k, 0] * 16 == bunch.images[order[k]]).all() and yte[k] == bunch.target[order[k]]
    for k in (0, 500, 1436):
        j = order[360 + k]
        assert (xtr[k, 0] * 16 == bunch.images[j]).all() and ytr[k] == bunch.target[j]
    again = digits.load_digits("train")[0]
    assert (again == xtr).all()
    assert not (digits.load_digits("train", seed=1)[0] == xtr).all()
    assert digits.load_digits("all")[0].shape == (1797, 1, 8, 8)
    ds = data.load_dataset("digits", "test", data_dir="/ignored")
    assert (ds.images == xte).all() and (ds.labels == yte).all()


def test_digits_split_indices_and_errors():
    tr, te = digits.split_indices(11, 0.3, seed=5)
    assert len(te) == 4 and len(tr) == 7
    assert sorted(np.concatenate([tr, te]).tolist()) == list(range(11))
    for bad in (0, 1, 1.5, -0.1, "0.2", True):
        with pytest.raises(ValueError, match="test_size must be a fraction"):
            digits.load_digits("train", test_size=bad)
    with pytest.raises(ValueError, match="split must be 'train', 'test' or 'all'"):
        digits.load_digits("val")


def test_digits_without_sklearn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install convzoo\[data\]"):
        digits.load_digits()
    with pytest.raises(ImportError, match="scikit-learn"):
        data.load_dataset("digits")


# ----------------------------------------------------------------------------- DataLoader

def indexed(n, c=1, hw=(2, 3)):
    """Images whose every pixel holds the sample's index, so a batch tells its own indices."""
    x = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None, None], (n, c, *hw)).copy()
    return x, np.arange(n, dtype=np.int64)


@pytest.mark.parametrize("n, bs, drop_last, sizes", [
    (10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (8, 4, True, [4, 4]),
    (8, 4, False, [4, 4]), (3, 5, False, [3]), (3, 5, True, []), (1, 1, False, [1]),
])
@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_batching(n, bs, drop_last, sizes, shuffle):
    loader = DataLoader(indexed(n), bs, shuffle=shuffle, seed=0, drop_last=drop_last)
    assert len(loader) == len(sizes)
    batches = list(loader)
    assert [len(y) for _, y in batches] == sizes
    for x, y in batches:
        assert x.shape == (len(y), 1, 2, 3) and x.dtype == np.float32 and y.dtype == np.int64
        assert (x[:, 0, 1, 2] == y).all()  # images stay paired with their labels
    seen = [int(v) for _, y in batches for v in y]
    assert len(set(seen)) == len(seen)
    if not shuffle:
        assert seen == list(range(sum(sizes)))
    elif not drop_last:
        assert sorted(seen) == list(range(n))


def test_loader_accepts_dataset():
    ds = data.Dataset(*indexed(6))
    x, y = next(iter(DataLoader(ds, 4)))
    assert y.tolist() == [0, 1, 2, 3] and (x[:, 0, 0, 0] == y).all()


def test_shuffle_every_index_once_per_epoch():
    loader = DataLoader(indexed(23), 5, shuffle=True, seed=11)
    orders = []
    for _ in range(4):
        seen = np.concatenate([y for _, y in loader])
        assert sorted(seen.tolist()) == list(range(23))
        orders.append(seen.tolist())
    assert len({tuple(o) for o in orders}) == 4  # a new order every epoch
    assert loader.epoch == 4


def test_shuffle_reproducible_from_seed_and_epoch():
    a = DataLoader(indexed(50), 8, shuffle=True, seed=123)
    b = DataLoader(indexed(50), 8, shuffle=True, seed=123)
    c = DataLoader(indexed(50), 8, shuffle=True, seed=124)
    assert (a.order(0) == b.order(0)).all() and (a.order(7) == b.order(7)).all()
    assert not (a.order(0) == a.order(1)).all()
    assert not (a.order(0) == c.order(0)).all()
    first = [y.tolist() for _, y in a]
    second = [y.tolist() for _, y in a]
    assert first != second
    b.set_epoch(1)
    assert [y.tolist() for _, y in b] == second
    a.set_epoch(0)
    assert [y.tolist() for _, y in a] == first
    assert [y.tolist() for _, y in a.iterate(epoch=0)] == first
    assert np.concatenate(first).tolist() == a.order(0).tolist()


def test_unshuffled_order_and_no_aliasing():
    x, y = indexed(5)
    loader = DataLoader((x, y), 2)
    assert loader.order(3).tolist() == [0, 1, 2, 3, 4]
    xb, _ = next(iter(loader))
    xb[:] = -1
    assert (x[:2] == np.arange(2)[:, None, None, None]).all()


def test_resume_mid_epoch_reproduces_batches_and_augmentation():
    x = np.random.default_rng(9).random((30, 2, 6, 6)).astype(np.float32)
    transform = data.Compose([data.RandomCrop(4, padding=1), data.RandomHorizontalFlip()])
    run = DataLoader((x, np.arange(30)), 7, shuffle=True, seed=5, transform=transform)
    full = list(run.iterate(epoch=3))
    fresh = DataLoader((x, np.arange(30)), 7, shuffle=True, seed=5, transform=transform)
    resumed = list(fresh.iterate(epoch=3, start_batch=2))
    assert len(resumed) == len(full) - 2
    for (xa, ya), (xb, yb) in zip(full[2:], resumed, strict=True):
        assert (ya == yb).all() and (xa == xb).all()
    assert full[0][0].shape == (7, 2, 4, 4)
    assert not (list(run.iterate(epoch=4))[0][0] == full[0][0]).all()


def test_transform_gets_per_batch_generators():
    calls = []

    def spy(images, rng):
        calls.append(rng.integers(0, 2**62))
        return images * 2

    loader = DataLoader(indexed(6), 2, seed=1, transform=spy)
    xb, yb = next(iter(loader))
    assert (xb[:, 0, 0, 0] == 2 * yb).all()
    list(loader.iterate(epoch=0))
    assert len(set(calls[1:])) == 3 and calls[0] == calls[1]


def test_state_dict_and_seed_none():
    loader = DataLoader(indexed(12), 3, shuffle=True)
    assert isinstance(loader.seed, int)
    list(loader)
    list(loader)
    other = DataLoader(indexed(12), 3, shuffle=True, seed=0)
    other.load_state_dict(loader.state_dict())
    assert other.epoch == 2
    assert [y.tolist() for _, y in other] == [y.tolist() for _, y in loader]


def test_loader_errors():
    pair = indexed(4)
    with pytest.raises(ValueError, match="batch_size must be >= 1; got batch_size=0"):
        DataLoader(pair, 0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        DataLoader(pair, 2.0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        DataLoader(pair, 2, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int or None"):
        DataLoader(pair, 2, seed="1")
    with pytest.raises(TypeError, match="dataset must be a Dataset"):
        DataLoader([1, 2, 3], 2)
    with pytest.raises(ValueError, match="same length"):
        DataLoader((np.zeros((4, 1)), np.zeros(3)), 2)
    with pytest.raises(TypeError, match="transform must be callable"):
        DataLoader(pair, 2, transform=3)
    loader = DataLoader(pair, 2)
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        loader.set_epoch(-1)
    with pytest.raises(TypeError, match="epoch must be an int"):
        loader.order(1.5)
    with pytest.raises(ValueError, match="start_batch must be an int >= 0"):
        list(loader.iterate(start_batch=-1))
