"""Preset building blocks several families share; plain data, no TensorFlow import
(``genzoo list`` reads every family's presets)."""

from __future__ import annotations

from keras_genzoo.registry import Preset

#: The toy2d presets follow the mode-coverage benchmark (docs/benchmarks.md): 3 x 128
#: MLPs, a 2-D latent, samples from the EMA generator (decay 0.99), about 6,000
#: generator steps at batch 256. A batch of 256 holds each of the 25 grid modes about
#: 10 times (one of 64 lacks 1.8 of them on average), which minibatch discrimination
#: needs to notice a missing mode.
TOY2D_NETWORKS = {"latent_dim": 2, "generator_units": [128, 128, 128],
                  "discriminator_units": [128, 128, 128], "dropout": 0.0, "ema_decay": 0.99}
TOY2D_BATCH, TOY2D_STEPS, TOY2D_PICTURES = 256, 6000, 40
#: The papers' Adam rates are sized for 100,000-step toy runs; these budgets are ~6,000.
#: No momentum (beta_1 0): with DCGAN's 0.5 the benchmark's plain GAN collapsed onto
#: 0 or 1 of the 25 grid modes, with 0 it covered all of them.
TOY2D_FAST_ADAM = {"generator_lr": 3e-3, "discriminator_lr": 1e-3, "beta_1": 0.0}

#: The WGAN papers' rates (RMSProp 5e-5, Adam 1e-4) are sized for 100,000+ generator
#: steps; the digits presets run 1,000 and a 10-minute CPU budget about 2,000, where
#: the papers' rates leave bars and blobs (docs/benchmarks.md, quality notes).
SHORT_RUN_LEARNING_RATES = {"generator_lr": 1e-3, "discriminator_lr": 1e-3}

#: training defaults of the regularized autoencoders' presets
AUTOENCODER_TRAINING = {"dataset": "digits", "epochs": 30, "batch_size": 64}


def toy2d_preset(model: str, **config) -> Preset:
    """A GAN on the 25-Gaussian grid, sized to ~``TOY2D_STEPS`` generator steps."""
    critic_steps = 5 if model.startswith("wgan") else 1
    steps_per_epoch = 10_000 // (TOY2D_BATCH * critic_steps)
    epochs = -(-TOY2D_STEPS // steps_per_epoch)
    return Preset(
        f"{model} on the 25-Gaussian grid (toy2d:grid25; toy2d:ring8 works too): 3x128 MLPs, "
        f"{epochs * steps_per_epoch:,} generator steps, the modes covered at each epoch end "
        f"and a scatter plot every {max(1, epochs // TOY2D_PICTURES)} epochs",
        config={**TOY2D_NETWORKS, **config},
        # an epoch is only 39 steps (7 for wgan / wgan-gp): a scatter plot at each
        # would cost more than the training
        train={"dataset": "toy2d:grid25", "epochs": epochs, "batch_size": TOY2D_BATCH,
               "sample_every": max(1, epochs // TOY2D_PICTURES)},
    )
