"""Mode coverage: analytic high-quality fractions, covered-mode counts and the
thresholds' boundaries."""

import math
import subprocess
import sys

import numpy as np
import pytest

from keras_genzoo.data.toy2d import MIXTURES, sample_mixture
from keras_genzoo.metrics.mode_coverage import ModeCoverage, mode_coverage

# P(chi2_2 <= 9): a 2-D isotropic Gaussian sample lies within 3 sigma of its centre
# (the chi-squared CDF with 2 degrees of freedom is 1 - exp(-x / 2)).
WITHIN_3_SIGMA = 1.0 - math.exp(-4.5)


def _binomial_sd(p, n):
    return math.sqrt(p * (1.0 - p) / n)


@pytest.mark.parametrize("name", ["grid25", "ring8"])
def test_samples_from_the_mixture_cover_every_mode(name):
    mixture = MIXTURES[name]
    n = 25_000
    points, _ = sample_mixture(mixture, n, seed=11)
    result = mode_coverage(points, mixture.modes, mixture.sigma)
    assert isinstance(result, ModeCoverage)
    assert result.modes_covered == result.num_modes == mixture.num_modes
    assert result.num_samples == n
    assert abs(WITHIN_3_SIGMA - 0.98889) < 1e-5
    # the fraction is a binomial proportion: allow 4.5 standard deviations (~0.003)
    assert abs(result.high_quality_fraction - WITHIN_3_SIGMA) < 4.5 * _binomial_sd(
        WITHIN_3_SIGMA, n)
    assert result.counts.shape == (mixture.num_modes,)
    assert result.counts.sum() == round(result.high_quality_fraction * n)


def test_samples_on_three_modes_cover_three():
    grid = MIXTURES["grid25"]
    points, labels = sample_mixture(grid, 25_000, seed=2)
    chosen = [0, 7, 24]
    on_three = points[np.isin(labels, chosen)]
    result = mode_coverage(on_three, grid.modes, grid.sigma)
    assert result.modes_covered == 3
    assert set(np.flatnonzero(result.counts)) == set(chosen)
    assert abs(result.high_quality_fraction - WITHIN_3_SIGMA) < 4.5 * _binomial_sd(
        WITHIN_3_SIGMA, len(on_three))


def test_uniform_noise_is_mostly_low_quality():
    grid = MIXTURES["grid25"]
    radius = 3 * grid.sigma
    # the 25 disks of radius 0.15 are disjoint and inside [-5, 5]^2 (|mode| <= 4):
    # the high-quality fraction of uniform noise is their total area over 100
    expected = 25 * math.pi * radius**2 / 10.0**2
    assert abs(expected - 0.017671) < 1e-6
    n = 400_000
    noise = np.random.default_rng(0).uniform(-5.0, 5.0, size=(n, 2))
    result = mode_coverage(noise, grid.modes, grid.sigma)
    assert abs(result.high_quality_fraction - expected) < 4.5 * _binomial_sd(expected, n)
    # ...and with so many samples every mode gets ~283 > 20 of them by chance,
    # which is why the 20-sample rule is tied to N = 2,500
    assert result.modes_covered == 25
    small = mode_coverage(noise[:2_500], grid.modes, grid.sigma)
    # expected 2,500 * 0.0177 / 25 = 1.8 per mode: none reaches 20
    assert small.modes_covered == 0
    assert small.high_quality_fraction < 0.04


def test_min_count_boundary():
    modes = np.array([[0.0, 0.0], [10.0, 0.0]])
    nineteen = np.zeros((19, 2))
    twenty = np.zeros((20, 2))
    assert mode_coverage(nineteen, modes, 0.1).modes_covered == 0
    assert mode_coverage(twenty, modes, 0.1).modes_covered == 1
    np.testing.assert_array_equal(mode_coverage(twenty, modes, 0.1).counts, [20, 0])
    assert mode_coverage(nineteen, modes, 0.1, min_count=19).modes_covered == 1
    assert mode_coverage(nineteen, modes, 0.1).high_quality_fraction == 1.0


def test_radius_boundary_and_nearest_mode_attribution():
    modes = np.array([[0.0, 0.0], [1.0, 0.0]])
    sigma = 0.5  # radius 1.5: the two modes' high-quality disks overlap
    samples = np.array([
        [0.4, 0.0],    # nearest mode 0 (also within 1.5 of mode 1): counted once, on 0
        [0.6, 0.0],    # nearest mode 1
        [0.0, 1.499],  # just inside mode 0's radius
        [0.0, 1.501],  # just outside
        [-1.6, 0.0],   # outside
    ])
    result = mode_coverage(samples, modes, sigma, min_count=1)
    np.testing.assert_array_equal(result.counts, [2, 1])
    assert result.high_quality_fraction == pytest.approx(3 / 5)
    assert result.modes_covered == 2
    # a wider radius takes in the samples at 1.501 and 1.6
    wider = mode_coverage(samples, modes, sigma, min_count=1, radius_sigmas=3.5)
    np.testing.assert_array_equal(wider.counts, [4, 1])


def test_non_finite_samples_are_low_quality():
    modes = np.array([[0.0, 0.0], [2.0, 0.0]])
    samples = np.array([[np.nan, 0.0], [np.inf, np.inf], [2.0, 0.01]])
    result = mode_coverage(samples, modes, 0.05, min_count=1)
    np.testing.assert_array_equal(result.counts, [0, 1])
    assert result.high_quality_fraction == pytest.approx(1 / 3)


@pytest.mark.parametrize("samples, modes, sigma, kwargs, message", [
    (np.zeros((5,)), np.zeros((2, 2)), 0.1, {}, r"samples must have shape \[N, D\]"),
    (np.zeros((0, 2)), np.zeros((2, 2)), 0.1, {}, "N >= 1"),
    (np.zeros((5, 2)), np.zeros((2,)), 0.1, {}, r"modes must have shape \[K, D\]"),
    (np.zeros((5, 2)), np.zeros((2, 3)), 0.1, {}, "2-dimensional but modes are 3"),
    (np.zeros((5, 2)), np.zeros((2, 2)), 0.0, {}, "sigma must be a positive"),
    (np.zeros((5, 2)), np.zeros((2, 2)), -1.0, {}, "sigma must be a positive"),
    (np.zeros((5, 2)), np.zeros((2, 2)), 0.1, {"min_count": 0}, "min_count"),
    (np.zeros((5, 2)), np.zeros((2, 2)), 0.1, {"radius_sigmas": 0.0}, "radius_sigmas"),
    (np.zeros((5, 2)), np.full((2, 2), np.nan), 0.1, {}, "modes must be finite"),
])
def test_bad_shapes_and_parameters(samples, modes, sigma, kwargs, message):
    with pytest.raises(ValueError, match=message):
        mode_coverage(samples, modes, sigma, **kwargs)


def test_metric_module_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from keras_genzoo.metrics.mode_coverage import mode_coverage\n"
        "mode_coverage([[0.0, 0.0]], [[0.0, 0.0]], 1.0)\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                            timeout=60)
    assert result.returncode == 0, result.stderr
