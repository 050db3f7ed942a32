"""The basic ops (arithmetic, reductions, shape ops, indexing, linear, activations, softmax,
losses, batch norm, dropout, channel shuffle) against independent oracles.

1. PyTorch CPU on the same arrays: forward in float32 within 1e-4 relative, forward and
   gradients in float64 within 1e-6 (batch norm also compares the running statistics
   it updates in place);
2. float64 central differences (``conftest.gradcheck``) for every differentiable argument;
3. naive loops from the definitions for cross-entropy, batch norm and channel shuffle.

Every bad-input error has a test that matches its message.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import convzoo as cz
from conftest import assert_rel_close, gradcheck
from convzoo import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _rand(rng, shape, low=None):
    """Standard normal values (or uniform in [low, low + 2] when ``low`` is given)."""
    if low is not None:
        return rng.uniform(low, low + 2, size=shape)
    return rng.standard_normal(shape)


def compare_torch(cz_fn, torch_fn, arrays, rng, grads=True, check32=True):
    """Run ``cz_fn`` on Tensors and ``torch_fn`` on torch tensors of the same arrays.

    float64: forward and every input gradient within 1e-6 (for a random cotangent);
    float32: forward within 1e-4 and convzoo's output stays float32.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    xs = [cz.tensor(a.copy(), requires_grad=grads) for a in arrays]
    ts = [torch.tensor(a.copy(), requires_grad=grads) for a in arrays]
    out, tout = cz_fn(*xs), torch_fn(*ts)
    assert out.dtype == np.float64
    assert_rel_close(out.numpy(), tout.detach().numpy(), 1e-6, "float64 forward")
    if grads:
        cot = rng.standard_normal(out.shape)
        out.backward(cot)
        tout.backward(torch.tensor(cot))
        for i, (x, t) in enumerate(zip(xs, ts, strict=True)):
            assert x.grad is not None and x.grad.dtype == np.float64
            assert_rel_close(x.grad, t.grad.numpy(), 1e-6, f"gradient of argument {i}")
    if check32:
        out32 = cz_fn(*[cz.tensor(a.astype(np.float32)) for a in arrays])
        tout32 = torch_fn(*[torch.tensor(a.astype(np.float32)) for a in arrays])
        assert out32.dtype == np.float32
        assert_rel_close(out32.numpy(), tout32.numpy(), 1e-4, "float32 forward")


# --- arithmetic and broadcasting -------------------------------------------------------------

BROADCAST_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((1,), (2, 3)),
                    ((4, 1, 1), (1, 5, 1)), ((), (2, 2)), ((3, 1), ())]
BINARY = {
    "add": (F.add, torch.add),
    "sub": (F.sub, torch.sub),
    "mul": (F.mul, torch.mul),
    "div": (F.div, torch.div),
}


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_broadcasting_vs_torch(name, shapes, rng):
    fn, tfn = BINARY[name]
    a = _rand(rng, shapes[0])
    b = _rand(rng, shapes[1], low=0.5 if name == "div" else None)
    compare_torch(fn, tfn, [a, b], rng)


@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((), (2, 2))], ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_gradcheck(name, shapes, rng):
    a = _rand(rng, shapes[0])
    b = _rand(rng, shapes[1], low=0.5 if name == "div" else None)
    gradcheck(BINARY[name][0], [a, b])


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_operators_with_scalars_and_arrays_on_either_side(op, rng):
    x = _rand(rng, (2, 3), low=0.5)
    arr = _rand(rng, (3,), low=0.5)
    ops = {"+": lambda u, v: u + v, "-": lambda u, v: u - v,
           "*": lambda u, v: u * v, "/": lambda u, v: u / v}[op]
    for left_const, const in ((True, 2.5), (False, 2.5), (True, arr), (False, arr),
                              (True, np.float64(1.5)), (False, 3)):
        t, tt = cz.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        tc = torch.tensor(const) if isinstance(const, np.ndarray) else float(const)
        out = ops(const, t) if left_const else ops(t, const)
        tout = ops(tc, tt) if left_const else ops(tt, tc)
        assert isinstance(out, cz.Tensor)
        assert_rel_close(out.numpy(), tout.detach().numpy(), 1e-6)
        out.sum().backward()
        tout.sum().backward()
        assert_rel_close(t.grad, tt.grad.numpy(), 1e-6)


