"""The hand-written reference step of ``wgan-gp`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

from keras_genzoo.models.adversarial_reference import adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def wgan_gp_step(model, optimizers, noise: Noise) -> Step:
    """Gulrajani et al. 2017, Algorithm 1: ``n_critic`` critic updates on
    ``D(G(z)) - D(x) + lambda (||grad D(x_hat)||_2 - 1)^2`` at random interpolates
    ``x_hat``, then one generator update on ``-D(G(z))``.
    Every option of the GAN engine applies, as in ``train_step``."""
    return adversarial_step(model, optimizers, noise)
