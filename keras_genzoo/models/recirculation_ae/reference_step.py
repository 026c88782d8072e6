"""The hand-written reference step of ``recirculation-ae`` (see
:mod:`keras_genzoo.models.hand_step`): no optimizer, the paper's own rule."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.models.hand_step import Noise, Step


def recirculation_step(model, optimizers, noise: Noise) -> Step:
    """Hinton & McClelland 1987, section 2, without gradients: two passes around
    visible -> hidden -> visible -> hidden, then ``Delta W_vh = eps (v0 - v2) h1^T``
    and ``Delta W_hv = eps (h1 - h3) v2^T`` (biases from an always-on unit), the
    batch mean of each."""
    c = model.config
    encoder_dense, decoder_dense = model.encoder.get_layer("code"), model.decoder.get_layer("pixels")
    lam = c.regression

    def activate(pre):
        return tf.sigmoid(pre) if c.activation == "sigmoid" else pre

    def step(batch):
        images = tf.cast(batch[0], tf.float32)
        v0 = tf.reshape(images, [tf.shape(images)[0], -1])
        h1 = activate(v0 @ encoder_dense.kernel + encoder_dense.bias)  # eq. (1)
        reconstruction = activate(h1 @ decoder_dense.kernel + decoder_dense.bias)
        v2 = lam * v0 + (1.0 - lam) * reconstruction  # eq. (2)
        h3 = activate(v2 @ encoder_dense.kernel + encoder_dense.bias)  # eq. (3)
        if c.regress_hidden:
            h3 = lam * h1 + (1.0 - lam) * h3
        epsilon = c.learning_rate / tf.cast(tf.shape(v0)[0], tf.float32)
        # eq. (5), the encoder, and eq. (4), the decoder, in Keras' [inputs, outputs] layout
        encoder_dense.kernel.assign_add(epsilon * tf.matmul(v2, h1 - h3, transpose_a=True))
        encoder_dense.bias.assign_add(epsilon * tf.reduce_sum(h1 - h3, axis=0))
        decoder_dense.kernel.assign_add(epsilon * tf.matmul(h1, v0 - v2, transpose_a=True))
        decoder_dense.bias.assign_add(epsilon * tf.reduce_sum(v0 - v2, axis=0))
        # the deterministic pass g(f(x)) before the update, for display
        return {"loss": tf.reduce_mean(tf.square(v0 - reconstruction))}

    return step
