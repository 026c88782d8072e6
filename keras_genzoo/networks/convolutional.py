"""DCGAN-style convolutional networks (Radford, Metz & Chintala 2015, section 3).

The paper's architecture guidelines, each visible below:

* strided convolutions instead of pooling (D) and fractionally-strided
  (transposed) convolutions instead of upsampling (G);
* BatchNorm in both networks, except the generator output and the
  discriminator input layers;
* no fully connected hidden layers: G projects z to a 4x4 feature map, D
  flattens its last 4x4 map into one logit;
* ReLU in G with tanh at the output, LeakyReLU (slope 0.2) in D;
* weights initialised from N(0, 0.02) (section 4; :func:`dcgan_initializer`).

BatchNorm is ``synchronized``: under MirroredStrategy the batch statistics are
those of the GLOBAL batch, so N replicas train exactly like one device.
"""

import math

import keras

from keras_genzoo.errors import ConfigError
from keras_genzoo.layers.virtual_batch_norm import VirtualBatchNormalization


def dcgan_initializer() -> keras.initializers.Initializer:
    """Radford et al. 2015, section 4: "All weights were initialized from a
    zero-centered Normal distribution with standard deviation 0.02": every
    convolution and dense kernel of G and D, D's logit included. Biases start
    at 0 and BatchNorm at gamma = 1, beta = 0 (Keras' defaults): the sentence is
    about weights, and a zero-centred gamma would scale every normalized
    activation to about 0 (the authors' Torch code draws gamma from N(1, 0.02),
    within a few percent of 1)."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _check_image_size(image_size: int, smallest: int = 8) -> int:
    levels = math.log2(image_size) if image_size > 0 else -1
    if image_size < smallest or not float(levels).is_integer():
        raise ConfigError(
            f"image_size must be a power of two >= {smallest} for this architecture, got {image_size}"
        )
    return int(levels)


def generator_normalization(name: str, virtual_batch_norm: int = 0) -> keras.layers.Layer:
    """A generator's BatchNorm, or virtual batch normalization against a reference
    batch of ``virtual_batch_norm`` examples (Salimans et al. 2016, section 3.5)
    when that is > 0."""
    if virtual_batch_norm:
        return VirtualBatchNormalization(virtual_batch_norm, name=f"{name}_vbn")
    return keras.layers.BatchNormalization(synchronized=True, name=f"{name}_bn")


def dcgan_generator(latent_dim: int, image_size: int, channels: int, base_filters: int,
                    name: str = "generator", virtual_batch_norm: int = 0) -> keras.Model:
    """z -> 4x4 map -> doublings by transposed conv -> tanh image ``[size, size, channels]``;
    ``virtual_batch_norm > 0`` replaces each BatchNorm by :func:`generator_normalization`'s
    virtual batch normalization."""
    doublings = _check_image_size(image_size) - 2
    filters = base_filters * 2 ** (doublings - 1)
    z = keras.Input([latent_dim], name="z")
    h = keras.layers.Dense(4 * 4 * filters, use_bias=False, kernel_initializer=dcgan_initializer(),
                           name="project")(z)
    h = keras.layers.Reshape([4, 4, filters])(h)
    h = generator_normalization("project", virtual_batch_norm)(h)
    h = keras.layers.ReLU()(h)
    for level in range(doublings - 1):
        filters //= 2
        h = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                         kernel_initializer=dcgan_initializer(), name=f"up{level}")(h)
        h = generator_normalization(f"up{level}", virtual_batch_norm)(h)
        h = keras.layers.ReLU()(h)
    h = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same",
                                     kernel_initializer=dcgan_initializer(), name="to_image")(h)
    # float32 output even under mixed precision: images leave the network here.
    images = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(z, images, name=name)


def dcgan_discriminator_body(x, base_filters: int, normalization: str = "batch"):
    """Image tensor in [-1, 1] -> halvings by strided conv down to 4x4 -> flattened features.

    ``normalization``: ``batch`` (the DCGAN paper; synchronized across
    replicas), ``layer`` (per example: what Gulrajani et al. 2017, section 4,
    recommend for a critic with a gradient penalty, which is defined per
    example and is invalidated by batch statistics) or ``none``.
    """
    halvings = _check_image_size(int(x.shape[1])) - 2
    h = x
    filters = base_filters
    for level in range(halvings):
        normalized = level > 0 and normalization != "none"  # never on the input layer (paper, section 3)
        h = keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not normalized,
                                kernel_initializer=dcgan_initializer(), name=f"down{level}")(h)
        if normalized and normalization == "batch":
            h = keras.layers.BatchNormalization(synchronized=True, name=f"down{level}_bn")(h)
        elif normalized:
            h = keras.layers.LayerNormalization(axis=[1, 2, 3], name=f"down{level}_ln")(h)
        h = keras.layers.LeakyReLU(negative_slope=0.2)(h)
        filters *= 2
    return keras.layers.Flatten()(h)


def conv_encoder(image_size: int, channels: int, filters: int, code_dim: int,
                 activation: str = "relu", code_activation: str | None = None,
                 name: str = "encoder") -> keras.Model:
    """Two stride-2 convolutions then a linear projection to the code."""
    if image_size % 4:
        raise ConfigError(f"image_size must be divisible by 4 for the conv autoencoder, got {image_size}")
    x = keras.Input([image_size, image_size, channels], name="x")
    h = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation=activation)(x)
    h = keras.layers.Conv2D(filters * 2, 3, strides=2, padding="same", activation=activation)(h)
    h = keras.layers.Flatten()(h)
    code = keras.layers.Dense(code_dim, activation=code_activation, name="code",
                              dtype="float32")(h)
    return keras.Model(x, code, name=name)


def conv_decoder(image_size: int, channels: int, filters: int, code_dim: int,
                 activation: str = "relu", output_activation: str = "sigmoid",
                 name: str = "decoder") -> keras.Model:
    """Mirror of :func:`conv_encoder`: dense to a quarter-size map, two transposed convs."""
    quarter = image_size // 4
    code = keras.Input([code_dim], name="code")
    h = keras.layers.Dense(quarter * quarter * filters * 2, activation=activation)(code)
    h = keras.layers.Reshape([quarter, quarter, filters * 2])(h)
    h = keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation=activation)(h)
    h = keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same")(h)
    reconstruction = keras.layers.Activation(output_activation, dtype="float32",
                                             name="reconstruction")(h)
    return keras.Model(code, reconstruction, name=name)
