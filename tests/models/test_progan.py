"""ProGAN: growth by expansion is exact (alpha 0 = the old network, alpha 1 = the new
block only, old weights untouched), the schedule, real-image blending, resuming mid
fade-in, MirroredStrategy, export and ONNX parity."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import (REPRODUCIBLE_TF_ENV, assert_two_replicas_match_one_device,
                     digit_batches, train_steps, two_replica_strategy, weights_of)
from keras_genzoo.errors import ConfigError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import export_model, load_export, read_signatures
from keras_genzoo import runs
from keras_genzoo.models.progan.model import ProGAN, ProGANConfig

TINY = {"image_size": 16, "latent_dim": 8, "filter_base": 32, "max_filters": 8,
        "fade_images": 64, "stable_images": 64}


def _model(**overrides):
    keras.utils.set_random_seed(0)
    return ProGAN({**TINY, **overrides}).prepare()


def _upsample(images):
    return np.repeat(np.repeat(images, 2, axis=1), 2, axis=2)


def _avg_pool(images):
    return tf.nn.avg_pool2d(images, 2, 2, "VALID").numpy()


def test_schedule_phases_and_alpha_by_hand():
    c = ProGANConfig(**TINY)  # 4 -> 8 -> 16: three phases, 64 images each part
    assert c.num_phases == 3 and c.schedule_images() == 64 + 2 * 128
    expected = {0: (0, 1.0), 63: (0, 1.0), 64: (1, 0.0), 80: (1, 0.25), 127: (1, 63 / 64),
                128: (1, 1.0), 191: (1, 1.0), 192: (2, 0.0), 224: (2, 0.5), 256: (2, 1.0),
                10_000: (2, 1.0)}
    for images, (phase, alpha) in expected.items():
        got = c.phase_and_alpha(images)
        assert got[0] == phase and got[1] == pytest.approx(alpha), images


def test_expansion_at_alpha_zero_computes_the_old_networks():
    model = _model()
    z = model.latent(4, seed=1)
    real = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype(np.float32)
    old_images = model.generator(z).numpy()
    old_logits = model.discriminator(_avg_pool(real))[0].numpy()
    old_variables = {id(v): v.numpy() for v in model.generator.weights + model.discriminator.weights}
    model.grow()
    assert model.current_size == 8 and model.alpha == 0.0
    np.testing.assert_allclose(model.generator(z).numpy(), _upsample(old_images), atol=1e-5)
    np.testing.assert_allclose(model.discriminator(real)[0].numpy(), old_logits, atol=1e-5)
    # the expanded networks hold the very same variables, with unchanged values
    now = {id(v): v for v in model.generator.weights + model.discriminator.weights}
    assert set(old_variables) <= set(now)
    for key, value in old_variables.items():
        np.testing.assert_array_equal(now[key].numpy(), value)


def test_at_alpha_one_the_old_path_no_longer_contributes():
    model = _model()
    model.grow()
    model.set_alpha(1.0)
    z = model.latent(3, seed=2)
    real = np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 1)).astype(np.float32)
    before_g, before_d = model.generator(z).numpy(), model.discriminator(real)[0].numpy()
    # scramble the old resolution's output and input layers: nothing changes
    for layer in (model.layer_store["g_to_rgb"][0][0], model.layer_store["d_from_rgb"][0][0]):
        for weight in layer.weights:
            weight.assign(weight + 5.0)
    np.testing.assert_allclose(model.generator(z).numpy(), before_g, atol=1e-6)
    np.testing.assert_allclose(model.discriminator(real)[0].numpy(), before_d, atol=1e-6)
    model.set_alpha(0.5)  # ... while mid-fade they do
    assert np.abs(model.generator(z).numpy() - before_g).max() > 1e-3


def test_real_images_are_resized_and_blended_like_the_generator_output():
    model = _model()
    full = np.random.default_rng(2).uniform(-1, 1, (2, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(model.prepare_real(full), _avg_pool(_avg_pool(full)), atol=1e-6)
    model.grow()
    at8 = _avg_pool(full)
    model.set_alpha(0.0)  # the coarse version, upsampled: what G's old path produces
    np.testing.assert_allclose(model.prepare_real(full), _upsample(_avg_pool(at8)), atol=1e-6)
    model.set_alpha(0.25)
    expected = 0.75 * _upsample(_avg_pool(at8)) + 0.25 * at8
    np.testing.assert_allclose(model.prepare_real(full), expected, atol=1e-6)


def _largest_update_in_learning_rates(model, batches):
    """max |w_after - w_before| / lr over G's and D's weights after one step, and the
    fraction of the weights that moved at all that moved by more than half a
    learning rate."""
    before = {role: weights_of(model.networks()[role]) for role in ("generator", "discriminator")}
    train_steps(model, batches)
    ratios = []
    for role, old in before.items():
        lr = float(model.network_optimizers[role].learning_rate)
        for a, b in zip(old, weights_of(model.networks()[role])):
            ratios.append(np.abs(b - a).ravel() / lr)
    ratios = np.concatenate(ratios)
    return ratios.max(), (ratios > 0.5).sum() / (ratios > 0).sum()


def test_adam_restarts_at_growth_and_at_the_end_of_the_fade():
    """Adam with beta_1 = 0 moves every weight by lr * g / sqrt(g^2) = lr (up to
    epsilon) on its first step: bias correction from a count of 1. A fresh Adam
    that inherited 2 old iterations would correct by sqrt(1 - 0.99^3) /
    sqrt(1 - 0.99) instead, 1.7x the learning rate."""
    model = _model()
    train_steps(model, digit_batches(8, 2, image_size=16))
    model.advance_schedule(8 * 9)  # the 8x8 block fades in (alpha 1/8): new optimizers
    largest, moved = _largest_update_in_learning_rates(model, digit_batches(8, 1, image_size=16))
    assert largest <= 1.0 + 1e-3 and moved > 0.9, (largest, moved)

    train_steps(model, digit_batches(8, 3, image_size=16, seed=2))
    assert all(int(o.iterations) == 4 for o in model.network_optimizers.values())
    model.advance_schedule(8 * 16)  # alpha reaches 1: the fade ends, the state is zeroed
    assert model.alpha == 1.0 and model.steps_taken() == 6
    assert all(int(o.iterations) == 0 for o in model.network_optimizers.values())
    largest, moved = _largest_update_in_learning_rates(model, digit_batches(8, 1, image_size=16))
    assert largest <= 1.0 + 1e-3 and moved > 0.9, (largest, moved)
    model.advance_schedule(8 * 17)  # still stable: no further reset
    assert all(int(o.iterations) == 1 for o in model.network_optimizers.values())


def test_growing_during_training_keeps_the_step_and_trains_the_new_block():
    model = _model(ema_decay=0.9)
    logs = train_steps(model, digit_batches(8, 2, image_size=16))
    assert model.advance_schedule(8 * 9)  # 72 images: phase 1, alpha 8/64
    assert model.phase == 1 and model.alpha == pytest.approx(0.125)
    assert model.steps_taken() == 2  # fresh optimizers, same step counter
    assert all(int(o.iterations) == 0 for o in model.network_optimizers.values())
    new_block = model.layer_store["g_block"][1][1]
    before = weights_of(new_block)
    logs += train_steps(model, digit_batches(8, 2, image_size=16, seed=1))
    assert model.steps_taken() == 4 and all(np.isfinite(v) for v in logs[-1].values())
    assert np.abs(weights_of(new_block)[0] - before[0]).max() > 0
    # the EMA generator grew too, and follows the generator's alpha
    assert model.generator_ema.output_shape == model.generator.output_shape == (None, 8, 8, 1)
    assert model.sample(3).shape == (3, 8, 8, 1)


#: trains the plan of test_resume_mid_fade_in_... three times in a fresh process: straight,
#: interrupted after step ``stop`` (its checkpoint copied to "half"), and resumed
RESUME_CHILD = textwrap.dedent("""
    import json, pathlib, shutil, sys
    from keras_genzoo.training import plan as plan_lib, trainer
    root, stop, overrides = pathlib.Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])

    def plan(out):
        return plan_lib.resolve_plan("progan", overrides=overrides, out_dir=str(root / out),
                                     steps=14, batch_size=8, dataset="digits")

    def interrupt(step):
        if step == stop:
            raise KeyboardInterrupt

    assert trainer.train(plan("straight"), verbose=0).steps == 14
    try:
        trainer.train(plan("resumed"), verbose=0, on_step=interrupt)
        sys.exit("the run was not interrupted")
    except trainer.Interrupted:
        pass
    shutil.copytree(root / "resumed", root / "half")
    trainer.train(plan("resumed"), verbose=0)
