"""The hand-written reference step of ``classifier`` (see
:mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def classifier_step(model, optimizers, noise: Noise) -> Step:
    """Softmax cross-entropy of the class logits, Adam."""
    network = model.classifier
    optimizer = optimizers["classifier"]
    variables = role_variables(model, "classifier")

    def step(batch):
        images, labels = tf.cast(batch[0], tf.float32), tf.cast(batch[1], tf.int32)
        with tf.GradientTape() as tape:
            logits, _ = network(images, training=True)
            loss = batch_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step
