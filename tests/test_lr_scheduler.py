"""Learning-rate schedules against torch.optim.lr_scheduler and against their closed forms.

Oracles: (a) PyTorch's schedulers (its chainable, recursive forms) on an optimizer
with the same two param groups, compared after each of 50 steps; (b) each
schedule's formula written out here from its definition. Resuming (state_dict) is
checked against an uninterrupted run.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import convzoo as cz
from convzoo.optim import SGD, create_scheduler
from convzoo.optim import lr_scheduler as ours

BASE = (0.1, 0.02)
STEPS = 50


def make_optimizer(base=BASE):
    groups = [{"params": [cz.tensor(np.zeros(2), requires_grad=True)], "lr": lr} for lr in base]
    return SGD(groups, lr=base[0])


# Each builder is written once and run on either library's module.
BUILDERS = {
    "step": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "multistep": lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "exponential": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "polynomial-short": lambda m, o: m.PolynomialLR(o, total_iters=20, power=2.0),
    "polynomial-long": lambda m, o: m.PolynomialLR(o, total_iters=60, power=0.5),
    "cosine-past-tmax": lambda m, o: m.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
    "cosine": lambda m, o: m.CosineAnnealingLR(o, T_max=50),
    "linear-warmup": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=10),
    "linear-decay": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=30),
    "constant": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=8),
    "lambda": lambda m, o: m.LambdaLR(o, lambda t: 0.9 ** t + 0.1 * (t % 3)),
    "lambda-per-group": lambda m, o: m.LambdaLR(o, [lambda t: 1 / (1 + t), lambda t: 0.5]),
    "warmup-cosine": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=45)],
        milestones=[5]),
    "three-phase": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=10), m.ExponentialLR(o, gamma=0.9),
            m.StepLR(o, step_size=4, gamma=0.5)], milestones=[5, 20]),
}


def _torch_rates(torch, build, steps=STEPS):
    params = [torch.zeros(2, requires_grad=True) for _ in BASE]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, BASE, strict=True)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(torch.optim.lr_scheduler, opt)
        rates = [[g["lr"] for g in opt.param_groups]]
        for _ in range(steps):
            opt.step()
            sched.step()
            rates.append(list(sched.get_last_lr()))
    return np.array(rates)


def _our_rates(build, steps=STEPS):
    opt = make_optimizer()
    sched = build(ours, opt)
    rates = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        rates.append(sched.get_last_lr())
    return np.array(rates)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_matches_torch_over_50_steps(name):
    torch = pytest.importorskip("torch")
    expected = _torch_rates(torch, BUILDERS[name])
    actual = _our_rates(BUILDERS[name])
    # torch multiplies the previous rate step by step; a closed form differs by rounding only
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15 * max(BASE))


# --- closed forms written from the definitions --------------------------------------------------


def _expected(name, b, t):
    if name == "step":
        return b * 0.5 ** (t // 7)
    if name == "multistep":
        return b * 0.3 ** sum(1 for m in (5, 12, 12, 30) if m <= t)
    if name == "exponential":
        return b * 0.93 ** t
    if name == "polynomial-short":
        return b * (1 - t / 20) ** 2 if t <= 20 else 0.0
    if name == "polynomial-long":
        return b * (1 - t / 60) ** 0.5
    if name == "cosine-past-tmax":
        return 0.001 + (b - 0.001) * (1 + math.cos(math.pi * t / 20)) / 2
    if name == "cosine":
        return b * (1 + math.cos(math.pi * t / 50)) / 2
    if name == "linear-warmup":
        return b * (0.1 + 0.9 * t / 10) if t < 10 else b
    if name == "linear-decay":
        return b * (1.0 - 0.8 * t / 30) if t < 30 else 0.2 * b
    if name == "constant":
        return b * 0.25 if t < 8 else b
    if name == "lambda":
        return b * (0.9 ** t + 0.1 * (t % 3))
    if name == "lambda-per-group":
        return b / (1 + t) if b == BASE[0] else 0.5 * b
    if name == "warmup-cosine":
        if t < 5:
            return b * (0.1 + 0.9 * t / 5)
        return b * (1 + math.cos(math.pi * (t - 5) / 45)) / 2
    if name == "three-phase":
        if t < 5:
            return 0.5 * b
        if t < 20:
            return b * 0.9 ** (t - 5)
        return b * 0.5 ** ((t - 20) // 4)
    raise AssertionError(name)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_closed_forms(name):
    actual = _our_rates(BUILDERS[name])
    expected = np.array([[_expected(name, b, t) for b in BASE] for t in range(STEPS + 1)])
    np.testing.assert_allclose(actual, expected, rtol=1e-13, atol=1e-17)


def test_worked_values():
    opt = make_optimizer((1.0,))
    sched = ours.StepLR(opt, step_size=3, gamma=0.1)
    rates = [opt.param_groups[0]["lr"]]
    for _ in range(7):
        sched.step()
        rates.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(rates, [1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])
    opt = make_optimizer((1.0,))
    sched = ours.CosineAnnealingLR(opt, T_max=4)
    for _ in range(4):
        sched.step()
    assert sched.get_last_lr() == [0.0]  # eta_min exactly at T_max


# --- resume -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BUILDERS))
def test_state_dict_resume(name):
    full = _our_rates(BUILDERS[name], steps=40)
    opt = make_optimizer()
    sched = BUILDERS[name](ours, opt)
    for _ in range(17):
        opt.step()
        sched.step()
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    json.dumps(saved_sched)  # plain data: storable without pickle
    opt2 = make_optimizer()
    sched2 = BUILDERS[name](ours, opt2)  # as PyTorch: build the scheduler, then load both
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    assert sched2.get_last_lr() == list(full[17])
    assert [g["lr"] for g in opt2.param_groups] == list(full[17])
    rates = []
    for _ in range(23):
        opt2.step()
        sched2.step()
        rates.append(sched2.get_last_lr())
    np.testing.assert_array_equal(np.array(rates), full[18:])


def test_last_epoch_argument_resumes():
    opt = make_optimizer()
    ours.ExponentialLR(opt, gamma=0.5)  # records initial_lr
    sched = ours.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    np.testing.assert_allclose(sched.get_last_lr(), [b * 0.5 ** 4 for b in BASE])


def test_initial_lr_kept_when_present():
    opt = make_optimizer()
    opt.param_groups[0]["initial_lr"] = 1.0
    sched = ours.ConstantLR(opt, factor=0.5, total_iters=1)
    assert sched.get_last_lr() == [0.5, 0.01]


# --- factory ------------------------------------------------------------------------------------


def _factory_rates(name, steps, **kw):
    opt = make_optimizer((1.0,))
    sched = create_scheduler(name, opt, **kw)
    rates = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        sched.step()
        rates.append(opt.param_groups[0]["lr"])
    return np.array(rates)


def test_factory_values():
    t = np.arange(31)
    np.testing.assert_allclose(_factory_rates("constant", 30, total_iters=30), np.ones(31))
    np.testing.assert_allclose(_factory_rates("step", 30, total_iters=30),
                               0.1 ** (t // 10), rtol=1e-15)
    exp = _factory_rates("exponential", 30, total_iters=30)
    np.testing.assert_allclose(exp[-1], 0.01, rtol=1e-12)  # ends at 1% of lr
    np.testing.assert_allclose(exp, 0.01 ** (t / 30), rtol=1e-12)
    np.testing.assert_allclose(_factory_rates("polynomial", 30, total_iters=30), 1 - t / 30,
                               atol=1e-15)
    np.testing.assert_allclose(_factory_rates("Cosine", 30, total_iters=30),
                               (1 + np.cos(np.pi * t / 30)) / 2, atol=1e-15)
    np.testing.assert_allclose(_factory_rates("step", 30, step_size=4, gamma=0.5),
                               0.5 ** (t // 4), rtol=1e-15)


@pytest.mark.parametrize("warmup", [0, None, 3])
def test_factory_warmup_cosine_matches_torch(warmup):
    torch = pytest.importorskip("torch")
    total = 40
    w = 3 if warmup == 3 else max(1, total // 20)  # 0 / None pick 5% of the run
    expected = _torch_rates(torch, lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=w),
            m.CosineAnnealingLR(o, T_max=total - w)], milestones=[w]), steps=total)
    opt = make_optimizer()
    sched = create_scheduler("warmup_cosine", opt, total_iters=total, warmup_iters=warmup)
    actual = [[g["lr"] for g in opt.param_groups]]
    for _ in range(total):
        sched.step()
        actual.append(sched.get_last_lr())
    np.testing.assert_allclose(np.array(actual), expected, rtol=1e-12, atol=1e-15)


def test_factory_warmup_in_front_of_any_schedule():
    rates = _factory_rates("polynomial", 12, total_iters=12, warmup_iters=2,
                           warmup_start_factor=0.5)
    np.testing.assert_allclose(rates[:3], [0.5, 0.75, 1.0])
    np.testing.assert_allclose(rates[2:], 1 - np.arange(11) / 10, atol=1e-15)


# --- errors -------------------------------------------------------------------------------------


def _opt():
    return make_optimizer()


@pytest.mark.parametrize("build,exc,match", [
    (lambda: ours.StepLR(_opt(), step_size=0), ValueError, r"step_size must be >= 1; got "
                                                           r"step_size=0"),
    (lambda: ours.StepLR(_opt(), step_size=2.5), TypeError, r"step_size must be an int"),
    (lambda: ours.StepLR(_opt(), step_size=2, gamma=-0.1), ValueError,
     r"gamma must be a finite number > 0; got gamma=-0\.1"),
    (lambda: ours.MultiStepLR(_opt(), milestones=[3, -1]), ValueError, r"milestones\[i\] must "
                                                                       r"be >= 0; got"),
    (lambda: ours.MultiStepLR(_opt(), milestones=5), TypeError, r"milestones must be a list"),
    (lambda: ours.ExponentialLR(_opt(), gamma=0.0), ValueError, r"gamma must be .*> 0"),
    (lambda: ours.PolynomialLR(_opt(), total_iters=0), ValueError, r"total_iters must be >= 1"),
    (lambda: ours.PolynomialLR(_opt(), power=-1.0), ValueError, r"power must be .*got power=-1"),
    (lambda: ours.CosineAnnealingLR(_opt(), T_max=0), ValueError, r"T_max must be >= 1; got "
                                                                  r"T_max=0"),
    (lambda: ours.CosineAnnealingLR(_opt(), T_max=5, eta_min=-1e-3), ValueError, r"eta_min"),
    (lambda: ours.LinearLR(_opt(), start_factor=0.0), ValueError,
     r"start_factor must be in \(0, 1\]; got start_factor=0\.0"),
    (lambda: ours.LinearLR(_opt(), end_factor=1.5), ValueError,
     r"end_factor must be in \[0, 1\]; got end_factor=1\.5"),
    (lambda: ours.ConstantLR(_opt(), factor=2.0), ValueError, r"factor must be in \[0, 1\]"),
    (lambda: ours.ConstantLR(_opt(), total_iters=-1), ValueError, r"total_iters must be >= 0"),
    (lambda: ours.LambdaLR(_opt(), [lambda t: 1.0]), ValueError,
     r"one function per param group \(2\); got 1"),
    (lambda: ours.LambdaLR(_opt(), 0.5), TypeError, r"lr_lambda must be callable"),
    (lambda: ours.StepLR("opt", step_size=1), TypeError, r"optimizer must be a convzoo"),
    (lambda: ours.StepLR(_opt(), step_size=1, last_epoch=4), ValueError,
     r"param_groups\[0\] has no 'initial_lr'"),
    (lambda: ours.StepLR(_opt(), step_size=1, last_epoch=-3), ValueError,
     r"last_epoch must be an int >= -1"),
    (lambda: create_scheduler("cosin", _opt(), total_iters=5), ValueError,
     r"name must be one of 'constant', 'step', 'exponential', 'polynomial', 'cosine', "
     r"'warmup_cosine'; got name='cosin'"),
    (lambda: create_scheduler("cosine", _opt()), ValueError, r"needs total_iters"),
    (lambda: create_scheduler("exponential", _opt()), ValueError,
     r"needs total_iters \(or gamma\)"),
    (lambda: create_scheduler("cosine", _opt(), total_iters=5, warmup_iters=5), ValueError,
     r"warmup_iters must be smaller than total_iters; got warmup_iters=5, total_iters=5"),
    (lambda: create_scheduler("cosine", _opt(), total_iters=5, gamma=0.1), TypeError,
     r"unexpected keyword arguments \['gamma'\]"),
    (lambda: create_scheduler("cosine", _opt(), total_iters=0), ValueError,
     r"total_iters must be >= 1"),
])
def test_bad_arguments(build, exc, match):
    with pytest.raises(exc, match=match):
        build()


def test_sequential_errors():
    opt, other = _opt(), _opt()
    a, b = ours.ConstantLR(opt, factor=0.5), ours.ExponentialLR(opt, gamma=0.9)
    with pytest.raises(ValueError, match="at least one scheduler"):
        ours.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match=r"one fewer entry than schedulers \(1\); got "
                                         r"milestones=\[\]"):
        ours.SequentialLR(opt, [a, b], milestones=[])
    with pytest.raises(ValueError, match=r"strictly increasing; got milestones=\[4, 4\]"):
        ours.SequentialLR(opt, [a, b, a], milestones=[4, 4])
    with pytest.raises(ValueError, match=r"schedulers\[1\] \(StepLR\) belongs to another"):
        ours.SequentialLR(opt, [a, ours.StepLR(other, step_size=2)], milestones=[3])
    with pytest.raises(TypeError, match=r"schedulers\[0\] must be an LRScheduler"):
        ours.SequentialLR(opt, ["a", b], milestones=[3])
    seq = ours.SequentialLR(opt, [a, b], milestones=[3])
    with pytest.raises(ValueError, match="holds 1 schedulers; this SequentialLR has 2"):
        seq.load_state_dict({"last_epoch": 0, "_schedulers": [{}]})
    with pytest.raises(ValueError, match="state_dict must be a dict with 'last_epoch'"):
        a.load_state_dict({"foo": 1})
