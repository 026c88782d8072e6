"""``denoising-ae``: the denoising autoencoder (Vincent et al. 2008); registers itself
(no TensorFlow import).
"""

from keras_genzoo.models.denoising_ae.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="denoising-ae",
    description="Denoising autoencoder: reconstructs x from a corrupted copy x~ ~ C(x~|x)",
    target="keras_genzoo.models.denoising_ae.model:DenoisingAE",
    kind="autoencoder",
    reference="Vincent et al. 2008; Goodfellow, Bengio & Courville 2016, ch. 14.2.2, 14.5",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.denoising_ae.reference_step:denoising_ae_step",
))