""")


# 8: on the phase boundary (64 images); 10: mid-fade (the boundary case is the slow tier's)
@pytest.mark.parametrize("stop", [pytest.param(8, marks=pytest.mark.slow), 10])
def test_resume_mid_fade_in_continues_with_the_same_phase_and_alpha(tmp_path, stop):
    """The runs train in a child process on one thread without oneDNN
    (``REPRODUCIBLE_TF_ENV``): with TensorFlow's defaults, a step of one run now and
    then rounds a value differently from another run's (docs/benchmarks.md, run-to-run),
    and Adam with beta1 = 0 turns that last bit into weights 0.01-1 apart within a few
    steps, as far apart as a resume that restored something wrong would leave them."""
    overrides = {k: str(v) for k, v in TINY.items()} | {"max_filters": "4"}
    child = subprocess.run(
        [sys.executable, "-c", RESUME_CHILD, str(tmp_path), str(stop), json.dumps(overrides)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, **REPRODUCIBLE_TF_ENV, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert child.returncode == 0, child.stderr[-3000:]
    half, _ = runs.load_trained_model(tmp_path / "half")
    # the growth for step 9 happens before it: a run stopped after step 8 is still at 4x4
    assert half.phase == (0 if stop == 8 else 1)
    assert int(half.images_seen.numpy()) == stop * 8
    a, _ = runs.load_trained_model(tmp_path / "straight")
    b, _ = runs.load_trained_model(tmp_path / "resumed")
    assert a.phase == b.phase == 1 and int(b.images_seen.numpy()) == 14 * 8
    # every FadeIn comes back with the same alpha, the generators' included
    assert {layer.alpha_value for layer in b.fade_layers()} == {b.alpha}
    assert a.alpha == pytest.approx(b.alpha) == pytest.approx((13 * 8 - 64) / 64)
    for role in a.networks():
        for wa, wb in zip(weights_of(a.networks()[role]), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=1e-5, err_msg=role)
    # and the rest of the final checkpoints: optimizer moments and counters, the epoch's
    # running means, the schedule (not how often or how long it took to save)
    straight, resumed = (tf.train.load_checkpoint(runs.find_checkpoint(tmp_path / run).path)
                         for run in ("straight", "resumed"))
    keys = set(straight.get_variable_to_shape_map()) - {
        "_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
        "epoch_state/epoch_seconds/.ATTRIBUTES/VARIABLE_VALUE"}
    assert keys <= set(resumed.get_variable_to_shape_map())
    trained = len(a.generator.trainable_weights) + len(a.discriminator.trainable_weights)
    assert sum("optimizer/_variables" in key for key in keys) >= 2 * trained  # Adam's moments
    for key in sorted(keys):
        np.testing.assert_allclose(straight.get_tensor(key), resumed.get_tensor(key), atol=1e-5,
                                   err_msg=key)


def test_two_replicas_train_like_one_device():
    assert_two_replicas_match_one_device(ProGAN, TINY, digit_batches(8, 2, image_size=16))


def _mirrored(strategy, images_seen):
    """A compiled ProGAN built in ``strategy``'s scope and advanced to ``images_seen``."""
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = ProGAN(TINY)
        model.compile()
        model.prepare()
        assert model.advance_schedule(images_seen)  # grown
    return model


