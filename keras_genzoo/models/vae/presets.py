"""Presets of ``vae``, the variational autoencoder (Kingma & Welling 2014): plain data,
no TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.common_presets import AUTOENCODER_TRAINING
from keras_genzoo.registry import Preset

PRESETS = {
    "conv": Preset("conv encoder/decoder, 16-d latent, Bernoulli decoder",
                   config={"architecture": "conv"}, train=AUTOENCODER_TRAINING),
    # a step of these MLPs takes milliseconds on a CPU (an MNIST epoch: 0.6 s): 16 steps
    # per call into TensorFlow, and the sample grid, the checkpoint and the held-out
    # scores every 5 epochs
    "dense": Preset("MLP encoder/decoder (512), 16-d latent, Bernoulli decoder; 16 steps "
                    "per execution, grids, checkpoints and held-out scores every 5 epochs",
                    config={"architecture": "dense", "hidden_units": [512]},
                    train={**AUTOENCODER_TRAINING, "steps_per_execution": 16,
                           "sample_every": 5, "thin_epoch_ends": True}),
    "conditional": Preset("conv, conditioned on the class label (CVAE)",
                          config={"architecture": "conv", "conditional": True},
                          train=AUTOENCODER_TRAINING),
}

DEFAULT_PRESET = "conv"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "16", "architecture": "dense", "hidden_units": "32",
        "code_dim": "4"}
