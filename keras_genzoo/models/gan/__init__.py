"""``gan``: GAN (Goodfellow et al. 2014); registers itself (no TensorFlow import)."""

from keras_genzoo.models.gan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="gan",
    description="The original GAN: MLP generator and discriminator (Dropout in D), "
        "minimax or non-saturating loss",
    target="keras_genzoo.models.gan.model:GAN",
    kind="gan",
    reference="Goodfellow et al. 2014, arXiv:1406.2661",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.gan.reference_step:gan_step",
))
