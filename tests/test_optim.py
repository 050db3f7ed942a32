"""Optimizers: step by step against torch.optim, FTRL against its published algorithm.

Oracles: (a) ``torch.optim`` (single-tensor code path) on the same float64
parameters and the same sequence of random gradients, parameters and state
buffers compared after every one of 20 steps; (b) for FTRL, which torch lacks,
a per-coordinate loop written straight from McMahan et al. (2013), Algorithm 1,
and one from TensorFlow's documented ``ApplyFtrlV2`` update for other
``learning_rate_power`` values. Nothing here compares convzoo with itself except
the checkpoint tests (10 uninterrupted steps == 5 + save/load + 5).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import convzoo as cz
from convzoo import optim
from convzoo.optim import FTRL, SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(3, 4), (5,), (2, 1, 3)]
STEPS = 20


def make_params(rng, dtype=np.float64):
    return [rng.normal(size=s).astype(dtype) for s in SHAPES]


def make_grads(rng, steps=STEPS, dtype=np.float64):
    """Per step, one gradient per parameter; param 1 has no gradient at steps 3 and 11."""
    out = []
    for t in range(steps):
        scale = 0.5 + t % 4  # changing magnitudes exercise the adaptive denominators
        step = [(scale * rng.normal(size=s)).astype(dtype) for s in SHAPES]
        if t in (3, 11):
            step[1] = None
        out.append(step)
    return out


def group_spec(tensors, kwargs):
    """Two groups: the defaults for params 0-1, a per-group override for param 2."""
    lr = kwargs.get("lr", 1.0)
    return [{"params": tensors[:2]},
            {"params": tensors[2:], "lr": 0.5 * lr, "weight_decay": 0.02}]


# --- against torch.optim --------------------------------------------------------------------

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.2, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3}),
    ("Adadelta", {"lr": 1.0}),
    ("Adadelta", {"lr": 1.0, "rho": 0.5, "eps": 1e-4}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.02, "alpha": 0.5, "eps": 1e-3}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-6, "amsgrad": True,
              "weight_decay": 0.05}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("AdamW", {"lr": 0.02, "betas": (0.8, 0.99)}),
]


def _torch_step(torch, name, kwargs, values, grads, dtype):
    """Run torch.optim and yield its parameters (and state) after each step."""
    tparams = [torch.tensor(v, requires_grad=True) for v in values]
    topt = getattr(torch.optim, name)(group_spec(tparams, kwargs), foreach=False, **kwargs)
    for step in grads:
        for p, g in zip(tparams, step, strict=True):
            p.grad = None if g is None else torch.tensor(g)
        topt.step()
        yield [p.detach().numpy().copy() for p in tparams], topt, tparams


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch_float64(name, kwargs, rng):
    torch = pytest.importorskip("torch")
    values = make_params(rng)
    grads = make_grads(rng)
    params = [cz.tensor(v.copy(), requires_grad=True) for v in values]
    opt = getattr(optim, name)(group_spec(params, kwargs), **kwargs)
    reference = _torch_step(torch, name, kwargs, values, grads, np.float64)
    for t, (step, torch_run) in enumerate(zip(grads, reference, strict=True)):
        expected, topt, tparams = torch_run
        for p, g in zip(params, step, strict=True):
            p.grad = g
        opt.step()
        for i, (p, e) in enumerate(zip(params, expected, strict=True)):
            assert p.dtype == np.float64
            np.testing.assert_allclose(p.data, e, rtol=1e-10, atol=1e-10,
                                       err_msg=f"{name} {kwargs} step {t} param {i}")
    # the state buffers torch and convzoo both name must agree too
    for p, tp in zip(params, tparams, strict=True):
        ours = opt.state[id(p)]
        theirs = {k: v for k, v in topt.state[tp].items() if v is not None}
        assert set(ours) == set(theirs)  # same state, under the same names
        for key in theirs:
            np.testing.assert_allclose(np.asarray(ours[key], dtype=np.float64),
                                       np.asarray(theirs[key].detach(), dtype=np.float64),
                                       rtol=1e-10, atol=1e-10, err_msg=f"{name} state {key}")


@pytest.mark.parametrize("name,kwargs", [CASES[3], CASES[8], CASES[11], CASES[16], CASES[21],
                                         CASES[23]], ids=lambda v: str(v))
def test_float32_stays_float32_and_matches_torch(name, kwargs, rng):
    torch = pytest.importorskip("torch")
    values = make_params(rng, np.float32)
    grads = make_grads(rng, dtype=np.float32)
    params = [cz.tensor(v.copy(), requires_grad=True) for v in values]
    opt = getattr(optim, name)(group_spec(params, kwargs), **kwargs)
    reference = _torch_step(torch, name, kwargs, values, grads, np.float32)
    for step, (expected, _, _) in zip(grads, reference, strict=True):
        for p, g in zip(params, step, strict=True):
            p.grad = g
        opt.step()
        for p, e in zip(params, expected, strict=True):
            assert p.dtype == np.float32
            np.testing.assert_allclose(p.data, e, rtol=1e-4, atol=1e-5)
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


def test_float64_grad_on_float32_param_keeps_float32():
    w = cz.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    opt = Adam([w], lr=0.1)
    w.grad = np.array([1.0, 2.0, 3.0])  # float64
    opt.step()
    assert w.dtype == np.float32
    assert opt.state[id(w)]["exp_avg"].dtype == np.float32


# --- FTRL against the published algorithm -----------------------------------------------------


def ftrl_algorithm1(w0, grads, alpha, beta, l1, l2):
    """McMahan et al. (2013), Algorithm 1, one coordinate at a time.

    Each round first computes w from (z, n) by the closed form (the first round uses
    the starting weights, which the paper takes as 0 = the closed form at z = n = 0),
    then observes g and updates sigma, z and n.
    """
    w0 = np.asarray(w0, dtype=np.float64).ravel()
    d = w0.size
    z = [0.0] * d
    n = [0.0] * d
    weights = []
    for t, g_full in enumerate(grads):
        if t == 0:
            w = list(w0)
        else:
            w = []
            for i in range(d):
                if abs(z[i]) <= l1:
                    w.append(0.0)
                else:
                    w.append(-1.0 / ((beta + math.sqrt(n[i])) / alpha + l2)
                             * (z[i] - math.copysign(l1, z[i])))
        weights.append(w)  # the weights the gradient of round t was taken at
        g = np.asarray(g_full, dtype=np.float64).ravel()
        for i in range(d):
            sigma = (math.sqrt(n[i] + g[i] ** 2) - math.sqrt(n[i])) / alpha
            z[i] += g[i] - sigma * w[i]
            n[i] += g[i] ** 2
    final = []
    for i in range(d):
        final.append(0.0 if abs(z[i]) <= l1 else -1.0 / ((beta + math.sqrt(n[i])) / alpha + l2)
                     * (z[i] - math.copysign(l1, z[i])))
    weights.append(final)
    return [np.array(w).reshape(np.shape(grads[0])) for w in weights]


def ftrl_tensorflow(w0, grads, lr, beta, l1, l2, lr_power, init_acc):
    """TensorFlow's documented ApplyFtrlV2 update, per coordinate, with Keras's beta folding.

    TF's penalty is l2_tf * w^2 (no 1/2), so l2_tf = l2 / 2; Keras adds beta / (2 lr) to it.
    """
    l2_tf = l2 / 2 + beta / (2 * lr)
    var = np.asarray(w0, dtype=np.float64).ravel().copy()
    accum = np.full(var.size, init_acc)
    linear = np.zeros(var.size)
    out = []
    for g_full in grads:
        g = np.asarray(g_full, dtype=np.float64).ravel()
        for i in range(var.size):
            accum_new = accum[i] + g[i] * g[i]
            linear[i] += g[i] - (accum_new ** -lr_power - accum[i] ** -lr_power) / lr * var[i]
            quadratic = 1.0 / (accum_new ** lr_power * lr) + 2 * l2_tf
            var[i] = ((math.copysign(l1, linear[i]) - linear[i]) / quadratic
                      if abs(linear[i]) > l1 else 0.0)
            accum[i] = accum_new
        out.append(var.reshape(np.shape(g_full)).copy())
    return out


FTRL_CASES = [
    {"lr": 0.5},
    {"lr": 0.1, "beta": 1.0},
    {"lr": 0.3, "l1": 0.4},
    {"lr": 0.2, "beta": 0.5, "l1": 0.2, "l2": 0.7},
    {"lr": 1.0, "l2": 2.0},
]


@pytest.mark.parametrize("kwargs", FTRL_CASES, ids=str)
@pytest.mark.parametrize("start", ["zeros", "random"])
def test_ftrl_matches_algorithm_1(kwargs, start, rng):
    shape = (3, 4)
    w0 = np.zeros(shape) if start == "zeros" else rng.normal(size=shape)
    grads = [rng.normal(size=shape) * (0.3 + t % 3) for t in range(STEPS)]
    grads[4][1, 2] = 0.0  # a coordinate that sees a zero gradient once
    expected = ftrl_algorithm1(w0, grads, kwargs["lr"], kwargs.get("beta", 0.0),
                               kwargs.get("l1", 0.0), kwargs.get("l2", 0.0))
    w = cz.tensor(w0.copy(), requires_grad=True)
    opt = FTRL([w], **kwargs)
    for t, g in enumerate(grads):
        np.testing.assert_allclose(w.data, expected[t], rtol=1e-10, atol=1e-12,
                                   err_msg=f"before step {t}")
        w.grad = g
        opt.step()
    np.testing.assert_allclose(w.data, expected[-1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("lr_power", [-0.5, -0.3, -1.0, 0.0])
@pytest.mark.parametrize("init_acc", [0.0, 0.1])
def test_ftrl_matches_tensorflow_rule(lr_power, init_acc, rng):
    shape = (5,)
    w0 = rng.normal(size=shape)
    grads = [rng.normal(size=shape) for _ in range(STEPS)]
    kw = {"lr": 0.3, "beta": 0.2, "l1": 0.05, "l2": 0.4}
    expected = ftrl_tensorflow(w0, grads, kw["lr"], kw["beta"], kw["l1"], kw["l2"],
                               lr_power, init_acc)
    w = cz.tensor(w0.copy(), requires_grad=True)
    opt = FTRL([w], learning_rate_power=lr_power, initial_accumulator_value=init_acc, **kw)
    for g, e in zip(grads, expected, strict=True):
        w.grad = g
        opt.step()
        np.testing.assert_allclose(w.data, e, rtol=1e-10, atol=1e-12)


def test_ftrl_l1_gives_exact_zeros_and_float32(rng):
    w = cz.tensor(np.zeros(200, dtype=np.float32), requires_grad=True)
    opt = FTRL([w], lr=0.1, l1=3.0)
    target = np.where(np.arange(200) < 20, 2.0, 0.01).astype(np.float32)
    for _ in range(30):  # gradient of |w - target|^2 / 2 plus noise
        w.grad = (w.data - target + 0.05 * rng.normal(size=200)).astype(np.float32)
        opt.step()
    assert w.dtype == np.float32
    assert np.all(w.data[20:] == 0.0)          # small targets: pruned exactly
    assert np.all(w.data[:20] > 0.5)           # large targets: kept


def test_ftrl_weight_decay_is_added_to_the_gradient(rng):
    w0 = rng.normal(size=6)
    grads = [rng.normal(size=6) for _ in range(5)]
    a = cz.tensor(w0.copy(), requires_grad=True)
    b = cz.tensor(w0.copy(), requires_grad=True)
    oa = FTRL([a], lr=0.2, l1=0.01, weight_decay=0.3)
    ob = FTRL([b], lr=0.2, l1=0.01)
    for g in grads:
        a.grad = g
        b.grad = g + 0.3 * b.data
        oa.step()
        ob.step()
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-14)


# --- state_dict: resuming is exact -------------------------------------------------------------

RESUME_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("Adadelta", {"lr": 1.0, "rho": 0.8}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("FTRL", {"lr": 0.2, "beta": 0.5, "l1": 0.01, "l2": 0.1}),
]


def _is_plain(tree) -> bool:
    """Only what a pickle-free checkpoint can hold."""
    if isinstance(tree, dict):
        return all(isinstance(k, (str, int)) and _is_plain(v) for k, v in tree.items())
    if isinstance(tree, (list, tuple)):
        return all(_is_plain(v) for v in tree)
    return tree is None or isinstance(tree, (bool, int, float, str, np.ndarray))


@pytest.mark.parametrize("name,kwargs", RESUME_CASES, ids=[c[0] for c in RESUME_CASES])
def test_state_dict_resume_is_exact(name, kwargs, rng):
    values = make_params(rng)
    grads = make_grads(rng, steps=10)

    params = [cz.tensor(v.copy(), requires_grad=True) for v in values]
    opt = getattr(optim, name)(group_spec(params, kwargs), **kwargs)
    for t, step in enumerate(grads):
        if t == 5:
            opt.param_groups[0]["lr"] *= 0.5  # a changed rate must survive the checkpoint
        for p, g in zip(params, step, strict=True):
            p.grad = g
        opt.step()

    first = [cz.tensor(v.copy(), requires_grad=True) for v in values]
    opt1 = getattr(optim, name)(group_spec(first, kwargs), **kwargs)
    for step in grads[:5]:
        for p, g in zip(first, step, strict=True):
            p.grad = g
        opt1.step()
    opt1.param_groups[0]["lr"] *= 0.5
    saved = opt1.state_dict()
    assert _is_plain(saved)
    json.dumps(saved["param_groups"])  # options are plain numbers, no numpy scalars

    second = [cz.tensor(p.data.copy(), requires_grad=True) for p in first]
    opt2 = getattr(optim, name)(group_spec(second, kwargs), **kwargs)
    opt2.load_state_dict(saved)
    del first, opt1  # nothing may be shared with the first run
    for step in grads[5:]:
        for p, g in zip(second, step, strict=True):
            p.grad = g
        opt2.step()
    for p, q in zip(params, second, strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_layout_and_copies(rng):
    a = cz.tensor(rng.normal(size=3), requires_grad=True)
    b = cz.tensor(rng.normal(size=2), requires_grad=True)
    c = cz.tensor(rng.normal(size=4), requires_grad=True)
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    a.grad, c.grad = np.ones(3), np.ones(4)  # b has no grad: no state
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 2]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["momentum"] == 0.9
    sd["state"][0]["momentum_buffer"][:] = 99.0  # a copy: the optimizer is unaffected
    assert np.all(opt.state[id(a)]["momentum_buffer"] == 1.0)


def test_load_state_dict_through_checkpoint_file(tmp_path, rng):
    checkpoint = pytest.importorskip("convzoo.checkpoint")
    values = make_params(rng, np.float32)
    grads = make_grads(rng, steps=6, dtype=np.float32)
    runs = []
    for interrupted in (False, True):
        params = [cz.tensor(v.copy(), requires_grad=True) for v in values]
        opt = Adam(params, lr=0.01, amsgrad=True)
        for t, step in enumerate(grads):
            if interrupted and t == 3:
                checkpoint.save_checkpoint(tmp_path / "c.npz", {"optim": opt.state_dict()})
                params = [cz.tensor(p.data.copy(), requires_grad=True) for p in params]
                opt = Adam(params, lr=0.01, amsgrad=True)
                opt.load_state_dict(checkpoint.load_checkpoint(tmp_path / "c.npz")["optim"])
            for p, g in zip(params, step, strict=True):
                p.grad = g
            opt.step()
        runs.append(params)
    for p, q in zip(*runs, strict=True):
        assert q.dtype == np.float32
        np.testing.assert_array_equal(p.data, q.data)


def test_load_state_dict_mismatch_errors(rng):
    a = cz.tensor(rng.normal(size=3), requires_grad=True)
    b = cz.tensor(rng.normal(size=2), requires_grad=True)
    opt = Adam([a, b])
    a.grad, b.grad = np.ones(3), np.ones(2)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="param groups"):
        Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="has 2 parameters"):
        Adam([a]).load_state_dict(sd)
    with pytest.raises(ValueError, match="shape"):
        Adam([b, a]).load_state_dict(sd)
    with pytest.raises(ValueError, match="state_dict must be a dict"):
        Adam([a]).load_state_dict({"foo": 1})


# --- behaviour --------------------------------------------------------------------------------


def test_none_grad_is_skipped_and_zero_grad():
    a = cz.tensor(np.ones(2), requires_grad=True)
    b = cz.tensor(np.ones(2), requires_grad=True)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = np.ones(2)
    opt.step()
    np.testing.assert_array_equal(b.data, np.ones(2))
    assert id(b) not in opt.state
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad, np.zeros(2))
    assert b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_updates_in_place_and_grad_untouched():
    w = cz.tensor(np.ones(3), requires_grad=True)
    data = w.data
    g = np.array([1.0, 2.0, 3.0])
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    w.grad = g
    opt.step()
    opt.step()
    assert w.data is data
    np.testing.assert_array_equal(g, [1.0, 2.0, 3.0])


def test_closure_and_add_param_group():
    w = cz.tensor(np.ones(2), requires_grad=True)
    v = cz.tensor(np.ones(2), requires_grad=True)
    opt = SGD([w], lr=0.1)
    opt.add_param_group({"params": v, "lr": 1.0})
    assert opt.param_groups[1]["momentum"] == 0.0  # defaults filled in

    def closure():
        w.grad, v.grad = np.ones(2), np.ones(2)
        return 3.5

    assert opt.step(closure) == 3.5
    np.testing.assert_allclose(w.data, 0.9)
    np.testing.assert_allclose(v.data, 0.0)


@pytest.mark.parametrize("name,cls,implied", [
    ("sgd", SGD, {"momentum": 0.0, "nesterov": False}),
    ("momentum", SGD, {"momentum": 0.9, "nesterov": False}),
    ("nesterov", SGD, {"momentum": 0.9, "nesterov": True}),
    ("adagrad", Adagrad, {}), ("adadelta", Adadelta, {"lr": 1.0}), ("RMSprop", RMSprop, {}),
    ("adam", Adam, {"weight_decay": 0.0}), ("adamw", AdamW, {"weight_decay": 1e-2}),
    ("ftrl", FTRL, {"learning_rate_power": -0.5}),
])
def test_create_optimizer(name, cls, implied):
    w = cz.tensor(np.ones(2), requires_grad=True)
    opt = optim.create_optimizer(name, [w])
    assert type(opt) is cls
    for key, value in implied.items():
        assert opt.param_groups[0][key] == value
    opt = optim.create_optimizer(name, [w], lr=0.25, weight_decay=0.125)
    assert opt.param_groups[0]["lr"] == 0.25 and opt.param_groups[0]["weight_decay"] == 0.125


def test_create_optimizer_keywords_override_implied():
    w = cz.tensor(np.ones(2), requires_grad=True)
    opt = optim.create_optimizer("momentum", [w], lr=0.1, momentum=0.5)
    assert opt.param_groups[0]["momentum"] == 0.5


# --- errors -------------------------------------------------------------------------------------


def _w():
    return [cz.tensor(np.ones(2), requires_grad=True)]


@pytest.mark.parametrize("build,exc,match", [
    (lambda: SGD(_w(), lr=-0.1), ValueError, r"lr must be a finite number >= 0; got lr=-0\.1"),
    (lambda: SGD(_w(), lr=float("nan")), ValueError, r"lr must be .*got lr=nan"),
    (lambda: SGD(_w(), lr="0.1"), TypeError, r"lr must be a number; got lr='0\.1'"),
    (lambda: SGD(_w(), momentum=-0.5), ValueError, r"momentum must be .*got momentum=-0\.5"),
    (lambda: SGD(_w(), momentum=0.9, dampening=1.5), ValueError, r"dampening must be in \[0, 1\]"),
    (lambda: SGD(_w(), nesterov=True), ValueError,
     r"nesterov=True requires momentum > 0 and dampening = 0; got momentum=0\.0"),
    (lambda: SGD(_w(), momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     r"dampening = 0; got momentum=0\.9, dampening=0\.1"),
    (lambda: SGD(_w(), momentum=0.9, nesterov="yes"), TypeError, r"nesterov must be True or False"),
    (lambda: SGD(_w(), weight_decay=-1), ValueError, r"weight_decay must be .*got weight_decay=-1"),
    (lambda: SGD([{"params": _w(), "lr": -2.0}], lr=0.1), ValueError, r"got lr=-2\.0"),
    (lambda: Adagrad(_w(), lr_decay=-0.1), ValueError, r"lr_decay must be .*got lr_decay=-0\.1"),
    (lambda: Adagrad(_w(), initial_accumulator_value=-1.0), ValueError,
     r"initial_accumulator_value must be .*got initial_accumulator_value=-1\.0"),
    (lambda: Adagrad(_w(), eps=-1e-10), ValueError, r"eps must be .*got eps=-1e-10"),
    (lambda: Adadelta(_w(), rho=1.5), ValueError, r"rho must be in \[0, 1\]; got rho=1\.5"),
    (lambda: RMSprop(_w(), alpha=-0.1), ValueError, r"alpha must be in \[0, 1\]; got alpha=-0\.1"),
    (lambda: RMSprop(_w(), momentum=-0.1), ValueError, r"momentum must be .*got momentum=-0\.1"),
    (lambda: RMSprop(_w(), centered=1), TypeError, r"centered must be True or False"),
    (lambda: Adam(_w(), betas=(1.0, 0.999)), ValueError,
     r"betas\[0\] must be in \[0, 1\); got betas\[0\]=1\.0"),
    (lambda: Adam(_w(), betas=(0.9, -0.1)), ValueError, r"betas\[1\] must be in \[0, 1\)"),
    (lambda: Adam(_w(), betas=(0.9,)), ValueError, r"betas must be a pair of numbers; got"),
    (lambda: Adam(_w(), betas=0.9), TypeError, r"betas must be a pair of numbers; got betas=0\.9"),
    (lambda: Adam(_w(), eps=-1e-8), ValueError, r"eps must be .*got eps=-1e-08"),
    (lambda: AdamW(_w(), weight_decay=-0.01), ValueError, r"weight_decay must be .*=-0\.01"),
    (lambda: FTRL(_w(), learning_rate_power=0.5), ValueError,
     r"learning_rate_power must be a finite number <= 0; got learning_rate_power=0\.5"),
    (lambda: FTRL(_w(), l1=-1.0), ValueError, r"l1 must be .*got l1=-1\.0"),
    (lambda: FTRL(_w(), l2=-1.0), ValueError, r"l2 must be .*got l2=-1\.0"),
    (lambda: FTRL(_w(), beta=-1.0), ValueError, r"beta must be .*got beta=-1\.0"),
    (lambda: FTRL(_w(), lr=0.0), ValueError, r"lr must be > 0 for FTRL"),
    (lambda: SGD(cz.tensor(np.ones(2)), lr=0.1), TypeError, r"got a single Tensor"),
    (lambda: SGD([], lr=0.1), ValueError, r"params is empty"),
    (lambda: SGD([np.ones(2)], lr=0.1), TypeError, r"params\[0\] of type ndarray"),
    (lambda: SGD([cz.tensor(np.ones(2, dtype=np.int64))]), TypeError,
     r"floating-point dtype; got params\[0\] with dtype int64"),
    (lambda: SGD(_w() * 2), ValueError, r"appears more than once"),
    (lambda: SGD([{"params": {cz.tensor(np.ones(2))}}]), TypeError, r"got a set"),
    (lambda: optim.create_optimizer("adammm", _w(), lr=0.1), ValueError,
     r"name must be one of 'sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', "
     r"'adam', 'adamw', 'ftrl'; got name='adammm'"),
])
def test_bad_arguments(build, exc, match):
    with pytest.raises(exc, match=match):
        build()


def test_duplicate_across_groups_and_non_leaf():
    w = _w()
    opt = SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="appears more than once"):
        opt.add_param_group({"params": w})
    x = cz.tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    y = cz.functional.conv2d(x, np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"leaf tensors .* non-leaf params\[0\]"):
        SGD([y])


def test_grad_shape_mismatch():
    w = cz.tensor(np.ones(3), requires_grad=True)
    opt = SGD([w], lr=0.1)
    w.grad = np.ones(4)
    with pytest.raises(ValueError, match=r"grad of params\[0\] must have the parameter's shape "
                                         r"\(3,\); got grad with shape \(4,\)"):
        opt.step()


@pytest.mark.parametrize("name,kwargs", [
    ("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.05}), ("nesterov", {"lr": 0.05}),
    ("adagrad", {"lr": 0.5}), ("adadelta", {"lr": 10.0}), ("rmsprop", {"lr": 0.01}),
    ("adam", {"lr": 0.05}), ("adamw", {"lr": 0.05, "weight_decay": 0.0}), ("ftrl", {"lr": 0.5}),
])
def test_every_optimizer_fits_a_logistic_regression(name, kwargs, rng):
    x = rng.normal(size=(200, 6))
    y = (x @ rng.normal(size=6) > 0).astype(np.float64)
    w = cz.tensor(np.zeros(6), requires_grad=True)
    opt = optim.create_optimizer(name, [w], **kwargs)

    def loss():
        z = x @ w.data
        return float(np.mean(np.logaddexp(0, z) - y * z))

    start = loss()
    for _ in range(300):
        w.grad = x.T @ (1 / (1 + np.exp(-x @ w.data)) - y) / len(y)
        opt.step()
    assert loss() < 0.5 * start
    assert np.mean((x @ w.data > 0) == y) > 0.95
