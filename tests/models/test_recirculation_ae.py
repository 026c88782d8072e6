"""Recirculation (Hinton & McClelland 1987): the learning rule by hand, no tape,
learning, replicas, the real trainer with resume, export and ONNX parity."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import digit_batches, train_steps, two_replica_strategy, weights_of
from keras_genzoo.errors import ConfigError
from keras_genzoo import runs
from keras_genzoo.models.recirculation_ae.model import RecirculationAE, RecirculationConfig
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def numpy_recirculation_update(x, w_hv, b, w_vh, c, lam, eps, regress_hidden=True):
    """Equations (1)-(5) of the paper for a batch ``x`` [N, D], averaged over N.

    Kernels in Keras layout: ``w_hv`` [D, H] (input -> hidden), ``w_vh`` [H, D].
    Returns the new (w_hv, b, w_vh, c).
    """
    x = x.astype(np.float64)
    v0 = x
    h1 = _sigmoid(v0 @ w_hv + b)
    v2 = lam * v0 + (1 - lam) * _sigmoid(h1 @ w_vh + c)
    h3 = _sigmoid(v2 @ w_hv + b)
    if regress_hidden:
        h3 = lam * h1 + (1 - lam) * h3
    n = len(x)
    new_w_vh = w_vh + eps * sum(np.outer(h1[k], v0[k] - v2[k]) for k in range(n)) / n
    new_c = c + eps * (v0 - v2).mean(axis=0)
    new_w_hv = w_hv + eps * sum(np.outer(v2[k], h1[k] - h3[k]) for k in range(n)) / n
    new_b = b + eps * (h1 - h3).mean(axis=0)
    return new_w_hv, new_b, new_w_vh, new_c


def _params(model):
    enc, dec = model.encoder.get_layer("code"), model.decoder.get_layer("pixels")
    return [np.array(v, np.float64) for v in (enc.kernel, enc.bias, dec.kernel, dec.bias)]


def _random_model(seed=0, **config):
    keras.utils.set_random_seed(seed)
    model = RecirculationAE(image_size=4, code_dim=3, **config).prepare()
    rng = np.random.default_rng(seed)
    # non-zero biases so that a bias-sign mistake would show
    for layer in (model.encoder.get_layer("code"), model.decoder.get_layer("pixels")):
        layer.bias.assign(rng.normal(0, 0.5, size=layer.bias.shape).astype(np.float32))
    return model


def test_one_hidden_layer_and_validation():
    model = RecirculationAE(image_size=8, code_dim=5, regression=0.6, learning_rate=0.3)
    assert model.config == RecirculationConfig(
        image_size=8, code_dim=5, regression=0.6, learning_rate=0.3)
    assert model.encoder.count_params() == 64 * 5 + 5
    assert model.decoder.count_params() == 5 * 64 + 64
    for bad in ({"regression": 1.0}, {"regression": -0.1}, {"learning_rate": 0.0},
                {"code_dim": 0}, {"channels": 2}):
        with pytest.raises(ConfigError):
            RecirculationAE(**bad)


@pytest.mark.parametrize("regress_hidden", [True, False])
def test_update_on_one_example_is_the_papers_rule(regress_hidden):
    model = _random_model(regress_hidden=regress_hidden, regression=0.75, learning_rate=0.7)
    x = np.random.default_rng(1).uniform(size=(1, 4, 4, 1)).astype(np.float32)
    before = _params(model)
    expected = numpy_recirculation_update(x.reshape(1, -1), *before, lam=0.75, eps=0.7,
                                          regress_hidden=regress_hidden)
    model.train_step((x, np.zeros([1], np.int32)))
    for got, want, old in zip(_params(model), expected, before):
        assert np.abs(want - old).max() > 1e-4  # the update is not trivially zero
        np.testing.assert_allclose(got, want, atol=2e-6)
    assert model.steps_taken() == 1


def test_batch_update_is_the_mean_of_single_example_updates():
    x = np.random.default_rng(2).uniform(size=(3, 4, 4, 1)).astype(np.float32)
    model = _random_model()
    start = _params(model)
    model.train_step((x, np.zeros([3], np.int32)))
    batch = _params(model)
    singles = []
    for k in range(3):
        single = _random_model()
        single.train_step((x[k : k + 1], np.zeros([1], np.int32)))
        singles.append([p - s for p, s in zip(_params(single), start)])
    for got, old, parts in zip(batch, start, zip(*singles)):
        np.testing.assert_allclose(got - old, np.mean(parts, axis=0), atol=2e-6)


def test_train_step_uses_no_gradient_tape_and_no_optimizer(monkeypatch):
    class NoTape:
        def __init__(self, *args, **kwargs):
            raise AssertionError("recirculation must not use tf.GradientTape")

    model = _random_model()
    for optimizer in model.network_optimizers.values():
        monkeypatch.setattr(optimizer, "apply_gradients",
                            lambda *a, **k: (_ for _ in ()).throw(AssertionError("optimizer")))
        monkeypatch.setattr(optimizer, "apply",
                            lambda *a, **k: (_ for _ in ()).throw(AssertionError("optimizer")))
    monkeypatch.setattr(tf, "GradientTape", NoTape)
    monkeypatch.setattr(tf.autodiff, "GradientTape", NoTape)
    x = np.random.default_rng(3).uniform(size=(4, 4, 4, 1)).astype(np.float32)
    batch = (x, np.zeros([4], np.int32))
    before = _params(model)
    model.train_step(batch)  # eager
    tf.function(model.train_step)(batch)  # traced
    train_steps(model, [batch])  # the trainer's distributed step
    assert model.steps_taken() == 3
    assert all(np.abs(a - b).max() > 0 for a, b in zip(_params(model), before))


def test_reconstruction_error_falls_by_more_than_half():
    keras.utils.set_random_seed(0)
    model = RecirculationAE(image_size=8, code_dim=16).prepare()
    batches = digit_batches(32, 300, image_size=8)
    images = np.concatenate([b[0] for b in batches[:4]])
    before = float(np.mean((images - model.reconstruct(images)) ** 2))
    logs = train_steps(model, batches)
    after = float(np.mean((images - model.reconstruct(images)) ** 2))
    assert after < 0.5 * before, (before, after)
    assert np.isfinite(logs[-1]["loss"]) and logs[-1]["hidden_change"] >= 0
    # the reported loss is the deterministic pass g(f(x)), lambda = 0
    assert abs(logs[-1]["loss"] - after) < 0.5 * before


def test_two_replicas_equal_one_device():
    strategy = two_replica_strategy()
    batches = digit_batches(16, 3, image_size=8)
    with strategy.scope():
        keras.utils.set_random_seed(4)
        mirrored = RecirculationAE(image_size=8, code_dim=6).prepare()
    keras.utils.set_random_seed(4)
    single = RecirculationAE(image_size=8, code_dim=6).prepare()
    for a, b in zip(weights_of(mirrored.encoder), weights_of(single.encoder)):
        np.testing.assert_array_equal(a, b)
    train_steps(mirrored, batches, strategy)
    train_steps(single, batches)
    for network in ("encoder", "decoder"):
        replicas = [v.value.values for v in getattr(mirrored, network).weights]
        for per_replica, reference in zip(replicas, weights_of(getattr(single, network))):
            np.testing.assert_array_equal(np.array(per_replica[0]), np.array(per_replica[1]))
            np.testing.assert_allclose(np.array(per_replica[0]), reference, atol=1e-6)
    assert mirrored.steps_taken() == 3


def _plan(out, steps):
    return plan_lib.resolve_plan("recirculation-ae", out_dir=str(out), steps=steps, batch_size=32)


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("recirculation")
    trainer.train(_plan(root / "resumed", 30), verbose=0)
    result = trainer.train(_plan(root / "resumed", 60), verbose=0)  # resumes at 30
    trainer.train(_plan(root / "straight", 60), verbose=0)
    return root, result


def test_trainer_runs_and_resume_is_exact(resumed_run):
    root, result = resumed_run
    assert result.steps == 60 and result.epochs_run == 2  # 50 steps/epoch: 30..50, 50..60
    resumed, saved = runs.load_trained_model(root / "resumed")
    straight, _ = runs.load_trained_model(root / "straight")
    assert saved["model"] == "recirculation-ae" and saved["config"]["code_dim"] == 16
    for network in ("encoder", "decoder"):
        for a, b in zip(weights_of(getattr(resumed, network)),
                        weights_of(getattr(straight, network))):
            np.testing.assert_allclose(a, b, atol=1e-6)
    history = (root / "resumed" / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,step") and "val_mse" in history[0]


def test_export_signatures_reload_and_onnx_parity(resumed_run, tmp_path):
    from keras_genzoo.commands.export import export_run
    from keras_genzoo.export.onnx import run_onnx
    from keras_genzoo.export.savedmodel import read_signatures

    root, _ = resumed_run
    result = export_run(root / "straight", tmp_path / "exports")
    signatures = read_signatures(result.path)
    assert set(signatures) == {"serving_default", "encode", "decode"}
    assert signatures["encode"]["inputs"]["x"]["shape"] == [None, 8, 8, 1]
    assert signatures["encode"]["outputs"]["code"]["shape"] == [None, 16]
    assert signatures["decode"]["outputs"]["reconstruction"]["shape"] == [None, 8, 8, 1]
    model, _ = runs.load_trained_model(root / "straight")
    x = np.random.default_rng(5).uniform(size=(6, 8, 8, 1)).astype(np.float32)
    loaded = tf.saved_model.load(str(result.path))
    code = loaded.signatures["encode"](x=x)["code"].numpy()
    np.testing.assert_allclose(code, model.encode(x), atol=1e-6)
    served = loaded.signatures["serving_default"](x=x)["reconstruction"].numpy()
    np.testing.assert_allclose(served, model.reconstruct(x), atol=1e-6)
    for signature, feeds in {"serving_default": {"x": x}, "encode": {"x": x},
                             "decode": {"code": code}}.items():
        tf_out = {k: v.numpy() for k, v in loaded.signatures[signature](**feeds).items()}
        onnx_out = run_onnx(result.onnx_files[signature], feeds)
        for key in tf_out:
            assert np.max(np.abs(onnx_out[key] - tf_out[key])) <= 1e-4, (signature, key)


def test_the_logged_loss_is_the_error_before_the_update():
    """train_step displays the reconstruction error of g(f(x)) with the weights
    the step started from (the update itself does not use a loss)."""
    model = RecirculationAE(RecirculationConfig(image_size=8))
    model.compile()
    model.prepare()
    images = digit_batches(16, 1, image_size=8)[0][0]
    before = float(np.mean((np.asarray(model.reconstruct(images)) - np.asarray(images)) ** 2))
    logs = tf.function(model.train_step)((images, tf.zeros([16], tf.int32)))
    after = float(np.mean((np.asarray(model.reconstruct(images)) - np.asarray(images)) ** 2))
    assert abs(before - after) > 1e-4  # the step did change the reconstruction
    assert float(logs["loss"]) == pytest.approx(before, rel=1e-5)
