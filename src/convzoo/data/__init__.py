"""Datasets, a mini-batch loader and batch transforms; all NumPy, nothing downloaded.

>>> from convzoo import data
>>> train = data.load_dataset("digits", "train")
>>> loader = data.DataLoader(train, batch_size=64, shuffle=True, seed=0)
>>> images, labels = next(iter(loader))
>>> images.shape, labels.dtype.name
((64, 1, 8, 8), 'int64')
"""

from . import transforms  # noqa: F401
from .cifar import load_cifar10, read_cifar_batch, read_cifar_meta  # noqa: F401
from .datasets import DATASETS, Dataset, load_dataset  # noqa: F401
from .digits import load_digits  # noqa: F401
from .idx import read_idx, read_idx_pair, write_idx  # noqa: F401
from .loader import DataLoader  # noqa: F401
from .transforms import (  # noqa: F401
    Compose,
    Normalize,
    Pad,
    RandomCrop,
    RandomHorizontalFlip,
    ToFloat,
)

__all__ = ["DATASETS", "Compose", "DataLoader", "Dataset", "Normalize", "Pad", "RandomCrop",
           "RandomHorizontalFlip", "ToFloat", "load_cifar10", "load_dataset", "load_digits",
           "read_cifar_batch", "read_cifar_meta", "read_idx", "read_idx_pair", "transforms",
           "write_idx"]
