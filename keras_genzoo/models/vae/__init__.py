"""``vae``: the variational autoencoder (Kingma & Welling 2014); registers itself (no
TensorFlow import).
"""

from keras_genzoo.models.vae.presets import DEFAULT_PRESET, PRESETS, TINY
from keras_genzoo.registry import ModelSpec, register

register(ModelSpec(
    name="vae",
    description="Variational autoencoder: Gaussian encoder, reparameterization, "
        "Bernoulli or Gaussian decoder, beta, conditional mode",
    target="keras_genzoo.models.vae.model:VAE",
    kind="autoencoder",
    reference="Kingma & Welling 2014, arXiv:1312.6114; Goodfellow, Bengio & Courville "
        "2016, ch. 14.4, 20.10.3",
    presets=PRESETS,
    default_preset=DEFAULT_PRESET,
    tiny=TINY,
    reference_step="keras_genzoo.models.vae.reference_step:vae_step",
))