def test_dtype_promotion_follows_pytorch():
    x32 = cz.tensor(np.ones(3, np.float32), requires_grad=True)
    x64 = cz.tensor(np.ones(3), requires_grad=True)
    assert (x32 + 1.5).dtype == np.float32
    assert (2.0 * x32).dtype == np.float32
    assert (x32 * np.float64(2.0)).dtype == np.float32     # a scalar takes the array's dtype
    assert (x32 / 3).dtype == np.float32
    mixed = x32 * x64
    assert mixed.dtype == np.float64
    mixed.sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64
    ints = np.array([1, 2, 3])
    assert (cz.tensor(ints) + 1.5).dtype == np.float32
    assert (cz.tensor(ints) + 1).dtype == np.int64
    assert F.div(ints, 2).dtype == np.float32
    assert (cz.tensor(ints) * x32).dtype == np.float32
    assert (cz.tensor(ints) * x64).dtype == np.float64


def test_neg_vs_torch(rng):
    compare_torch(F.neg, torch.neg, [_rand(rng, (3, 2))], rng)
    compare_torch(lambda x: -x, lambda x: -x, [_rand(rng, (4,))], rng)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0, 1])
def test_pow_vs_torch_and_gradcheck(exponent, rng):
    x = _rand(rng, (2, 3), low=0.5)
    compare_torch(lambda t: t ** exponent, lambda t: t ** exponent, [x], rng)
    gradcheck(lambda t: F.pow(t, exponent), [x])


def test_pow_errors():
    with pytest.raises(TypeError, match="exponent must be a real number"):
        F.pow(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="exponent must be a real number"):
        cz.tensor(np.ones(2)) ** cz.tensor(2.0)
    with pytest.raises(ValueError, match="exponent must be finite"):
        F.pow(np.ones(2), float("inf"))


def test_pow_integer_base_negative_exponent_is_float32():
    out = F.pow(np.array([1, 2, 4]), -1)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [1.0, 0.5, 0.25])


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)),
                                    ((2, 3, 4), (4,)), ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((3, 4), (2, 4, 2))], ids=str)
def test_matmul_vs_torch(shapes, rng):
    a, b = _rand(rng, shapes[0]), _rand(rng, shapes[1])
    compare_torch(F.matmul, torch.matmul, [a, b], rng)
    compare_torch(lambda u, v: u @ v, lambda u, v: u @ v, [a, b], rng, check32=False)


def test_matmul_gradcheck(rng):
    gradcheck(F.matmul, [_rand(rng, (2, 3, 4)), _rand(rng, (4, 2))])
    gradcheck(F.matmul, [_rand(rng, (4,)), _rand(rng, (2, 4, 3))])


def test_matmul_errors():
    with pytest.raises(ValueError, match="matmul inner sizes must match"):
        F.matmul(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        F.matmul(np.ones(()), np.ones(3))
    with pytest.raises(ValueError, match="batch dimensions do not broadcast"):
        F.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 5)))


def test_broadcast_error():
    with pytest.raises(ValueError, match="operands do not broadcast together"):
        F.add(np.ones((2, 3)), np.ones((4,)))


# --- unary math -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["exp", "log", "sqrt"])
def test_unary_math_vs_torch(name, rng):
    x = _rand(rng, (3, 4), low=0.2)
    compare_torch(getattr(F, name), getattr(torch, name), [x], rng)
    gradcheck(getattr(F, name), [x])
    assert getattr(F, name)(np.array([1, 2])).dtype == np.float32


# --- reductions -------------------------------------------------------------------------------

@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (2, 1)])
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_reductions_vs_torch(name, axis, keepdims, rng):
    x = _rand(rng, (2, 3, 4))
    dims = tuple(range(3)) if axis is None else axis

    def cz_fn(t):
        return getattr(F, name)(t, axis=axis, keepdims=keepdims)

    def torch_fn(t):
        return getattr(torch, name)(t, dim=dims, keepdim=keepdims)

    compare_torch(cz_fn, torch_fn, [x], rng)


def test_reduction_methods_and_gradcheck(rng):
    x = _rand(rng, (2, 3))
    gradcheck(lambda t: t.sum(axis=1), [x])
    gradcheck(lambda t: t.mean(axis=0, keepdims=True), [x])
    gradcheck(lambda t: t.mean(), [x])


