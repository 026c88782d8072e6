"""DCGAN: architecture, loss math, config round trip, and real training steps."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_DCGAN, digit_batches, train_steps
from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.adversarial import (
    discriminator_logistic_loss,
    generator_non_saturating_loss,
)
from keras_genzoo.models.dcgan.model import DCGAN


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_logistic_losses_match_their_definitions():
    real = np.array([-3.0, 0.0, 2.5, 40.0], np.float32)
    fake = np.array([1.0, -2.0, 0.3, -40.0], np.float32)
    expected_d = -np.log(_sigmoid(real.astype(np.float64))) - np.log(1 - _sigmoid(fake.astype(np.float64)))
    np.testing.assert_allclose(discriminator_logistic_loss(real, fake), expected_d, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        generator_non_saturating_loss(fake), -np.log(_sigmoid(fake.astype(np.float64))), rtol=1e-5
    )
    # one-sided smoothing: real target 0.9 -> cross-entropy with 0.9 / 0.1
    real, fake = real[:3], fake[:3]  # keep log(1 - p) finite in float64
    smoothed = discriminator_logistic_loss(real, fake, label_smoothing=0.1)
    p = _sigmoid(real.astype(np.float64))
    expected = -(0.9 * np.log(p) + 0.1 * np.log(1 - p)) - np.log(1 - _sigmoid(fake.astype(np.float64)))
    np.testing.assert_allclose(smoothed, expected, rtol=1e-5, atol=1e-6)
    # per example: one value per logit, and finite for huge logits
    assert discriminator_logistic_loss(real, fake).shape == (3,)
    assert np.isfinite(generator_non_saturating_loss(np.array([-1e4], np.float32))).all()


@pytest.mark.parametrize("size, levels", [(16, 2), (32, 3), (64, 4)])
def test_architecture_follows_the_paper(size, levels):
    model = DCGAN(image_size=size, channels=3, base_filters=8, latent_dim=10)
    z = tf.random.normal([2, 10])
    images = model.generator(z, training=False)
    assert images.shape == (2, size, size, 3)
    assert float(tf.reduce_max(tf.abs(images))) <= 1.0  # tanh
    logit, features = model.discriminator(images)
    assert logit.shape == (2, 1)  # one logit; the features feed feature matching
    assert features.shape == (2, 4 * 4 * 8 * 2 ** (levels - 1))
    strided = [l for l in model.discriminator.layers if isinstance(l, keras.layers.Conv2D)]
    assert [l.strides for l in strided] == [(2, 2)] * levels  # no pooling, strided convs
    # no BatchNorm on D's input layer nor G's output layer
    first_after_input = model.discriminator.layers[2]
    assert isinstance(first_after_input, keras.layers.LeakyReLU)
    assert not isinstance(model.generator.layers[-2], keras.layers.BatchNormalization)
    assert model.generator.layers[-1].get_config()["activation"] == "tanh"


def test_bad_image_size_is_a_config_error():
    with pytest.raises(ConfigError, match="power of two"):
        DCGAN(image_size=24)
    with pytest.raises(ConfigError, match="channels"):
        DCGAN(channels=2)


def test_optimizers_follow_the_paper():
    model = DCGAN(**TINY_DCGAN).prepare()
    for optimizer in model.network_optimizers.values():
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)
        assert float(optimizer.beta_1) == pytest.approx(0.5)
        assert optimizer.built


def test_training_steps_update_both_networks_and_discriminator_learns():
    keras.utils.set_random_seed(0)
    model = DCGAN(**TINY_DCGAN, discriminator_lr=1e-3).prepare()
    logs = train_steps(model, digit_batches(32, 15))
    assert model.steps_taken() == 15
    # untrained D outputs ~0.5 everywhere: d_loss starts near 2 log 2 and falls
    assert logs[0]["d_loss"] == pytest.approx(2 * np.log(2), abs=0.25)
    assert np.mean([l["d_loss"] for l in logs[-3:]]) < logs[0]["d_loss"] - 0.2
    assert all(np.isfinite(list(l.values())).all() for l in logs)


def test_a_generator_step_lowers_the_generator_loss_for_fixed_discriminator():
    keras.utils.set_random_seed(1)
    model = DCGAN(**TINY_DCGAN, generator_lr=1e-3).prepare()
    z = tf.random.normal([32, TINY_DCGAN["latent_dim"]])

    def g_loss():
        logits = model.discriminator(model.generator(z, training=True), training=False)[0]
        return float(tf.reduce_mean(generator_non_saturating_loss(logits)))

    before = g_loss()
    with tf.GradientTape() as tape:
        logits = model.discriminator(model.generator(z, training=True), training=False)[0]
        loss = tf.reduce_mean(generator_non_saturating_loss(logits))
    model.apply_gradients("generator", tape, loss)
    assert g_loss() < before


def test_sample_is_reproducible_and_in_unit_range():
    model = DCGAN(**TINY_DCGAN)
    a, b = model.sample(5, seed=3), model.sample(5, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 16, 16, 1) and a.min() >= 0.0 and a.max() <= 1.0
    assert not np.allclose(a, model.sample(5, seed=4))


@pytest.mark.parametrize("options", [{}, {"minibatch_discrimination": 4}], ids=["plain", "minibatch"])
def test_every_weight_starts_from_the_papers_normal(options):
    """Radford et al. 2015, section 4: every convolution and dense kernel of G and D,
    the discriminator's logit included, from N(0, 0.02); biases 0; BatchNorm at
    gamma 1, beta 0 (see networks.convolutional.dcgan_initializer)."""
    keras.utils.set_random_seed(11)
    model = DCGAN({**TINY_DCGAN, "base_filters": 16, **options})
    kernels = 0
    for network in (model.generator, model.discriminator):
        for layer in network.layers:
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose,
                                  keras.layers.Dense)):
                initializer = layer.kernel_initializer
                assert isinstance(initializer, keras.initializers.RandomNormal), layer.name
                assert (initializer.mean, initializer.stddev) == (0.0, 0.02), layer.name
                kernel = layer.kernel.numpy()
                # freshly drawn: the empirical moments agree (>= 256 values per kernel here)
                assert kernel.size >= 256, layer.name
                assert abs(kernel.std() - 0.02) < 0.003 and abs(kernel.mean()) < 0.003, layer.name
                if layer.use_bias:
                    np.testing.assert_array_equal(layer.bias.numpy(), 0.0)
                kernels += 1
            elif isinstance(layer, keras.layers.BatchNormalization):
                np.testing.assert_array_equal(layer.gamma.numpy(), 1.0)
                np.testing.assert_array_equal(layer.beta.numpy(), 0.0)
    assert kernels == 3 + 3  # G: project, up0, to_image; D: down0, down1, logit
    logit = model.discriminator.get_layer("logit")
    assert abs(logit.kernel.numpy().std() - 0.02) < 0.003
