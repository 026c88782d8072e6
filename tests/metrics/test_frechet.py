"""Frechet distance: FID(X, X) = 0 even for singular covariances, the closed forms for
Gaussians, a stable tr(sqrt(S_a S_b)), and the statistics cache."""

import math
import subprocess
import sys

import numpy as np
import pytest
import scipy.linalg

from keras_genzoo.errors import ConfigError, DataError
from keras_genzoo.metrics.frechet import (
    FeatureStatistics,
    frechet_distance,
    frechet_distance_of_features,
    trace_sqrt_product,
)


def _random_rotation(dimension, rng):
    q, r = np.linalg.qr(rng.normal(size=(dimension, dimension)))
    return q * np.sign(np.diag(r))


def _random_psd(dimension, rank, rng, scale=1.0):
    factor = rng.normal(size=(dimension, rank)) * scale
    return factor @ factor.T


@pytest.mark.parametrize("count, dimension, scale", [
    (1000, 8, 1.0),      # well-conditioned
    (5, 64, 1.0),        # N < D: covariance of rank 4 in 64 dimensions
    (40, 64, 30.0),      # singular and large: round-off scales with the features
    (2, 3, 1e-3),        # the smallest sample, rank 1
])
def test_fid_of_a_set_with_itself_is_zero(count, dimension, scale):
    features = np.random.default_rng(count).normal(size=(count, dimension)) * scale + 5.0
    distance = frechet_distance_of_features(features, features)
    assert not math.isnan(distance)
    assert 0.0 <= distance < 1e-6


def test_fid_of_identical_singular_statistics_is_zero_in_float32_too():
    features = np.random.default_rng(3).normal(size=(10, 128)).astype(np.float32)
    stats = FeatureStatistics.from_features(features)
    assert np.linalg.matrix_rank(stats.covariance) == 9
    assert frechet_distance(stats, stats) < 1e-6


def test_fid_of_diagonal_gaussians_is_the_closed_form():
    # for commuting covariances sqrt(S_a S_b) = sqrt(S_a) sqrt(S_b), so
    # d^2 = ||mu_a - mu_b||^2 + sum (sqrt(s_a) - sqrt(s_b))^2
    mean_a = np.array([0.0, 1.0, -2.0, 0.5])
    mean_b = np.array([1.0, 1.0, 0.0, 0.5])
    variances_a = np.array([1.0, 4.0, 0.25, 9.0])
    variances_b = np.array([4.0, 1.0, 0.25, 0.0])   # one degenerate direction
    expected = 1.0 + 0.0 + 4.0 + 0.0 + (1.0 + 1.0 + 0.0 + 9.0)
    a = FeatureStatistics(mean_a, np.diag(variances_a), 100)
    b = FeatureStatistics(mean_b, np.diag(variances_b), 100)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-12)
    assert frechet_distance(b, a) == pytest.approx(expected, rel=1e-12)


def test_fid_of_rotated_commuting_gaussians_is_the_closed_form():
    # the same eigenbasis (rotated away from the axes) keeps the covariances commuting
    rng = np.random.default_rng(1)
    rotation = _random_rotation(6, rng)
    variances_a = rng.uniform(0.1, 3.0, size=6)
    variances_b = rng.uniform(0.1, 3.0, size=6)
    shift = rng.normal(size=6)
    a = FeatureStatistics(np.zeros(6), rotation @ np.diag(variances_a) @ rotation.T, 10)
    b = FeatureStatistics(shift, rotation @ np.diag(variances_b) @ rotation.T, 10)
    expected = shift @ shift + np.sum((np.sqrt(variances_a) - np.sqrt(variances_b)) ** 2)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-10)


def test_fid_of_non_commuting_gaussians_matches_scipy_sqrtm():
    rng = np.random.default_rng(2)
    dimension = 12
    sigma_a = _random_psd(dimension, 3 * dimension, rng) / dimension + 0.5 * np.eye(dimension)
    sigma_b = _random_psd(dimension, 3 * dimension, rng) / dimension + 0.2 * np.eye(dimension)
    assert not np.allclose(sigma_a @ sigma_b, sigma_b @ sigma_a)
    mean_a, mean_b = rng.normal(size=dimension), rng.normal(size=dimension)
    reference_trace = np.trace(scipy.linalg.sqrtm(sigma_a @ sigma_b)).real
    expected = (np.sum((mean_a - mean_b) ** 2) + np.trace(sigma_a) + np.trace(sigma_b)
                - 2.0 * reference_trace)
    assert trace_sqrt_product(sigma_a, sigma_b) == pytest.approx(reference_trace, rel=1e-10)
    distance = frechet_distance(FeatureStatistics(mean_a, sigma_a, 2),
                                FeatureStatistics(mean_b, sigma_b, 2))
    assert distance == pytest.approx(expected, rel=1e-9)


def test_fid_of_large_samples_approaches_the_closed_form():
    rng = np.random.default_rng(4)
    count = 200_000
    mean_b = np.array([1.0, 0.0, -1.0])
    scales_a = np.array([1.0, 2.0, 0.5])
    scales_b = np.array([2.0, 1.0, 0.5])
    features_a = rng.normal(size=(count, 3)) * scales_a
    features_b = rng.normal(size=(count, 3)) * scales_b + mean_b
    expected = mean_b @ mean_b + np.sum((scales_a - scales_b) ** 2)   # 2 + 2 = 4
    # sampling error of means and covariances is O(1 / sqrt(N)) ~ 0.002 here
    assert frechet_distance_of_features(features_a, features_b) == pytest.approx(expected, rel=0.01)