def test_reduction_errors():
    x = np.ones((2, 3, 4))
    with pytest.raises(ValueError, match=r"axis must be in \[-3, 3\).*axis=3"):
        F.sum(x, axis=3)
    with pytest.raises(ValueError, match="axis must not repeat an axis"):
        F.mean(x, axis=(0, -3))
    with pytest.raises(TypeError, match="axis must be None, an int or a sequence"):
        F.sum(x, axis=1.0)
    with pytest.raises(TypeError, match="axis must be an int; got axis=1.0"):
        F.sum(x, axis=(0, 1.0))
    with pytest.raises(TypeError, match="axis must be None, an int or a sequence"):
        F.sum(x, axis="0")
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.mean(np.ones(3, dtype=np.int64))


# --- shape ops --------------------------------------------------------------------------------

def test_reshape_and_flatten_vs_torch(rng):
    x = _rand(rng, (2, 3, 4, 5))
    compare_torch(lambda t: F.reshape(t, (6, -1)), lambda t: t.reshape(6, -1), [x], rng)
    compare_torch(lambda t: t.reshape(4, 30), lambda t: t.reshape(4, 30), [x], rng)
    compare_torch(F.flatten, lambda t: torch.flatten(t, 1), [x], rng)
    compare_torch(lambda t: F.flatten(t, 0), lambda t: torch.flatten(t, 0), [x], rng)
    compare_torch(lambda t: F.flatten(t, 1, 2), lambda t: torch.flatten(t, 1, 2), [x], rng)
    compare_torch(lambda t: t.flatten(-2), lambda t: torch.flatten(t, -2), [x], rng)
    gradcheck(lambda t: F.reshape(t, (3, 2)), [_rand(rng, (2, 3))])


def test_reshape_errors():
    with pytest.raises(ValueError, match="cannot reshape 6 elements"):
        F.reshape(np.ones((2, 3)), (4, -1))
    with pytest.raises(ValueError, match="cannot reshape 6 elements"):
        F.reshape(np.ones((2, 3)), (5,))
    with pytest.raises(ValueError, match="at most one -1"):
        F.reshape(np.ones((2, 3)), (-1, -1))
    with pytest.raises(TypeError, match="shape must be an int or a sequence of ints"):
        F.reshape(np.ones((2, 3)), (2.0, 3))
    with pytest.raises(ValueError, match="start_dim must not come after end_dim"):
        F.flatten(np.ones((2, 3, 4)), 2, 1)
    with pytest.raises(ValueError, match="start_dim must be in"):
        F.flatten(np.ones((2, 3)), 2)


@pytest.mark.parametrize("axes", [(2, 0, 1), (0, 2, 1), (-1, -2, -3), None])
def test_transpose_vs_torch(axes, rng):
    x = _rand(rng, (2, 3, 4))
    perm = (2, 1, 0) if axes is None else axes
    compare_torch(lambda t: F.transpose(t, axes), lambda t: t.permute(*perm), [x], rng)


def test_transpose_errors():
    with pytest.raises(ValueError, match="axes must be a permutation of the 3 axes"):
        F.transpose(np.ones((2, 3, 4)), (0, 1))
    with pytest.raises(ValueError, match="axes must not repeat"):
        F.transpose(np.ones((2, 3, 4)), (0, 1, 1))


@pytest.mark.parametrize("axis", [1, 0, -1])
def test_concat_vs_torch_grads_reach_every_input(axis, rng):
    base = [2, 3, 4, 2]
    arrays = []
    for extent in (1, 3, 2):
        shape = list(base)
        shape[axis] = extent
        arrays.append(_rand(rng, tuple(shape)))
    compare_torch(lambda *ts: F.concat(list(ts), axis=axis),
                  lambda *ts: torch.cat(ts, dim=axis), arrays, rng)
    gradcheck(lambda *ts: F.concat(ts, axis=axis), arrays)


def test_concat_mixed_dtypes_and_plain_arrays(rng):
    a = cz.tensor(np.ones((1, 2), np.float32), requires_grad=True)
    out = F.concat([a, np.zeros((1, 3))], axis=1)
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32
    np.testing.assert_array_equal(a.grad, np.ones((1, 2)))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack_vs_torch(axis, rng):
    arrays = [_rand(rng, (2, 3)) for _ in range(3)]
    compare_torch(lambda *ts: F.stack(ts, axis=axis), lambda *ts: torch.stack(ts, dim=axis),
                  arrays, rng)


