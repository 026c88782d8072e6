"""``adain-style``: arbitrary style transfer with adaptive instance normalization;
registers itself (no TensorFlow import).
"""

from keras_genzoo.models.adain_style.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="adain-style",
    description="Arbitrary style transfer: VGG-19 encoder, AdaIN, trained decoder "
        "(genzoo stylize RUN --content IMG --style IMG)",
    target="keras_genzoo.models.adain_style.model:AdaINStyle",
    kind="style transfer",
    reference="Huang & Belongie 2017, arXiv:1703.06868",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.adain_style.reference_step:adain_style_step",
    docs_page="models/style-transfer.md",
))
