"""What the families' hand-written reference steps share.

Each family's ``reference_step.py`` writes one training step by hand, as a
user who knows only TensorFlow would: ``tf.GradientTape``, ``tape.gradient``,
``optimizer.apply_gradients``, ``tf.reduce_mean`` of the per-example losses and
plain ``tf.random`` noise. It trains the SAME networks as the model with the
SAME loss and penalty functions (:mod:`keras_genzoo.losses`), so it is both the
throughput benchmark's overhead reference (``benchmarks/hand_loops.py``) and
the test that ``train_step`` computes the paper's update
(``tests/test_hand_loops.py``). A reference step is
``step_fn(model, optimizers, noise) -> step``, where ``step(batch)`` returns its
losses as a dict of scalar tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

#: ``noise(stream, shape, distribution)`` -> a tensor of ``shape``: standard normal
#: (``"normal"``) or U[0, 1) (``"uniform"``). ``stream`` names the draw (e.g.
#: ``"critic:2/latent"``), so a test can replay genzoo's noise streams exactly.
Noise = Callable[[str, Any, str], tf.Tensor]

Step = Callable[[Any], dict[str, tf.Tensor]]


def plain_noise(stream: str, shape, distribution: str = "normal") -> tf.Tensor:
    """A minimal loop's noise: stateful ``tf.random`` draws (``stream`` is ignored)."""
    if distribution == "uniform":
        return tf.random.uniform(shape)
    return tf.random.normal(shape)


def batch_mean(per_example) -> tf.Tensor:
    """One device, one batch: the mean over the batch (genzoo's global-batch average)."""
    return tf.reduce_mean(per_example)


def descend(tape, loss, variables, optimizer) -> None:
    """One gradient step on ``variables``."""
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


def role_variables(model, role: str) -> list:
    """The variables the hand loop's optimizer ``role`` updates (genzoo's
    ``variables_trained_by``, read off the networks)."""
    if role == "autoencoder":  # one optimizer for encoder and decoder together
        return model.encoder.trainable_variables + model.decoder.trainable_variables
    if role == "translators":
        return [v for net in model.encoders + model.decoders for v in net.trainable_variables]
    if role == "discriminators":
        return [v for net in model.discriminators for v in net.trainable_variables]
    return getattr(model, role).trainable_variables  # classifier, generator, discriminator
