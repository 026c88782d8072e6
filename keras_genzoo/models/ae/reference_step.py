"""The hand-written reference step of ``ae`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.losses.reconstruction import RECONSTRUCTION_LOSSES
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def autoencoder_step(model, optimizers, noise: Noise) -> Step:
    """``L(x, g(f(x)))`` (Deep Learning 14.1), one optimizer for encoder and decoder."""
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    reconstruction_loss = RECONSTRUCTION_LOSSES[model.config.reconstruction_loss]

    def step(batch):
        images = tf.cast(batch[0], tf.float32)
        with tf.GradientTape() as tape:
            reconstruction = model.decoder(model.encoder(images, training=True), training=True)
            loss = batch_mean(reconstruction_loss(images, reconstruction))
        descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step
