"""Presets of ``classifier``, the feature classifier (FID in a classifier's feature
space): plain data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

PRESETS = {
    "digits": Preset("32x32 grayscale digits, 128-d features",
                     config={"image_size": 32, "channels": 1},
                     train={"dataset": "digits", "epochs": 15, "batch_size": 64}),
    "mnist": Preset("28x28 grayscale MNIST (tfds), 128-d features",
                    config={"image_size": 28, "channels": 1},
                    train={"dataset": "mnist", "epochs": 3, "batch_size": 128}),
}

DEFAULT_PRESET = "digits"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "16", "base_filters": "4", "feature_dim": "12"}
