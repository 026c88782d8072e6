"""``ae``: the undercomplete autoencoder (Goodfellow, Bengio & Courville 2016, 14.1);
registers itself (no TensorFlow import).
"""

from keras_genzoo.models.ae.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="ae",
    description="Undercomplete autoencoder (convolutional or dense) trained on reconstruction "
        "error",
    target="keras_genzoo.models.ae.model:Autoencoder",
    kind="autoencoder",
    reference="Goodfellow, Bengio & Courville 2016, Deep Learning, ch. 14.1",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.ae.reference_step:autoencoder_step",
    docs_page="models/autoencoders.md",
))
