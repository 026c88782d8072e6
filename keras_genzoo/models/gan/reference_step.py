"""The hand-written reference step of ``gan`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

from keras_genzoo.models.adversarial_reference import adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def gan_step(model, optimizers, noise: Noise) -> Step:
    """Goodfellow et al. 2014, Algorithm 1: ``d_steps`` (k) discriminator updates on
    ``-log D(x) - log(1 - D(G(z)))``, then one generator update on ``log(1 - D(G(z)))``
    (``minimax``) or ``-log D(G(z))`` (``non_saturating``).
    Every option of the GAN engine applies, as in ``train_step``."""
    return adversarial_step(model, optimizers, noise)
