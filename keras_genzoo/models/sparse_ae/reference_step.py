"""The hand-written reference step of ``sparse-ae`` (see
:mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.losses.reconstruction import RECONSTRUCTION_LOSSES
from keras_genzoo.losses.sparsity import kl_sparsity_penalty, l1_code_penalty
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def sparse_ae_step(model, optimizers, noise: Noise) -> Step:
    """``L(x, g(f(x))) + Omega(h)``: ``lambda sum_i |h_i|`` per example (Deep
    Learning 14.2.1, eq. 14.6-14.7) or ``beta sum_j KL(rho || rho_hat_j)`` of the
    batch's mean activations (Ng 2011)."""
    c = model.config
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    reconstruction_loss = RECONSTRUCTION_LOSSES[c.reconstruction_loss]

    def step(batch):
        images = tf.cast(batch[0], tf.float32)
        with tf.GradientTape() as tape:
            code = model.encoder(images, training=True)
            reconstruction = batch_mean(reconstruction_loss(images, model.decoder(
                code, training=True)))
            if c.penalty == "l1":
                penalty = batch_mean(c.l1_lambda * l1_code_penalty(code))
            else:
                penalty = c.beta * kl_sparsity_penalty(tf.reduce_mean(code, axis=0), c.rho)
            loss = reconstruction + penalty
        descend(tape, loss, variables, optimizer)
        return {"loss": loss, "reconstruction": reconstruction, "penalty": penalty}

    return step
