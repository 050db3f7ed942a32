"""The recorded graph behind ``convzoo.autograd``: nodes, edges, traversal order, and
when a leaf may adopt a gradient array instead of copying it."""

from __future__ import annotations

import sys

import numpy as np


def _private(g: np.ndarray) -> np.ndarray:
    """``g`` itself when nothing else can see it, else a copy, for a leaf's new ``.grad``.

    A gradient that owns its memory (or is a whole-array reshape of one) and is
    referenced only by the caller's local name (and this call's argument) was made by
    a backward function for this leaf alone; adopting it saves a copy of the whole
    array — for an input gradient of a big layer, a fresh allocation and a pass over
    memory. Views, the user's own ``grad`` argument and arrays a Function handed to
    two inputs are copied.
    """
    if not g.flags.writeable or sys.getrefcount(g) > 3:
        return g.copy()
    if g.flags.owndata:
        return g
    base = g.base   # a reshape of a private array: private too if nothing else holds the base
    if (isinstance(base, np.ndarray) and base.flags.owndata and base.size == g.size
            and g.flags.c_contiguous and sys.getrefcount(base) <= 3):
        return g
    return g.copy()


class _Node:
    """One recorded call: the Function, its context, and an edge per input.

    An edge is the input's own ``_Node`` (an intermediate result), the input Tensor
    itself (a leaf that requires grad), or None. Nodes never hold intermediate Tensors,
    so an intermediate array lives only as long as the user or a ``ctx`` keeps it.
    """

    __slots__ = ("fn", "ctx", "inputs", "shape")

    def __init__(self, fn, ctx, inputs, shape):
        self.fn, self.ctx, self.inputs, self.shape = fn, ctx, inputs, shape


def _edge(tensor):
    if tensor is None or not tensor.requires_grad:
        return None
    return tensor if tensor._node is None else tensor._node


def _topological_order(root) -> list:
    """Nodes and leaves reachable from ``root``, each after everything that consumes it."""
    order: list = []
    seen: set[int] = set()
    stack = [(root, False)]
    while stack:  # iterative DFS: deep networks would overflow Python's recursion limit
        item, expanded = stack.pop()
        if expanded:
            order.append(item)
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        stack.append((item, True))
        if isinstance(item, _Node):
            for child in item.inputs:
                if child is not None and id(child) not in seen:
                    stack.append((child, False))
    order.reverse()
    return order
