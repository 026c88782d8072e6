"""Corruption processes ``C(x~ | x)`` for denoising autoencoders.

Goodfellow, Bengio & Courville 2016, *Deep Learning*, section 14.2.2 and
figure 14.3; Vincent, Larochelle, Bengio & Manzagol 2008, "Extracting and
composing robust features with denoising autoencoders" (ICML), section 2.3,
which introduced masking noise; Vincent et al. 2010, "Stacked denoising
autoencoders" (JMLR 11), which adds the isotropic Gaussian and
salt-and-pepper processes.

Two layers of API:

* pure functions (``gaussian_corruption``, ``masking_corruption``,
  ``salt_pepper_corruption``): deterministic given the noise tensors, so the
  statistics and the model's training step can be tested exactly (the
  denoising autoencoder feeds them ``GenzooModel.replica_noise`` draws, so a
  run on N replicas corrupts exactly as one device does);
* Keras layers (``GaussianCorruption``, ``MaskingCorruption``,
  ``SaltPepperCorruption``) for users who build their own models: they corrupt
  only when called with ``training=True``.
"""

from __future__ import annotations

import keras
import tensorflow as tf


# ----------------------------------------------------------- pure functions
def gaussian_corruption(x, noise, sigma: float):
    """``x~ = x + sigma * noise`` with ``noise ~ N(0, I)``: isotropic Gaussian noise.

    Not clipped to [0, 1]: clipping would bias the corrupted mean, and the
    denoising-as-score-matching view (Deep Learning 14.5.1) assumes additive
    Gaussian noise.
    """
    x = tf.cast(x, tf.float32)
    return x + tf.cast(sigma, tf.float32) * tf.cast(noise, tf.float32)


def masking_corruption(x, uniform, p: float):
    """Masking noise: each entry with ``uniform < p`` is set to 0, the rest kept.

    ``uniform ~ U[0, 1)`` of ``x``'s shape, so each entry is dropped
    independently with probability ``p`` (Vincent et al. 2008, section 2.3).
    """
    x = tf.cast(x, tf.float32)
    return tf.where(tf.cast(uniform, tf.float32) < p, tf.zeros_like(x), x)


def salt_pepper_corruption(x, uniform_a, uniform_b, p: float):
    """Salt-and-pepper noise: with probability ``p`` an entry becomes 0 or 1 (even odds).

    ``uniform_a < p`` picks the corrupted entries; ``uniform_b < 0.5`` makes
    one of them 0 (pepper), otherwise 1 (salt). Both ``~ U[0, 1)``, ``x``'s shape.
    """
    x = tf.cast(x, tf.float32)
    value = tf.where(tf.cast(uniform_b, tf.float32) < 0.5, tf.zeros_like(x), tf.ones_like(x))
    return tf.where(tf.cast(uniform_a, tf.float32) < p, value, x)


# ------------------------------------------------------------- Keras layers
class _Corruption(keras.layers.Layer):
    """Identity at inference; corrupts when called with ``training=True``."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        return self.corrupt(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable("keras_genzoo")
class GaussianCorruption(_Corruption):
    """``x + sigma * N(0, I)`` during training (:func:`gaussian_corruption`)."""

    def __init__(self, sigma: float, seed: int | None = None, **kwargs):
        super().__init__(seed, **kwargs)
        self.sigma = float(sigma)

    def corrupt(self, x):
        noise = keras.random.normal(keras.ops.shape(x), seed=self.seed_generator)
        return gaussian_corruption(x, noise, self.sigma)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma}


class _ProbabilityCorruption(_Corruption):
    """A corruption that hits each entry independently with ``probability``."""

    def __init__(self, probability: float, seed: int | None = None, **kwargs):
        super().__init__(seed, **kwargs)
        self.probability = float(probability)

    def get_config(self):
        return {**super().get_config(), "probability": self.probability}


@keras.saving.register_keras_serializable("keras_genzoo")
class MaskingCorruption(_ProbabilityCorruption):
    """Sets each entry to 0 with probability ``probability`` during training."""

    def corrupt(self, x):
        uniform = keras.random.uniform(keras.ops.shape(x), seed=self.seed_generator)
        return masking_corruption(x, uniform, self.probability)


@keras.saving.register_keras_serializable("keras_genzoo")
class SaltPepperCorruption(_ProbabilityCorruption):
    """Sets each entry to 0 or 1 (even odds) with probability ``probability`` in training."""

    def corrupt(self, x):
        shape = keras.ops.shape(x)
        uniform_a = keras.random.uniform(shape, seed=self.seed_generator)
        uniform_b = keras.random.uniform(shape, seed=self.seed_generator)
        return salt_pepper_corruption(x, uniform_a, uniform_b, self.probability)
