"""Gatys, Ecker & Bethge 2016: the Gram matrix and its style loss against closed forms,
and the optimisation (L-BFGS-B and Adam) on a tiny image with random VGG features."""

import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.config import build_config
from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.style import gram_matrix, gram_style_loss
from keras_genzoo.models.gatys import (GATYS_STYLE_LAYERS, LOSS_NAMES, GatysConfig, GatysLoss,
                                       gatys_encoder, gatys_transfer)

SIZE = 32


def _features(*channels):
    """``[1, 2, 2, C]`` from C lists of four values (positions in row-major order)."""
    return tf.constant(np.stack(channels, axis=-1).reshape(1, 2, 2, -1), tf.float32)


def test_gram_matrix_is_the_channel_products_over_positions():
    features = _features([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0])
    # G_ij = sum_k F_ik F_jk / (H W), with H W = 4
    expected = np.array([[30.0 / 4, 6.0 / 4], [6.0 / 4, 2.0 / 4]])
    np.testing.assert_allclose(gram_matrix(features).numpy()[0], expected, rtol=1e-6)


def test_gram_matrix_ignores_the_image_size_and_is_symmetric():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(1, 3, 5, 4)).astype(np.float32)
    tiled = np.tile(features, (1, 2, 3, 1))  # every position six times: same averages
    gram = gram_matrix(features).numpy()
    np.testing.assert_allclose(gram_matrix(tiled).numpy(), gram, rtol=1e-5)
    np.testing.assert_allclose(gram, np.transpose(gram, (0, 2, 1)), rtol=1e-6)


def test_gram_style_loss_is_eq_4_and_5_with_equal_layer_weights():
    first = _features([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0])
    second = _features([2.0, 2.0, 2.0, 2.0])  # G = [[4]]
    first_target = np.array([[[7.0, 1.0], [1.0, 1.0]]], np.float32)
    second_target = np.array([[[1.0]]], np.float32)
    # E_1 = mean((G - A)^2) / 4 over the 2x2 entries: (0.5^2 + 0.5^2 + 0.5^2 + 0.5^2) / 4 / 4
    e1 = (4 * 0.25) / 4 / 4
    e2 = (4.0 - 1.0) ** 2 / 4
    loss = gram_style_loss([first, second], [first_target, second_target]).numpy()
    assert loss.shape == (1,)
    assert loss[0] == pytest.approx(0.5 * e1 + 0.5 * e2, rel=1e-6)
    weighted = gram_style_loss([first, second], [first_target, second_target],
                               layer_weights=[1.0, 0.0]).numpy()[0]
    assert weighted == pytest.approx(e1, rel=1e-6)
    # identical statistics: no style loss
    same = gram_style_loss([first], [gram_matrix(first)]).numpy()[0]
    assert same == pytest.approx(0.0, abs=1e-9)


def _images():
    y, x = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1.0)
    content = np.stack([x, y, 0.5 * (x + y)], axis=-1).astype(np.float32)
    stripes = 0.5 + 0.45 * np.sin(2 * np.pi * x * 6)
    style = np.stack([stripes, 1 - stripes, np.full_like(x, 0.2)], axis=-1).astype(np.float32)
    return content, style


@pytest.fixture(scope="module")
def encoder():
    return gatys_encoder(GatysConfig(vgg_weights="random", vgg_seed=3))


def test_the_encoder_gives_five_style_layers_then_relu4_2(encoder):
    assert encoder.feature_names == (*GATYS_STYLE_LAYERS, "relu4_2")
    outputs = encoder(tf.zeros([1, SIZE, SIZE, 3]))
    assert [int(o.shape[-1]) for o in outputs] == [64, 128, 256, 512, 512, 512]
    assert int(outputs[-1].shape[1]) == SIZE // 8 and int(outputs[4].shape[1]) == SIZE // 16


def test_the_loss_record_is_the_weighted_sum_of_its_terms(encoder):
    content, style = _images()
    config = GatysConfig(vgg_weights="random", content_weight=2.0, style_weight=3e-3,
                         tv_weight=50.0)
    record = GatysLoss(encoder, content, style, config).record(style)
    assert set(record) == set(LOSS_NAMES)
    assert record["total"] == pytest.approx(
        2.0 * record["content"] + 3e-3 * record["style"] + 50.0 * record["tv"], rel=1e-5)
    assert record["style"] == pytest.approx(0.0, abs=1e-3 * GatysLoss(
        encoder, content, style, config).record(content)["style"])


@pytest.mark.parametrize("optimizer, steps", [("lbfgs", 5), ("adam", 8)])
def test_the_optimisation_lowers_the_loss_and_keeps_pixels_in_range(encoder, optimizer, steps):
    content, style = _images()
    config = GatysConfig(vgg_weights="random", optimizer=optimizer, steps=steps)
    seen = []
    result = gatys_transfer(content, style, config, encoder=encoder,
                            progress=lambda step, losses: seen.append(step))
    assert len(result.losses) == steps + 1 and seen == list(range(1, steps + 1))
    first, last = result.losses[0], result.losses[-1]
    assert first["content"] == pytest.approx(0.0, abs=1e-6)  # it starts from the content image
    assert last["total"] < 0.7 * first["total"]
    assert last["style"] < first["style"]
    assert result.image.shape == content.shape and result.image.dtype == np.float32
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0
    assert np.abs(result.image - content).mean() > 1e-3  # the image did change


@pytest.mark.parametrize("overrides, message", [
    ({"optimizer": "sgd"}, "optimizer must be one of lbfgs, adam"),
    ({"steps": 0}, "steps"),
    ({"style_weight": -1.0}, "style_weight must be >= 0"),
    ({"style_weight": 0.0, "content_weight": 0.0}, "nothing to optimise"),
])
def test_bad_settings_are_one_line_config_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        build_config(GatysConfig, overrides)
