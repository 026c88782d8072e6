"""--steps-per-execution: several training steps per call into TensorFlow, and the
VAE's importance-weighted bound at the --sample-every cadence."""

import subprocess
import sys

import numpy as np
import pytest

from helpers import TINY_AE, weights_of
from keras_genzoo import runs
from keras_genzoo.errors import ConfigError
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.models.progan import TINY as PROGAN_TINY
from keras_genzoo.training import trainer

# digits train split: 1617 images -> 6 steps per epoch at batch 256
BATCH = 256
TINY_VAE = {"image_size": 16, "architecture": "dense", "hidden_units": "32", "code_dim": 4,
            "iw_samples": 5}


def _plan(model, config, out, **settings):
    overrides = {k: str(v) for k, v in config.items()}
    settings.setdefault("batch_size", BATCH)
    return plan_lib.resolve_plan(model, overrides=overrides, out_dir=str(out), **settings)


def _same_weights(a_dir, b_dir, atol):
    a, _ = runs.load_trained_model(a_dir)
    b, _ = runs.load_trained_model(b_dir)
    for role, network in a.networks().items():
        for wa, wb in zip(weights_of(network), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=atol, err_msg=role)


@pytest.mark.parametrize("xla", [pytest.param(False, marks=pytest.mark.slow), True])
def test_grouped_steps_train_the_same_model_as_single_steps(tmp_path, xla):
    """14 steps, 6 per epoch, --checkpoint-every 4, groups of 4: the groups are cut at
    the checkpoints (4, 8, 12) and the epoch ends (6, 12, 14); the same noise and
    batches reach the same weights (up to the float reassociation of another graph)."""
    single, grouped = tmp_path / "single", tmp_path / "grouped"
    trainer.train(_plan("vae", TINY_VAE, single, steps=14, checkpoint_every=4, xla=xla),
                  verbose=0)
    calls = []
    result = trainer.train(_plan("vae", TINY_VAE, grouped, steps=14, checkpoint_every=4,
                                 xla=xla, steps_per_execution=4), verbose=0,
                           on_step=calls.append)
    assert calls == [4, 6, 8, 12, 14]  # one call per group, at each group's last step
    assert result.steps == 14 and result.epochs_run == 3
    assert sorted(int(p.name.split("-")[1].split(".")[0])
                  for p in (grouped / "checkpoints").glob("ckpt-*.index")) == [8, 12, 14]
    _same_weights(single, grouped, atol=1e-5)
    rows_single, rows_grouped = runs.read_history(single), runs.read_history(grouped)
    assert [r["step"] for r in rows_grouped] == [r["step"] for r in rows_single] == [
        "6", "12", "14"]
    for name in ("loss", "reconstruction", "kl"):  # the epoch means over every step
        np.testing.assert_allclose([float(r[name]) for r in rows_grouped],
                                   [float(r[name]) for r in rows_single], rtol=1e-4)


def test_an_interrupted_grouped_run_resumes_exactly(tmp_path):
    """Groups of 4 in epochs of 6 end at steps 4, 6, 10, 12, 14; Ctrl-C after the one
    ending at step 10 saves step 10; the resumed run matches an uninterrupted one."""
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    trainer.train(_plan("ae", TINY_AE, straight, steps=14, steps_per_execution=4), verbose=0)

    def interrupt(step):
        if step == 10:
            raise KeyboardInterrupt

    with pytest.raises(trainer.Interrupted) as stop:
        trainer.train(_plan("ae", TINY_AE, resumed, steps=14, steps_per_execution=4),
                      verbose=0, on_step=interrupt)
    assert stop.value.step == 10
    calls = []
    trainer.train(_plan("ae", TINY_AE, resumed, steps=14, steps_per_execution=4), verbose=0,
                  on_step=calls.append)
    assert calls == [12, 14]  # the rest of epoch 2 (11-12), then epoch 3 (13-14)
    _same_weights(straight, resumed, atol=1e-6)


def test_a_progressive_model_steps_one_at_a_time(tmp_path):
    calls = []
    trainer.train(_plan("progan", {**PROGAN_TINY, "max_filters": 4}, tmp_path / "p", steps=3,
                        batch_size=8, steps_per_execution=2), verbose=0, on_step=calls.append)
    assert calls == [1, 2, 3]


def test_vae_iw_bound_follows_sample_every(tmp_path):
    """--sample-every 2 over 3 epochs: val_iw_bound on epochs 2 and 3 (the last), the
    cheaper held-out scores on every epoch; those come from one graph that gives what
    reconstruct and elbo_terms give."""
    out = tmp_path / "run"
    trainer.train(_plan("vae", TINY_VAE, out, epochs=3, sample_every=2), verbose=0)
    rows = runs.read_history(out)
    assert [bool(r.get("val_iw_bound")) for r in rows] == [False, True, True]
    assert all(r["val_elbo"] and r["val_mse"] for r in rows)
    # the bound is at least the one-sample ELBO up to noise (Burda et al. theorem 1)
    assert float(rows[-1]["val_iw_bound"]) > float(rows[-1]["val_elbo"]) - 5.0

    model, _ = runs.load_trained_model(out)
    images = np.random.default_rng(0).random((40, 16, 16, 1)).astype(np.float32)
    scores = model.evaluation_metrics(images, iw_bound=False)
    mse = float(np.mean((model.reconstruct(images) - images) ** 2))
    np.testing.assert_allclose(scores["mse"], mse, rtol=1e-4)
    log_px, kl = model.elbo_terms(images)
    np.testing.assert_allclose(scores["elbo"], float(np.mean(log_px - kl)), rtol=1e-4)
    np.testing.assert_allclose(scores["kl"], float(np.mean(kl)), rtol=1e-4)
    assert "iw_bound" not in scores and "iw_bound" in model.evaluation_metrics(images)


