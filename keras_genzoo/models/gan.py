"""The GAN family: GAN, WGAN, WGAN-GP and the conditional GAN.

All four train with the shared step of :class:`keras_genzoo.models.adversarial.GAN`;
each class here is its paper's networks and defaults.

* ``gan``: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014
  (arXiv:1406.2661). MLP generator and discriminator with Dropout in D;
  ``loss=minimax`` is eq. 1 as written (G minimises ``log(1 - D(G(z)))``),
  ``loss=non_saturating`` the variant the paper recommends in section 3
  (G maximises ``log D(G(z))``).
* ``wgan``: Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017
  (arXiv:1701.07875), Algorithm 1: linear critic output, critic loss
  ``D(G(z)) - D(x)``, weight clipping ``c = 0.01``, RMSProp with learning rate
  5e-5 and no momentum, ``n_critic = 5``.
* ``wgan-gp``: Gulrajani et al., "Improved Training of Wasserstein GANs",
  NeurIPS 2017 (arXiv:1704.00028), Algorithm 1: gradient penalty ``lambda = 10``
  instead of clipping, Adam (1e-4, beta1 = 0, beta2 = 0.9), ``n_critic = 5``,
  no batch normalization in the critic (layer norm in the conv critic).
* ``cgan``: Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014
  (arXiv:1411.1784): the label reaches both networks; ``conditioning=projection``
  uses Miyato & Koyama's projection discriminator (ICLR 2018, arXiv:1802.05637).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras

from keras_genzoo.errors import ConfigError
from keras_genzoo.models.adversarial import GAN, AdversarialConfig, AdversarialLossName
from keras_genzoo.networks.adversarial import build_gan_networks


@dataclasses.dataclass(frozen=True)
class GANConfig(AdversarialConfig):
    #: network bodies for images: mlp (the 2014 paper) or conv (DCGAN-style)
    architecture: Literal["mlp", "conv"] = "mlp"
    generator_units: tuple[int, ...] = (256, 512)
    discriminator_units: tuple[int, ...] = (512, 256)
    #: Dropout rate after each hidden layer of an MLP discriminator
    dropout: float = 0.3
    #: conv: width of D's first layer and G's last hidden layer (doubles per level)
    base_filters: int = 32
    #: conv critic normalization: batch, layer or none
    normalization: Literal["batch", "layer", "none"] = "batch"

    def validate(self):
        super().validate()
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.base_filters <= 0:
            raise ConfigError(f"base_filters must be positive, got {self.base_filters}")
        for key in ("generator_units", "discriminator_units"):
            if any(units <= 0 for units in getattr(self, key)):
                raise ConfigError(f"{key} must be positive integers, got {getattr(self, key)}")
        if self.architecture == "conv" and not self.data_dim:
            size = self.image_size
            if size < 8 or size & (size - 1):
                raise ConfigError(f"architecture=conv needs image_size a power of two >= 8, "
                                  f"got {size}")


@keras.saving.register_keras_serializable("keras_genzoo")
class VanillaGAN(GAN):
    """Goodfellow et al. 2014: the original GAN (registered as ``gan``)."""

    config_class = GANConfig
    registry_name = "gan"

    def build_networks(self):
        return build_gan_networks(self.config)


@dataclasses.dataclass(frozen=True)
class WGANConfig(GANConfig):
    architecture: Literal["mlp", "conv"] = "conv"
    loss: AdversarialLossName = "wasserstein"
    clip_value: float = 0.01
    d_steps: int = 5
    optimizer: Literal["adam", "rmsprop"] = "rmsprop"
    generator_lr: float = 5e-5
    discriminator_lr: float = 5e-5
    dropout: float = 0.0

    def validate(self):
        super().validate()
        if self.clip_value <= 0:
            raise ConfigError(f"wgan needs clip_value > 0 (the paper uses 0.01), "
                              f"got {self.clip_value}")


@keras.saving.register_keras_serializable("keras_genzoo")
class WGAN(VanillaGAN):
    """Arjovsky et al. 2017: Wasserstein critic with weight clipping."""

    config_class = WGANConfig
    registry_name = "wgan"


@dataclasses.dataclass(frozen=True)
class WGANGPConfig(GANConfig):
    architecture: Literal["mlp", "conv"] = "conv"
    normalization: Literal["batch", "layer", "none"] = "layer"
    loss: AdversarialLossName = "wasserstein"
    gp_weight: float = 10.0
    d_steps: int = 5
    generator_lr: float = 1e-4
    discriminator_lr: float = 1e-4
    beta_1: float = 0.0
    beta_2: float = 0.9
    dropout: float = 0.0

    def validate(self):
        super().validate()
        if self.gp_weight <= 0:
            raise ConfigError(f"wgan-gp needs gp_weight > 0 (the paper uses 10), "
                              f"got {self.gp_weight}")
        if self.architecture == "conv" and self.normalization == "batch":
            raise ConfigError("wgan-gp's penalty is per example: use normalization=layer or "
                              "none in the critic, not batch (Gulrajani et al. 2017, section 4)")


@keras.saving.register_keras_serializable("keras_genzoo")
class WGANGP(VanillaGAN):
    """Gulrajani et al. 2017: Wasserstein critic with a gradient penalty."""

    config_class = WGANGPConfig
    registry_name = "wgan-gp"


@dataclasses.dataclass(frozen=True)
class CGANConfig(GANConfig):
    num_classes: int = 10
    #: how D sees the label: concat (Mirza & Osindero) or projection (Miyato & Koyama)
    conditioning: Literal["concat", "projection"] = "projection"

    def validate(self):
        super().validate()
        if self.num_classes < 2:
            raise ConfigError(f"num_classes must be at least 2, got {self.num_classes}")


@keras.saving.register_keras_serializable("keras_genzoo")
class CGAN(VanillaGAN):
    """Conditional GAN: ``G(z, y)`` and ``D(x, y)``."""

    config_class = CGANConfig
    registry_name = "cgan"

    def num_classes(self) -> int:
        return self.config.num_classes

    def build_networks(self):
        return build_gan_networks(self.config, num_classes=self.config.num_classes,
                                  conditioning=self.config.conditioning)