def test_concat_and_stack_errors():
    with pytest.raises(ValueError, match="tensors must not be empty"):
        F.concat([])
    with pytest.raises(TypeError, match="tensors must be a list or tuple"):
        F.concat(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"tensors must match in every dim except axis=1"):
        F.concat([np.ones((1, 2, 3)), np.ones((2, 2, 3))], axis=1)
    with pytest.raises(ValueError, match=r"tensors\[1\] must be 3-dimensional"):
        F.concat([np.ones((1, 2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"axis must be in \[-2, 2\)"):
        F.concat([np.ones((1, 2)), np.ones((1, 2))], axis=2)
    with pytest.raises(ValueError, match=r"tensors\[1\] must have shape \(2, 3\)"):
        F.stack([np.ones((2, 3)), np.ones((3, 2))])


# --- indexing ---------------------------------------------------------------------------------

INDICES = [
    (1,),
    (slice(1, None),),
    (slice(None), 2),
    (Ellipsis, slice(0, 3, 2)),
    (None, 0),
    (slice(None), [0, 2, 0]),                        # repeated column: gradients accumulate
    (np.array([0, 2, 2]), np.array([1, 1, 3])),       # repeated cell
    (np.array([[0, 1], [2, 2]]),),
    (slice(None), np.array([True, False, True, True])),
]


@pytest.mark.parametrize("index", INDICES, ids=lambda i: repr(i)[:40])
def test_getitem_vs_torch_and_gradcheck(index, rng):
    x = _rand(rng, (3, 4))

    def torch_index(t):
        return t[tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)]

    compare_torch(lambda t: t[index], torch_index, [x], rng)
    gradcheck(lambda t: t[index], [x])


def test_getitem_boolean_mask_and_negative_step(rng):
    x = _rand(rng, (3, 4))
    mask = x > 0
    compare_torch(lambda t: t[mask], lambda t: t[torch.tensor(mask)], [x], rng)
    # torch has no negative steps: the oracle is the definition (reversal moves the gradient)
    t = cz.tensor(x, requires_grad=True)
    cot = rng.standard_normal((3, 2))
    t[::-1, 3:0:-2].backward(cot)
    expected = np.zeros_like(x)
    for i in range(3):
        for j, col in enumerate((3, 1)):
            expected[2 - i, col] = cot[i, j]
    np.testing.assert_array_equal(t.grad, expected)
    gradcheck(lambda u: u[::-1, 3:0:-2], [x])


def test_getitem_with_tensor_index_and_float32(rng):
    x = cz.tensor(_rand(rng, (4, 2)).astype(np.float32), requires_grad=True)
    idx = cz.tensor(np.array([3, 3, 0]))
    out = x[idx]
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad[:, 0], [1, 0, 0, 2])


# --- linear -----------------------------------------------------------------------------------

@pytest.mark.parametrize("in_shape", [(4, 3), (2, 5, 3), (3,), (1, 3)], ids=str)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_vs_torch(in_shape, with_bias, rng):
    arrays = [_rand(rng, in_shape), _rand(rng, (6, 3))] + ([_rand(rng, (6,))] if with_bias else [])
    compare_torch(F.linear, TF.linear, arrays, rng)


def test_linear_gradcheck(rng):
    gradcheck(F.linear, [_rand(rng, (2, 3)), _rand(rng, (4, 3)), _rand(rng, (4,))])
    gradcheck(lambda x, w: F.linear(x, w), [_rand(rng, (2, 2, 3)), _rand(rng, (2, 3))])


def test_linear_errors():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"weight must have shape \(5, 3\) \(out_features"):
        F.linear(x, np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\)"):
        F.linear(x, np.ones((5, 3)), np.ones(4))
    with pytest.raises(ValueError, match="weight must be 2-dimensional"):
        F.linear(x, np.ones((5, 3, 1)))
    with pytest.raises(ValueError, match="input must have at least 1 dimension"):
        F.linear(np.ones(()), np.ones((5, 1)))
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.linear(np.ones((4, 3), dtype=np.int64), np.ones((5, 3)))
    with pytest.raises(TypeError, match="input and weight must have the same dtype"):
        F.linear(x, np.ones((5, 3), np.float32))


