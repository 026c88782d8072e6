"""``progan``: ProGAN (Karras, Aila, Laine & Lehtinen 2018); registers itself (no
TensorFlow import).
"""

from keras_genzoo.models.progan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="progan",
    description="Progressive growing GAN: 4x4 up to --image-size by expanding the live "
        "networks, fade-in, WGAN-GP + drift, pixel norm, equalized lr, minibatch stddev, EMA",
    target="keras_genzoo.models.progan.model:ProGAN",
    kind="gan",
    reference="Karras, Aila, Laine & Lehtinen 2018, arXiv:1710.10196",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.progan.reference_step:progan_step",
))
