"""The hand-written reference step of ``dcgan`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

from keras_genzoo.models.adversarial_reference import adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def dcgan_step(model, optimizers, noise: Noise) -> Step:
    """Radford et al. 2015, section 4: Goodfellow et al.'s Algorithm 1 with
    the non-saturating generator loss and Adam (2e-4, beta1 0.5); real and fake
    batches pass through D separately, so BatchNorm never mixes them.
    Every option of the GAN engine applies, as in ``train_step``."""
    return adversarial_step(model, optimizers, noise)
