"""Presets of ``dcgan``, DCGAN (Radford, Metz & Chintala 2015): plain data, no TensorFlow import."""

from __future__ import annotations

from keras_genzoo.registry import Preset

PRESETS = {
    "digits": Preset(
        "32x32 grayscale, small widths: the CPU quick start on the embedded digits",
        config={"image_size": 32, "channels": 1, "base_filters": 32},
        train={"dataset": "digits", "epochs": 30, "batch_size": 64},
    ),
    "mnist": Preset(
        "32x32 grayscale MNIST (tfds)",
        config={"image_size": 32, "channels": 1, "base_filters": 64},
        train={"dataset": "mnist", "epochs": 10, "batch_size": 128},
    ),
    "celeba64": Preset(
        "64x64 RGB faces (tfds celeb_a) as in the paper, 64 base filters",
        config={"image_size": 64, "channels": 3, "base_filters": 64},
        train={"dataset": "celeb_a", "epochs": 5, "batch_size": 128},
    ),
}

DEFAULT_PRESET = "digits"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "16", "base_filters": "8", "latent_dim": "16"}
