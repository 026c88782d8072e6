"""Variational autoencoder: KL and bound math, reparameterization, training,
conditional mode, config, export (+ ONNX), and two replicas = one device."""

import csv
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import (
    assert_two_replicas_match_one_device,
    digit_batches,
    train_steps,
)
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.commands.export import export_run
from keras_genzoo.export.onnx import run_onnx
from keras_genzoo.export.savedmodel import read_signatures
from keras_genzoo.losses.divergence import (
    bernoulli_log_likelihood,
    gaussian_kl,
    gaussian_kl_standard_normal,
    gaussian_log_density,
    standard_normal_log_density,
)
from keras_genzoo import runs
from keras_genzoo.models.vae.model import VAE
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer

TINY_DENSE = {"image_size": 16, "channels": 1, "architecture": "dense", "hidden_units": (32,),
              "code_dim": 4}
TINY_CONV = {"image_size": 16, "channels": 1, "architecture": "conv", "filters": 8, "code_dim": 4}


def _images(n, seed=0, size=16):
    return np.random.default_rng(seed).uniform(size=(n, size, size, 1)).astype(np.float32)


def _train_run(out, config, steps=3, **settings):
    overrides = {k: ",".join(map(str, v)) if isinstance(v, tuple) else str(v)
                 for k, v in config.items()}
    settings.setdefault("batch_size", 32)
    plan = plan_lib.resolve_plan("vae", overrides=overrides, out_dir=str(out), steps=steps,
                                **settings)
    trainer.train(plan, verbose=0)
    return out


# ---------------------------------------------------------------- the math
def test_analytic_kl_equals_a_monte_carlo_estimate():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(3, 4)).astype(np.float32)
    log_var = rng.uniform(-1.5, 1.0, size=(3, 4)).astype(np.float32)
    analytic = gaussian_kl_standard_normal(mean, log_var).numpy()
    # KL = E_q[log q(z) - log p(z)], z ~ q, averaged over 100k draws per row
    samples = 100_000
    eps = tf.random.stateless_normal([samples, 3, 4], seed=[0, 0])
    z = tf.reshape(mean + np.exp(0.5 * log_var) * eps, [-1, 4])
    log_q = gaussian_log_density(z, np.tile(mean, [samples, 1]), np.tile(log_var, [samples, 1]))
    diff = tf.reshape(log_q - standard_normal_log_density(z), [samples, 3]).numpy()
    estimate, standard_error = diff.mean(axis=0), diff.std(axis=0) / math.sqrt(samples)
    assert np.all(np.abs(estimate - analytic) < 4 * standard_error + 1e-3), (estimate, analytic)
    # hand values: KL(N(0,1)||N(0,1)) = 0; KL(N(1,1)||N(0,1)) = 1/2 per dimension
    assert gaussian_kl_standard_normal(np.zeros((1, 3)), np.zeros((1, 3))).numpy()[0] == 0.0
    np.testing.assert_allclose(gaussian_kl_standard_normal(np.ones((1, 3)), np.zeros((1, 3))),
                               [1.5], rtol=1e-6)
    # the general diagonal KL reduces to it, and KL(q||q) = 0
    np.testing.assert_allclose(gaussian_kl(mean, log_var, 0 * mean, 0 * log_var), analytic,
                               rtol=1e-5)
    np.testing.assert_allclose(gaussian_kl(mean, log_var, mean, log_var), 0.0, atol=1e-6)


