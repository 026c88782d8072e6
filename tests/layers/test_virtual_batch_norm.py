"""Virtual batch normalization (Salimans et al. 2016, section 3.5) against NumPy."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.layers.virtual_batch_norm import VirtualBatchNormalization

EPSILON = 1e-5


def _numpy_vbn(x, reference, gamma, beta):
    """Each example of ``x`` normalized with the mean and biased variance, per channel,
    of the N + 1 examples {reference batch, the example}, written out one example
    at a time (positions: every axis between the batch and the channel)."""
    x, reference = x.astype(np.float64), reference.astype(np.float64)
    channels = x.shape[-1]
    out = np.empty_like(x)
    for i in range(len(x)):
        pool = np.concatenate([reference, x[i:i + 1]]).reshape(len(reference) + 1, -1, channels)
        mean = pool.mean(axis=1).mean(axis=0)  # equal weight per example
        mean_square = np.square(pool).mean(axis=1).mean(axis=0)
        out[i] = gamma * (x[i] - mean) / np.sqrt(mean_square - mean ** 2 + EPSILON) + beta
    return out


def _numpy_batch_norm(reference, gamma, beta):
    axes = tuple(range(reference.ndim - 1))
    r = reference.astype(np.float64)
    return gamma * (r - r.mean(axes)) / np.sqrt(r.var(axes) + EPSILON) + beta


def _layer(size, shape, seed=0):
    layer = VirtualBatchNormalization(size)
    layer.build((None, *shape))
    rng = np.random.default_rng(seed)
    gamma = rng.uniform(0.5, 2.0, shape[-1])
    beta = rng.normal(size=shape[-1])
    layer.gamma.assign(gamma.astype(np.float32))
    layer.beta.assign(beta.astype(np.float32))
    return layer, gamma, beta


@pytest.mark.parametrize("shape", [(5,), (3, 3, 4)], ids=["dense", "conv"])
def test_training_call_matches_numpy(shape):
    layer, gamma, beta = _layer(6, shape)
    rng = np.random.default_rng(1)
    reference = rng.normal(2.0, 3.0, size=(6, *shape)).astype(np.float32)
    x = rng.normal(-1.0, 0.5, size=(4, *shape)).astype(np.float32)
    out = layer(np.concatenate([reference, x]), training=True).numpy()
    assert out.shape == (10, *shape)
    # the reference batch: ordinary batch normalization with its own statistics
    np.testing.assert_allclose(out[:6], _numpy_batch_norm(reference, gamma, beta),
                               rtol=1e-4, atol=1e-4)
    # the rest: each example with the reference batch plus itself
    expected = _numpy_vbn(x, reference, gamma, beta)
    np.testing.assert_allclose(out[6:], expected, rtol=1e-4, atol=1e-4)
    # ... which is not plain batch normalization with the reference statistics alone
    assert np.abs(out[6:] - _numpy_batch_norm(np.concatenate([reference, x]), gamma, beta)[6:]
                  ).max() > 1e-2


@pytest.mark.parametrize("shape", [(5,), (3, 3, 4)], ids=["dense", "conv"])
def test_inference_uses_the_stored_reference_statistics(shape):
    layer, gamma, beta = _layer(6, shape)
    rng = np.random.default_rng(2)
    reference = rng.normal(1.0, 2.0, size=(6, *shape)).astype(np.float32)
    x = rng.normal(size=(5, *shape)).astype(np.float32)
    layer(np.concatenate([reference, x[:1]]), training=True)  # stores the statistics
    axes = tuple(range(len(shape)))
    np.testing.assert_allclose(layer.reference_mean.numpy(), reference.mean(axes), rtol=1e-5)
    np.testing.assert_allclose(layer.reference_mean_square.numpy(),
                               np.square(reference).mean(axes), rtol=1e-5)
    out = layer(x, training=False).numpy()
    np.testing.assert_allclose(out, _numpy_vbn(x, reference, gamma, beta), rtol=1e-4, atol=1e-4)
    # per example: an example's output does not depend on the rest of its batch
    np.testing.assert_allclose(layer(x[2:3], training=False).numpy(), out[2:3], rtol=1e-6,
                               atol=1e-6)


def test_gradients_flow_through_the_reference_statistics():
    layer, _, _ = _layer(4, (3,))
    rng = np.random.default_rng(3)
    batch = tf.Variable(rng.normal(size=(6, 3)).astype(np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(batch, training=True)[4:] * rng.normal(size=(2, 3)))
    gradient = tape.gradient(loss, batch).numpy()
    # the reference rows influence the outputs of the others (the paper's second pass)
    assert np.abs(gradient[:4]).max() > 1e-3


def test_saving_keeps_the_reference_statistics(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, VirtualBatchNormalization(8, name="vbn")(inputs))
    rng = np.random.default_rng(4)
    model(rng.normal(3.0, 2.0, size=(10, 4)).astype(np.float32), training=True)
    x = rng.normal(size=(3, 4)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras")
    assert restored.get_layer("vbn").reference_size == 8
    np.testing.assert_allclose(restored(x), model(x), rtol=1e-6)


def test_refuses_bad_arguments():
    with pytest.raises(ValueError, match="reference_size"):
        VirtualBatchNormalization(0)
    with pytest.raises(ValueError, match="channel"):
        VirtualBatchNormalization(2)(keras.Input((None,)))
