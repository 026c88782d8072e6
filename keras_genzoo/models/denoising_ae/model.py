"""Denoising autoencoder (Vincent, Larochelle, Bengio & Manzagol 2008;
Goodfellow, Bengio & Courville 2016, "Deep Learning", sections 14.2.2 and 14.5).

Instead of ``L(x, g(f(x)))`` the denoising autoencoder (DAE) minimises::

    L(x, g(f(x~)))        with  x~ ~ C(x~ | x)

where ``C`` is a corruption process (section 14.2.2, figure 14.3). It cannot
succeed by copying its input, because the input is not the target; it has to
learn where the data lie and map a corrupted point back towards them. With
Gaussian corruption and squared error, ``g(f(x~)) - x~`` estimates the score
``sigma^2 * grad log p(x~)`` (section 14.5.1); in the linear case on Gaussian
data the optimum is the Wiener filter ``S (S + sigma^2 I)^-1`` (the tests check
it).

Corruption happens inside ``train_step`` only: ``encode`` / ``decode`` /
``reconstruct`` and the exported signatures are clean. The noise is stateless
(run seed, salt, step) and sliced per replica, so N replicas train as one
device. :meth:`DenoisingAE.impute` fills in missing pixels with a model
trained with masking noise.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError
from keras_genzoo.layers.corruption import (
    gaussian_corruption,
    masking_corruption,
    salt_pepper_corruption,
)
from keras_genzoo.losses.reconstruction import reconstruction_quality
from keras_genzoo.models.ae.model import Autoencoder, AutoencoderConfig

#: noise salts (GenzooModel.replica_noise): one per independent draw in a step
SALT_GAUSSIAN, SALT_MASK, SALT_WHICH, SALT_VALUE = 11, 12, 13, 14
#: fixed seed of the held-out corruption, so val_*_psnr compare across epochs
EVALUATION_SEED = 20_080_705


@dataclasses.dataclass(frozen=True)
class DenoisingAEConfig(AutoencoderConfig):
    #: the corruption process C(x~ | x)
    corruption: Literal["gaussian", "masking", "salt_pepper"] = "gaussian"
    #: gaussian: x~ = x + sigma * N(0, I)
    sigma: float = 0.3
    #: masking: each pixel set to 0 with this probability
    drop_probability: float = 0.3
    #: salt_pepper: each pixel set to 0 or 1 (even odds) with this probability
    salt_pepper_probability: float = 0.2

    def validate(self):
        super().validate()
        config_lib.require_non_negative(self, "sigma")  # NaN is refused too
        for key in ("drop_probability", "salt_pepper_probability"):
            value = getattr(self, key)
            if not 0 <= value <= 1:
                raise ConfigError(f"{key} must be in [0, 1], got {value}")


def psnr(images, estimates) -> float:
    """Mean over images of ``10 log10(1 / MSE)`` (images in [0, 1])."""
    return reconstruction_quality(images, estimates)["psnr"]


@keras.saving.register_keras_serializable("keras_genzoo")
class DenoisingAE(Autoencoder):
    """Autoencoder trained on ``L(x, g(f(x~)))``, ``x~ ~ C(x~ | x)`` (Deep Learning 14.2.2)."""

    config_class = DenoisingAEConfig
    registry_name = "denoising-ae"
    metric_names = ("loss",)

    # ------------------------------------------------------------ corruption
    def _corrupt(self, images, normal, uniform):
        """``C(x~ | x)`` with noise from ``normal(salt)`` / ``uniform(salt)``."""
        c = self.config
        if c.corruption == "gaussian":
            return gaussian_corruption(images, normal(SALT_GAUSSIAN), c.sigma)
        if c.corruption == "masking":
            return masking_corruption(images, uniform(SALT_MASK), c.drop_probability)
        return salt_pepper_corruption(images, uniform(SALT_WHICH), uniform(SALT_VALUE),
                                      c.salt_pepper_probability)

    def corrupt(self, images):
        """The training corruption of this step (this replica's slice of the global draw)."""
        shape = self.data_shape()
        batch = tf.shape(images)[0]
        return self._corrupt(
            images,
            lambda salt: self.replica_noise(batch, shape, salt),
            lambda salt: self.replica_noise(batch, shape, salt, distribution="uniform"),
        )

    def corrupt_with_seed(self, images, seed: int = EVALUATION_SEED) -> np.ndarray:
        """``x~ ~ C(x~ | x)`` from a fixed seed (evaluation, figures); NumPy in and out."""
        images = tf.convert_to_tensor(np.asarray(images, np.float32))
        shape = tf.shape(images)
        corrupted = self._corrupt(
            images,
            lambda salt: tf.random.stateless_normal(shape, seed=[seed, salt]),
            lambda salt: tf.random.stateless_uniform(shape, seed=[seed, salt]),
        )
        return corrupted.numpy()

    # --------------------------------------------------------------- training
    def training_inputs(self, images):
        """``x~``: the base ``train_step`` then minimises ``L(x, g(f(x~)))`` against the clean x."""
        return self.corrupt(images)

    # ------------------------------------------------------------- evaluation
    def evaluation_metrics(self, images, labels=None) -> dict[str, float]:
        """The base clean-input MSE / PSNR, plus denoising on held-out images.

        ``corrupted_psnr``: PSNR of ``x~`` against ``x``; ``denoised_psnr``: of
        ``g(f(x~))`` against ``x``. ``x~`` comes from a fixed seed
        (:data:`EVALUATION_SEED`), so the values compare across epochs and runs.
        """
        metrics = super().evaluation_metrics(images, labels)
        images = np.asarray(images, np.float32)
        corrupted = self.corrupt_with_seed(images)
        metrics["corrupted_psnr"] = psnr(images, corrupted)
        metrics["denoised_psnr"] = psnr(images, self.reconstruct(corrupted))
        return metrics

    # ------------------------------------------------------------- imputation
    def impute(self, images, missing_mask, iterations: int = 10) -> np.ndarray:
        """Fill in missing pixels; observed pixels are kept exactly.

        ``missing_mask`` is true (or 1) where a pixel is missing, broadcastable
        to ``images``. Missing pixels start at 0 -- what masking noise writes,
        so a model trained with ``corruption=masking`` sees the kind of input
        it learnt to repair -- and each iteration replaces them with the
        reconstruction of the current estimate::

            x_0 = m * 0 + (1 - m) * x
            x_{t+1} = m * g(f(x_t)) + (1 - m) * x

        Iterating lets the filled values, not zeros, inform the next
        reconstruction (a fixed point keeps the observed pixels and is
        consistent with the model). Returns float32 NumPy, ``images``' shape.
        """
        if iterations < 0:
            raise ValueError(f"iterations must be >= 0, got {iterations}")
        images = np.asarray(images, np.float32)
        missing = np.broadcast_to(np.asarray(missing_mask).astype(bool), images.shape)
        estimate = np.where(missing, np.float32(0.0), images)
        for _ in range(iterations):
            estimate = np.where(missing, self.reconstruct(estimate), images).astype(np.float32)
        return estimate
