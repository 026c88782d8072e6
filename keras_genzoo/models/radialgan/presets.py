"""Presets of ``radialgan``, RadialGAN (Yoon, Jordon & van der Schaar 2018): plain data,
no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

#: the epoch-end checkpoint and held-out scores every 10 epochs (``--sample-every``): an
#: epoch is 3 steps of ~10 ms, the epoch-end work ~0.25 s (docs/models/radialgan.md)
SAMPLE_EVERY = 10

PRESETS = {
    "breast-cancer": Preset(
        "scikit-learn's breast cancer table cut into 3 domains with different "
        "feature subsets (domains:breast_cancer; --set num_domains=M)",
        train={"dataset": "domains:breast_cancer", "epochs": 300, "batch_size": 32,
               "sample_every": SAMPLE_EVERY},
    ),
    "synthetic": Preset(
        "generated domains from a fixed seed: a target and 3 sources sharing a latent "
        "factor model (domains:synthetic; --set target_rows=N source_rows=N overlap=F)",
        train={"dataset": "domains:synthetic", "epochs": 300, "batch_size": 32,
               "sample_every": SAMPLE_EVERY},
    ),
    "csv": Preset(
        "your own table: --dataset csv:PATH --domain-column C --label-column L",
        train={"epochs": 300, "batch_size": 32, "sample_every": SAMPLE_EVERY},
    ),
}

DEFAULT_PRESET = "breast-cancer"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"latent_dim": "6", "hidden_units": "16,16"}