def test_trace_sqrt_product_of_rank_one_matrices_is_the_absolute_inner_product():
    # u u^T v v^T = (u . v) u v^T has the single non-zero eigenvalue (u . v)^2
    u = np.array([1.0, 2.0, 0.0, -1.0])
    v = np.array([0.5, -1.0, 3.0, 2.0])
    assert trace_sqrt_product(np.outer(u, u), np.outer(v, v)) == pytest.approx(
        abs(u @ v), rel=1e-10)


def test_trace_sqrt_product_never_returns_nan():
    rng = np.random.default_rng(5)
    few_samples = rng.normal(size=(5, 64))
    singular_a = np.cov(few_samples, rowvar=False)
    singular_b = np.cov(rng.normal(size=(5, 64)), rowvar=False)
    zero = np.zeros((64, 64))
    # an eigenvalue of -1e-12: "PSD up to round-off"
    rotation = _random_rotation(64, rng)
    eigenvalues = np.concatenate([rng.uniform(0.5, 2.0, size=60), [-1e-12, -1e-14, 0.0, 1e-15]])
    slightly_indefinite = rotation @ np.diag(eigenvalues) @ rotation.T
    cases = [(singular_a, singular_b), (singular_a, zero), (zero, zero),
             (slightly_indefinite, singular_a), (slightly_indefinite, slightly_indefinite)]
    for sigma_a, sigma_b in cases:
        value = trace_sqrt_product(sigma_a, sigma_b)
        assert math.isfinite(value) and value >= 0.0
    assert trace_sqrt_product(zero, zero) == 0.0
    assert trace_sqrt_product(singular_a, zero) == 0.0
    # with itself, tr(sqrt(S^2)) = tr(S): exact to round-off only if the null space's
    # round-off eigenvalues are not square-rooted (sqrt(1e-16) = 1e-8 each would show)
    assert trace_sqrt_product(singular_a, singular_a) == pytest.approx(
        np.trace(singular_a), rel=1e-12)
    # and the negative round-off eigenvalues count as 0
    assert trace_sqrt_product(slightly_indefinite, slightly_indefinite) == pytest.approx(
        eigenvalues[:60].sum(), rel=1e-12)


def test_trace_sqrt_product_is_symmetric_in_its_arguments():
    rng = np.random.default_rng(6)
    pairs = [(_random_psd(20, 40, rng), _random_psd(20, 40, rng)),
             (_random_psd(20, 3, rng), _random_psd(20, 7, rng))]   # singular
    for sigma_a, sigma_b in pairs:
        forward = trace_sqrt_product(sigma_a, sigma_b)
        backward = trace_sqrt_product(sigma_b, sigma_a)
        assert forward == pytest.approx(backward, rel=1e-12)


def test_feature_statistics_are_the_sample_mean_and_unbiased_covariance():
    features = np.random.default_rng(7).normal(size=(30, 4)).astype(np.float32)
    stats = FeatureStatistics.from_features(features)
    assert stats.count == 30 and stats.dimension == 4
    assert stats.mean.dtype == np.float64 and stats.covariance.dtype == np.float64
    np.testing.assert_allclose(stats.mean, features.astype(np.float64).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance,
                               np.cov(features.astype(np.float64), rowvar=False, ddof=1),
                               rtol=1e-12)
    np.testing.assert_array_equal(stats.covariance, stats.covariance.T)


def test_feature_statistics_save_load_round_trip(tmp_path):
    stats = FeatureStatistics.from_features(np.random.default_rng(8).normal(size=(20, 5)))
    path = tmp_path / "cache" / "reference-stats.npz"
    stats.save(path)
    loaded = FeatureStatistics.load(path)
    np.testing.assert_array_equal(loaded.mean, stats.mean)
    np.testing.assert_array_equal(loaded.covariance, stats.covariance)
    assert loaded.count == 20
    # the temporary file was moved into place, not left behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["reference-stats.npz"]

    # overwriting replaces the file; a name without .npz is kept as given
    other = FeatureStatistics(np.ones(5), np.eye(5), 3)
    other.save(path)
    assert FeatureStatistics.load(path).count == 3
    bare = tmp_path / "stats"
    other.save(bare)
    assert bare.is_file() and FeatureStatistics.load(bare).count == 3


def test_loading_a_missing_or_corrupt_statistics_file_names_it(tmp_path):
    with pytest.raises(DataError, match="missing.npz"):
        FeatureStatistics.load(tmp_path / "missing.npz")
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="corrupt.npz"):
        FeatureStatistics.load(corrupt)
    mismatched = tmp_path / "mismatched.npz"
    np.savez(mismatched, mean=np.zeros(3), covariance=np.eye(4), count=5)
    with pytest.raises(DataError, match="mismatched.npz.*3x3"):
        FeatureStatistics.load(mismatched)


def test_user_mistakes_raise_config_errors():
    with pytest.raises(ConfigError, match="at least 2 samples, got 1"):
        FeatureStatistics.from_features(np.zeros((1, 3)))
    with pytest.raises(ConfigError, match="2-D"):
        FeatureStatistics.from_features(np.zeros(3))
    with pytest.raises(ConfigError, match="NaN"):
        FeatureStatistics.from_features(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(ConfigError, match="dimensions differ: 3 and 4"):
        frechet_distance_of_features(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ConfigError, match="3x3"):
        FeatureStatistics(np.zeros(3), np.eye(4), 5)
    with pytest.raises(ConfigError, match="square"):
        trace_sqrt_product(np.zeros((3, 4)), np.zeros((3, 4)))


def test_metric_math_modules_do_not_import_tensorflow():
    code = (
        "import sys\n"
        "import keras_genzoo.metrics.frechet, keras_genzoo.metrics.kernel_distance\n"
        "import keras_genzoo.metrics.inception_score, keras_genzoo.metrics.prdc\n"
        "import keras_genzoo.metrics.reconstruction\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
