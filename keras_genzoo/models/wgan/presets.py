"""Presets of ``wgan``, WGAN (Arjovsky, Chintala & Bottou 2017): plain data, no
TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import SHORT_RUN_LEARNING_RATES, toy2d_preset
from keras_genzoo.registry import Preset

PRESETS = {
    "conv": Preset(
        "DCGAN-style critic (BatchNorm) and generator on 32x32 digits, RMSProp 1e-3",
        config={"architecture": "conv", **SHORT_RUN_LEARNING_RATES},
        train={"dataset": "digits", "epochs": 200, "batch_size": 64},
    ),
    "mlp": Preset(
        "MLP critic and generator on 32x32 digits",
        config={"architecture": "mlp"},
        train={"dataset": "digits", "epochs": 200, "batch_size": 64},
    ),
    "toy2d": toy2d_preset("wgan"),
}

DEFAULT_PRESET = "conv"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "generator_units": "32",
        "discriminator_units": "32"}