def test_log_likelihoods_match_their_formulas():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(2, 3, 3, 1)).astype(np.float32)
    logits = rng.normal(size=(2, 3, 3, 1)).astype(np.float32)
    p = 1.0 / (1.0 + np.exp(-logits))
    bernoulli = (x * np.log(p) + (1 - x) * np.log(1 - p)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(bernoulli_log_likelihood(x, logits), bernoulli, rtol=1e-5)
    mean, std = rng.uniform(size=x.shape), 0.1
    gauss = (-0.5 * np.log(2 * np.pi * std**2) - (x - mean) ** 2 / (2 * std**2)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(gaussian_log_density(x, mean, 2 * np.log(std)), gauss, rtol=1e-5)


def test_reparameterization_gives_the_true_gradient_of_an_expectation():
    """E_{z~N(mu, s^2)}[z^2] = mu^2 + s^2: d/dmu = 2 mu, d/dlog_var = s^2."""
    mean = tf.Variable([[0.7, -1.2]])
    log_var = tf.Variable([[-0.4, 0.3]])
    eps = tf.random.stateless_normal([200_000, 2], seed=[3, 0])
    with tf.GradientTape() as tape:
        z = VAE.reparameterize(mean, log_var, eps)
        expectation = tf.reduce_mean(tf.reduce_sum(tf.square(z), axis=1))
    d_mean, d_log_var = tape.gradient(expectation, [mean, log_var])
    np.testing.assert_allclose(d_mean.numpy(), 2 * mean.numpy(), atol=0.02)
    np.testing.assert_allclose(d_log_var.numpy(), np.exp(log_var.numpy()), atol=0.02)


def test_gradient_of_the_negative_elbo_matches_finite_differences():
    keras.utils.set_random_seed(0)
    model = VAE(**TINY_DENSE, decoder="gaussian", gaussian_std=0.5).prepare()
    x = _images(8)
    eps = tf.random.stateless_normal([8, 4], seed=[1, 0])
    bias = model.encoder.get_layer("mean").bias  # shifts the posterior mean directly

    def loss():
        nll, kl = model.negative_elbo_terms(x, None, eps)
        return tf.reduce_mean(nll + kl)

    with tf.GradientTape() as tape:
        value = loss()
    gradient = tape.gradient(value, bias).numpy()
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).max() > 0
    h, start = 1e-2, bias.numpy().copy()
    for j in range(4):
        shifted = []
        for sign in (1, -1):
            step = np.zeros_like(start)
            step[j] = sign * h
            bias.assign(start + step)
            shifted.append(float(loss()))
        bias.assign(start)
        numeric = (shifted[0] - shifted[1]) / (2 * h)
        assert numeric == pytest.approx(gradient[j], rel=0.03, abs=2e-3)


def test_bounds_equal_log_likelihood_when_the_posterior_is_exact():
    """Decoder ignoring z and q(z|x) = p(z): every importance weight is p(x), so
    L_1 = L_k = ELBO = log p(x) exactly, a closed form."""
    model = VAE(**TINY_DENSE).prepare()
    for layer in ("mean", "log_var"):
        kernel, bias = model.encoder.get_layer(layer).weights
        kernel.assign(tf.zeros_like(kernel))
        bias.assign(tf.zeros_like(bias))
    first = model.decoder.get_layer("hidden0").kernel
    first.assign(tf.zeros_like(first))
    x = _images(6)
    logits = model.decoder(tf.zeros([6, 4]))
    log_px = bernoulli_log_likelihood(x, logits).numpy()
    np.testing.assert_allclose(model.elbo(x, samples=3), log_px, rtol=1e-5)
    for k in (1, 7):
        np.testing.assert_allclose(model.importance_weighted_bound(x, k=k), log_px, rtol=1e-5)


def test_importance_weighted_bound_tightens_with_k_and_k1_averages_to_the_elbo():
    keras.utils.set_random_seed(1)
    model = VAE(**TINY_DENSE, learning_rate=3e-3).prepare()
    train_steps(model, digit_batches(64, 30))  # a posterior that is not the prior (KL ~ 6 nats)
    x = digit_batches(64, 1, seed=5)[0][0]
    bounds = [model.importance_weighted_bound(x, k=k, seed=2).mean() for k in (1, 10, 100)]
    assert bounds[0] < bounds[1] < bounds[2], bounds
    # k = 1: one importance weight; its mean over many draws is the ELBO
    repeats = 200
    l1 = model.importance_weighted_bound(np.tile(x, [repeats, 1, 1, 1]), k=1, seed=3)
    l1 = l1.reshape(repeats, -1)
    elbo = model.elbo(x, samples=repeats, seed=4)
    standard_error = l1.std(axis=0).mean() / math.sqrt(repeats * len(x))
    assert abs(l1.mean() - elbo.mean()) < 4 * standard_error + 0.05
    assert bounds[2] - bounds[0] > 10 * standard_error  # the gain is not noise


@pytest.mark.parametrize("conditional", [False, True])
def test_importance_weighted_bound_is_one_traced_shape_whatever_the_chunking(
        monkeypatch, conditional):
    """The images go through in chunks of one size (the last padded and its padding
    dropped): per image the same bound as in one chunk, and one trace however the
    count divides."""
    import keras_genzoo.models.vae.model as vae_module

    config = dict(TINY_DENSE, **({"conditional": True, "num_classes": 3} if conditional
                                 else {}))
    keras.utils.set_random_seed(2)
    model = VAE(**config).prepare()
    x = _images(23, seed=4)
    labels = np.arange(23) % 3 if conditional else None
    whole = model.importance_weighted_bound(x, labels, k=5, seed=1)  # one chunk of 23
    monkeypatch.setattr(vae_module, "_CHUNK_PASSES", 5 * 4)  # chunks of 4: 6 chunks, 1 pad
    fresh = VAE(**config).prepare()
    fresh.set_weights(model.get_weights())
    chunked = fresh.importance_weighted_bound(x, labels, k=5, seed=1)
    assert chunked.shape == (23,)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-4)
    assert fresh._log_weights_mean.experimental_get_tracing_count() == 1
    assert len(fresh.importance_weighted_bound(x[:1], None if labels is None else labels[:1],
                                               k=5)) == 1
    assert fresh.importance_weighted_bound(x[:0], k=5).shape == (0,)


