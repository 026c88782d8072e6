"""Goodfellow et al. 2014, section 4.1, on the line: with G fixed, the library's
discriminator trained with its own loss converges to D*(x) = p_data / (p_data + p_g)
(Proposition 1), and its loss there is log 4 - 2 JS(p_data || p_g) (Theorem 1).

G is "frozen" by feeding D samples of a known density, N(0.5, 1.5^2), instead of
a generator's output, so p_g is exact rather than a KDE.
"""

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from keras_genzoo.data.toy1d import MIXTURES, sample_mixture
from keras_genzoo.metrics.optimal_discriminator import (
    expected_discriminator_loss,
    js_divergence,
    optimal_discriminator,
)
from keras_genzoo.models.gan.model import GAN

P_G = stats.norm(loc=0.5, scale=1.5)


def _train_discriminator(model, steps=1500, batch=1024):
    mixture = MIXTURES["bimodal"]
    real_pool = sample_mixture(mixture, 200_000, seed=7)[0]
    fake_pool = P_G.rvs(size=(200_000, 1), random_state=8).astype(np.float32)
    schedule = tf.keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.05)
    optimizer = tf.keras.optimizers.Adam(schedule)
    weights = model.discriminator.trainable_variables

    @tf.function
    def step(real, fake):
        with tf.GradientTape() as tape:
            real_logits, _ = model.discriminate(real, training=True)
            fake_logits, _ = model.discriminate(fake, training=True)
            loss = tf.reduce_mean(model.discriminator_loss(real_logits, fake_logits))
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return loss

    rng = np.random.default_rng(9)
    for _ in range(steps):
        step(real_pool[rng.integers(0, len(real_pool), batch)],
             fake_pool[rng.integers(0, len(fake_pool), batch)])
    return real_pool, fake_pool


@pytest.fixture(scope="module")
def trained():
    tf.keras.utils.set_random_seed(0)
    model = GAN(data_dim=1, latent_dim=1, discriminator_units=(64, 64), generator_units=(8,),
                dropout=0.0, loss="non_saturating")
    real, fake = _train_discriminator(model)
    return model, real, fake


def test_trained_discriminator_matches_the_optimal_one(trained):
    model, _, _ = trained
    mixture = MIXTURES["bimodal"]
    grid = np.linspace(-5.0, 5.5, 421)
    p_data, p_g = mixture.density(grid), P_G.pdf(grid)
    d_star = optimal_discriminator(p_data, p_g)
    d = model.discriminator_probability(grid[:, None])
    # where the two densities are tiny, D's value is never trained: compare where
    # the data D sees is not negligible
    seen = (p_data + p_g) > 0.05
    assert seen.sum() > 200
    error = np.abs(d - d_star)[seen]
    assert error.max() < 0.05, error.max()
    assert error.mean() < 0.015, error.mean()
    # the optimum is not 1/2 everywhere: D* spans most of [0, 1] here, so a D stuck
    # at a constant would fail the bound above
    assert d_star[seen].min() < 0.1 and d_star[seen].max() > 0.85


def test_discriminator_loss_at_the_optimum_is_log4_minus_2js(trained):
    model, real, fake = trained
    mixture = MIXTURES["bimodal"]
    grid = np.linspace(-12.0, 12.0, 4801)
    p_data, p_g = mixture.density(grid), P_G.pdf(grid)
    js = js_divergence(p_data, p_g, grid)
    optimum = np.log(4.0) - 2.0 * js
    assert 0.15 < js < 0.6  # the densities differ: the bound below is no triviality
    # the theorem itself, on the grid: -V(D*, G) = log 4 - 2 JS
    assert expected_discriminator_loss(optimal_discriminator(p_data, p_g), p_data, p_g,
                                       grid) == pytest.approx(optimum, abs=1e-3)
    # the library's discriminator loss (its per-example logistic loss, a minimised
    # -V) of the trained D on fresh samples from both densities
    real_logits, _ = model.discriminate(tf.constant(real[:100_000]))
    fake_logits, _ = model.discriminate(tf.constant(fake[:100_000]))
    loss = float(tf.reduce_mean(model.discriminator_loss(real_logits, fake_logits)))
    assert loss == pytest.approx(optimum, abs=0.02)
    # D* minimises the loss: the trained D can only be above it (sampling noise aside)
    assert loss > optimum - 0.01
