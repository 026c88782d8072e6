"""Frechet distance between Gaussian fits of two feature sets (FID).

Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to
a Local Nash Equilibrium" (arXiv:1706.08500), eq. 6: fit a Gaussian to the
features of real and of generated images and report the Frechet (2-Wasserstein)
distance between the two fits, whose closed form (Dowson & Landau 1982) is

    d^2 = ||mu_a - mu_b||^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2)).

With Inception pool3 features this is the FID of the literature; with any other
extractor it is a Frechet distance in that extractor's feature space, and numbers
from different extractors (or sample counts: the estimator is biased, the bias
shrinking with N) are not comparable.

NumPy only: callers pass ``[N, D]`` feature arrays (float32 or float64); all
arithmetic is float64 and results are Python floats.
"""

import dataclasses
from pathlib import Path

import numpy as np

from keras_genzoo import runs
from keras_genzoo.errors import ConfigError, DataError


def feature_matrix(features, name="features"):
    """``features`` as a finite float64 ``[N, D]`` array, or a one-line ConfigError."""
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ConfigError(f"{name} must be a 2-D array [N, D], got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ConfigError(f"{name} contain NaN or infinite values")
    return array


# eq=False: a generated __eq__ would compare the arrays elementwise and fail with
# "truth value of an array is ambiguous".
@dataclasses.dataclass(frozen=True, eq=False)
class FeatureStatistics:
    """Mean, unbiased covariance and sample count of a feature set.

    This is all FID needs from a feature set, so reference statistics of a
    dataset can be computed once and cached (:meth:`save` / :meth:`load`).
    """

    mean: np.ndarray
    covariance: np.ndarray
    count: int

    def __post_init__(self):
        mean = np.asarray(self.mean, dtype=np.float64)
        covariance = np.asarray(self.covariance, dtype=np.float64)
        if mean.ndim != 1:
            raise ConfigError(f"FeatureStatistics.mean must be 1-D, got shape {mean.shape}")
        if covariance.shape != (mean.size, mean.size):
            raise ConfigError(
                f"FeatureStatistics.covariance must be {mean.size}x{mean.size} to match the "
                f"mean, got shape {covariance.shape}")
        # frozen dataclass: normalise the fields through object.__setattr__
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "covariance", covariance)
        object.__setattr__(self, "count", int(self.count))

    @property
    def dimension(self):
        """The feature dimension D."""
        return self.mean.size

    @classmethod
    def from_features(cls, features):
        """Statistics of ``[N, D]`` features; the covariance is unbiased (ddof = 1), N >= 2."""
        features = feature_matrix(features)
        count = features.shape[0]
        if count < 2:
            raise ConfigError(f"feature statistics need at least 2 samples, got {count}")
        mean = features.mean(axis=0)
        centred = features - mean
        covariance = centred.T @ centred / (count - 1)
        # the product is symmetric in exact arithmetic; make it so bit for bit
        covariance = (covariance + covariance.T) / 2.0
        return cls(mean=mean, covariance=covariance, count=count)

    def save(self, path):
        """Write ``mean``, ``covariance`` and ``count`` to ``path`` (.npz) atomically.

        Through :func:`keras_genzoo.runs.atomic_write`: a reader never sees half a
        cache file and an interrupted write leaves the previous file intact.
        """
        # through the open file: np.savez would append ".npz" to a bare name
        with runs.atomic_write(path, binary=True) as stream:
            np.savez(stream, mean=self.mean, covariance=self.covariance,
                     count=np.int64(self.count))

    @classmethod
    def load(cls, path):
        """Read statistics written by :meth:`save`; a missing or unreadable file is a DataError."""
        path = Path(path)
        if not path.is_file():
            raise DataError(f"feature statistics file not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as stored:
                return cls(mean=stored["mean"], covariance=stored["covariance"],
                           count=int(stored["count"]))
        except (OSError, ValueError, KeyError, ConfigError) as error:
            raise DataError(f"cannot read feature statistics from {path}: {error}") from None


def _symmetric_matrix(matrix, name):
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ConfigError(f"{name} must be a square matrix, got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ConfigError(f"{name} contains NaN or infinite values")
    return (matrix + matrix.T) / 2.0


def _sqrt_psd(matrix):
    """The symmetric PSD square root of a symmetric matrix, via its eigendecomposition.

    Eigenvalues that are negative or within round-off of zero (below
    D * eps * largest, the tolerance ``numpy.linalg.matrix_rank`` uses) are set
    to zero: an eigenvalue of -1e-17 is round-off of a singular covariance, and
    taking the square root of round-off (1e-8 instead of 0) would leave errors of
    sqrt(eps) in every null direction, enough to make FID(X, X) visibly non-zero
    when N < D.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    largest = max(float(eigenvalues[-1]), 0.0)
    tolerance = matrix.shape[0] * np.finfo(np.float64).eps * largest
    roots = np.sqrt(np.where(eigenvalues > tolerance, eigenvalues, 0.0))
    return (eigenvectors * roots) @ eigenvectors.T


def trace_sqrt_product(sigma_a, sigma_b):
    """tr((S_a S_b)^(1/2)) for symmetric positive semi-definite S_a, S_b, without NaN.

    S_a S_b is not symmetric, and a general matrix square root of it
    (``scipy.linalg.sqrtm``) turns complex or NaN when the covariances are
    singular (N < D) or slightly indefinite from round-off. Instead: with
    A = S_a^(1/2) and B = S_b^(1/2) (symmetric PSD roots, :func:`_sqrt_psd`),
    S_a S_b = A (A B B) has the eigenvalues of (A B B) A = (A B)(A B)^T (X Y and
    Y X share their eigenvalues), so the eigenvalues of S_a S_b are the squared
    singular values of A B and

        tr((S_a S_b)^(1/2)) = sum of the singular values of A B.

    Singular values are computed to an absolute error of about eps * ||A B||,
    whereas taking square roots of computed eigenvalues of A S_b A would turn
    eps-sized round-off into sqrt(eps)-sized errors. The result is symmetric in
    its arguments ((A B)^T = B A has the same singular values).
    """
    sigma_a = _symmetric_matrix(sigma_a, "sigma_a")
    sigma_b = _symmetric_matrix(sigma_b, "sigma_b")
    if sigma_a.shape != sigma_b.shape:
        raise ConfigError(
            f"covariances differ in dimension: {sigma_a.shape[0]} and {sigma_b.shape[0]}")
    if sigma_a.size == 0:
        return 0.0
    product_of_roots = _sqrt_psd(sigma_a) @ _sqrt_psd(sigma_b)
    singular_values = np.linalg.svd(product_of_roots, compute_uv=False)
    return float(singular_values.sum())


def frechet_distance(stats_a, stats_b):
    """Squared Frechet distance between the Gaussians N(mu_a, S_a) and N(mu_b, S_b).

    Heusel et al. 2017, eq. 6. Round-off can make the difference of traces
    slightly negative when the two fits coincide; the result is clipped at 0.
    """
    if stats_a.dimension != stats_b.dimension:
        raise ConfigError(
            f"feature dimensions differ: {stats_a.dimension} and {stats_b.dimension} "
            "(were both sets computed with the same feature extractor?)")
    mean_difference = stats_a.mean - stats_b.mean
    distance = (mean_difference @ mean_difference
                + np.trace(stats_a.covariance) + np.trace(stats_b.covariance)
                - 2.0 * trace_sqrt_product(stats_a.covariance, stats_b.covariance))
    return max(float(distance), 0.0)


def frechet_distance_of_features(features_a, features_b):
    """:func:`frechet_distance` of the Gaussian fits of two ``[N, D]`` feature sets."""
    return frechet_distance(FeatureStatistics.from_features(feature_matrix(features_a, "features_a")),
                            FeatureStatistics.from_features(feature_matrix(features_b, "features_b")))
