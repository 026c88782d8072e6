"""``radialgan``: RadialGAN (Yoon, Jordon & van der Schaar 2018); registers itself (no
TensorFlow import).
"""

from keras_genzoo.models.radialgan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="radialgan",
    description="RadialGAN: one encoder, decoder and discriminator per tabular domain "
        "around a shared latent space; translates every domain into every other",
    target="keras_genzoo.models.radialgan.model:RadialGAN",
    kind="radialgan",
    reference="Yoon, Jordon & van der Schaar 2018, ICML, arXiv:1802.06403",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.radialgan.reference_step:radialgan_step",
))
