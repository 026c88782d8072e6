"""toy1d Gaussian mixtures: the closed-form density, the fixed point sets, the
catalog specs and the [N, 1] batches the point models train on."""

import numpy as np
import pytest
from scipy import integrate

from keras_genzoo.data import catalog, open_source
from keras_genzoo.data.toy1d import MIXTURES, Mixture1D, PointSource1D, sample_mixture
from keras_genzoo.data.toy2d import TEST_POINTS, TRAIN_POINTS
from keras_genzoo.errors import DataError


@pytest.mark.parametrize("name", sorted(MIXTURES))
def test_density_integrates_to_one_and_matches_the_samples(name):
    mixture = MIXTURES[name]
    grid = np.linspace(*mixture.support(8.0), 4001)
    assert integrate.trapezoid(mixture.density(grid), grid) == pytest.approx(1.0, abs=1e-6)
    points, labels = sample_mixture(mixture, 50_000, seed=3)
    assert points.shape == (50_000, 1) and points.dtype == np.float32
    # component frequencies follow the weights; each component's spread is sigma
    frequencies = np.bincount(labels, minlength=mixture.num_modes) / len(labels)
    np.testing.assert_allclose(frequencies, mixture.weights, atol=0.01)
    for k in range(mixture.num_modes):
        mine = points[labels == k, 0]
        assert mine.mean() == pytest.approx(mixture.modes[k, 0], abs=0.02)
        assert mine.std() == pytest.approx(mixture.sigma, rel=0.03)
    # the histogram of the samples is the density (5 sigma-wide bins, 50,000 points)
    counts, edges = np.histogram(points[:, 0], bins=40, range=mixture.support(3.0))
    centres = 0.5 * (edges[1:] + edges[:-1])
    histogram = counts / (len(points) * (edges[1] - edges[0]))
    np.testing.assert_allclose(histogram, mixture.density(centres), atol=0.03)


def test_mixture_weights_are_validated():
    with pytest.raises(ValueError, match="one weight per mode"):
        Mixture1D("x", (0.0, 1.0), 0.5, (1.0,), "")
    with pytest.raises(ValueError, match="sum to 1"):
        Mixture1D("x", (0.0, 1.0), 0.5, (0.5, 0.6), "")


def test_specs_sources_and_splits():
    assert catalog.parse_spec("TOY1D:Bimodal") == ("toy1d", "bimodal")
    assert catalog.is_point_dataset("toy1d:trimodal")
    assert catalog.point_dim("toy1d:skewed") == 1 and catalog.point_dim("toy2d:ring8") == 2
    assert catalog.point_dim("digits") == 0
    with pytest.raises(DataError, match="unknown toy1d mixture 'spiral'.*toy1d:bimodal"):
        catalog.parse_spec("toy1d:spiral")
    assert any(name == "toy1d:skewed" for name, _ in catalog.DATASET_SOURCES)
    train = open_source("toy1d:bimodal", image_size=32, channels=1)
    test = open_source("toy1d:bimodal", image_size=32, channels=1, split="validation")
    assert isinstance(train, PointSource1D) and train.data_dim == 1
    assert (train.num_examples, test.num_examples) == (TRAIN_POINTS, TEST_POINTS)
    assert train.name == "toy1d:bimodal" and train.num_classes == 2
    # fixed draws: reopening gives the same points, and train and test differ
    again = open_source("toy1d:bimodal", image_size=32, channels=1)
    np.testing.assert_array_equal(train.take_points(100), again.take_points(100))
    assert not np.array_equal(train.take_points(100), test.take_points(100))
    points, labels = next(iter(train.batches(64, seed=0)))
    assert points.shape == (64, 1) and labels.shape == (64,)
    with pytest.raises(DataError, match="splits train, test"):
        open_source("toy1d:bimodal", image_size=32, channels=1, split="extra")
