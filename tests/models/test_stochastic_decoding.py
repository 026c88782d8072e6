"""Stochastic decoding: ``x ~ p_decoder(x | h)`` (Deep Learning 14.4) instead of its mean.

Bernoulli decoders (the VAE's, an autoencoder trained with cross-entropy on a sigmoid
output) give 0/1 draws whose average is the decoder's mean; Gaussian ones (the VAE's
Gaussian decoder, autoencoders trained with squared error) give the mean plus noise
of standard deviation ``gaussian_std``. Draws are reproducible from a seed, and the
export's ``decode_stochastic`` gives the same draw for the same noise.
"""

import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.errors import GenzooError
from keras_genzoo.models.ae.model import Autoencoder
from keras_genzoo.models.recirculation_ae.model import RecirculationAE
from keras_genzoo.models.vae.model import VAE

DENSE = {"architecture": "dense", "image_size": 8, "hidden_units": [16], "code_dim": 4}


def _bernoulli_ae():
    return Autoencoder({**DENSE, "reconstruction_loss": "bce"})


@pytest.mark.parametrize("make", [_bernoulli_ae, lambda: VAE({**DENSE, "decoder": "bernoulli"})])
def test_bernoulli_draws_are_binary_and_average_to_the_mean(make):
    model = make()
    assert model.decoder_distribution() == "bernoulli"
    mean = model.decode(np.random.default_rng(0).normal(size=(1, 4)).astype(np.float32))
    draws = model.draw_from_decoder(np.repeat(mean, 4000, axis=0), seed=3)
    assert set(np.unique(draws)) <= {0.0, 1.0}
    # 4,000 draws: the standard error of a pixel's average is at most 0.008
    np.testing.assert_allclose(draws.mean(axis=0), mean[0], atol=0.04)


@pytest.mark.parametrize("make, std", [
    (lambda: Autoencoder({**DENSE, "gaussian_std": 0.25}), 0.25),
    (lambda: VAE({**DENSE, "decoder": "gaussian", "gaussian_std": 0.05}), 0.05),
    (lambda: Autoencoder({"data_dim": 2, "hidden_units": [8], "code_dim": 2}), 0.1),
])
def test_gaussian_draws_scatter_around_the_mean_with_the_decoders_std(make, std):
    model = make()
    assert model.decoder_distribution() == "gaussian"
    codes = np.random.default_rng(1).normal(size=(500, 4 if not model.points else 2))
    mean = model.decode(codes.astype(np.float32))
    residual = model.decode_stochastic(codes, seed=5) - mean
    assert abs(residual.mean()) < 0.05 * std
    np.testing.assert_allclose(residual.std(), std, rtol=0.05)


def test_draws_are_reproducible_from_their_seed():
    model = _bernoulli_ae()
    codes = np.random.default_rng(2).normal(size=(16, 4)).astype(np.float32)
    first = model.decode_stochastic(codes, seed=7)
    np.testing.assert_array_equal(first, model.decode_stochastic(codes, seed=7))
    assert not np.array_equal(first, model.decode_stochastic(codes, seed=8))


def test_deterministic_decoders_refuse_with_one_line():
    for model in (RecirculationAE(), Autoencoder({**DENSE, "reconstruction_loss": "bce",
                                                  "output_activation": "linear"})):
        assert model.decoder_distribution() is None
        with pytest.raises(GenzooError, match="deterministic"):
            model.decode_stochastic(np.zeros([1, model.encoder.output_shape[-1]], np.float32))
        _, signatures = model.export_signatures()
        assert "decode_stochastic" not in signatures


@pytest.mark.parametrize("make", [
    _bernoulli_ae, lambda: Autoencoder(DENSE),
    lambda: VAE({**DENSE, "decoder": "gaussian"}),
    lambda: VAE({**DENSE, "conditional": True}),
])
def test_the_export_signature_draws_what_the_model_draws(make):
    model = make()
    _, signatures = model.export_signatures()
    codes = np.random.default_rng(4).normal(size=(6, 4)).astype(np.float32)
    extra = []
    labels = None
    if getattr(model.config, "conditional", False):
        labels = np.arange(6, dtype=np.int32) % 10
        extra.append(tf.constant(labels))
    means = model.decode(codes, labels)
    noise = model.decoder_noise(means.shape, seed=9)
    served = signatures["decode_stochastic"](tf.constant(codes), noise, *extra)
    expected = model.draw_from_decoder(means, seed=9)
    np.testing.assert_allclose(served["reconstruction"].numpy(), expected, atol=1e-5)
    assert model.export_metadata()["decoder"]["distribution"] == model.decoder_distribution()


def test_sample_grid_shows_draws_where_asked():
    model = _bernoulli_ae()
    images = np.random.default_rng(6).uniform(size=(8, 8, 8, 1)).astype(np.float32)
    grid, columns = model.sample_grid(8, seed=1, held_out=lambda n, s: (images[:n], None),
                                      stochastic=True)
    assert set(np.unique(grid[8:])) <= {0.0, 1.0}  # the row under the inputs
    mean_grid, _ = model.sample_grid(8, seed=1, held_out=lambda n, s: (images[:n], None))
    assert len(np.unique(mean_grid[8:])) > 2
