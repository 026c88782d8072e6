"""Minimal hand-written training steps for every registered model: the overhead
reference of ``benchmarks/throughput.py`` (issue 8, item 6).

For each model, :func:`make_hand_step` writes one training step by hand, as a
user who knows only TensorFlow would: ``tf.GradientTape``, ``tape.gradient``,
``optimizer.apply_gradients`` in a ``@tf.function(jit_compile=xla)``, with
``tf.reduce_mean`` of the per-example losses and plain ``tf.random`` noise. It
trains the SAME networks (taken from a model genzoo built) with the SAME loss
and penalty functions (:mod:`keras_genzoo.losses`) and its own fresh
optimizers of the same class and hyper-parameters, so the only difference from
genzoo's trainer is what genzoo adds around the mathematics: ``strategy.run``,
stateless per-replica noise, global-batch averaging, metric trackers and the
loop's bookkeeping.

What a hand step leaves out, on purpose, because it does not change the
weights: metric trackers and diagnostics (``d_real``, ``g_grad_norm``, ...),
the progressive models' ``images_seen`` and ``train_steps`` counters and
real-image blending (the
growth schedule is finished and alpha is 1, where the blend is the identity),
and the step counter of ``recirculation-ae``'s placeholder optimizer.

    plan, model, source = prepare_benchmark_model("wgan-gp", batch_size=64, out_dir=tmp)
    step = make_hand_step(model, xla=plan.settings.xla)
    per_step = plan.settings.batch_size * model.real_batches_per_step()
    for batch in source.batches(per_step, epoch=0, seed=plan.settings.seed):
        losses = step(batch)          # {"d_loss": <tf.Tensor>, "g_loss": <tf.Tensor>}

Float32 only: mixed precision is genzoo's business, not the reference's.
"""

from __future__ import annotations

import itertools
import math
import pathlib
from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from keras_genzoo.layers.corruption import (
    gaussian_corruption,
    masking_corruption,
    salt_pepper_corruption,
)
from keras_genzoo.losses.adversarial import (
    discriminator_logistic_loss,
    discriminator_loss,
    generator_loss,
    generator_non_saturating_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)
from keras_genzoo.losses.contractive import (
    code_and_jacobian_frobenius_autodiff,
    jacobian_frobenius_sigmoid_dense,
)
from keras_genzoo.losses.divergence import (
    bernoulli_log_likelihood,
    gaussian_kl_standard_normal,
    gaussian_log_density,
)
from keras_genzoo.losses.penalties import gradient_penalty, r1_penalty, r2_penalty
from keras_genzoo.losses.reconstruction import RECONSTRUCTION_LOSSES, mean_squared_error
from keras_genzoo.losses.sparsity import kl_sparsity_penalty, l1_code_penalty

#: ``noise(stream, shape, distribution)`` -> a tensor of ``shape``: standard normal
#: (``"normal"``) or U[0, 1) (``"uniform"``). ``stream`` names the draw (e.g.
#: ``"critic:2/latent"``), so a test can replay genzoo's noise streams exactly.
Noise = Callable[[str, Any, str], tf.Tensor]

Step = Callable[[Any], dict[str, tf.Tensor]]


def plain_noise(stream: str, shape, distribution: str = "normal") -> tf.Tensor:
    """A minimal loop's noise: stateful ``tf.random`` draws (``stream`` is ignored)."""
    if distribution == "uniform":
        return tf.random.uniform(shape)
    return tf.random.normal(shape)


def _mean(per_example) -> tf.Tensor:
    """One device, one batch: the mean over the batch (genzoo's global-batch average)."""
    return tf.reduce_mean(per_example)


def _descend(tape, loss, variables, optimizer) -> None:
    """One gradient step on ``variables``; Keras applies each variable's
    ``constraint`` (WGAN's weight clipping) right after the update."""
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


def role_variables(model, role: str) -> list:
    """The variables the hand loop's optimizer ``role`` updates (genzoo's
    ``variables_trained_by``, read off the networks)."""
    if role == "autoencoder":  # one optimizer for encoder and decoder together
        return model.encoder.trainable_variables + model.decoder.trainable_variables
    if role == "translators":
        return [v for net in model.encoders + model.decoders for v in net.trainable_variables]
    if role == "discriminators":
        return [v for net in model.discriminators for v in net.trainable_variables]
    return getattr(model, role).trainable_variables  # classifier, generator, discriminator


