"""Mode coverage of samples from a known Gaussian mixture (NumPy only).

The benchmark of the GAN family asks how many modes of a 2-D mixture a
generator reaches and how much of its output lands on a mode at all. Both
numbers follow the literature's conventions:

- **high-quality sample** (VEEGAN, Srivastava et al. 2017, section 5.1): a
  sample within three standard deviations (Euclidean distance) of the mode
  nearest to it. For an isotropic 2-D Gaussian the squared distance over
  sigma^2 is chi-squared with 2 degrees of freedom, so a perfect generator
  has a high-quality fraction of P(chi2_2 <= 9) = 1 - exp(-4.5) = 0.9889;
- **covered mode** (PacGAN, Lin et al. 2018, synthetic-data experiments): a
  mode on which at least 20 high-quality samples fall, out of 2,500
  generated samples.

This module counts with the same rule (``min_count=20``,
``radius_sigmas=3``) for any number of samples, but the thresholds are only
comparable with published numbers at N = 2,500, which is what
``benchmarks/mode_coverage.py`` uses: with many more samples even uniform
noise puts 20 points within 3 sigma of every mode.

No TensorFlow here: the metric runs on NumPy arrays of generated points.
"""

import dataclasses

import numpy as np

# Shared with the scatter plots, which draw the high-quality radius.
DEFAULT_RADIUS_SIGMAS = 3.0
#: samples a 2-D model is scored on: the thresholds (20 samples within 3 sigma) assume
#: PacGAN's 2,500
POINT_SAMPLES = 2500
DEFAULT_MIN_COUNT = 20


# eq=False: a generated __eq__ would compare the ``counts`` arrays elementwise
# and fail with "truth value of an array is ambiguous".
@dataclasses.dataclass(frozen=True, eq=False)
class ModeCoverage:
    """The result of :func:`mode_coverage`.

    ``modes_covered`` of ``num_modes`` modes have at least ``min_count``
    high-quality samples; ``high_quality_fraction`` is the share of all
    ``num_samples`` samples that are high quality; ``counts[k]`` is the number
    of high-quality samples whose nearest mode is ``k`` (int64 ``[K]``).
    """

    modes_covered: int
    num_modes: int
    high_quality_fraction: float
    counts: np.ndarray
    num_samples: int


def mode_coverage(samples, modes, sigma, *, min_count=DEFAULT_MIN_COUNT,
                  radius_sigmas=DEFAULT_RADIUS_SIGMAS):
    """Count the modes reached by ``samples`` and their high-quality share.

    Args:
        samples: ``[N, D]`` generated points (D = 2 for the toy2d mixtures).
        modes: ``[K, D]`` mode centres of the mixture.
        sigma: the components' standard deviation (isotropic).
        min_count: high-quality samples a mode needs to count as covered
            (PacGAN's 20, for N = 2,500).
        radius_sigmas: a sample is high quality when its Euclidean distance
            to its nearest mode is at most ``radius_sigmas * sigma`` (VEEGAN
            section 5.1's three standard deviations).

    Each sample is attributed only to its nearest mode. A sample with a NaN
    or infinite coordinate (a diverged generator) is never high quality.

    Returns:
        :class:`ModeCoverage`.
    """
    samples = np.asarray(samples, dtype=np.float64)
    modes = np.asarray(modes, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[0] < 1:
        raise ValueError(f"samples must have shape [N, D] with N >= 1, got {samples.shape}")
    if modes.ndim != 2 or modes.shape[0] < 1:
        raise ValueError(f"modes must have shape [K, D] with K >= 1, got {modes.shape}")
    if samples.shape[1] != modes.shape[1]:
        raise ValueError(
            f"samples are {samples.shape[1]}-dimensional but modes are "
            f"{modes.shape[1]}-dimensional"
        )
    if not np.all(np.isfinite(modes)):
        raise ValueError("modes must be finite")
    sigma = float(sigma)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive number, got {sigma}")
    radius_sigmas = float(radius_sigmas)
    if not (np.isfinite(radius_sigmas) and radius_sigmas > 0):
        raise ValueError(f"radius_sigmas must be a positive number, got {radius_sigmas}")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) \
            or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, got {min_count!r}")

    # [N, K] squared distances (squares: no square root per pair), summed one
    # coordinate at a time so that memory stays N * K rather than N * K * D.
    squared = np.zeros((len(samples), len(modes)))
    for dim in range(samples.shape[1]):
        squared += (samples[:, dim, None] - modes[None, :, dim]) ** 2
    finite = np.all(np.isfinite(samples), axis=1)
    squared[~finite] = np.inf  # argmin would otherwise pick the first NaN column
    nearest = np.argmin(squared, axis=1)
    nearest_squared = squared[np.arange(len(samples)), nearest]
    high_quality = nearest_squared <= (radius_sigmas * sigma) ** 2
    counts = np.bincount(nearest[high_quality], minlength=len(modes)).astype(np.int64)
    return ModeCoverage(
        modes_covered=int(np.sum(counts >= min_count)),
        num_modes=len(modes),
        high_quality_fraction=float(np.mean(high_quality)),
        counts=counts,
        num_samples=len(samples),
    )
