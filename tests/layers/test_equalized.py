"""Equalized learning rate (Karras et al. 2018, section 4.1; lr multiplier: Karras et al. 2019, appendix C).

The effective weights are read off the layers' OUTPUTS (identity input for the
dense layer, one-hot image patches for the convolution) and compared with the
stored weights times constants computed here by hand, so a wrong fan-in, a
missing gain or lr multiplier, or a transposed kernel shows up.
"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.layers.equalized import EqualizedConv2D, EqualizedDense


def _random_weights(layer, seed):
    """Give every weight of ``layer`` new random values (so that no test relies on the init)."""
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(rng.normal(size=weight.shape).astype(np.float32))


# ------------------------------------------------------------ dense
@pytest.mark.parametrize(
    "lr_multiplier, gain, scale_by_hand",
    [
        (1.0, math.sqrt(2), 1 / math.sqrt(3)),  # sqrt(2) / sqrt(6)
        (0.01, math.sqrt(2), 0.01 / math.sqrt(3)),
        (0.5, 1.0, 0.5 / math.sqrt(6)),
    ],
)
def test_dense_effective_kernel_is_stored_kernel_times_he_constant_times_lr_multiplier(
    lr_multiplier, gain, scale_by_hand
):
    layer = EqualizedDense(3, lr_multiplier=lr_multiplier, gain=gain, use_bias=False)
    layer.build((None, 6))
    _random_weights(layer, seed=0)
    stored = layer.kernel.numpy()
    # row i of I @ W is row i of W: the identity input reads the kernel the layer really uses
    used = layer(np.eye(6, dtype=np.float32)).numpy()
    np.testing.assert_allclose(used, stored * scale_by_hand, rtol=1e-6)
    assert layer.runtime_scale == pytest.approx(scale_by_hand, rel=1e-12)
    np.testing.assert_allclose(layer.effective_kernel(), used, rtol=1e-6)


def test_dense_bias_is_stored_bias_times_lr_multiplier():
    layer = EqualizedDense(4, lr_multiplier=0.1)
    layer.build((None, 3))
    _random_weights(layer, seed=1)
    zero_input = np.zeros((2, 3), np.float32)
    expected = np.tile(layer.bias.numpy() * 0.1, (2, 1))
    np.testing.assert_allclose(layer(zero_input), expected, rtol=1e-6)
    np.testing.assert_allclose(layer.effective_bias(), layer.bias.numpy() * 0.1, rtol=1e-6)
    assert EqualizedDense(2, use_bias=False).effective_bias() is None


def test_dense_bias_initial_value_is_the_effective_bias():
    # StyleGAN's style-scale affine layers start at bias 1 with lr multiplier 0.01: stored 100
    layer = EqualizedDense(5, lr_multiplier=0.01, bias_initializer_value=1.0)
    out = layer(np.zeros((3, 7), np.float32))
    np.testing.assert_allclose(layer.bias.numpy(), np.full(5, 100.0), rtol=1e-6)
    np.testing.assert_allclose(out, np.ones((3, 5)), rtol=1e-6)


@pytest.mark.parametrize("lr_multiplier", [1.0, 0.01])
def test_dense_stored_kernel_has_std_one_over_lr_multiplier_and_effective_kernel_he_std(lr_multiplier):
    keras.utils.set_random_seed(2)
    layer = EqualizedDense(512, lr_multiplier=lr_multiplier)
    layer.build((None, 512))
    # 262144 draws: the sample std is within 0.2% of the true one; 2% leaves room
    assert np.std(layer.kernel.numpy()) == pytest.approx(1.0 / lr_multiplier, rel=0.02)
    he_std = math.sqrt(2) / math.sqrt(512)
    assert np.std(layer.effective_kernel().numpy()) == pytest.approx(he_std, rel=0.02)


def test_kernel_initializer_scale_shrinks_the_stored_kernel_but_not_the_runtime_scale():
    keras.utils.set_random_seed(2)
    plain = EqualizedDense(512, lr_multiplier=0.01, bias_initializer_value=1.0)
    small = EqualizedDense(512, lr_multiplier=0.01, bias_initializer_value=1.0,
                           kernel_initializer_scale=0.1)
    for layer in (plain, small):
        layer.build((None, 512))
    assert np.std(small.kernel.numpy()) == pytest.approx(0.1 / 0.01, rel=0.02)
    # the same step size and the same starting bias: only where the kernel starts differs
    assert small.runtime_scale == plain.runtime_scale
    np.testing.assert_allclose(small.effective_bias().numpy(), 1.0, rtol=1e-6)


def test_dense_on_rank3_inputs_uses_the_last_axis_as_fan_in():
    layer = EqualizedDense(2, gain=1.0)
    out = layer(np.ones((4, 5, 8), np.float32))
    assert out.shape == (4, 5, 2) and layer.runtime_scale == pytest.approx(1 / math.sqrt(8))


# ------------------------------------------------------------ activation
def test_lrelu_has_slope_0_2_below_zero():
    layer = EqualizedDense(2, gain=1.0, use_bias=False, activation="lrelu")
    layer.build((None, 1))  # fan-in 1, gain 1: runtime scale exactly 1
    layer.kernel.assign(np.array([[1.0, -1.0]], np.float32))
    np.testing.assert_allclose(layer(np.array([[3.0], [-2.0]], np.float32)), [[3.0, -0.6], [-0.4, 2.0]], rtol=1e-6)


def test_any_keras_activation_name_works():
    layer = EqualizedDense(2, gain=1.0, use_bias=False, activation="relu")
    layer.build((None, 1))
    layer.kernel.assign(np.array([[1.0, -1.0]], np.float32))
    np.testing.assert_allclose(layer(np.array([[3.0]], np.float32)), [[3.0, 0.0]])
    with pytest.raises(ValueError):
        EqualizedDense(2, activation="no_such_activation")


# ------------------------------------------------------------ convolution
def test_conv_effective_kernel_read_from_one_hot_patches():
    # kernel 3x2 over 4 channels: fan-in 24, runtime scale sqrt(2) / sqrt(24) * 0.5
    layer = EqualizedConv2D(5, (3, 2), padding="valid", lr_multiplier=0.5, use_bias=False)
    layer.build((None, 3, 2, 4))
    _random_weights(layer, seed=3)
    stored = layer.kernel.numpy()
    scale_by_hand = math.sqrt(2) / math.sqrt(24) * 0.5
    assert layer.runtime_scale == pytest.approx(scale_by_hand, rel=1e-12)
    patches = np.eye(24, dtype=np.float32).reshape(24, 3, 2, 4)  # patch k is one-hot at (i, j, c)
    used = layer(patches).numpy()  # a valid 3x2 convolution of a 3x2 patch: one output position
    assert used.shape == (24, 1, 1, 5)
    np.testing.assert_allclose(used.reshape(3, 2, 4, 5), stored * scale_by_hand, rtol=1e-5, atol=1e-7)


def _numpy_conv_same(x, kernel, bias, stride):
    """Cross-correlation with TensorFlow's 'same' padding (extra padding at the end), NHWC."""
    kh, kw = kernel.shape[:2]
    h, w = x.shape[1:3]
    out_h, out_w = -(-h // stride), -(-w // stride)
    pad_h = max((out_h - 1) * stride + kh - h, 0)
    pad_w = max((out_w - 1) * stride + kw - w, 0)
    padded = np.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[-1]))
    for i in range(out_h):
        for j in range(out_w):
            window = padded[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j] = np.einsum("bhwc,hwcf->bf", window, kernel)
    return out + bias


