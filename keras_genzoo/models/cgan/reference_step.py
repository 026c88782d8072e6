"""The hand-written reference step of ``cgan`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

from keras_genzoo.models.adversarial_reference import adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def cgan_step(model, optimizers, noise: Noise) -> Step:
    """Mirza & Osindero 2014: Algorithm 1 of the GAN with the label ``y`` fed
    to both networks, ``G(z, y)`` and ``D(x, y)``.
    Every option of the GAN engine applies, as in ``train_step``."""
    return adversarial_step(model, optimizers, noise)
