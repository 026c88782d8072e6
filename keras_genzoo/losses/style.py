"""Style-transfer losses on VGG features, per example (shape ``[B]``).

Two ways to say that an image has a style, both on the activations of a
fixed VGG-19 (:mod:`keras_genzoo.networks.vgg`):

* **Channel statistics** (Huang & Belongie 2017, arXiv:1703.06868, eq. 12):
  the mean and standard deviation of every channel over the image, at
  relu1_1..relu4_1; :func:`mean_std_style_loss`. AdaIN transfers exactly
  these statistics, which is why it can be done in one forward pass.
* **Gram matrices** (Gatys, Ecker & Bethge 2016, CVPR, eq. 3-5): the
  channels' uncentred correlations; :func:`gram_matrix`,
  :func:`gram_style_loss`.

Distances are mean squared errors (the papers write Euclidean norms; the
authors' released code and most reimplementations average squares, which
keeps the loss's scale independent of image and channel counts, so that one
style weight suits every image size). Every feature is cast to float32.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

#: added to the variance before the square root, as in AdaIN's reference code
STATISTICS_EPSILON = 1e-5


def channel_mean_std(features, epsilon: float = STATISTICS_EPSILON):
    """``(mean, std)``, each ``[B, C]``: every channel's statistics over the spatial axes
    of ``[B, H, W, C]`` (biased variance, ``std = sqrt(var + epsilon)``)."""
    features = tf.cast(features, tf.float32)
    mean, variance = tf.nn.moments(features, axes=[1, 2])
    return mean, tf.sqrt(variance + epsilon)


def _per_example_mse(a, b):
    difference = tf.cast(a, tf.float32) - tf.cast(b, tf.float32)
    return tf.reduce_mean(tf.reshape(tf.square(difference), [tf.shape(difference)[0], -1]),
                          axis=1)


def content_loss(features, target):
    """Huang & Belongie 2017, eq. 11: the distance between the output's relu4_1
    features and the AdaIN target ``t`` (mean squared error per example)."""
    return _per_example_mse(features, target)


def mean_std_style_loss(output_features: Sequence, style_features: Sequence,
                        epsilon: float = STATISTICS_EPSILON):
    """Huang & Belongie 2017, eq. 12: sum over layers i of
    ``||mu(phi_i(g(t))) - mu(phi_i(s))|| + ||sigma(phi_i(g(t))) - sigma(phi_i(s))||``,
    each as a mean squared error over the channels; zero exactly when every layer's
    channel means and standard deviations agree."""
    if len(output_features) != len(style_features):
        raise ValueError(f"{len(output_features)} output layers against "
                         f"{len(style_features)} style layers")
    total = 0.0
    for output, style in zip(output_features, style_features):
        output_mean, output_std = channel_mean_std(output, epsilon)
        style_mean, style_std = channel_mean_std(style, epsilon)
        total += _per_example_mse(output_mean, style_mean) + _per_example_mse(output_std, style_std)
    return total


def gram_matrix(features):
    """``[B, H, W, C] -> [B, C, C]``, ``G_ij = sum_k F_ik F_jk / (H W)``: Gatys et al. 2016,
    eq. 3, divided by the number of positions so that images of any size compare."""
    features = tf.cast(features, tf.float32)
    positions = tf.cast(tf.shape(features)[1] * tf.shape(features)[2], tf.float32)
    return tf.einsum("bhwi,bhwj->bij", features, features) / positions


def gram_style_loss(output_features: Sequence, style_grams: Sequence,
                    layer_weights: Sequence[float] | None = None):
    """Gatys et al. 2016, eq. 4-5: ``sum_l w_l E_l`` with
    ``E_l = sum_ij (G_ij - A_ij)^2 / (4 N_l^2 M_l^2)``. With the Gram matrices of
    :func:`gram_matrix` (already divided by ``M_l = H W``) that is the mean of
    ``(G - A)^2 / 4`` over the ``N_l^2`` entries. ``style_grams`` are the style
    image's (``[B or 1, C, C]``); the weights default to ``1 / L`` (the paper's choice)."""
    if len(output_features) != len(style_grams):
        raise ValueError(f"{len(output_features)} output layers against "
                         f"{len(style_grams)} style Gram matrices")
    count = len(output_features)
    weights = [1.0 / count] * count if layer_weights is None else list(layer_weights)
    total = 0.0
    for weight, output, target in zip(weights, output_features, style_grams):
        gram = gram_matrix(output)
        difference = gram - tf.cast(target, tf.float32)
        total += weight * tf.reduce_mean(tf.square(difference), axis=[1, 2]) / 4.0
    return total


def total_variation(images):
    """Per-example anisotropic total variation, averaged over pixels and channels
    (``tf.image.total_variation`` sums; Mahendran & Vedaldi 2015's smoothness prior,
    the TV term of style-transfer optimisations)."""
    images = tf.cast(images, tf.float32)
    size = tf.cast(tf.reduce_prod(tf.shape(images)[1:]), tf.float32)
    return tf.image.total_variation(images) / size
