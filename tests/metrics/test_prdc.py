"""Precision, recall, density and coverage: k-th neighbour radii against a sort,
identical and disjoint sets, a hand-worked 1-D case with ties, a brute-force
reference, and independence of the row blocking."""

import numpy as np
import pytest

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics import prdc as prdc_module
from keras_genzoo.metrics.prdc import (
    density_coverage,
    kth_neighbour_radii,
    precision_recall,
    prdc,
)


def _radii_by_sorting(features, k):
    radii = []
    for i, point in enumerate(features):
        others = np.delete(features, i, axis=0)
        radii.append(np.sort(np.linalg.norm(others - point, axis=1))[k - 1])
    return np.array(radii)


def _prdc_by_loops(real, fake, k_pr, k_dc):
    """The papers' definitions written out point by point."""
    real_radii_pr = _radii_by_sorting(real, k_pr)
    fake_radii_pr = _radii_by_sorting(fake, k_pr)
    real_radii_dc = _radii_by_sorting(real, k_dc)

    def distance(x, y):
        return float(np.linalg.norm(x - y))

    precision = np.mean([any(distance(y, x) <= r for x, r in zip(real, real_radii_pr))
                         for y in fake])
    recall = np.mean([any(distance(x, y) <= r for y, r in zip(fake, fake_radii_pr))
                      for x in real])
    density = sum(distance(y, x) < r for y in fake for x, r in zip(real, real_radii_dc)) / (
        k_dc * len(fake))
    coverage = np.mean([min(distance(x, y) for y in fake) < r
                        for x, r in zip(real, real_radii_dc)])
    return {"precision": precision, "recall": recall, "density": density, "coverage": coverage}


@pytest.mark.parametrize("k", [1, 3, 5])
def test_kth_neighbour_radii_match_a_brute_force_sort(k):
    features = np.random.default_rng(k).normal(size=(40, 5))
    np.testing.assert_allclose(kth_neighbour_radii(features, k), _radii_by_sorting(features, k),
                               rtol=1e-10)


def test_a_duplicate_is_another_point_at_distance_zero():
    # the point itself is excluded by index, so its copy is its nearest neighbour
    features = np.array([[0.0], [0.0], [3.0], [7.0]])
    np.testing.assert_array_equal(kth_neighbour_radii(features, 1), [0.0, 0.0, 3.0, 4.0])
    np.testing.assert_array_equal(kth_neighbour_radii(features, 2), [3.0, 3.0, 3.0, 7.0])


def test_hand_worked_one_dimensional_example():
    # real = 0, 1, 2, 4, 8; k = 2: radii 2, 1, 2, 3, 6
    #   (e.g. from 2 the others lie at 1, 2, 2, 6, so the 2nd nearest is at 2).
    # fake = 4, 4.5, 6, 20; k = 2: radii 2, 1.5, 2, 15.5.
    # precision (closed real balls, union [-2, 14]): 4, 4.5, 6 in, 20 out -> 3/4.
    # recall (closed fake balls [2, 6], [3, 6], [4, 8], [4.5, 35.5]): 2 (on the boundary
    #   of the ball of 4: |2 - 4| = 2 <= 2), 4 and 8 in; 0 and 1 out -> 3/5.
    # density (open real balls (-2, 2), (0, 2), (0, 4), (1, 7), (2, 14)): 4 lies in
    #   (1, 7) and (2, 14) but not in (0, 4) (its boundary); 4.5 and 6 in the same two;
    #   20 in none -> (2 + 2 + 2 + 0) / (k * 4) = 6 / 8.
    # coverage (open real balls): nearest fakes are at 4, 3, 2, 0, 2 against radii
    #   2, 1, 2, 3, 6: only 4 and 8 are covered (2 ties and is not) -> 2/5.
    # All distances here are exact in float64, so the ties are real ties.
    real = np.array([0.0, 1.0, 2.0, 4.0, 8.0])[:, None]
    fake = np.array([4.0, 4.5, 6.0, 20.0])[:, None]
    np.testing.assert_array_equal(kth_neighbour_radii(real, 2), [2.0, 1.0, 2.0, 3.0, 6.0])
    np.testing.assert_array_equal(kth_neighbour_radii(fake, 2), [2.0, 1.5, 2.0, 15.5])
    assert precision_recall(real, fake, k=2) == (0.75, 0.6)
    assert density_coverage(real, fake, k=2) == (0.75, 0.4)
    assert prdc(real, fake, k_precision_recall=2, k_density_coverage=2) == {
        "precision": 0.75, "recall": 0.6, "density": 0.75, "coverage": 0.4}


