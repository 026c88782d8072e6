"""toy2d Gaussian mixtures: catalog specs, the fixed point sets, PointSource
batching, and the scatter plots drawn from them."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from keras_genzoo.data import catalog, open_source
from keras_genzoo.data.toy2d import (
    MIXTURES,
    Mixture,
    PointSource,
    sample_mixture,
)
from keras_genzoo.errors import DataError


def _all_batches(dataset):
    points, labels = [], []
    for x, y in dataset:
        points.append(x.numpy())
        labels.append(y.numpy())
    return np.concatenate(points), np.concatenate(labels)


@pytest.fixture(scope="module")
def grid_train():
    return open_source("toy2d:grid25", image_size=32, channels=1)


# ---------------------------------------------------------------------------
# the mixtures


def test_grid25_modes_are_the_5x5_grid_with_spacing_2():
    grid = MIXTURES["grid25"]
    assert grid.num_modes == 25 and grid.sigma == 0.05
    assert grid.modes.dtype == np.float32 and grid.modes.shape == (25, 2)
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(int(v) for v in mode) for mode in grid.modes} == expected
    np.testing.assert_array_equal(grid.modes, np.round(grid.modes))


def test_ring8_modes_lie_on_the_radius_2_circle_evenly_spaced():
    ring = MIXTURES["ring8"]
    assert ring.num_modes == 8 and ring.sigma == 0.05
    np.testing.assert_allclose(np.linalg.norm(ring.modes, axis=1), 2.0, rtol=1e-6)
    # neighbours on the circle are a chord of angle 2*pi/8 apart: 2 * r * sin(pi/8)
    gaps = np.linalg.norm(ring.modes - np.roll(ring.modes, 1, axis=0), axis=1)
    np.testing.assert_allclose(gaps, 2 * 2.0 * np.sin(np.pi / 8), rtol=1e-5)
    angles = np.sort(np.mod(np.arctan2(ring.modes[:, 1], ring.modes[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(angles, 2 * np.pi * np.arange(8) / 8, atol=1e-6)


def test_mixture_modes_are_read_only_and_validated():
    with pytest.raises(ValueError):
        MIXTURES["grid25"].modes[0, 0] = 1.0
    with pytest.raises(ValueError, match=r"shape \[K, 2\]"):
        Mixture(name="bad", modes=np.zeros((3, 3)), sigma=0.1, description="")


@pytest.mark.parametrize("name", ["grid25", "ring8"])
def test_sample_mixture_labels_are_nearest_modes_and_spread_is_sigma(name):
    mixture = MIXTURES[name]
    points, labels = sample_mixture(mixture, 20_000, seed=3)
    assert points.dtype == np.float32 and points.shape == (20_000, 2)
    assert labels.dtype == np.int32 and labels.shape == (20_000,)
    # the closest modes are >= 1.53 apart (ring8) = 30 sigma: every point's
    # nearest mode is the component it came from
    distances = np.linalg.norm(points[:, None, :] - mixture.modes[None], axis=-1)
    assert np.mean(np.argmin(distances, axis=1) == labels) > 0.999
    offsets = points - mixture.modes[labels]
    # mean of 20,000 N(0, 0.05^2) draws: standard error 0.05 / sqrt(20,000) = 3.5e-4
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=5 * 0.05 / np.sqrt(20_000))
    # std: relative standard error 1 / sqrt(2 * 20,000) = 0.5%
    np.testing.assert_allclose(offsets.std(axis=0), mixture.sigma, rtol=0.025)
    # components are equally likely: each count within 5 binomial sd of n / K
    counts = np.bincount(labels, minlength=mixture.num_modes)
    expected = 20_000 / mixture.num_modes
    sd = np.sqrt(20_000 * (1 / mixture.num_modes) * (1 - 1 / mixture.num_modes))
    assert np.all(np.abs(counts - expected) < 5 * sd)


def test_sample_mixture_is_a_function_of_the_seed():
    grid = MIXTURES["grid25"]
    a, b = sample_mixture(grid, 100, 5), sample_mixture(grid, 100, 5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], sample_mixture(grid, 100, 6)[0])
    assert sample_mixture(grid, 0, 0)[0].shape == (0, 2)
    with pytest.raises(ValueError, match="non-negative integer"):
        sample_mixture(grid, -1, 0)


# ---------------------------------------------------------------------------
# catalog


def test_toy2d_spec_parsing_is_case_insensitive():
    assert catalog.parse_spec("toy2d:grid25") == ("toy2d", "grid25")
    assert catalog.parse_spec("TOY2D:Ring8") == ("toy2d", "ring8")
    assert catalog.parse_spec(" toy2d: grid25 ") == ("toy2d", "grid25")
    catalog.check_spec("toy2d:ring8")


@pytest.mark.parametrize("spec", ["toy2d:grid9", "toy2d:", "toy2d:ring"])
def test_unknown_mixture_names_the_valid_ones(spec):
    with pytest.raises(DataError, match=r"unknown toy2d set .*toy2d:grid25 or toy2d:ring8 or "
                                        r"toy2d:circle or toy2d:spiral"):
        catalog.parse_spec(spec)
    with pytest.raises(DataError, match="unknown toy2d set"):
        open_source(spec, image_size=8, channels=1)


def test_bare_toy2d_is_an_unknown_source_whose_message_lists_the_mixtures():
    with pytest.raises(DataError, match=r"unknown dataset source 'toy2d'.*toy2d:ring8"):
        catalog.check_spec("toy2d")


def test_is_point_dataset():
    assert catalog.is_point_dataset("toy2d:grid25")
    assert catalog.is_point_dataset("Toy2D:RING8")
    for spec in ("digits", "mnist", "tfds:cifar10", "folder:/no/such/dir", "idx:/no/such"):
        assert catalog.is_point_dataset(spec) is False
    with pytest.raises(DataError):
        catalog.is_point_dataset("toy2d:nope")


def test_catalog_lists_both_mixtures_and_stays_free_of_tensorflow():
    listed = dict(catalog.DATASET_SOURCES)
    assert "toy2d:grid25" in listed and "toy2d:ring8" in listed
    assert "sigma 0.05" in listed["toy2d:grid25"]
    code = (
        "import sys\n"
        "from keras_genzoo.data import catalog\n"
        "assert catalog.is_point_dataset('toy2d:grid25')\n"
        "catalog.check_spec('toy2d:ring8')\n"
        "from keras_genzoo.data.toy2d import MIXTURES, sample_mixture\n"
        "sample_mixture(MIXTURES['ring8'], 10, 0)\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                            timeout=60)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------
# PointSource


def test_open_source_gives_a_point_source_with_the_trainer_attributes(grid_train):
    from keras_genzoo.data.sources import ImageSource

    assert isinstance(grid_train, PointSource)
    assert grid_train.kind == "points" and ImageSource.kind == "images"
    assert grid_train.spec == "toy2d:grid25" and grid_train.name == "toy2d:grid25"
    assert grid_train.split == "train" and grid_train.num_examples == 10_000
    assert grid_train.num_classes == 25 and grid_train.data_dim == 2
    assert grid_train.mixture is MIXTURES["grid25"]
    upper = open_source("TOY2D:Grid25", image_size=32, channels=3)
    assert upper.spec == "TOY2D:Grid25" and upper.name == "toy2d:grid25"
    # image_size and channels are still validated, whatever the source
    with pytest.raises(DataError, match="image size"):
        open_source("toy2d:grid25", image_size=2, channels=1)
    with pytest.raises(DataError, match="channels"):
        open_source("toy2d:grid25", image_size=32, channels=2)


def test_splits_are_fixed_draws():
    train = open_source("toy2d:ring8", image_size=32, channels=1, split="train")
    test = open_source("toy2d:ring8", image_size=32, channels=1, split="test")
    validation = open_source("toy2d:ring8", image_size=32, channels=1, split="validation")
    everything = open_source("toy2d:ring8", image_size=32, channels=1, split="all")
    assert (train.num_examples, test.num_examples, everything.num_examples) == (
        10_000, 2_500, 12_500)
    train_points, train_labels = train.take_examples(10_000)
    test_points, _ = test.take_examples(2_500)
    expected_points, expected_labels = sample_mixture(MIXTURES["ring8"], 10_000, seed=0)
    np.testing.assert_array_equal(train_points, expected_points)
    np.testing.assert_array_equal(train_labels, expected_labels)
    np.testing.assert_array_equal(test_points, sample_mixture(MIXTURES["ring8"], 2_500, 1)[0])
    np.testing.assert_array_equal(validation.take_examples(2_500)[0], test_points)
    np.testing.assert_array_equal(everything.take_examples(12_500)[0],
                                  np.concatenate([train_points, test_points]))
    assert not np.array_equal(train_points[:2_500], test_points)
    with pytest.raises(DataError, match=r"toy2d:ring8 has splits train, test"):
        open_source("toy2d:ring8", image_size=32, channels=1, split="train[:10]")


def test_elements_are_cached_points_and_labels(grid_train):
    import tensorflow as tf

    assert grid_train.elements() is grid_train.elements()
    point, label = next(iter(grid_train.elements()))
    assert point.shape == (2,) and point.dtype == tf.float32
    assert label.shape == () and label.dtype == tf.int32
    points, labels = _all_batches(grid_train.batches(1000, shuffle=False))
    expected_points, expected_labels = grid_train.take_examples(10_000)
    np.testing.assert_array_equal(points, expected_points)
    np.testing.assert_array_equal(labels, expected_labels)


def test_batches_shapes_and_order_depend_only_on_seed_and_epoch(grid_train):
    points, labels = next(iter(grid_train.batches(64, seed=7, epoch=3)))
    assert points.shape == (64, 2) and points.dtype.name == "float32"
    assert labels.shape == (64,) and labels.dtype.name == "int32"

    def epoch_points(source, **kwargs):
        return _all_batches(source.batches(500, **kwargs))[0]

    a = epoch_points(grid_train, seed=7, epoch=3)
    fresh = open_source("toy2d:grid25", image_size=32, channels=1)  # a resumed run
    np.testing.assert_array_equal(a, epoch_points(fresh, seed=7, epoch=3))
    assert not np.array_equal(a, epoch_points(grid_train, seed=7, epoch=4))
    assert not np.array_equal(a, epoch_points(grid_train, seed=8, epoch=3))
    # a shuffle is a permutation of the split: the multiset of points is unchanged
    ordered = grid_train.take_examples(10_000)[0]
    assert not np.array_equal(a, ordered)
    np.testing.assert_array_equal(np.sort(a, axis=0), np.sort(ordered, axis=0))


def test_steps_per_epoch_and_batch_size_checks():
    test = open_source("toy2d:grid25", image_size=32, channels=1, split="test")
    assert test.steps_per_epoch(64) == 2_500 // 64 == 39
    assert len(list(test.batches(64))) == 39  # remainder dropped
    assert test.steps_per_epoch(2_500) == 1
    with pytest.raises(DataError, match=r"batch size 4096 is larger than the dataset "
                                        r"\(toy2d:grid25, test: 2500 points\)"):
        test.batches(4096)
    with pytest.raises(DataError, match="positive integer"):
        test.steps_per_epoch(0)
    with pytest.raises(DataError, match="positive integer"):
        test.batches(True)


def test_take_examples_and_take_points(grid_train):
    points, labels = grid_train.take_examples(5)
    assert points.shape == (5, 2) and points.dtype == np.float32
    assert labels.shape == (5,) and labels.dtype == np.int32
    np.testing.assert_array_equal(grid_train.take_points(5), points)
    points[:] = 99.0  # copies: the source's own data is untouched
    assert np.all(grid_train.take_points(5) != 99.0)
    assert grid_train.take_examples(0)[0].shape == (0, 2)
    assert grid_train.take_examples(20_000)[0].shape == (10_000, 2)


# ---------------------------------------------------------------------------
# scatter plots


def _png(path):
    assert path.is_file() and path.stat().st_size > 1000
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        return np.asarray(picture.convert("RGB"))


def test_save_scatter_writes_a_square_png_with_the_points(tmp_path):
    from keras_genzoo.training.images import save_scatter

    grid = MIXTURES["grid25"]
    points, _ = sample_mixture(grid, 500, 0)
    real, _ = sample_mixture(grid, 500, 1)
    path = save_scatter(points, tmp_path / "new" / "dir" / "scatter.png", modes=grid.modes,
                        sigma=grid.sigma, real=real, title="grid25")
    pixels = _png(path)
    assert pixels.shape[0] == pixels.shape[1]
    # the blue dots of the generated points are drawn
    blue = (pixels[..., 2] > 150) & (pixels[..., 0] < 100)
    assert blue.sum() > 50
    # without modes the limits follow the points; the plot still appears
    bare = _png(save_scatter(points * 10.0, tmp_path / "bare.png"))
    assert ((bare[..., 2] > 150) & (bare[..., 0] < 100)).sum() > 50
    with pytest.raises(ValueError, match=r"shape \[N, 2\]"):
        save_scatter(np.zeros((4, 3)), tmp_path / "bad.png")


def test_scatter_panels_lays_out_the_panels(tmp_path):
    from keras_genzoo.training.images import scatter_panels

    ring = MIXTURES["ring8"]
    panels = [(f"seed {seed}", sample_mixture(ring, 300, seed)[0]) for seed in range(3)]
    row = _png(scatter_panels(panels, tmp_path / "row.png", modes=ring.modes, sigma=ring.sigma))
    assert row.shape[1] > 2.5 * row.shape[0]  # three panels side by side
    square = _png(scatter_panels(panels + panels[:1], tmp_path / "two.png", modes=ring.modes,
                                 sigma=ring.sigma, columns=2))
    assert 0.9 < square.shape[1] / square.shape[0] < 1.1  # 2 x 2
    with pytest.raises(ValueError, match="at least one"):
        scatter_panels([], tmp_path / "none.png")
