"""Reconstruction losses, PER EXAMPLE: mean over every pixel of one image."""

import tensorflow as tf


def _per_example_mean(values):
    values = tf.cast(values, tf.float32)
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def mean_squared_error(x, reconstruction):
    """``||x - r||^2 / D``: the Gaussian decoder's negative log-likelihood up to constants."""
    return _per_example_mean(tf.square(tf.cast(x, tf.float32) - tf.cast(reconstruction, tf.float32)))


def binary_cross_entropy(x, reconstruction, epsilon: float = 1e-7):
    """Bernoulli decoder's negative log-likelihood per pixel, for x in [0, 1]."""
    x = tf.cast(x, tf.float32)
    r = tf.clip_by_value(tf.cast(reconstruction, tf.float32), epsilon, 1.0 - epsilon)
    return _per_example_mean(-(x * tf.math.log(r) + (1.0 - x) * tf.math.log(1.0 - r)))


RECONSTRUCTION_LOSSES = {"mse": mean_squared_error, "bce": binary_cross_entropy}


def reconstruction_quality(images, estimates) -> dict[str, float]:
    """NumPy ``{"mse", "psnr"}`` of ``estimates`` against ``images`` in [0, 1].

    Both are per-image values averaged over the batch; PSNR = 10 log10(1 / MSE)
    (peak 1), with the MSE floored at 1e-10 so a perfect copy stays finite.
    """
    import numpy as np

    images = np.asarray(images, np.float64)
    per_image = np.mean((images - np.asarray(estimates, np.float64)) ** 2,
                        axis=tuple(range(1, images.ndim)))
    psnr = 10.0 * np.log10(1.0 / np.maximum(per_image, 1e-10))
    return {"mse": float(per_image.mean()), "psnr": float(psnr.mean())}
