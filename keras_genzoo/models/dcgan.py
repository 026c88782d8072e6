"""DCGAN: Radford, Metz & Chintala, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks", ICLR 2016 (arXiv:1511.06434).

Networks follow the paper's section 3 guidelines (see
:mod:`keras_genzoo.networks.convolutional`); training follows its section 4:
Adam with learning rate 2e-4 and beta1 = 0.5, mini-batches of real and of fake
images passed through D separately (so BatchNorm never mixes them), and the
non-saturating generator loss ``-log D(G(z))`` of Goodfellow et al. 2014.
"""

from __future__ import annotations

import dataclasses

import keras
import tensorflow as tf

from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.adversarial import (
    discriminator_logistic_loss,
    generator_non_saturating_loss,
)
from keras_genzoo.models.base import GAN
from keras_genzoo.networks.convolutional import dcgan_discriminator, dcgan_generator


@dataclasses.dataclass(frozen=True)
class DCGANConfig:
    image_size: int = 32
    channels: int = 1
    latent_dim: int = 100
    #: width of D's first layer and G's last hidden layer; doubles per level
    base_filters: int = 32
    generator_lr: float = 2e-4
    discriminator_lr: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    #: one-sided label smoothing of D's real targets (0 = the paper)
    label_smoothing: float = 0.0

    def validate(self):
        if self.image_size < 8 or self.image_size & (self.image_size - 1):
            raise ConfigError(f"image_size must be a power of two >= 8, got {self.image_size}")
        if self.channels not in (1, 3):
            raise ConfigError(f"channels must be 1 or 3, got {self.channels}")
        for key in ("latent_dim", "base_filters"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"{key} must be positive, got {getattr(self, key)}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ConfigError(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")


@keras.saving.register_keras_serializable("keras_genzoo")
class DCGAN(GAN):
    """Deep convolutional GAN with the non-saturating loss."""

    config_class = DCGANConfig
    registry_name = "dcgan"
    metric_names = ("d_loss", "g_loss", "d_real", "d_fake")

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        c = self.config
        self.generator = dcgan_generator(c.latent_dim, c.image_size, c.channels, c.base_filters)
        self.discriminator = dcgan_discriminator(c.image_size, c.channels, c.base_filters)

    def default_optimizers(self):
        c = self.config
        return {
            "generator": keras.optimizers.Adam(c.generator_lr, beta_1=c.beta_1, beta_2=c.beta_2),
            "discriminator": keras.optimizers.Adam(
                c.discriminator_lr, beta_1=c.beta_1, beta_2=c.beta_2
            ),
        }

    def train_step(self, data):
        images, _ = self.unpack(data)
        real = self.to_generator_range(images)
        batch = tf.shape(real)[0]

        # Discriminator: maximise log D(x) + log(1 - D(G(z))).
        z = self.replica_noise(batch, [self.config.latent_dim], salt=1)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self.average_over_global_batch(
                discriminator_logistic_loss(real_logits, fake_logits, self.config.label_smoothing)
            )
            d_scaled = self.scaled_loss(self.network_optimizers["discriminator"], d_loss)
        self.apply_gradients("discriminator", tape, d_scaled)

        # Generator: minimise -log D(G(z)) on fresh noise.
        z = self.replica_noise(batch, [self.config.latent_dim], salt=2)
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.average_over_global_batch(generator_non_saturating_loss(fake_logits))
            g_scaled = self.scaled_loss(self.network_optimizers["generator"], g_loss)
        self.apply_gradients("generator", tape, g_scaled)

        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return self.record(
            {
                # losses were divided by the global batch; report this replica's mean
                "d_loss": d_loss * replicas,
                "g_loss": g_loss * replicas,
                "d_real": tf.reduce_mean(tf.sigmoid(tf.cast(real_logits, tf.float32))),
                "d_fake": tf.reduce_mean(tf.sigmoid(tf.cast(fake_logits, tf.float32))),
            }
        )
