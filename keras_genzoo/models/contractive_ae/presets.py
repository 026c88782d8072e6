"""Presets of ``contractive-ae``, the contractive autoencoder (Rifai et al. 2011): plain
data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import AUTOENCODER_TRAINING
from keras_genzoo.registry import Preset

PRESETS = {
    "sigmoid": Preset(
        "one sigmoid dense encoder layer: the penalty in closed form",
        config={"architecture": "dense", "hidden_units": [], "code_dim": 64,
                "code_activation": "sigmoid", "contractive_lambda": 0.01},
        train=AUTOENCODER_TRAINING,
    ),
    "deep": Preset(
        "MLP encoder: the penalty by nested GradientTape (batch Jacobian)",
        config={"architecture": "dense", "hidden_units": [256], "code_dim": 32,
                "code_activation": "sigmoid", "contractive_lambda": 0.001},
        train=AUTOENCODER_TRAINING,
    ),
    "overcomplete": Preset(
        "overcomplete: one sigmoid layer to a 128-d code on the 8x8 input (64), lambda "
        "0.01 (closed form); compare with ae's overcomplete preset, which copies",
        config={"architecture": "dense", "image_size": 8, "hidden_units": [], "code_dim": 128,
                "code_activation": "sigmoid", "contractive_lambda": 0.01,
                "learning_rate": 0.01},
        train={"dataset": "digits", "epochs": 40, "batch_size": 64},
    ),
}

DEFAULT_PRESET = "sigmoid"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "code_dim": "12"}