# --- activations ------------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": (F.relu, TF.relu),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "relu6": (F.relu6, TF.relu6),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
}
# the kinks (0, ±3, 6) are included: the derivative there follows PyTorch's convention
KINKS = np.array([-7.0, -3.0, -1.5, 0.0, 0.5, 3.0, 4.5, 6.0, 8.0, 50.0, -50.0])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_vs_torch(name, rng):
    fn, tfn = ACTIVATIONS[name]
    x = np.concatenate([4 * _rand(rng, (13,)), KINKS]).reshape(2, 12)
    compare_torch(fn, tfn, [x], rng)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradcheck(name, rng):
    x = rng.choice([-1, 1], size=(3, 4)) * rng.uniform(0.1, 2.5, size=(3, 4))  # away from kinks
    gradcheck(ACTIVATIONS[name][0], [x])


def test_sigmoid_and_softmax_do_not_overflow():
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = F.sigmoid(x).numpy()
        sm = F.softmax(np.array([[1000.0, 0.0, -1000.0]])).numpy()
        lsm = F.log_softmax(np.array([[1000.0, 0.0, -1000.0]])).numpy()
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(sm, [[1.0, 0.0, 0.0]], atol=1e-300)
    np.testing.assert_allclose(lsm, [[0.0, -1000.0, -2000.0]])


def test_leaky_relu_slope_error():
    with pytest.raises(TypeError, match="negative_slope must be a real number"):
        F.leaky_relu(np.ones(2), "0.1")


@pytest.mark.parametrize("in_shape,w_shape", [((2, 3, 4, 5), (3,)), ((2, 3, 4, 5), (1,)),
                                              ((4, 3), (3,)), ((2, 3, 5), (3,)), ((5,), (1,))],
                         ids=str)
def test_prelu_vs_torch_and_gradcheck(in_shape, w_shape, rng):
    x = _rand(rng, in_shape)
    w = rng.uniform(0.05, 0.5, size=w_shape)
    compare_torch(F.prelu, TF.prelu, [x, w], rng)
    if len(in_shape) < 4:
        gradcheck(F.prelu, [x, w])


def test_prelu_errors():
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.prelu(np.ones((2, 3, 4)), np.ones(2))
    with pytest.raises(TypeError, match="input and weight must have the same dtype"):
        F.prelu(np.ones((2, 3)), np.ones(3, np.float32))


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_vs_torch_and_gradcheck(name, axis, rng):
    x = 3 * _rand(rng, (3, 4, 2))
    fn, tfn = getattr(F, name), getattr(TF, name)
    compare_torch(lambda t: fn(t, axis), lambda t: tfn(t, dim=axis), [x], rng)
    gradcheck(lambda t: fn(t, axis), [x[:2, :3]])


def test_softmax_errors():
    with pytest.raises(ValueError, match=r"axis must be in \[-2, 2\)"):
        F.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.log_softmax(np.ones((2, 3), dtype=np.int64))


# --- losses -----------------------------------------------------------------------------------

def naive_cross_entropy(z, t, reduction, eps):
    """Straight from the definition, one sample and one class at a time."""
    n, k = z.shape
    losses = []
    for i in range(n):
        m = max(z[i])
        lse = m + np.log(sum(np.exp(z[i, j] - m) for j in range(k)))
        loss = 0.0
        for j in range(k):
            q = (1 - eps) * (j == t[i]) + eps / k
            loss -= q * (z[i, j] - lse)
        losses.append(loss)
    losses = np.array(losses)
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("batch", [1, 5])
def test_cross_entropy_vs_torch_naive_and_gradcheck(batch, reduction, label_smoothing, rng):
    z = 2 * _rand(rng, (batch, 4))
    t = rng.integers(0, 4, size=batch)

    def cz_fn(x):
        return F.cross_entropy(x, t, reduction=reduction, label_smoothing=label_smoothing)

    def torch_fn(x):
        return TF.cross_entropy(x, torch.tensor(t), reduction=reduction,
                                label_smoothing=label_smoothing)

    compare_torch(cz_fn, torch_fn, [z], rng)
    assert_rel_close(cz_fn(z).numpy(), naive_cross_entropy(z, t, reduction, label_smoothing),
                     1e-12)
    gradcheck(cz_fn, [z])


