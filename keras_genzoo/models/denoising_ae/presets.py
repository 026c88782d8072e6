"""Presets of ``denoising-ae``, the denoising autoencoder (Vincent et al. 2008): plain
data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import AUTOENCODER_TRAINING
from keras_genzoo.registry import Preset

PRESETS = {
    "gaussian": Preset("additive Gaussian noise (sigma 0.3), conv networks",
                       config={"corruption": "gaussian"}, train=AUTOENCODER_TRAINING),
    "masking": Preset("masking noise: each pixel dropped with probability 0.3",
                      config={"corruption": "masking"}, train=AUTOENCODER_TRAINING),
    "salt-pepper": Preset("salt-and-pepper noise with probability 0.2",
                          config={"corruption": "salt_pepper"}, train=AUTOENCODER_TRAINING),
    "circle": Preset(
        "points near a circle (toy2d:circle; toy2d:spiral works too): 2 x 64 MLPs, "
        "Gaussian noise sigma 0.3; genzoo sample draws the field g(f(x)) - x",
        config={"architecture": "dense", "hidden_units": [64, 64], "code_dim": 8,
                "corruption": "gaussian", "sigma": 0.3, "learning_rate": 3e-3},
        train={"dataset": "toy2d:circle", "epochs": 20, "batch_size": 128,
               "sample_every": 5},
    ),
    "overcomplete": Preset(
        "overcomplete: one sigmoid layer to a 128-d code on the 8x8 input (64), masking "
        "noise 0.5; compare with ae's overcomplete preset, which copies",
        config={"architecture": "dense", "image_size": 8, "hidden_units": [], "code_dim": 128,
                "code_activation": "sigmoid", "corruption": "masking",
                "drop_probability": 0.5, "learning_rate": 0.01},
        train={"dataset": "digits", "epochs": 40, "batch_size": 64},
    ),
}

DEFAULT_PRESET = "gaussian"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "architecture": "dense", "hidden_units": "32",
        "code_dim": "16"}
