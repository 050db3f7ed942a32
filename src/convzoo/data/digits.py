"""scikit-learn's bundled handwritten digits (1797 images, 8×8, values 0..16).

The data ship inside scikit-learn, so nothing is downloaded; scikit-learn is
the optional ``data`` extra (``pip install convzoo[data]``). The train/test
split is a seeded permutation from ``np.random.default_rng(seed)``: the first
``ceil(test_size * 1797)`` shuffled indices are the test set (scikit-learn's
rounding for ``test_size``), the rest the training set, each kept in the
permutation's order. Same seed, same split, on any machine.
"""

from __future__ import annotations

import math

import numpy as np

CLASSES = tuple(str(d) for d in range(10))
INSTALL_HINT = "pip install convzoo[data]"


def _sklearn_digits():
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as exc:
        raise ImportError("the 'digits' dataset is bundled with scikit-learn, which is not "
                          f"installed; install it with `{INSTALL_HINT}` "
                          "(or `pip install scikit-learn`)") from exc
    bunch = sk_load_digits()
    return bunch.images, bunch.target


def _check_test_size(test_size) -> None:
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) \
            or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1; "
                         f"got test_size={test_size!r}")


def split_indices(n: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (train, test) index arrays of a seeded random split of ``range(n)``.

    Args:
        n: number of samples.
        test_size: fraction in (0, 1) that goes to the test set (rounded up).
        seed: seed of ``np.random.default_rng``.

    Returns:
        (train_idx, test_idx), disjoint int64 arrays that together cover ``range(n)``.

    Raises:
        ValueError: ``test_size`` is not strictly between 0 and 1.

    Example:
        >>> tr, te = split_indices(10, 0.2, seed=0)
        >>> len(tr), len(te), sorted(np.concatenate([tr, te]).tolist()) == list(range(10))
        (8, 2, True)
    """
    _check_test_size(test_size)
    order = np.random.default_rng(seed).permutation(n)
    n_test = math.ceil(test_size * n)
    return order[n_test:], order[:n_test]


def load_digits(split: str = "train", test_size: float = 0.2, seed: int = 0):
    """The scikit-learn digits as (N, 1, 8, 8) float32 images in [0, 1] with a seeded split.

    Args:
        split: ``"train"``, ``"test"`` or ``"all"`` (all 1797, in the original order).
        test_size: fraction of the 1797 images in the test split (rounded up; 0.2 → 360).
        seed: seed of the split's permutation.

    Returns:
        (images, labels, classes): images (N, 1, 8, 8) float32 = pixel / 16, labels (N,)
        int64 in 0..9, classes ``("0", ..., "9")``.

    Raises:
        ImportError: scikit-learn is missing (the message says ``pip install convzoo[data]``).
        ValueError: bad ``split`` or ``test_size``.

    Example:
        >>> x, y, classes = load_digits("test")
        >>> x.shape, x.dtype.name, len(classes)
        ((360, 1, 8, 8), 'float32', 10)
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all'; got split={split!r}")
    if split != "all":
        _check_test_size(test_size)
    images, target = _sklearn_digits()
    # Pixel values are counts 0..16 (4×4 blocks of a 32×32 bitmap), so 16 maps to 1.
    images = (np.asarray(images, dtype=np.float32) / np.float32(16.0))[:, None]
    labels = np.asarray(target, dtype=np.int64)
    if split != "all":
        train_idx, test_idx = split_indices(len(labels), test_size, seed)
        idx = train_idx if split == "train" else test_idx
        images, labels = images[idx], labels[idx]
    return np.ascontiguousarray(images), labels, CLASSES
