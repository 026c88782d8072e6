"""tf.distribute rules (DESIGN.md section 4) on two logical CPU devices.

For the same GLOBAL batch, two replicas must train exactly like one device:
losses are averaged over the global batch (not per replica), BatchNorm is
synchronized, and each replica's noise is its slice of one global draw.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_AE, TINY_DCGAN, digit_batches, train_steps, two_replica_strategy, weights_of
from keras_genzoo.models.autoencoder import Autoencoder
from keras_genzoo.models.dcgan import DCGAN


def _train(model_class, config, strategy, batches):
    keras.utils.set_random_seed(42)  # identical initial weights in both runs
    with strategy.scope():
        model = model_class(config=dict(config))
        model.seed = 7
        model.compile()
        model.prepare()
    logs = train_steps(model, batches, strategy)
    return model, logs


@pytest.mark.parametrize(
    "model_class, config",
    [(Autoencoder, TINY_AE), (DCGAN, TINY_DCGAN)],
    ids=["ae", "dcgan"],
)
def test_two_replicas_match_one_device_for_the_same_global_batch(model_class, config):
    mirrored = two_replica_strategy()
    batches = digit_batches(32, 4)
    single, single_logs = _train(model_class, config, tf.distribute.get_strategy(), batches)
    double, double_logs = _train(model_class, config, mirrored, batches)
    assert double.steps_taken() == single.steps_taken() == 4
    for role, network in single.networks().items():
        for a, b in zip(weights_of(network), weights_of(double.networks()[role])):
            np.testing.assert_allclose(a, b, atol=2e-5, rtol=1e-4, err_msg=role)
    for a, b in zip(single_logs, double_logs):
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-3, abs=1e-4), key


def test_a_plain_mean_would_have_doubled_the_step():
    """Guard for the test above: it can fail. Summing replica gradients of a
    per-replica mean is twice the single-device gradient."""
    mirrored = two_replica_strategy()
    with mirrored.scope():
        weight = tf.Variable(1.0)
    x = tf.data.Dataset.from_tensors(tf.ones([4])).repeat(1)

    def gradient(batch, use_global_average):
        with tf.GradientTape() as tape:
            per_example = weight * batch
            loss = (tf.nn.compute_average_loss(per_example) if use_global_average
                    else tf.reduce_mean(per_example))
        grad = tape.gradient(loss, weight)
        return tf.distribute.get_replica_context().all_reduce("sum", grad)

    for batch in mirrored.experimental_distribute_dataset(x):
        good = mirrored.run(gradient, args=(batch, True))
        bad = mirrored.run(gradient, args=(batch, False))
    assert float(mirrored.experimental_local_results(good)[0]) == pytest.approx(1.0)
    assert float(mirrored.experimental_local_results(bad)[0]) == pytest.approx(2.0)


def test_noise_differs_per_replica_and_is_a_slice_of_the_one_device_draw():
    mirrored = two_replica_strategy()
    with mirrored.scope():
        model = DCGAN(config=dict(TINY_DCGAN))
        model.seed = 3
        model.compile()
        model.prepare()

    @tf.function
    def draw():
        return mirrored.run(lambda: model.replica_noise(4, [TINY_DCGAN["latent_dim"]], salt=1))

    first, second = (np.asarray(t) for t in mirrored.experimental_local_results(draw()))
    assert first.shape == second.shape == (4, TINY_DCGAN["latent_dim"])
    assert not np.allclose(first, second)

    single = DCGAN(config=dict(TINY_DCGAN))
    single.seed = 3
    single.compile()
    single.prepare()
    whole = np.asarray(single.replica_noise(8, [TINY_DCGAN["latent_dim"]], salt=1))
    np.testing.assert_allclose(np.concatenate([first, second]), whole, atol=1e-6)
    # a different salt (another use within the step) gives other noise
    other = np.asarray(single.replica_noise(8, [TINY_DCGAN["latent_dim"]], salt=2))
    assert not np.allclose(whole, other)