def test_training_improves_the_elbo_and_logs_its_terms():
    keras.utils.set_random_seed(0)
    model = VAE(**TINY_DENSE, learning_rate=3e-3).prepare()
    held_out = digit_batches(128, 1, seed=9)[0][0]
    before = model.evaluation_metrics(held_out)
    logs = train_steps(model, digit_batches(64, 60))
    after = model.evaluation_metrics(held_out)
    assert after["elbo"] > before["elbo"] + 20  # nats per 16x16 image
    assert after["mse"] < before["mse"]
    assert after["iw_bound"] >= after["elbo"] - 0.5
    assert set(after) >= {"mse", "psnr", "elbo", "kl", "iw_bound"}
    assert logs[-1]["loss"] == pytest.approx(logs[-1]["reconstruction"] + logs[-1]["kl"], rel=1e-5)
    assert model.steps_taken() == 60


def test_beta_weighs_the_kl_term_of_the_loss():
    model = VAE(**TINY_DENSE, beta=4.0).prepare()
    logs = train_steps(model, digit_batches(32, 1))[0]
    assert logs["loss"] == pytest.approx(logs["reconstruction"] + 4.0 * logs["kl"], rel=1e-5)


# ----------------------------------------------------------- config and API
def test_api_shapes():
    model = VAE(**TINY_CONV, decoder="gaussian", beta=2.0, iw_samples=5)
    x = _images(3)
    mean, log_var = model.encode_distribution(x)
    assert mean.shape == log_var.shape == (3, 4)
    np.testing.assert_allclose(model.encode(x), mean)
    recon = model.reconstruct(x)
    np.testing.assert_allclose(recon, model.decode(mean), atol=1e-6)
    np.testing.assert_allclose(recon, model(x), atol=1e-6)
    samples = model.sample(5, seed=1)
    assert samples.shape == (5, 16, 16, 1) and 0 <= samples.min() and samples.max() <= 1
    np.testing.assert_array_equal(samples, model.sample(5, seed=1))
    assert not np.allclose(samples, model.sample(5, seed=2))
    assert not model.uses_labels()
    with pytest.raises(GenzooError, match="conditional"):
        model.sample(2, label=3)


@pytest.mark.parametrize("key, value, message", [
    ("beta", -0.1, "beta"), ("num_classes", 1, "num_classes"), ("iw_samples", 0, "iw_samples"),
    ("gaussian_std", 0.0, "gaussian_std"), ("decoder", "laplace", "decoder"),
    ("reconstruction_loss", "bce", "decoder="),
])
def test_bad_config_values_are_one_line_errors(key, value, message):
    with pytest.raises(ConfigError, match=message) as error:
        VAE(config={**TINY_DENSE, key: value})
    assert "\n" not in str(error.value)


# ------------------------------------------------------- runs and exports
@pytest.fixture(scope="module")
def dense_run(tmp_path_factory):
    return _train_run(tmp_path_factory.mktemp("vae") / "run", {**TINY_DENSE, "iw_samples": 5})


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    return _train_run(tmp_path_factory.mktemp("cvae") / "run",
                      {**TINY_CONV, "conditional": True, "iw_samples": 5})


