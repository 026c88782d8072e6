"""``wgan``: WGAN (Arjovsky, Chintala & Bottou 2017); registers itself (no TensorFlow import)."""

from keras_genzoo.models.wgan.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="wgan",
    description="Wasserstein GAN: linear critic, weight clipping c=0.01, RMSProp, "
        "n_critic=5",
    target="keras_genzoo.models.wgan.model:WGAN",
    kind="gan",
    reference="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.wgan.reference_step:wgan_step",
))
