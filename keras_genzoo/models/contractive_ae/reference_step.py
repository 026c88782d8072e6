"""The hand-written reference step of ``contractive-ae`` (see
:mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.losses.contractive import (
    code_and_jacobian_frobenius_autodiff,
    jacobian_frobenius_sigmoid_dense,
)
from keras_genzoo.losses.reconstruction import RECONSTRUCTION_LOSSES
from keras_genzoo.models.contractive_ae.model import single_sigmoid_dense_layer
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def contractive_ae_step(model, optimizers, noise: Noise) -> Step:
    """``L(x, g(f(x))) + lambda ||J_f(x)||_F^2`` (Rifai et al. 2011; Deep Learning
    eq. 14.18): the closed form of one sigmoid dense layer, or the exact Jacobian
    from a nested tape that the outer tape differentiates through."""
    c = model.config
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    reconstruction_loss = RECONSTRUCTION_LOSSES[c.reconstruction_loss]
    if model.jacobian_mode == "closed_form":
        code_layer = single_sigmoid_dense_layer(model.encoder)
        bias = code_layer.bias if code_layer.bias is not None else tf.zeros([code_layer.units])

        def code_and_frobenius(images):
            flat = tf.reshape(images, [tf.shape(images)[0], -1])
            return (model.encoder(images, training=True),
                    jacobian_frobenius_sigmoid_dense(flat, code_layer.kernel, bias))
    else:
        def code_and_frobenius(images):
            return code_and_jacobian_frobenius_autodiff(model.encoder, images, training=True)

    def step(batch):
        images = tf.cast(batch[0], tf.float32)
        with tf.GradientTape() as tape:
            code, frobenius_sq = code_and_frobenius(images)
            reconstruction = reconstruction_loss(images, model.decoder(code, training=True))
            loss = batch_mean(reconstruction + c.contractive_lambda * frobenius_sq)
        descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step