# ============================================================== optimizers
def hand_optimizers(model) -> dict[str, keras.optimizers.Optimizer]:
    """Fresh, unbuilt optimizers: genzoo's own ``default_optimizers()`` (new
    instances of the same classes and hyper-parameters, by the same role names),
    so the two paths cannot drift apart. The recirculation AE gets none: it
    learns by its own rule (Hinton & McClelland 1987), and genzoo's SGD there
    only counts steps."""
    if model.registry_name == "recirculation-ae":
        return {}
    return dict(model.default_optimizers())


# ============================================================ autoencoders
def _autoencoder_step(model, optimizers, noise) -> Step:
    """``L(x, g(f(x)))`` (Deep Learning 14.1); the denoising autoencoder encodes
    ``x~ ~ C(x~ | x)`` instead and still compares with the clean ``x``
    (Vincent et al. 2008; Deep Learning 14.2.2)."""
    c = model.config
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    reconstruction_loss = RECONSTRUCTION_LOSSES[c.reconstruction_loss]
    denoising = model.registry_name == "denoising-ae"

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
        inputs = corrupt(images) if denoising else images
        with tf.GradientTape() as tape:
            reconstruction = model.decoder(model.encoder(inputs, training=True), training=True)
            loss = _mean(reconstruction_loss(images, reconstruction))
        _descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step


def _sparse_ae_step(model, optimizers, noise) -> Step:
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
            reconstruction = _mean(reconstruction_loss(images, model.decoder(code,
                                                                             training=True)))
            if c.penalty == "l1":
                penalty = _mean(c.l1_lambda * l1_code_penalty(code))
            else:
                penalty = c.beta * kl_sparsity_penalty(tf.reduce_mean(code, axis=0), c.rho)
            loss = reconstruction + penalty
        _descend(tape, loss, variables, optimizer)
        return {"loss": loss, "reconstruction": reconstruction, "penalty": penalty}

    return step


def _contractive_ae_step(model, optimizers, noise) -> Step:
    """``L(x, g(f(x))) + lambda ||J_f(x)||_F^2`` (Rifai et al. 2011; Deep Learning
    eq. 14.18): the closed form of one sigmoid dense layer, or the exact Jacobian
    from a nested tape that the outer tape differentiates through."""
    c = model.config
    optimizer = optimizers["autoencoder"]
    variables = role_variables(model, "autoencoder")
    reconstruction_loss = RECONSTRUCTION_LOSSES[c.reconstruction_loss]
    if model.jacobian_mode == "closed_form":
        from keras_genzoo.models.contractive_ae import single_sigmoid_dense_layer

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
            loss = _mean(reconstruction + c.contractive_lambda * frobenius_sq)
        _descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step


def _vae_step(model, optimizers, noise) -> Step:
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
            loss = _mean(-log_likelihood + c.beta * gaussian_kl_standard_normal(mean, log_var))
        _descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step


def _recirculation_step(model, optimizers, noise) -> Step:
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


# ============================================================== classifier
def _classifier_step(model, optimizers, noise) -> Step:
    """Softmax cross-entropy of the class logits, Adam."""
    network = model.classifier
    optimizer = optimizers["classifier"]
    variables = role_variables(model, "classifier")

    def step(batch):
        images, labels = tf.cast(batch[0], tf.float32), tf.cast(batch[1], tf.int32)
        with tf.GradientTape() as tape:
            logits, _ = network(images, training=True)
            loss = _mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        _descend(tape, loss, variables, optimizer)
        return {"loss": loss}

    return step


# ==================================================================== GANs
def _plain_generate(model, noise):
    """``G(z[, y])`` in training mode; ``draw`` (unused here) names the update."""
    conditional = model.uses_labels()

    def generate(z, labels, draw):
        return model.generator([z, labels] if conditional else z, training=True)

    return generate


def _style_generate(model, noise):
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


