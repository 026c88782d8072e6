"""Inception score: 1 for constant predictions, C for confident balanced ones, a
hand-computed case, and per-split marginals."""

import math

import numpy as np
import pytest

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics.inception_score import inception_score


def test_constant_predictions_score_one():
    # p(y|x) = p(y) for every x: every KL term is 0 and exp(0) = 1
    probabilities = np.tile([0.7, 0.2, 0.1, 0.0], (50, 1))
    mean, std = inception_score(probabilities, splits=5)
    assert mean == pytest.approx(1.0, abs=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("classes, splits, per_class_per_split", [(10, 10, 1), (4, 5, 2)])
def test_confident_balanced_predictions_score_the_number_of_classes(
        classes, splits, per_class_per_split):
    # one-hot rows, every class equally often in every split: p(y) is uniform and
    # each KL term is log(1 / (1 / C)) = log C, so the score is exactly C
    one_split = np.repeat(np.eye(classes), per_class_per_split, axis=0)
    probabilities = np.tile(one_split, (splits, 1))
    mean, std = inception_score(probabilities, splits=splits)
    assert mean == pytest.approx(classes, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_hand_computed_two_class_case():
    # p(y) = (0.75, 0.25); KL([1, 0] || p(y)) = log(4/3);
    # KL([0.5, 0.5] || p(y)) = 0.5 log(2/3) + 0.5 log(2) = 0.5 log(4/3);
    # mean KL = 0.75 log(4/3), so IS = (4/3)^0.75
    probabilities = np.array([[1.0, 0.0], [0.5, 0.5]])
    mean, std = inception_score(probabilities, splits=1)
    assert mean == pytest.approx((4.0 / 3.0) ** 0.75, rel=1e-12)
    assert std == 0.0


def test_each_split_uses_its_own_marginal():
    # split 1: all predictions identical -> 1; split 2: one-hot over two classes,
    # balanced -> 2. A marginal over all samples would give neither.
    constant = np.tile([1.0, 0.0], (4, 1))
    balanced = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    mean, std = inception_score(np.concatenate([constant, balanced]), splits=2)
    assert mean == pytest.approx(1.5, rel=1e-12)
    assert std == pytest.approx(0.5, rel=1e-12)


def test_rows_are_renormalised():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(5), size=40)
    scaled = probabilities * rng.uniform(0.5, 3.0, size=(40, 1))
    assert inception_score(scaled, splits=4) == pytest.approx(
        inception_score(probabilities, splits=4), rel=1e-12)
    # float32 softmax rows sum to 1 only within round-off
    mean, _ = inception_score(probabilities.astype(np.float32), splits=4)
    assert mean == pytest.approx(inception_score(probabilities, splits=4)[0], rel=1e-5)
    assert 1.0 < mean < 5.0


def test_uneven_splits_use_every_sample():
    # 5 samples in 2 splits of 3 and 2 rows: [a, a, b] scores exp(mean KL) with
    # p(y) = (2/3, 1/3): KL of [1, 0] = log 1.5 (twice), of [0, 1] = log 3
    a, b = [1.0, 0.0], [0.0, 1.0]
    probabilities = np.array([a, a, b, a, b])
    first = math.exp((2 * math.log(1.5) + math.log(3.0)) / 3)
    second = 2.0
    mean, std = inception_score(probabilities, splits=2)
    assert mean == pytest.approx((first + second) / 2, rel=1e-12)
    assert std == pytest.approx(abs(first - second) / 2, rel=1e-12)


def test_user_mistakes_raise_config_errors():
    probabilities = np.full((4, 3), 1.0 / 3.0)
    with pytest.raises(ConfigError, match=r"between 1 and the number of samples \(4\), got 5"):
        inception_score(probabilities, splits=5)
    with pytest.raises(ConfigError, match="got 0"):
        inception_score(probabilities, splits=0)
    with pytest.raises(ConfigError, match="negative"):
        inception_score(np.array([[1.2, -0.2], [0.5, 0.5]]), splits=1)
    with pytest.raises(ConfigError, match="row 1 of probabilities sums to 0"):
        inception_score(np.array([[0.5, 0.5], [0.0, 0.0]]), splits=1)
    with pytest.raises(ConfigError, match="2-D"):
        inception_score(np.ones(3), splits=1)
