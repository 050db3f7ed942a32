"""Parsing the command line's textual values, shared by every ``convzoo`` subcommand.

``3x32x32`` is a shape, ``3`` or ``3x5`` a size given once or per dim, and padding is an
int, ``AxB``, a mode (``valid``/``same``/``same_lower``/``full``) or per-side
``T,B,L,R``. Each parser raises ``argparse.ArgumentTypeError``, which argparse turns
into ``argument --name: message`` (so the message names the option), and the
subcommand's ``--help`` says the same.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from ._args import PADDING_MODES

_SEP = re.compile(r"\s*[x×X*]\s*")


class SidePadding(tuple):
    """Per-side padding as typed, ``(before_0, after_0, before_1, after_1, ...)``."""

    def pairs(self, n: int) -> tuple[tuple[int, int], ...]:
        """The ``n`` ``(before, after)`` pairs; ``ValueError`` naming --padding if miscounted."""
        if len(self) != 2 * n:
            typed = ",".join(map(str, self))
            raise ValueError(f"--padding with per-side values needs 2 per spatial dim ({2 * n} "
                             f"for {n}-d, e.g. T,B,L,R in 2-d); got --padding={typed}")
        return tuple((self[2 * i], self[2 * i + 1]) for i in range(n))


def _int(text: str, minimum: int, example: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer (e.g. {example}); got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum}; got {text!r}")
    return value


def dims(text: str) -> tuple[int, ...]:
    """``'3x32x32'`` -> ``(3, 32, 32)``; each value >= 1."""
    parts = _SEP.split(text.strip())
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by 'x' (e.g. 3x32x32); got {text!r}") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"every size must be >= 1; got {text!r}")
    return values


def int_or_dims(minimum: int = 1):
    """A parser for ``'3'`` -> ``3`` or ``'3x5'`` -> ``(3, 5)``, each value >= ``minimum``."""

    def parse(text: str):
        parts = _SEP.split(text.strip())
        values = tuple(_int(p, minimum, "3 or 3x5") for p in parts)
        return values[0] if len(values) == 1 else values

    parse.__name__ = "int or AxB"   # argparse quotes this name in "invalid ... value" errors
    return parse


def positive(text: str) -> int:
    """An int >= 1."""
    return _int(text, 1, "8")


def padding(text: str):
    """An int, ``AxB`` (per dim), a mode, or per-side ``T,B,L,R`` (a :class:`SidePadding`)."""
    raw = text.strip()
    if raw.lower() in PADDING_MODES:
        return raw.lower()
    if "," in raw:
        values = tuple(_int(p.strip(), 0, "1,2,0,1") for p in raw.split(","))
        return SidePadding(values)
    if raw and raw.replace("x", "").replace("X", "").replace("×", "").strip().lstrip("-").isdigit():
        return int_or_dims(0)(raw)
    raise argparse.ArgumentTypeError(
        f"expected an int, AxB, per-side T,B,L,R, or one of {', '.join(PADDING_MODES)}; "
        f"got {text!r}")


def fmt_dims(values) -> str:
    """``(3, 32, 32)`` -> ``'3x32x32'``."""
    return "x".join(str(v) for v in values)


def fmt_int(value: int) -> str:
    """Thousands separators: ``115605504`` -> ``'115,605,504'``."""
    return f"{value:,}"


def print_json(obj) -> None:
    """One JSON document on stdout."""
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def table(rows: list[list[str]], right: set[int]) -> list[str]:
    """Aligned text rows; the first row is the header, columns in ``right`` right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return lines
