"""The hand-written reference step of ``stylegan`` (see
:mod:`keras_genzoo.models.hand_step`): the GAN engine's update with StyleGAN's
own generator pass."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.models.adversarial_reference import Generate, adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def style_generate(model, noise: Noise) -> Generate:
    """StyleGAN's training generator (Karras et al. 2019): ``w = f(z)`` per layer,
    two latents mixed for ``style_mixing`` of the batch at a uniform crossover
    layer (section 3.1), fresh per-pixel noise in every layer (section 3.2); the
    generator update also moves ``w_avg`` (appendix B's truncation centre)."""
    c = model.config
    parts = model.parts()  # the trained generator's mapping and noisy synthesis
    layers = model.num_style_layers()
    resolutions = model.layer_resolutions()

    def styles(z):
        w = parts.mapping(z, training=True)
        return w, tf.repeat(w[:, None], layers, axis=1)

    def generate(z, labels, draw):
        batch = tf.shape(z)[0]
        w, ws = styles(z)
        if draw == "generator" and c.w_avg_decay:
            mean = tf.reduce_mean(tf.stop_gradient(w), axis=0)
            model.w_avg.assign(c.w_avg_decay * model.w_avg + (1.0 - c.w_avg_decay) * mean)
        if c.style_mixing:
            _, ws_second = styles(noise(f"{draw}/mix_latent", [batch, c.latent_dim], "normal"))
            mixed = noise(f"{draw}/mix_choice", [batch], "uniform") < c.style_mixing
            crossover = 1 + tf.cast(tf.floor(noise(f"{draw}/crossover", [batch], "uniform")
                                             * (layers - 1)), tf.int32)
            ws = model.mix_styles(ws, ws_second, tf.where(mixed, crossover, layers))
        pixel_noise = [noise(f"{draw}/layer_noise:{i}", [batch, r, r, 1], "normal")
                       for i, r in enumerate(resolutions)]
        return parts.synthesis_with_noise([ws, *pixel_noise], training=True)

    return generate


def stylegan_step(model, optimizers, noise: Noise) -> Step:
    """Karras et al. 2019 at the end of growth: the configured loss (non-saturating
    + R1 by default, section 4 / appendix C; WGAN-GP + drift in the digits preset)
    around :func:`style_generate`, then the EMA generator."""
    return adversarial_step(model, optimizers, noise, generate=style_generate(model, noise))
