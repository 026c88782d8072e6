"""The GAN engine's update written by hand: the reference step of every GAN family.

Goodfellow et al. 2014, Algorithm 1, with Arjovsky et al. 2017's ``n_critic``:
``d_steps`` critic updates, update ``k`` on the examples ``k, k + d_steps, ...``
of the step's real batch and fresh latents, with the configured loss plus the
gradient penalty (Gulrajani et al. 2017, eq. 3), R1 / R2 (Mescheder et al.
2018, eq. 9-10) and the drift term (Karras et al. 2018, A.1), then weight
clipping (Arjovsky et al. 2017, Algorithm 1, line 7). Then one generator update
(or Salimans et al. 2016's feature matching), then the EMA generator
``ema <- decay ema + (1 - decay) w`` (Karras et al. 2018). Salimans et al. 2016's
historical averaging (section 3.3: each player's running parameter mean, updated
before its update, and ``lambda ||theta - mean||^2`` in its cost) and virtual batch
normalization (section 3.5: the reference codes in front of each generator batch,
then the sampling generator's reference statistics recomputed) as well.

What it leaves out, on purpose, because it does not change the weights: the
metric trackers and diagnostics (``d_real``, ``g_grad_norm``, ...).
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from keras_genzoo.losses.adversarial import discriminator_loss, generator_loss
from keras_genzoo.losses.penalties import gradient_penalty, r1_penalty, r2_penalty
from keras_genzoo.models.hand_step import Noise, Step, batch_mean, descend, role_variables

#: ``generate(z, labels, draw)``: the training generator's output for the update
#: named ``draw`` (``"critic:<k>"`` or ``"generator"``)
Generate = Callable[[tf.Tensor, tf.Tensor | None, str], tf.Tensor]


def plain_generate(model, noise: Noise) -> Generate:
    """``G(z[, y])`` in training mode; ``draw`` (unused here) names the update."""
    conditional = model.uses_labels()

    reference = model.reference_latent

    def generate(z, labels, draw):
        if reference is None:
            return model.generator([z, labels] if conditional else z, training=True)
        # virtual batch normalization: the reference batch first, its outputs dropped
        z = tf.concat([reference, z], 0)
        if conditional:
            labels = tf.concat([model.reference_labels, labels], 0)
        out = model.generator([z, labels] if conditional else z, training=True)
        return out[reference.shape[0]:]

    return generate


def adversarial_step(model, optimizers, noise: Noise,
                     generate: Generate | None = None) -> Step:
    """One GAN training step of ``model``'s networks, by hand; ``generate``
    replaces the plain generator pass (StyleGAN's styles and noise)."""
    c = model.config
    generator, discriminator, ema = model.generator, model.discriminator, model.generator_ema
    g_optimizer, d_optimizer = optimizers["generator"], optimizers["discriminator"]
    g_variables = role_variables(model, "generator")
    d_variables = role_variables(model, "discriminator")
    conditional = model.uses_labels()
    generate = generate or plain_generate(model, noise)
    ema_pairs = list(zip(ema.weights, generator.weights)) if ema is not None else []

    history = model.parameter_history

    def average_in(role, variables):
        """(1/t) sum_{i=1}^t theta[i], the current parameters included."""
        t = history[role]["count"] + 1.0
        for mean, variable in zip(history[role]["means"], variables):
            mean.assign(mean + (variable - mean) / t)
        history[role]["count"].assign(t)

    def history_term(role, variables):
        return c.historical_averaging * tf.add_n(
            [tf.reduce_sum(tf.square(variable - tf.stop_gradient(mean)))
             for mean, variable in zip(history[role]["means"], variables)])

    def discriminate(data, labels):
        logits, features = discriminator([data, labels] if conditional else data, training=True)
        return tf.reshape(tf.cast(logits, tf.float32), [-1]), features

    def critic_update(real, labels, k):
        batch = tf.shape(real)[0]
        z = noise(f"critic:{k}/latent", [batch, c.latent_dim], "normal")

        def critic(x):
            return discriminate(x, labels)[0]

        if history:
            average_in("discriminator", d_variables)
        with tf.GradientTape() as tape:
            fake = tf.stop_gradient(generate(z, labels, f"critic:{k}"))
            real_logits, fake_logits = critic(real), critic(fake)
            per_example = discriminator_loss(c.loss, real_logits, fake_logits, c.label_smoothing)
            if c.gp_weight:
                epsilon = noise(f"critic:{k}/interpolation", [batch], "uniform")
                per_example += c.gp_weight * gradient_penalty(critic, real, fake, epsilon)
            if c.r1_gamma:
                per_example += 0.5 * c.r1_gamma * r1_penalty(critic, real)
            if c.r2_gamma:
                per_example += 0.5 * c.r2_gamma * r2_penalty(critic, fake)
            if c.drift_weight:
                per_example += c.drift_weight * tf.square(real_logits)
            loss = batch_mean(per_example)
            if history:
                loss += history_term("discriminator", d_variables)
        descend(tape, loss, d_variables, d_optimizer)
        if c.clip_value:
            for variable in d_variables:
                variable.assign(tf.clip_by_value(variable, -c.clip_value, c.clip_value))
        return loss

    def generator_update(real, labels):
        z = noise("generator/latent", [tf.shape(real)[0], c.latent_dim], "normal")
        if history:
            average_in("generator", g_variables)
        with tf.GradientTape() as tape:
            fake_logits, fake_features = discriminate(generate(z, labels, "generator"), labels)
            if c.feature_matching:
                real_features = tf.stop_gradient(discriminate(real, labels)[1])
                loss = tf.reduce_sum(tf.square(tf.reduce_mean(real_features, 0)
                                               - tf.reduce_mean(fake_features, 0)))
            else:
                loss = batch_mean(generator_loss(c.loss, fake_logits))
            if history:
                loss += history_term("generator", g_variables)
        descend(tape, loss, g_variables, g_optimizer)
        return loss

    def step(batch):
        real_all = model.to_generator_range(tf.cast(batch[0], tf.float32))
        labels_all = tf.cast(tf.reshape(batch[1], [-1]), tf.int32) if conditional else None

        def chunk(tensor, k):
            return None if tensor is None else tensor[k::c.d_steps]

        d_loss = tf.add_n([critic_update(chunk(real_all, k), chunk(labels_all, k), k)
                           for k in range(c.d_steps)]) / c.d_steps
        g_loss = generator_update(chunk(real_all, 0), chunk(labels_all, 0))
        for target, source in ema_pairs:
            if source.trainable:
                target.assign(c.ema_decay * target + (1.0 - c.ema_decay) * source)
            else:  # BatchNorm statistics, fixed noise: copied
                target.assign(source)
        if model.reference_latent is not None:
            # VBN: the sampling generator's reference statistics, of its current weights
            sampling = ema if ema is not None else generator
            references = model.reference_latent
            sampling([references, model.reference_labels] if conditional else references,
                     training=True)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return step
