"""Salimans et al. 2016 as options of every GAN: minibatch_reduction (section 3.2),
historical_averaging (3.3) and virtual_batch_norm (3.5): their state, their effect on
training, checkpoints and resume, export, and the one-line errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import (
    TINY_DCGAN,
    assert_two_replicas_match_one_device,
    digit_batches,
    train_steps,
    weights_of,
)
from keras_genzoo import runs
from keras_genzoo.errors import ConfigError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import export_model, load_export
from keras_genzoo.layers.minibatch import MinibatchDiscrimination
from keras_genzoo.layers.virtual_batch_norm import VirtualBatchNormalization
from keras_genzoo.models.cgan.model import CGAN
from keras_genzoo.models.dcgan.model import DCGAN
from keras_genzoo.models.gan.model import GAN
from keras_genzoo.models.progan.model import ProGAN
from keras_genzoo.models.stylegan.model import StyleGAN
from keras_genzoo.models.wgan.model import WGAN
from keras_genzoo.models.wgan_gp.model import WGANGP
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer
from keras_genzoo.training.trainer import make_train_function

POINTS = {"data_dim": 2, "latent_dim": 4, "generator_units": [16], "discriminator_units": [16],
          "dropout": 0.0, "beta_1": 0.0}
TINY_MLP = {"image_size": 8, "channels": 1, "latent_dim": 8, "generator_units": [16],
            "discriminator_units": [16], "dropout": 0.0, "architecture": "mlp"}
TINY_CONV = {"image_size": 8, "channels": 1, "latent_dim": 8, "base_filters": 4,
             "architecture": "conv"}
FAMILY = {"gan": (GAN, TINY_MLP), "gan-conv": (GAN, TINY_CONV), "wgan": (WGAN, TINY_MLP),
          "wgan-gp": (WGANGP, TINY_CONV), "cgan": (CGAN, TINY_MLP), "dcgan": (DCGAN, TINY_DCGAN)}
ALL_THREE = {"minibatch_discrimination": 3, "minibatch_reduction": "sum",
             "historical_averaging": 0.1, "virtual_batch_norm": 4}


def _point_batches(count, batch=32, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(batch, 2)).astype(np.float32), np.zeros(batch, np.int32))
            for _ in range(count)]


def _trainable(model, role):
    return [np.array(v) for v in model.variables_trained_by(role)]


def _snapshots_while_training(model, batches):
    """Each player's parameters before each step (one traced step for all)."""
    step = make_train_function(model, tf.distribute.get_strategy(), xla=False)
    history = {"generator": [], "discriminator": []}
    for batch in batches:
        for role in history:
            history[role].append(_trainable(model, role))
        step(batch)
    return history


# -------------------------------------------------------- historical averaging
def test_historical_average_is_the_running_mean_of_the_past_parameters():
    """After t updates, the state is (1/t) sum_{i=1}^t theta[i], theta[i] the parameters
    at the start of update i, and the penalty is lambda ||theta - that mean||^2."""
    keras.utils.set_random_seed(0)
    model = GAN({**POINTS, "historical_averaging": 0.5}).prepare()
    snapshots = _snapshots_while_training(model, _point_batches(3))
    for role, taken in snapshots.items():
        state = model.parameter_history[role]
        assert float(state["count"]) == 3.0
        for index, mean in enumerate(state["means"]):
            expected = np.mean([snapshot[index] for snapshot in taken], axis=0)
            np.testing.assert_allclose(mean.numpy(), expected, rtol=1e-5, atol=1e-7, err_msg=role)
        # the mean moved: it is not the initial nor the current value
        assert not np.allclose(state["means"][0].numpy(), taken[0][0])
        current = _trainable(model, role)
        expected_penalty = 0.5 * sum(np.sum(np.square(theta.astype(np.float64) - mean.numpy()))
                                     for theta, mean in zip(current, state["means"]))
        assert float(model.history_penalty(role)) == pytest.approx(expected_penalty, rel=1e-4)
        assert expected_penalty > 0