@pytest.mark.parametrize("stride", [1, 2])
def test_conv_same_padding_and_strides_match_a_numpy_convolution(stride):
    layer = EqualizedConv2D(3, 3, strides=stride, lr_multiplier=2.0)
    layer.build((None, 5, 6, 2))
    _random_weights(layer, seed=4)
    x = np.random.default_rng(5).normal(size=(2, 5, 6, 2)).astype(np.float32)
    kernel = layer.kernel.numpy() * math.sqrt(2) / math.sqrt(18) * 2.0
    expected = _numpy_conv_same(x, kernel, layer.bias.numpy() * 2.0, stride)
    out = layer(x)
    assert out.shape == expected.shape == layer.compute_output_shape((2, 5, 6, 2))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_conv_stored_kernel_std_and_effective_bias():
    keras.utils.set_random_seed(6)
    layer = EqualizedConv2D(64, 3, lr_multiplier=0.1)
    layer.build((None, 4, 4, 64))  # 36864 draws: sample std within 0.4%
    assert np.std(layer.kernel.numpy()) == pytest.approx(10.0, rel=0.02)
    layer.bias.assign(np.arange(64, dtype=np.float32))
    np.testing.assert_allclose(layer.effective_bias(), np.arange(64) * 0.1, rtol=1e-6)


