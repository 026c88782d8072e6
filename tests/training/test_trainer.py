"""The training loop: run directory, exact resume, strategies, XLA, mixed precision."""

import csv
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_AE, TINY_DCGAN, require_two_logical_cpus, weights_of
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import trainer

# digits train split: 1617 images -> 6 steps per epoch at batch 256
BATCH = 256


def _plan(model, config, out, **settings):
    overrides = {k: str(v) for k, v in config.items()}
    settings.setdefault("batch_size", BATCH)
    return plan_lib.resolve_plan(model, overrides=overrides, out_dir=str(out), **settings)


@pytest.fixture(autouse=True)
def _float32_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_run_directory_holds_everything_design_promises(tmp_path):
    out = tmp_path / "run"
    result = trainer.train(_plan("dcgan", TINY_DCGAN, out, epochs=2), verbose=0)
    assert result.steps == 12 and result.epochs_run == 2
    saved = json.loads((out / "config.json").read_text())
    assert saved["model"] == "dcgan" and saved["preset"] == "digits"
    assert saved["config"]["base_filters"] == 8 and saved["train"]["batch_size"] == BATCH
    assert {"tensorflow", "keras", "keras_genzoo", "python"} <= set(saved["versions"])
    assert tf.train.latest_checkpoint(str(out / "checkpoints")).endswith("ckpt-12")
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]
    assert (out / "loss_curves.png").stat().st_size > 1000
    with open(out / "history.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["epoch"]) for r in rows] == [1, 2] and [int(r["step"]) for r in rows] == [6, 12]
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(rows[0])
    # TensorBoard: loss scalars and the sample image, per epoch
    tags = set()
    for event_file in (out / "logs").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            tags |= {value.tag for value in event.summary.value}
    assert {"d_loss", "g_loss", "samples"} <= tags


def test_sample_every_thins_the_pictures_but_not_the_history(tmp_path):
    """14 steps of 6 per epoch: epochs 1, 2, 3 (the last one short). --sample-every 2
    draws epoch 2 and the last epoch; history and scalars keep every epoch."""
    out = tmp_path / "run"
    trainer.train(_plan("dcgan", TINY_DCGAN, out, steps=14, sample_every=2), verbose=0)
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_0002.png", "epoch_0003.png"]
    with open(out / "history.csv") as handle:
        assert [int(r["epoch"]) for r in csv.DictReader(handle)] == [1, 2, 3]
    steps_by_tag = {}
    for event_file in (out / "logs").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                steps_by_tag.setdefault(value.tag, []).append(event.step)
    assert sorted(steps_by_tag["samples"]) == [12, 14]
    assert sorted(steps_by_tag["d_loss"]) == [6, 12, 14]
    with pytest.raises(ConfigError, match="--sample-every must be a positive integer"):
        _plan("dcgan", TINY_DCGAN, tmp_path / "bad", steps=1, sample_every=0)
    assert not (tmp_path / "bad").exists()


def test_interrupted_run_resumes_exactly_where_it_stopped(tmp_path):
    """Stop at step 8 (mid second epoch), resume to 14: same weights as an uninterrupted run."""
    straight = tmp_path / "straight"
    trainer.train(_plan("dcgan", TINY_DCGAN, straight, steps=14), verbose=0)

    resumed = tmp_path / "resumed"

    def interrupt(step):
        if step == 8:
            raise KeyboardInterrupt

    with pytest.raises(trainer.Interrupted) as stop:
        trainer.train(_plan("dcgan", TINY_DCGAN, resumed, steps=14), verbose=0, on_step=interrupt)
    assert stop.value.step == 8
    assert tf.train.latest_checkpoint(str(resumed / "checkpoints")).endswith("ckpt-8")

    steps_seen = []
    result = trainer.train(_plan("dcgan", TINY_DCGAN, resumed, steps=14), verbose=0,
                           on_step=steps_seen.append)
    assert steps_seen[0] == 9 and result.steps == 14  # continued from the saved step

    # the resumed epoch's history row averages all six of its steps, as if never stopped
    straight_rows, resumed_rows = runs.read_history(straight), runs.read_history(resumed)
    assert [r["epoch"] for r in resumed_rows] == [r["epoch"] for r in straight_rows]
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose([float(r[name]) for r in resumed_rows],
                                   [float(r[name]) for r in straight_rows], rtol=1e-5,
                                   err_msg=name)

    a, _ = runs.load_trained_model(straight)
    b, _ = runs.load_trained_model(resumed)
    for role in ("generator", "discriminator"):
        for wa, wb in zip(weights_of(a.networks()[role]), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=1e-5, err_msg=role)


def test_gan_with_critic_steps_and_ema_resumes_exactly(tmp_path):
    """d_steps = 2 reads two batches per step (12 steps per epoch at batch 64);
    the EMA generator and both optimizers come back from the checkpoint."""
    config = {"architecture": "mlp", "image_size": 8, "latent_dim": 4, "d_steps": 2,
              "generator_units": "16", "discriminator_units": "16", "ema_decay": 0.9}
    straight = tmp_path / "straight"
    result = trainer.train(_plan("wgan", config, straight, steps=16, batch_size=64), verbose=0)
    assert result.epochs_run == 2  # 1617 // 128 = 12 generator steps per epoch

    resumed = tmp_path / "resumed"

    def interrupt(step):
        if step == 14:
            raise KeyboardInterrupt

    with pytest.raises(trainer.Interrupted):
        trainer.train(_plan("wgan", config, resumed, steps=16, batch_size=64), verbose=0,
                      on_step=interrupt)
    trainer.train(_plan("wgan", config, resumed, steps=16, batch_size=64), verbose=0)
    a, _ = runs.load_trained_model(straight)
    b, _ = runs.load_trained_model(resumed)
    assert set(a.networks()) == {"generator", "discriminator", "generator_ema"}
    for role in a.networks():
        for wa, wb in zip(weights_of(a.networks()[role]), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=1e-6, err_msg=role)


def test_finished_run_is_not_trained_again_and_can_be_extended(tmp_path):
    out = tmp_path / "run"
    trainer.train(_plan("ae", TINY_AE, out, epochs=1), verbose=0)
    seen = []
    trainer.train(_plan("ae", TINY_AE, out), verbose=0, on_step=seen.append)
    assert seen == []  # the saved length (1 epoch) is already reached
    trainer.train(_plan("ae", TINY_AE, out, epochs=2), verbose=0, on_step=seen.append)
    assert seen == list(range(7, 13))


def test_resuming_with_different_settings_is_refused(tmp_path):
    out = tmp_path / "run"
    trainer.train(_plan("ae", TINY_AE, out, steps=1), verbose=0)
    with pytest.raises(ConfigError, match="code_dim"):
        _plan("ae", {**TINY_AE, "code_dim": 4}, out, steps=2)
    with pytest.raises(ConfigError, match="batch_size"):
        _plan("ae", TINY_AE, out, steps=2, batch_size=128)
    with pytest.raises(ConfigError, match="mixed_precision"):
        _plan("ae", TINY_AE, out, steps=2, mixed_precision=True)
    with pytest.raises(GenzooError, match="not dcgan"):
        _plan("dcgan", TINY_DCGAN, out, steps=2)


@pytest.mark.slow  # fast siblings: test_distribute and test_gan_family's two-replica runs
def test_mirrored_strategy_through_the_trainer(tmp_path):
    require_two_logical_cpus()
    result = trainer.train(_plan("dcgan", TINY_DCGAN, tmp_path / "m", steps=3, strategy="mirrored"),
                           verbose=0)
    assert "2 replica" in result.strategy and result.steps == 3
    assert np.isfinite([float(v) for k, v in result.history[-1].items() if k != "epoch"]).all()


def test_xla_compiles_the_train_step(tmp_path):
    result = trainer.train(_plan("dcgan", TINY_DCGAN, tmp_path / "x", steps=3, xla=True), verbose=0)
    assert result.steps == 3
    assert np.isfinite(float(result.history[-1]["d_loss"]))


def test_mixed_precision_stays_finite_and_wraps_every_optimizer(tmp_path, monkeypatch):
    wrapped = {}
    original = trainer.runs.build_model

    def spy(*args, **kwargs):
        model = original(*args, **kwargs)
        wrapped["model"] = model
        return model

    monkeypatch.setattr(trainer.runs, "build_model", spy)
    out = tmp_path / "mp"
    result = trainer.train(_plan("dcgan", TINY_DCGAN, out, steps=3, mixed_precision=True), verbose=0)
    model = wrapped["model"]
    assert model.dtype_policy.name == "mixed_bfloat16"
    assert all(isinstance(o, keras.optimizers.LossScaleOptimizer)
               for o in model.network_optimizers.values())
    assert np.isfinite([float(result.history[-1][k]) for k in ("d_loss", "g_loss")]).all()
    keras.mixed_precision.set_global_policy("float32")
    restored, _ = runs.load_trained_model(out)  # reloads in float32 for export
    assert restored.generator.output.dtype == "float32"
    assert all(w.dtype == "float32" for w in restored.generator.weights)


def test_bad_data_fails_before_anything_is_written(tmp_path):
    out = tmp_path / "run"
    from keras_genzoo.errors import DataError

    with pytest.raises(DataError):
        trainer.train(_plan("ae", TINY_AE, out, steps=1, dataset=f"folder:{tmp_path}"), verbose=0)
    assert not out.exists()


def test_nan_guard_stops_without_checkpointing_the_diverged_state(tmp_path, monkeypatch):
    from keras_genzoo.models.ae.model import Autoencoder

    out = tmp_path / "run"
    trainer.train(_plan("ae", TINY_AE, out, steps=6), verbose=0)  # one good epoch: ckpt-6
    monkeypatch.setattr(Autoencoder, "reconstruction_loss",
                        lambda self, x, r: tf.reduce_mean(r, axis=[1, 2, 3]) * float("nan"))
    with pytest.raises(trainer.TrainingDiverged) as error:
        trainer.train(_plan("ae", TINY_AE, out, steps=12), verbose=0)
    message = str(error.value)
    assert "step 12" in message and "loss=nan" in message and "ckpt-6" in message
    assert tf.train.latest_checkpoint(str(out / "checkpoints")).endswith("ckpt-6")


def test_config_file_may_carry_training_settings(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("code_dim: 5\nbatch_size: 128\nepochs: 2\n")
    plan = plan_lib.resolve_plan("ae", config_file=str(config), out_dir=str(tmp_path / "a"))
    assert plan.config["code_dim"] == 5
    assert plan.settings.batch_size == 128 and plan.settings.epochs == 2
    # a flag beats the file
    plan = plan_lib.resolve_plan("ae", config_file=str(config), out_dir=str(tmp_path / "a"),
                                batch_size=32)
    assert plan.settings.batch_size == 32
    # a run's own config.json repeats that run
    trainer.train(_plan("ae", TINY_AE, tmp_path / "b", steps=1), verbose=0)
    again = plan_lib.resolve_plan("ae", config_file=str(tmp_path / "b" / "config.json"),
                                 out_dir=str(tmp_path / "c"))
    assert again.config == json.loads((tmp_path / "b" / "config.json").read_text())["config"]
    assert again.settings.steps == 1 and again.settings.batch_size == BATCH
    config.write_text("config: {code_dim: 5}\ntrain: {batch_sise: 3}\n")
    with pytest.raises(ConfigError, match="batch_sise"):
        plan_lib.resolve_plan("ae", config_file=str(config), out_dir=str(tmp_path / "d"))


def test_config_json_of_a_run_repeats_its_preset(tmp_path):
    trainer.train(_plan("ae", TINY_AE, tmp_path / "b", steps=1, preset="dense"), verbose=0)
    again = plan_lib.resolve_plan("ae", config_file=str(tmp_path / "b" / "config.json"),
                                 out_dir=str(tmp_path / "c"))
    assert again.preset == "dense" and again.config["architecture"] == "dense"


def test_epoch_pipelines_shard_by_data_without_the_model_autotuner():
    """Every epoch builds its own input pipeline; deleting its iterator joins tf.data's
    model-based autotuner thread (70-600 ms per epoch on 2 cores), so the trainer's
    pipelines run without it, sharded by data (in-memory sources have no files)."""
    options = trainer._epoch_pipeline_options(tf.data.Dataset.range(4).batch(2)).options()
    assert options.autotune.enabled is False
    assert (options.experimental_distribute.auto_shard_policy
            == tf.data.experimental.AutoShardPolicy.DATA)