def _check_export(run, tmp_path, conditional):
    result = export_run(run, tmp_path / "exports")
    signatures = read_signatures(result.path)
    assert set(signatures) == {"serving_default", "encode", "decode", "decode_stochastic"}
    label = {"label": {"dtype": "int32", "shape": [None]}} if conditional else {}
    assert signatures["serving_default"]["inputs"] == {
        "x": {"dtype": "float32", "shape": [None, 16, 16, 1]}, **label}
    assert signatures["encode"]["outputs"] == {
        "mean": {"dtype": "float32", "shape": [None, 4]},
        "log_var": {"dtype": "float32", "shape": [None, 4]}}
    assert signatures["decode"]["inputs"] == {"code": {"dtype": "float32", "shape": [None, 4]},
                                              **label}
    assert list(signatures["decode"]["outputs"]) == ["reconstruction"]

    model, _ = runs.load_trained_model(run)
    x = digit_batches(5, 1, seed=2)[0][0]
    labels = np.array([0, 3, 3, 7, 9], np.int32)
    extra = {"label": labels} if conditional else {}
    loaded = tf.saved_model.load(str(result.path))
    encoded = {k: v.numpy() for k, v in loaded.signatures["encode"](x=x, **extra).items()}
    mean, log_var = model.encode_distribution(x, labels if conditional else None)
    np.testing.assert_allclose(encoded["mean"], mean, atol=1e-5)
    np.testing.assert_allclose(encoded["log_var"], log_var, atol=1e-5)
    served = loaded.signatures["serving_default"](x=x, **extra)["reconstruction"].numpy()
    np.testing.assert_allclose(served, model.reconstruct(x, labels if conditional else None),
                               atol=1e-5)
    feeds = {"serving_default": {"x": x, **extra}, "encode": {"x": x, **extra},
             "decode": {"code": mean, **extra}}
    for name, feed in feeds.items():
        tf_out = {k: v.numpy() for k, v in loaded.signatures[name](**feed).items()}
        onnx_out = run_onnx(result.onnx_files[name], feed)
        assert set(onnx_out) == set(tf_out)
        for key in tf_out:
            assert np.max(np.abs(onnx_out[key] - tf_out[key])) <= 1e-4, (name, key)
        assert result.onnx_max_abs_diff[name] <= 1e-4


def test_run_logs_elbo_metrics_and_exports_with_onnx_parity(dense_run, tmp_path):
    with open(dense_run / "history.csv") as handle:
        row = list(csv.DictReader(handle))[-1]
    assert {"loss", "reconstruction", "kl", "val_elbo", "val_kl", "val_iw_bound",
            "val_mse"} <= set(row)
    assert float(row["val_iw_bound"]) < 0 and float(row["val_elbo"]) < 0
    _check_export(dense_run, tmp_path, conditional=False)


def test_conditional_vae_trains_samples_by_label_and_exports(conditional_run, tmp_path):
    model, saved = runs.load_trained_model(conditional_run)
    assert saved["config"]["conditional"] is True and model.uses_labels()
    threes = model.sample(4, seed=0, label=3)
    assert threes.shape == (4, 16, 16, 1) and 0 <= threes.min() and threes.max() <= 1
    z = tf.random.stateless_normal([10, 4], seed=[0, 0]).numpy()  # the prior draw of seed 0
    np.testing.assert_allclose(threes, model.decode(z[:4], 3), atol=1e-6)
    assert not np.allclose(threes, model.sample(4, seed=0, label=5))  # the label matters
    grid = model.sample(10, seed=0)  # without label= the labels cycle 0..9
    np.testing.assert_allclose(grid[7:8], model.decode(z[7:8], [7]), atol=1e-6)
    with pytest.raises(GenzooError, match="out of range"):
        model.sample(2, label=10)
    x, y = digit_batches(6, 1, seed=1)[0]
    inferred = model.infer_labels(x)
    assert inferred.shape == (6,) and inferred.dtype == np.int32
    np.testing.assert_allclose(model.reconstruct(x), model.reconstruct(x, inferred), atol=1e-6)
    _check_export(conditional_run, tmp_path, conditional=True)


def test_conditional_vae_refuses_an_unlabelled_dataset(tmp_path):
    from PIL import Image

    folder = tmp_path / "flat"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(8):
        Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(folder / f"{index}.png")
    with pytest.raises(GenzooError, match="labels"):
        _train_run(tmp_path / "run", {**TINY_DENSE, "conditional": True}, steps=1,
                   batch_size=4, dataset=f"folder:{folder}")


# ------------------------------------------------------------ distribution
def test_two_replicas_match_one_device_for_the_same_global_batch():
    assert_two_replicas_match_one_device(VAE, {**TINY_CONV, "conditional": True},
                                         digit_batches(32, 3))
