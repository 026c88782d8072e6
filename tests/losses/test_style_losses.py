"""The style-transfer losses (keras_genzoo/losses/style.py) against closed forms and
NumPy: channel statistics (Huang & Belongie 2017, eq. 11-12), Gram matrices (Gatys et
al. 2016, eq. 3-5) and total variation."""

import numpy as np
import pytest

from keras_genzoo.losses.style import (channel_mean_std, content_loss, gram_matrix,
                                       gram_style_loss, mean_std_style_loss, total_variation)


def features(seed, shape, scale=1.0, shift=0.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale + shift).astype(np.float32)


def numpy_statistics(x, epsilon=1e-5):
    return x.mean(axis=(1, 2)), np.sqrt(x.var(axis=(1, 2)) + epsilon)


def test_channel_statistics_are_numpys():
    x = features(0, (2, 5, 6, 4), scale=3.0, shift=2.0)
    mean, std = channel_mean_std(x)
    np.testing.assert_allclose(mean, numpy_statistics(x)[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(std, numpy_statistics(x)[1], rtol=1e-5)


def test_the_style_loss_is_zero_for_identical_statistics():
    """The same channels at shuffled positions: the same means and deviations, so
    eq. 12 is 0, although the maps differ everywhere."""
    layers = [features(i, (2, 6, 6, 3 + i), scale=1 + i) for i in range(3)]
    shuffled = []
    for layer in layers:
        flat = layer.reshape(2, -1, layer.shape[-1])
        order = np.random.default_rng(5).permutation(flat.shape[1])
        shuffled.append(flat[:, order].reshape(layer.shape))
    assert not np.allclose(layers[0], shuffled[0])
    np.testing.assert_allclose(mean_std_style_loss(layers, shuffled), 0.0, atol=1e-5)


def test_the_style_loss_equals_numpy():
    outputs = [features(1, (2, 8, 8, 3)), features(2, (2, 4, 4, 5), scale=2.0)]
    styles = [features(3, (2, 6, 10, 3), shift=1.0), features(4, (2, 3, 3, 5), scale=0.5)]
    expected = 0.0
    for output, style in zip(outputs, styles):
        (mo, so), (ms, ss) = numpy_statistics(output), numpy_statistics(style)
        expected = expected + ((mo - ms) ** 2).mean(axis=1) + ((so - ss) ** 2).mean(axis=1)
    got = mean_std_style_loss(outputs, styles).numpy()
    assert got.shape == (2,)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="2 output layers against 1"):
        mean_std_style_loss(outputs, styles[:1])


def test_the_content_loss_is_the_mean_squared_error_per_example():
    a, b = features(5, (3, 4, 4, 6)), features(6, (3, 4, 4, 6))
    np.testing.assert_allclose(content_loss(a, b), ((a - b) ** 2).mean(axis=(1, 2, 3)),
                               rtol=1e-5)


def test_the_gram_matrix_of_constant_channels_is_the_outer_product():
    """Channel i equal to a_i at every position: G_ij = sum_k a_i a_j / (H W) = a_i a_j."""
    a = np.array([1.0, -2.0, 3.0], np.float32)
    x = np.broadcast_to(a, (1, 5, 7, 3)).copy()
    np.testing.assert_allclose(gram_matrix(x)[0], np.outer(a, a), rtol=1e-6)
    y = features(7, (2, 4, 5, 3))
    expected = np.einsum("bhwi,bhwj->bij", y, y) / 20.0
    np.testing.assert_allclose(gram_matrix(y), expected, rtol=1e-5, atol=1e-6)


def test_the_gram_style_loss_is_gatys_eq_5():
    """E_l = sum_ij (G - A)^2 / (4 N^2 M^2): with M-normalised Gram matrices, the mean of
    (G - A)^2 / 4; two layers weighted 1/2 each, and given weights."""
    a, b = np.array([1.0, 2.0], np.float32), np.array([3.0, 0.0, 1.0], np.float32)
    layers = [np.broadcast_to(a, (1, 3, 3, 2)).copy(), np.broadcast_to(b, (1, 2, 4, 3)).copy()]
    targets = [np.zeros((1, 2, 2), np.float32), np.eye(3, dtype=np.float32)[None]]
    e1 = (np.outer(a, a) ** 2).mean() / 4
    e2 = ((np.outer(b, b) - np.eye(3)) ** 2).mean() / 4
    np.testing.assert_allclose(gram_style_loss(layers, targets), [(e1 + e2) / 2], rtol=1e-6)
    np.testing.assert_allclose(gram_style_loss(layers, targets, [1.0, 0.1]), [e1 + 0.1 * e2],
                               rtol=1e-6)
    same = [gram_matrix(x) for x in layers]
    np.testing.assert_allclose(gram_style_loss(layers, same), [0.0], atol=1e-7)


def test_total_variation_is_numpys_per_pixel_average():
    x = np.random.default_rng(8).uniform(size=(2, 5, 6, 3)).astype(np.float32)
    expected = (np.abs(np.diff(x, axis=1)).sum(axis=(1, 2, 3))
                + np.abs(np.diff(x, axis=2)).sum(axis=(1, 2, 3))) / (5 * 6 * 3)
    np.testing.assert_allclose(total_variation(x), expected, rtol=1e-5)
    np.testing.assert_allclose(total_variation(np.full((1, 4, 4, 3), 0.3, np.float32)), [0.0])
