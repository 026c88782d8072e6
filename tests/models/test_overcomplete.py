"""Overcomplete autoencoders (code wider than the input, Deep Learning 14.2): the
unregularized one copies its input, the regularized ones (sparse, denoising,
contractive) do not, and still reconstruct the data.

Trained from the families' ``overcomplete`` presets on 8x8 digits (64 pixels, 128
code units), 500 steps each.
"""

import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo import registry
from keras_genzoo.data import open_source
from keras_genzoo.errors import GenzooError
from keras_genzoo.metrics.overcomplete import (copy_error, filter_localization, off_data_images,
                                               relative_error, used_pixels)

STEPS = 500
REGULARIZED = ("sparse-ae", "denoising-ae", "contractive-ae")


@pytest.fixture(scope="module")
def digits():
    train = open_source("digits", image_size=8, channels=1).take_examples(2000)[0]
    test = open_source("digits", image_size=8, channels=1, split="test").take_examples(500)[0]
    return train, test


def _trained(name, images):
    import keras

    spec = registry.get(name)
    config = spec.presets["overcomplete"].config
    keras.utils.set_random_seed(0)
    model = spec.load_class()(dict(config))
    assert model.config.code_dim > model.config.image_size ** 2  # overcomplete
    model.compile()
    step = tf.function(model.train_step)
    batches = tf.data.Dataset.from_tensor_slices(images).shuffle(2000, seed=0).repeat().batch(64)
    for _, batch in zip(range(STEPS), batches):
        step(batch)
    return model


@pytest.fixture(scope="module")
def trained(digits):
    return {name: _trained(name, digits[0]) for name in ("ae", *REGULARIZED)}


def test_the_unregularized_overcomplete_ae_copies_and_the_regularized_do_not(trained, digits):
    train, test = digits
    copies = {name: copy_error(model.reconstruct, train) for name, model in trained.items()}
    digits_error = {name: relative_error(test, model.reconstruct(test), train.mean(axis=0))
                    for name, model in trained.items()}
    assert copies["ae"] < 0.25, copies
    for name in REGULARIZED:
        assert copies[name] > 0.5 and copies[name] > 3 * copies["ae"], copies
        # ... while they do model the (held-out) digits: better than the mean image, and
        # better than the off-data images
        assert digits_error[name] < 0.7 and digits_error[name] < 0.8 * copies[name], \
            (name, digits_error, copies)


def test_encoder_filters_are_the_code_layers_weights(trained):
    model = trained["ae"]
    filters = model.encoder_filters()
    assert filters.shape == (128, 8, 8, 1)
    image = np.random.default_rng(0).uniform(size=(1, 8, 8, 1)).astype(np.float32)
    code = model.encode(image)  # linear code: h = W^T x + b
    bias = np.asarray(model.encoder.get_layer("code").bias)
    np.testing.assert_allclose(code[0], filters.reshape(128, -1) @ image.reshape(-1) + bias,
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(GenzooError, match="single dense"):
        registry.get("ae").load_class()({"architecture": "dense", "hidden_units": [16]}) \
            .encoder_filters()


def test_the_measures_on_known_cases():
    images = np.random.default_rng(1).uniform(size=(200, 4, 4, 1)).astype(np.float32)
    assert copy_error(lambda x: x, images) == 0.0
    mean = images.mean(axis=0)
    assert copy_error(lambda x: np.broadcast_to(mean, x.shape), images) == pytest.approx(1.0,
                                                                                         rel=0.1)
    noise = off_data_images(images, 5000, seed=2)
    np.testing.assert_allclose(noise.mean(axis=0), mean, atol=0.03)
    used = np.ones(16, bool)
    assert filter_localization(np.eye(16), used) == pytest.approx(1.0)
    assert filter_localization(np.ones((3, 16)), used, top=4) == pytest.approx(4 / 16)
    flat = np.zeros((10, 4, 4, 1), np.float32)
    flat[:, 0, 0] = np.linspace(0, 1, 10)[:, None]
    assert used_pixels(flat).tolist() == [True] + [False] * 15
