"""Sparse autoencoder: penalty math, target activation, L1 sparsity, distribution, export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import (
    assert_two_replicas_match_one_device,
    digit_batches,
    train_steps,
)
from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.sparsity import kl_sparsity_penalty, l1_code_penalty, near_zero_fraction
from keras_genzoo.models.sparse_ae.model import NEAR_ZERO_THRESHOLD, SparseAE

#: a dense sparse AE on native 8x8 digits, small enough for a CPU test
TINY_DENSE = {"image_size": 8, "architecture": "dense", "hidden_units": (32,), "code_dim": 16}
TINY_KL = {**TINY_DENSE, "penalty": "kl", "code_activation": "sigmoid"}


def _test_digits(count):
    """The first ``count`` digits of the held-out (test) split, 8x8."""
    from keras_genzoo.data import open_source

    source = open_source("digits", image_size=8, channels=1, split="test")
    return next(iter(source.elements().batch(count)))[0].numpy()


def _numpy_kl(q, rho):
    return float(np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))))


# ------------------------------------------------------------ penalty math
def test_l1_penalty_is_the_per_example_sum_of_absolute_codes():
    h = np.random.default_rng(0).normal(size=(5, 7)).astype(np.float32)
    np.testing.assert_allclose(l1_code_penalty(h), np.abs(h).sum(axis=1), rtol=1e-6)
    # Laplace prior view (Deep Learning eq. 14.6-14.7): -log p(h) - const = lambda sum |h_i|
    lam = 0.3
    neg_log_prior = -np.sum(np.log(lam / 2 * np.exp(-lam * np.abs(h))), axis=1)
    const = -h.shape[1] * np.log(lam / 2)
    np.testing.assert_allclose(lam * l1_code_penalty(h), neg_log_prior - const, rtol=1e-5)


def test_kl_penalty_matches_the_bernoulli_divergence():
    q = np.array([0.01, 0.05, 0.2, 0.5, 0.9], np.float32)
    assert float(kl_sparsity_penalty(q, 0.05)) == pytest.approx(_numpy_kl(q, 0.05), rel=1e-5)
    # zero exactly at the target, positive elsewhere, and convex around it
    at_target = float(kl_sparsity_penalty(np.full(4, 0.05, np.float32), 0.05))
    assert at_target == pytest.approx(0, abs=1e-7)
    values = [float(kl_sparsity_penalty(np.array([v], np.float32), 0.05))
              for v in (0.03, 0.05, 0.07)]
    assert values[0] > values[1] < values[2]
    # saturated units stay finite (clipped)
    assert np.isfinite(float(kl_sparsity_penalty(np.array([0.0, 1.0], np.float32), 0.05)))


def test_near_zero_fraction_counts_entries_below_the_threshold():
    h = np.array([[0.0, 0.005, -0.009, 0.5], [1.0, -1.0, 0.02, 0.0]], np.float32)
    np.testing.assert_allclose(near_zero_fraction(h, 1e-2), [0.75, 0.25])


@pytest.mark.parametrize("config", [{**TINY_DENSE, "code_activation": "relu", "l1_lambda": 0.01},
                                    {**TINY_KL, "beta": 2.0, "rho": 0.1}], ids=["l1", "kl"])
def test_first_step_loss_is_reconstruction_plus_penalty(config):
    """train_step's logged loss = mean L(x, g(f(x))) + Omega(h), from the pre-step weights."""
    keras.utils.set_random_seed(1)
    model = SparseAE(**config).prepare()
    (images, labels), = digit_batches(32, 1, image_size=8)
    h = model.encode(images).astype(np.float64)
    mse = float(np.mean((images - model.decode(h)) ** 2))
    c = model.config
    penalty = (c.l1_lambda * np.abs(h).sum(axis=1).mean() if c.penalty == "l1"
               else c.beta * _numpy_kl(h.mean(axis=0), c.rho))
    logs = train_steps(model, [(images, labels)])[0]
    assert logs["reconstruction"] == pytest.approx(mse, rel=1e-4)
    assert logs["penalty"] == pytest.approx(penalty, rel=1e-4)
    assert logs["loss"] == pytest.approx(mse + penalty, rel=1e-4)
    assert logs["mean_abs_code"] == pytest.approx(np.abs(h).mean(), rel=1e-4)
    assert logs["near_zero_fraction"] == pytest.approx((np.abs(h) < NEAR_ZERO_THRESHOLD).mean())


# ------------------------------------------------------------- training
def test_kl_penalty_drives_every_code_unit_to_the_target_rate():
    keras.utils.set_random_seed(0)
    model = SparseAE(**TINY_KL, rho=0.05, learning_rate=1e-2).prepare()
    batches = digit_batches(64, 150, image_size=8)
    held_out = _test_digits(256)
    assert abs(model.encode(held_out).mean() - 0.05) > 0.2  # sigmoid starts near 0.5
    train_steps(model, batches)
    rho_hat = model.encode(held_out).mean(axis=0)
    assert abs(rho_hat.mean() - 0.05) < 0.02
    assert np.max(np.abs(rho_hat - 0.05)) < 0.02, rho_hat
    metrics = model.evaluation_metrics(held_out)
    assert metrics["mean_abs_code"] == pytest.approx(float(rho_hat.mean()), rel=1e-4)
    assert set(metrics) >= {"mse", "psnr", "penalty", "mean_abs_code", "near_zero_fraction"}


