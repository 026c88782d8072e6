"""Presets of ``stylegan``, StyleGAN (Karras, Laine & Aila 2019): plain data, no
TensorFlow import.
"""

from __future__ import annotations

from keras_genzoo.models.progan.presets import progressive_presets

# digits: the paper's CelebA-HQ loss (WGAN-GP with the drift term, as ProGAN) rather
# than its FFHQ one (non-saturating + R1), and StyleGAN2-ADA's 2-layer mapping network
# for small images: the mapping learns at 0.01x the rate, so in a CPU budget w stays
# where its random layers put it, and 8 of them squeeze the latents together (the w of
# two latents at cosine 0.74 on average, 0.33 with 2 layers); Adam at 3e-3 for the
# equalized rate's pace (progan's 5e-3 measured level with it in a StyleGAN arm); the
# 32x32 layers' style affines started at 0.1x, so the last layers do not texture every
# sample with its own random styles. No progressive growing (StyleGAN2, Karras et al.
# 2020, section 4.1, dropped it too): the 32x32 layers are what needs the steps, and
# growth spent two fifths of a CPU budget below 32x32. Batch 32: at this budget the
# number of updates, not the images per update, limits the generator, and a step of 32
# costs about half one of 64; docs/benchmarks.md, quality notes
PRESETS = progressive_presets(512, digits_config={
    "loss": "wasserstein", "gp_weight": 10.0, "drift_weight": 0.001, "r1_gamma": 0.0,
    "mapping_layers": 2, "generator_lr": 3e-3, "discriminator_lr": 3e-3,
    "fine_style_init_scale": 0.1, "fade_images": 0, "stable_images": 64},
    digits_train={"batch_size": 32},
    digits_description="32x32 digits on CPU: 32x32 after the first 192 images (no growth), "
    "batch 32, at most 64 channels, 128-d latent",
    truncation_cutoff=8)

DEFAULT_PRESET = "digits"

#: the tiny test configuration (``--set`` values on top of the default preset)
TINY = {"image_size": "8", "latent_dim": "8", "filter_base": "32", "max_filters": "8",
        "fade_images": "32", "stable_images": "32", "mapping_layers": "2"}
