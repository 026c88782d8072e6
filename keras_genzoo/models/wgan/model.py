"""WGAN: Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017 (arXiv:1701.07875).

Algorithm 1: a critic ``f_w`` with a linear output estimates the Wasserstein-1
distance (eq. 3) as ``E_x[f_w(x)] - E_z[f_w(G(z))]``; per generator update,
``n_critic = 5`` critic updates with RMSProp (learning rate 5e-5, no momentum),
each followed by clipping every critic weight into ``[-c, c]``, ``c = 0.01``
(line 7), which keeps ``f_w`` K-Lipschitz. The generator then descends
``-E_z[f_w(G(z))]``. Networks: the GAN family's (DCGAN-style conv by default).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras

from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.adversarial import wasserstein_critic_loss, wasserstein_generator_loss
from keras_genzoo.models.adversarial import AdversarialLossName
from keras_genzoo.models.gan.model import GAN, GANConfig


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
        if self.loss != "wasserstein":
            raise ConfigError(f"wgan trains with the Wasserstein loss, got loss={self.loss}; "
                              "train gan with --set clip_value=... for another loss")
        if self.clip_value <= 0:
            raise ConfigError(f"wgan needs clip_value > 0 (the paper uses 0.01), "
                              f"got {self.clip_value}")


@keras.saving.register_keras_serializable("keras_genzoo")
class WGAN(GAN):
    """Arjovsky et al. 2017: Wasserstein critic with weight clipping."""

    config_class = WGANConfig
    registry_name = "wgan"

    def discriminator_loss(self, real_logits, fake_logits):
        """Algorithm 1, line 5: the critic ascends ``f_w(x) - f_w(G(z))``, so it
        descends ``f_w(G(z)) - f_w(x)``."""
        return wasserstein_critic_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        """Algorithm 1, line 10: the generator descends ``-f_w(G(z))``."""
        return wasserstein_generator_loss(fake_logits)

    def after_critic_update(self):
        """Algorithm 1, line 7: ``w <- clip(w, -c, c)`` after every critic update."""
        self.clip_critic_weights(self.config.clip_value)