class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs, no checkpoint is saved."""


def test_thinned_epoch_ends_checkpoint_every_sample_every_and_a_kill_replays_exactly(
        tmp_path):
    """--thin-epoch-ends with --sample-every 2 over 5 epochs of 6 steps: checkpoints at
    epochs 2, 4 and 5 (the last), held-out scores on those rows only, a history row every
    epoch. Killed during epoch 4, the run resumes from epoch 2's checkpoint, writes
    epoch 3's row again, and ends with the weights and rows of an uninterrupted run."""
    settings = dict(epochs=5, sample_every=2, thin_epoch_ends=True)
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    trainer.train(_plan("vae", TINY_VAE, straight, **settings), verbose=0)
    rows = runs.read_history(straight)
    assert [r["step"] for r in rows] == ["6", "12", "18", "24", "30"]
    assert [bool(r.get("val_elbo")) for r in rows] == [False, True, False, True, True]
    assert sorted(p.name for p in (straight / "checkpoints").glob("ckpt-*.index")) == [
        "ckpt-12.index", "ckpt-24.index", "ckpt-30.index"]

    def kill(step):
        if step == 21:
            raise _Killed

    with pytest.raises(_Killed):
        trainer.train(_plan("vae", TINY_VAE, killed, **settings), verbose=0, on_step=kill)
    assert runs.find_checkpoint(killed).step == 12
    assert [r["epoch"] for r in runs.read_history(killed)] == ["1", "2", "3"]
    calls = []
    trainer.train(_plan("vae", TINY_VAE, killed, **settings), verbose=0, on_step=calls.append)
    assert calls[0] == 13  # epoch 3 again, from its first step
    _same_weights(straight, killed, atol=1e-6)
    again = runs.read_history(killed)
    assert [r["step"] for r in again] == [r["step"] for r in rows]
    for name in ("loss", "val_elbo"):
        np.testing.assert_allclose([float(r[name] or "nan") for r in again],
                                   [float(r[name] or "nan") for r in rows], rtol=1e-5)


def test_thin_epoch_ends_defaults_and_flags():
    """The model's default (radialgan on, vae off), the dense VAE preset on, and the
    flags either way; without a grid to draw, --sample-every needs the thinning."""
    assert plan_lib.resolve_plan("vae").settings.thin_epoch_ends is None
    assert plan_lib.resolve_plan("vae", preset="dense").settings.thin_epoch_ends is True
    assert plan_lib.resolve_plan("vae", preset="dense",
                                 thin_epoch_ends=False).settings.thin_epoch_ends is False
    with pytest.raises(ConfigError, match="thin_epoch_ends must be true or false"):
        plan_lib.resolve_plan("vae", thin_epoch_ends="yes")
    with pytest.raises(ConfigError, match="thin_epoch_ends must be true or false"):
        plan_lib.resolve_plan("vae", thin_epoch_ends=1)
    with pytest.raises(ConfigError, match="draws none"):
        plan_lib.resolve_plan("classifier", sample_every=2)
    plan = plan_lib.resolve_plan("classifier", sample_every=2, thin_epoch_ends=True)
    assert plan.settings.sample_every == 2
    done = subprocess.run([sys.executable, "-m", "zoo_cli", "train", "vae", "--preset", "dense",
                           "--no-thin-epoch-ends", "--thin-epoch-ends=1"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_steps_per_execution_bad_values():
    with pytest.raises(ConfigError, match="--steps-per-execution must be a positive integer"):
        plan_lib.resolve_plan("ae", steps_per_execution=0)
    done = subprocess.run([sys.executable, "-m", "zoo_cli", "train", "ae",
                           "--steps-per-execution", "-3"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "--steps-per-execution" in done.stderr and "Traceback" not in done.stderr


def test_vae_dense_preset_groups_its_steps():
    plan = plan_lib.resolve_plan("vae", preset="dense")
    assert plan.settings.steps_per_execution == 16 and plan.settings.sample_every == 5
    assert plan.settings.thin_epoch_ends is True
    assert plan_lib.resolve_plan("vae", preset="dense", steps_per_execution=1,
                                 sample_every=1).settings.steps_per_execution == 1


@pytest.mark.parametrize("conditional", [False, True])
def test_vae_trains_without_autograph(tmp_path, conditional):
    """train_step_needs_autograph = False: the step traces as plain Python, grouped or
    not, conditional or not (a tensor `if` would fail to trace)."""
    from keras_genzoo.models.vae.model import VAE

    assert VAE.train_step_needs_autograph is False
    config = {**TINY_VAE, "conditional": str(conditional).lower()}
    result = trainer.train(_plan("vae", config, tmp_path / "run", steps=4,
                                 steps_per_execution=3), verbose=0)
    assert result.steps == 4  # a group of 3, then one step
    assert np.isfinite(float(result.history[-1]["loss"]))
