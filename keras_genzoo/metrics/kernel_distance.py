"""Kernel inception distance (KID): unbiased MMD^2 with a cubic polynomial kernel.

Binkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD GANs"
(arXiv:1801.01401), section 3 and appendix: KID is the squared maximum mean
discrepancy between the feature distributions of real and generated images
under the kernel k(x, y) = (x . y / d + 1)^3, estimated with the unbiased
U-statistic. Unlike FID its estimator has no bias in the sample size, so values
from different N are comparable in expectation; it can be (slightly) negative
when the two distributions are equal.

Following the paper's reference implementation, the estimate is averaged over
random subsets (each drawn without replacement), which bounds the cost at
O(num_subsets * subset_size^2 * d) however many features there are, and the
spread over subsets is reported as its standard deviation.

NumPy only; float64 arithmetic; Python floats out.
"""

import numpy as np

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics.frechet import feature_matrix



def _matching_feature_sets(a, b, names, minimum):
    a = feature_matrix(a, names[0])
    b = feature_matrix(b, names[1])
    if a.shape[1] != b.shape[1]:
        raise ConfigError(
            f"feature dimensions differ: {a.shape[1]} and {b.shape[1]} "
            "(were both sets computed with the same feature extractor?)")
    for name, array in zip(names, (a, b)):
        if array.shape[0] < minimum:
            raise ConfigError(
                f"the unbiased MMD estimate needs at least {minimum} samples per set, "
                f"got {array.shape[0]} in {name}")
    return a, b


def polynomial_kernel(a, b, degree=3, gamma=None, coef0=1.0):
    """The Gram matrix k(a_i, b_j) = (gamma * a_i . b_j + coef0)^degree, ``[N_a, N_b]``.

    ``gamma`` defaults to 1 / d, the feature dimension; with ``degree=3`` and
    ``coef0=1`` this is KID's kernel (Binkowski et al. 2018, section 3).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if gamma is None:
        gamma = 1.0 / a.shape[1]
    base = a @ b.T
    base *= gamma
    base += coef0
    if degree == 1:
        return base
    if isinstance(degree, (int, np.integer)) and degree >= 2:
        # repeated products: numpy's power has no fast path for a cube (about 6x
        # slower here), and this runs on 1000 x 1000 blocks 300 times per KID
        kernel = base * base
        for _ in range(degree - 2):
            kernel *= base
        return kernel
    return np.power(base, degree)


def _mmd2_unbiased_from_kernels(kernel_aa, kernel_bb, kernel_ab):
    """The U-statistic: within-set means over pairs i != j, cross-set mean over all pairs.

    MMD^2_u = sum_{i != j} k(a_i, a_j) / (m (m - 1)) + sum_{i != j} k(b_i, b_j) / (n (n - 1))
              - 2 sum_{i, j} k(a_i, b_j) / (m n)
    """
    m = kernel_aa.shape[0]
    n = kernel_bb.shape[0]
    within_a = (kernel_aa.sum() - np.trace(kernel_aa)) / (m * (m - 1))
    within_b = (kernel_bb.sum() - np.trace(kernel_bb)) / (n * (n - 1))
    across = kernel_ab.sum() / (m * n)
    return float(within_a + within_b - 2.0 * across)


def mmd2_unbiased(a, b):
    """Unbiased estimate of MMD^2 between the distributions of ``a`` and ``b`` (cubic kernel).

    Binkowski et al. 2018, section 3 (the U-statistic: the diagonals k(x_i, x_i)
    are left out, which removes the estimator's bias and lets it go below zero).
    The sets may differ in size; each needs at least 2 samples.
    """
    a, b = _matching_feature_sets(a, b, ("a", "b"), minimum=2)
    return _mmd2_unbiased_from_kernels(
        polynomial_kernel(a, a), polynomial_kernel(b, b), polynomial_kernel(a, b))


def kernel_inception_distance(real, fake, *, num_subsets=100, subset_size=1000, seed=0):
    """KID between two feature sets: mean and standard deviation of MMD^2_u over subsets.

    Each of ``num_subsets`` rounds draws ``subset_size`` rows of ``real`` and then
    of ``fake``, each without replacement, from ``numpy.random.default_rng(seed)``
    (so the result is reproducible), and computes :func:`mmd2_unbiased` on them.
    ``subset_size`` is lowered to the size of the smaller set. The standard
    deviation is the population one (ddof = 0), as in the paper's code.

    Returns:
        ``(mean, std)`` as Python floats.
    """
    real, fake = _matching_feature_sets(real, fake, ("real", "fake"), minimum=2)
    if num_subsets < 1:
        raise ConfigError(f"num_subsets must be at least 1, got {num_subsets}")
    if subset_size < 2:
        raise ConfigError(f"subset_size must be at least 2, got {subset_size}")
    subset_size = min(subset_size, real.shape[0], fake.shape[0])
    generator = np.random.default_rng(seed)
    estimates = np.empty(num_subsets)
    for index in range(num_subsets):
        real_subset = real[generator.choice(real.shape[0], subset_size, replace=False)]
        fake_subset = fake[generator.choice(fake.shape[0], subset_size, replace=False)]
        estimates[index] = _mmd2_unbiased_from_kernels(
            polynomial_kernel(real_subset, real_subset),
            polynomial_kernel(fake_subset, fake_subset),
            polynomial_kernel(real_subset, fake_subset))
    return float(estimates.mean()), float(estimates.std())
