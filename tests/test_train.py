"""Training loop: loss goes down, runs are reproducible, resume (also after SIGKILL) is exact,
checkpoints are atomic, and `convzoo evaluate` reports consistent figures."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from convzoo import checkpoint
from convzoo.cli import main
from convzoo.train import TrainConfig, evaluate_checkpoint, load_trained, train

pytest.importorskip("sklearn")

SMALL = dict(model="lenet5", dataset="digits", batch_size=32, lr=0.003, optimizer="adam",
             limit_train=320,
             limit_test=120)


def _weights(out):
    return checkpoint.load_checkpoint(out / "last.npz")["model"]


def test_training_reduces_the_loss(tmp_path):
    result = train(TrainConfig(epochs=4, **SMALL), tmp_path)
    losses = [h["train_loss"] for h in result["history"]]
    assert losses[-1] < 0.6 * losses[0]
    assert result["test_accuracy"] > 0.5  # ten classes: chance is 0.1
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(ln)["epoch"] for ln in lines] == [1, 2, 3, 4]
    steps = (tmp_path / "steps.csv").read_text().splitlines()
    assert steps[0] == "epoch,step,loss,accuracy,lr"
    assert len(steps) == 1 + 4 * 10  # 320 images / 32 per batch, four epochs


def test_same_seed_same_numbers_and_other_seed_differs(tmp_path):
    a = train(TrainConfig(epochs=2, **SMALL), tmp_path / "a")
    b = train(TrainConfig(epochs=2, **SMALL), tmp_path / "b")
    train(TrainConfig(epochs=2, seed=1, **SMALL), tmp_path / "c")
    assert a["history"][-1]["train_loss"] == b["history"][-1]["train_loss"]
    wa, wb, wc = _weights(tmp_path / "a"), _weights(tmp_path / "b"), _weights(tmp_path / "c")
    for key in wa:
        np.testing.assert_array_equal(wa[key], wb[key])
    assert any(not np.array_equal(wa[k], wc[k]) for k in wa)


class _Crash(Exception):
    pass


def _crash_in_epoch_2(p):
    if p.phase == "train" and p.epoch == 2 and p.step == 3:
        raise _Crash


@pytest.mark.parametrize("optimizer, schedule", [("momentum", "cosine"),
                                                 ("adam", "warmup_cosine"), ("rmsprop", "step")])
def test_resume_continues_exactly(tmp_path, optimizer, schedule):
    cfg = TrainConfig(epochs=3, **dict(SMALL, optimizer=optimizer, schedule=schedule,
                                       lr=0.05 if optimizer == "momentum" else 0.003))
    full = train(cfg, tmp_path / "full")
    with pytest.raises(_Crash):  # dies in the middle of epoch 2
        train(cfg, tmp_path / "part", on_progress=_crash_in_epoch_2)
    assert checkpoint.load_checkpoint(tmp_path / "part" / "last.npz")["epoch"] == 1
    resumed = train(cfg, tmp_path / "part", resume=True)
    timeless = [[{k: v for k, v in h.items() if k not in ("seconds", "images_per_second")}
                 for h in run["history"]] for run in (resumed, full)]
    assert timeless[0] == timeless[1]
    w_full, w_part = _weights(tmp_path / "full"), _weights(tmp_path / "part")
    for key in w_full:
        np.testing.assert_array_equal(w_full[key], w_part[key])


def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path):
    args = [sys.executable, "-m", "convzoo", "train", "lenet5", "--dataset", "digits",
            "--epochs", "3", "--batch-size", "16", "--limit-train", "640", "--limit-test", "120",
            "--schedule", "cosine", "--json"]
    full = subprocess.run(args + ["--out", str(tmp_path / "full")], capture_output=True,
                          text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    killed_dir = tmp_path / "killed"
    proc = subprocess.Popen(args + ["--out", str(killed_dir)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while not (killed_dir / "checkpoint_epoch001.npz").exists():
        assert time.time() < deadline and proc.poll() is None, "run ended before epoch 1"
        time.sleep(0.02)
    time.sleep(0.3)  # now somewhere inside epoch 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = checkpoint.load_checkpoint(killed_dir / "last.npz")  # intact after the kill
    assert state["epoch"] in (1, 2)
    resumed = subprocess.run(args + ["--out", str(killed_dir), "--resume"], capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    a, b = json.loads(full.stdout), json.loads(resumed.stdout)
    assert a["epoch"] == b["epoch"] == 3
    assert a["test_accuracy"] == b["test_accuracy"]
    assert a["train_loss"] == b["train_loss"]
    wa, wb = _weights(tmp_path / "full"), _weights(killed_dir)
    for key in wa:
        np.testing.assert_array_equal(wa[key], wb[key])
    lines = (killed_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(ln)["epoch"] for ln in lines] == [1, 2, 3]
    steps = (killed_dir / "steps.csv").read_text().splitlines()[1:]
    assert len(steps) == 3 * 40  # the killed epoch's partial lines were dropped


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    checkpoint.save_checkpoint(path, {"w": np.arange(3.0), "epoch": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save_checkpoint(path, {"w": np.zeros(3), "epoch": 2})
    monkeypatch.undo()
    state = checkpoint.load_checkpoint(path)
    assert state["epoch"] == 1
    np.testing.assert_array_equal(state["w"], np.arange(3.0))
    assert [p.name for p in tmp_path.iterdir()] == ["ck.npz"]  # no temporary file left


def test_checkpoint_round_trip_of_nested_state(tmp_path):
    state = {"model": {"a.weight": np.ones((2, 2), np.float32)},
             "optim": {"state": {0: {"step": 3, "buf": np.zeros(2)}}, "groups": [{"lr": 0.1}]},
             "t": (1, 2), "name": "x", "none": None}
    checkpoint.save_checkpoint(tmp_path / "s.npz", state)
    back = checkpoint.load_checkpoint(tmp_path / "s.npz")
    assert back["optim"]["state"][0]["step"] == 3 and back["t"] == (1, 2)
    assert back["model"]["a.weight"].dtype == np.float32 and back["none"] is None
    with pytest.raises(ValueError, match="not a convzoo checkpoint"):
        np.savez(tmp_path / "other.npz", x=np.zeros(2))
        checkpoint.load_checkpoint(tmp_path / "other.npz")
    with pytest.raises(FileNotFoundError):
        checkpoint.load_checkpoint(tmp_path / "missing.npz")


def test_evaluate_reports_consistent_figures(tmp_path, capsys):
    train(TrainConfig(epochs=1, **SMALL), tmp_path)
    r = evaluate_checkpoint(tmp_path)
    confusion = np.array(r["confusion_matrix"])
    assert confusion.sum() == r["n"] == 120
    assert r["accuracy"] == pytest.approx(np.trace(confusion) / 120)
    model, test_ds, normalize, _, _ = load_trained(tmp_path / "checkpoint_epoch001.npz")
    predictions = model(normalize(test_ds.images)).data.argmax(1)
    assert r["accuracy"] == pytest.approx(float((predictions == test_ds.labels).mean()))
    assert main(["evaluate", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == pytest.approx(r["accuracy"])
    assert main(["evaluate", str(tmp_path)]) == 0
    assert "confusion matrix" in capsys.readouterr().out


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nothing")]) == 1
    assert "no checkpoint" in capsys.readouterr().err
    assert main(["train", "lenet5", "--epochs", "0", "--out", str(tmp_path)]) == 2
    assert "epochs must be a positive int" in capsys.readouterr().err
    assert main(["train", "nosuchnet", "--out", str(tmp_path)]) == 2
    assert "unknown model" in capsys.readouterr().err
    assert main(["train", "lenet5", "--resume", "--out", str(tmp_path / "empty")]) == 1
    assert "no checkpoint" in capsys.readouterr().err