# slow tier: the two-replica equivalence and growth during training stay in the fast tier
@pytest.mark.slow
def test_growth_under_mirrored_strategy():
    strategy = two_replica_strategy()
    model = _mirrored(strategy, 200)  # straight to 16x16
    logs = train_steps(model, digit_batches(8, 2, image_size=16), strategy)
    assert model.current_size == 16 and all(np.isfinite(v) for v in logs[-1].values())


def test_a_fade_ends_after_mirrored_steps():
    """The end of a fade-in, reached after two replicas have trained, reads alpha and the
    learning rates eagerly and resets the optimizers (under MirroredStrategy they are
    distributed variables, which NumPy and float() could not read before)."""
    strategy = two_replica_strategy()
    model = _mirrored(strategy, 96)  # phase 1, halfway through its fade-in
    assert model.alpha == 0.5
    train_steps(model, digit_batches(8, 1, image_size=16), strategy)
    with strategy.scope():
        assert not model.advance_schedule(128)  # the fade ends: alpha 1, optimizers reset
    assert model.alpha == 1.0
    for optimizer in model.network_optimizers.values():
        assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == 0
    logs = train_steps(model, digit_batches(8, 1, image_size=16), strategy)
    assert all(np.isfinite(value) for value in logs[-1].values())


def test_export_at_the_current_resolution_and_onnx_parity(tmp_path):
    model = _model(ema_decay=0.9)
    model.grow()
    model.set_alpha(0.5)
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="progan")
    assert result.onnx_max_abs_diff["serving_default"] <= 1e-4
    serving = read_signatures(result.path)["serving_default"]
    assert serving["outputs"]["images"]["shape"] == [None, 8, 8, 1]
    z = model.latent(3, seed=5).numpy()
    loaded, _, _ = load_export(result.path)
    served = loaded.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(served, model.generate(z).numpy(), atol=1e-5)
    onnx_out = onnx_export.run_onnx(result.onnx_files["serving_default"], {"z": z})
    np.testing.assert_allclose(onnx_out["images"], served, atol=1e-4)


def test_bad_sizes_and_weights_are_config_errors():
    for size in (4, 12, 24):
        with pytest.raises(ConfigError, match="power of two >= 8"):
            ProGAN({**TINY, "image_size": size})
    with pytest.raises(ConfigError, match="drift_weight"):
        ProGAN({**TINY, "drift_weight": -1})
