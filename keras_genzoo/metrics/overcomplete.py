"""Does an overcomplete autoencoder learn features or copy its input?

An autoencoder whose code is wider than its input can minimise the reconstruction
error by learning the identity, which says nothing about the data; a regularizer
(sparsity: Ranzato et al. 2007, Ng 2011; denoising: Vincent et al. 2008; contraction:
Rifai et al. 2011) stops it, and the features it learns instead are more local
(Goodfellow, Bengio & Courville 2016, Deep Learning, 14.2). Two measurements, both
on NumPy arrays:

* :func:`copy_error`: how badly it reconstructs images OFF the data (independent
  pixels with the data's per-pixel mean and standard deviation), relative to the
  variance of those images: near 0 for a copier, near 1 or above for a model that
  maps everything towards the data;
* :func:`filter_localization`: the share of each encoder filter's energy in its
  few strongest pixels, over the pixels the data uses (pixels that never vary get
  no gradient and keep their initial weights, which says nothing about learning).
"""

from __future__ import annotations

import numpy as np

#: pixels whose standard deviation over the data is below this count as unused
USED_PIXEL_STD = 0.05
#: filter_localization: the strongest pixels whose energy share is measured
TOP_PIXELS = 6


def off_data_images(images, count: int, seed: int = 0) -> np.ndarray:
    """``count`` images of independent pixels with ``images``' per-pixel mean and
    standard deviation (Gaussian, clipped to [0, 1]): inputs the data never holds."""
    images = np.asarray(images, np.float32)
    mean, std = images.mean(axis=0), images.std(axis=0)
    noise = np.random.default_rng(seed).standard_normal((int(count), *images.shape[1:]))
    return np.clip(mean + std * noise, 0.0, 1.0).astype(np.float32)


def relative_error(inputs, reconstructions, reference_mean) -> float:
    """``sum ||x - r||^2 / sum ||x - mean||^2``: 0 for a perfect copy, 1 for the
    mean image's error."""
    inputs = np.asarray(inputs, np.float64)
    error = np.sum((inputs - np.asarray(reconstructions, np.float64)) ** 2)
    return float(error / np.sum((inputs - np.asarray(reference_mean, np.float64)) ** 2))


def copy_error(reconstruct, images, count: int = 500, seed: int = 0) -> float:
    """:func:`relative_error` of ``reconstruct`` on :func:`off_data_images` of ``images``."""
    noise = off_data_images(images, count, seed)
    return relative_error(noise, reconstruct(noise), np.asarray(images, np.float32).mean(axis=0))


def used_pixels(images) -> np.ndarray:
    """Boolean mask ``[pixels]`` of the flattened pixels that vary over ``images``."""
    images = np.asarray(images, np.float32)
    return images.reshape(len(images), -1).std(axis=0) > USED_PIXEL_STD


def filter_localization(filters, used, top: int = TOP_PIXELS) -> float:
    """Mean over ``filters`` ``[count, pixels]`` of the share of a filter's squared
    weights (over the ``used`` pixels) held by its ``top`` strongest pixels: ``top /
    used`` for weights spread evenly, 1 for a filter on ``top`` pixels or fewer."""
    weights = np.asarray(filters, np.float64).reshape(len(filters), -1)[:, np.asarray(used)]
    energy = weights ** 2
    energy /= np.maximum(energy.sum(axis=1, keepdims=True), 1e-30)
    return float(np.sort(energy, axis=1)[:, ::-1][:, :top].sum(axis=1).mean())
