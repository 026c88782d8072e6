"""PixelNorm (Karras et al. 2018, section 4.2) and AdaIN (Huang & Belongie 2017, eq. 8): their defining statistics."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.layers.normalization import AdaIN, PixelNorm


# ------------------------------------------------------------ PixelNorm
def test_pixel_norm_gives_every_position_unit_mean_square_over_channels():
    rng = np.random.default_rng(0)
    # a different magnitude at every position, so a norm over the wrong axis fails
    x = (rng.normal(size=(3, 4, 5, 16)) * rng.uniform(0.1, 20.0, size=(3, 4, 5, 1))).astype(np.float32)
    out = PixelNorm()(x).numpy()
    np.testing.assert_allclose(np.mean(out**2, axis=-1), np.ones((3, 4, 5)), atol=1e-5)
    # a positive rescaling of each pixel's vector: the direction is kept
    ratio = out / x
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[..., :1], ratio.shape), rtol=1e-5)


def test_pixel_norm_worked_out_by_hand():
    # (3, 4): mean square 12.5 -> divide by sqrt(12.5) = 3.5355...; zero stays zero (epsilon)
    out = PixelNorm()(np.array([[3.0, 4.0], [0.0, 0.0]], np.float32))
    np.testing.assert_allclose(out, [[3 / 12.5**0.5, 4 / 12.5**0.5], [0.0, 0.0]], rtol=1e-6)
    # epsilon sits under the square root: 1 / sqrt(1 + 3) for a unit vector with epsilon 3.
    # TensorFlow's rsqrt may be a hardware estimate refined by a Newton step, whose last bit
    # differs between CPUs (Intel, AMD): the default rtol 1e-7 is under one ulp above 0.5
    np.testing.assert_allclose(PixelNorm(epsilon=3.0)(np.array([[1.0, -1.0]], np.float32)),
                               [[0.5, -0.5]], rtol=1e-6)


def test_pixel_norm_in_float16_does_not_overflow():
    # 1000^2 = 1e6 is beyond float16's 65504: the mean square must be taken in float32
    x = np.full((2, 2, 2, 4), 1000.0, np.float32)
    out = PixelNorm(dtype="mixed_float16")(x)
    assert out.dtype == tf.float16
    np.testing.assert_allclose(out.numpy().astype(np.float32), np.ones_like(x), rtol=1e-3)


def test_pixel_norm_serializes_and_refuses_rank_1():
    layer = PixelNorm(epsilon=1e-6, name="pn")
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(again, PixelNorm) and (again.epsilon, again.name) == (1e-6, "pn")
    with pytest.raises(ValueError, match="rank >= 2"):
        PixelNorm()(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="epsilon"):
        PixelNorm(epsilon=-1.0)


# ------------------------------------------------------------ AdaIN
def _styles(rng, batch, channels):
    scale = rng.normal(size=(batch, channels)) * 3.0
    scale[0, 0] = -2.5  # a negative scale: the std is |scale|, the sign flips the pattern
    return scale.astype(np.float32), rng.normal(size=(batch, channels)).astype(np.float32) * 5.0


def _channel_stats(out):
    return out.mean(axis=(1, 2)), out.std(axis=(1, 2))  # biased std, per example and channel


def test_adain_output_channels_have_the_style_mean_and_std():
    rng = np.random.default_rng(1)
    # H != W and an offset input, so that normalizing over the wrong axes fails
    x = (rng.normal(size=(3, 6, 5, 4)) * 4.0 + 7.0).astype(np.float32)
    scale, bias = _styles(rng, 3, 4)
    out = AdaIN()([x, scale, bias]).numpy().astype(np.float64)
    mean, std = _channel_stats(out)
    np.testing.assert_allclose(mean, bias, atol=1e-4)
    np.testing.assert_allclose(std, np.abs(scale), rtol=1e-4, atol=1e-4)


def test_adain_follows_the_three_steps():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 3, 5)).astype(np.float32)
    scale, bias = _styles(rng, 2, 5)
    mu = x.mean(axis=(1, 2), keepdims=True)
    sigma = np.sqrt(x.var(axis=(1, 2), keepdims=True) + 1e-8)
    expected = (x - mu) / sigma * scale[:, None, None, :] + bias[:, None, None, :]
    np.testing.assert_allclose(AdaIN()([x, scale, bias]), expected, rtol=1e-4, atol=1e-5)
    # the negative scale mirrors the normalized channel around the style's mean
    np.testing.assert_allclose(
        expected[0, ..., 0], bias[0, 0] - 2.5 * ((x - mu) / sigma)[0, ..., 0], rtol=1e-5, atol=1e-5
    )


def test_adain_statistics_do_not_depend_on_the_input_statistics():
    rng = np.random.default_rng(3)
    scale, bias = _styles(rng, 2, 3)
    first = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    second = (rng.uniform(size=(2, 4, 4, 3)) * 50.0 - 100.0).astype(np.float32)
    out_first = AdaIN()([first, scale, bias]).numpy().astype(np.float64)
    out_second = AdaIN()([second, scale, bias]).numpy().astype(np.float64)
    for a, b in zip(_channel_stats(out_first), _channel_stats(out_second)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    # and a per-channel positive affine change of the input changes nothing at all
    affine = first * np.array([0.5, 3.0, 10.0], np.float32) + np.array([-4.0, 1.0, 20.0], np.float32)
    np.testing.assert_allclose(AdaIN()([affine, scale, bias]), out_first, rtol=1e-4, atol=1e-4)


def test_adain_on_a_single_position_returns_the_style_bias():
    # std 0 at 1x1: the normalized value is 0 / sqrt(epsilon) = 0
    rng = np.random.default_rng(4)
    scale, bias = _styles(rng, 2, 3)
    out = AdaIN()([rng.normal(size=(2, 1, 1, 3)).astype(np.float32), scale, bias])
    np.testing.assert_allclose(out.numpy()[:, 0, 0], bias, atol=1e-6)


def test_adain_under_mixed_precision_keeps_the_statistics():
    rng = np.random.default_rng(5)
    x = (rng.normal(size=(2, 8, 8, 3)) * 300.0).astype(np.float32)  # squares far above float16's range
    scale, bias = _styles(rng, 2, 3)
    out = AdaIN(dtype="mixed_float16")([x, scale, bias])
    assert out.dtype == tf.float16
    mean, std = _channel_stats(out.numpy().astype(np.float64))
    np.testing.assert_allclose(mean, bias, atol=2e-2)
    np.testing.assert_allclose(std, np.abs(scale), rtol=1e-2, atol=1e-2)


def test_adain_in_a_saved_functional_model(tmp_path):
    image, style = keras.Input((4, 4, 3)), keras.Input((6,))
    scale = keras.layers.Dense(3, name="scale")(style)
    bias = keras.layers.Dense(3, name="bias")(style)
    adain = AdaIN(epsilon=1e-5, name="adain")
    model = keras.Model([image, style], adain([image, scale, bias]))
    assert model.output.shape == (None, 4, 4, 3)
    rng = np.random.default_rng(6)
    inputs = [rng.normal(size=(2, 4, 4, 3)).astype(np.float32), rng.normal(size=(2, 6)).astype(np.float32)]
    model.save(tmp_path / "a.keras")
    restored = keras.saving.load_model(tmp_path / "a.keras")
    assert restored.get_layer("adain").epsilon == 1e-5
    np.testing.assert_allclose(restored(inputs), model(inputs), rtol=1e-6)
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(adain))
    assert isinstance(again, AdaIN) and again.get_config() == adain.get_config()


def test_adain_refuses_wrong_inputs():
    x = np.zeros((2, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match="three tensors"):
        AdaIN()(x)
    with pytest.raises(ValueError, match="style_bias"):
        AdaIN()([x, np.ones((2, 3), np.float32), np.zeros((2, 5), np.float32)])
    with pytest.raises(ValueError, match="style_scale"):
        AdaIN()([x, np.ones((2, 1, 3), np.float32), np.zeros((2, 3), np.float32)])
