"""RadialGAN (Yoon, Jordon & van der Schaar 2018, "RadialGAN: Leveraging multiple
datasets to improve target-specific predictive models using Generative
Adversarial Networks", ICML, arXiv:1802.06403).

M datasets ("domains") describe the same kind of subject with different
features. Every domain i has

* an encoder ``F_i: (x_i, y) -> z`` into ONE latent space shared by all
  domains (the "radial" hub),
* a decoder ``G_i: z -> (x_i, y)`` back into domain i's features and label,
* a discriminator ``D_i: (x_i, y) -> score``.

A sample of domain i is translated into domain j as ``G_j(F_i(x_i, y))``
(section 4). One ``train_step`` trains all 3M networks together:

* adversarial: each ``D_j`` tells domain j's real samples from the samples
  translated into j from every other domain; ``wgan-gp`` (the paper's
  choice, with lambda = 10) or ``bce`` (the non-saturating logistic loss);
* latent cycle (eq. 6): ``F_j(G_j(F_i(x_i))) ~ F_i(x_i)``, mean squared error;
* data cycle (eq. 7): ``G_i(F_j(G_j(F_i(x_i)))) ~ (x_i, y)``: squared error on
  the features, cross-entropy on the label;
* each weighted in the config (``latent_cycle_weight``, ``data_cycle_weight``);
* label preservation: the translated sample's label head is trained towards
  the source label (``label_weight``). The paper's decoders output the label
  too; without this term a decoder may swap the labels consistently (the data
  cycle swaps them back), which a label-aware discriminator corrects only
  slowly.
* shared features (``shared_feature_weight``, off by default, not in the paper):
  a feature that domains i and j both record, by name, keeps its standardized
  value when a row is translated from i to j. The paper never uses names; with
  a target of a few rows the adversarial and cycle losses pin the
  correspondence down poorly (docs/models/radialgan.md).
* agreement (``agreement_weight``, off by default, not in the paper): the
  translations of one row of domain i into two other domains j and k agree, in
  standardized units, on the features j and k both record by name, so that a
  feature i does not record is filled the same way by every decoder that has
  it, including those of domains with many rows.
* label-blind encoders (``encode_label=False``, not in the paper): ``F_i`` sees
  the features alone (the label part of its input is zeroed), so a translation
  depends on the label only through what the source row's features say about
  it; the decoders still output the label. With the label as an input the
  decoders can push the features a source does not record towards class-typical
  values beyond what the subject's features support, which misleads a linear
  classifier trained on the translations (docs/models/radialgan.md).

Samples are ``[x, one_hot(y)]``: features standardized with the training
split's statistics (the data source does that), the label one-hot. Decoders
output features (linear) and label probabilities (softmax); translated samples
carry their source label, which the data cycle and the label-aware
discriminators teach the decoders to keep.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.losses.penalties import gradient_penalty
from keras_genzoo.models.base import GenzooModel

_CRITIC_NOISE = 5000  # replica-noise salt of the gradient-penalty interpolation
SHARES_NONE = ("shared_feature_weight needs two domains that record a feature of the same "
               "name; these domains share none")
AGREEMENT_NEEDS = ("agreement_weight needs at least 3 domains, two of which record a feature "
                   "of the same name")


@dataclasses.dataclass(frozen=True)
class RadialGANConfig:
    #: set from the data, and absent from the config.json of runs from before them: a
    #: resumed older run is not a config mismatch (training/plan.py)
    DATA_KEYS_ADDED_LATER = ("feature_names",)

    #: features per domain, set from the dataset (csv: or domains:)
    feature_counts: tuple[int, ...] = (10, 12)
    num_classes: int = 2
    latent_dim: int = 16
    hidden_units: tuple[int, ...] = (64, 64)
    adversarial_loss: Literal["wgan-gp", "bce"] = "wgan-gp"
    gp_weight: float = 10.0
    latent_cycle_weight: float = 1.0
    data_cycle_weight: float = 10.0
    #: cross-entropy of a translated sample's label head against the source label:
    #: without it a decoder may relabel consistently (the cycle undoes the swap)
    label_weight: float = 1.0
    #: squared error between a translated row's and its source row's standardized
    #: values of the features both domains record by name (0: the paper's losses)
    shared_feature_weight: float = 0.0
    #: squared difference between two translations of one source row, into two other
    #: domains, on the features both destinations record by name (0: the paper's losses)
    agreement_weight: float = 0.0
    #: the encoders see the row's label, as in the paper (False: label-blind
    #: encoders; the decoders still output the label)
    encode_label: bool = True
    #: every domain's feature names, set from the dataset: what the shared-feature
    #: term pairs by name
    feature_names: tuple[tuple[str, ...], ...] = ()
    #: domains a domains:<name> source is split into (csv: sources have their own;
    #: unset: breast_cancer 3, synthetic 4)
    num_domains: int = 3
    #: the target domain's index in the table (docs/data.md, "Scarce targets")
    target_domain: int = 0
    #: keep only N of the target's train rows, stratified by class (None: all)
    target_rows: int | None = None
    #: keep the target and only the first K other domains (None: all)
    source_domains: int | None = None
    #: domains:synthetic: about this many train rows per domain (None: 400)
    source_rows: int | None = None
    #: domains:synthetic: how much neighbouring domains' features overlap, 0 <= f < 1
    #: (None: 0.5)
    overlap: float | None = None
    #: csv: a column empty in more than this fraction of a domain's train rows is not
    #: one of its features (None: 0.5)
    missing_threshold: float | None = None
    learning_rate: float = 1e-4
    beta_1: float = 0.5
    beta_2: float = 0.9

    def validate(self):
        if len(self.feature_counts) < 2:
            raise ConfigError(f"RadialGAN needs at least 2 domains, got {len(self.feature_counts)}")
        if any(count < 1 for count in self.feature_counts):
            raise ConfigError(f"every domain needs a feature, got {list(self.feature_counts)}")
        config_lib.require_at_least(self, "num_classes", 2)
        config_lib.require_positive(self, "latent_dim", "learning_rate", "hidden_units")
        config_lib.require_fraction(self, "beta_1")
        config_lib.require_fraction(self, "beta_2")
        config_lib.require_non_negative(self, "gp_weight", "latent_cycle_weight",
                                        "data_cycle_weight", "label_weight",
                                        "shared_feature_weight", "agreement_weight")
        if self.feature_names and [len(n) for n in self.feature_names] != list(
                self.feature_counts):
            raise ConfigError(f"feature_names must name every domain's features "
                              f"{list(self.feature_counts)}, got "
                              f"{[len(n) for n in self.feature_names]} names")
        # the names come from the data: checked once they are there (and by the model)
        if self.shared_feature_weight and self.feature_names and not shared_feature_pairs(
                self.feature_names):
            raise ConfigError(SHARES_NONE)
        if self.agreement_weight and self.feature_names and (
                len(self.feature_counts) < 3 or not shared_feature_pairs(self.feature_names)):
            raise ConfigError(AGREEMENT_NEEDS)
        config_lib.require_at_least(self, "num_domains", 2)
        config_lib.require_non_negative(self, "target_domain")
        for key, minimum in (("target_rows", 1), ("source_domains", 1), ("source_rows", 10)):
            if getattr(self, key) is not None:
                config_lib.require_at_least(self, key, minimum)
        if self.overlap is not None:
            config_lib.require_fraction(self, "overlap")  # 1 would make neighbours identical
        if self.missing_threshold is not None:
            config_lib.require_probability(self, "missing_threshold")


def shared_feature_pairs(feature_names) -> dict[tuple[int, int], tuple[list, list]]:
    """``{(i, j): (columns in i, the same features' columns in j)}`` for every
    ordered pair of domains that record features of the same name (in domain
    i's column order); pairs that share none are left out."""
    pairs = {}
    for i, j in itertools.permutations(range(len(feature_names)), 2):
        common = [name for name in feature_names[i] if name in feature_names[j]]
        if common:
            pairs[(i, j)] = ([list(feature_names[i]).index(name) for name in common],
                             [list(feature_names[j]).index(name) for name in common])
    return pairs


def agreement_triples(num_domains) -> list[tuple[int, int, int]]:
    """``(i, j, k)``, j < k, for every source i and every two other domains j and k
    it is translated into: the pairs of translations the agreement term compares."""
    return [(i, j, k) for i in range(num_domains)
            for j, k in itertools.combinations(range(num_domains), 2) if i not in (j, k)]


def _mlp(inputs, units, name):
    h = inputs
    for index, width in enumerate(units):
        h = keras.layers.Dense(width, name=f"{name}_dense{index}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"{name}_act{index}")(h)
    return h


@keras.saving.register_keras_serializable("keras_genzoo")
class RadialGAN(GenzooModel):
    """M encoders, decoders and discriminators around one latent space."""

    config_class = RadialGANConfig
    registry_name = "radialgan"
    kind = "radialgan"
    data_kind = "domains"
    evaluates_held_out = True
    # 3-step epochs: checkpoint and held-out scores every --sample-every epochs
    thins_epoch_ends = True

    def adapt_to_source(self, source) -> None:
        """Exports translate in original units: keep each domain's standardization and
        gap fills."""
        self.set_standardization([d.mean for d in source.domains],
                                 [d.std for d in source.domains],
                                 [d.fill for d in source.domains])

    def sample_grid(self, num, *, seed=0, label=None, prior=False, held_out=None):
        raise GenzooError("a radialgan run translates table rows, it draws no images; use "
                          "genzoo radialgan augment RUN --target I --out F.csv")

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        c = self.config
        # each domain's standardization (the training split's mean and std), set by the
        # trainer from the data source and checkpointed: exports work in original units
        self.feature_means = [tf.Variable(tf.zeros([d]), trainable=False, name=f"mean_{i}")
                              for i, d in enumerate(c.feature_counts)]
        self.feature_stds = [tf.Variable(tf.ones([d]), trainable=False, name=f"std_{i}")
                             for i, d in enumerate(c.feature_counts)]
        # what replaces a gap (NaN) in an exported signature's x, original units: the
        # data source's fill from the training split (docs/data.md, "Missing values")
        self.feature_fills = [tf.Variable(tf.zeros([d]), trainable=False, name=f"fill_{i}")
                              for i, d in enumerate(c.feature_counts)]
        self.shared_features = shared_feature_pairs(c.feature_names)
        if c.shared_feature_weight and not self.shared_features:
            raise ConfigError(SHARES_NONE + (
                "" if c.feature_names else " (the config names no features)"))
        if c.agreement_weight and (self.num_domains < 3 or not self.shared_features):
            raise ConfigError(AGREEMENT_NEEDS + (
                "" if c.feature_names else " (the config names no features)"))
        self.encoders, self.decoders, self.discriminators = [], [], []
        for i, features in enumerate(c.feature_counts):
            width = features + c.num_classes
            sample = keras.Input((width,), name="sample")
            z = keras.layers.Dense(c.latent_dim, name=f"F{i}_z")(_mlp(sample, c.hidden_units,
                                                                        f"F{i}"))
            self.encoders.append(keras.Model(sample, z, name=f"encoder_{i}"))
            code = keras.Input((c.latent_dim,), name="z")
            h = _mlp(code, c.hidden_units, f"G{i}")
            x = keras.layers.Dense(features, name=f"G{i}_x")(h)
            y = keras.layers.Dense(c.num_classes, activation="softmax", name=f"G{i}_y")(h)
            self.decoders.append(keras.Model(code, keras.layers.Concatenate(name=f"G{i}_xy")(
                [x, y]), name=f"decoder_{i}"))
            score = keras.layers.Dense(1, name=f"D{i}_score")(_mlp(sample, c.hidden_units,
                                                                    f"D{i}"))
            self.discriminators.append(keras.Model(sample, score, name=f"discriminator_{i}"))

    def state_variables(self):
        items = {}
        for i in range(self.num_domains):
            items[f"feature_mean_{i}"] = self.feature_means[i]
            items[f"feature_std_{i}"] = self.feature_stds[i]
            items[f"feature_fill_{i}"] = self.feature_fills[i]
        return items

    def state_variables_optional(self):
        # the gap fills came after the first radialgan runs: their checkpoints lack them
        return tuple(f"feature_fill_{i}" for i in range(self.num_domains))

    def restore_missing_state(self, names, statistics):
        """An older run's checkpoint has no gap fills: the fills its data statistics
        record, else (statistics from before fills were recorded) each domain's
        restored mean, which is what its training filled gaps with."""
        entries = (statistics or {}).get("domains") if isinstance(statistics, dict) else None
        for i in range(self.num_domains):
            if f"feature_fill_{i}" not in names:
                continue
            fill = None
            if isinstance(entries, list) and i < len(entries) and isinstance(entries[i], dict):
                fill = entries[i].get("fill")
            width = self.config.feature_counts[i]
            if fill is None or np.shape(fill) != (width,):
                fill = self.feature_means[i].numpy()
            self.feature_fills[i].assign(np.asarray(fill, np.float32))

    def set_standardization(self, means, stds, fills=None) -> None:
        """Each domain's training-split mean, std and gap fill (original units; the
        fill defaults to the mean)."""
        fills = means if fills is None else fills
        for variable, value in zip(self.feature_means + self.feature_stds + self.feature_fills,
                                   list(means) + list(stds) + list(fills)):
            variable.assign(np.asarray(value, np.float32))

    @property
    def num_domains(self) -> int:
        return len(self.config.feature_counts)

    def reported_metric_names(self):
        return ("d_loss", "g_loss", "adversarial", "latent_cycle", "data_cycle",
                "shared_features", "agreement", "label_accuracy")

    def networks(self):
        nets = {}
        for i in range(self.num_domains):
            nets[f"encoder_{i}"] = self.encoders[i]
            nets[f"decoder_{i}"] = self.decoders[i]
            nets[f"discriminator_{i}"] = self.discriminators[i]
        return nets

    def trained_network_names(self):
        # one optimizer for every encoder and decoder (the translators), one for every
        # discriminator; the translators' steps once per train_step: the step counter
        return ["translators", "discriminators"]

    def variables_trained_by(self, role):
        if role == "translators":
            return [v for net in self.encoders + self.decoders for v in net.trainable_variables]
        return [v for net in self.discriminators for v in net.trainable_variables]

    def default_optimizers(self):
        c = self.config
        return {role: keras.optimizers.Adam(c.learning_rate, beta_1=c.beta_1, beta_2=c.beta_2)
                for role in ("translators", "discriminators")}

    def example_input(self, batch_size: int = 2):
        return tuple((tf.zeros([batch_size, d]), tf.zeros([batch_size], tf.int32))
                     for d in self.config.feature_counts)

    def call(self, inputs, training=False):
        samples = self._samples(inputs)
        outputs = []
        for i, sample in enumerate(samples):
            z = self.encode(i, sample, training=training)
            for j in range(self.num_domains):
                outputs.append(self.discriminators[j](self.decoders[j](z), training=training))
        return outputs

    # ------------------------------------------------------------ samples
    def _samples(self, data):
        """``[x_i, one_hot(y_i)]`` per domain, float32."""
        classes = self.config.num_classes
        return [tf.concat([tf.cast(x, tf.float32),
                           tf.one_hot(tf.cast(tf.reshape(y, [-1]), tf.int32), classes)], axis=-1)
                for x, y in data]

    def _split(self, sample, i):
        """Features and label part of a sample of domain i."""
        features = self.config.feature_counts[i]
        return sample[:, :features], sample[:, features:]

    def encode(self, i, sample, training=False):
        """``F_i`` of a sample ``[x_i, one_hot(y)]``; with ``encode_label`` off the
        label part is zeroed first, so the code depends on the features alone."""
        if not self.config.encode_label:
            features = self.config.feature_counts[i]
            sample = tf.concat([sample[:, :features], tf.zeros_like(sample[:, features:])], -1)
        return self.encoders[i](sample, training=training)

    def translate_samples(self, sample, source: int, target: int, training=False):
        z = self.encode(source, sample, training=training)
        return tf.cast(self.decoders[target](z, training=training), tf.float32)

    # ------------------------------------------------------------ training
    def _critic_loss(self, j, real, fake, salt):
        c = self.config
        critic = self.discriminators[j]
        real_scores = tf.reshape(tf.cast(critic(real, training=True), tf.float32), [-1])
        fake_scores = tf.reshape(tf.cast(critic(fake, training=True), tf.float32), [-1])
        if c.adversarial_loss == "bce":
            per_example = tf.nn.softplus(-real_scores) + tf.nn.softplus(fake_scores)
        else:
            per_example = fake_scores - real_scores
            if c.gp_weight:
                epsilon = self.replica_noise(tf.shape(real)[0], [], salt=salt,
                                             distribution="uniform")
                per_example += c.gp_weight * gradient_penalty(
                    lambda v: critic(v, training=True), real, fake, epsilon)
        return per_example

    def _translator_adversarial(self, j, fake):
        scores = tf.reshape(tf.cast(self.discriminators[j](fake, training=True), tf.float32),
                            [-1])
        if self.config.adversarial_loss == "bce":
            return tf.nn.softplus(-scores)
        return -scores

    def train_step(self, data):
        c = self.config
        samples = self._samples(data)
        pairs = [(i, j) for i, j in itertools.permutations(range(self.num_domains), 2)]
        scale = 1.0 / len(pairs)

        # discriminators: each D_j against every domain translated into j
        with tf.GradientTape() as tape:
            d_total = 0.0
            for index, (i, j) in enumerate(pairs):
                fake = tf.stop_gradient(self.translate_samples(samples[i], i, j, training=True))
                d_total += scale * self.average_over_global_batch(
                    self._critic_loss(j, samples[j], fake, _CRITIC_NOISE + index))
            d_scaled = self.scaled_loss(self.network_optimizers["discriminators"], d_total)
        self.apply_gradients("discriminators", tape, d_scaled)

        # translators: fool every D_j, keep both cycles
        with tf.GradientTape() as tape:
            adversarial = latent_cycle = data_cycle = label_loss = shared = 0.0
            correct = 0.0
            translations = {}
            for i, j in pairs:
                # float32 whatever the compute dtype (mixed precision)
                z = tf.cast(self.encode(i, samples[i], training=True), tf.float32)
                translated = tf.cast(self.decoders[j](z, training=True), tf.float32)
                translations[(i, j)] = translated
                adversarial += scale * self._translator_adversarial(j, translated)
                z_back = tf.cast(self.encode(j, translated, training=True), tf.float32)
                latent_cycle += scale * tf.reduce_mean(tf.square(z_back - z), axis=-1)
                restored = tf.cast(self.decoders[i](z_back, training=True), tf.float32)
                x_restored, y_restored = self._split(restored, i)
                x_true, y_true = self._split(samples[i], i)
                data_cycle += scale * (
                    tf.reduce_mean(tf.square(x_restored - x_true), axis=-1)
                    - tf.reduce_sum(y_true * tf.math.log(y_restored + 1e-7), axis=-1))
                _, y_translated = self._split(translated, j)
                label_loss -= scale * tf.reduce_sum(y_true * tf.math.log(y_translated + 1e-7),
                                                    axis=-1)
                if (i, j) in self.shared_features:
                    in_source, in_target = self.shared_features[(i, j)]
                    shared += scale * tf.reduce_mean(tf.square(
                        tf.gather(translated, in_target, axis=1)
                        - tf.gather(samples[i], in_source, axis=1)), axis=-1)
                correct += scale * tf.cast(tf.equal(tf.argmax(y_translated, -1),
                                                    tf.argmax(y_true, -1)), tf.float32)
            # two translations of one row agree on what both destinations record
            agreement = 0.0
            triples = agreement_triples(self.num_domains)
            for i, j, k in triples:
                if (j, k) in self.shared_features:
                    in_j, in_k = self.shared_features[(j, k)]
                    agreement += (1.0 / len(triples)) * tf.reduce_mean(tf.square(
                        tf.gather(translations[(i, j)], in_j, axis=1)
                        - tf.gather(translations[(i, k)], in_k, axis=1)), axis=-1)
            per_example = (adversarial + c.latent_cycle_weight * latent_cycle
                           + c.data_cycle_weight * data_cycle + c.label_weight * label_loss
                           + c.shared_feature_weight * shared + c.agreement_weight * agreement)
            g_total = self.average_over_global_batch(per_example)
            g_scaled = self.scaled_loss(self.network_optimizers["translators"], g_total)
        self.apply_gradients("translators", tape, g_scaled)
        replicas = tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, tf.float32)
        return self.record({
            "d_loss": d_total * replicas, "g_loss": g_total * replicas,
            "adversarial": tf.reduce_mean(adversarial),
            "latent_cycle": tf.reduce_mean(latent_cycle),
            "data_cycle": tf.reduce_mean(data_cycle),
            "shared_features": tf.reduce_mean(shared),
            "agreement": tf.reduce_mean(agreement),
            "label_accuracy": tf.reduce_mean(correct)})

    # ------------------------------------------------------------ inference
    def translate(self, x, y, source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
        """Domain ``source``'s standardized features ``x`` with labels ``y`` ->
        ``(features in domain target's standardized units, label probabilities)``.
        A label outside ``[0, num_classes)`` is a one-line GenzooError: it would
        otherwise encode as an all-zero one-hot vector, silently."""
        y = np.asarray(y).reshape(-1)
        classes = self.config.num_classes
        bad = y[(y < 0) | (y >= classes)]
        if bad.size:
            raise GenzooError(f"label {int(bad[0])} is out of range: this radialgan model has "
                              f"{classes} classes (0 to {classes - 1})")
        sample = self._samples([(np.asarray(x, np.float32), y)])[0]
        out = self.translate_samples(sample, source, target)
        features, probabilities = self._split(out, target)
        return features.numpy(), probabilities.numpy()

    def reconstruct(self, x, y, domain: int) -> tuple[np.ndarray, np.ndarray]:
        return self.translate(x, y, domain, domain)

    def held_out_metrics(self, data, *, slow: bool = True) -> dict[str, float]:
        """``data``: each domain's held-out ``(x, y)``."""
        return self.evaluation_metrics(data)

    def evaluation_metrics(self, data) -> dict[str, float]:
        """Held-out cycle errors and label agreement (logged as val_*), averaged over
        the ordered pairs (i -> j) whose source domain i has held-out rows (the cycle
        i -> j -> i uses only i's rows); {} when no domain has any (a tiny domain's
        validation split can be empty)."""
        samples = self._samples(data)
        latent, cycle, agree = [], [], []
        def as32(tensor):
            return tf.cast(tensor, tf.float32)

        for i, j in itertools.permutations(range(self.num_domains), 2):
            if not len(np.asarray(data[i][1]).reshape(-1)):
                continue  # no rows: a mean over nothing would be NaN
            z = as32(self.encode(i, samples[i]))
            translated = as32(self.decoders[j](z))
            z_back = as32(self.encode(j, translated))
            latent.append(float(tf.reduce_mean(tf.square(z_back - z))))
            x_restored, _ = self._split(as32(self.decoders[i](z_back)), i)
            cycle.append(float(tf.reduce_mean(tf.square(x_restored - self._split(samples[i],
                                                                                  i)[0]))))
            _, y_translated = self._split(translated, j)
            agree.append(float(np.mean(np.argmax(y_translated, -1)
                                       == np.asarray(data[i][1]).reshape(-1))))
        if not latent:
            return {}
        return {"latent_cycle": float(np.mean(latent)), "data_cycle_mse": float(np.mean(cycle)),
                "label_agreement": float(np.mean(agree))}

    # --------------------------------------------------------------- export
    def export_parity_inputs(self):
        """Rows in each domain's original units (mean + std * N(0, 1)): uniform [0, 1)
        values are hundreds of standard deviations out for features such as an area,
        where float32 round-off alone exceeds the 1e-4 parity tolerance. Every third
        row has a gap (NaN) in its first feature."""
        rng = np.random.default_rng(0)
        labels = (np.arange(8) % self.config.num_classes).astype(np.int32)
        inputs = {}
        for i in range(self.num_domains):
            mean, std = self.feature_means[i].numpy(), self.feature_stds[i].numpy()
            x = (mean + std * rng.normal(size=(8, len(mean)))).astype(np.float32)
            x[::3, 0] = np.nan  # gaps: the graph fills them (checks the fill converts too)
            inputs[f"encode_{i}"] = {"x": x, "label": labels}
            for j in range(self.num_domains):
                if j != i:
                    inputs[f"translate_{i}_to_{j}"] = {"x": x, "label": labels}
        inputs["serving_default"] = inputs["translate_0_to_1"]
        return inputs

    def export_signatures(self):
        """Per domain ``encode_<i>(x, label) -> z`` and ``decode_<i>(z) -> features,
        label_probabilities``, and per ordered pair ``translate_<i>_to_<j>(x, label) ->
        features, label_probabilities``;
        features in each domain's ORIGINAL units (the standardization is in the graph).
        A NaN in ``x`` is a gap: it is replaced by the domain's training fill (the
        train mean, or a categorical column's most frequent one-hot value) before
        standardizing, as the data source filled the training rows.
        ``serving_default`` is ``translate_0_to_1``. One signature per pair: a graph
        that dispatches on domain indices would need every domain's shapes at once."""
        c = self.config
        module = tf.Module()
        module.encoders, module.decoders = list(self.encoders), list(self.decoders)
        module.means = [tf.Variable(v.numpy(), trainable=False) for v in self.feature_means]
        module.stds = [tf.Variable(v.numpy(), trainable=False) for v in self.feature_stds]
        module.fills = [tf.Variable(v.numpy(), trainable=False) for v in self.feature_fills]
        classes = c.num_classes
        signatures = {}

        def sample_of(i, x, label):
            x = tf.where(tf.math.is_nan(x), module.fills[i], x)  # a client's gaps
            # A label out of range would encode as an all-zero one-hot vector and give
            # a plausible-looking answer: the SavedModel refuses it (InvalidArgument).
            # tf2onnx drops the assertions; the one-hot as an explicit comparison makes
            # the ONNX graph encode ANY out-of-range label (-1 too, which ONNX's OneHot
            # would count from the end) as all zeros, as TensorFlow's one_hot does.
            message = f"label must be in [0, {classes})"
            checks = [tf.debugging.assert_non_negative(label, message=message),
                      tf.debugging.assert_less(label, classes, message=message)]
            with tf.control_dependencies(checks):
                label = tf.identity(label)
            one_hot = tf.cast(tf.equal(label[:, None], tf.range(classes)[None, :]), tf.float32)
            if not c.encode_label:
                # zeroed, as RadialGAN.encode does, but by a product that keeps the label
                # input in the graph: every radialgan export has the same signatures
                one_hot = one_hot * 0.0
            standardized = (x - module.means[i]) / module.stds[i]
            return tf.concat([standardized, one_hot], axis=-1)

        def unpack(j, out):
            features = c.feature_counts[j]
            # not "x": an ONNX graph cannot have an input and an output of one name
            return {"features": out[:, :features] * module.stds[j] + module.means[j],
                    "label_probabilities": out[:, features:]}

        def encoder_of(i):
            def encode(x, label):
                return {"z": module.encoders[i](sample_of(i, x, label), training=False)}
            return encode

        def decoder_of(i):
            def decode(z):
                return unpack(i, module.decoders[i](z, training=False))
            return decode

        def translator_of(i, j):
            def translate(x, label):
                z = module.encoders[i](sample_of(i, x, label), training=False)
                return unpack(j, module.decoders[j](z, training=False))
            return translate

        label_spec = tf.TensorSpec([None], tf.int32, name="label")
        z_spec = tf.TensorSpec([None, c.latent_dim], tf.float32, name="z")
        for i, d in enumerate(c.feature_counts):
            x_spec = tf.TensorSpec([None, d], tf.float32, name="x")
            signatures[f"encode_{i}"] = tf.function(encoder_of(i),
                                                    input_signature=[x_spec, label_spec])
            signatures[f"decode_{i}"] = tf.function(decoder_of(i), input_signature=[z_spec])
            for j in range(self.num_domains):
                if j != i:
                    signatures[f"translate_{i}_to_{j}"] = tf.function(
                        translator_of(i, j), input_signature=[x_spec, label_spec])
        signatures["serving_default"] = signatures["translate_0_to_1"]
        return module, signatures
