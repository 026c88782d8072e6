"""Variational autoencoder: Kingma & Welling, "Auto-Encoding Variational Bayes",
ICLR 2014 (arXiv:1312.6114); Goodfellow, Bengio & Courville 2016, "Deep
Learning", sections 14.4 and 20.10.3.

A recognition network (encoder) gives a diagonal Gaussian posterior
``q(z|x) = N(mu(x), diag(exp(log_var(x))))``, a generator network (decoder)
gives ``p(x|z)``, and the prior is ``p(z) = N(0, I)``. Both are trained
together by maximizing the evidence lower bound (Kingma & Welling eq. 3 and
10; Deep Learning eq. 20.76)::

    L(q) = E_{z ~ q(z|x)} [log p(x|z)] - KL(q(z|x) || p(z))  <=  log p(x)

The expectation is estimated with one sample per example through the
reparameterization ``z = mu + exp(log_var / 2) * eps, eps ~ N(0, I)``
(Kingma & Welling eq. 7 and section 2.4), so its gradient reaches the
encoder; the KL term is analytic (appendix B). ``beta`` weighs the KL term
(beta-VAE, Higgins et al. 2017, eq. 4; ``beta = 1`` is the ELBO itself).

Decoders (config key ``decoder``): ``bernoulli`` (logits, Kingma & Welling
appendix C.1) or ``gaussian`` with mean ``sigmoid(logits)`` and a FIXED
standard deviation ``gaussian_std`` (appendix C.2 with the variance not
learned: a learned per-pixel variance on near-binary digits collapses onto
the background pixels and makes the likelihood unbounded).

With ``conditional = true`` both networks also get the class label (CVAE,
Sohn, Lee & Yan 2015): ``q(z|x, y)`` and ``p(x|z, y)`` with ``p(z) = N(0, I)``.

Evaluation adds the importance-weighted bound of Burda, Grosse &
Salakhutdinov 2016 (arXiv:1509.00519, eq. 8), which is at least the ELBO
and tightens towards ``log p(x)`` as the number of samples ``k`` grows.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.losses.divergence import (
    bernoulli_log_likelihood,
    gaussian_kl_standard_normal,
    gaussian_log_density,
    log_mean_exp,
    standard_normal_log_density,
)
from keras_genzoo.losses.reconstruction import reconstruction_quality
from keras_genzoo.models.ae.model import AutoencoderConfig
from keras_genzoo.models.base import AutoencoderBase, latent_codes

#: held-out images the importance-weighted bound is evaluated on at each epoch end
IW_EVAL_IMAGES = 256
#: decoder passes per chunk when evaluating bounds (bounds memory, not results)
_CHUNK_PASSES = 4096

# AutoencoderConfig keys a VAE does not use: the decoder distribution replaces them.
_UNUSED_DEFAULTS = {"code_activation": "linear", "output_activation": "sigmoid",
                    "reconstruction_loss": "mse"}


@dataclasses.dataclass(frozen=True)
class VAEConfig(AutoencoderConfig):
    #: p(x|z): "bernoulli" (pixel logits) or "gaussian" (mean sigmoid(logits), std gaussian_std)
    decoder: Literal["bernoulli", "gaussian"] = "bernoulli"
    #: weight of KL(q(z|x) || p(z)); 1 is the ELBO, > 1 the beta-VAE of Higgins et al. 2017
    beta: float = 1.0
    #: condition encoder and decoder on the class label (CVAE)
    conditional: bool = False
    num_classes: int = 10
    #: k of the importance-weighted bound reported at evaluation (Burda et al. 2016)
    iw_samples: int = 50
    #: fixed standard deviation of the Gaussian decoder, in pixel units ([0, 1] images)
    gaussian_std: float = 0.1

    def validate(self):
        super().validate()
        for key, default in _UNUSED_DEFAULTS.items():
            if getattr(self, key) != default:
                raise ConfigError(f"vae does not use {key}; choose p(x|z) with "
                                  "decoder=bernoulli|gaussian")
        if self.weight_decay:
            raise ConfigError("vae does not use weight_decay (the KL term regularizes it)")
        config_lib.require_non_negative(self, "beta")
        config_lib.require_at_least(self, "num_classes", 2)
        config_lib.require_at_least(self, "iw_samples", 1)
        config_lib.require_positive(self, "gaussian_std")
        if self.data_dim:
            raise ConfigError("vae works on images; train ae, sparse-ae, denoising-ae or "
                              "contractive-ae on points")


# ------------------------------------------------------------------- networks
def _one_hot(label, num_classes):
    return keras.ops.one_hot(keras.ops.cast(label, "int32"), num_classes)


def build_vae_networks(c: VAEConfig) -> tuple[keras.Model, keras.Model]:
    """Encoder ``x (, label) -> [mean, log_var]`` and decoder ``code (, label) -> logits``.

    The layer shapes follow the plain autoencoder's ``conv`` / ``dense``
    networks; the encoder has two linear heads, and the decoder stops before
    the output nonlinearity (pixel logits), so the likelihood can be computed
    from logits without ``log(0)``. A conditional model takes the label as an
    int32 class index and one-hot encodes it inside the network, so exported
    signatures take plain class ids: the encoder sees it as ``num_classes``
    constant extra image channels (conv) or appended to the flattened image
    (dense); the decoder sees it appended to ``z``.
    """
    size, channels = c.image_size, c.channels
    # Dense layers of the MLP networks start from U(+-1/sqrt(fan_in)) (variance
    # 1/(3 fan_in)), the initializer of most VAE reference code (PyTorch's Linear);
    # Glorot's larger start gives the mean and log-variance heads 6x the variance
    # and costs about 2 nats of held-out likelihood after 20 epochs on binarized
    # MNIST (docs/benchmarks.md, VAE likelihood). The conv networks keep Keras'.
    dense_init = (keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform")
                  if c.architecture == "dense" else "glorot_uniform")
    x = keras.Input([size, size, channels], name="x")
    encoder_inputs = [x]
    if c.conditional:
        label = keras.Input([], dtype="int32", name="label")
        encoder_inputs.append(label)
        one_hot = _one_hot(label, c.num_classes)
    if c.architecture == "conv":
        if size % 4:
            raise ConfigError(f"image_size must be divisible by 4 for the conv vae, got {size}")
        h = x
        if c.conditional:
            planes = keras.ops.tile(one_hot[:, None, None, :], [1, size, size, 1])
            h = keras.layers.Concatenate(name="with_label")([x, planes])
        h = keras.layers.Conv2D(c.filters, 3, strides=2, padding="same", activation=c.activation)(h)
        h = keras.layers.Conv2D(c.filters * 2, 3, strides=2, padding="same",
                                activation=c.activation)(h)
        h = keras.layers.Flatten()(h)
    else:
        h = keras.layers.Flatten()(x)
        if c.conditional:
            h = keras.layers.Concatenate(name="with_label")([h, one_hot])
        for index, units in enumerate(c.hidden_units):
            h = keras.layers.Dense(units, activation=c.activation, name=f"hidden{index}",
                                   kernel_initializer=dense_init)(h)
    mean = keras.layers.Dense(c.code_dim, name="mean", dtype="float32",
                              kernel_initializer=dense_init)(h)
    log_var = keras.layers.Dense(c.code_dim, name="log_var", dtype="float32",
                                 kernel_initializer=dense_init)(h)
    encoder = keras.Model(encoder_inputs if c.conditional else x, [mean, log_var], name="encoder")

    code = keras.Input([c.code_dim], name="code")
    decoder_inputs = [code]
    h = code
    if c.conditional:
        label = keras.Input([], dtype="int32", name="label")
        decoder_inputs.append(label)
        h = keras.layers.Concatenate(name="with_label")([code, _one_hot(label, c.num_classes)])
    if c.architecture == "conv":
        quarter = size // 4
        h = keras.layers.Dense(quarter * quarter * c.filters * 2, activation=c.activation)(h)
        h = keras.layers.Reshape([quarter, quarter, c.filters * 2])(h)
        h = keras.layers.Conv2DTranspose(c.filters, 3, strides=2, padding="same",
                                         activation=c.activation)(h)
        h = keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same")(h)
    else:
        for index, units in enumerate(reversed(tuple(c.hidden_units))):
            h = keras.layers.Dense(units, activation=c.activation, name=f"hidden{index}",
                                   kernel_initializer=dense_init)(h)
        h = keras.layers.Dense(size * size * channels, name="pixels",
                               kernel_initializer=dense_init)(h)
        h = keras.layers.Reshape([size, size, channels])(h)
    # float32 so that the likelihood is float32 under mixed precision too
    logits = keras.layers.Activation("linear", dtype="float32", name="logits")(h)
    decoder = keras.Model(decoder_inputs if c.conditional else code, logits, name="decoder")
    return encoder, decoder


# ---------------------------------------------------------------------- model
@keras.saving.register_keras_serializable("keras_genzoo")
class VAE(AutoencoderBase):
    """Gaussian-encoder VAE with a Bernoulli or Gaussian decoder, beta and CVAE mode."""

    #: nats per image are summed over pixels: 1024x1024 RGB images start near 2e6, and a
    #: small ``gaussian_std`` scales them by 1/std^2; the weights stay bounded
    bounded_logs = False

    config_class = VAEConfig
    registry_name = "vae"
    generative = True  # decodes draws from its prior N(0, I)
    train_step_needs_autograph = False  # its branches are on the config, not on tensors
    #: loss = reconstruction + beta * kl (the negative ELBO when beta = 1)
    metric_names = ("loss", "reconstruction", "kl")

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.encoder, self.decoder = build_vae_networks(self.config)

    def default_optimizers(self):
        return {"autoencoder": keras.optimizers.Adam(self.config.learning_rate)}

    def num_classes(self) -> int:
        return self.config.num_classes if self.config.conditional else 0

    # -------------------------------------------------- the probabilistic model
    def posterior(self, images, labels=None, training=False):
        """``(mean, log_var)`` of ``q(z|x[, y])``."""
        inputs = [images, tf.cast(labels, tf.int32)] if self.config.conditional else images
        mean, log_var = self.encoder(inputs, training=training)
        return tf.cast(mean, tf.float32), tf.cast(log_var, tf.float32)

    def decoder_logits(self, z, labels=None, training=False):
        inputs = [z, tf.cast(labels, tf.int32)] if self.config.conditional else z
        return tf.cast(self.decoder(inputs, training=training), tf.float32)

    @staticmethod
    def reparameterize(mean, log_var, eps):
        """``z = mu + sigma * eps`` (Kingma & Welling eq. 7 / section 2.4): a
        differentiable function of (mu, log_var) for noise drawn outside it."""
        return mean + tf.exp(0.5 * log_var) * eps

    @staticmethod
    def mean_image(logits):
        """The mean of ``p(x|z)``: ``sigmoid(logits)`` for both decoders, in [0, 1]."""
        return tf.sigmoid(logits)

    def log_likelihood(self, images, logits):
        """``log p(x|z)`` per example, summed over pixels, in nats."""
        if self.config.decoder == "bernoulli":
            return bernoulli_log_likelihood(images, logits)
        log_var = 2.0 * math.log(self.config.gaussian_std)
        return gaussian_log_density(images, tf.sigmoid(logits), log_var)

    def negative_elbo_terms(self, images, labels, eps, training=False):
        """``(-log p(x|z), KL(q(z|x) || p(z)))`` per example with ``z`` from noise ``eps``.

        One-sample estimate of Kingma & Welling eq. 10 (the SGVB estimator B).
        """
        mean, log_var = self.posterior(images, labels, training=training)
        z = self.reparameterize(mean, log_var, eps)
        nll = -self.log_likelihood(images, self.decoder_logits(z, labels, training=training))
        return nll, gaussian_kl_standard_normal(mean, log_var)

    # ------------------------------------------------------------- training
    def call(self, inputs, training=False):
        images, labels = self.unpack(inputs)
        labels = self.label_tensor(labels, tf.shape(images)[0])
        mean, _ = self.posterior(images, labels, training=training)
        return self.mean_image(self.decoder_logits(mean, labels, training=training))

    def train_step(self, data):
        images, labels = self.unpack(data)
        if self.config.conditional and labels is None:
            raise ValueError("a conditional vae trains on (images, labels) batches")
        labels = self.label_tensor(labels, tf.shape(images)[0])
        # eps ~ N(0, I): this replica's slice of one global draw keyed by (seed, step)
        eps = self.replica_noise(tf.shape(images)[0], [self.config.code_dim], salt=1)
        optimizer = self.network_optimizers["autoencoder"]
        with tf.GradientTape() as tape:
            nll, kl = self.negative_elbo_terms(images, labels, eps, training=True)
            per_example = nll + self.config.beta * kl
            loss = self.average_over_global_batch(per_example)
            scaled = self.scaled_loss(optimizer, loss)
        self.apply_gradients("autoencoder", tape, scaled)
        return self.record({"loss": tf.reduce_mean(per_example),
                            "reconstruction": tf.reduce_mean(nll),
                            "kl": tf.reduce_mean(kl)})

    # ------------------------------------------------------ the numpy API
    def _labels_for(self, images, labels):
        """int32 labels for a conditional model (inferred when not given), else None."""
        if not self.config.conditional:
            return None
        if labels is None:
            return self.infer_labels(images)
        return self.checked_labels(labels, len(images))

    @staticmethod
    def _images(images):
        return tf.convert_to_tensor(np.asarray(images, np.float32))

    def encode_distribution(self, images, labels=None) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, log_var)`` of ``q(z|x[, y])``, as NumPy arrays ``[N, code_dim]``."""
        labels = self._labels_for(images, labels)
        mean, log_var = self.posterior(self._images(images), labels)
        return mean.numpy(), log_var.numpy()

    def encode(self, images, labels=None) -> np.ndarray:
        """The posterior MEAN ``mu(x)``: the VAE's deterministic code."""
        return self.encode_distribution(images, labels)[0]

    def decode(self, codes, labels=None) -> np.ndarray:
        """The mean of ``p(x|z[, y])`` in [0, 1] (a conditional model given no
        labels decodes with class 0)."""
        codes = tf.convert_to_tensor(np.asarray(codes, np.float32))
        labels = self._labels_for(np.zeros(len(codes)), 0 if labels is None else labels)
        return self.mean_image(self.decoder_logits(codes, labels)).numpy()

    def decoder_distribution(self):
        """``p(x|z)`` as trained: ``bernoulli`` or ``gaussian`` (std ``gaussian_std``)."""
        return self.config.decoder

    def reconstruct(self, images, labels=None) -> np.ndarray:
        """The mean of ``p(x | z = mu(x))``. A conditional model given no labels
        uses :meth:`infer_labels`."""
        labels = self._labels_for(images, labels)
        return self.decode(self.encode(images, labels), labels)

    def sample(self, num: int, seed: int = 0, label=None, batch_size: int = 1000) -> np.ndarray:
        """``num`` images (means of ``p(x|z)``) for ``z`` from the prior ``N(0, I)``.

        ``z`` is the same stateless draw as a GAN's latent batch for ``seed``.
        Conditional models take ``label`` (an int or one per image); without it
        the labels cycle 0, 1, ..., num_classes - 1 (a grid with one class per column).
        """
        z = latent_codes(num, self.config.code_dim, seed)
        if not self.config.conditional:
            if label is not None:
                raise GenzooError("label= needs a conditional vae (conditional=true)")
            labels = None
        else:
            if label is None:
                label = np.arange(num) % self.config.num_classes
            labels = self._labels_for(np.zeros(num), label)
        # in chunks: 10,000 samples (genzoo eval) need not hold 10,000 activations at once
        return np.concatenate([
            self.decode(z[start:start + batch_size],
                        None if labels is None else labels[start:start + batch_size])
            for start in range(0, num, batch_size)])

    def infer_labels(self, images) -> np.ndarray:
        """For a conditional model: per image, the class whose deterministic ELBO
        (z at the posterior mean) is highest, i.e. Bayes' rule with a uniform
        class prior applied to the bound. Used when labels are not given."""
        if not self.config.conditional:
            raise GenzooError("infer_labels needs a conditional vae (conditional=true)")
        images = np.asarray(images, np.float32)
        count, classes = len(images), self.config.num_classes
        tiled = self._images(np.tile(images, [classes, 1, 1, 1]))
        labels = tf.repeat(tf.range(classes, dtype=tf.int32), count)
        mean, log_var = self.posterior(tiled, labels)
        score = (self.log_likelihood(tiled, self.decoder_logits(mean, labels))
                 - gaussian_kl_standard_normal(mean, log_var))
        return np.argmax(tf.reshape(score, [classes, count]).numpy(), axis=0).astype(np.int32)

    def elbo(self, images, labels=None, seed: int = 0, samples: int = 1) -> np.ndarray:
        """Per-image ELBO in nats, ``E_q[log p(x|z)]`` from ``samples`` draws + analytic KL."""
        terms = self.elbo_terms(images, labels, seed=seed, samples=samples)
        return terms[0] - terms[1]

    def elbo_terms(self, images, labels=None, seed: int = 0, samples: int = 1):
        """``(E_q[log p(x|z)], KL)`` per image (NumPy), the expectation over ``samples`` draws."""
        images = np.asarray(images, np.float32)
        labels = self._labels_for(images, labels)
        eps = tf.random.stateless_normal([samples, len(images), self.config.code_dim],
                                         seed=[seed, 1])
        mean, log_var = self.posterior(self._images(images), labels)
        z = tf.reshape(self.reparameterize(mean[None], log_var[None], eps),
                       [-1, self.config.code_dim])
        tiled = self._images(np.tile(images, [samples, 1, 1, 1]))
        tiled_labels = None if labels is None else np.tile(labels, samples)
        log_px = self.log_likelihood(tiled, self.decoder_logits(z, tiled_labels))
        log_px = tf.reduce_mean(tf.reshape(log_px, [samples, -1]), axis=0)
        return log_px.numpy(), gaussian_kl_standard_normal(mean, log_var).numpy()

    @tf.function(reduce_retracing=True, autograph=False)  # no control flow on tensors
    def _held_out_terms(self, x, y, eps):
        """Per image: the reconstruction (the mean of ``p(x | z = mu(x))``, as
        :meth:`reconstruct`), ``log p(x|z)`` at ``z = mu + sigma * eps`` and the KL, as
        :meth:`elbo_terms` for one sample; one graph for the epoch end's scores."""
        nll, kl = self.negative_elbo_terms(x, y, eps)
        reconstruction = self.mean_image(self.decoder_logits(self.posterior(x, y)[0], y))
        return reconstruction, -nll, kl

    @tf.function(reduce_retracing=True, autograph=False)  # no control flow on tensors
    def _log_weights_mean(self, x, y, eps):
        """``log (1/k) sum_i w_i`` for one chunk of images ``x`` and noise ``eps``
        ``[k, n, d]``; one graph, so the per-epoch held-out bound costs little."""
        k, n, d = tf.shape(eps)[0], tf.shape(x)[0], self.config.code_dim
        mean, log_var = self.posterior(x, y)
        z = self.reparameterize(mean[None], log_var[None], eps)
        flat_z = tf.reshape(z, [k * n, d])
        tiled_x = tf.tile(x, [k, 1, 1, 1])
        tiled_y = None if y is None else tf.tile(y, [k])
        log_px = self.log_likelihood(tiled_x, self.decoder_logits(flat_z, tiled_y))
        log_pz = standard_normal_log_density(flat_z)
        log_qz = gaussian_log_density(flat_z, tf.tile(mean, [k, 1]), tf.tile(log_var, [k, 1]))
        return log_mean_exp(tf.reshape(log_px + log_pz - log_qz, [k, n]), axis=0)

    def importance_weighted_bound(self, images, labels=None, k: int = 50,
                                  seed: int = 0) -> np.ndarray:
        """Burda et al. 2016 eq. 8, per image, in nats::

            L_k(x) = log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x),   z_i ~ q(z|x)

        computed in log space with logsumexp. ``E[L_1] = ELBO`` and
        ``E[L_k] <= E[L_{k+1}] <= log p(x)`` (their theorem 1).
        """
        images = np.asarray(images, np.float32)
        labels = self._labels_for(images, labels)
        d = self.config.code_dim
        # one draw for all images, so results do not depend on the chunking
        count = len(images)
        if not count:
            return np.zeros([0], np.float32)
        eps_all = tf.random.stateless_normal([count, k, d], seed=[seed, 2])
        # chunks of one size (the last padded with copies of the last image, its extra
        # bounds dropped): the graph is traced for one shape only
        chunks = -(-count // max(1, _CHUNK_PASSES // k))
        chunk = -(-count // chunks)
        padded = np.arange(chunks * chunk).clip(max=count - 1)
        images, eps_all = images[padded], tf.gather(eps_all, padded)
        labels = None if labels is None else labels[padded]
        bounds = []
        for start in range(0, chunks * chunk, chunk):
            x = self._images(images[start : start + chunk])
            y = None if labels is None else tf.constant(labels[start : start + chunk], tf.int32)
            eps = tf.transpose(eps_all[start : start + chunk], [1, 0, 2])  # [k, n, d]
            bounds.append(self._log_weights_mean(x, y, eps).numpy())
        return np.concatenate(bounds)[:count]

    def evaluation_metrics(self, images, labels=None, *,
                           iw_bound: bool = True) -> dict[str, float]:
        """mse / psnr of the mean reconstruction, plus ``elbo`` and ``kl`` (nats per
        image, one fixed-seed sample each) and, with ``iw_bound``, ``iw_bound``
        (k = iw_samples) on the first :data:`IW_EVAL_IMAGES` images."""
        images = np.asarray(images, np.float32)
        labels = self._labels_for(images, labels)
        # elbo_terms' draw for (seed 0, one sample)
        eps = tf.random.stateless_normal([1, len(images), self.config.code_dim],
                                         seed=[0, 1])[0]
        reconstruction, log_px, kl = self._held_out_terms(
            self._images(images), None if labels is None else tf.constant(labels, tf.int32),
            eps)
        metrics = reconstruction_quality(images, reconstruction.numpy())
        log_px, kl = log_px.numpy(), kl.numpy()
        metrics.update(elbo=float(np.mean(log_px - kl)), kl=float(np.mean(kl)))
        if iw_bound:
            subset = slice(0, IW_EVAL_IMAGES)
            iw = self.importance_weighted_bound(images[subset],
                                                None if labels is None else labels[subset],
                                                k=self.config.iw_samples)
            metrics["iw_bound"] = float(np.mean(iw))
        return metrics

    def held_out_metrics(self, data, *, slow: bool = True) -> dict[str, float]:
        """The k-sample bound passes every held-out image through the decoder k times
        (k = 50: as long as the rest of a dense preset's epoch): only when ``slow``."""
        return self.evaluation_metrics(*data, iw_bound=slow)

    # ---------------------------------------------------------------- export
    def export_signatures(self):
        """DESIGN.md 5: ``serving_default(x) -> reconstruction`` (decoder mean at
        z = mu(x)), ``encode(x) -> mean, log_var``, ``decode(code) -> reconstruction``;
        a conditional model adds an int32 ``label`` input ``[batch]`` to each."""
        module = tf.Module()
        module.encoder = self.encoder
        module.decoder = self.decoder
        c = self.config
        image_spec = tf.TensorSpec([None, c.image_size, c.image_size, c.channels], tf.float32,
                                   name="x")
        code_spec = tf.TensorSpec([None, c.code_dim], tf.float32, name="code")

        # conditional: every signature takes the int32 class ids as a second input
        extra = [tf.TensorSpec([None], tf.int32, name="label")] if c.conditional else []

        def encode_fn(x, label):
            mean, log_var = module.encoder([x, *label] if label else x, training=False)
            return tf.cast(mean, tf.float32), tf.cast(log_var, tf.float32)

        def decode_fn(code, label):
            logits = module.decoder([code, *label] if label else code, training=False)
            return tf.sigmoid(tf.cast(logits, tf.float32))

        @tf.function(input_signature=[image_spec, *extra])
        def serving_default(x, *label):
            return {"reconstruction": decode_fn(encode_fn(x, label)[0], label)}

        @tf.function(input_signature=[image_spec, *extra])
        def encode(x, *label):
            mean, log_var = encode_fn(x, label)
            return {"mean": mean, "log_var": log_var}

        @tf.function(input_signature=[code_spec, *extra])
        def decode(code, *label):
            return {"reconstruction": decode_fn(code, label)}

        signatures = {"serving_default": serving_default, "encode": encode, "decode": decode}
        signatures.update(self.stochastic_signature(
            code_spec, lambda code, *label: decode_fn(code, label), extra))
        return module, signatures
