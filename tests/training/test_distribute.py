"""tf.distribute rules (DESIGN.md section 4) on two logical CPU devices.

For the same GLOBAL batch, two replicas must train exactly like one device:
losses are averaged over the global batch (not per replica), BatchNorm is
synchronized, and each replica's noise is its slice of one global draw.
"""

import numpy as np
import pytest
import tensorflow as tf

from helpers import (
    TINY_AE,
    TINY_DCGAN,
    assert_two_replicas_match_one_device,
    digit_batches,
    two_replica_strategy,
)
from keras_genzoo.models.ae.model import Autoencoder
from keras_genzoo.models.dcgan.model import DCGAN


@pytest.mark.parametrize(
    "model_class, config",
    [(Autoencoder, TINY_AE), (DCGAN, TINY_DCGAN)],
    ids=["ae", "dcgan"],
)
def test_two_replicas_match_one_device_for_the_same_global_batch(model_class, config):
    assert_two_replicas_match_one_device(model_class, config, digit_batches(32, 4))


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
