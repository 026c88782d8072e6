"""The hand-written reference step of ``vae`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import math

import tensorflow as tf

from keras_genzoo.losses.divergence import (
    bernoulli_log_likelihood,
    gaussian_kl_standard_normal,
    gaussian_log_density,
)
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def vae_step(model, optimizers, noise: Noise) -> Step:
    """The negative ELBO ``-log p(x|z) + beta KL(q(z|x) || p(z))`` with one
    reparameterized sample ``z = mu + exp(log_var / 2) eps`` (Kingma & Welling
    2014, eq. 7 and 10; beta: Higgins et al. 2017); CVAE conditions both networks
    on the label (Sohn et al. 2015)."""
    c = model.config
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    gaussian_log_var = 2.0 * math.log(c.gaussian_std)

    def step(batch):
        images = tf.cast(batch[0], tf.float32)
        labels = tf.cast(tf.reshape(batch[1], [-1]), tf.int32) if c.conditional else None
        eps = noise("posterior", [tf.shape(images)[0], c.code_dim], "normal")
        with tf.GradientTape() as tape:
            mean, log_var = model.encoder([images, labels] if c.conditional else images,
                                          training=True)
            z = mean + tf.exp(0.5 * log_var) * eps
            logits = model.decoder([z, labels] if c.conditional else z, training=True)
            if c.decoder == "bernoulli":
                log_likelihood = bernoulli_log_likelihood(images, logits)
            else:
                log_likelihood = gaussian_log_density(images, tf.sigmoid(logits),
                                                      gaussian_log_var)
            loss = batch_mean(-log_likelihood
                              + c.beta * gaussian_kl_standard_normal(mean, log_var))
        descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step
