"""Arbitrary style transfer with adaptive instance normalization.

Huang & Belongie 2017, "Arbitrary Style Transfer in Real-time with Adaptive
Instance Normalization" (ICCV, arXiv:1703.06868). A fixed encoder ``f`` (VGG-19 up
to relu4_1) maps a content image ``c`` and a style image ``s`` to feature maps; AdaIN
(eq. 8) gives the content features the style's channel means and standard
deviations,

    t = AdaIN(f(c), f(s)) = sigma(f(s)) * (f(c) - mu(f(c))) / sigma(f(c)) + mu(f(s))

(the three steps: normalize, scale, shift), and a trained decoder ``g`` maps ``t``
back to an image, ``T(c, s) = g(t)`` (eq. 9). Only ``g`` is trained (section 5,
eq. 10-12), with

    L = L_c + lambda L_s,
    L_c = || f(g(t)) - t ||                                     (content, relu4_1)
    L_s = sum_i || mu(phi_i(g(t))) - mu(phi_i(s)) ||
                + || sigma(phi_i(g(t))) - sigma(phi_i(s)) ||     (relu1_1..relu4_1)

the distances as mean squared errors (:mod:`keras_genzoo.losses.style`). At test
time (section 7.3) a content-style trade-off ``alpha`` and a mixture of styles with
weights ``w_k`` act on the features only:

    t = (1 - alpha) f(c) + alpha * sum_k w_k AdaIN(f(c), f(s_k)),

:func:`mix_style_features`, the one function the model, its export signatures and
:class:`~keras_genzoo.export.exported.ExportedModel` all use.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.data.pipeline import file_sha256
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.layers.normalization import AdaIN
from keras_genzoo.losses.style import (STATISTICS_EPSILON, channel_mean_std, content_loss,
                                       mean_std_style_loss)
from keras_genzoo.models.base import GenzooModel
from keras_genzoo.networks.vgg import STYLE_LAYERS, adain_decoder, vgg19_encoder

#: VGG-19 halves the image three times before relu4_1: sizes must divide by this
SIZE_MULTIPLE = 8
#: the smallest image side: relu4_1 must be 2 pixels for the decoder's reflection padding
MIN_SIZE = 2 * SIZE_MULTIPLE
#: channels of relu4_1, the features t lives in
FEATURE_CHANNELS = 512
#: content / style pairs in the epoch-end picture (its columns)
PREVIEW_PAIRS = 6


@dataclasses.dataclass(frozen=True)
class AdaINStyleConfig:
    #: the training crop (the paper: 256)
    image_size: int = 256
    #: training images are opened at this size (square), then cropped to image_size at
    #: random (the paper: smallest side 512, random 256 crops)
    load_size: int = 512
    #: RGB only (VGG's input); a key so the data pipeline reads it like any model's
    channels: int = 3
    #: lambda of eq. 10 (the paper's default: 10)
    style_weight: float = 10.0
    #: "imagenet" (a path given as --vgg-weights, the Keras cache, a download), a path
    #: to Keras' VGG-19 notop .h5 file, or "random" (seeded He-normal, offline)
    vgg_weights: str = "imagenet"
    #: the seed of vgg_weights=random: the same seed rebuilds the same encoder
    vgg_seed: int = 0
    #: the SHA-256 of the vgg_weights file (set by genzoo train when vgg_weights is a
    #: path, so that a run is not reloaded with another file at the same path; "": none)
    vgg_weights_sha256: str = ""
    #: Adam (the paper: 1e-4, batch 8)
    learning_rate: float = 1e-4
    beta_1: float = 0.9

    def validate(self):
        config_lib.require_image_shape(self, min_size=MIN_SIZE)
        if self.channels != 3:
            raise ConfigError(f"channels must be 3 (VGG-19 reads RGB), got {self.channels}")
        if self.image_size % SIZE_MULTIPLE:
            raise ConfigError(f"image_size must be a multiple of {SIZE_MULTIPLE} (VGG-19 "
                              f"pools three times before relu4_1), got {self.image_size}")
        if self.load_size < self.image_size or self.load_size > config_lib.MAX_IMAGE_SIZE:
            raise ConfigError(f"load_size must be between image_size ({self.image_size}) and "
                              f"{config_lib.MAX_IMAGE_SIZE}, got {self.load_size}")
        config_lib.require_non_negative(self, "style_weight")
        config_lib.require_positive(self, "learning_rate")
        config_lib.require_fraction(self, "beta_1")
        config_lib.check_seed(self.vgg_seed, "vgg_seed")
        if not self.vgg_weights.strip():
            raise ConfigError("vgg_weights must be imagenet, random or a path to VGG-19 "
                              "notop weights (.h5)")


# ------------------------------------------------------------ the AdaIN mixing
def adain(content_features, style_features, epsilon: float = STATISTICS_EPSILON):
    """Eq. 8: the content features with the style features' channel statistics, through
    the same :class:`~keras_genzoo.layers.normalization.AdaIN` layer StyleGAN uses
    (style_scale = sigma(f(s)), style_bias = mu(f(s))). ``style_features`` may hold one
    row for the whole content batch."""
    style_mean, style_std = channel_mean_std(style_features, epsilon)
    # float32 whatever the policy: the statistics and the loss's target are float32
    normalize = AdaIN(epsilon=epsilon, dtype="float32")
    return normalize([tf.cast(content_features, tf.float32), style_std, style_mean])


def mix_style_features(content_features, style_features: Sequence, weights=None, alpha=1.0):
    """Section 7.3: ``t = (1 - alpha) f(c) + alpha sum_k w_k AdaIN(f(c), f(s_k))``.

    ``content_features`` ``[B, h, w, C]``; ``style_features`` one ``[B or 1, h_k, w_k, C]``
    per style; ``weights`` one per style (None: equal); ``alpha`` a scalar or ``[B]``
    (one per example: the export's row format). Tensors or arrays in, a float32 tensor out.
    """
    content_features = tf.cast(content_features, tf.float32)
    if weights is None:
        weights = [1.0 / len(style_features)] * len(style_features)
    weights = tf.cast(tf.convert_to_tensor(weights), tf.float32)
    stylized = 0.0
    for index, features in enumerate(style_features):
        stylized += weights[index] * adain(content_features, features)
    alpha = tf.reshape(tf.cast(alpha, tf.float32), [-1, 1, 1, 1])
    return (1.0 - alpha) * content_features + alpha * stylized


def check_image_batch(images, what: str) -> np.ndarray:
    """``images`` as float32 ``[B, H, W, 3]`` with H and W multiples of 8 and at least
    16 (the decoder reflects relu4_1's border pixel: it needs two), else one line."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise GenzooError(f"{what} must be RGB images [batch, height, width, 3], got shape "
                          f"{list(images.shape)}")
    height, width = images.shape[1:3]
    if height % SIZE_MULTIPLE or width % SIZE_MULTIPLE or min(height, width) < MIN_SIZE:
        raise GenzooError(f"{what} height and width must be multiples of {SIZE_MULTIPLE} "
                          f"and at least {MIN_SIZE}, got {height}x{width}")
    return images


def _relu4_1(encoder, images):
    """The encoder's last activation, relu4_1, in float32 (what AdaIN mixes)."""
    return tf.cast(encoder(images, training=False)[-1], tf.float32)


def _image(decoder, features):
    """The decoder's image, clipped to [0, 1] where it is shown or served."""
    return tf.clip_by_value(tf.cast(decoder(features, training=False), tf.float32), 0.0, 1.0)


@keras.saving.register_keras_serializable("keras_genzoo")
class AdaINStyle(GenzooModel):
    """Huang & Belongie 2017's feed-forward style transfer: frozen VGG-19 encoder,
    AdaIN, trained decoder.

    What the tools call (``genzoo stylize`` among them):

    * ``stylize(content, styles, weights=None, alpha=1.0)``: ``content`` float32
      ``[B, H, W, 3]`` in [0, 1] with H and W multiples of 8 (at least 16), ``styles`` a list of
      ``[B or 1, h, w, 3]`` (any size each), ``weights`` one per style summing to 1
      (None: equal), ``alpha`` in [0, 1] (a scalar or one per example) -> NumPy images
      ``[B, H, W, 3]`` clipped to [0, 1] (:func:`mix_style_features`, section 7.3);
    * ``encode(images)`` -> relu4_1 features ``[B, H/8, W/8, 512]``;
    * ``decode(features)`` -> images ``[B, 8h, 8w, 3]`` clipped to [0, 1].

    Training batches are ``(content, style)`` crop pairs (``data_kind = "style_pairs"``:
    :class:`~keras_genzoo.data.style_pairs.StylePairSource`). Only the decoder is a
    checkpointed network; the encoder is rebuilt from ``vgg_weights`` / ``vgg_seed``.
    """

    config_class = AdaINStyleConfig
    registry_name = "adain-style"
    kind = "style transfer"
    data_kind = "style_pairs"
    metric_names = ("loss", "content_loss", "style_loss")
    #: ImageNet VGG-19 reads 0..255 pixels and its activations reach the hundreds: the
    #: squared differences of their statistics, times style_weight, can pass 1e6 while
    #: the decoder is untrained, which is no divergence
    bounded_logs = False

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        c = self.config
        weights = c.vgg_weights
        if weights not in ("imagenet", "random") and not pathlib.Path(weights).expanduser().is_file():
            # a run's config names the file its encoder read: it was moved or deleted
            raise ConfigError(f"vgg_weights: no such VGG-19 weights file: {weights} (put a "
                              "run's file back where its config.json says; a new run: "
                              "--vgg-weights PATH)")
        if c.vgg_weights_sha256 and file_sha256(weights) != c.vgg_weights_sha256:
            raise ConfigError(f"vgg_weights: {weights} is not the file this model was trained "
                              "with (its SHA-256 differs from config.json's "
                              "vgg_weights_sha256); put the original file back")
        self.encoder = vgg19_encoder(weights, seed=c.vgg_seed, layers=STYLE_LAYERS,
                                     name="vgg19_encoder")
        self.decoder = adain_decoder(FEATURE_CHANNELS, name="decoder")
        self.preview_batch = None

    # ------------------------------------------------------------------ networks
    def networks(self):
        # the encoder is frozen and rebuilt from the config: not part of the checkpoint
        return {"decoder": self.decoder}

    def default_optimizers(self):
        return {"decoder": keras.optimizers.Adam(self.config.learning_rate,
                                                 beta_1=self.config.beta_1)}

    def data_shape(self):
        return [self.config.image_size, self.config.image_size, 3]

    def example_input(self, batch_size: int = 2):
        image = tf.zeros([batch_size, *self.data_shape()], tf.float32)
        return image, image

    def _features(self, images, training=False):
        return [tf.cast(f, tf.float32) for f in self.encoder(images, training=training)]

    def call(self, inputs, training=False):
        content, style = inputs
        target = mix_style_features(self._features(content)[-1], [self._features(style)[-1]])
        return tf.cast(self.decoder(target, training=training), tf.float32)

    # ---------------------------------------------------------------- the loss
    def losses_per_example(self, content, style):
        """``(L_c, L_s)`` per example (eq. 11, eq. 12) for one batch of pairs at alpha 1."""
        content_features = self._features(content)[-1]
        style_features = self._features(style)
        target = tf.stop_gradient(mix_style_features(content_features, [style_features[-1]]))
        output = tf.cast(self.decoder(target, training=True), tf.float32)
        output_features = self._features(output)
        return (content_loss(output_features[-1], target),
                mean_std_style_loss(output_features, style_features))

    def train_step(self, data):
        content, style = (tf.cast(part, tf.float32) for part in data)
        optimizer = self.network_optimizers["decoder"]
        with tf.GradientTape() as tape:
            content_part, style_part = self.losses_per_example(content, style)
            per_example = content_part + self.config.style_weight * style_part
            loss = self.average_over_global_batch(per_example)
            scaled = self.scaled_loss(optimizer, loss)
        self.apply_gradients("decoder", tape, scaled)
        return self.record({"loss": tf.reduce_mean(per_example),
                            "content_loss": tf.reduce_mean(content_part),
                            "style_loss": tf.reduce_mean(style_part)})

    # ---------------------------------------------------------------- inference
    @tf.function(reduce_retracing=True)
    def _encode(self, images):
        return _relu4_1(self.encoder, images)

    @tf.function(reduce_retracing=True)
    def _decode(self, features):
        return _image(self.decoder, features)

    def encode(self, images) -> np.ndarray:
        """relu4_1 features of ``images`` ``[B, H, W, 3]`` (H, W multiples of 8)."""
        return self._encode(tf.constant(check_image_batch(images, "images"))).numpy()

    def decode(self, features) -> np.ndarray:
        """Images in [0, 1] from relu4_1-shaped ``features`` ``[B, h, w, 512]``."""
        return self._decode(tf.convert_to_tensor(np.asarray(features, np.float32))).numpy()

    def stylize(self, content, styles, weights=None, alpha=1.0) -> np.ndarray:
        """``content`` in the styles of ``styles`` (see the class docstring)."""
        content = check_image_batch(content, "content")
        features = [self._encode(tf.constant(np.asarray(style, np.float32)))
                    for style in styles]
        target = mix_style_features(self._encode(tf.constant(content)), features, weights,
                                    np.broadcast_to(np.asarray(alpha, np.float32),
                                                    [len(content)]))
        return self._decode(target).numpy()

    # ---------------------------------------------------------------- pictures
    def adapt_to_source(self, source) -> None:
        """Keep a fixed batch of the training pairs for the epoch-end picture."""
        self.preview_batch = source.preview_pairs(PREVIEW_PAIRS)

    def preview(self, *, seed, count, held_out=None):
        """Three rows: content crops, style crops, the stylized content (alpha 1)."""
        if self.preview_batch is None:
            return None
        content, style = self.preview_batch
        stylized = self.stylize(content, [style])  # pair i: content i in style i
        return np.concatenate([content, style, stylized]), len(content)

    def sample_grid(self, num, *, seed=0, label=None, prior=False, held_out=None):
        raise GenzooError("adain-style transfers the style of given images and draws no "
                          "samples: use genzoo stylize RUN --content IMG --style IMG --out OUT.png")

    # ------------------------------------------------------------------ export
    def export_signatures(self):
        """``stylize(content, style, alpha) -> image`` (= ``serving_default``),
        ``encode(image) -> features``, ``decode(features) -> image``; any H, W that are
        multiples of 8; ``alpha`` one value per example; images clipped to [0, 1]."""
        module = tf.Module()
        module.encoder, module.decoder = self.encoder, self.decoder
        image = lambda name: tf.TensorSpec([None, None, None, 3], tf.float32, name=name)  # noqa: E731
        feature_spec = tf.TensorSpec([None, None, None, FEATURE_CHANNELS], tf.float32,
                                     name="features")

        def encode_graph(images):
            return _relu4_1(module.encoder, images)

        def decode_graph(features):
            return _image(module.decoder, features)

        @tf.function(input_signature=[image("content"), image("style"),
                                      tf.TensorSpec([None], tf.float32, name="alpha")])
        def stylize(content, style, alpha):
            target = mix_style_features(encode_graph(content), [encode_graph(style)],
                                        alpha=alpha)
            return {"image": decode_graph(target)}

        @tf.function(input_signature=[image("image")])
        def encode(image):
            return {"features": encode_graph(image)}

        @tf.function(input_signature=[feature_spec])
        def decode(features):
            return {"image": decode_graph(features)}

        return module, {"serving_default": stylize, "stylize": stylize, "encode": encode,
                        "decode": decode}

    def export_parity_inputs(self):
        """Images whose sides are multiples of 8 (random 4x4 inputs would not be), two
        values of alpha, and the features of the content for ``decode``."""
        rng = np.random.default_rng(0)
        content = rng.uniform(0.0, 1.0, [2, 32, 40, 3]).astype(np.float32)
        style = rng.uniform(0.0, 1.0, [2, 48, 32, 3]).astype(np.float32)
        pair = {"content": content, "style": style, "alpha": np.array([1.0, 0.5], np.float32)}
        return {"serving_default": pair, "stylize": pair, "encode": {"image": content},
                "decode": {"features": self.encode(content)}}

    def export_onnx_tolerances(self):
        """ONNX and TensorFlow sum each convolution in a different order. With ImageNet
        weights the relu4_1 features reach the hundreds (VGG reads 0..255 pixels) and a
        feature near 0 is the difference of such sums, so they agree to ~1e-3 (measured
        with weights at that scale: 1.6e-3, 2e-6 of the largest feature): ``encode``
        1e-2. AdaIN then divides by the standard deviations of a few relu4_1 positions,
        which magnifies that in the images of an untrained decoder (measured 1.1e-2):
        3e-2, eight 8-bit grey levels. A wrong graph (channel order, the mean, the
        padding) moves features by tens and pixels by tenths."""
        images = 3e-2
        return {"encode": 1e-2, "serving_default": images, "stylize": images, "decode": images}

    def export_metadata(self):
        return {"stylize": {"size_multiple": SIZE_MULTIPLE, "feature_channels": FEATURE_CHANNELS}}
