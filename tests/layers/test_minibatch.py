"""Minibatch discrimination (the paper's sum and our mean, each against its own formula) and
minibatch standard deviation against NumPy re-implementations."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.layers.minibatch import MinibatchDiscrimination, MinibatchStdDev


# ------------------------------------------------------------ minibatch discrimination
def _numpy_closeness(f, t, num_kernels, kernel_dim):
    """``c_b(x_i, x_j) = exp(-||M_i,b - M_j,b||_L1)`` (Salimans et al. 2016, section 3.2),
    written out with loops over i, j, b: ``[B, B, num_kernels]``."""
    m = (f.astype(np.float64) @ t.astype(np.float64)).reshape(len(f), num_kernels, kernel_dim)
    c = np.zeros((len(f), len(f), num_kernels))
    for i in range(len(f)):
        for j in range(len(f)):
            for b in range(num_kernels):
                c[i, j, b] = np.exp(-np.abs(m[i, b] - m[j, b]).sum())
    return c


def _numpy_paper_sum(f, t, num_kernels, kernel_dim):
    """The paper's o(x_i)_b = sum_{j=1}^n c_b(x_i, x_j): every j, i itself included."""
    c = _numpy_closeness(f, t, num_kernels, kernel_dim)
    return np.concatenate([f, c.sum(axis=1)], axis=1)


def _numpy_mean_of_others(f, t, num_kernels, kernel_dim):
    """Our default: the mean of c_b(x_i, x_j) over the j != i."""
    c = _numpy_closeness(f, t, num_kernels, kernel_dim)
    o = np.zeros((len(f), num_kernels))
    for i in range(len(f)):
        o[i] = np.mean([c[i, j] for j in range(len(f)) if j != i], axis=0)
    return np.concatenate([f, o], axis=1)


def _layer_with_kernel(num_kernels, kernel_dim, features, seed=0, scale=0.3, reduction="mean"):
    layer = MinibatchDiscrimination(num_kernels, kernel_dim, reduction=reduction)
    layer.build((None, features))
    # larger than the init, so that the closeness values spread over (0, B]
    kernel = np.random.default_rng(seed).normal(scale=scale, size=(features, num_kernels * kernel_dim))
    layer.kernel.assign(kernel.astype(np.float32))
    return layer, kernel


def test_minibatch_discrimination_sum_matches_the_paper_formula():
    layer, kernel = _layer_with_kernel(num_kernels=4, kernel_dim=3, features=6, reduction="sum")
    f = np.random.default_rng(1).normal(size=(7, 6)).astype(np.float32)
    out = layer(f)
    assert out.shape == (7, 10)
    np.testing.assert_allclose(out, _numpy_paper_sum(f, kernel, 4, 3), rtol=1e-5, atol=1e-6)
    # self included: every value is 1 (c_b(i, i)) plus the others' closeness, at most B
    extra = out.numpy()[:, 6:]
    assert np.all(extra >= 1.0 - 1e-6) and np.all(extra <= 7.0 + 1e-5)
    assert np.ptp(extra) > 0.1  # the values really spread, so the comparison above means something


def test_minibatch_discrimination_mean_form_matches_its_formula():
    layer, kernel = _layer_with_kernel(num_kernels=4, kernel_dim=3, features=6)
    assert layer.reduction == "mean"  # the default
    f = np.random.default_rng(1).normal(size=(7, 6)).astype(np.float32)
    out = layer(f)
    assert out.shape == (7, 10)
    np.testing.assert_allclose(out, _numpy_mean_of_others(f, kernel, 4, 3), rtol=1e-5, atol=1e-6)
    # a mean of closeness values, each in (0, 1]
    extra = out.numpy()[:, 6:]
    assert np.all(extra >= 0.0) and np.all(extra <= 1.0 + 1e-6)
    assert np.ptp(extra) > 0.1
    # the two forms differ by exactly the self term and the divisor: sum = 1 + 6 mean
    summed, _ = _layer_with_kernel(num_kernels=4, kernel_dim=3, features=6, reduction="sum")
    np.testing.assert_allclose(summed(f).numpy()[:, 6:], 1.0 + 6.0 * extra, rtol=1e-5)