def _gan_step(model, optimizers, noise) -> Step:
    """Goodfellow et al. 2014, Algorithm 1, with Arjovsky et al. 2017's
    ``n_critic``: ``d_steps`` critic updates, update ``k`` on the examples
    ``k, k + d_steps, ...`` of the step's real batch and fresh latents, with the
    configured loss plus the gradient penalty (Gulrajani et al. 2017, eq. 3),
    R1 / R2 (Mescheder et al. 2018, eq. 9-10) and the drift term (Karras et al.
    2018, A.1); clipping is the critic variables' constraint, applied by the
    optimizer (Arjovsky et al. 2017, Algorithm 1, line 7). Then one generator
    update (or Salimans et al. 2016's feature matching), then the EMA generator
    ``ema <- decay ema + (1 - decay) w`` (Karras et al. 2018). Covers gan, dcgan,
    wgan, wgan-gp, cgan, progan and stylegan (its own generator pass)."""
    c = model.config
    generator, discriminator, ema = model.generator, model.discriminator, model.generator_ema
    g_optimizer, d_optimizer = optimizers["generator"], optimizers["discriminator"]
    g_variables = role_variables(model, "generator")
    d_variables = role_variables(model, "discriminator")
    conditional = model.uses_labels()
    generate = (_style_generate if model.registry_name == "stylegan" else _plain_generate)(
        model, noise)
    ema_pairs = list(zip(ema.weights, generator.weights)) if ema is not None else []

    def discriminate(data, labels):
        logits, features = discriminator([data, labels] if conditional else data, training=True)
        return tf.reshape(tf.cast(logits, tf.float32), [-1]), features

    def critic_update(real, labels, k):
        batch = tf.shape(real)[0]
        z = noise(f"critic:{k}/latent", [batch, c.latent_dim], "normal")

        def critic(x):
            return discriminate(x, labels)[0]

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
            loss = _mean(per_example)
        _descend(tape, loss, d_variables, d_optimizer)
        return loss

    def generator_update(real, labels):
        z = noise("generator/latent", [tf.shape(real)[0], c.latent_dim], "normal")
        with tf.GradientTape() as tape:
            fake_logits, fake_features = discriminate(generate(z, labels, "generator"), labels)
            if c.feature_matching:
                real_features = tf.stop_gradient(discriminate(real, labels)[1])
                loss = tf.reduce_sum(tf.square(tf.reduce_mean(real_features, 0)
                                               - tf.reduce_mean(fake_features, 0)))
            else:
                loss = _mean(generator_loss(c.loss, fake_logits))
        _descend(tape, loss, g_variables, g_optimizer)
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
        return {"d_loss": d_loss, "g_loss": g_loss}

    return step


# =============================================================== RadialGAN
def _radialgan_step(model, optimizers, noise) -> Step:
    """Yoon et al. 2018, section 4: every ``D_j`` against every domain ``i``
    translated into ``j`` (WGAN-GP with lambda, or the logistic loss), then the
    translators (every ``F_i``, ``G_i``) on the adversarial term, the latent cycle
    (eq. 6), the data cycle (eq. 7) and the label term, averaged over the M(M-1)
    ordered pairs."""
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

    def translate(sample, i, j):
        return decoders[j](encoders[i](sample, training=True), training=True)

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
                d_loss += scale * _mean(per_example)
        _descend(tape, d_loss, d_variables, d_optimizer)

        with tf.GradientTape() as tape:
            per_example = 0.0
            for i, j in pairs:
                z = encoders[i](samples[i], training=True)
                translated = decoders[j](z, training=True)
                adversarial = (wasserstein_generator_loss if wasserstein
                               else generator_non_saturating_loss)(score(j, translated))
                z_back = encoders[j](translated, training=True)
                restored = decoders[i](z_back, training=True)
                x_true, y_true = samples[i][:, :features[i]], samples[i][:, features[i]:]
                data_cycle = (mean_squared_error(x_true, restored[:, :features[i]])
                              + cross_entropy(y_true, restored[:, features[i]:]))
                per_example += scale * (
                    adversarial
                    + c.latent_cycle_weight * tf.reduce_mean(tf.square(z_back - z), axis=-1)
                    + c.data_cycle_weight * data_cycle
                    + c.label_weight * cross_entropy(y_true, translated[:, features[j]:]))
            g_loss = _mean(per_example)
        _descend(tape, g_loss, t_variables, t_optimizer)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return step


