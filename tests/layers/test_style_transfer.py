"""The style-transfer layers (keras_genzoo/layers/style_transfer.py): reflection padding
is numpy.pad(mode="reflect"), VGGInput is keras.applications' caffe preprocessing of
255 x; both survive serialization."""

import keras
import numpy as np
import pytest

from keras_genzoo.layers.style_transfer import ReflectionPadding2D, VGGInput


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_reflection_padding_is_numpys_reflect(padding):
    x = np.arange(2 * 4 * 5 * 3, dtype=np.float32).reshape(2, 4, 5, 3)
    expected = np.pad(x, [(0, 0), (padding, padding), (padding, padding), (0, 0)],
                      mode="reflect")
    layer = ReflectionPadding2D(padding)
    np.testing.assert_array_equal(layer(x), expected)
    assert layer.compute_output_shape((None, 4, None, 3)) == (None, 4 + 2 * padding, None, 3)
    clone = ReflectionPadding2D.from_config(layer.get_config())
    np.testing.assert_array_equal(clone(x), expected)


def test_reflection_padding_refuses_a_negative_padding():
    with pytest.raises(ValueError, match="padding must be >= 0"):
        ReflectionPadding2D(-1)


def test_vgg_input_is_keras_caffe_preprocessing_of_255_x():
    x = np.random.default_rng(0).uniform(size=(2, 6, 7, 3)).astype(np.float32)
    expected = keras.applications.vgg19.preprocess_input(255.0 * x.copy())
    np.testing.assert_allclose(VGGInput()(x), expected, rtol=1e-6, atol=1e-4)
    model = keras.Sequential([keras.Input((None, None, 3)), VGGInput()])
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))
    np.testing.assert_allclose(restored(x), expected, rtol=1e-6, atol=1e-4)
