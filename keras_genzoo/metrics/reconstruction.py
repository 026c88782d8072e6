"""Reconstruction quality of an autoencoder: MSE, PSNR and SSIM.

- **MSE**: mean squared error over every pixel and channel of every image.
- **PSNR** (peak signal-to-noise ratio): 10 log10(max_value^2 / MSE_image) per
  image (``tf.image.psnr``), averaged over images. An image reconstructed
  exactly has MSE 0 and PSNR +inf; the mean is then +inf too. No cap is applied:
  any cap would be an arbitrary number that looks like a measurement, and an
  exact reconstruction is worth seeing (it usually means the model learned the
  identity on trivial images). ``genzoo eval`` writes it to eval.json as null
  with ``value_text`` "inf" (strict JSON has no infinity).
- **SSIM** (Wang, Bovik, Sheikh & Simoncelli 2004, "Image Quality Assessment:
  From Error Visibility to Structural Similarity", eq. 13 with the Gaussian
  window of section III-C): ``tf.image.ssim`` per image, averaged over images.
  The standard window is 11 x 11 (sigma 1.5); TensorFlow computes SSIM with
  valid convolutions, so images smaller than the window are rejected. The
  window is therefore ``min(11, height, width)`` pixels: 11 for 28 x 28 and
  larger images (the standard SSIM), 8 for the 8 x 8 ``digits`` dataset, where
  the whole image is one window. SSIM of images under 11 pixels is thus not
  comparable with published SSIM values.

Images are NHWC floats in [0, max_value]. TensorFlow is imported inside the
function, so importing this module stays cheap.
"""

import numpy as np

from keras_genzoo.errors import ConfigError

# SSIM's standard Gaussian window (Wang et al. 2004, section III-C).
STANDARD_SSIM_FILTER_SIZE = 11
# Images per TensorFlow call: bounds the memory of SSIM's five filtered copies.
_IMAGES_PER_BATCH = 256


def _image_batch(images, name):
    array = np.asarray(images)
    if array.ndim != 4:
        raise ConfigError(
            f"{name} must be a 4-D NHWC array [N, height, width, channels], got shape {array.shape}")
    if array.shape[0] == 0:
        raise ConfigError(f"{name} contain no images")
    return array


def ssim_filter_size(height, width):
    """The SSIM window used for images of this size: ``min(11, height, width)``."""
    return min(STANDARD_SSIM_FILTER_SIZE, int(height), int(width))


def reconstruction_metrics(originals, reconstructions, max_value=1.0):
    """MSE, mean PSNR and mean SSIM of ``reconstructions`` against ``originals``.

    Args:
        originals, reconstructions: ``[N, H, W, C]`` images of the same shape,
            floats in [0, max_value].
        max_value: the dynamic range (1.0 for images in [0, 1]).

    Returns:
        ``{"mse": ..., "psnr": ..., "ssim": ...}`` as Python floats (``psnr``
        is ``inf`` when an image is reconstructed exactly).
    """
    originals = _image_batch(originals, "originals")
    reconstructions = _image_batch(reconstructions, "reconstructions")
    if originals.shape != reconstructions.shape:
        raise ConfigError(
            f"originals and reconstructions differ in shape: {originals.shape} and "
            f"{reconstructions.shape}")
    if max_value <= 0:
        raise ConfigError(f"max_value must be positive, got {max_value}")

    import tensorflow as tf

    difference = originals.astype(np.float64) - reconstructions.astype(np.float64)
    mse = float(np.mean(difference * difference))

    filter_size = ssim_filter_size(originals.shape[1], originals.shape[2])
    psnr_per_image = []
    ssim_per_image = []
    for start in range(0, originals.shape[0], _IMAGES_PER_BATCH):
        batch_of_originals = tf.convert_to_tensor(
            originals[start:start + _IMAGES_PER_BATCH], dtype=tf.float32)
        batch_of_reconstructions = tf.convert_to_tensor(
            reconstructions[start:start + _IMAGES_PER_BATCH], dtype=tf.float32)
        psnr_per_image.append(
            tf.image.psnr(batch_of_originals, batch_of_reconstructions, max_val=max_value).numpy())
        ssim_per_image.append(
            tf.image.ssim(batch_of_originals, batch_of_reconstructions, max_val=max_value,
                          filter_size=filter_size).numpy())
    return {
        "mse": mse,
        "psnr": float(np.mean(np.concatenate(psnr_per_image).astype(np.float64))),
        "ssim": float(np.mean(np.concatenate(ssim_per_image).astype(np.float64))),
    }
