"""Presets of ``gan``, GAN (Goodfellow et al. 2014): plain data, no TensorFlow import."""

from __future__ import annotations

from keras_genzoo.models.common_presets import TOY2D_FAST_ADAM, toy2d_preset
from keras_genzoo.registry import Preset

PRESETS = {
    "mlp": Preset(
        "MLPs on 32x32 digits with the non-saturating loss (the paper's practical choice)",
        config={"architecture": "mlp", "loss": "non_saturating"},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "minimax": Preset(
        "the same MLPs with the minimax loss of eq. 1, as written (saturates early)",
        config={"architecture": "mlp", "loss": "minimax"},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "conv": Preset(
        "DCGAN-style conv networks on 32x32 digits",
        config={"architecture": "conv", "dropout": 0.0},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "toy2d": toy2d_preset("gan", **TOY2D_FAST_ADAM),
}

DEFAULT_PRESET = "mlp"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "generator_units": "32",
        "discriminator_units": "32", "r1_gamma": "1.0"}