def test_identical_sets():
    # Integer coordinates keep every distance exact, so ties are decided exactly.
    # - precision = recall = 1: every point lies in its own ball (distance 0 <= radius).
    # - coverage = 1: each real point's nearest fake is its copy, at 0 < radius.
    # - density = (mean number of real balls containing a fake) / k. The copy of x_j
    #   lies strictly inside the ball of x_j itself and inside the balls of the
    #   points that have x_j among their k - 1 nearest neighbours; a point's k-th
    #   neighbour sits on the boundary of its open ball and does not count. Each
    #   ball thus contains exactly k of the points, the mean count is k and
    #   density = 1 exactly (it would be (k + 1) / k with closed balls).
    rng = np.random.default_rng(0)
    features = rng.integers(0, 1000, size=(60, 3)).astype(np.float64)
    for k in (3, 5):
        # the premise: no point's (k-1)-th and k-th neighbours are equidistant
        for i in range(len(features)):
            distances = np.sort(np.linalg.norm(np.delete(features, i, axis=0) - features[i],
                                               axis=1))
            assert 0.0 < distances[k - 2] < distances[k - 1]
    for k in (3, 5):
        assert precision_recall(features, features, k=k) == (1.0, 1.0)
        assert density_coverage(features, features, k=k) == (1.0, 1.0)
    assert prdc(features, features) == {
        "precision": 1.0, "recall": 1.0, "density": 1.0, "coverage": 1.0}


def test_two_samples_of_one_distribution_score_near_one():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(1500, 4))
    fake = rng.normal(size=(1500, 4))
    scores = prdc(real, fake)
    # precision and recall sit a little below 1 (a sample can fall just outside
    # every k-NN ball of the other set); density's expectation is 1, and coverage's is
    # 1 - prod_{i=1..k} (N - i) / (M + N - i) ~ 1 - 2^-k (Naeem et al. 2020, section 3)
    assert scores["precision"] > 0.9 and scores["recall"] > 0.9
    assert scores["density"] == pytest.approx(1.0, abs=0.05)
    expected_coverage = 1.0 - np.prod([(1500 - i) / (3000 - i) for i in range(1, 6)])
    assert expected_coverage == pytest.approx(1.0 - 2.0**-5, abs=1e-3)
    assert scores["coverage"] == pytest.approx(expected_coverage, abs=0.015)


def test_disjoint_far_apart_sets_score_zero():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(50, 3))
    fake = rng.normal(size=(40, 3)) + 1000.0
    assert prdc(real, fake) == {
        "precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_matches_the_definitions_written_as_loops():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(30, 3))
    fake = rng.normal(size=(25, 3)) * 1.5 + 0.5
    expected = _prdc_by_loops(real, fake, k_pr=3, k_dc=5)
    scores = prdc(real, fake)
    assert scores == pytest.approx(expected, abs=1e-12)
    assert 0.0 < scores["precision"] < 1.0 and 0.0 < scores["coverage"] < 1.0
    assert precision_recall(real, fake) == (scores["precision"], scores["recall"])
    assert density_coverage(real, fake) == (scores["density"], scores["coverage"])


def test_results_do_not_depend_on_the_row_blocks(monkeypatch):
    rng = np.random.default_rng(4)
    real = rng.normal(size=(70, 6))
    fake = rng.normal(size=(55, 6)) + 0.3
    whole = prdc(real, fake)
    radii = kth_neighbour_radii(real, 3)
    # 7 rows of 70 columns per block: blocks start mid-matrix, so the diagonal
    # that excludes each point from its own neighbours is offset
    monkeypatch.setattr(prdc_module, "_BLOCK_BYTES", 8 * 70 * 7)
    # Blocks of another shape may take another BLAS kernel (Intel and AMD differ):
    # the same distances up to rounding (one ulp, ~1e-16, seen), never the wrong
    # neighbour, whose radius would differ by orders of magnitude more.
    assert prdc(real, fake) == pytest.approx(whole, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(kth_neighbour_radii(real, 3), radii, rtol=1e-12, atol=0)


def test_distance_blocks_stay_within_the_memory_budget():
    # 10,000 x 10,000 distances are 800 MB in float64; a block is capped at 64 MiB
    assert prdc_module._BLOCK_BYTES <= 200 * 2**20
    rng = np.random.default_rng(5)
    rows = rng.normal(size=(2000, 2))
    columns = rng.normal(size=(10_000, 2))
    covered = 0
    for start, stop, block in prdc_module._distance_blocks(rows, columns):
        assert block.nbytes <= prdc_module._BLOCK_BYTES
        assert block.shape == (stop - start, 10_000)
        covered += stop - start
    assert covered == 2000
    np.testing.assert_allclose(block[-1, :5], np.linalg.norm(columns[:5] - rows[-1], axis=1),
                               rtol=1e-9)


def test_user_mistakes_raise_config_errors():
    three = np.zeros((3, 2))
    four = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ConfigError,
                       match=r"precision/recall need more than k = 3 samples per set, got 3"):
        precision_recall(four, three)
    with pytest.raises(ConfigError,
                       match=r"density/coverage need more than k = 5 samples per set, got 4"):
        density_coverage(np.zeros((9, 2)), four)
    with pytest.raises(ConfigError, match=r"density/coverage need more than k = 5"):
        prdc(four, four)
    with pytest.raises(ConfigError, match=r"k-th neighbour radii need more than k = 3 .* got 3"):
        kth_neighbour_radii(three, 3)
    with pytest.raises(ConfigError, match="positive integer k, got 0"):
        precision_recall(four, four, k=0)
    with pytest.raises(ConfigError, match="dimensions differ: 2 and 3"):
        prdc(np.zeros((9, 2)), np.zeros((9, 3)))
    with pytest.raises(ConfigError, match="2-D"):
        kth_neighbour_radii(np.zeros(9), 3)
