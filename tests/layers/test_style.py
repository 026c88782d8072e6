"""StyleGAN's NoiseInjection and LearnedConstant (Karras et al. 2019, section 2)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.layers.style import LearnedConstant, NoiseInjection


# ------------------------------------------------------------ NoiseInjection
def _image_and_noise(seed, batch=2, height=3, width=4, channels=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, height, width, channels)).astype(np.float32)
    noise = rng.normal(size=(batch, height, width, 1)).astype(np.float32)
    return x, noise


def test_a_fresh_noise_injection_passes_x_through_exactly():
    x, noise = _image_and_noise(0)
    layer = NoiseInjection()
    np.testing.assert_array_equal(layer([x, noise]), x)
    np.testing.assert_array_equal(layer.scale.numpy(), np.zeros(5))


def test_noise_is_added_with_one_learned_scale_per_channel():
    x, noise = _image_and_noise(1)
    layer = NoiseInjection()
    layer.build([x.shape, noise.shape])
    scale = np.array([0.0, 1.0, -2.0, 0.5, 10.0], np.float32)
    layer.scale.assign(scale)
    out = layer([x, noise]).numpy()
    for channel in range(5):  # the same noise image in every channel, times that channel's scale
        np.testing.assert_array_equal(out[..., channel], x[..., channel] + scale[channel] * noise[..., 0])


def test_noise_injection_scale_is_trainable_and_gets_the_noise_as_gradient():
    x, noise = _image_and_noise(2)
    layer = NoiseInjection()
    layer.build([x.shape, noise.shape])
    assert layer.trainable_weights == [layer.scale]
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer([x, noise]))
    # d sum / d scale[c] = sum over batch and positions of the noise, the same for every channel
    np.testing.assert_allclose(tape.gradient(total, layer.scale.value), np.full(5, noise.sum()), rtol=1e-5)


def test_noise_injection_in_a_saved_model_keeps_the_scale(tmp_path):
    x, noise = _image_and_noise(3)
    image, noise_input = keras.Input((3, 4, 5)), keras.Input((3, 4, 1))
    model = keras.Model([image, noise_input], NoiseInjection(name="noise")([image, noise_input]))
    model.get_layer("noise").scale.assign(np.arange(5, dtype=np.float32))
    model.save(tmp_path / "n.keras")
    restored = keras.saving.load_model(tmp_path / "n.keras")
    assert isinstance(restored.get_layer("noise"), NoiseInjection)
    np.testing.assert_array_equal(restored([x, noise]), model([x, noise]))


def test_noise_injection_refuses_multi_channel_noise_and_single_inputs():
    x, _ = _image_and_noise(4)
    with pytest.raises(ValueError, match="one channel"):
        NoiseInjection()([x, x])
    with pytest.raises(ValueError, match="two tensors"):
        NoiseInjection()(x)


# ------------------------------------------------------------ LearnedConstant
@pytest.mark.parametrize("batch", [1, 3, 8])
def test_learned_constant_is_tiled_over_the_batch(batch):
    layer = LearnedConstant(4, 6)
    w = np.random.default_rng(batch).normal(size=(batch, 16)).astype(np.float32)
    layer.build(w.shape)
    constant = np.random.default_rng(10).normal(size=(1, 4, 4, 6)).astype(np.float32)
    layer.constant.assign(constant)
    out = layer(w).numpy()
    assert out.shape == (batch, 4, 4, 6)
    np.testing.assert_array_equal(out, np.broadcast_to(constant, out.shape))


def test_learned_constant_starts_at_ones_whatever_the_input():
    out = LearnedConstant(2, 3)(np.full((2, 5), -7.0, np.float32))
    np.testing.assert_array_equal(out, np.ones((2, 2, 2, 3)))


def test_learned_constant_with_a_batch_known_only_at_run_time():
    w = keras.Input((8,))
    model = keras.Model(w, LearnedConstant(4, 2, name="const")(w))
    assert model.output.shape == (None, 4, 4, 2)
    run = tf.function(model, input_signature=[tf.TensorSpec([None, 8], tf.float32)])
    for batch in (2, 5):
        out = run(tf.zeros((batch, 8))).numpy()
        assert out.shape == (batch, 4, 4, 2)
        np.testing.assert_array_equal(out, np.ones_like(out))


def test_gradient_reaches_the_constant_summed_over_the_batch():
    layer = LearnedConstant(2, 3)
    w = np.zeros((4, 5), np.float32)
    layer.build(w.shape)
    upstream = np.random.default_rng(11).normal(size=(4, 2, 2, 3)).astype(np.float32)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(w) * upstream)
    gradient = tape.gradient(total, layer.constant.value)
    np.testing.assert_allclose(gradient, upstream.sum(axis=0, keepdims=True), rtol=1e-5)


def test_learned_constant_serializes_and_checks_arguments(tmp_path):
    layer = LearnedConstant(4, 32, name="c")
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(again, LearnedConstant) and (again.size, again.channels, again.name) == (4, 32, "c")
    w = keras.Input((3,))
    model = keras.Model(w, LearnedConstant(2, 2, name="const")(w))
    model.get_layer("const").constant.assign(np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2))
    model.save(tmp_path / "c.keras")
    restored = keras.saving.load_model(tmp_path / "c.keras")
    np.testing.assert_array_equal(restored(np.zeros((2, 3), np.float32)), model(np.zeros((2, 3), np.float32)))
    with pytest.raises(ValueError, match="size and channels"):
        LearnedConstant(0, 4)
