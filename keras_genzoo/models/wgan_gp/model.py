"""WGAN-GP: Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017
(arXiv:1704.00028).

Algorithm 1: WGAN's critic and generator losses, but the Lipschitz constraint
is a gradient penalty instead of weight clipping (eq. 3):

    L = E[D(G(z))] - E[D(x)] + lambda E[(||grad D(x_hat)||_2 - 1)^2],
    x_hat = eps x + (1 - eps) G(z),  eps ~ U[0, 1],  lambda = 10,

``n_critic = 5``, Adam (1e-4, beta1 = 0, beta2 = 0.9), and no batch
normalization in the critic (section 4: the penalty is per example; layer
norm in the conv critic). Networks: the GAN family's.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras

from keras_genzoo.errors import ConfigError
from keras_genzoo.models.adversarial import AdversarialLossName
from keras_genzoo.models.gan.model import GANConfig
from keras_genzoo.models.wgan.model import WGAN


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
        if self.loss != "wasserstein":
            raise ConfigError(f"wgan-gp trains with the Wasserstein loss, got loss={self.loss}; "
                              "train gan with --set gp_weight=... for another loss")
        if self.gp_weight <= 0:
            raise ConfigError(f"wgan-gp needs gp_weight > 0 (the paper uses 10), "
                              f"got {self.gp_weight}")
        if self.architecture == "conv" and self.normalization == "batch":
            raise ConfigError("wgan-gp's penalty is per example: use normalization=layer or "
                              "none in the critic, not batch (Gulrajani et al. 2017, section 4)")


@keras.saving.register_keras_serializable("keras_genzoo")
class WGANGP(WGAN):
    """Gulrajani et al. 2017: WGAN's losses, a gradient penalty instead of clipping."""

    config_class = WGANGPConfig
    registry_name = "wgan-gp"

    def critic_penalties(self, critic, real, fake, real_logits, k):
        """Eq. 3: ``lambda (||grad D(x_hat)||_2 - 1)^2`` on interpolates of real and
        generated data (Algorithm 1, lines 4-7), before any optional penalty
        (R1, R2, drift) the config adds."""
        penalties = {"gradient_penalty": (self.config.gp_weight,
                                          self.gradient_penalty(critic, real, fake, k))}
        penalties.update(self.regularizing_penalties(critic, real, fake, real_logits))
        return penalties

    def after_critic_update(self):
        """No clipping: the penalty replaces it (section 3)."""
        if self.config.clip_value:  # unless the config asks for both
            self.clip_critic_weights(self.config.clip_value)
