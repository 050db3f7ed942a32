"""In-memory image datasets and ``load_dataset`` for digits, Fashion-MNIST, MNIST and CIFAR-10.

A ``Dataset`` is two arrays: images (N, C, H, W) float32 scaled to [0, 1] and
labels (N,) int64, plus class names. ``load_dataset`` finds the files on disk
and never downloads anything. Where it looks, in order:

- ``data_dir`` itself, ``data_dir/<name>`` and torchvision's ``data_dir/<Folder>/raw``
  (IDX datasets), or ``data_dir`` and ``data_dir/cifar-10-batches-py`` (CIFAR-10);
- for Fashion-MNIST, ``/usr/share/datasets/fashion-mnist``, where the Debian package
  ``dataset-fashion-mnist`` installs ``train-images-idx3-ubyte.gz``,
  ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
  ``t10k-labels-idx1-ubyte.gz``.

IDX files are accepted plain or gzipped, under the standard names or the
``train-images.idx3-ubyte`` spelling some mirrors use. When nothing is found,
``FileNotFoundError`` lists every place looked at and why it did not qualify,
and how to get the data.

Dataset statistics are not hard-coded: ``Dataset.channel_stats()`` computes the
per-channel mean and standard deviation of whatever was loaded (use the
training split's values to build ``transforms.Normalize``).
"""

from __future__ import annotations

import os

import numpy as np

from . import cifar, digits
from .idx import read_idx_pair

DATASETS = ("digits", "fashion-mnist", "mnist", "cifar10")
_ALIASES = {"fashionmnist": "fashion-mnist", "fashion_mnist": "fashion-mnist",
            "cifar-10": "cifar10", "cifar_10": "cifar10"}

# Directories searched after data_dir; tests may replace them.
SYSTEM_DIRS = {"fashion-mnist": ("/usr/share/datasets/fashion-mnist",),
               "mnist": (), "cifar10": ()}

CLASSES = {
    # Label order from the Fashion-MNIST README (zalandoresearch/fashion-mnist).
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    "mnist": tuple(str(d) for d in range(10)),
    "cifar10": cifar.CLASSES,
    "digits": digits.CLASSES,
}
_TORCHVISION_FOLDER = {"fashion-mnist": "FashionMNIST", "mnist": "MNIST"}
_IDX_PREFIX = {"train": "train", "test": "t10k"}
_TITLE = {"fashion-mnist": "Fashion-MNIST", "mnist": "MNIST", "cifar10": "CIFAR-10",
          "digits": "digits"}


