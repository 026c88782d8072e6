"""GAN: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014 (arXiv:1406.2661).

MLP generator and discriminator, with Dropout in D (section 5). D and G play
the two-player game of eq. 1,

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))],

trained by Algorithm 1: ``d_steps`` (the paper's k) discriminator updates,
then one generator update. ``loss=minimax`` is eq. 1 as written (G minimises
``log(1 - D(G(z)))``, which saturates once D rejects every fake);
``loss=non_saturating`` is the variant section 3 recommends (G maximises
``log D(G(z))``). The training step is the GAN engine's
(:class:`keras_genzoo.models.adversarial.GANEngine`); this class fills in its
loss hooks. ``architecture=conv`` swaps in DCGAN-style networks.

:class:`GANConfig` and :class:`GAN` are also the base of ``wgan``, ``wgan-gp``
and ``cgan``, which share these networks.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras

from keras_genzoo import config as config_lib
from keras_genzoo.losses.adversarial import (
    discriminator_logistic_loss,
    generator_minimax_loss,
    generator_non_saturating_loss,
)
from keras_genzoo.models.adversarial import AdversarialConfig, GANEngine
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
        config_lib.require_fraction(self, "dropout")
        config_lib.require_positive(self, "base_filters", "generator_units", "discriminator_units")
        if self.architecture == "conv" and not self.data_dim:
            config_lib.require_power_of_two(self, why=" for architecture=conv")


@keras.saving.register_keras_serializable("keras_genzoo")
class GAN(GANEngine):
    """Goodfellow et al. 2014: the original GAN (registered as ``gan``)."""

    config_class = GANConfig
    registry_name = "gan"

    def build_networks(self):
        return build_gan_networks(self.config)

    def discriminator_loss(self, real_logits, fake_logits):
        """D ascends eq. 1, ``log D(x) + log(1 - D(G(z)))``: the logistic loss, for
        both the minimax and the non-saturating game (they differ on G's side)."""
        c = self.config
        if c.loss in ("minimax", "non_saturating"):
            return discriminator_logistic_loss(real_logits, fake_logits, c.label_smoothing)
        return super().discriminator_loss(real_logits, fake_logits)  # hinge / wasserstein

    def generator_loss(self, fake_logits):
        """``minimax``: G descends ``log(1 - D(G(z)))`` (eq. 1);
        ``non_saturating``: G ascends ``log D(G(z))`` (section 3)."""
        if self.config.loss == "minimax":
            return generator_minimax_loss(fake_logits)
        if self.config.loss == "non_saturating":
            return generator_non_saturating_loss(fake_logits)
        return super().generator_loss(fake_logits)  # hinge / wasserstein
