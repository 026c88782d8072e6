"""Presets of ``wgan``, WGAN (Arjovsky, Chintala & Bottou 2017): plain data, no
TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import SHORT_RUN_LEARNING_RATES, toy2d_preset
from keras_genzoo.registry import Preset

PRESETS = {
    # clipping box 0.03, not the paper's 0.01: RMSProp at 1e-3 moves a critic weight
    # across the 0.01 box in ten updates, and after 6 minutes 41% of them sit on its faces
    # (15% with 0.03), a critic too constrained to tell digits from bars (FID 83.8 at 0.01,
    # 32.2 at 0.03, 48.2 at 0.1; docs/benchmarks.md, quality notes)
    "conv": Preset(
        "DCGAN-style critic (BatchNorm) and generator on 32x32 digits, RMSProp 1e-3, "
        "clipping box 0.03",
        config={"architecture": "conv", "clip_value": 0.03, **SHORT_RUN_LEARNING_RATES},
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
