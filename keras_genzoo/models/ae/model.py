"""Undercomplete autoencoder (Goodfellow, Bengio & Courville 2016, "Deep
Learning", section 14.1).

An encoder ``h = f(x)`` with a code narrower than the input and a decoder
``r = g(h)`` trained to minimise ``L(x, g(f(x)))``. The bottleneck forces the
code to keep the most salient factors of the data; with linear layers and
mean squared error the code spans the principal subspace (section 14.1).

Points: with ``data_dim > 0`` (set from a point dataset such as ``toy2d:circle``)
the input is a vector ``[data_dim]``, the networks are MLPs and the output is
linear whatever ``architecture`` and ``output_activation`` say, as for the GANs'
points; the loss must then be ``mse``.

The decoder as a distribution (Deep Learning 14.4): minimising binary
cross-entropy is maximum likelihood under a Bernoulli ``p_decoder(x | h)`` with
mean ``g(h)``; minimising squared error is maximum likelihood under a Gaussian
``N(g(h), sigma^2 I)`` for any fixed ``sigma``, which training does not
determine, so it is the config key ``gaussian_std`` (as the VAE's Gaussian
decoder). :meth:`AutoencoderBase.decode_stochastic` draws from it.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.losses.reconstruction import RECONSTRUCTION_LOSSES
from keras_genzoo.models.base import AutoencoderBase
from keras_genzoo.networks.convolutional import conv_decoder, conv_encoder
from keras_genzoo.networks.dense import mlp_decoder, mlp_encoder


@dataclasses.dataclass(frozen=True)
class AutoencoderConfig:
    image_size: int = 32
    channels: int = 1
    architecture: Literal["conv", "dense"] = "conv"
    code_dim: int = 16
    #: conv architecture: filters of the first conv (the second has twice as many)
    filters: int = 32
    #: dense architecture: hidden layer widths from input to code
    hidden_units: tuple[int, ...] = (256,)
    activation: str = "relu"
    #: activation of the code layer ("linear" for an unconstrained code)
    code_activation: str = "linear"
    output_activation: str = "sigmoid"
    reconstruction_loss: Literal["mse", "bce"] = "mse"
    learning_rate: float = 1e-3
    #: > 0: cosine-decay the learning rate to 0 over this many steps (0: constant)
    lr_decay_steps: int = 0
    #: lambda of the weight-decay term lambda * sum W^2 over the encoder's and decoder's
    #: kernels, added to the loss (Ng 2011, "Sparse autoencoder", section 2.2); 0: none
    weight_decay: float = 0.0
    #: > 0: the data are points of this length (toy2d, toy1d), set from the dataset
    data_dim: int = 0
    #: standard deviation of the Gaussian p_decoder(x | h) = N(g(h), std^2 I) of an mse
    #: model, in data units; used only by stochastic decoding (genzoo sample --stochastic)
    gaussian_std: float = 0.1

    def validate(self):
        config_lib.require_image_shape(self)
        config_lib.require_positive(self, "code_dim", "hidden_units", "filters", "learning_rate")
        for key in ("activation", "code_activation", "output_activation"):
            name = getattr(self, key)
            try:
                keras.activations.get(name)
            except ValueError:
                raise ConfigError(f"{key}: unknown activation '{name}'") from None
        config_lib.require_non_negative(self, "lr_decay_steps", "data_dim", "weight_decay")
        config_lib.require_positive(self, "gaussian_std")
        if self.data_dim and self.reconstruction_loss == "bce":
            raise ConfigError("reconstruction_loss=bce needs data in [0, 1]; points "
                              "(data_dim > 0) are reconstructed with mse")


def build_encoder_decoder(c: AutoencoderConfig):
    """The encoder and decoder networks an :class:`AutoencoderConfig` describes
    (points: MLPs with a linear output)."""
    if c.data_dim:
        return (mlp_encoder(0, 0, c.hidden_units, c.code_dim, c.activation,
                            code_activation=c.code_activation, data_dim=c.data_dim),
                mlp_decoder(0, 0, c.hidden_units, c.code_dim, c.activation, "linear",
                            data_dim=c.data_dim))
    if c.architecture == "conv":
        encoder = conv_encoder(c.image_size, c.channels, c.filters, c.code_dim, c.activation,
                               code_activation=c.code_activation)
        decoder = conv_decoder(c.image_size, c.channels, c.filters, c.code_dim, c.activation,
                               c.output_activation)
    else:
        encoder = mlp_encoder(c.image_size, c.channels, c.hidden_units, c.code_dim, c.activation,
                              code_activation=c.code_activation)
        decoder = mlp_decoder(c.image_size, c.channels, c.hidden_units, c.code_dim, c.activation,
                              c.output_activation)
    return encoder, decoder


@keras.saving.register_keras_serializable("keras_genzoo")
class Autoencoder(AutoencoderBase):
    """Deterministic encoder/decoder pair trained on reconstruction error."""

    config_class = AutoencoderConfig
    registry_name = "ae"
    metric_names = ("loss",)

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        c = self.config
        self.encoder, self.decoder = build_encoder_decoder(c)

    def default_optimizers(self):
        rate = self.config.learning_rate
        if self.config.lr_decay_steps:
            # A decaying step lets a linear AE settle exactly on the principal
            # subspace even when neighbouring eigenvalues are close.
            rate = keras.optimizers.schedules.CosineDecay(rate, self.config.lr_decay_steps)
        return {"autoencoder": keras.optimizers.Adam(rate)}

    def decoder_distribution(self):
        """Bernoulli for binary cross-entropy on a sigmoid output, Gaussian for squared
        error (the likelihoods these losses are the negative logarithm of, Deep
        Learning 6.2.1.1 and 14.4); None for cross-entropy on another output."""
        c = self.config
        if c.reconstruction_loss == "mse":
            return "gaussian"
        return "bernoulli" if c.output_activation == "sigmoid" and not c.data_dim else None

    def encoder_filters(self) -> np.ndarray:
        """The code layer's weights as one image per code unit, ``[code_dim, size, size,
        channels]``: the features of an encoder that is a single dense layer (empty
        ``hidden_units``), drawn by benchmarks/overcomplete_filters.py."""
        c = self.config
        if c.data_dim or c.architecture != "dense" or c.hidden_units:
            raise GenzooError("encoder filters are the weights of a single dense encoder "
                              "layer (architecture=dense, empty hidden_units)")
        kernel = np.asarray(self.encoder.get_layer("code").kernel)  # [pixels, code_dim]
        return kernel.T.reshape(c.code_dim, c.image_size, c.image_size, c.channels)

    def weight_decay_penalty(self):
        """``lambda * sum W^2`` over the encoder's and decoder's kernels (biases are not
        decayed; Ng 2011, section 2.2), scaled for the replicas' summed gradients; 0.0
        without weight decay. It pulls to zero every weight the data give no gradient
        (the pixels the digits never use, the directions they never vary in)."""
        if not self.config.weight_decay:
            return 0.0
        kernels = [weight for network in (self.encoder, self.decoder)
                   for weight in network.trainable_weights if weight.name == "kernel"]
        total = tf.add_n([tf.reduce_sum(tf.square(tf.cast(kernel, tf.float32)))
                          for kernel in kernels])
        return tf.nn.scale_regularization_loss(self.config.weight_decay * total)

    def reconstruction_loss(self, images, reconstruction):
        """Per-example ``L(x, g(f(x)))``."""
        return RECONSTRUCTION_LOSSES[self.config.reconstruction_loss](images, reconstruction)

    def training_inputs(self, images):
        """What the encoder sees in training: ``x`` itself here; variants such as
        the denoising autoencoder feed a corrupted ``x~`` (the loss always
        compares with the clean ``x``)."""
        return images

    def train_step(self, data):
        images, _ = self.unpack(data)
        inputs = self.training_inputs(images)
        with tf.GradientTape() as tape:
            reconstruction = self.decoder(self.encoder(inputs, training=True), training=True)
            per_example = self.reconstruction_loss(images, reconstruction)
            loss = self.average_over_global_batch(per_example) + self.weight_decay_penalty()
            scaled = self.scaled_loss(self.network_optimizers["autoencoder"], loss)
        self.apply_gradients("autoencoder", tape, scaled)
        return self.record({"loss": tf.reduce_mean(per_example)})
