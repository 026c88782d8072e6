"""The hand-written reference step of ``adain-style`` (see
:mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import tensorflow as tf

from keras_genzoo.layers.normalization import AdaIN
from keras_genzoo.losses.style import STATISTICS_EPSILON, channel_mean_std, content_loss, \
    mean_std_style_loss
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def adain_style_step(model, optimizers, noise: Noise) -> Step:
    """Huang & Belongie 2017, eq. 8-12: t = AdaIN(f(c), f(s)) at relu4_1, the decoder's
    image g(t) re-encoded, L = L_c + lambda L_s, Adam on the decoder only."""
    encoder, decoder = model.encoder, model.decoder
    optimizer = optimizers["decoder"]
    variables = role_variables(model, "decoder")
    style_weight = model.config.style_weight
    normalize = AdaIN(epsilon=STATISTICS_EPSILON)

    def step(batch):
        content, style = (tf.cast(part, tf.float32) for part in batch)
        content_features = encoder(content)[-1]
        style_features = encoder(style)
        mean, std = channel_mean_std(style_features[-1])
        target = normalize([content_features, std, mean])
        with tf.GradientTape() as tape:
            output_features = encoder(decoder(target, training=True))
            content_part = content_loss(output_features[-1], target)
            style_part = mean_std_style_loss(output_features, style_features)
            loss = batch_mean(content_part + style_weight * style_part)
        descend(tape, loss, variables, optimizer)
        return {"loss": loss, "content_loss": batch_mean(content_part),
                "style_loss": batch_mean(style_part)}

    return step
