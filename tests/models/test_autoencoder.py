"""Undercomplete autoencoder: shapes, loss math, encode/decode, training."""

import keras
import numpy as np
import pytest

from helpers import TINY_AE, digit_batches, train_steps
from keras_genzoo.losses.reconstruction import binary_cross_entropy, mean_squared_error
from keras_genzoo.models.ae.model import Autoencoder


def test_reconstruction_losses_are_per_example_means():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(3, 4, 4, 1)).astype(np.float32)
    r = rng.uniform(0.05, 0.95, size=(3, 4, 4, 1)).astype(np.float32)
    np.testing.assert_allclose(mean_squared_error(x, r), ((x - r) ** 2).mean(axis=(1, 2, 3)), rtol=1e-6)
    bce = -(x * np.log(r) + (1 - x) * np.log(1 - r)).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(binary_cross_entropy(x, r), bce, rtol=1e-5)


@pytest.mark.parametrize("architecture", ["conv", "dense"])
def test_shapes_and_encode_decode_compose(architecture):
    model = Autoencoder(**TINY_AE, architecture=architecture, hidden_units=(32,))
    x = np.random.default_rng(0).uniform(size=(4, 16, 16, 1)).astype(np.float32)
    code = model.encode(x)
    assert code.shape == (4, TINY_AE["code_dim"])  # undercomplete: 8 < 256 pixels
    recon = model.reconstruct(x)
    assert recon.shape == x.shape and recon.min() >= 0 and recon.max() <= 1
    np.testing.assert_allclose(recon, model.decode(code), atol=1e-6)
    np.testing.assert_allclose(recon, model(x), atol=1e-6)


@pytest.mark.parametrize("architecture", ["conv", "dense"])
def test_training_lowers_the_reconstruction_error(architecture):
    keras.utils.set_random_seed(0)
    model = Autoencoder(**TINY_AE, architecture=architecture, learning_rate=3e-3).prepare()
    batches = digit_batches(64, 40)
    images = np.concatenate([b[0] for b in batches[:2]])
    before = float(np.mean(mean_squared_error(images, model.reconstruct(images))))
    train_steps(model, batches)
    after = float(np.mean(mean_squared_error(images, model.reconstruct(images))))
    assert after < 0.6 * before
    assert model.steps_taken() == 40