def test_a_collapsed_batch_sums_to_the_batch_size():
    layer, _ = _layer_with_kernel(num_kernels=3, kernel_dim=4, features=5, reduction="sum")
    row = np.random.default_rng(2).normal(size=(1, 5)).astype(np.float32)
    for batch in (1, 2, 6, 64):
        same = np.tile(row, (batch, 1))
        np.testing.assert_allclose(layer(same).numpy()[:, 5:], np.full((batch, 3), batch),
                                   rtol=1e-6)


def test_a_collapsed_batch_gets_one_as_every_feature_at_any_batch_size():
    layer, _ = _layer_with_kernel(num_kernels=3, kernel_dim=4, features=5)
    row = np.random.default_rng(2).normal(size=(1, 5)).astype(np.float32)
    for batch in (2, 6, 64):
        same = np.tile(row, (batch, 1))
        np.testing.assert_allclose(layer(same).numpy()[:, 5:], np.ones((batch, 3)), rtol=1e-6)


def test_a_batch_of_one_has_no_others_and_gets_zero():
    layer, _ = _layer_with_kernel(num_kernels=3, kernel_dim=4, features=5)
    out = layer(np.ones((1, 5), np.float32)).numpy()
    np.testing.assert_array_equal(out[:, 5:], np.zeros((1, 3)))


def test_far_apart_members_get_zero_closeness():
    layer, _ = _layer_with_kernel(num_kernels=2, kernel_dim=3, features=4)
    spread = np.eye(4, dtype=np.float32) * 1e4  # projections thousands apart: exp(-d) = 0
    np.testing.assert_allclose(layer(spread).numpy()[:, 4:], np.zeros((4, 2)), atol=1e-12)


def test_changing_one_member_changes_the_features_of_the_others():
    layer, _ = _layer_with_kernel(num_kernels=5, kernel_dim=3, features=4)
    batch = np.random.default_rng(3).normal(size=(6, 4)).astype(np.float32)
    changed = batch.copy()
    changed[0] += 0.5
    before, after = layer(batch).numpy(), layer(changed).numpy()
    # the passthrough features of the others are untouched ...
    np.testing.assert_array_equal(before[1:, :4], after[1:, :4])
    # ... but every one of their minibatch features moved
    assert np.all(np.abs(before[1:, 4:] - after[1:, 4:]) > 1e-6)


def test_minibatch_discrimination_in_a_functional_model_survives_saving(tmp_path):
    keras.utils.set_random_seed(4)
    inputs = keras.Input((6,))
    outputs = keras.layers.Dense(1)(MinibatchDiscrimination(4, 3, name="mbd")(inputs))
    model = keras.Model(inputs, outputs)
    assert model.get_layer("mbd").output.shape == (None, 10)
    x = np.random.default_rng(5).normal(size=(5, 6)).astype(np.float32)
    model.save(tmp_path / "d.keras")
    restored = keras.saving.load_model(tmp_path / "d.keras")
    assert isinstance(restored.get_layer("mbd"), MinibatchDiscrimination)
    np.testing.assert_allclose(restored(x), model(x), rtol=1e-6)

    layer = MinibatchDiscrimination(7, 2, reduction="sum", name="x")
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (again.num_kernels, again.kernel_dim, again.reduction, again.name) == (7, 2, "sum", "x")


def test_minibatch_discrimination_refuses_bad_arguments():
    with pytest.raises(ValueError, match="num_kernels"):
        MinibatchDiscrimination(0, 5)
    with pytest.raises(ValueError, match="kernel_dim"):
        MinibatchDiscrimination(4, 0)
    with pytest.raises(ValueError, match="batch, features"):
        MinibatchDiscrimination(4, 2)(keras.Input((3, 3)))
    with pytest.raises(ValueError, match="reduction must be one of mean, sum"):
        MinibatchDiscrimination(4, 2, reduction="max")


