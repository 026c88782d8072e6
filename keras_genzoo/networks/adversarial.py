"""Generators and discriminators of the GAN family: MLP and DCGAN-style conv bodies
behind one discriminator head.

Every discriminator built here is a functional model with TWO outputs,
``[logit, features]``: the logit (or critic score) ``[batch, 1]``, and the
penultimate representation ``f(x)`` ``[batch, F]`` that feature matching
(Salimans et al. 2016, section 3.1) compares between real and generated data.

Conditioning (conditional GANs, Mirza & Osindero 2014, arXiv:1411.1784): the
generator always receives its label as a one-hot vector concatenated to ``z``;
the discriminator receives it either

* ``concat``: one-hot concatenated to its input (as constant planes for
  images), the original cGAN recipe; or
* ``projection``: ``D(x, y) = psi(f(x)) + <embed(y), f(x)>`` (Miyato & Koyama
  2018, "cGANs with Projection Discriminator", arXiv:1802.05637, eq. 3): the
  label enters as an inner product with the features, which the paper shows
  is the form implied by a log-likelihood-ratio discriminator.
"""

from __future__ import annotations

import math

import keras

from keras_genzoo.layers.minibatch import MinibatchDiscrimination, MinibatchStdDev
from keras_genzoo.networks.convolutional import (
    dcgan_discriminator_body,
    dcgan_generator,
    dcgan_initializer,
    generator_normalization,
)


def label_input() -> keras.KerasTensor:
    return keras.Input([], dtype="int32", name="label")


def one_hot(label, num_classes: int):
    return keras.ops.one_hot(keras.ops.cast(label, "int32"), num_classes)


def discriminator_head(features, *, label=None, num_classes: int = 0,
                       conditioning: str = "concat", minibatch_discrimination: int = 0,
                       minibatch_kernel_dim: int = 5, minibatch_reduction: str = "mean",
                       minibatch_stddev: int = 0, logit_initializer="glorot_uniform"):
    """``f(x)`` -> logit, with the optional batch-level features and projection.

    The minibatch layers look at the whole (replica-local) batch, which is
    what lets D notice a generator that puts every sample in one mode
    (Salimans et al. 2016, section 3.2; Karras et al. 2018, section 3).
    """
    h = features
    if minibatch_stddev:
        h = MinibatchStdDev(minibatch_stddev, name="minibatch_stddev")(h)
    if minibatch_discrimination:
        h = MinibatchDiscrimination(minibatch_discrimination, minibatch_kernel_dim,
                                    reduction=minibatch_reduction,
                                    name="minibatch_discrimination")(h)
    logit = keras.layers.Dense(1, kernel_initializer=logit_initializer, dtype="float32",
                               name="logit")(h)
    if label is not None and conditioning == "projection":
        embedding = keras.layers.Embedding(num_classes, features.shape[-1],
                                           name="label_projection")(label)
        projection = keras.ops.sum(embedding * keras.ops.cast(features, embedding.dtype),
                                   axis=-1, keepdims=True)
        logit = keras.layers.Add(dtype="float32", name="projected_logit")([logit, projection])
    return logit


def mlp_generator(latent_dim: int, output_shape, hidden_units, *, num_classes: int = 0,
                  output_activation: str = "tanh", virtual_batch_norm: int = 0,
                  name: str = "generator") -> keras.Model:
    """``z (, label) -> hidden ReLU layers -> data`` of ``output_shape``.

    Goodfellow et al. 2014 (section 5) train MLP generators with rectifier
    units; the output is tanh for images in [-1, 1] and linear for points.
    ``virtual_batch_norm > 0`` normalizes each hidden layer before its ReLU
    with virtual batch normalization (Salimans et al. 2016, section 3.5) against
    a reference batch of that many examples.
    """
    z = keras.Input([latent_dim], name="z")
    inputs = [z]
    h = z
    if num_classes:
        label = label_input()
        inputs.append(label)
        h = keras.layers.Concatenate(name="with_label")([z, one_hot(label, num_classes)])
    for index, units in enumerate(hidden_units):
        if virtual_batch_norm:
            # no bias: the normalization subtracts it again (its gradient is 0)
            h = keras.layers.Dense(units, use_bias=False, name=f"hidden{index}")(h)
            h = generator_normalization(f"hidden{index}", virtual_batch_norm)(h)
            h = keras.layers.ReLU()(h)
        else:
            h = keras.layers.Dense(units, activation="relu", name=f"hidden{index}")(h)
    h = keras.layers.Dense(math.prod(output_shape), name="output")(h)
    h = keras.layers.Reshape(tuple(output_shape))(h)
    # float32 output even under mixed precision: samples leave the network here.
    out = keras.layers.Activation(output_activation, dtype="float32", name="samples")(h)
    return keras.Model(inputs if num_classes else z, out, name=name)