def test_cross_entropy_large_logits_and_float32(rng):
    z = np.array([[1000.0, -1000.0, 0.0], [0.0, 2000.0, -5.0]])
    t = np.array([1, 1])
    out = F.cross_entropy(z, t, label_smoothing=0.2).numpy()
    expected = TF.cross_entropy(torch.tensor(z), torch.tensor(t), label_smoothing=0.2).numpy()
    assert np.isfinite(out) and abs(out - expected) <= 1e-9 * abs(expected)
    z32 = cz.tensor(_rand(rng, (3, 5)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(z32, cz.tensor(np.array([0, 4, 2])))
    loss.backward()
    assert loss.dtype == np.float32 and z32.grad.dtype == np.float32


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_vs_torch_and_composition(reduction, rng):
    z = _rand(rng, (4, 3))
    t = np.array([0, 2, 1, 2])
    compare_torch(lambda x: F.nll_loss(F.log_softmax(x, 1), t, reduction),
                  lambda x: TF.nll_loss(TF.log_softmax(x, 1), torch.tensor(t),
                                        reduction=reduction), [z], rng)
    assert_rel_close(F.nll_loss(F.log_softmax(z, 1), t, reduction).numpy(),
                     F.cross_entropy(z, t, reduction).numpy(), 1e-12)
    gradcheck(lambda x: F.nll_loss(x, t, reduction), [z])


def test_loss_errors():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"target values must be in \[0, 4\).*from 0 to 4"):
        F.cross_entropy(z, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"target values must be in \[0, 4\).*from -1"):
        F.nll_loss(z, np.array([0, -1, 2]))
    with pytest.raises(TypeError, match="target must have an integer dtype; got target with "
                                        "dtype float64"):
        F.cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"target must have shape \(3,\)"):
        F.cross_entropy(z, np.array([[0, 1, 2]]))
    with pytest.raises(ValueError, match="input must be 2-dimensional"):
        F.cross_entropy(np.zeros(4), np.array([1]))
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.cross_entropy(np.zeros((3, 4), dtype=np.int64), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(z, np.array([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\]"):
        F.cross_entropy(z, np.array([0, 1, 2]), label_smoothing=1.5)


# --- batch norm -------------------------------------------------------------------------------

BN_SHAPES = [(4, 3), (3, 2, 5), (2, 3, 4, 5), (2, 2, 3, 2, 3)]


def naive_batch_norm_train(x, w, b, eps):
    """Per channel, over every other index, by explicit loops over channels."""
    y = np.empty_like(x)
    for c in range(x.shape[1]):
        cells = x[:, c].ravel()
        mu = sum(cells) / cells.size
        var = sum((v - mu) ** 2 for v in cells) / cells.size
        y[:, c] = (x[:, c] - mu) / np.sqrt(var + eps) * w[c] + b[c]
    return y


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
def test_batch_norm_train_vs_torch_with_running_stats(shape, affine, rng):
    c = shape[1]
    x = 2 + 3 * _rand(rng, shape)
    params = [_rand(rng, (c,)), _rand(rng, (c,))] if affine else []
    rm0, rv0 = _rand(rng, (c,)), rng.uniform(0.5, 2, c)
    rm, rv = rm0.copy(), rv0.copy()
    trm, trv = torch.tensor(rm0), torch.tensor(rv0)

    def cz_fn(x, *p):
        return F.batch_norm(x, rm, rv, *p, training=True, momentum=0.3, eps=1e-3)

    def torch_fn(x, *p):
        return TF.batch_norm(x, trm, trv, *p, training=True, momentum=0.3, eps=1e-3)

    compare_torch(cz_fn, torch_fn, [x] + params, rng, check32=False)
    assert_rel_close(rm, trm.numpy(), 1e-6, "running_mean")
    assert_rel_close(rv, trv.numpy(), 1e-6, "running_var")
    assert not np.allclose(rm, rm0)
    # float32 forward, running statistics kept float32
    rm32, rv32 = rm0.astype(np.float32), rv0.astype(np.float32)
    trm32, trv32 = torch.tensor(rm32), torch.tensor(rv32)
    p32 = [p.astype(np.float32) for p in params]
    out = F.batch_norm(x.astype(np.float32), rm32, rv32, *p32, training=True)
    tout = TF.batch_norm(torch.tensor(x.astype(np.float32)), trm32, trv32,
                         *[torch.tensor(p) for p in p32], training=True)
    assert out.dtype == np.float32 and rm32.dtype == np.float32
    assert_rel_close(out.numpy(), tout.numpy(), 1e-4)
    assert_rel_close(rv32, trv32.numpy(), 1e-4)


@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
def test_batch_norm_eval_vs_torch(shape, rng):
    c = shape[1]
    x = _rand(rng, shape)
    w, b = _rand(rng, (c,)), _rand(rng, (c,))
    rm, rv = _rand(rng, (c,)), rng.uniform(0.5, 2, c)
    before = rm.copy(), rv.copy()
    compare_torch(lambda x, w, b: F.batch_norm(x, rm, rv, w, b),
                  lambda x, w, b: TF.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b),
                  [x, w, b], rng, check32=False)
    f32 = [a.astype(np.float32) for a in (x, rm, rv, w, b)]
    out = F.batch_norm(*f32)
    assert out.dtype == np.float32
    assert_rel_close(out.numpy(), TF.batch_norm(*map(torch.tensor, f32)).numpy(), 1e-4)
    np.testing.assert_array_equal(rm, before[0])
    np.testing.assert_array_equal(rv, before[1])


def test_batch_norm_naive_and_gradcheck(rng):
    x = 1 + 2 * _rand(rng, (3, 2, 2, 3))
    w, b = _rand(rng, (2,)), _rand(rng, (2,))
    out = F.batch_norm(x, None, None, w, b, training=True, eps=1e-5)
    assert_rel_close(out.numpy(), naive_batch_norm_train(x, w, b, 1e-5), 1e-12)
    rm, rv = np.zeros(2), np.ones(2)
    gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=True), [x, w, b])
    gradcheck(lambda x: F.batch_norm(x, None, None, training=True), [x[:, :, :1]])
    gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv + 0.5, w, b), [x, w, b])


