"""``stylegan``: StyleGAN (Karras, Laine & Aila 2019); registers itself (no TensorFlow import)."""

from keras_genzoo.models.stylegan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="stylegan",
    description="Style-based generator: mapping network, AdaIN styles, noise inputs, style "
        "mixing, truncation trick; progressive growing (celeba preset; the CPU digits preset "
        "trains at full size, as StyleGAN2); non-saturating loss + R1 (digits preset: WGAN-GP)",
    target="keras_genzoo.models.stylegan.model:StyleGAN",
    kind="gan",
    reference="Karras, Laine & Aila 2019, arXiv:1812.04948",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.stylegan.reference_step:stylegan_step",
))
