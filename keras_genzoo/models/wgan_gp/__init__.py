"""``wgan-gp``: WGAN-GP (Gulrajani et al. 2017); registers itself (no TensorFlow import)."""

from keras_genzoo.models.wgan_gp.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="wgan-gp",
    description="WGAN with gradient penalty lambda=10 (nested GradientTape), Adam "
        "(1e-4, 0, 0.9), n_critic=5",
    target="keras_genzoo.models.wgan_gp.model:WGANGP",
    kind="gan",
    reference="Gulrajani et al. 2017, arXiv:1704.00028",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.wgan_gp.reference_step:wgan_gp_step",
))
