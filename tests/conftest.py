"""Shared test helpers: a seeded generator, tolerance checks and a float64 gradient check.

Other test modules may import the plain functions (``from conftest import gradcheck``);
pytest puts this directory on ``sys.path``. Nothing here knows about a particular op.
"""

from __future__ import annotations

import numpy as np
import pytest

import convzoo as cz


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator per test (never the global seed)."""
    return np.random.default_rng(20240601)


def assert_rel_close(actual, expected, rel: float = 1e-4, what: str = "") -> None:
    """Elementwise ``|actual - expected| <= rel * (|expected| + max|expected|)``.

    "Within ``rel`` relative": the error is measured against each value and against
    the scale of the whole array, so entries that cancel to ~0 are not held to an
    impossible standard while everything else must match to ``rel``.
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rel, atol=rel * max(scale, 1e-30),
                               err_msg=what)


def numerical_grad(fn, arrays, index: int, cotangent: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``sum(fn(*arrays) * cotangent)`` w.r.t. ``arrays[index]``.

    Args:
        fn: maps NumPy arrays (float64) to an array or ``cz.Tensor``.
        arrays: the arguments (``None`` entries are passed through).
        index: which argument to differentiate.
        cotangent: array of the output's shape.
        eps: step; float64 central differences are exact up to rounding for linear maps.
    """
    base = [None if a is None else np.array(a, dtype=np.float64) for a in arrays]
    target = base[index]
    grad = np.zeros_like(target)

    def value():
        with cz.no_grad():
            out = fn(*base)
        return float(np.sum(np.asarray(out) * cotangent))

    flat, gflat = target.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = value()
        flat[i] = keep - eps
        down = value()
        flat[i] = keep
        gflat[i] = (up - down) / (2 * eps)
    return grad


def gradcheck(fn, arrays, wrt=None, eps: float = 1e-6, rel: float = 1e-6, seed: int = 0):
    """Compare convzoo's backward with float64 central differences for each input in ``wrt``.

    Args:
        fn: maps ``cz.Tensor`` arguments (or ``None``) to a ``cz.Tensor``.
        arrays: the arguments as arrays (cast to float64) or ``None``.
        wrt: indices to check; default every non-``None`` argument.
        rel: tolerance for ``assert_rel_close``.

    Returns:
        The analytic gradients, one per argument (``None`` where not checked).
    """
    arrays = [None if a is None else np.asarray(a, dtype=np.float64) for a in arrays]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a is not None]
    tensors = [None if a is None else cz.tensor(a.copy(), requires_grad=i in wrt)
               for i, a in enumerate(arrays)]
    out = fn(*tensors)
    cotangent = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(cotangent)
    grads = [None] * len(arrays)
    for i in wrt:
        analytic = tensors[i].grad
        assert analytic is not None, f"no gradient reached argument {i}"
        assert analytic.dtype == np.float64, analytic.dtype
        numeric = numerical_grad(fn, arrays, i, cotangent, eps)
        assert_rel_close(analytic, numeric, rel, what=f"gradient of argument {i}")
        grads[i] = analytic
    return grads
