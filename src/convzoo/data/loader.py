"""Mini-batches from an in-memory dataset, with reproducible, resumable shuffling.

Every random choice is a pure function of ``(seed, epoch, batch)``:

- the order of epoch ``e`` is ``default_rng(SeedSequence(seed, spawn_key=(0, e)))
  .permutation(N)``;
- the generator handed to ``transform`` for batch ``b`` of epoch ``e`` is
  ``default_rng(SeedSequence(seed, spawn_key=(1, e, b)))``.

No state carries over from one epoch or batch to the next, so a run killed in
the middle of epoch ``e`` resumes exactly with ``loader.iterate(epoch=e,
start_batch=k)``: the same images, in the same order, with the same
augmentation as an uninterrupted run. Iterating the loader directly
(``for x, y in loader``) uses ``loader.epoch`` and then advances it by one, so
successive epochs see different orders; ``set_epoch(e)`` picks the next one.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import _args

_SHUFFLE, _TRANSFORM = 0, 1  # spawn-key tags keeping the two random streams apart


def _check_seed(seed) -> int:
    if seed is None:
        # Fresh entropy, but recorded: the run can still be repeated from loader.seed.
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int or None; got seed={seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0; got seed={seed!r}")
    return int(seed)


def _check_epoch(epoch) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral):
        raise TypeError(f"epoch must be an int; got epoch={epoch!r}")
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0; got epoch={epoch!r}")
    return int(epoch)


class DataLoader:
    """Iterate a dataset in mini-batches of NumPy arrays.

    Args:
        dataset: a ``Dataset`` (anything with ``images`` (N, C, H, W) and ``labels`` (N,)
            arrays) or an ``(images, labels)`` pair of arrays of equal length.
        batch_size: images per batch (>= 1).
        shuffle: draw a new permutation each epoch (from ``seed`` and the epoch number);
            otherwise the dataset order.
        seed: non-negative int seeding shuffling and the transform generators; None draws
            fresh OS entropy once (kept in ``loader.seed``).
        drop_last: drop the final batch when it is smaller than ``batch_size``.
        transform: callable ``transform(images, rng)`` applied to each image batch, e.g.
            ``transforms.Compose([...])``; ``rng`` is the batch's ``np.random.Generator``.

    Yields:
        (images, labels): images (B, C, H, W) (after ``transform``), labels (B,) int64.

    Raises:
        TypeError / ValueError: bad ``batch_size``, ``seed``, or dataset arrays.

    Example:
        >>> x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
        >>> loader = DataLoader((x, np.arange(10)), batch_size=4, shuffle=True, seed=0)
        >>> len(loader), [len(y) for _, y in loader]
        (3, [4, 4, 2])
        >>> seen = np.concatenate([y for _, y in loader.iterate(epoch=0)])
        >>> sorted(seen.tolist()) == list(range(10))
        True
    """

    def __init__(self, dataset, batch_size: int, shuffle: bool = False, seed=None,
                 drop_last: bool = False, transform=None):
        if isinstance(dataset, tuple) and len(dataset) == 2:
            images, labels = dataset
        elif hasattr(dataset, "images") and hasattr(dataset, "labels"):
            images, labels = dataset.images, dataset.labels
        else:
            raise TypeError("dataset must be a Dataset (with .images and .labels) or an "
                            f"(images, labels) pair; got {type(dataset).__name__}")
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim < 1 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"dataset images and labels must have the same length; got "
                             f"images of shape {images.shape} and labels of shape "
                             f"{labels.shape}")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable or None; got {transform!r}")
        self.dataset = dataset
        self.images = images
        self.labels = labels
        self.batch_size = _args.positive_int(batch_size, "batch_size")
        self.shuffle = bool(shuffle)
        self.seed = _check_seed(seed)
        self.drop_last = bool(drop_last)
        self.transform = transform
        self.epoch = 0

    def __len__(self) -> int:
        n, b = len(self.labels), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter(loader)`` produce epoch ``epoch`` (its order and augmentation)."""
        self.epoch = _check_epoch(epoch)

    def order(self, epoch: int | None = None) -> np.ndarray:
        """The sample indices of epoch ``epoch`` (default ``self.epoch``), in visiting order.

        Depends on ``seed`` and ``epoch`` only. With ``shuffle=False`` it is ``arange(N)``.
        With ``drop_last`` the dropped tail is included here (it is the last few indices).

        Example:
            >>> loader = DataLoader((np.zeros((5, 1)), np.zeros(5, int)), 2, shuffle=True, seed=3)
            >>> bool((loader.order(1) == loader.order(1)).all())
            True
        """
        epoch = self.epoch if epoch is None else _check_epoch(epoch)
        n = len(self.labels)
        if not self.shuffle:
            return np.arange(n)
        seq = np.random.SeedSequence(self.seed, spawn_key=(_SHUFFLE, epoch))
        return np.random.default_rng(seq).permutation(n)

    def batch_rng(self, epoch: int, batch: int) -> np.random.Generator:
        """The generator given to ``transform`` for batch ``batch`` of epoch ``epoch``."""
        seq = np.random.SeedSequence(self.seed, spawn_key=(_TRANSFORM, _check_epoch(epoch),
                                                           int(batch)))
        return np.random.default_rng(seq)

    def iterate(self, epoch: int | None = None, start_batch: int = 0):
        """Yield the batches of one epoch, optionally starting part-way through.

        Args:
            epoch: which epoch's order and augmentation (default ``self.epoch``); does not
                change ``self.epoch``.
            start_batch: index of the first batch to produce (to resume mid-epoch); the
                earlier ones are skipped without being built.

        Yields:
            (images, labels) as in the class docstring.

        Example:
            >>> loader = DataLoader((np.zeros((6, 1)), np.arange(6)), 2, shuffle=True, seed=1)
            >>> full = [y.tolist() for _, y in loader.iterate(epoch=2)]
            >>> [y.tolist() for _, y in loader.iterate(epoch=2, start_batch=1)] == full[1:]
            True
        """
        epoch = self.epoch if epoch is None else _check_epoch(epoch)
        if isinstance(start_batch, bool) or not isinstance(start_batch, numbers.Integral) \
                or start_batch < 0:
            raise ValueError(f"start_batch must be an int >= 0; got start_batch={start_batch!r}")
        order = self.order(epoch)
        for b in range(int(start_batch), len(self)):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            images, labels = self.images[idx], self.labels[idx]
            if self.transform is not None:
                images = self.transform(images, self.batch_rng(epoch, b))
            yield images, labels

    def __iter__(self):
        epoch = self.epoch
        self.epoch += 1
        return self.iterate(epoch)

    def state_dict(self) -> dict:
        """``{"seed", "epoch"}``: all that is needed to reproduce the coming epochs."""
        return {"seed": self.seed, "epoch": self.epoch}

    def load_state_dict(self, state: dict) -> None:
        """Restore ``seed`` and ``epoch`` saved by ``state_dict``."""
        self.seed = _check_seed(state["seed"])
        self.epoch = _check_epoch(state["epoch"])
