"""Feature extractors: shapes, determinism, and the offline errors of --features."""

import numpy as np
import pytest

from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics import features as features_lib
from keras_genzoo.metrics.features import (INCEPTION_WEIGHTS_FILE, InceptionFeatures,
                                           RandomFeatures, make_extractor)


def _images(count, size=16, channels=1, seed=0):
    return np.random.default_rng(seed).uniform(size=(count, size, size, channels)).astype(np.float32)


def test_inception_with_random_weights_gives_pool3_and_imagenet_probabilities():
    extractor = InceptionFeatures("random")
    assert extractor.identity == "inception:random" and extractor.has_probabilities
    features, probabilities = extractor.features_and_probabilities(_images(2, size=16))
    assert features.shape == (2, 2048) and probabilities.shape == (2, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-4)
    assert np.all(features >= 0)  # pool3 averages ReLU outputs
    # grayscale is repeated over RGB: the same image as 1 or 3 channels embeds the same
    gray = _images(1, size=20, seed=3)
    rgb = np.repeat(gray, 3, axis=-1)
    np.testing.assert_allclose(extractor.features_and_probabilities(gray)[0],
                               extractor.features_and_probabilities(rgb)[0], rtol=1e-5, atol=1e-6)


def test_offline_without_weights_is_one_clear_error(tmp_path, monkeypatch):
    # an empty Keras cache, and tests/conftest.py refuses every non-loopback connection
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(ConfigError) as error:
        make_extractor("inception")
    message = str(error.value)
    assert "--inception-weights" in message and INCEPTION_WEIGHTS_FILE in message
    assert "\n" not in message
    with pytest.raises(ConfigError, match="no such file"):
        make_extractor("inception", inception_weights=str(tmp_path / "missing.h5"))


def test_weights_in_the_keras_cache_are_found_without_the_network(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    cached = tmp_path / "models" / INCEPTION_WEIGHTS_FILE
    cached.parent.mkdir()
    cached.write_bytes(b"not really weights")
    assert features_lib._inception_weights_source(None) == (str(cached), True)
    # a corrupt file is reported in one line, naming it
    with pytest.raises(ConfigError, match="cannot load InceptionV3 weights"):
        make_extractor("inception")


def test_random_features_are_the_same_network_every_time():
    images = _images(6, size=16, channels=3, seed=1)
    first = RandomFeatures().features_and_probabilities(images)
    second = RandomFeatures().features_and_probabilities(images)
    assert first[1] is None and first[0].shape == (6, 512)
    np.testing.assert_array_equal(first[0], second[0])
    assert np.ptp(first[0], axis=0).max() > 0  # different images, different features
    with pytest.raises(ConfigError, match="at least 16x16"):
        RandomFeatures().check_images(8, 1)


def test_unknown_features_list_the_valid_ones():
    for bad in ("vgg", "classifier:", ""):
        with pytest.raises(ConfigError) as error:
            make_extractor(bad)
        assert "inception, classifier:RUN, random" in str(error.value)
