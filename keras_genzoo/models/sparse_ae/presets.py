"""Presets of ``sparse-ae``, the sparse autoencoder (Goodfellow, Bengio & Courville 2016,
14.2.1): plain data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import AUTOENCODER_TRAINING
from keras_genzoo.registry import Preset

PRESETS = {
    "l1": Preset(
        "lambda * sum|h| on a 64-d ReLU code (the Laplace-prior view)",
        config={"architecture": "dense", "hidden_units": [256], "code_dim": 64,
                "code_activation": "relu", "penalty": "l1", "l1_lambda": 1e-4},
        train=AUTOENCODER_TRAINING,
    ),
    "kl": Preset(
        "beta * KL(rho || mean activation) on a 64-d sigmoid code",
        config={"architecture": "dense", "hidden_units": [256], "code_dim": 64,
                "code_activation": "sigmoid", "penalty": "kl"},
        train=AUTOENCODER_TRAINING,
    ),
    "overcomplete": Preset(
        "overcomplete: one sigmoid layer to a 128-d code on the 8x8 input (64), KL "
        "sparsity (rho 0.1, beta 0.03) and weight decay 2e-5, Ng's (2011) objective; "
        "compare with ae's overcomplete preset, which copies",
        config={"architecture": "dense", "image_size": 8, "hidden_units": [], "code_dim": 128,
                "code_activation": "sigmoid", "penalty": "kl", "rho": 0.1, "beta": 0.03,
                "weight_decay": 2e-5, "learning_rate": 0.01},
        train={"dataset": "digits", "epochs": 40, "batch_size": 64},
    ),
}

DEFAULT_PRESET = "l1"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "architecture": "dense", "hidden_units": "32",
        "code_dim": "16"}
