"""Overcomplete autoencoders (code wider than the input, Deep Learning 14.2): the
unregularized one copies its input, the regularized ones (sparse, denoising,
contractive) do not, and still reconstruct the data, with filters more localized
than the unregularized one's; weight decay (Ng 2011) clears the weights on the pixels
the digits never use (which the localization score ignores anyway).

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


def _trained(name, images, steps=STEPS, **overrides):
    import keras

    spec = registry.get(name)
    config = {**spec.presets["overcomplete"].config, **overrides}
    keras.utils.set_random_seed(0)
    model = spec.load_class()(config)
    assert model.config.code_dim > model.config.image_size ** 2  # overcomplete
    model.compile()
    step = tf.function(model.train_step)
    batches = tf.data.Dataset.from_tensor_slices(images).shuffle(2000, seed=0).repeat().batch(64)
    for _, batch in zip(range(steps), batches):
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


def test_the_regularized_filters_are_more_localized_than_the_copiers(trained, digits):
    used = used_pixels(digits[0])
    scores = {name: filter_localization(model.encoder_filters().reshape(128, -1), used)
              for name, model in trained.items()}
    for name in REGULARIZED:
        # seeds 0-3 give margins 0.03 to 0.05 for the sparse model (its narrowest), and
        # -0.09 for its former preset without weight decay
        assert scores[name] > scores["ae"] + 0.02, scores


def _blank_pixel_weight_rms(model, used):
    kernel = np.asarray(model.encoder.get_layer("code").kernel)  # [pixels, code]
    return float(np.sqrt(np.mean(kernel[~used] ** 2)))


def test_weight_decay_clears_the_weights_on_blank_pixels(trained, digits):
    """A pixel (nearly) blank in every digit gets no (or a tiny) reconstruction gradient:
    its weights stay at least as large as Glorot's initial ones in the ae (Adam rescales
    the tiny gradients to full steps), and decay to ~0 under lambda * sum W^2."""
    used = used_pixels(digits[0])
    assert 0 < (~used).sum() < 64
    initial = np.sqrt(6 / (64 + 128)) / np.sqrt(3)  # Glorot uniform's standard deviation
    undecayed = {name: _blank_pixel_weight_rms(trained[name], used)
                 for name in ("ae", "denoising-ae")}
    assert min(undecayed.values()) > 0.8 * initial, undecayed
    assert trained["sparse-ae"].config.weight_decay > 0
    assert _blank_pixel_weight_rms(trained["sparse-ae"], used) < 0.5 * initial, undecayed
    # the contractive penalty sum_j h_j'^2 ||W_j||^2 shrinks such weights by itself
    assert _blank_pixel_weight_rms(trained["contractive-ae"], used) < 0.5 * initial


def test_the_weight_decay_term_is_lambda_times_the_squared_kernels():
    spec = registry.get("sparse-ae")
    model = spec.load_class()({**spec.presets["overcomplete"].config, "weight_decay": 0.003})
    kernels = [np.asarray(model.encoder.get_layer("code").kernel),
               np.asarray(model.decoder.trainable_weights[0])]
    assert [k.shape for k in kernels] == [(64, 128), (128, 64)]
    expected = 0.003 * sum(float(np.sum(k.astype(np.float64) ** 2)) for k in kernels)
    assert float(model.weight_decay_penalty()) == pytest.approx(expected, rel=1e-5)
    assert registry.get("ae").load_class()(dict(registry.get("ae").presets["overcomplete"]
                                                .config)).weight_decay_penalty() == 0.0
    with pytest.raises(GenzooError, match="weight_decay"):
        spec.load_class()({**spec.presets["overcomplete"].config, "weight_decay": -1.0})
    with pytest.raises(GenzooError, match="vae does not use weight_decay"):
        registry.get("vae").load_class()({"weight_decay": 0.1})


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
