"""Numba, when present: a ``jit`` decorator and a switch that forces the NumPy paths.

``jit`` compiles with ``parallel=True`` (``prange`` over independent planes),
``cache=True`` (compiled once per machine, stored beside the source) and
``fastmath=False`` (IEEE arithmetic: NaN propagates, no reassociation, so results
do not depend on vector width). Without Numba it returns the Python function
unchanged and ``numba_enabled()`` is False, so callers take their NumPy path.
Set ``CONVZOO_NO_NUMBA=1`` to ignore an installed Numba. Unless
``NUMBA_THREADING_LAYER`` is set, Numba's 'workqueue' threading layer is used
(see the comment at the import).
"""

from __future__ import annotations

import contextlib
import os
import types

try:  # pragma: no cover - depends on the environment
    if os.environ.get("CONVZOO_NO_NUMBA"):
        raise ImportError("CONVZOO_NO_NUMBA is set")
    import numba
    HAVE_NUMBA = True
    if "NUMBA_THREADING_LAYER" not in os.environ:
        # OpenMP workers spin after each parallel region and steal the cores OpenBLAS
        # needs for the GEMM that follows (3-4x slower GEMMs measured); the workqueue
        # layer's workers sleep instead. A user's explicit choice wins.
        numba.config.THREADING_LAYER = "workqueue"
except ImportError:  # pragma: no cover
    numba = None
    HAVE_NUMBA = False

_state = {"enabled": HAVE_NUMBA}


# Below this many inner-loop steps a kernel runs on the calling thread. Waking the pool's
# threads costs 60-110 µs per parallel region on a 2-core VM (Numba's workqueue and OpenMP
# layers measured), and right after a GEMM OpenBLAS's own workers still spin on the other
# core, so a threaded sweep of a few million steps gains nothing: a LeNet-5 training step
# measured 9.1 ms with a 2^18 threshold, 8.3 ms with 2^22 and 8.1 ms all serial.
SERIAL_WORK = 1 << 23


def _renamed(fn, suffix: str):
    """A copy of ``fn`` with its own name, so Numba caches its second compilation apart."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix,
                              fn.__defaults__, fn.__closure__)
    copy.__qualname__ = fn.__qualname__ + suffix
    copy.__module__ = fn.__module__
    copy.__doc__ = fn.__doc__
    return copy


def jit(fn):
    """``numba.njit(parallel=True, cache=True, fastmath=False)`` or ``fn`` itself.

    The result has ``.pick(work)``: the threaded kernel, or for ``work < SERIAL_WORK``
    inner-loop steps the same code compiled without threads (``prange`` is ``range``).
    """
    if numba is None:   # pragma: no cover
        fn.pick = lambda work: fn
        return fn
    threaded = numba.njit(parallel=True, cache=True, fastmath=False, nogil=True)(fn)
    serial = numba.njit(cache=True, fastmath=False, nogil=True)(_renamed(fn, "_serial"))
    threaded.pick = lambda work: serial if work < SERIAL_WORK else threaded
    return threaded


def jit_serial(fn):
    """``numba.njit(cache=True, fastmath=False)`` for helpers the parallel kernels call."""
    if numba is None:   # pragma: no cover
        return fn
    return numba.njit(cache=True, fastmath=False, nogil=True)(fn)


def prange(*args):
    """``numba.prange`` inside compiled code, ``range`` in plain Python."""
    return range(*args)


if numba is not None:  # pragma: no branch
    prange = numba.prange  # noqa: F811


if numba is not None:  # pragma: no branch
    uint64 = numba.uint64
else:   # pragma: no cover
    def uint64(value):
        """Identity without Numba (the helpers then run as plain Python)."""
        return value


def numba_enabled() -> bool:
    """True when the Numba kernels are available and not switched off.

    >>> isinstance(numba_enabled(), bool)
    True
    """
    return _state["enabled"]


@contextlib.contextmanager
def numpy_only():
    """Run the pure-NumPy path of every kernel inside the ``with`` block.

    >>> with numpy_only():
    ...     numba_enabled()
    False
    """
    before = _state["enabled"]
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = before