def mlp_discriminator(input_shape, hidden_units, *, dropout: float = 0.0, num_classes: int = 0,
                      conditioning: str = "concat", name: str = "discriminator",
                      **head_options) -> keras.Model:
    """``x (, label) -> hidden LeakyReLU (+ Dropout) layers -> [logit, features]``.

    Dropout in D is Goodfellow et al.'s guard against a discriminator that
    memorises the training set (2014, section 5).
    """
    x = keras.Input(tuple(input_shape), name="x")
    inputs = [x]
    h = keras.layers.Flatten()(x) if len(input_shape) > 1 else x
    label = None
    if num_classes:
        label = label_input()
        inputs.append(label)
        if conditioning == "concat":
            h = keras.layers.Concatenate(name="with_label")([h, one_hot(label, num_classes)])
    for index, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, name=f"hidden{index}")(h)
        h = keras.layers.LeakyReLU(negative_slope=0.2)(h)
        if dropout:
            h = keras.layers.Dropout(dropout)(h)
    logit = discriminator_head(h, label=label, num_classes=num_classes,
                               conditioning=conditioning, **head_options)
    return keras.Model(inputs if num_classes else x, [logit, h], name=name)


def conv_discriminator(image_size: int, channels: int, base_filters: int, *,
                       normalization: str = "batch", num_classes: int = 0,
                       conditioning: str = "concat", name: str = "discriminator",
                       **head_options) -> keras.Model:
    """DCGAN body (strided convs down to 4x4, flattened) -> [logit, features]; the
    logit's weights, like the body's, from N(0, 0.02) (Radford et al. 2015, section 4)."""
    x = keras.Input([image_size, image_size, channels], name="x")
    inputs = [x]
    h = x
    label = None
    if num_classes:
        label = label_input()
        inputs.append(label)
        if conditioning == "concat":
            # one constant plane per class, as in the conditional VAE
            planes = keras.ops.ones_like(x[..., :1]) * one_hot(label, num_classes)[:, None, None, :]
            h = keras.layers.Concatenate(name="with_label")([x, planes])
    features = dcgan_discriminator_body(h, base_filters, normalization=normalization)
    logit = discriminator_head(features, label=label, num_classes=num_classes,
                               conditioning=conditioning, logit_initializer=dcgan_initializer(),
                               **head_options)
    return keras.Model(inputs if num_classes else x, [logit, features], name=name)


def conditional_dcgan_generator(latent_dim: int, image_size: int, channels: int,
                                base_filters: int, num_classes: int = 0,
                                virtual_batch_norm: int = 0) -> keras.Model:
    """The DCGAN generator; a conditional one gets ``concat(z, one_hot(label))``."""
    if not num_classes:
        return dcgan_generator(latent_dim, image_size, channels, base_filters,
                               virtual_batch_norm=virtual_batch_norm)
    inner = dcgan_generator(latent_dim + num_classes, image_size, channels, base_filters,
                            name="dcgan_generator", virtual_batch_norm=virtual_batch_norm)
    z = keras.Input([latent_dim], name="z")
    label = label_input()
    joint = keras.layers.Concatenate(name="with_label")([z, one_hot(label, num_classes)])
    return keras.Model([z, label], inner(joint), name="generator")


def discriminator_head_options(config) -> dict:
    """The :func:`discriminator_head` options an adversarial config sets."""
    return dict(minibatch_discrimination=config.minibatch_discrimination,
                minibatch_kernel_dim=config.minibatch_kernel_dim,
                minibatch_reduction=config.minibatch_reduction,
                minibatch_stddev=config.minibatch_stddev)


def build_gan_networks(config, *, num_classes: int = 0, conditioning: str = "concat"):
    """``(generator, discriminator)`` for a GAN-family config.

    ``config.architecture`` picks the bodies (``mlp`` or ``conv``); points
    (``data_dim > 0``) always use MLPs with a linear output.
    """
    c = config
    head = discriminator_head_options(c)
    conditional = dict(num_classes=num_classes, conditioning=conditioning)
    vbn = c.virtual_batch_norm
    if c.data_dim:
        shape = [c.data_dim]
        generator = mlp_generator(c.latent_dim, shape, c.generator_units,
                                  num_classes=num_classes, output_activation="linear",
                                  virtual_batch_norm=vbn)
        discriminator = mlp_discriminator(shape, c.discriminator_units, dropout=c.dropout,
                                          **conditional, **head)
    elif c.architecture == "mlp":
        shape = [c.image_size, c.image_size, c.channels]
        generator = mlp_generator(c.latent_dim, shape, c.generator_units, num_classes=num_classes,
                                  virtual_batch_norm=vbn)
        discriminator = mlp_discriminator(shape, c.discriminator_units, dropout=c.dropout,
                                          **conditional, **head)
    else:
        generator = conditional_dcgan_generator(c.latent_dim, c.image_size, c.channels,
                                                c.base_filters, num_classes, virtual_batch_norm=vbn)
        discriminator = conv_discriminator(c.image_size, c.channels, c.base_filters,
                                           normalization=c.normalization, **conditional, **head)
    return generator, discriminator
