"""``contractive-ae``: the contractive autoencoder (Rifai et al. 2011); registers itself
(no TensorFlow import).
"""

from keras_genzoo.models.contractive_ae.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="contractive-ae",
    description="Contractive autoencoder: reconstruction + lambda * ||J_f(x)||_F^2",
    target="keras_genzoo.models.contractive_ae.model:ContractiveAE",
    kind="autoencoder",
    reference="Rifai et al. 2011; Goodfellow, Bengio & Courville 2016, ch. 14.2.3, 14.7",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.contractive_ae.reference_step:contractive_ae_step",
))
