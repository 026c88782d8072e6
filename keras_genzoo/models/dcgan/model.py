"""DCGAN: Radford, Metz & Chintala, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks", ICLR 2016 (arXiv:1511.06434).

Networks follow the paper's section 3 guidelines (see
:mod:`keras_genzoo.networks.convolutional`); training follows its section 4:
Adam with learning rate 2e-4 and beta1 = 0.5, mini-batches of real and of fake
images passed through D separately (so BatchNorm never mixes them), and the
non-saturating generator loss ``-log D(G(z))`` of Goodfellow et al. 2014.
The training step is the one every GAN shares
(:class:`keras_genzoo.models.adversarial.GANEngine`), so all the family's options
(``r1_gamma``, ``minibatch_discrimination``, ``ema_decay``, ...) apply.
"""

from __future__ import annotations

import dataclasses

import keras

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError
from keras_genzoo.models.adversarial import AdversarialConfig, GANEngine
from keras_genzoo.networks.adversarial import conv_discriminator, discriminator_head_options
from keras_genzoo.networks.convolutional import dcgan_generator


@dataclasses.dataclass(frozen=True)
class DCGANConfig(AdversarialConfig):
    #: width of D's first layer and G's last hidden layer; doubles per level
    base_filters: int = 32

    def validate(self):
        super().validate()
        if self.data_dim:
            raise ConfigError("dcgan generates images and this dataset holds 2-D points; "
                              "train gan, wgan, wgan-gp or cgan on it")
        config_lib.require_power_of_two(self)
        config_lib.require_positive(self, "base_filters")


@keras.saving.register_keras_serializable("keras_genzoo")
class DCGAN(GANEngine):
    """Deep convolutional GAN with the non-saturating loss (every GAN option applies)."""

    config_class = DCGANConfig
    registry_name = "dcgan"

    def build_networks(self):
        c = self.config
        generator = dcgan_generator(c.latent_dim, c.image_size, c.channels, c.base_filters,
                                    virtual_batch_norm=c.virtual_batch_norm)
        discriminator = conv_discriminator(c.image_size, c.channels, c.base_filters,
                                           normalization="batch", **discriminator_head_options(c))
        return generator, discriminator
