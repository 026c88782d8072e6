"""Presets of ``adain-style``, arbitrary style transfer with AdaIN (Huang & Belongie
2017): plain data, no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

PRESETS = {
    "samples": Preset(
        "offline demo: the bundled sample images, random-VGG features, 64px crops",
        config={"image_size": 64, "load_size": 96, "vgg_weights": "random"},
        train={"dataset": "samples:content", "style_dataset": "samples:styles",
               "epochs": 10, "batch_size": 8},
    ),
    "paper": Preset(
        "the paper's setting: ImageNet VGG-19, 256px crops of 512px images, batch 8 "
        "(content e.g. tfds:coco/2017, style a folder: of paintings)",
        config={"image_size": 256, "load_size": 512, "vgg_weights": "imagenet"},
        train={"dataset": "samples:content", "style_dataset": "samples:styles",
               "steps": 160000, "batch_size": 8},
    ),
}

#: offline by default: the ImageNet weights are a download (the paper preset, or
#: --vgg-weights PATH with any preset)
DEFAULT_PRESET = "samples"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "16", "load_size": "24"}