# ------------------------------------------------------------ serialization, precision, errors
def test_serialize_deserialize_keeps_every_argument():
    dense = EqualizedDense(
        7, lr_multiplier=0.01, gain=1.0, use_bias=True, bias_initializer_value=1.0, activation="lrelu", name="d",
        kernel_initializer_scale=0.3,
    )
    conv = EqualizedConv2D(
        3, (1, 3), strides=2, padding="valid", lr_multiplier=0.5, gain=2.0, use_bias=False, activation="tanh"
    )
    for layer in (dense, conv):
        again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(again) is type(layer)
        assert again.get_config() == layer.get_config()
    assert (again.kernel_size, again.strides, again.padding, again.activation) == ((1, 3), (2, 2), "valid", "tanh")


def test_a_saved_keras_model_keeps_weights_and_behaviour(tmp_path):
    keras.utils.set_random_seed(7)
    inputs = keras.Input((6, 6, 2))
    h = EqualizedConv2D(4, 3, activation="lrelu", lr_multiplier=0.5, name="conv")(inputs)
    h = keras.layers.Flatten()(h)
    outputs = EqualizedDense(3, lr_multiplier=0.01, bias_initializer_value=1.0, gain=1.0, name="dense")(h)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(8).normal(size=(2, 6, 6, 2)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(restored.get_layer("conv"), EqualizedConv2D)
    assert restored.get_layer("dense").runtime_scale == model.get_layer("dense").runtime_scale
    np.testing.assert_allclose(restored(x), model(x), rtol=1e-6)


def test_mixed_precision_computes_in_float16_with_float32_weights():
    x = np.random.default_rng(9).normal(size=(2, 4, 4, 3)).astype(np.float32)
    full = EqualizedConv2D(4, 3, activation="lrelu")
    full.build(x.shape)
    mixed = EqualizedConv2D(4, 3, activation="lrelu", dtype="mixed_float16")
    mixed.build(x.shape)
    for weight, value in zip(mixed.weights, full.weights):
        weight.assign(value)
    out = mixed(x)
    assert out.dtype == tf.float16 and mixed.kernel.dtype == "float32"
    np.testing.assert_allclose(out.numpy().astype(np.float32), full(x), rtol=2e-2, atol=2e-2)


def test_bad_arguments_and_unbuilt_scale():
    with pytest.raises(ValueError, match="lr_multiplier"):
        EqualizedDense(4, lr_multiplier=0.0)
    with pytest.raises(ValueError, match="gain"):
        EqualizedConv2D(4, 3, gain=-1.0)
    with pytest.raises(ValueError, match="units"):
        EqualizedDense(0)
    for scale in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="kernel_initializer_scale"):
            EqualizedDense(4, kernel_initializer_scale=scale)
    with pytest.raises(ValueError, match="padding"):
        EqualizedConv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        EqualizedConv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="NHWC"):
        EqualizedConv2D(4, 3)(keras.Input((5, 2)))
    with pytest.raises(RuntimeError, match="not built"):
        _ = EqualizedDense(4).runtime_scale
