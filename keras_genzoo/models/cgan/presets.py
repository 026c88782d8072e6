"""Presets of ``cgan``, the conditional GAN (Mirza & Osindero 2014): plain data, no
TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import TOY2D_FAST_ADAM, toy2d_preset
from keras_genzoo.registry import Preset

PRESETS = {
    "projection": Preset(
        "MLPs on 32x32 digits with the projection discriminator",
        config={"architecture": "mlp", "conditioning": "projection", "num_classes": 10},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "mlp": Preset(
        "MLPs on 32x32 digits, label concatenated to both inputs (the 2014 recipe; "
        "on digits D learns to ignore the label, see docs/models/cgan.md)",
        config={"architecture": "mlp", "conditioning": "concat", "num_classes": 10},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "conv": Preset(
        "DCGAN-style conv networks on 32x32 digits, label planes into D",
        config={"architecture": "conv", "dropout": 0.0, "num_classes": 10},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "toy2d": toy2d_preset("cgan", num_classes=25, **TOY2D_FAST_ADAM),
}

DEFAULT_PRESET = "projection"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "generator_units": "32",
        "discriminator_units": "32"}
