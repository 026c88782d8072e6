"""Conditional GAN: Mirza & Osindero, "Conditional Generative Adversarial Nets",
2014 (arXiv:1411.1784).

The class label ``y`` reaches both networks (section 3.2): the generator
models ``G(z | y)`` and the discriminator ``D(x | y)``, in the GAN game of
eq. 2 (the GAN family's losses, :class:`keras_genzoo.models.gan.model.GAN`).
``conditioning=concat`` joins the label's one-hot code to D's input, as the
paper does; ``conditioning=projection`` is Miyato & Koyama's projection
discriminator (ICLR 2018, arXiv:1802.05637), ``D(x, y) = psi(phi(x)) +
embed(y) . phi(x)``.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras

from keras_genzoo import config as config_lib
from keras_genzoo.models.gan.model import GAN, GANConfig
from keras_genzoo.networks.adversarial import build_gan_networks


@dataclasses.dataclass(frozen=True)
class CGANConfig(GANConfig):
    num_classes: int = 10
    #: how D sees the label: concat (Mirza & Osindero) or projection (Miyato & Koyama)
    conditioning: Literal["concat", "projection"] = "projection"

    def validate(self):
        super().validate()
        config_lib.require_at_least(self, "num_classes", 2)


@keras.saving.register_keras_serializable("keras_genzoo")
class CGAN(GAN):
    """Conditional GAN: ``G(z, y)`` and ``D(x, y)``."""

    config_class = CGANConfig
    registry_name = "cgan"

    def num_classes(self) -> int:
        return self.config.num_classes

    def build_networks(self):
        """The label is an input of both networks (Mirza & Osindero, section 3.2)."""
        return build_gan_networks(self.config, num_classes=self.config.num_classes,
                                  conditioning=self.config.conditioning)
