"""``dcgan``: DCGAN (Radford, Metz & Chintala 2015); registers itself (no TensorFlow import)."""

from keras_genzoo.models.dcgan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="dcgan",
    description="Deep convolutional GAN: strided-conv D, transposed-conv G with BatchNorm, "
        "non-saturating loss",
    target="keras_genzoo.models.dcgan.model:DCGAN",
    kind="gan",
    reference="Radford, Metz & Chintala 2015, arXiv:1511.06434",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.dcgan.reference_step:dcgan_step",
))
