"""Presets of ``ae``, the undercomplete autoencoder (Goodfellow, Bengio & Courville 2016,
14.1): plain data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

PRESETS = {
    "conv": Preset(
        "strided-conv encoder to a 16-d code, transposed-conv decoder",
        config={"architecture": "conv", "code_dim": 16, "filters": 32},
        train={"dataset": "digits", "epochs": 20, "batch_size": 64},
    ),
    "dense": Preset(
        "MLP encoder 256 -> 16-d code, MLP decoder",
        config={"architecture": "dense", "code_dim": 16, "hidden_units": [256]},
        train={"dataset": "digits", "epochs": 20, "batch_size": 64},
    ),
    "linear": Preset(
        "no nonlinearity, MSE, native 8x8 digits: learns the PCA subspace",
        config={"architecture": "dense", "image_size": 8, "code_dim": 8,
                "hidden_units": [], "activation": "linear",
                "code_activation": "linear", "output_activation": "linear",
                "learning_rate": 0.05, "lr_decay_steps": 3000},
        train={"dataset": "digits", "epochs": 120, "batch_size": 64},
    ),
    "overcomplete": Preset(
        "code (128) wider than the 8x8 input (64): without a regularizer it copies",
        config={"architecture": "dense", "image_size": 8, "code_dim": 128,
                "hidden_units": [], "activation": "linear",
                "code_activation": "linear", "output_activation": "sigmoid",
                "learning_rate": 0.01},
        train={"dataset": "digits", "epochs": 40, "batch_size": 64},
    ),
}

DEFAULT_PRESET = "conv"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "16", "filters": "8", "code_dim": "8"}
