"""Kernel structure: factorising a 2-d kernel into a column and a row (spatial separability).

A kh×kw kernel ``K`` is spatially separable when it has rank 1, ``K = c·rᵀ``: then one
kh×kw convolution equals a kh×1 pass with ``c`` followed by a 1×kw pass with ``r``
(``convzoo.functional.spatially_separable_conv2d``), ``kh + kw`` weights instead of
``kh·kw``. Sobel-x ``[[1, 0, -1], [2, 0, -2], [1, 0, -1]] = [1, 2, 1]ᵀ·[1, 0, -1]``.

Algorithm — singular value decomposition ``K = Σ sᵢ uᵢ vᵢᵀ``. The best rank-1
approximation (Eckart–Young) is ``s₀ u₀ v₀ᵀ``; its relative Frobenius error is
``sqrt(Σ_{i≥1} sᵢ²) / sqrt(Σ sᵢ²)``, and the kernel counts as rank 1 when that error is
at most ``tol`` — or, for an integer-valued kernel, when exact integer factors exist
(checked in integer arithmetic, so the SVD's rounding never hides an exact rank 1).
Scale is split as follows (documented convention):

* integer-valued rank-1 kernels get integer factors: the row is the primitive integer
  vector (entries with gcd 1) every non-zero row of ``K`` is a multiple of, and the
  column holds the integer multiples, so Sobel-x gives ``[1, 2, 1]`` and ``[1, 0, -1]``
  and ``4·ones(3, 3)`` gives ``[4, 4, 4]`` and ``[1, 1, 1]``;
* otherwise the scale is balanced, ``c = sqrt(s₀)·u₀`` and ``r = sqrt(s₀)·v₀``;
* signs are normalised so the column's largest-magnitude entry (the first, on ties) is
  positive; the product ``c·rᵀ`` is unchanged.

A zero kernel factorises as zero column and zero row (rank 1, error 0).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import reduce

import numpy as np

from .. import _args


@dataclass(frozen=True, eq=False)
class KernelFactorization:
    """Result of ``factorize_kernel``: ``outer(column, row)`` approximates the kernel.

    Attributes:
        column: (kh,) float64 vertical factor.
        row: (kw,) float64 horizontal factor.
        rank1: whether the kernel is rank 1 within the tolerance (exactly separable).
        relative_error: ``‖K − column·rowᵀ‖_F / ‖K‖_F`` (0 for a zero kernel).
        singular_values: (min(kh, kw),) singular values of the kernel, descending.
    """

    column: np.ndarray
    row: np.ndarray
    rank1: bool
    relative_error: float
    singular_values: np.ndarray

    @property
    def kernel(self) -> np.ndarray:
        """The rank-1 kernel ``outer(column, row)``, shape (kh, kw)."""
        return np.outer(self.column, self.row)

    @property
    def separable_weights(self) -> int:
        """Weights of the two 1-d passes, ``kh + kw`` (6 for a 3×3 kernel)."""
        return self.column.size + self.row.size

    @property
    def dense_weights(self) -> int:
        """Weights of the 2-d kernel, ``kh·kw`` (9 for a 3×3 kernel)."""
        return self.column.size * self.row.size


def _integer_factors(kernel: np.ndarray):
    """Integer (column, row) with ``outer == kernel`` for an integer rank-1 kernel, else None."""
    ints = kernel.astype(np.int64)
    nonzero_rows = [r for r in ints if r.any()]
    if not nonzero_rows:
        return None
    first = nonzero_rows[0]
    primitive = first // reduce(math.gcd, (abs(int(v)) for v in first))
    pivot = int(np.flatnonzero(primitive)[0])
    column = ints[:, pivot] // primitive[pivot]
    if not np.array_equal(np.outer(column, primitive), ints):
        return None
    return column.astype(np.float64), primitive.astype(np.float64)


def factorize_kernel(kernel_2d, tol: float = 1e-6) -> KernelFactorization:
    """Factor a 2-d kernel as ``column · rowᵀ`` by SVD and say whether it is rank 1.

    Args:
        kernel_2d: (kh, kw) array-like of real numbers (ints allowed), or a Tensor.
        tol: largest relative Frobenius error still counted as rank 1, >= 0.

    Returns:
        ``KernelFactorization(column (kh,), row (kw,), rank1, relative_error,
        singular_values)``; for a kernel that is not rank 1, column and row give its best
        rank-1 approximation. Scale and sign conventions: see the module docstring
        (integer factors for integer kernels, the column's largest entry positive).

    Raises:
        ValueError: kernel not 2-d, empty, or with NaN/inf; negative tol.
        TypeError: non-numeric kernel or tol.

    >>> f = factorize_kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]])   # Sobel-x
    >>> f.column.tolist(), f.row.tolist(), f.rank1, f.separable_weights, f.dense_weights
    ([1.0, 2.0, 1.0], [1.0, 0.0, -1.0], True, 6, 9)
    """
    array = np.asarray(getattr(kernel_2d, "data", kernel_2d))
    _args.check_ndim(array.shape, 2, "kernel_2d")
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                   or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"kernel_2d must hold integer or floating-point numbers; got kernel_2d "
                        f"with dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"kernel_2d must not be empty; got kernel_2d with shape {array.shape}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a number; got tol={tol!r}")
    if not (tol >= 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be a finite number >= 0; got tol={tol!r}")
    kernel = array.astype(np.float64)
    if not np.all(np.isfinite(kernel)):
        raise ValueError("kernel_2d must hold finite values; got NaN or inf in kernel_2d")

    u, s, vt = np.linalg.svd(kernel)
    total = float(np.sqrt(np.sum(s ** 2)))
    if total == 0.0:
        zeros_c, zeros_r = np.zeros(kernel.shape[0]), np.zeros(kernel.shape[1])
        return KernelFactorization(zeros_c, zeros_r, True, 0.0, s)
    relative_error = float(np.sqrt(np.sum(s[1:] ** 2))) / total
    rank1 = relative_error <= tol

    factors = None
    if np.array_equal(kernel, np.round(kernel)) and np.abs(kernel).max() < 2**52:
        # Exact integer test: an integer rank-1 kernel is rank 1 even at tol=0, where the
        # SVD's rounding (~1e-16) would say otherwise.
        factors = _integer_factors(kernel)
        rank1 = rank1 or factors is not None
    if factors is None:
        scale = math.sqrt(float(s[0]))
        factors = (scale * u[:, 0], scale * vt[0])
    column, row = factors
    if column[np.argmax(np.abs(column))] < 0:
        column, row = -column, -row
    # Measure the reported error on the returned factors (for exact rank-1 kernels ~1e-16).
    relative_error = float(np.linalg.norm(kernel - np.outer(column, row))) / total
    return KernelFactorization(column + 0.0, row + 0.0, bool(rank1), relative_error, s)


__all__ = ["KernelFactorization", "factorize_kernel"]
