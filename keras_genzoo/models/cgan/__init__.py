"""``cgan``: the conditional GAN (Mirza & Osindero 2014); registers itself (no TensorFlow
import).
"""

from keras_genzoo.models.cgan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="cgan",
    description="Conditional GAN: the class label steers G and D (concat or projection "
        "discriminator)",
    target="keras_genzoo.models.cgan.model:CGAN",
    kind="gan",
    reference="Mirza & Osindero 2014, arXiv:1411.1784; projection: Miyato & Koyama 2018, "
        "arXiv:1802.05637",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.cgan.reference_step:cgan_step",
))
