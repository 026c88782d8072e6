"""``--minutes``: a wall-clock budget that stops training cleanly, resumes, and
combines with ``--steps`` / ``--epochs`` (whichever ends first).

The clock is simulated (each read advances it by 10 s) so that the step at
which the budget runs out is exact; one test uses the real clock.
"""

import csv
import json
import time

import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_DCGAN, weights_of
from keras_genzoo.errors import ConfigError
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import trainer

BATCH = 256  # digits train split: 1617 images -> 6 steps per epoch


def _plan(out, **settings):
    overrides = {k: str(v) for k, v in TINY_DCGAN.items()}
    settings.setdefault("batch_size", BATCH)
    return plan_lib.resolve_plan("dcgan", overrides=overrides, out_dir=str(out), **settings)


@pytest.fixture
def ten_seconds_per_read(monkeypatch):
    """A clock that advances by 10 s each time it is read: the budget starts at
    t = 0 and is read once after every step (verbose=0), so a budget of M
    minutes runs out after exactly 6 M steps."""
    now = [0.0]

    def clock():
        value = now[0]
        now[0] += 10.0
        return value

    monkeypatch.setattr(trainer, "budget_clock", clock)


def _history(out):
    with open(out / "history.csv") as handle:
        return list(csv.DictReader(handle))


def test_budget_stops_mid_epoch_with_everything_written(tmp_path, ten_seconds_per_read):
    out = tmp_path / "run"
    result = trainer.train(_plan(out, minutes=0.5), verbose=0)  # 30 s: 3 steps
    assert result.steps == 3 and result.out_of_time
    assert tf.train.latest_checkpoint(str(out / "checkpoints")).endswith("ckpt-3")
    assert [(r["epoch"], r["step"]) for r in _history(out)] == [("1", "3")]
    assert [p.name for p in (out / "samples").iterdir()] == ["epoch_0001.png"]
    saved = json.loads((out / "config.json").read_text())["train"]
    assert saved["minutes"] == 0.5 and saved["steps"] is None and saved["epochs"] is None
    model, _ = runs.load_trained_model(out)  # sampleable and exportable
    assert runs.checkpoint_step(out) == 3
    assert np.isfinite(model.sample(4, seed=0)).all()


def test_resume_gives_the_run_the_budget_again_and_matches_an_uninterrupted_run(
        tmp_path, ten_seconds_per_read):
    """3 steps, then 3 more on resume (crossing no epoch end at step 6), then 4 to
    step 10 across the epoch end: the weights equal 10 steps trained at once."""
    out = tmp_path / "budget"
    trainer.train(_plan(out, minutes=0.5), verbose=0)
    seen = []
    result = trainer.train(_plan(out, minutes=0.5), verbose=0, on_step=seen.append)
    assert seen == [4, 5, 6] and result.out_of_time
    result = trainer.train(_plan(out, minutes=1, steps=10), verbose=0, on_step=seen.append)
    # 6 reads would be 60 s, but the step bound (10) comes first
    assert seen[3:] == [7, 8, 9, 10] and not result.out_of_time
    assert [(r["epoch"], r["step"]) for r in _history(out)] == [("1", "6"), ("2", "10")]

    straight = tmp_path / "straight"
    trainer.train(_plan(straight, steps=10), verbose=0)
    a, _ = runs.load_trained_model(straight)
    b, _ = runs.load_trained_model(out)
    for role in ("generator", "discriminator"):
        for wa, wb in zip(weights_of(a.networks()[role]), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=1e-5, err_msg=role)


def test_steps_or_epochs_bound_the_budget_and_a_plain_resume_keeps_it(tmp_path,
                                                                       ten_seconds_per_read):
    out = tmp_path / "run"
    result = trainer.train(_plan(out, minutes=10, epochs=1), verbose=0)
    assert result.steps == 6 and not result.out_of_time  # the epoch ended first
    plan = _plan(out)  # nothing given: the saved length (1 epoch, 10 minutes) applies
    assert (plan.settings.epochs, plan.settings.minutes) == (1, 10)


def test_minutes_alone_lifts_the_presets_epoch_count(tmp_path):
    plan = _plan(tmp_path / "a", minutes=2)
    assert (plan.settings.epochs, plan.settings.steps, plan.settings.minutes) == (None, None, 2)
    plan = _plan(tmp_path / "b")
    assert plan.settings.epochs == 30 and plan.settings.minutes is None  # the digits preset
    plan = _plan(tmp_path / "c", minutes=2, epochs=3)
    assert (plan.settings.epochs, plan.settings.minutes) == (3, 2)


@pytest.mark.parametrize("minutes", [0, -1.5, float("nan"), float("inf")])
def test_bad_budgets_are_refused_before_anything_is_written(tmp_path, minutes):
    with pytest.raises(ConfigError, match="--minutes must be a positive number"):
        _plan(tmp_path / "run", minutes=minutes)
    assert not (tmp_path / "run").exists()


def test_bad_budget_in_a_config_file(tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text("minutes: -3\n")
    with pytest.raises(ConfigError, match="--minutes must be a positive number"):
        plan_lib.resolve_plan("dcgan", config_file=str(config), out_dir=str(tmp_path / "run"))


def test_real_clock_stops_training_in_time(tmp_path):
    """A 3-second budget with no step bound: training returns after the budget
    and well before an unbounded run would (the epoch-end work comes on top)."""
    started = time.monotonic()
    result = trainer.train(_plan(tmp_path / "run", minutes=0.05), verbose=0)
    elapsed = time.monotonic() - started
    assert result.out_of_time
    assert 3.0 <= elapsed < 60.0, elapsed