# ------------------------------------------------------------ minibatch standard deviation
def _numpy_group_stddev(x, group_size):
    """Karras et al. 2018, section 3: one statistic per example, from its group of consecutive examples."""
    x = np.asarray(x, np.float64)
    group = group_size if len(x) % group_size == 0 else len(x)
    stats = np.empty(len(x))
    for start in range(0, len(x), group):
        members = x[start:start + group].reshape(group, -1)
        stats[start:start + group] = np.sqrt(members.var(axis=0) + 1e-8).mean()
    return stats


def test_stddev_worked_out_by_hand():
    # groups {0, 2} and {1, 1}: biased std 1 and 0 (-> sqrt(1e-8) = 1e-4)
    out = MinibatchStdDev(group_size=2)(np.array([[0.0], [2.0], [1.0], [1.0]], np.float32))
    np.testing.assert_allclose(out, [[0.0, 1.0], [2.0, 1.0], [1.0, 1e-4], [1.0, 1e-4]], rtol=1e-5)


@pytest.mark.parametrize("batch", [8, 6, 3])  # 8: two groups of 4; 6 and 3: the whole batch
def test_stddev_rank2_matches_numpy(batch):
    x = np.random.default_rng(batch).normal(size=(batch, 5)).astype(np.float32)
    out = MinibatchStdDev(group_size=4)(x).numpy()
    assert out.shape == (batch, 6)
    np.testing.assert_array_equal(out[:, :5], x)
    np.testing.assert_allclose(out[:, 5], _numpy_group_stddev(x, 4), rtol=1e-5)
    if batch == 8:  # two different groups give two different values
        assert out[0, 5] != out[4, 5]


def test_stddev_rank4_appends_one_constant_channel():
    x = np.random.default_rng(9).normal(size=(8, 3, 3, 2)).astype(np.float32)
    out = MinibatchStdDev(group_size=2)(x).numpy()
    assert out.shape == (8, 3, 3, 3)
    np.testing.assert_array_equal(out[..., :2], x)
    expected = _numpy_group_stddev(x, 2)
    np.testing.assert_allclose(out[..., 2], np.broadcast_to(expected[:, None, None], (8, 3, 3)), rtol=1e-5)


def test_stddev_with_a_batch_size_known_only_at_run_time():
    layer = MinibatchStdDev(group_size=4)
    run = tf.function(layer, input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    for batch in (8, 6):
        x = np.random.default_rng(batch + 20).normal(size=(batch, 3)).astype(np.float32)
        np.testing.assert_allclose(run(x).numpy()[:, 3], _numpy_group_stddev(x, 4), rtol=1e-5)


def test_stddev_in_a_functional_model_survives_saving(tmp_path):
    inputs = keras.Input((4, 4, 1))
    h = MinibatchStdDev(group_size=2, name="mbstd")(inputs)
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(h))
    assert model.get_layer("mbstd").output.shape == (None, 4, 4, 2)
    x = np.random.default_rng(10).normal(size=(4, 4, 4, 1)).astype(np.float32)
    model.save(tmp_path / "d.keras")
    restored = keras.saving.load_model(tmp_path / "d.keras")
    assert restored.get_layer("mbstd").group_size == 2
    np.testing.assert_allclose(restored(x), model(x), rtol=1e-6)


def test_stddev_under_mixed_precision_keeps_the_compute_dtype():
    x = np.random.default_rng(11).normal(size=(4, 6)).astype(np.float32)
    out = MinibatchStdDev(group_size=4, dtype="mixed_float16")(x)
    assert out.dtype == tf.float16
    np.testing.assert_allclose(out.numpy()[:, 6].astype(np.float64), _numpy_group_stddev(x, 4), rtol=1e-2)


def test_stddev_refuses_a_group_of_one():
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStdDev(group_size=1)
