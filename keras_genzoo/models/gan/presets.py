"""Presets of ``gan``, GAN (Goodfellow et al. 2014): plain data, no TensorFlow import."""

from __future__ import annotations

from keras_genzoo.models.common_presets import TOY2D_FAST_ADAM, toy2d_preset
from keras_genzoo.registry import Preset

#: 1-D presets: a 1-D latent (the data's own dimension), no Dropout (the figure's D
#: is then the trained D), samples from the generator itself (no EMA)
TOY1D_NETWORKS = {"latent_dim": 1, "generator_units": [64, 64, 64],
                  "discriminator_units": [64, 64, 64], "dropout": 0.0}
#: 39 steps per epoch at batch 256: 40 epochs are ~1,560 generator steps, a figure
#: every 2 epochs
TOY1D_TRAIN = {"dataset": "toy1d:bimodal", "epochs": 40, "batch_size": 256, "sample_every": 2}

PRESETS = {
    "mlp": Preset(
        "MLPs on 32x32 digits with the non-saturating loss (the paper's practical choice)",
        config={"architecture": "mlp", "loss": "non_saturating"},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "minimax": Preset(
        "the same MLPs with the minimax loss of eq. 1, as written (saturates early)",
        config={"architecture": "mlp", "loss": "minimax"},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "conv": Preset(
        "DCGAN-style conv networks on 32x32 digits",
        config={"architecture": "conv", "dropout": 0.0},
        train={"dataset": "digits", "epochs": 100, "batch_size": 64},
    ),
    "toy2d": toy2d_preset("gan", **TOY2D_FAST_ADAM),
    # The 1-D game of section 4, where D* and JS can be drawn (docs/models/gan.md,
    # "The optimal discriminator"), and its two ways of going wrong.
    "toy1d": Preset(
        "the 1-D game on toy1d:bimodal: 3x64 MLPs, non-saturating loss; each figure "
        "draws p_data, p_g, D(x) and the optimal D*(x), history logs js_divergence",
        config={**TOY1D_NETWORKS, "loss": "non_saturating", **TOY2D_FAST_ADAM},
        train=TOY1D_TRAIN,
    ),
    "dominant-discriminator": Preset(
        "toy1d with D winning: minimax loss, 10 D updates per G update at 30x G's rate; "
        "D(G(z)) falls into the sigmoid's flat region, G's gradient 25-200x below the "
        "non-saturating loss's",
        config={**TOY1D_NETWORKS, "loss": "minimax", "d_steps": 10, "beta_1": 0.0,
                "discriminator_lr": 3e-3, "generator_lr": 1e-4},
        # 10 batches per G step: at batch 64 an epoch is 15 G steps
        train={**TOY1D_TRAIN, "batch_size": 64},
    ),
    "dominant-generator": Preset(
        "toy1d with G winning: a 4-unit D trained at 1e-6 barely leaves its random start, "
        "G climbs its arbitrary slope to D(G(z)) = 1, away from the data (JS -> log 2)",
        config={**TOY1D_NETWORKS, "loss": "non_saturating", "discriminator_units": [4],
                "discriminator_lr": 1e-6, "generator_lr": 3e-3, "beta_1": 0.0},
        train=TOY1D_TRAIN,
    ),
}

DEFAULT_PRESET = "mlp"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "generator_units": "32",
        "discriminator_units": "32", "r1_gamma": "1.0"}