def test_batch_norm_tensor_buffers_and_no_grad_update_in_place(rng):
    x = _rand(rng, (4, 3, 2, 2))
    rm, rv = cz.tensor(np.zeros(3)), cz.tensor(np.ones(3))
    with cz.no_grad():
        F.batch_norm(x, rm, rv, training=True, momentum=1.0)
    np.testing.assert_allclose(rm.data, x.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(rv.data, x.var(axis=(0, 2, 3), ddof=1), rtol=1e-12)


def test_batch_norm_errors():
    x = np.ones((2, 3, 4, 4))
    rm, rv = np.zeros(3), np.ones(3)
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\)"):
        F.batch_norm(x, np.zeros(4), rv)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.batch_norm(x, rm, rv, weight=np.ones(2))
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\)"):
        F.batch_norm(x, rm, rv, bias=np.ones((3, 1)))
    with pytest.raises(ValueError, match="input must be 2 or 3 or 4 or 5-dimensional"):
        F.batch_norm(np.ones(3), rm, rv)
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.batch_norm(np.ones((2, 3), dtype=np.int64), rm, rv)
    with pytest.raises(TypeError, match="input and weight must have the same dtype"):
        F.batch_norm(x, rm, rv, weight=np.ones(3, np.float32))
    with pytest.raises(TypeError, match="running_var must be a NumPy array or Tensor"):
        F.batch_norm(x, rm, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(np.ones((1, 3)), rm, rv, training=True)
    with pytest.raises(ValueError, match="running_mean and running_var are required"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\]"):
        F.batch_norm(x, rm, rv, training=True, momentum=1.5)
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        F.batch_norm(x, rm, rv, eps=0.0)


# --- dropout ----------------------------------------------------------------------------------

def test_dropout_mask_scale_and_gradient(rng):
    x = cz.tensor(rng.uniform(1, 2, size=(50, 40)), requires_grad=True)
    y = F.dropout(x, 0.3, rng=np.random.default_rng(7))
    keep = y.numpy() != 0
    np.testing.assert_allclose(y.numpy()[keep], x.numpy()[keep] / 0.7, rtol=1e-15)
    assert abs(keep.mean() - 0.7) < 0.05
    cot = rng.standard_normal(x.shape)
    y.backward(cot)
    np.testing.assert_allclose(x.grad, cot * keep / 0.7, rtol=1e-15)
    again = F.dropout(x, 0.3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(again.numpy(), y.numpy())   # same generator state, same mask
    gradcheck(lambda t: F.dropout(t, 0.5, rng=np.random.default_rng(3)), [_rand(rng, (3, 4))])


def test_dropout_identity_and_dtype(rng):
    x = cz.tensor(_rand(rng, (3, 4)).astype(np.float32))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    y = F.dropout(x, 0.5)                      # rng=None: fresh entropy, still float32
    assert y.dtype == np.float32
    assert set(np.unique(y.numpy() != 0)) <= {True, False}


def test_dropout_does_not_touch_global_seed():
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    F.dropout(np.ones((10, 10)), 0.5)
    F.dropout(np.ones((10, 10)), 0.5, rng=np.random.default_rng(1))
    assert np.random.random() == expected


def test_dropout_errors():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\); got p=1"):
        F.dropout(np.ones(3), 1.0)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\); got p=-0.1"):
        F.dropout(np.ones(3), -0.1)
    with pytest.raises(TypeError, match="p must be a number"):
        F.dropout(np.ones(3), "0.5")
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        F.dropout(np.ones(3), 0.5, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.dropout(np.ones(3, dtype=np.int64), 0.5)


# --- channel shuffle --------------------------------------------------------------------------

def naive_channel_shuffle(x, groups):
    """Output channel j·g + i holds input channel i·(C/g) + j."""
    out = np.empty_like(x)
    per = x.shape[1] // groups
    for i in range(groups):
        for j in range(per):
            out[:, j * groups + i] = x[:, i * per + j]
    return out


@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 4), 2), ((2, 6, 3, 4), 3), ((1, 12, 2, 3), 4),
                                          ((2, 6, 5), 3), ((1, 4, 2, 2, 3), 2), ((2, 5, 2, 2), 5),
                                          ((2, 5, 2, 2), 1)], ids=str)