# ================================================================= public
_FAMILIES: dict[str, Callable[..., Step]] = {
    "ae": _autoencoder_step,
    "denoising-ae": _autoencoder_step,
    "sparse-ae": _sparse_ae_step,
    "contractive-ae": _contractive_ae_step,
    "vae": _vae_step,
    "recirculation-ae": _recirculation_step,
    "classifier": _classifier_step,
    "gan": _gan_step,
    "dcgan": _gan_step,
    "wgan": _gan_step,
    "wgan-gp": _gan_step,
    "cgan": _gan_step,
    "progan": _gan_step,
    "stylegan": _gan_step,
    "radialgan": _radialgan_step,
}


def hand_written_models() -> tuple[str, ...]:
    """Registry names :func:`make_hand_step` has a loop for."""
    return tuple(_FAMILIES)


def make_hand_step(model, *, xla: bool, noise: Noise | None = None) -> Step:
    """A ``@tf.function(jit_compile=xla)`` doing one training step of ``model``'s
    networks with the same math as ``model.train_step``, written by hand.

    ``model`` is built, compiled and prepared by genzoo in float32 (progressive
    models grown to their final resolution, alpha 1: :func:`prepare_benchmark_model`).
    The step takes one batch as ``source.batches(batch_size *
    model.real_batches_per_step(), ...)`` yields it and returns its losses as a
    dict of scalar tensors. ``noise`` replaces the plain ``tf.random`` draws
    (tests replay genzoo's noise streams through it). Raises ``ValueError`` for a
    model without a hand loop, with ``xla`` for a model that cannot compile
    (``model.xla_unsupported_reason()``), and for a progressive model that is
    still growing.
    """
    family = _FAMILIES.get(model.registry_name)
    if family is None:
        raise ValueError(f"no hand-written loop for {model.registry_name}; "
                         f"known: {', '.join(_FAMILIES)}")
    reason = model.xla_unsupported_reason()
    if xla and reason:
        raise ValueError(reason)
    policy = keras.mixed_precision.global_policy().name
    if policy != "float32":
        raise ValueError(f"the hand-written loops are float32; the dtype policy is {policy}")
    if model.has_schedule:
        final = model.config.num_phases - 1
        if model.phase != final or model.alpha != 1.0:
            raise ValueError(f"{model.registry_name} is at phase {model.phase}, alpha "
                             f"{model.alpha}; grow it to phase {final}, alpha 1 first "
                             "(prepare_benchmark_model does)")
    optimizers = hand_optimizers(model)
    for role, optimizer in optimizers.items():
        # built before tracing, as genzoo's prepare() does: the step creates no variables
        optimizer.build(role_variables(model, role))
    step = family(model, optimizers, noise or plain_noise)
    return tf.function(step, jit_compile=xla)


def prepare_benchmark_model(model_name: str, *, batch_size: int, xla: bool = False,
                            out_dir, overrides: dict[str, str] | None = None):
    """``(plan, model, source)`` as genzoo's trainer would set them up for a
    one-step run of ``model_name``'s default preset: plan resolved, float32
    policy, seeds, model built, compiled and prepared, its training source open,
    a RadialGAN's standardization set, and a progressive model grown through its
    whole schedule (final resolution, fade-in finished). ``out_dir`` is only
    recorded in the plan; nothing is written. ``overrides`` are ``--set`` values.
    """
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import strategy as strategy_lib

    plan = plan_lib.resolve_plan(model_name, out_dir=str(pathlib.Path(out_dir)),
                                batch_size=batch_size, xla=xla, steps=1, overrides=overrides)
    settings = plan.settings
    keras.utils.set_random_seed(settings.seed)
    strategy_lib.set_precision(False)
    tabular = "feature_counts" in plan.config
    source = plan_lib.open_training_source(plan)  # the data genzoo's trainer trains on
    model = runs.build_model(plan.model, plan.config)
    model.seed = settings.seed
    model.compile()
    model.prepare()
    if tabular:
        model.set_standardization([d.mean for d in source.domains],
                                  [d.std for d in source.domains])
    if model.has_schedule:
        # each call may grow (new networks, new optimizers); at the schedule's end
        # the last call changes nothing and leaves alpha at 1
        while model.advance_schedule(model.config.schedule_images()):
            pass
    return plan, model, source
