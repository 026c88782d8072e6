"""The GAN engine: the adversarial training step every GAN shares, its options
and diagnostics.

One ``train_step`` (:class:`GANEngine`) serves every GAN (gan, dcgan, wgan,
wgan-gp, cgan, progan, stylegan); each paper's class, in its family folder,
builds its networks and states its own loss composition by overriding the
engine's hooks. Per generator update the engine does, as in Goodfellow et al.
2014 Algorithm 1 and Arjovsky et al. 2017 Algorithm 1:

1. ``d_steps`` discriminator (critic) updates, each on a FRESH batch of real
   data and fresh noise: :meth:`~GANEngine.discriminator_loss` plus
   :meth:`~GANEngine.critic_penalties`, one optimizer step, then
   :meth:`~GANEngine.after_critic_update` (WGAN's weight clipping). The
   defaults read the config: ``loss`` (``minimax``, ``non_saturating``,
   ``wasserstein``, ``hinge``), the gradient penalty (Gulrajani et al. 2017),
   R1 on real and R2 on generated data (Mescheder et al. 2018), the drift
   term (Karras et al. 2018) and ``clip_value``;
2. one generator update, with :meth:`~GANEngine.generator_loss` or, with
   ``feature_matching``, Salimans et al.'s (2016, section 3.1) objective;
3. the EMA generator (``ema_decay > 0``; Karras et al. 2018, Yazici et al.
   2019) moves towards the generator: ``ema <- decay * ema + (1 - decay) * w``.
   It is the one used for sampling and export.

The trainer hands each step ``d_steps`` batches at once
(:meth:`real_batches_per_step`); critic update ``k`` takes the examples
``k, k + d_steps, ...`` of the replica's share, so that a run on N replicas
uses exactly the same examples and noise for each update as a run on one.

Dominance diagnostics, logged at every step (the lecture's first warning:
training stalls when one network wins): ``d_real`` and ``d_fake`` (mean
D(x) and D(G(z)): probabilities for the logistic losses, raw critic scores
otherwise), ``d_accuracy`` and ``g_grad_norm`` (the norm of the generator's
gradient, which vanishes under the minimax loss once D rejects every fake).

Data convention: images are [0, 1] at the boundary and [-1, 1] inside the
networks; points (``data_dim > 0``, the toy2d mixtures) are used as they are.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.losses.adversarial import (
    LOGISTIC_LOSSES,
    discriminator_loss,
    generator_loss,
)
from keras_genzoo.losses.penalties import (
    gradient_penalty,
    r1_penalty,
    r2_penalty,
)
from keras_genzoo.models.base import GenzooModel, latent_codes

AdversarialLossName = Literal["minimax", "non_saturating", "wasserstein", "hinge"]

# Salts of the stateless noise streams (see GenzooModel.replica_noise); the
# critic update index k is added, so d_steps may go up to 1000.
_CRITIC_NOISE, _INTERPOLATION_NOISE, _GENERATOR_NOISE = 1000, 2000, 3000
_MAX_D_STEPS = _INTERPOLATION_NOISE - _CRITIC_NOISE
#: seed salt of virtual batch normalization's reference latent batch (drawn once)
_REFERENCE_NOISE = 4000


@dataclasses.dataclass(frozen=True)
class AdversarialConfig:
    """Hyper-parameters every GAN accepts (models override the defaults)."""

    image_size: int = 32
    channels: int = 1
    #: > 0: the data are vectors of this length (toy2d points), set from the dataset
    data_dim: int = 0
    latent_dim: int = 100
    loss: AdversarialLossName = "non_saturating"
    #: discriminator (critic) updates per generator update: WGAN's n_critic
    d_steps: int = 1
    #: one-sided: D's real targets become 1 - label_smoothing (logistic losses only)
    label_smoothing: float = 0.0
    #: lambda of the gradient penalty (WGAN-GP); 0 = off
    gp_weight: float = 0.0
    #: gamma of R1 (real data) / R2 (generated data): penalty gamma/2 ||grad D||^2; 0 = off
    r1_gamma: float = 0.0
    r2_gamma: float = 0.0
    #: WGAN weight clipping: every critic weight stays in [-c, c]; 0 = off
    clip_value: float = 0.0
    #: epsilon_drift * D(x)^2 on real data keeps a critic's scores near 0 (Karras et al.
    #: 2018, section A.1: 0.001); 0 = off
    drift_weight: float = 0.0
    #: number of minibatch-discrimination kernels B (0 = off) and their size C
    minibatch_discrimination: int = 0
    minibatch_kernel_dim: int = 5
    #: how minibatch discrimination pools closeness over the batch: "sum" over every j,
    #: self included (Salimans et al. 2016, section 3.2, as written) or "mean" over the
    #: others (ours, the default: the sum grows with the batch and swamped the logit;
    #: see keras_genzoo.layers.minibatch)
    minibatch_reduction: Literal["mean", "sum"] = "mean"
    #: lambda of historical averaging (Salimans et al. 2016, section 3.3): each player's
    #: cost gets lambda ||theta - (1/t) sum_i theta[i]||^2; 0 = off
    historical_averaging: float = 0.0
    #: virtual batch normalization in the generator (Salimans et al. 2016, section 3.5):
    #: the size of the reference batch, drawn once at the start; 0 = off
    virtual_batch_norm: int = 0
    #: group size of the minibatch standard-deviation feature (0 = off)
    minibatch_stddev: int = 0
    #: train G to match the mean discriminator features of real data
    feature_matching: bool = False
    #: decay of the generator's exponential moving average (0 = no EMA generator)
    ema_decay: float = 0.0
    optimizer: Literal["adam", "rmsprop"] = "adam"
    generator_lr: float = 2e-4
    discriminator_lr: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    #: Adam's epsilon (Keras' default; the progressive models use the papers' 1e-8)
    adam_epsilon: float = 1e-7

    KEY_ALIASES: ClassVar[dict[str, str]] = {"n_critic": "d_steps"}

    def validate(self):
        if self.d_steps < 1:
            raise ConfigError("d_steps (n_critic) must be at least 1")
        if self.d_steps > _MAX_D_STEPS:
            raise ConfigError(f"d_steps (n_critic) must be at most {_MAX_D_STEPS}, "
                              f"got {self.d_steps}")
        config_lib.require_positive(self, "latent_dim", "minibatch_kernel_dim", "generator_lr",
                                    "discriminator_lr", "adam_epsilon")
        config_lib.require_fraction(self, "beta_1")
        config_lib.require_fraction(self, "beta_2")
        # 0 turns each of these off
        config_lib.require_non_negative(self, "gp_weight", "r1_gamma", "r2_gamma",
                                        "minibatch_discrimination", "minibatch_stddev",
                                        "data_dim", "drift_weight", "historical_averaging",
                                        "virtual_batch_norm")
        if not self.clip_value >= 0:
            raise ConfigError(f"clip_value must be > 0 to clip (0 turns clipping off), "
                              f"got {self.clip_value}")
        config_lib.require_fraction(self, "label_smoothing")
        if self.label_smoothing and self.loss not in LOGISTIC_LOSSES:
            raise ConfigError(f"label_smoothing applies to the logistic losses "
                              f"({', '.join(LOGISTIC_LOSSES)}), not to loss={self.loss}")
        config_lib.require_fraction(self, "ema_decay")
        if self.minibatch_stddev == 1:
            raise ConfigError("minibatch_stddev is a group size: use 0 (off) or >= 2")
        if not self.data_dim:
            config_lib.require_image_shape(self)


class GANEngine(GenzooModel):
    """The training engine of every GAN: subclasses implement :meth:`build_networks`
    and, to read like their paper, override the loss hooks
    (:meth:`discriminator_loss`, :meth:`critic_penalties`, :meth:`generator_loss`,
    :meth:`after_critic_update`), whose defaults follow the config's flags."""

    kind = "gan"

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.generator, self.discriminator = self.build_networks()
        self.generator_ema = self.build_ema_generator() if self.config.ema_decay else None
        self.reference_latent, self.reference_labels = self.build_reference_batch()
        self.parameter_history = ({role: self.build_history(role)
                                   for role in ("generator", "discriminator")}
                                  if self.config.historical_averaging else {})

    def build_ema_generator(self) -> keras.Model:
        """A copy of the generator with its own weights, equal to the generator's now."""
        ema = keras.models.clone_model(self.generator)
        ema.set_weights(self.generator.get_weights())
        ema.trainable = False
        return ema

    def build_reference_batch(self):
        """Virtual batch normalization's reference batch (Salimans et al. 2016,
        section 3.5), "chosen once and fixed at the start of training": latent codes
        ``[virtual_batch_norm, latent_dim]`` from a stateless draw of the run's seed
        (and, for a conditional generator, labels cycling over the classes), kept in
        non-trainable variables so that checkpoints, resumes and exports hold the
        very batch training used. ``(None, None)`` when VBN is off."""
        size = self.config.virtual_batch_norm
        if not size:
            return None, None
        z = tf.random.stateless_normal([size, self.config.latent_dim],
                                       seed=[self.seed * 1_000_003 + _REFERENCE_NOISE, 0])
        latent = tf.Variable(z, trainable=False, name="vbn_reference_latent")
        labels = None
        if self.num_classes():
            labels = tf.Variable(tf.range(size, dtype=tf.int32) % self.num_classes(),
                                 trainable=False, name="vbn_reference_labels")
        return latent, labels

    def build_history(self, role: str) -> dict:
        """Historical averaging's state for player ``role`` (Salimans et al. 2016,
        section 3.3): the running mean of its past parameters, one non-trainable
        variable per trainable one, and the number of updates averaged."""
        return {"count": tf.Variable(0.0, trainable=False, name=f"{role}_history_count"),
                "means": [tf.Variable(tf.zeros(v.shape, tf.float32), trainable=False,
                                      name=f"{role}_history_{index}")
                          for index, v in enumerate(self.networks()[role].trainable_variables)]}

    def state_variables(self):
        state = dict(super().state_variables())
        if self.reference_latent is not None:
            state["vbn_reference_latent"] = self.reference_latent
        if self.reference_labels is not None:
            state["vbn_reference_labels"] = self.reference_labels
        for role, history in self.parameter_history.items():
            state[f"{role}_history_count"] = history["count"]
            state.update({f"{role}_history_{index}": mean
                          for index, mean in enumerate(history["means"])})
        return state

    # ------------------------------------------------------------- contract
    def build_networks(self) -> tuple[keras.Model, keras.Model]:
        """``(generator, discriminator)``; D returns ``[logit, features]``."""
        raise NotImplementedError

    def reported_metric_names(self):
        c = self.config
        names = ["d_loss", "g_loss", "d_real", "d_fake", "d_accuracy", "g_grad_norm"]
        names += [name for name, on in (("gradient_penalty", c.gp_weight), ("r1", c.r1_gamma),
                                        ("r2", c.r2_gamma)) if on]
        return tuple(names)

    def networks(self):
        nets = {"generator": self.generator, "discriminator": self.discriminator}
        if self.generator_ema is not None:
            nets["generator_ema"] = self.generator_ema
        return nets

    def trained_network_names(self):
        # The generator's optimizer steps once per train_step: it is the step counter.
        return ["generator", "discriminator"]

    def real_batches_per_step(self) -> int:
        return self.config.d_steps

    @property
    def points(self) -> bool:
        """True for models of 2-D (or n-D) points rather than images."""
        return self.config.data_dim > 0

    def default_optimizers(self):
        c = self.config

        def make(learning_rate):
            if c.optimizer == "rmsprop":
                # no momentum: Arjovsky et al. 2017 (section 3) found momentum-based
                # optimizers unstable for the clipped critic
                return keras.optimizers.RMSprop(learning_rate, momentum=0.0)
            return keras.optimizers.Adam(learning_rate, beta_1=c.beta_1, beta_2=c.beta_2,
                                         epsilon=c.adam_epsilon)

        return {"generator": make(c.generator_lr), "discriminator": make(c.discriminator_lr)}

    # ------------------------------------------------------------ networks
    def to_generator_range(self, data):
        return data if self.points else data * 2.0 - 1.0

    def to_data_range(self, generated):
        generated = tf.cast(generated, tf.float32)
        if self.points:
            return generated
        return tf.clip_by_value((generated + 1.0) / 2.0, 0.0, 1.0)

    def generate_raw(self, z, labels=None, training=False, generator=None, salt=None):
        """The generator's output (in its own range) for ``z``.

        ``salt`` names the training draw this call belongs to (critic update
        k or the generator update), for models that draw more randomness than
        ``z`` (StyleGAN's noise and style mixing); the others ignore it.
        """
        generator = generator or self.generator
        if training and self.reference_latent is not None:
            # virtual batch normalization: the reference batch goes first, its
            # statistics normalize the rest (VirtualBatchNormalization), then it is dropped
            size = self.config.virtual_batch_norm
            z = tf.concat([tf.cast(self.reference_latent, z.dtype), z], axis=0)
            if labels is not None:
                labels = tf.concat([tf.cast(self.reference_labels, labels.dtype), labels], 0)
            return self.generator_call(generator, z, labels, training)[size:]
        return self.generator_call(generator, z, labels, training)

    def generator_call(self, generator, z, labels, training):
        return generator([z, labels] if self.uses_labels() else z, training=training)

    def refresh_reference_statistics(self, generator) -> None:
        """Virtual batch normalization's stored reference statistics, recomputed
        with ``generator``'s current weights (a training-mode pass over the reference
        batch alone), so that sampling and export use those of the final weights."""
        generator_input = self.reference_latent
        if self.reference_labels is not None:
            generator_input = [generator_input, self.reference_labels]
        generator(generator_input, training=True)

    def discriminate(self, data, labels=None, training=False):
        """``(logits [batch], features)`` of the discriminator."""
        logits, features = self.discriminator([data, labels] if self.uses_labels() else data,
                                              training=training)
        return tf.reshape(tf.cast(logits, tf.float32), [-1]), features

    def discriminator_probability(self, data):
        """D(x) = sigmoid(logit) of the logistic losses (``data`` in the data range);
        None for a critic (its scores are no probabilities) or a conditional D."""
        if self.config.loss not in LOGISTIC_LOSSES or self.uses_labels():
            return None
        data = self.to_generator_range(tf.convert_to_tensor(data, tf.float32))
        return tf.sigmoid(self.discriminate(data)[0]).numpy()

    def call(self, inputs, training=False):
        data, labels = self.unpack(inputs)
        labels = self.label_tensor(labels, tf.shape(data)[0])
        z = tf.zeros([tf.shape(data)[0], self.config.latent_dim])
        if self.generator_ema is not None:
            self.generate_raw(z, labels, generator=self.generator_ema)
        return self.discriminate(self.generate_raw(z, labels, training=training), labels,
                                 training=training)[0]

    def probe_outputs(self):
        """The sampling generator on a fixed normal latent batch, and the discriminator
        on what it drew (the base class's zero latent would hide a diverged generator
        behind its saturated output layer)."""
        count = 4
        z = tf.random.stateless_normal([count, self.config.latent_dim], seed=[17, 0])
        labels = self.label_tensor(None, count)
        generated = self.generate_raw(z, labels, generator=self.sampling_generator())
        return generated, self.discriminate(generated, labels)[0]

    # ------------------------------------------------------------- training
    def train_step(self, data):
        c = self.config
        real_all, labels_all = self.unpack(data)
        real_all = self.prepare_real(self.to_generator_range(real_all))
        labels_all = self.label_tensor(labels_all, tf.shape(real_all)[0])

        def chunk(tensor, k):
            return None if tensor is None else tensor[k::c.d_steps]

        totals: dict[str, tf.Tensor] = {}
        for k in range(c.d_steps):
            values = self.discriminator_update(chunk(real_all, k), chunk(labels_all, k), k)
            for name, value in values.items():
                totals[name] = totals.get(name, 0.0) + value / c.d_steps
        totals.update(self.generator_update(chunk(real_all, 0), chunk(labels_all, 0)))
        if self.generator_ema is not None:
            self.update_ema()
        if self.reference_latent is not None:
            self.refresh_reference_statistics(self.sampling_generator())
        return self.record(totals)

    def prepare_real(self, real):
        """Real data as the discriminator sees it (progressive GANs resize it)."""
        return real

    def _replicas(self):
        return tf.distribute.get_strategy().num_replicas_in_sync

    def discriminator_update(self, real, labels, k: int) -> dict[str, tf.Tensor]:
        """One critic update on a real batch: the adversarial loss plus the
        penalties, one optimizer step, then the critic's constraint; returns
        its diagnostics."""
        c = self.config
        batch = tf.shape(real)[0]
        z = self.replica_noise(batch, [c.latent_dim], salt=_CRITIC_NOISE + k)

        def critic(x):
            return self.discriminate(x, labels, training=True)[0]

        if self.parameter_history:
            self.update_history("discriminator")
        with tf.GradientTape() as tape:
            fake = tf.stop_gradient(self.generate_raw(z, labels, training=True,
                                                      salt=_CRITIC_NOISE + k))
            real_logits = critic(real)
            fake_logits = critic(fake)
            per_example = self.discriminator_loss(real_logits, fake_logits)
            penalties = self.critic_penalties(critic, real, fake, real_logits, k)
            for weight, value in penalties.values():
                per_example += weight * value
            loss = self.average_over_global_batch(per_example)
            loss += self.history_penalty("discriminator") / tf.cast(self._replicas(), tf.float32)
            scaled = self.scaled_loss(self.network_optimizers["discriminator"], loss)
        self.apply_gradients("discriminator", tape, scaled)
        self.after_critic_update()
        values = {name: tf.reduce_mean(value) for name, (_, value) in penalties.items()
                  if name in self.trackers}
        values["d_loss"] = loss * tf.cast(self._replicas(), tf.float32)
        values.update(self.dominance(real_logits, fake_logits))
        return values

    # ------------------------------------------------- the losses, as hooks
    def discriminator_loss(self, real_logits, fake_logits) -> tf.Tensor:
        """Per-example adversarial loss of the discriminator (critic); the
        engine's default is the config's ``loss`` with ``label_smoothing``."""
        c = self.config
        return discriminator_loss(c.loss, real_logits, fake_logits, c.label_smoothing)

    def generator_loss(self, fake_logits) -> tf.Tensor:
        """Per-example adversarial loss of the generator (default: ``config.loss``)."""
        return generator_loss(self.config.loss, fake_logits)

    def critic_penalties(self, critic, real, fake, real_logits, k: int
                         ) -> dict[str, tuple[float, tf.Tensor]]:
        """``{name: (weight, per-example penalty)}`` added to the critic's loss:
        the gradient penalty (Gulrajani et al. 2017, eq. 3) when ``gp_weight > 0``,
        then :meth:`regularizing_penalties`. Penalties named like a reported
        metric are logged."""
        penalties = {}
        if self.config.gp_weight:
            penalties["gradient_penalty"] = (self.config.gp_weight, self.gradient_penalty(
                critic, real, fake, k))
        penalties.update(self.regularizing_penalties(critic, real, fake, real_logits))
        return penalties

    def regularizing_penalties(self, critic, real, fake, real_logits
                               ) -> dict[str, tuple[float, tf.Tensor]]:
        """The optional penalties, each when its config weight is > 0: R1 on real
        and R2 on generated data (Mescheder et al. 2018, eq. 9-10; weight gamma / 2)
        and the drift term ``epsilon_drift D(x)^2`` (Karras et al. 2018, A.1)."""
        c = self.config
        penalties = {}
        if c.r1_gamma:
            penalties["r1"] = (0.5 * c.r1_gamma, r1_penalty(critic, real))
        if c.r2_gamma:
            penalties["r2"] = (0.5 * c.r2_gamma, r2_penalty(critic, fake))
        if c.drift_weight:
            penalties["drift"] = (c.drift_weight, tf.square(real_logits))
        return penalties

    def gradient_penalty(self, critic, real, fake, k: int) -> tf.Tensor:
        """``(||grad D(x_hat)||_2 - 1)^2`` at ``x_hat = eps x + (1 - eps) G(z)``,
        ``eps ~ U[0, 1]`` per example (Gulrajani et al. 2017, Algorithm 1, lines 4-7)."""
        epsilon = self.replica_noise(tf.shape(real)[0], [], salt=_INTERPOLATION_NOISE + k,
                                     distribution="uniform")
        return gradient_penalty(critic, real, fake, epsilon)

    def after_critic_update(self) -> None:
        """A constraint on the critic after each of its updates: WGAN's weight
        clipping when ``clip_value > 0`` (Arjovsky et al. 2017, Algorithm 1, line 7)."""
        if self.config.clip_value:
            self.clip_critic_weights(self.config.clip_value)

    def clip_critic_weights(self, clip_value: float) -> None:
        """Every trainable critic weight into ``[-clip_value, clip_value]``.

        Runs in cross-replica context (merge_call), as the optimizers update
        their mirrored variables, so every replica keeps the same weights.
        """
        variables = list(self.discriminator.trainable_variables)

        def clip(strategy):
            for variable in variables:
                strategy.extended.update(
                    variable.value,
                    lambda target: target.assign(tf.clip_by_value(target, -clip_value,
                                                                   clip_value)),
                    group=False)

        tf.distribute.get_replica_context().merge_call(clip)

    def dominance(self, real_logits, fake_logits) -> dict[str, tf.Tensor]:
        """Mean D(x), mean D(G(z)) and the discriminator's accuracy on both.

        Logistic losses: D = sigmoid(logit) and the decision threshold is
        1/2. A critic's scores have no fixed scale (adding a constant changes
        nothing), so its threshold is the midpoint of the two means.
        """
        if self.config.loss in LOGISTIC_LOSSES:
            real_scores, fake_scores = tf.sigmoid(real_logits), tf.sigmoid(fake_logits)
            threshold = 0.5
        else:
            real_scores, fake_scores = real_logits, fake_logits
            threshold = 0.0
            if self.config.loss != "hinge":
                # the midpoint over the GLOBAL batch (a scalar all-reduce), so
                # that N replicas report what one device would
                midpoint = 0.5 * (tf.reduce_mean(real_scores) + tf.reduce_mean(fake_scores))
                threshold = tf.distribute.get_replica_context().all_reduce(
                    tf.distribute.ReduceOp.MEAN, midpoint)
        accuracy = 0.5 * (tf.reduce_mean(tf.cast(real_scores > threshold, tf.float32))
                          + tf.reduce_mean(tf.cast(fake_scores < threshold, tf.float32)))
        return {"d_real": tf.reduce_mean(real_scores), "d_fake": tf.reduce_mean(fake_scores),
                "d_accuracy": accuracy}

    def generator_update(self, real, labels) -> dict[str, tf.Tensor]:
        """One generator update; ``real`` is only read by feature matching."""
        c = self.config
        batch = tf.shape(real)[0]
        z = self.replica_noise(batch, [c.latent_dim], salt=_GENERATOR_NOISE)
        replicas = tf.cast(self._replicas(), tf.float32)
        if self.parameter_history:
            self.update_history("generator")
        with tf.GradientTape() as tape:
            fake_logits, fake_features = self.discriminate(
                self.generate_raw(z, labels, training=True, salt=_GENERATOR_NOISE), labels,
                training=True)
            if c.feature_matching:
                # ||E f(x) - E f(G(z))||^2 over this replica's batch; divided by
                # the replica count so that the summed gradients average.
                _, real_features = self.discriminate(real, labels, training=True)
                difference = (tf.stop_gradient(tf.reduce_mean(tf.cast(real_features, tf.float32), 0))
                              - tf.reduce_mean(tf.cast(fake_features, tf.float32), 0))
                loss = tf.reduce_sum(tf.square(difference)) / replicas
            else:
                loss = self.average_over_global_batch(self.generator_loss(fake_logits))
            loss += self.history_penalty("generator") / replicas
            scaled = self.scaled_loss(self.network_optimizers["generator"], loss)
        gradients = self.apply_gradients("generator", tape, scaled)
        norm = tf.linalg.global_norm([g for g in gradients if g is not None])
        optimizer = self.network_optimizers["generator"]
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            norm = norm / tf.cast(optimizer.dynamic_scale, tf.float32)
            # An overflowing loss scale is expected now and then (the optimizer skips
            # that step and halves the scale): its infinite norm is not a divergence,
            # so it counts as 0 rather than poisoning the epoch's mean and the guard.
            norm = tf.where(tf.math.is_finite(norm), norm, tf.zeros_like(norm))
        # Each replica's gradient is its share of the global-batch mean, so N
        # times the replicas' mean norm is the exact norm on one device and,
        # by the triangle inequality, an upper bound of the full norm on N.
        # (The exact value would cost a second all-reduce of every gradient.)
        return {"g_loss": loss * replicas, "g_grad_norm": norm * replicas}

    # ------------------------------------------------- historical averaging
    def update_history(self, role: str) -> None:
        """Adds player ``role``'s current parameters to its running mean:
        ``mean_t = mean_{t-1} + (theta[t] - mean_{t-1}) / t`` = ``(1/t) sum_{i=1}^t
        theta[i]`` (Salimans et al. 2016, section 3.3), before its t-th update.

        Runs in cross-replica context (merge_call), as the EMA update does, so
        every replica keeps the same mean.
        """
        history = self.parameter_history[role]
        count = history["count"]
        pairs = list(zip(history["means"], self.variables_trained_by(role)))

        def update(strategy):
            t = count + 1.0
            for mean, variable in pairs:
                strategy.extended.update(
                    mean, lambda target, value: target.assign(
                        target + (tf.cast(value, tf.float32) - target) / t),
                    args=(variable.value,), group=False)
            strategy.extended.update(count, lambda target: target.assign(t), group=False)

        tf.distribute.get_replica_context().merge_call(update)

    def history_penalty(self, role: str) -> tf.Tensor:
        """``lambda ||theta - (1/t) sum_{i=1}^t theta[i]||^2`` over every trainable
        parameter of player ``role`` (Salimans et al. 2016, section 3.3; the mean is
        a constant of the gradient: ``2 lambda (theta - mean)`` pulls theta towards
        it); 0 when historical averaging is off."""
        if not self.parameter_history:
            return tf.constant(0.0)
        squares = [tf.reduce_sum(tf.square(tf.cast(variable, tf.float32)
                                           - tf.stop_gradient(tf.convert_to_tensor(mean))))
                   for mean, variable in zip(self.parameter_history[role]["means"],
                                             self.variables_trained_by(role))]
        return self.config.historical_averaging * tf.add_n(squares)

    def update_ema(self):
        """``ema <- decay * ema + (1 - decay) * w`` (trainable weights); buffers
        such as BatchNorm statistics are copied.

        The update runs once per step in cross-replica context (merge_call),
        as Keras' optimizers update their mirrored variables.
        """
        decay = self.config.ema_decay
        pairs = list(zip(self.generator_ema.weights, self.generator.weights))

        def update(strategy):
            for ema_variable, variable in pairs:
                if variable.trainable:
                    def move(target, value):
                        return target.assign(decay * target + (1.0 - decay) * value)
                else:
                    def move(target, value):
                        return target.assign(value)
                strategy.extended.update(ema_variable.value, move, args=(variable.value,),
                                         group=False)

        tf.distribute.get_replica_context().merge_call(update)

    # ------------------------------------------------------------- sampling
    def sampling_generator(self) -> keras.Model:
        """The EMA generator when there is one, else the generator."""
        return self.generator_ema if self.generator_ema is not None else self.generator

    def latent(self, num: int, seed: int = 0) -> tf.Tensor:
        return latent_codes(num, self.config.latent_dim, seed)

    generative = True

    def preview(self, *, seed, count, held_out=None):
        """A fixed latent batch; a conditional model shows one class per column."""
        if self.uses_labels():
            classes = self.num_classes()
            return self.sample(classes * max(1, count // classes), seed=seed), classes
        return self.sample(count, seed=seed), 8

    def sample_grid(self, num, *, seed=0, label=None, prior=False, held_out=None):
        return self.prior_samples(num, seed=seed, label=label)

    def check_labels(self, labels, count: int) -> np.ndarray | None:
        """int32 labels for ``count`` samples; one-line error when out of range."""
        if not self.uses_labels():
            if labels is not None:
                raise GenzooError(f"label= needs a conditional model; {self.registry_name} "
                                  "is not conditional")
            return None
        if labels is None:
            labels = np.arange(count) % self.num_classes()  # one class per grid column
        return self.checked_labels(labels, count)

    def generate(self, z, labels=None, **controls) -> tf.Tensor:
        """Samples in data range ([0, 1] images or points) for latent codes ``z``;
        ``controls`` go to :meth:`generate_raw` (StyleGAN's ``truncation``)."""
        z = tf.convert_to_tensor(z, tf.float32)
        labels = self.check_labels(labels, int(z.shape[0]))
        if labels is not None:
            labels = tf.convert_to_tensor(labels, tf.int32)
        return self.to_data_range(self.generate_raw(z, labels, generator=self.sampling_generator(),
                                                    **controls))

    def sample(self, num: int, seed: int = 0, label=None, batch_size: int = 1000,
               **controls) -> np.ndarray:
        """``num`` samples from the prior, reproducible by ``seed``; conditional
        models take ``label`` (an int or one per sample; default: cycling);
        ``controls`` go to :meth:`generate`.

        The latent batch is one draw; it goes through the generator
        ``batch_size`` codes at a time, so 10,000 samples (``genzoo eval``)
        never hold 10,000 sets of activations at once.
        """
        z = self.latent(num, seed)
        labels = self.check_labels(label, num)
        chunks = [self.generate(z[start:start + batch_size],
                                None if labels is None else labels[start:start + batch_size],
                                **controls)
                  for start in range(0, num, batch_size)]
        return np.concatenate([chunk.numpy() for chunk in chunks])

    # --------------------------------------------------------------- export
    def export_signatures(self):
        """``serving_default(z[, label]) -> {"images"}`` ({"points"} for 2-D
        models), from the EMA generator when there is one. A conditional model's
        serving graph rejects a label outside [0, num_classes)."""
        module = tf.Module()
        module.generator = self.sampling_generator()
        to_data = self.to_data_range
        output = "points" if self.points else "images"
        z_spec = tf.TensorSpec([None, self.config.latent_dim], tf.float32, name="z")
        classes = self.num_classes()

        if not classes:
            @tf.function(input_signature=[z_spec])
            def serving_default(z):
                return {output: to_data(module.generator(z, training=False))}
        else:
            @tf.function(input_signature=[z_spec, tf.TensorSpec([None], tf.int32, name="label")])
            def serving_default(z, label):
                message = f"label must be in [0, {classes})"
                checks = [tf.debugging.assert_non_negative(label, message=message),
                          tf.debugging.assert_less(label, classes, message=message)]
                with tf.control_dependencies(checks):
                    label = tf.identity(label)
                return {output: to_data(module.generator([z, label], training=False))}

        return module, {"serving_default": serving_default}
