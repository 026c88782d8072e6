"""The hand-written reference step of ``wgan`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

from keras_genzoo.models.adversarial_reference import adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def wgan_step(model, optimizers, noise: Noise) -> Step:
    """Arjovsky et al. 2017, Algorithm 1: ``n_critic`` critic updates on
    ``D(G(z)) - D(x)``, each followed by clipping every critic weight into
    ``[-c, c]``, then one generator update on ``-D(G(z))``.
    Every option of the GAN engine applies, as in ``train_step``."""
    return adversarial_step(model, optimizers, noise)
