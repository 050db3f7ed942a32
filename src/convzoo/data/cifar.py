"""CIFAR-10 "python version" batches: ``data_batch_1`` .. ``data_batch_5``, ``test_batch``.

Each batch is a pickled dict (written by Python 2, so its keys are bytes) with
``b"data"``: a (N, 3072) uint8 array, row-major 32×32 planes in R, G, B order,
and ``b"labels"``: N ints in 0..9. ``batches.meta`` holds ``b"label_names"``.

Pickle can run arbitrary code, so the files are read with an unpickler that
only resolves the few names an array needs (NumPy's ``_reconstruct``,
``_frombuffer``, ``ndarray``, ``dtype``, ``scalar`` and ``_codecs.encode``);
anything else raises ``ValueError``.
The directory may be the extracted ``cifar-10-batches-py`` folder itself or
its parent.
"""

from __future__ import annotations

import io
import os
import pickle

import numpy as np

TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCHES = ("test_batch",)
META_FILE = "batches.meta"
FOLDER = "cifar-10-batches-py"
# The ten CIFAR-10 classes in label order, as in the dataset's own batches.meta.
CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
}


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the NumPy names needed to rebuild arrays."""

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        if module.startswith("numpy.core"):
            # numpy>=2 keeps these under numpy._core; numpy<2 only has numpy.core.
            module = "numpy._core" + module[len("numpy.core"):] if hasattr(np, "_core") \
                else module
        return super().find_class(module, name)


def _unpickle(path) -> dict:
    name = os.fspath(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        obj = _ArrayUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad file
        raise ValueError(f"{name}: not a readable CIFAR pickle "
                         f"(corrupt or truncated?): {type(exc).__name__}: {exc}") from None
    if not isinstance(obj, dict):
        raise ValueError(f"{name}: expected a pickled dict, got {type(obj).__name__}")
    # Python-3 pickles have str keys, Python-2 ones bytes; accept both.
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}


def read_cifar_batch(path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 python batch file.

    Args:
        path: a batch file such as ``cifar-10-batches-py/data_batch_1``.

    Returns:
        (images, labels): images (N, 3, 32, 32) uint8, labels (N,) int64.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not a valid batch (unreadable pickle, missing ``data`` or
            ``labels``, data not (N, 3072) uint8, label count or range wrong); the message
            starts with the file name.

    Example:
        >>> import pickle, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "data_batch_1")
        >>> batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [3, 7]}
        >>> with open(p, "wb") as fh:
        ...     pickle.dump(batch, fh, protocol=2)
        >>> x, y = read_cifar_batch(p)
        >>> x.shape, y.tolist()
        ((2, 3, 32, 32), [3, 7])
    """
    name = os.fspath(path)
    batch = _unpickle(path)
    for key in ("data", "labels"):
        if key not in batch:
            raise ValueError(f"{name}: CIFAR batch has no {key!r} entry; "
                             f"found keys {sorted(map(str, batch))}")
    data, labels = batch["data"], batch["labels"]
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != 3 * 32 * 32:
        desc = (f"shape {data.shape} of {data.dtype}" if isinstance(data, np.ndarray)
                else type(data).__name__)
        raise ValueError(f"{name}: CIFAR batch 'data' must be a (N, 3072) uint8 array; "
                         f"got {desc}")
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: CIFAR batch 'labels' must be a list of ints") from None
    if labels.shape != (len(data),):
        raise ValueError(f"{name}: CIFAR batch has {len(data)} images but labels of shape "
                         f"{labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{name}: CIFAR-10 labels must lie in 0..9; got values from "
                         f"{labels.min()} to {labels.max()}")
    return data.reshape(-1, 3, 32, 32), labels


def read_cifar_meta(path) -> tuple[str, ...]:
    """The class names stored in a CIFAR-10 ``batches.meta`` file.

    Args:
        path: the ``batches.meta`` file.

    Returns:
        tuple of class names in label order, e.g. ``("airplane", "automobile", ...)``.

    Raises:
        ValueError: the file is unreadable or has no ``label_names`` list.

    Example:
        >>> import pickle, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "batches.meta")
        >>> with open(p, "wb") as fh:
        ...     pickle.dump({b"label_names": [b"cat", b"dog"]}, fh, protocol=2)
        >>> read_cifar_meta(p)
        ('cat', 'dog')
    """
    meta = _unpickle(path)
    names = meta.get("label_names")
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, (str, bytes))
                                                       for n in names):
        raise ValueError(f"{os.fspath(path)}: CIFAR meta file has no 'label_names' list")
    return tuple(n.decode("utf-8") if isinstance(n, bytes) else n for n in names)


def find_cifar_dir(root) -> str | None:
    """The directory under ``root`` holding the CIFAR-10 batches, or None.

    ``root`` itself counts when it holds ``test_batch`` or ``data_batch_1``; otherwise
    ``root/cifar-10-batches-py`` is tried.

    Example:
        >>> find_cifar_dir("/nonexistent") is None
        True
    """
    for candidate in (os.fspath(root), os.path.join(os.fspath(root), FOLDER)):
        if any(os.path.isfile(os.path.join(candidate, f)) for f in (TRAIN_BATCHES[0],)
               + TEST_BATCHES):
            return candidate
    return None


def load_cifar10(root, split: str = "train"):
    """Read the CIFAR-10 training (5 batches) or test split from a directory.

    Args:
        root: the ``cifar-10-batches-py`` folder or the directory that contains it.
        split: ``"train"`` (``data_batch_1`` .. ``data_batch_5``, 50000 images) or
            ``"test"`` (``test_batch``, 10000 images).

    Returns:
        (images, labels, classes): images (N, 3, 32, 32) uint8, labels (N,) int64, class
        names from ``batches.meta`` when present, else the standard ten.

    Raises:
        ValueError: ``split`` is not "train"/"test", or a batch file is invalid.
        FileNotFoundError: a batch of the split is missing (the message lists which).

    Example:
        >>> import pickle, tempfile, os
        >>> d = tempfile.mkdtemp()
        >>> with open(os.path.join(d, "test_batch"), "wb") as fh:
        ...     pickle.dump({b"data": np.zeros((1, 3072), np.uint8), b"labels": [0]}, fh)
        >>> load_cifar10(d, "test")[0].shape
        (1, 3, 32, 32)
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got split={split!r}")
    folder = find_cifar_dir(root) or os.fspath(root)
    files = TRAIN_BATCHES if split == "train" else TEST_BATCHES
    missing = [f for f in files if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise FileNotFoundError(f"CIFAR-10 {split} split in {folder} is missing "
                                f"{', '.join(missing)}")
    parts = [read_cifar_batch(os.path.join(folder, f)) for f in files]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    meta = os.path.join(folder, META_FILE)
    classes = read_cifar_meta(meta) if os.path.isfile(meta) else CLASSES
    return images, labels, classes
