"""The hand-written reference step of ``radialgan`` (see
:mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

import itertools

import tensorflow as tf

from keras_genzoo.losses.adversarial import (
    discriminator_logistic_loss,
    generator_non_saturating_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)
from keras_genzoo.losses.penalties import gradient_penalty
from keras_genzoo.losses.reconstruction import mean_squared_error
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables


def radialgan_step(model, optimizers, noise: Noise) -> Step:
    """Yoon et al. 2018, section 4: every ``D_j`` against every domain ``i``
    translated into ``j`` (WGAN-GP with lambda, or the logistic loss), then the
    translators (every ``F_i``, ``G_i``) on the adversarial term, the latent cycle
    (eq. 6), the data cycle (eq. 7), the label term and the shared-feature term,
    averaged over the M(M-1) ordered pairs, and the agreement term, averaged over
    the triples (a source, two other domains); with ``encode_label`` off every encoder
    sees its input with the label part zeroed."""
    c = model.config
    encoders, decoders, critics = model.encoders, model.decoders, model.discriminators
    d_optimizer, t_optimizer = optimizers["discriminators"], optimizers["translators"]
    d_variables = role_variables(model, "discriminators")
    t_variables = role_variables(model, "translators")
    pairs = list(itertools.permutations(range(len(encoders)), 2))
    scale = 1.0 / len(pairs)
    features = c.feature_counts
    wasserstein = c.adversarial_loss == "wgan-gp"

    def score(j, sample):
        return tf.reshape(critics[j](sample, training=True), [-1])

    def encode(sample, i):
        if not c.encode_label:
            sample = tf.concat([sample[:, :features[i]], tf.zeros_like(sample[:, features[i]:])],
                               axis=-1)
        return encoders[i](sample, training=True)

    def translate(sample, i, j):
        return decoders[j](encode(sample, i), training=True)

    def cross_entropy(one_hot, probabilities):
        return -tf.reduce_sum(one_hot * tf.math.log(probabilities + 1e-7), axis=-1)

    def step(batch):
        samples = [tf.concat([tf.cast(x, tf.float32),
                              tf.one_hot(tf.cast(tf.reshape(y, [-1]), tf.int32), c.num_classes)],
                             axis=-1) for x, y in batch]
        with tf.GradientTape() as tape:
            d_loss = 0.0
            for index, (i, j) in enumerate(pairs):
                real, fake = samples[j], tf.stop_gradient(translate(samples[i], i, j))
                if wasserstein:
                    per_example = wasserstein_critic_loss(score(j, real), score(j, fake))
                    if c.gp_weight:
                        epsilon = noise(f"interpolation:{index}", [tf.shape(real)[0]], "uniform")
                        per_example += c.gp_weight * gradient_penalty(
                            lambda v, j=j: score(j, v), real, fake, epsilon)
                else:
                    per_example = discriminator_logistic_loss(score(j, real), score(j, fake))
                d_loss += scale * batch_mean(per_example)
        descend(tape, d_loss, d_variables, d_optimizer)

        with tf.GradientTape() as tape:
            per_example = 0.0
            translations = {}
            for i, j in pairs:
                z = encode(samples[i], i)
                translated = translations[(i, j)] = decoders[j](z, training=True)
                adversarial = (wasserstein_generator_loss if wasserstein
                               else generator_non_saturating_loss)(score(j, translated))
                z_back = encode(translated, j)
                restored = decoders[i](z_back, training=True)
                x_true, y_true = samples[i][:, :features[i]], samples[i][:, features[i]:]
                data_cycle = (mean_squared_error(x_true, restored[:, :features[i]])
                              + cross_entropy(y_true, restored[:, features[i]:]))
                per_example += scale * (
                    adversarial
                    + c.latent_cycle_weight * tf.reduce_mean(tf.square(z_back - z), axis=-1)
                    + c.data_cycle_weight * data_cycle
                    + c.label_weight * cross_entropy(y_true, translated[:, features[j]:]))
                names_i, names_j = (list(c.feature_names[k]) if c.feature_names else []
                                    for k in (i, j))
                common = [name for name in names_i if name in names_j]
                for name in common:  # one feature at a time: the library gathers them
                    per_example += (scale * c.shared_feature_weight / len(common)) * tf.square(
                        translated[:, names_j.index(name)] - x_true[:, names_i.index(name)])
            triples = [(i, j, k) for i in range(len(encoders)) for j, k in pairs
                       if j < k and i not in (j, k)]
            for i, j, k in triples:
                names_j, names_k = (list(c.feature_names[d]) if c.feature_names else []
                                    for d in (j, k))
                common = [name for name in names_j if name in names_k]
                for name in common:
                    per_example += (c.agreement_weight / len(triples) / len(common)) * tf.square(
                        translations[(i, j)][:, names_j.index(name)]
                        - translations[(i, k)][:, names_k.index(name)])
            g_loss = batch_mean(per_example)
        descend(tape, g_loss, t_variables, t_optimizer)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return step
