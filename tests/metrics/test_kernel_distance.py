"""KID: the cubic polynomial kernel, the unbiased MMD^2 U-statistic against a double
loop, ~0 for two halves of one sample and clearly positive for a shifted one."""

import numpy as np
import pytest

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics.kernel_distance import (
    kernel_inception_distance,
    mmd2_unbiased,
    polynomial_kernel,
)


def _cubic_kernel(x, y):
    return (float(np.dot(x, y)) / len(x) + 1.0) ** 3


def _mmd2_by_double_loop(a, b):
    m, n = len(a), len(b)
    within_a = sum(_cubic_kernel(a[i], a[j]) for i in range(m) for j in range(m) if i != j)
    within_b = sum(_cubic_kernel(b[i], b[j]) for i in range(n) for j in range(n) if i != j)
    across = sum(_cubic_kernel(a[i], b[j]) for i in range(m) for j in range(n))
    return within_a / (m * (m - 1)) + within_b / (n * (n - 1)) - 2.0 * across / (m * n)


def test_polynomial_kernel_is_the_cubic_of_the_scaled_inner_product_plus_one():
    a = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    b = np.array([[2.0, 0.0, 1.0]])
    # a_0 . b_0 = 2, a_1 . b_0 = 3; gamma = 1/3
    np.testing.assert_allclose(polynomial_kernel(a, b), [[(2 / 3 + 1) ** 3], [(3 / 3 + 1) ** 3]],
                               rtol=1e-14)
    np.testing.assert_allclose(polynomial_kernel(a, b, degree=2, gamma=0.5, coef0=0.0),
                               [[1.0], [2.25]], rtol=1e-14)
    np.testing.assert_allclose(polynomial_kernel(a, b, degree=1, gamma=1.0, coef0=1.0),
                               [[3.0], [4.0]], rtol=1e-14)
    np.testing.assert_allclose(polynomial_kernel(a, b, degree=0.5, gamma=1.0, coef0=1.0),
                               [[np.sqrt(3.0)], [2.0]], rtol=1e-14)


@pytest.mark.parametrize("sizes", [(5, 7), (2, 2), (6, 3)])
def test_mmd2_unbiased_matches_a_double_loop(sizes):
    rng = np.random.default_rng(sum(sizes))
    a = rng.normal(size=(sizes[0], 4))
    b = rng.normal(size=(sizes[1], 4)) + 0.3
    assert mmd2_unbiased(a, b) == pytest.approx(_mmd2_by_double_loop(a, b), rel=1e-12, abs=1e-12)


def test_mmd2_unbiased_leaves_out_the_diagonal_and_can_be_negative():
    # the biased V-statistic of a set against itself is exactly 0; the U-statistic
    # drops the k(x_i, x_i) terms of the within-set sums, and here the diagonal is
    # the largest entry of the kernel matrix, so the estimate goes below zero
    a = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0]])
    assert mmd2_unbiased(a, a) < 0.0
    assert mmd2_unbiased(a, a) == pytest.approx(_mmd2_by_double_loop(a, a), rel=1e-12)


def test_kid_of_two_halves_of_one_sample_is_about_zero_and_a_shift_is_clearly_positive():
    rng = np.random.default_rng(0)
    sample = rng.normal(size=(2000, 16))
    first_half, second_half = sample[:1000], sample[1000:]
    same_mean, same_std = kernel_inception_distance(first_half, second_half, num_subsets=20,
                                                    subset_size=500)
    shifted_mean, shifted_std = kernel_inception_distance(first_half, second_half + 0.3,
                                                          num_subsets=20, subset_size=500)
    # an unbiased estimate of MMD^2 = 0 scatters around 0 ...
    assert abs(same_mean) < 3.0 * same_std
    # ... while a shift of 0.3 per coordinate is far from it
    assert shifted_mean > 10.0 * shifted_std
    assert abs(same_mean) < 0.05 * shifted_mean


def test_kid_grows_with_the_shift():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(600, 8))
    fake = rng.normal(size=(600, 8))
    means = [kernel_inception_distance(real, fake + shift, num_subsets=10, subset_size=300)[0]
             for shift in (0.25, 0.5, 1.0)]
    assert 0.0 < means[0] < means[1] < means[2]


def test_subsets_of_the_whole_sets_reproduce_mmd2_unbiased():
    # subset_size is lowered to the set size; a subset of all rows is a permutation
    # and the U-statistic does not depend on the order, so every subset gives the
    # full-set estimate and the spread is 0
    rng = np.random.default_rng(2)
    real = rng.normal(size=(30, 5))
    fake = rng.normal(size=(30, 5)) + 0.5
    mean, std = kernel_inception_distance(real, fake, num_subsets=4, subset_size=1000)
    assert mean == pytest.approx(mmd2_unbiased(real, fake), rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_kid_uses_the_smaller_set_size_and_is_reproducible_from_the_seed():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(50, 4))
    fake = rng.normal(size=(20, 4))
    first = kernel_inception_distance(real, fake, num_subsets=5, subset_size=1000, seed=7)
    again = kernel_inception_distance(real, fake, num_subsets=5, subset_size=1000, seed=7)
    other_seed = kernel_inception_distance(real, fake, num_subsets=5, subset_size=1000, seed=8)
    assert first == again
    assert first != other_seed
    # the fake subsets are all 20 rows; only the real subsets (20 of 50) vary
    assert first[1] > 0.0
    assert all(isinstance(value, float) for value in first)


def test_user_mistakes_raise_config_errors():
    two = np.zeros((2, 3))
    with pytest.raises(ConfigError, match="at least 2 samples per set, got 1 in fake"):
        kernel_inception_distance(two, np.zeros((1, 3)))
    with pytest.raises(ConfigError, match="at least 2 samples per set, got 1 in a"):
        mmd2_unbiased(np.zeros((1, 3)), two)
    with pytest.raises(ConfigError, match="dimensions differ: 3 and 4"):
        kernel_inception_distance(two, np.zeros((2, 4)))
    with pytest.raises(ConfigError, match="num_subsets"):
        kernel_inception_distance(two, two, num_subsets=0)
    with pytest.raises(ConfigError, match="subset_size"):
        kernel_inception_distance(two, two, subset_size=1)
    with pytest.raises(ConfigError, match="2-D"):
        kernel_inception_distance(np.zeros(3), two)
