"""The hand-written reference step of ``denoising-ae`` (see
:mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.layers.corruption import (
    gaussian_corruption,
    masking_corruption,
    salt_pepper_corruption,
)
from keras_genzoo.losses.reconstruction import RECONSTRUCTION_LOSSES
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def denoising_ae_step(model, optimizers, noise: Noise) -> Step:
    """``L(x, g(f(x~)))`` with ``x~ ~ C(x~ | x)``: the code of a corrupted copy
    must reconstruct the CLEAN input (Vincent et al. 2008; Deep Learning 14.2.2)."""
    c = model.config
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    reconstruction_loss = RECONSTRUCTION_LOSSES[c.reconstruction_loss]

    def corrupt(images):
        shape = tf.shape(images)
        if c.corruption == "gaussian":
            return gaussian_corruption(images, noise("corruption/gaussian", shape, "normal"),
                                       c.sigma)
        if c.corruption == "masking":
            return masking_corruption(images, noise("corruption/mask", shape, "uniform"),
                                      c.drop_probability)
        return salt_pepper_corruption(images, noise("corruption/which", shape, "uniform"),
                                      noise("corruption/value", shape, "uniform"),
                                      c.salt_pepper_probability)

    def step(batch):
        images = tf.cast(batch[0], tf.float32)
        corrupted = corrupt(images)
        with tf.GradientTape() as tape:
            reconstruction = model.decoder(model.encoder(corrupted, training=True),
                                           training=True)
            loss = batch_mean(reconstruction_loss(images, reconstruction))
        descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step
