"""``recirculation-ae``: the recirculation autoencoder (Hinton & McClelland 1987);
registers itself (no TensorFlow import).
"""

from keras_genzoo.models.recirculation_ae.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="recirculation-ae",
    description="Recirculation: one hidden layer trained without backpropagation "
        "(visible -> hidden -> visible -> hidden)",
    target="keras_genzoo.models.recirculation_ae.model:RecirculationAE",
    kind="autoencoder",
    reference="Hinton & McClelland 1987, Learning representations by recirculation (NIPS)",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.recirculation_ae.reference_step:recirculation_step",
))