class Dataset:
    """Images (N, C, H, W) float32 in [0, 1] with int64 labels and class names.

    Args:
        images: array (N, C, H, W); uint8 is scaled by 1/255, floating point is cast to
            float32 as is.
        labels: integer array (N,) with values in ``0 .. len(classes) - 1``.
        classes: class names in label order; default ``"0" .. str(max label)``.
        name: a short name for messages and ``repr``.

    Raises:
        ValueError: wrong dimensions, mismatched lengths or labels out of range.
        TypeError: images neither uint8 nor floating point, or labels not integers.

    Example:
        >>> ds = Dataset(np.zeros((4, 1, 2, 2), np.uint8), np.array([0, 1, 1, 0]))
        >>> len(ds), ds.num_classes, ds.image_shape
        (4, 2, (1, 2, 2))
        >>> x, y = ds[1:3]
        >>> x.shape, y.tolist()
        ((2, 1, 2, 2), [1, 1])
    """

    def __init__(self, images, labels, classes=None, name: str = "dataset"):
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.ndim != 4:
            raise ValueError(f"images must be 4-dimensional (N, C, H, W); "
                             f"got images with shape {images.shape}")
        if images.dtype == np.uint8:
            images = images.astype(np.float32) / np.float32(255.0)
        elif np.issubdtype(images.dtype, np.floating):
            images = images.astype(np.float32, copy=False)
        else:
            raise TypeError(f"images must be uint8 or floating point; "
                            f"got images with dtype {images.dtype}")
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"labels must be a 1-dimensional integer array; got labels with "
                            f"shape {labels.shape} and dtype {labels.dtype}")
        if len(labels) != len(images):
            raise ValueError(f"images and labels must have the same length; got "
                             f"{len(images)} images and {len(labels)} labels")
        labels = labels.astype(np.int64)
        if classes is None:
            classes = tuple(str(i) for i in range(int(labels.max()) + 1 if labels.size else 0))
        classes = tuple(str(c) for c in classes)
        if labels.size and (labels.min() < 0 or labels.max() >= len(classes)):
            raise ValueError(f"labels must lie in 0..{len(classes) - 1} for {len(classes)} "
                             f"classes; got values from {labels.min()} to {labels.max()}")
        self.images = images
        self.labels = labels
        self.classes = classes
        self.name = name

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index):
        """(images, labels) at an int, slice or index array; an int gives one (C, H, W) image."""
        return self.images[index], self.labels[index]

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, n={len(self)}, image_shape={self.image_shape}, "
                f"classes={self.num_classes})")

    @property
    def num_classes(self) -> int:
        """Number of classes (``len(classes)``)."""
        return len(self.classes)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        return tuple(self.images.shape[1:])

    def subset(self, indices) -> Dataset:
        """A new Dataset with the samples at ``indices`` (copies), same classes.

        Example:
            >>> ds = Dataset(np.zeros((5, 1, 2, 2), np.float32), np.arange(5))
            >>> len(ds.subset(np.arange(3)))
            3
        """
        return Dataset(self.images[indices], self.labels[indices], self.classes, self.name)

    def channel_stats(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel mean and (population) standard deviation of the images, in float64.

        Computed in chunks with float64 accumulators so a 60000-image dataset needs no
        float64 copy of itself.

        Returns:
            (mean, std), each of shape (C,).

        Example:
            >>> ds = Dataset(np.array([[[[0.0, 1.0]]]], np.float32), np.array([0]))
            >>> [v.tolist() for v in ds.channel_stats()]
            [[0.5], [0.5]]
        """
        c = self.images.shape[1]
        total = np.zeros(c)
        for start in range(0, len(self), 4096):
            total += self.images[start:start + 4096].sum(axis=(0, 2, 3), dtype=np.float64)
        count = len(self) * self.images.shape[2] * self.images.shape[3]
        mean = total / count
        # Second pass around the mean: no cancellation from E[x^2] - E[x]^2.
        sq = np.zeros(c)
        for start in range(0, len(self), 4096):
            d = self.images[start:start + 4096].astype(np.float64) - mean[:, None, None]
            sq += np.einsum("nchw,nchw->c", d, d)
        return mean, np.sqrt(sq / count)


def _canonical_name(name) -> str:
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}; got name={name!r}")
    return key


def idx_file_names(split: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Accepted file names (images, labels) of an IDX split, in order of preference.

    Example:
        >>> idx_file_names("test")[1][:2]
        ('t10k-labels-idx1-ubyte', 't10k-labels-idx1-ubyte.gz')
    """
    prefix = _IDX_PREFIX[split]

    def names(kind, n):
        stems = (f"{prefix}-{kind}-idx{n}-ubyte", f"{prefix}-{kind}.idx{n}-ubyte")
        return tuple(s + ext for s in stems for ext in ("", ".gz"))

    return names("images", 3), names("labels", 1)


def candidate_dirs(name: str, data_dir=None) -> list[str]:
    """Directories ``load_dataset`` searches for ``name``, in order.

    Example:
        >>> candidate_dirs("mnist", "/data")
        ['/data', '/data/mnist', '/data/MNIST/raw']
    """
    name = _canonical_name(name)
    dirs = []
    if data_dir is not None:
        root = os.path.expanduser(os.fspath(data_dir))
        if name == "cifar10":
            dirs += [root, os.path.join(root, cifar.FOLDER)]
        elif name != "digits":
            dirs += [root, os.path.join(root, name),
                     os.path.join(root, _TORCHVISION_FOLDER[name], "raw")]
    dirs += list(SYSTEM_DIRS.get(name, ()))
    return dirs


def _first_existing(folder: str, names) -> str | None:
    for n in names:
        path = os.path.join(folder, n)
        if os.path.isfile(path):
            return path
    return None


def _how_to_get(name: str, split: str) -> str:
    if name == "cifar10":
        files = "cifar-10-batches-py/ (data_batch_1 .. data_batch_5, test_batch, batches.meta)"
        what = "the extracted CIFAR-10 python-version archive"
    else:
        img, lab = idx_file_names("train")
        timg, tlab = idx_file_names("test")
        files = ", ".join(n + "[.gz]" for n in (img[0], lab[0], timg[0], tlab[0]))
        what = f"the {_TITLE[name]} IDX files"
    hint = f"pass --data-dir DIR (data_dir=DIR) where DIR holds {what}: {files}"
    if name == "fashion-mnist":
        hint = ("install it with `apt-get install dataset-fashion-mnist` (puts the files in "
                f"/usr/share/datasets/fashion-mnist), or {hint}")
    return hint + ". convzoo never downloads data."


def _not_found(name: str, split: str, reasons: list[tuple[str, str]]) -> FileNotFoundError:
    lines = [f"{_TITLE[name]} ({split} split) not found. Looked in:"]
    lines += [f"  {folder}: {why}" for folder, why in reasons] or ["  (nowhere: no data_dir)"]
    hint = _how_to_get(name, split)
    return FileNotFoundError("\n".join(lines) + "\nTo get it: " + hint)


def _locate_idx(name: str, split: str, data_dir) -> tuple[str, str]:
    image_names, label_names = idx_file_names(split)
    reasons = []
    for folder in candidate_dirs(name, data_dir):
        if not os.path.isdir(folder):
            reasons.append((folder, "no such directory"))
            continue
        images = _first_existing(folder, image_names)
        labels = _first_existing(folder, label_names)
        if images and labels:
            return images, labels
        missing = [names[0] + "[.gz]" for names, found in ((image_names, images),
                                                          (label_names, labels)) if not found]
        reasons.append((folder, "no " + " and no ".join(missing)))
    raise _not_found(name, split, reasons)


def _locate_cifar(split: str, data_dir) -> str:
    files = cifar.TRAIN_BATCHES if split == "train" else cifar.TEST_BATCHES
    reasons = []
    for folder in candidate_dirs("cifar10", data_dir):
        if not os.path.isdir(folder):
            reasons.append((folder, "no such directory"))
            continue
        missing = [f for f in files if not os.path.isfile(os.path.join(folder, f))]
        if not missing:
            return folder
        reasons.append((folder, "no " + ", ".join(missing)))
    raise _not_found("cifar10", split, reasons)


def load_dataset(name: str, split: str = "train", data_dir=None) -> Dataset:
    """Load a standard dataset from disk (never downloads).

    Args:
        name: ``"digits"``, ``"fashion-mnist"``, ``"mnist"`` or ``"cifar10"`` (case and
            ``-``/``_`` variants such as ``"fashion_mnist"``, ``"cifar-10"`` accepted).
        split: ``"train"`` or ``"test"``.
        data_dir: directory to search first (see the module docstring); ignored for digits,
            which ship with scikit-learn (80/20 split with seed 0: 1437 / 360 images).

    Returns:
        Dataset with images (N, C, H, W) float32 in [0, 1]: digits (N, 1, 8, 8),
        (Fashion-)MNIST (N, 1, 28, 28), CIFAR-10 (N, 3, 32, 32); labels int64; class names.

    Raises:
        ValueError: unknown name or split, or a data file is corrupt (message names it).
        FileNotFoundError: the files are not in any searched place; the message lists
            each place and what was missing there, and how to get the data.
        ImportError: ``"digits"`` without scikit-learn (``pip install convzoo[data]``).

    Example:
        >>> ds = load_dataset("digits", "test")
        >>> ds.images.shape, ds.num_classes
        ((360, 1, 8, 8), 10)
    """
    key = _canonical_name(name)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got split={split!r}")
    if key == "digits":
        images, labels, classes = digits.load_digits(split)
    elif key == "cifar10":
        images, labels, classes = cifar.load_cifar10(_locate_cifar(split, data_dir), split)
    else:
        images_path, labels_path = _locate_idx(key, split, data_dir)
        images, labels = read_idx_pair(images_path, labels_path)
        if images.dtype != np.uint8:
            raise ValueError(f"{images_path}: {_TITLE[key]} images must be uint8 pixels; "
                             f"got {images.dtype}")
        classes = CLASSES[key]
        if labels.size and (labels.min() < 0 or labels.max() >= len(classes)):
            raise ValueError(f"{labels_path}: labels must lie in 0..{len(classes) - 1}; got "
                             f"values from {labels.min()} to {labels.max()}")
    return Dataset(images, labels, classes, name=key)