def test_channel_shuffle_vs_naive_torch_and_gradcheck(shape, groups, rng):
    x = _rand(rng, shape)
    np.testing.assert_array_equal(F.channel_shuffle(x, groups).numpy(),
                                  naive_channel_shuffle(x, groups))
    compare_torch(lambda t: F.channel_shuffle(t, groups),
                  lambda t: torch.nn.ChannelShuffle(groups)(t), [x], rng)
    gradcheck(lambda t: F.channel_shuffle(t, groups), [x[:1, :, :2]])


def test_channel_shuffle_errors():
    with pytest.raises(ValueError, match="groups must divide the channels; got groups=4, "
                                         "channels=6"):
        F.channel_shuffle(np.ones((1, 6, 2, 2)), 4)
    with pytest.raises(ValueError, match="groups must be >= 1"):
        F.channel_shuffle(np.ones((1, 6, 2, 2)), 0)
    with pytest.raises(TypeError, match="groups must be an int"):
        F.channel_shuffle(np.ones((1, 6, 2, 2)), 2.0)
    with pytest.raises(ValueError, match="input must be 3 or 4 or 5-dimensional"):
        F.channel_shuffle(np.ones((6, 2)), 2)


# --- a residual block's worth of ops together ----------------------------------------------------

def test_residual_block_composition_vs_torch(rng):
    x = _rand(rng, (2, 4, 3, 3))
    w1, w2 = _rand(rng, (4, 4, 3, 3)) / 3, _rand(rng, (6, 36)) / 6
    gamma, beta = _rand(rng, (4,)), _rand(rng, (4,))
    target = np.array([1, 5])

    def cz_fn(x, w1, gamma, beta, w2):
        h = F.conv2d(x, w1, padding=1)
        h = F.relu(F.batch_norm(h, None, None, gamma, beta, training=True))
        h = F.channel_shuffle(F.concat([h, x], axis=1)[:, :4] + x, 2)
        return F.cross_entropy(F.linear(F.flatten(h), w2), target, label_smoothing=0.1)

    def torch_fn(x, w1, gamma, beta, w2):
        h = TF.conv2d(x, w1, padding=1)
        h = TF.relu(TF.batch_norm(h, None, None, gamma, beta, training=True))
        h = torch.nn.ChannelShuffle(2)(torch.cat([h, x], dim=1)[:, :4] + x)
        return TF.cross_entropy(TF.linear(torch.flatten(h, 1), w2), torch.tensor(target),
                                label_smoothing=0.1)

    compare_torch(cz_fn, torch_fn, [x, w1, gamma, beta, w2], rng)
