"""Presets of ``recirculation-ae``, the recirculation autoencoder (Hinton & McClelland
1987): plain data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

PRESETS = {
    "digits8": Preset("native 8x8 digits, 16 logistic hidden units, lambda 0.75",
                      config={"image_size": 8, "code_dim": 16},
                      train={"dataset": "digits", "epochs": 50, "batch_size": 32}),
}

DEFAULT_PRESET = "digits8"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8"}
