"""The translation-quality metrics of keras_genzoo.metrics.translation, checked against
values worked out by hand."""

import numpy as np
import pytest

from keras_genzoo.metrics.translation import (
    DomainRows, kolmogorov_smirnov_per_feature, label_agreement, shared_feature_rmse,
    shared_features, translation_quality)


def test_shared_features_in_the_target_order():
    assert shared_features(["a", "b", "c"], ["c", "x", "a"]) == ["c", "a"]
    assert shared_features(["a"], ["b"]) == []


def test_identical_rows_give_rmse_zero_and_ks_statistic_zero():
    rng = np.random.default_rng(0)
    mean, std = np.array([10.0, -3.0]), np.array([2.0, 0.5])
    original = mean + std * rng.normal(size=(50, 2))
    translated = (original - mean) / std  # exactly the rows, in the target's units
    assert shared_feature_rmse(translated, original, ["a", "b"], ["a", "b"], mean,
                               std) == pytest.approx(0.0, abs=1e-12)
    ks = kolmogorov_smirnov_per_feature(translated, translated.copy(), ["a", "b"])
    for entry in ks.values():
        assert entry["statistic"] == pytest.approx(0.0, abs=1e-12)
        assert entry["p_value"] == pytest.approx(1.0)


def test_a_known_shift_gives_the_expected_rmse():
    # the target records b (its column 0) with mean 5 and std 2; the source's rows have
    # b = 9, i.e. (9 - 5) / 2 = 2 in the target's units; translations say 2.5 and 1.0
    source = np.array([[0.0, 9.0], [1.0, 9.0]])
    translated = np.array([[2.5, 7.0], [1.0, -7.0]])  # column 1 (c) is not shared
    rmse = shared_feature_rmse(translated, source, ["a", "b"], ["b", "c"],
                               np.array([5.0, 0.0]), np.array([2.0, 1.0]))
    assert rmse == pytest.approx(np.sqrt((0.5 ** 2 + 1.0 ** 2) / 2), rel=1e-12)
    assert shared_feature_rmse(translated, source, ["a", "d"], ["b", "c"], [5.0, 0.0],
                               [2.0, 1.0]) is None


def test_label_agreement_on_hand_made_probabilities():
    probabilities = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4],
                              [0.6, 0.3, 0.1]])
    assert label_agreement(probabilities, [0, 1, 2, 2]) == pytest.approx(0.75)
    assert label_agreement(probabilities, [1, 0, 0, 1]) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        label_agreement(probabilities, [0, 1])


def test_ks_matches_a_hand_computed_statistic():
    # {0, 1, 2} against {1.5, 2.5, 3.5}: the empirical CDFs differ most at 1 (2/3 - 0)
    ks = kolmogorov_smirnov_per_feature(np.array([[0.0], [1.0], [2.0]]),
                                        np.array([[1.5], [2.5], [3.5]]), ["f"])
    assert ks["f"]["statistic"] == pytest.approx(2 / 3)
    assert 0.0 < ks["f"]["p_value"] < 1.0
    shifted = kolmogorov_smirnov_per_feature(np.zeros((40, 1)) + np.arange(40)[:, None],
                                             100 + np.arange(40)[:, None], ["f"])
    assert shifted["f"]["statistic"] == pytest.approx(1.0) and shifted["f"]["p_value"] < 1e-6


def test_translation_quality_over_every_ordered_pair():
    rng = np.random.default_rng(1)

    def domain(name, names, mean, std, n):
        x = rng.normal(size=(n, len(names))).astype(np.float32)
        return DomainRows(name, names, x, rng.integers(0, 2, n), np.asarray(mean, float),
                          np.asarray(std, float))

    domains = [domain("A", ["a", "b"], [0, 10], [1, 2], 30),
               domain("B", ["b", "c"], [10, 0], [2, 1], 40)]

    def translate(x, y, source, target):
        """The ideal translation of the shared feature b (same units in A and B), the
        label given back exactly."""
        original = x * domains[source].std + domains[source].mean
        b = original[:, domains[source].feature_names.index("b")]
        out = np.zeros((len(x), 2))
        out[:, domains[target].feature_names.index("b")] = (b - 10) / 2
        return out, np.eye(2)[y]

    pairs = translation_quality(translate, domains)
    assert [(p.source_name, p.target_name) for p in pairs] == [("A", "B"), ("B", "A")]
    for pair in pairs:
        assert pair.shared_features == ["b"]
        assert pair.rmse_shared == pytest.approx(0.0, abs=1e-6)
        assert pair.label_agreement == 1.0
        assert set(pair.ks) == set(domains[pair.target].feature_names)
    # the unshared column is all zeros, real rows are N(0, 1): rejected; b is not
    assert pairs[0].ks["c"]["p_value"] < 0.05 and pairs[0].ks["b"]["p_value"] > 0.05
    assert pairs[0].ks_rejected == 1 and pairs[0].rows == 30 and pairs[0].reference_rows == 40


def test_an_empty_target_or_source_has_no_ks_count_not_zero():
    """No rows on one side: no KS test ran, so the count is None ("n/a"), not 0 of 0."""
    rng = np.random.default_rng(2)
    full = DomainRows("A", ["a"], rng.normal(size=(5, 1)), np.array([0, 1, 0, 1, 0]),
                      np.zeros(1), np.ones(1))
    empty = DomainRows("B", ["a"], np.zeros((0, 1)), np.zeros(0, int), np.zeros(1), np.ones(1))

    def translate(x, y, source, target):
        return np.asarray(x, float), np.eye(2)[np.asarray(y)]

    into_empty, from_empty = translation_quality(translate, [full, empty])
    assert (into_empty.rows, into_empty.reference_rows, into_empty.ks) == (5, 0, {})
    assert into_empty.ks_rejected is None and into_empty.label_agreement == 1.0
    assert from_empty.rows == 0 and from_empty.ks_rejected is None
