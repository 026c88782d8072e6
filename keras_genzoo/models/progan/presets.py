"""Presets of ``progan``, ProGAN (Karras, Aila, Laine & Lehtinen 2018): plain data, no
TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.registry import Preset

def progressive_presets(latent_dim_celeba: int, digits_config: dict | None = None,
                        digits_train: dict | None = None, digits_description: str | None = None,
                        **celeba_config) -> dict[str, Preset]:
    """The digits (CPU) and celeba presets of progan and stylegan."""
    return {
        "digits": Preset(
            digits_description or "32x32 digits on CPU: 4 -> 8 -> 16 -> 32, 6,400 images per "
            "fade and per stable phase, at most 64 channels, 128-d latent",
            # an EMA half-life of ~70 steps: the papers' 0.999 (~700 steps) would still be
            # mostly the random initial weights at the end of this short run
            config={"image_size": 32, "channels": 1, "ema_decay": 0.99,
                    **(digits_config or {})},
            train={"dataset": "digits", "epochs": 36, "batch_size": 64,
                   **(digits_train or {})},
        ),
        "celeba": Preset(
            f"128x128 RGB faces (tfds celeb_a): {latent_dim_celeba}-d latent, 256 channels, "
            "600k images per phase",
            config={"image_size": 128, "channels": 3, "latent_dim": latent_dim_celeba,
                    "filter_base": 4096, "max_filters": 256, "fade_images": 600_000,
                    "stable_images": 600_000, **celeba_config},
            train={"dataset": "celeb_a", "epochs": 40, "batch_size": 32},
        ),
    }


# digits: Adam at 5e-3, not the paper's 1e-3: with an equalized learning rate a step moves
# each weight by about the rate relative to its unit scale, and the paper's rate is sized
# for millions of images, not the ~1,500 steps at 32x32 of a CPU budget
# (docs/benchmarks.md, quality notes)
PRESETS = progressive_presets(256, digits_config={"generator_lr": 5e-3,
                                                  "discriminator_lr": 5e-3})

DEFAULT_PRESET = "digits"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "filter_base": "32", "max_filters": "8",
        "fade_images": "32", "stable_images": "32"}
