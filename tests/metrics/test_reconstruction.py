"""Reconstruction metrics: exact reconstructions, PSNR of a known noise level, the
analytic SSIM of flat images, 8x8 images and the per-image averaging."""

import math

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics import reconstruction as reconstruction_module
from keras_genzoo.metrics.reconstruction import reconstruction_metrics, ssim_filter_size


def _images(count, size, channels=1, seed=0):
    return np.random.default_rng(seed).uniform(0.2, 0.8, size=(count, size, size, channels))


def _with_noise(images, amplitude, seed=1):
    # +-amplitude on every pixel: the MSE of every image is exactly amplitude^2
    signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=images.shape)
    return images + amplitude * signs


def _ssim_by_numpy(x, y, max_value=1.0, size=11, sigma=1.5):
    """Mean SSIM written out in float64 (Wang et al. 2004, eq. 13): a normalized
    size x size Gaussian window (sigma 1.5) at every valid position, the SSIM map
    averaged over positions, channels and images."""
    offsets = np.arange(size) - (size - 1) / 2.0
    window = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2.0 * sigma**2))
    window /= window.sum()
    c1, c2 = (0.01 * max_value) ** 2, (0.03 * max_value) ** 2

    def local_mean(images):  # [N, H, W, C] -> [N, H - size + 1, W - size + 1, C]
        patches = sliding_window_view(images, (size, size), axis=(1, 2))
        return np.einsum("nhwcij,ij->nhwc", patches, window)

    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    mu_x, mu_y = local_mean(x), local_mean(y)
    var_x, var_y = local_mean(x * x) - mu_x**2, local_mean(y * y) - mu_y**2
    cov = local_mean(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)
                / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)))
    return float(ssim_map.mean())


@pytest.mark.parametrize("size", [8, 28])
def test_identical_images(size):
    images = _images(5, size, channels=3)
    metrics = reconstruction_metrics(images, images.copy())
    assert metrics["mse"] == 0.0
    # MSE 0: 10 log10(1 / 0) is +inf (no cap, see the module docstring)
    assert metrics["psnr"] == math.inf
    assert metrics["ssim"] == pytest.approx(1.0, abs=1e-6)


def test_psnr_of_a_known_noise_level_is_the_formula():
    images = _images(6, 28)
    noisy = _with_noise(images, 0.1)
    metrics = reconstruction_metrics(images, noisy)
    assert metrics["mse"] == pytest.approx(0.01, rel=1e-12)
    assert metrics["psnr"] == pytest.approx(10.0 * math.log10(1.0 / 0.01), abs=1e-4)   # 20 dB
    # with a dynamic range of 2 the peak is 4 times larger: +10 log10(4) dB
    assert reconstruction_metrics(images, noisy, max_value=2.0)["psnr"] == pytest.approx(
        10.0 * math.log10(4.0 / 0.01), abs=1e-4)
    # SSIM of +-0.1 noise is well inside (0, 1): ~0.853, the value written out in float64.
    # TensorFlow filters in float32 (~1e-6 off, on any CPU); a 7x7 window moves it by
    # 8e-5, sigma 1.0 or the constants of max_value 2 by 5e-3 or more
    assert 0.0 < metrics["ssim"] < 1.0
    assert metrics["ssim"] == pytest.approx(_ssim_by_numpy(images, noisy), abs=1e-5)


def test_psnr_is_averaged_over_images_not_taken_of_the_mean_mse():
    images = _images(2, 16)
    reconstructions = np.concatenate([_with_noise(images[:1], 0.1),     # 20 dB
                                      _with_noise(images[1:], 0.01)])   # 40 dB
    metrics = reconstruction_metrics(images, reconstructions)
    assert metrics["mse"] == pytest.approx((0.01 + 0.0001) / 2, rel=1e-12)
    assert metrics["psnr"] == pytest.approx(30.0, abs=1e-3)


@pytest.mark.parametrize("size", [8, 28])
def test_ssim_of_flat_images_is_the_luminance_term(size):
    # flat images have zero variance, so SSIM's contrast-structure factor is
    # C2 / C2 = 1 and SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1),
    # C1 = (0.01 * max_value)^2 (Wang et al. 2004, eq. 13), whatever the window.
    # Black against dark grey: x = 0 makes TensorFlow's covariance terms exactly
    # zero, so the float32 result is exact, and C1 dominates the value.
    c1 = 0.01**2
    black = np.zeros((3, size, size, 1))
    dark_grey = np.full((3, size, size, 1), 0.05)
    metrics = reconstruction_metrics(black, dark_grey)
    assert metrics["ssim"] == pytest.approx(c1 / (0.05**2 + c1), rel=1e-5)   # 1/26
    # Mid-grey levels: float32 variances E[x^2] - mu^2 of flat images are round-off
    # of ~1e-7, which against C2 = 9e-4 moves SSIM by ~5e-4, hence the looser bound.
    metrics = reconstruction_metrics(np.full((3, size, size, 1), 0.5),
                                     np.full((3, size, size, 1), 0.6))
    assert metrics["ssim"] == pytest.approx((2 * 0.5 * 0.6 + c1) / (0.5**2 + 0.6**2 + c1),
                                            abs=1e-3)
    assert metrics["psnr"] == pytest.approx(20.0, abs=1e-4)


def test_the_ssim_window_shrinks_to_the_image():
    assert ssim_filter_size(8, 8) == 8
    assert ssim_filter_size(28, 28) == 11
    assert ssim_filter_size(64, 6) == 6
    # 8x8 digits work (TensorFlow rejects an 11x11 window on them) and noise lowers SSIM
    images = _images(4, 8)
    metrics = reconstruction_metrics(images, np.clip(_with_noise(images, 0.2), 0.0, 1.0))
    assert 0.0 < metrics["ssim"] < 0.9


def test_results_do_not_depend_on_the_batching(monkeypatch):
    images = _images(7, 12, channels=3)
    reconstructions = np.clip(images + np.random.default_rng(3).normal(0, 0.05, images.shape),
                              0.0, 1.0)
    whole = reconstruction_metrics(images, reconstructions)
    monkeypatch.setattr(reconstruction_module, "_IMAGES_PER_BATCH", 3)
    batched = reconstruction_metrics(images, reconstructions)
    assert batched == pytest.approx(whole, rel=1e-6)


def test_user_mistakes_raise_config_errors():
    images = _images(2, 8)
    with pytest.raises(ConfigError, match="differ in shape"):
        reconstruction_metrics(images, _images(2, 9))
    with pytest.raises(ConfigError, match="4-D NHWC"):
        reconstruction_metrics(images[..., 0], images[..., 0])
    with pytest.raises(ConfigError, match="no images"):
        reconstruction_metrics(images[:0], images[:0])
    with pytest.raises(ConfigError, match="max_value"):
        reconstruction_metrics(images, images, max_value=0.0)
