"""The `ae` presets `linear` and `overcomplete` (Deep Learning 14.1).

* linear: no nonlinearity + MSE on 8x8 digits (64-d) with a k = 8 code learns
  the top-k principal subspace: the decoder's column space matches PCA's to
  under a degree and the MSE reaches the PCA optimum (sum of the discarded
  eigenvalues of the centered covariance, divided by d = 64).
* overcomplete: a code wider than the input and no regularizer learns to copy:
  random noise (never seen) is reconstructed too, which an undercomplete code
  cannot do.
"""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.data import open_source
from keras_genzoo.commands.export import export_run
from keras_genzoo.export.onnx import run_onnx
from keras_genzoo.export.savedmodel import read_signatures
from keras_genzoo.models.ae.model import Autoencoder
from keras_genzoo.registry import get
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import trainer

K = 8


def _preset(name):
    return dict(get("ae").presets[name].config)


def _train_images():
    return open_source("digits", image_size=8, channels=1).take_images(10_000)


def _pca(images):
    """Eigenvalues (descending) and eigenvectors of the CENTERED data covariance."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    centered = flat - flat.mean(axis=0)
    values, vectors = np.linalg.eigh(centered.T @ centered / len(flat))
    return values[::-1], vectors[:, ::-1]


def _largest_angle_degrees(a, b):
    """Largest principal angle between the column spaces of a and b (via SVD of Q_a^T Q_b)."""
    qa, _ = np.linalg.qr(a)
    qb, _ = np.linalg.qr(b)
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return float(np.degrees(np.arccos(np.clip(cosines.min(), -1.0, 1.0))))


def _decoder_columns(model):
    """The decoder maps code -> pixels by h @ W (W: [k, 64]); its column space is W^T's."""
    return np.asarray(model.decoder.get_layer("pixels").kernel).T


def _mse(model, images):
    return float(np.mean((model.reconstruct(images) - images) ** 2))


def test_presets_describe_linear_and_overcomplete_networks():
    linear = Autoencoder(config=_preset("linear"))
    assert [layer.__class__.__name__ for layer in linear.encoder.layers[1:]] == ["Flatten", "Dense"]
    assert linear.encoder.output_shape == (None, K) and linear.decoder.output_shape[1:] == (8, 8, 1)
    over = Autoencoder(config=_preset("overcomplete"))
    assert over.encoder.output_shape == (None, 128) and over.config.image_size ** 2 == 64
    for model in (linear, over):
        clone = Autoencoder.from_config(json.loads(json.dumps(model.get_config())))
        assert clone.config == model.config and clone.config.hidden_units == ()


@pytest.fixture(scope="module")
def linear_run(tmp_path_factory):
    plan = plan_lib.resolve_plan("ae", preset="linear",
                                out_dir=str(tmp_path_factory.mktemp("linear") / "run"))
    # a cosine-decayed step: with a constant Adam step the subspace keeps
    # wandering, because the eigengap lambda_8 - lambda_9 is small
    assert plan.config["lr_decay_steps"] == plan.settings.epochs * 25 == 3000
    trainer.train(plan, verbose=0)
    return plan.out_dir


@pytest.fixture(scope="module")
def overcomplete_run(tmp_path_factory):
    plan = plan_lib.resolve_plan("ae", preset="overcomplete",
                                out_dir=str(tmp_path_factory.mktemp("over") / "run"))
    trainer.train(plan, verbose=0)
    return plan.out_dir


def test_linear_autoencoder_learns_the_pca_subspace_and_optimum(linear_run):
    """`genzoo train ae --preset linear` spans the top-k PCA subspace (Deep Learning 14.1)."""
    images = _train_images()
    eigenvalues, eigenvectors = _pca(images)
    optimum = eigenvalues[K:].sum() / images[0].size  # best rank-k affine reconstruction
    model, saved = runs.load_trained_model(linear_run)
    assert saved["preset"] == "linear"
    angle = _largest_angle_degrees(_decoder_columns(model), eigenvectors[:, :K])
    mse = _mse(model, images)
    assert angle < 1.0, angle
    assert mse <= 1.01 * optimum, (mse, optimum)
    assert mse >= 0.999 * optimum  # nothing linear of rank k beats PCA
    keras.utils.set_random_seed(0)
    untrained = Autoencoder(config=_preset("linear"))
    untrained(images[:2])
    # the check can fail: a random decoder is far from the PCA subspace
    assert _largest_angle_degrees(_decoder_columns(untrained), eigenvectors[:, :K]) > 20.0


def test_linear_preset_export_reload_and_onnx_parity(linear_run, tmp_path):
    result = export_run(linear_run, tmp_path / "exports")
    signatures = read_signatures(result.path)
    assert set(signatures) == {"serving_default", "encode", "decode", "decode_stochastic"}
    assert signatures["serving_default"]["inputs"]["x"]["shape"] == [None, 8, 8, 1]
    assert signatures["encode"]["outputs"]["code"]["shape"] == [None, K]
    assert signatures["decode"]["inputs"]["code"]["shape"] == [None, K]
    assert signatures["decode"]["outputs"]["reconstruction"]["shape"] == [None, 8, 8, 1]
    model, _ = runs.load_trained_model(linear_run)
    x = open_source("digits", image_size=8, channels=1, split="test").take_images(5)
    loaded = tf.saved_model.load(str(result.path))
    served = loaded.signatures["serving_default"](x=x)["reconstruction"].numpy()
    np.testing.assert_allclose(served, model.reconstruct(x), atol=1e-5)
    onnx_out = run_onnx(result.onnx_files["serving_default"], {"x": x})["reconstruction"]
    assert np.max(np.abs(onnx_out - served)) <= 1e-4
    assert max(result.onnx_max_abs_diff.values()) <= 1e-4


def _noise_on_the_digit_support(count, seed=0):
    """Uniform noise on the 8x8 pixels where the training digits vary (variance > 0.01).

    The other 17 pixels are (almost) always 0 in the digits: gradient descent
    never moves a linear encoder along them (its gradient lies in the span of
    the inputs), so no training can make the model copy there.
    """
    variance = _train_images().var(axis=0)
    noise = np.random.default_rng(seed).uniform(size=(count, 8, 8, 1)).astype(np.float32)
    return noise * (variance > 0.01), variance > 0.01


def test_overcomplete_autoencoder_copies_noise_the_undercomplete_cannot(overcomplete_run,
                                                                        linear_run):
    digits = open_source("digits", image_size=8, channels=1, split="test").take_images(200)
    noise, support = _noise_on_the_digit_support(200)
    assert 40 <= support.sum() <= 55
    over, _ = runs.load_trained_model(overcomplete_run)
    under, _ = runs.load_trained_model(linear_run)
    noise_variance = float(np.mean(np.var(noise, axis=0)))  # MSE of predicting the mean
    over_digits, over_noise = _mse(over, digits), _mse(over, noise)
    under_digits, under_noise = _mse(under, digits), _mse(under, noise)
    # the overcomplete code reproduces held-out digits almost exactly ...
    assert over_digits < 0.005 and over_digits < 0.25 * under_digits
    # ... and random noise it never saw: a copy, not a model of digits
    assert over_noise < 0.25 * noise_variance
    assert over_noise < 0.2 * under_noise
    # the undercomplete (PCA) code throws the noise away: worse than the mean image
    assert under_noise > noise_variance