def test_l1_penalty_lowers_the_mean_absolute_code():
    def mean_abs_code(l1_lambda):
        keras.utils.set_random_seed(0)  # same initial weights for both
        model = SparseAE(**TINY_DENSE, code_activation="relu", l1_lambda=l1_lambda,
                         learning_rate=1e-2).prepare()
        train_steps(model, digit_batches(64, 100, image_size=8))
        return model.evaluation_metrics(held_out)

    held_out = _test_digits(256)
    plain, sparse = mean_abs_code(0.0), mean_abs_code(1e-3)  # the default lambda
    assert sparse["mean_abs_code"] < 0.5 * plain["mean_abs_code"], (plain, sparse)
    assert sparse["near_zero_fraction"] > plain["near_zero_fraction"] + 0.1
    # sparse, not dead: codes still carry the digits
    assert sparse["near_zero_fraction"] < 0.95 and sparse["mse"] < 2 * plain["mse"]


def test_kl_penalty_on_two_replicas_matches_one_device():
    """rho_hat is a GLOBAL batch statistic: all-reduced, with gradients summing right."""
    batches = digit_batches(32, 4, image_size=8)
    # beta large so that a wrong KL gradient (halved, doubled, per-replica rho_hat) shows
    assert_two_replicas_match_one_device(
        SparseAE, {**TINY_KL, "beta": 5.0, "learning_rate": 1e-2}, batches, abs_=1e-5)


def test_a_per_replica_rho_hat_would_differ():
    """Guard for the test above: the per-replica mean activations differ from the global one,
    so a model that skipped the all-reduce would not match one device."""
    (images, _), = digit_batches(32, 1, image_size=8)
    keras.utils.set_random_seed(0)
    model = SparseAE(**TINY_KL).prepare()
    h = model.encode(images)
    halves = [_numpy_kl(part.mean(axis=0), 0.05) for part in (h[:16], h[16:])]
    assert abs(np.mean(halves) - _numpy_kl(h.mean(axis=0), 0.05)) > 1e-3
    np.testing.assert_allclose(SparseAE.global_mean_activation(h), h.mean(axis=0), rtol=1e-6)


# --------------------------------------------------------------- config
@pytest.mark.parametrize("overrides, message", [
    ({"penalty": "kl", "code_activation": "relu"}, "penalty=kl needs code_activation=sigmoid"),
    ({"penalty": "kl"}, "code_activation='linear'"),
    ({"l1_lambda": -0.1}, "l1_lambda must be >= 0, got -0.1"),
    ({"rho": 0.0}, r"rho must be in \(0, 1\), got 0.0"),
    ({"rho": 1.5}, r"rho must be in \(0, 1\), got 1.5"),
    ({"beta": -1}, "beta must be >= 0"),
    ({"penalty": "l2"}, "penalty"),
])
def test_config_validation(overrides, message):
    with pytest.raises(ConfigError, match=message):
        SparseAE(**TINY_DENSE, **overrides)


# ------------------------------------------------------ train, export, ONNX
def test_trainer_run_exports_with_onnx_parity(tmp_path):
    from keras_genzoo.commands.export import export_run
    from keras_genzoo.export.onnx import run_onnx
    from keras_genzoo.export.savedmodel import read_signatures
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    overrides = {"image_size": "8", "hidden_units": "32", "code_dim": "16"}
    plan = plan_lib.resolve_plan("sparse-ae", preset="kl", overrides=overrides,
                                out_dir=str(tmp_path / "run"), steps=3, batch_size=32)
    result = trainer.train(plan, verbose=0)
    assert result.steps == 3
    row = result.history[-1]
    assert {"penalty", "mean_abs_code", "val_mean_abs_code", "val_near_zero_fraction"} <= set(row)

    export = export_run(tmp_path / "run", tmp_path / "exports")
    signatures = read_signatures(export.path)
    assert set(signatures) == {"serving_default", "encode", "decode", "decode_stochastic"}
    assert signatures["encode"]["outputs"]["code"]["shape"] == [None, 16]
    assert signatures["serving_default"]["outputs"]["reconstruction"]["shape"] == [None, 8, 8, 1]
    assert max(export.onnx_max_abs_diff.values()) <= 1e-4

    model, _ = runs.load_trained_model(tmp_path / "run")
    x = np.random.default_rng(1).uniform(size=(3, 8, 8, 1)).astype(np.float32)
    loaded = tf.saved_model.load(str(export.path))
    code = loaded.signatures["encode"](x=x)["code"].numpy()
    np.testing.assert_allclose(code, model.encode(x), atol=1e-5)
    assert 0 < code.min() and code.max() < 1  # sigmoid code
    served = loaded.signatures["serving_default"](x=x)["reconstruction"].numpy()
    np.testing.assert_allclose(served, model.reconstruct(x), atol=1e-5)
    onnx_out = run_onnx(export.onnx_files["serving_default"], {"x": x})["reconstruction"]
    assert np.max(np.abs(onnx_out - served)) <= 1e-4
