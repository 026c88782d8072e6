"""ProGAN: Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs for
Improved Quality, Stability, and Variation" (arXiv:1710.10196).

The growth machinery (schedule, expansion, fade-in, real-image blending) is
:class:`keras_genzoo.models.progressive.ProgressiveGAN`; this file is the paper's
networks (section 4.1, table 2) and its loss: WGAN-GP (lambda = 10) with the drift
term ``0.001 * D(x)^2`` (appendix A.1), composed by the GAN engine's flags.
"""

from __future__ import annotations

import dataclasses
import math

import keras

from keras_genzoo.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_genzoo.layers.minibatch import MinibatchStdDev
from keras_genzoo.layers.normalization import PixelNorm
from keras_genzoo.models.adversarial import AdversarialLossName
from keras_genzoo.models.progressive import START_SIZE, ProgressiveConfig, ProgressiveGAN


@dataclasses.dataclass(frozen=True)
class ProGANConfig(ProgressiveConfig):
    """WGAN-GP (lambda = 10) with the drift term (appendix A.1)."""

    loss: AdversarialLossName = "wasserstein"
    gp_weight: float = 10.0
    drift_weight: float = 0.001


@keras.saving.register_keras_serializable("keras_genzoo")
class ProGAN(ProgressiveGAN):
    """ProGAN: pixel norm and equalized learning rate in G, minibatch stddev in D."""

    config_class = ProGANConfig
    registry_name = "progan"

    def make_phase_layers(self, phase: int, ema: bool) -> dict[str, list]:
        c = self.config
        filters = c.filters(phase)
        prefix = "ema_" if ema else ""
        layers = {}
        if phase == 0:
            layers["g_block"] = [
                PixelNorm(name=f"{prefix}g_latent_norm"),
                EqualizedDense(START_SIZE * START_SIZE * filters, gain=math.sqrt(2) / 4,
                               activation="lrelu", name=f"{prefix}g_dense"),
                keras.layers.Reshape((START_SIZE, START_SIZE, filters), name=f"{prefix}g_reshape"),
                PixelNorm(name=f"{prefix}g_norm0a"),
                EqualizedConv2D(filters, 3, activation="lrelu", name=f"{prefix}g_conv0"),
                PixelNorm(name=f"{prefix}g_norm0b"),
            ]
        else:
            layers["g_block"] = [
                keras.layers.UpSampling2D(2, name=f"{prefix}g_up{phase}"),
                EqualizedConv2D(filters, 3, activation="lrelu", name=f"{prefix}g_conv{phase}a"),
                PixelNorm(name=f"{prefix}g_norm{phase}a"),
                EqualizedConv2D(filters, 3, activation="lrelu", name=f"{prefix}g_conv{phase}b"),
                PixelNorm(name=f"{prefix}g_norm{phase}b"),
            ]
        layers["g_to_rgb"] = [EqualizedConv2D(c.channels, 1, gain=1.0,
                                              name=f"{prefix}g_to_rgb{phase}")]
        if ema:
            return layers
        if phase == 0:
            # minibatch stddev (section 3) unless minibatch_stddev = 0 turns it off
            stddev = [MinibatchStdDev(c.minibatch_stddev, name="d_stddev")] \
                if c.minibatch_stddev else []
            layers["d_block"] = stddev + [
                EqualizedConv2D(filters, 3, activation="lrelu", name="d_conv0"),
                keras.layers.Flatten(name="d_flatten"),
                EqualizedDense(filters, activation="lrelu", name="d_dense0"),
            ]
            layers["d_output"] = [EqualizedDense(1, gain=1.0, name="d_logit")]
        else:
            layers["d_block"] = [
                EqualizedConv2D(filters, 3, activation="lrelu", name=f"d_conv{phase}a"),
                EqualizedConv2D(c.filters(phase - 1), 3, activation="lrelu",
                                name=f"d_conv{phase}b"),
                keras.layers.AveragePooling2D(2, name=f"d_down{phase}"),
            ]
            layers["d_output"] = []
        layers["d_from_rgb"] = [EqualizedConv2D(filters, 1, activation="lrelu",
                                                name=f"d_from_rgb{phase}")]
        return layers

    def wire_generator(self, store, phase, name):
        z = keras.Input((self.config.latent_dim,), name="z")
        h, previous = z, None
        for stage in range(phase + 1):
            previous = h
            for layer in store["g_block"][stage]:
                h = layer(h)
        image = store["g_to_rgb"][phase][0](h)
        if phase > 0:
            old = store["g_to_rgb"][phase - 1][0](previous)
            old = keras.layers.UpSampling2D(2, name=f"{name}_old_up")(old)
            image = self._fade_layer(name, phase)([old, image])
        return keras.Model(z, image, name=name)

    def wire_discriminator(self, store, phase):
        size = START_SIZE * 2 ** phase
        x = keras.Input((size, size, self.config.channels), name="images")
        h = store["d_from_rgb"][phase][0](x)
        for stage in range(phase, -1, -1):
            for layer in store["d_block"][stage]:
                h = layer(h)
            if stage == phase and phase > 0:  # the new block, faded in over the old input
                old = keras.layers.AveragePooling2D(2, name="d_old_down")(x)
                old = store["d_from_rgb"][phase - 1][0](old)
                h = self._fade_layer("d", phase)([old, h])
        features = h
        logit = store["d_output"][0][0](features)
        return keras.Model(x, [logit, features], name="discriminator")
