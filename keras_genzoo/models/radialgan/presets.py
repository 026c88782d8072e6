"""Presets of ``radialgan``, RadialGAN (Yoon, Jordon & van der Schaar 2018): plain data,
no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

PRESETS = {
    "breast-cancer": Preset(
        "scikit-learn's breast cancer table cut into 3 domains with different "
        "feature subsets (domains:breast_cancer; --set num_domains=M)",
        train={"dataset": "domains:breast_cancer", "epochs": 300, "batch_size": 32},
    ),
    "synthetic": Preset(
        "generated domains from a fixed seed: a target and 3 sources sharing a latent "
        "factor model (domains:synthetic; --set target_rows=N source_rows=N overlap=F)",
        train={"dataset": "domains:synthetic", "epochs": 300, "batch_size": 32},
    ),
    "csv": Preset(
        "your own table: --dataset csv:PATH --domain-column C --label-column L",
        train={"epochs": 300, "batch_size": 32},
    ),
}

DEFAULT_PRESET = "breast-cancer"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"latent_dim": "6", "hidden_units": "16,16"}
