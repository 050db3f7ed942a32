"""The autograd engine (``convzoo.autograd``): accumulation, graph shapes, no_grad, dtypes, errors.

Expected gradients are worked out by hand from the expressions (closed forms), never
taken from convzoo's own output.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import convzoo as cz
from convzoo import functional as F


def test_grad_accumulates_across_backward_calls():
    x = cz.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0, 9.0])
    x.zero_grad()
    assert x.grad is None
    x.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])


def test_same_graph_backward_twice_with_retain_graph():
    x = cz.tensor(np.array([2.0]), requires_grad=True)
    y = (x ** 3).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [24.0])      # 2 · 3x² at x = 2


def test_second_backward_after_release_raises():
    # PyTorch's rule: the first backward frees what the graph saved, a second one says so
    x = cz.tensor(np.array([2.0]), requires_grad=True)
    y = (x ** 3).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad, [12.0])      # the first pass alone


def test_intermediate_arrays_are_freed_when_dropped():
    # the graph keeps what backward needs (ctx), not every intermediate Tensor
    import weakref
    x = cz.tensor(np.ones((4, 4)), requires_grad=True)
    h = x * 2.0
    ref = weakref.ref(h)
    y = cz.functional.relu(h + 1.0).sum()
    del h
    assert ref() is None
    y.backward()
    np.testing.assert_array_equal(x.grad, np.full((4, 4), 2.0))


def test_diamond_graph_sums_both_paths():
    x = cz.tensor(np.array([1.0, -2.0]), requires_grad=True)
    a = x * 2
    b = x * 3
    (a * b).sum().backward()                            # 6x² -> 12x
    np.testing.assert_array_equal(x.grad, [12.0, -24.0])

    y = cz.tensor(np.array([0.5, 3.0]), requires_grad=True)
    z = y * y + y                                       # y used three times
    z.sum().backward()
    np.testing.assert_array_equal(y.grad, [2.0, 7.0])


def test_shared_subexpression_reached_by_paths_of_different_length():
    x = cz.tensor(np.array([1.5]), requires_grad=True)
    h = x * x                    # h reached directly and through a longer chain
    out = h + ((h + 1) * 2 + 3) * 4
    out.sum().backward()         # d/dx [x² + 8x² + ...] = 18x
    np.testing.assert_allclose(x.grad, [27.0])


def test_inputs_without_requires_grad_get_no_grad():
    x = cz.tensor(np.ones(3), requires_grad=True)
    c = cz.tensor(np.full(3, 2.0))
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_no_grad_records_nothing():
    x = cz.tensor(np.ones(3), requires_grad=True)
    with cz.no_grad():
        assert not cz.is_grad_enabled()
        y = (x * 2).sum()
        with cz.enable_grad():
            z = (x * 2).sum()
    assert cz.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    z.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_no_grad_restores_state_after_exception():
    with pytest.raises(KeyError), cz.no_grad():
        raise KeyError("boom")
    assert cz.is_grad_enabled()


def test_backward_errors():
    x = cz.tensor(np.ones((2, 2)), requires_grad=True)
    y = x * 2
    with pytest.raises(ValueError, match=r"grad can be omitted only for one-element tensors; "
                                         r"got shape \(2, 2\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"grad must have shape \(2, 2\)"):
        y.backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        cz.tensor(np.ones(2)).backward(np.ones(2))
    y.backward(np.full((2, 2), 0.5))
    np.testing.assert_array_equal(x.grad, np.ones((2, 2)))


def test_one_element_non_scalar_backward_without_grad():
    x = cz.tensor(np.array([[3.0]]), requires_grad=True)
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[6.0]])


def test_dtypes_of_new_tensors():
    assert cz.tensor(np.ones(2)).dtype == np.float64
    assert cz.tensor(np.ones(2, np.float32)).dtype == np.float32
    assert cz.tensor(1.5).dtype == np.float32
    assert cz.tensor([1.0, 2.0]).dtype == np.float32
    assert cz.tensor([1, 2]).dtype == np.float32  # DESIGN §2: Python ints become float32
    assert cz.tensor(np.array([1, 2])).dtype == np.int64  # arrays keep their dtype
    assert cz.tensor(np.float64(1.0)).dtype == np.float64
    assert cz.tensor([1, 2], dtype=np.float64).dtype == np.float64


def test_float64_stays_float64_through_ops_and_grads():
    x = cz.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    w = cz.tensor(np.ones((4, 3)), requires_grad=True)
    y = F.softmax(F.relu(F.linear(x, w)) * 1.5 - 0.25, axis=1)
    assert y.dtype == np.float64
    y.backward(np.ones((2, 4)))
    assert x.grad.dtype == np.float64 and w.grad.dtype == np.float64


def test_float32_stays_float32_with_python_scalars():
    x = cz.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = ((x * 0.5 + 1) / 3.0 - 2) ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_requires_grad_on_integer_tensor_raises():
    with pytest.raises(TypeError, match="requires_grad needs a floating-point tensor; got dtype "
                                        "int64"):
        cz.tensor(np.array([1, 2]), requires_grad=True)
    t = cz.tensor(np.array([1, 2], dtype=np.int32))
    with pytest.raises(TypeError, match="requires_grad needs a floating-point tensor"):
        t.requires_grad_()
    assert cz.tensor(np.ones(2)).requires_grad_().requires_grad


def test_deep_chain_does_not_hit_recursion_limit():
    depth = max(5000, 2 * sys.getrecursionlimit())
    x = cz.tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(depth):
        y = y + 1.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0])
    np.testing.assert_array_equal(y.numpy(), [1.0 + depth])
    del y                       # freeing the long chain must not overflow either


def test_deep_chain_of_multiplications_gradient():
    x = cz.tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(6000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** 6000], rtol=1e-10)


def test_leaf_grad_does_not_alias_the_given_grad():
    x = cz.tensor(np.zeros(3), requires_grad=True)
    g = np.ones(3)
    x.backward(g)
    g[:] = 5.0
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])


def test_detach_cuts_the_graph():
    x = cz.tensor(np.array([2.0]), requires_grad=True)
    y = x * x
    z = (y.detach() * x).sum()       # only the direct x path: d/dx (c · x) = c = 4
    z.backward()
    np.testing.assert_array_equal(x.grad, [4.0])
    assert y.detach().is_leaf and not y.detach().requires_grad


def test_numpy_array_on_the_left_gives_a_tensor():
    x = cz.tensor(np.ones(2), requires_grad=True)
    out = np.array([2.0, 3.0]) * x + np.array([1.0, 1.0])
    assert isinstance(out, cz.Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])


def test_custom_function_with_none_gradient_and_aux():
    class ScaleWithAux(cz.Function):
        has_aux = True

        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(scale)
            return x * scale, "aux"

        @staticmethod
        def backward(ctx, grad):
            (scale,) = ctx.saved
            return grad * scale, None     # no gradient for scale

    x = cz.tensor(np.array([1.0, 2.0]), requires_grad=True)
    s = cz.tensor(np.array([3.0, 4.0]), requires_grad=True)
    out, aux = ScaleWithAux.apply(x, s)
    assert aux == "aux" and out.requires_grad and not out.is_leaf
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    assert s.grad is None


def test_needs_input_grad_reflects_requires_grad():
    seen = {}

    class Probe(cz.Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    Probe.apply(cz.tensor(np.ones(1), requires_grad=True), np.ones(1))
    assert seen["needs"] == (True, False)
    with cz.no_grad():
        Probe.apply(cz.tensor(np.ones(1), requires_grad=True), np.ones(1))
    assert seen["needs"] == (False, False)


def test_tensor_methods_route_through_functional():
    x = cz.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.reshape(3, 2).flatten(0)[1:4].mean() + x.sum(axis=0, keepdims=True).sum()
    y.backward()
    expected = np.ones((2, 3))
    expected.reshape(-1)[1:4] += 1 / 3
    np.testing.assert_allclose(x.grad, expected)


def test_leaf_grads_never_alias_what_others_can_see():
    # leaves adopt private gradient arrays instead of copying them; anything shared must
    # still be copied: the user's grad argument, one array handed to two leaves, views
    a = cz.tensor(np.ones((2, 3)), requires_grad=True)
    b = cz.tensor(np.ones((2, 3)), requires_grad=True)
    user = np.full((2, 3), 5.0)
    (a + b).backward(user)                      # Add hands the same array to both inputs
    assert not np.shares_memory(a.grad, user) and not np.shares_memory(b.grad, user)
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 1.0                               # in-place edits stay local
    np.testing.assert_array_equal(b.grad, user)
    np.testing.assert_array_equal(user, np.full((2, 3), 5.0))

    c = cz.tensor(np.arange(6.0), requires_grad=True)
    d = cz.tensor(np.arange(6.0), requires_grad=True)
    flat = np.arange(6.0) + 1
    (c.reshape(2, 3) * 2.0 + d.reshape(2, 3)).backward(flat.reshape(2, 3))
    assert not np.shares_memory(d.grad, flat)   # d's gradient is a view of the user's array
    np.testing.assert_array_equal(c.grad, 2 * flat)
    np.testing.assert_array_equal(d.grad, flat)


def test_private_adopts_only_unshared_arrays():
    from convzoo._graph import _private
    fresh = np.ones(4)
    got = _private(fresh)            # held by this name only (plus the call): adopted
    assert got is fresh
    keep = [fresh]                   # a second holder: copied
    assert _private(fresh) is not fresh and keep
    whole = np.ones(6).reshape(2, 3)  # a reshape of an otherwise unheld array: adopted
    assert _private(whole) is whole
    base = np.ones(6)
    view = base.reshape(2, 3)        # the base is held elsewhere: copied
    assert _private(view) is not view
    part = np.ones(6)[:3]            # a part of a bigger array: copied
    assert not np.shares_memory(_private(part), part)