def test_historical_averaging_pulls_the_parameters_towards_their_average():
    """With a large lambda the penalty's gradient 2 lambda (theta - mean) decides the
    update: almost every coordinate moves towards the running mean; without it the
    same GAN keeps moving away (Adam's first steps keep their direction)."""
    def fraction_towards(weight):
        keras.utils.set_random_seed(1)
        model = GAN({**POINTS, "historical_averaging": weight}).prepare()
        taken = _snapshots_while_training(model, _point_batches(3, seed=1))["generator"]
        before, after = taken[2], _trainable(model, "generator")
        mean = [np.mean([snapshot[i] for snapshot in taken], axis=0) for i in range(len(before))]
        towards = total = 0
        for b, a, m in zip(before, after, mean):
            offset = b - m
            moving = np.abs(offset) > 1e-6
            towards += int(np.sum((a - b)[moving] * offset[moving] < 0))
            total += int(np.sum(moving))
        assert total > 100
        return towards / total

    assert fraction_towards(1000.0) > 0.95
    assert fraction_towards(0.0) < 0.5


# ------------------------------------------------------ virtual batch normalization
def test_vbn_reference_batch_is_fixed_and_its_statistics_follow_the_final_weights():
    keras.utils.set_random_seed(2)
    model = GAN({**POINTS, "virtual_batch_norm": 8, "ema_decay": 0.5}).prepare()
    reference = model.reference_latent.numpy()
    assert reference.shape == (8, 4)
    vbn = [layer for layer in model.generator_ema.layers
           if isinstance(layer, VirtualBatchNormalization)]
    assert len(vbn) == 1
    train_steps(model, _point_batches(2, seed=2))
    np.testing.assert_array_equal(model.reference_latent.numpy(), reference)  # never redrawn
    # the sampling (EMA) generator's stored statistics are those of its current
    # weights on the reference batch: its hidden layer's pre-activations, by hand
    hidden = model.generator_ema.get_layer("hidden0")
    pre = hidden(tf.constant(reference)).numpy().astype(np.float64)
    np.testing.assert_allclose(vbn[0].reference_mean.numpy(), pre.mean(0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(vbn[0].reference_mean_square.numpy(), np.square(pre).mean(0),
                               rtol=1e-4, atol=1e-6)
    # sampling is deterministic and per example
    z = model.latent(6, seed=3)
    together = model.generate(z).numpy()
    np.testing.assert_allclose(model.generate(z[4:5]).numpy(), together[4:5], rtol=1e-5,
                               atol=1e-6)


def test_vbn_training_uses_the_reference_batch():
    """The generator's training output for z depends on the reference batch (it
    normalizes with it), not on the other codes of its own batch."""
    keras.utils.set_random_seed(3)
    model = GAN({**POINTS, "virtual_batch_norm": 8}).prepare()
    z = tf.random.stateless_normal([5, 4], seed=[1, 2])
    out = model.generate_raw(z, training=True).numpy()
    assert out.shape == (5, 2)
    np.testing.assert_allclose(model.generate_raw(z[:2], training=True).numpy(), out[:2],
                               rtol=1e-5, atol=1e-6)
    model.reference_latent.assign(model.reference_latent * 3.0)
    assert np.abs(model.generate_raw(z, training=True).numpy() - out).max() > 1e-3


# ------------------------------------------------------------- every family
@pytest.mark.parametrize("case", sorted(FAMILY))
def test_every_gan_family_takes_the_three_options(case):
    model_class, config = FAMILY[case]
    keras.utils.set_random_seed(4)
    model = model_class({**config, **ALL_THREE}).prepare()
    generator_layers = _all_layers(model.generator)
    assert any(isinstance(layer, VirtualBatchNormalization) for layer in generator_layers)
    assert not any(isinstance(layer, keras.layers.BatchNormalization)
                   for layer in generator_layers)
    minibatch = [layer for layer in model.discriminator.layers
                 if isinstance(layer, MinibatchDiscrimination)]
    assert [layer.reduction for layer in minibatch] == ["sum"]
    batch = digit_batches(8 * model.config.d_steps, 1, image_size=config["image_size"])
    logs = train_steps(model, batch)
    assert all(np.isfinite(value) for value in logs[0].values())
    assert float(model.parameter_history["generator"]["count"]) == 1.0
    assert float(model.parameter_history["discriminator"]["count"]) == model.config.d_steps


def _all_layers(network):
    found = []
    for layer in network.layers:
        found += _all_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return found


@pytest.mark.parametrize("overrides, message", [
    ({"historical_averaging": -0.1}, "historical_averaging"),
    ({"virtual_batch_norm": -2}, "virtual_batch_norm"),
    ({"minibatch_reduction": "max"}, "minibatch_reduction"),
])
def test_bad_values_are_config_errors(overrides, message):
    with pytest.raises(ConfigError, match=message) as error:
        GAN({**TINY_MLP, **overrides})
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("model_class", [ProGAN, StyleGAN], ids=["progan", "stylegan"])
@pytest.mark.parametrize("option, reason", [
    ("minibatch_discrimination", "minibatch standard deviation"),
    ("historical_averaging", "networks grow"),
    ("virtual_batch_norm", "pixel normalization"),
])
def test_progressive_gans_refuse_what_cannot_apply(model_class, option, reason):
    with pytest.raises(ConfigError, match=reason) as error:
        model_class({"image_size": 8, option: 2})
    assert "\n" not in str(error.value) and option in str(error.value)


# ------------------------------------------------- checkpoints, resume, export
def _plan(out, steps):
    overrides = {"generator_units": "16", "discriminator_units": "16", "latent_dim": "4",
                 "historical_averaging": "0.05", "virtual_batch_norm": "16", "ema_decay": "0.9"}
    return plan_lib.resolve_plan("gan", preset="toy2d", dataset="toy2d:ring8", overrides=overrides,
                                 steps=steps, batch_size=512, out_dir=str(out), sample_every=100)


def test_resume_keeps_the_running_means_and_the_reference_batch(tmp_path):
    """Stopped at step 5 and resumed to 8: the same weights, running means and
    reference statistics as an uninterrupted run (a lost running mean would restart
    the average and change every later update)."""
    straight = tmp_path / "straight"
    trainer.train(_plan(straight, 8), verbose=0)
    resumed = tmp_path / "resumed"

    def interrupt(step):
        if step == 5:
            raise KeyboardInterrupt

    with pytest.raises(trainer.Interrupted):
        trainer.train(_plan(resumed, 8), verbose=0, on_step=interrupt)
    assert trainer.train(_plan(resumed, 8), verbose=0).steps == 8
    a, _ = runs.load_trained_model(straight)
    b, _ = runs.load_trained_model(resumed)
    assert float(b.parameter_history["generator"]["count"]) == 8.0
    for name, variable in a.state_variables().items():
        np.testing.assert_allclose(variable.numpy(), b.state_variables()[name].numpy(),
                                   atol=1e-6, err_msg=name)
    for role, network in a.networks().items():  # the EMA generator's VBN statistics included
        for wa, wb in zip(weights_of(network), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=1e-5, err_msg=role)
    # the reference batch is in the checkpoint itself, not redrawn at load
    reader = tf.train.load_checkpoint(str(a.checkpoint_path))
    np.testing.assert_array_equal(
        reader.get_tensor("vbn_reference_latent/.ATTRIBUTES/VARIABLE_VALUE"),
        a.reference_latent.numpy())


@pytest.mark.parametrize("case", ["gan-points", "dcgan"])
def test_vbn_export_matches_the_keras_model(case, tmp_path):
    model_class, config = {"gan-points": (GAN, POINTS), "dcgan": (DCGAN, TINY_DCGAN)}[case]
    keras.utils.set_random_seed(5)
    model = model_class({**config, "virtual_batch_norm": 8}).prepare()
    batches = (_point_batches(2, seed=5) if model.points else
               digit_batches(8, 2, image_size=config["image_size"]))
    train_steps(model, batches)  # statistics away from their initial 0 / 1
    vbn = next(layer for layer in _all_layers(model.generator)
               if isinstance(layer, VirtualBatchNormalization))
    assert np.abs(vbn.reference_mean.numpy()).max() > 1e-4
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name=case)
    z = model.latent(3, seed=6).numpy()
    loaded, _, _ = load_export(result.path)
    output = "points" if model.points else "images"
    served = loaded.signatures["serving_default"](z=tf.constant(z))[output].numpy()
    np.testing.assert_allclose(served, model.generate(z).numpy(), atol=1e-5)
    onnx_out = onnx_export.run_onnx(result.onnx_files["serving_default"], {"z": z})
    np.testing.assert_allclose(onnx_out[output], served, atol=1e-4)


def test_two_replicas_train_like_one_device_with_the_options():
    """The running means are updated in cross-replica context and every replica runs
    the same reference batch, so both options keep DESIGN.md's promise."""
    config = {**POINTS, "historical_averaging": 0.1, "virtual_batch_norm": 8, "ema_decay": 0.5}
    single, double = assert_two_replicas_match_one_device(GAN, config, _point_batches(3, seed=7))
    for name, variable in single.state_variables().items():
        np.testing.assert_allclose(variable.numpy(), double.state_variables()[name].numpy(),
                                   atol=2e-5, rtol=1e-4, err_msg=name)
