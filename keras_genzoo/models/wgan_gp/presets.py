"""Presets of ``wgan-gp``, WGAN-GP (Gulrajani et al. 2017): plain data, no TensorFlow import."""

from __future__ import annotations

from keras_genzoo.models.common_presets import SHORT_RUN_LEARNING_RATES, toy2d_preset
from keras_genzoo.registry import Preset

PRESETS = {
    "conv": Preset(
        "conv critic with layer norm (no BatchNorm) on 32x32 digits, Adam 1e-3",
        config={"architecture": "conv", "normalization": "layer", **SHORT_RUN_LEARNING_RATES},
        train={"dataset": "digits", "epochs": 200, "batch_size": 64},
    ),
    "mlp": Preset(
        "MLP critic and generator on 32x32 digits",
        config={"architecture": "mlp"},
        train={"dataset": "digits", "epochs": 200, "batch_size": 64},
    ),
    # lambda 0.1: Gulrajani et al.'s own toy-data script uses it for 2-D data
    "toy2d": toy2d_preset("wgan-gp", gp_weight=0.1, generator_lr=2e-3, discriminator_lr=2e-3),
}

DEFAULT_PRESET = "conv"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "base_filters": "4",
        "architecture": "conv"}
