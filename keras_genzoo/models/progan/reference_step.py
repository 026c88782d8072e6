"""The hand-written reference step of ``progan`` (see :mod:`keras_genzoo.models.hand_step`)."""

from __future__ import annotations

from keras_genzoo.models.adversarial_reference import adversarial_step
from keras_genzoo.models.hand_step import Noise, Step


def progan_step(model, optimizers, noise: Noise) -> Step:
    """Karras et al. 2018, appendix A.1, at the end of growth (alpha 1): WGAN-GP
    with the drift term ``0.001 D(x)^2``, then the EMA generator.
    Every option of the GAN engine applies, as in ``train_step``."""
    return adversarial_step(model, optimizers, noise)
