"""Normalizations of ProGAN and StyleGAN: pixelwise feature normalization and AdaIN.

* :class:`PixelNorm`: Karras, Aila, Laine & Lehtinen 2018, "Progressive
  Growing of GANs" (arXiv:1710.10196), section 4.2: each pixel's feature
  vector is scaled to unit root mean square, which keeps the generator's and
  the discriminator's magnitudes from escalating against each other.
* :class:`AdaIN`: adaptive instance normalization, Huang & Belongie 2017,
  "Arbitrary Style Transfer in Real-time with Adaptive Instance Normalization"
  (arXiv:1703.06868), eq. 8, used by StyleGAN (Karras, Laine & Aila 2019,
  arXiv:1812.04948, section 2) to apply a style after each convolution.

Both are serializable (``get_config``, registered under ``keras_genzoo``).
Their statistics are computed in float32 whatever the compute dtype (in
float16 the squares of activations above 256 overflow), then cast back.
"""

from __future__ import annotations

import keras


def _check_epsilon(epsilon):
    if not float(epsilon) >= 0.0:
        raise ValueError(f"epsilon must be >= 0, got {epsilon}")
    return float(epsilon)


@keras.saving.register_keras_serializable("keras_genzoo")
class PixelNorm(keras.layers.Layer):
    """``x / sqrt(mean(x^2 over the last axis) + epsilon)`` (Karras et al. 2018, section 4.2).

    For NHWC feature maps the last axis is the channels, so every pixel's
    feature vector gets a mean square of 1 (exactly, up to ``epsilon``); for
    ``[B, D]`` inputs (the latent code, or StyleGAN's mapping-network input)
    it is the whole vector. Any rank >= 2 works; no parameters.
    """

    def __init__(self, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = _check_epsilon(epsilon)

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"PixelNorm takes inputs of rank >= 2, got shape {tuple(input_shape)}")

    def call(self, inputs):
        x = keras.ops.cast(inputs, "float32")
        mean_square = keras.ops.mean(keras.ops.square(x), axis=-1, keepdims=True)
        return keras.ops.cast(x * keras.ops.rsqrt(mean_square + self.epsilon), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable("keras_genzoo")
class AdaIN(keras.layers.Layer):
    """Adaptive instance normalization: ``AdaIN()([x, style_scale, style_bias])``.

    Huang & Belongie 2017, eq. 8, ``AdaIN(x, y) = sigma(y) * (x - mu(x)) /
    sigma(x) + mu(y)``, in three steps:

    1. instance-normalize: each channel of each example, over the spatial
       axes, gets mean 0 and standard deviation 1 (biased variance, with
       ``epsilon`` inside the square root);
    2. multiply by ``style_scale``, the style's standard deviation;
    3. add ``style_bias``, the style's mean.

    So every output channel has mean ``style_bias`` and standard deviation
    ``|style_scale|`` (exactly, up to ``epsilon``), whatever the input's own
    statistics: the style decides them (StyleGAN, section 2, where the two
    come from a learned affine map of w).

    ``x`` is ``[B, H, W, C]`` (any ``[B, ..., C]`` of rank >= 3 works the
    same way over its middle axes); ``style_scale`` and ``style_bias`` are
    ``[B, C]``. A channel with a single position (``H = W = 1``) or a
    constant one has standard deviation 0, so its normalized value is 0 and
    the output is ``style_bias`` there.
    """

    def __init__(self, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = _check_epsilon(epsilon)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 3 or not all(
            isinstance(shape, (list, tuple)) for shape in input_shape
        ):
            raise ValueError("AdaIN takes a list of three tensors: [x, style_scale, style_bias]")
        x_shape, scale_shape, bias_shape = (tuple(shape) for shape in input_shape)
        if len(x_shape) < 3:
            raise ValueError(f"AdaIN takes x of shape [batch, ..., channels], got {x_shape}")
        for name, shape in (("style_scale", scale_shape), ("style_bias", bias_shape)):
            if len(shape) != 2 or (None not in (shape[-1], x_shape[-1]) and shape[-1] != x_shape[-1]):
                raise ValueError(f"AdaIN needs {name} of shape [batch, {x_shape[-1]}], got {shape}")

    def call(self, inputs):
        x, style_scale, style_bias = inputs
        spatial_axes = tuple(range(1, len(x.shape) - 1))
        values = keras.ops.cast(x, "float32")
        # two passes (mean, then the mean square of the deviations): a one-pass
        # E[x^2] - E[x]^2 loses the variance to cancellation when |mean| >> std
        mean = keras.ops.mean(values, axis=spatial_axes, keepdims=True)
        centered = values - mean
        variance = keras.ops.mean(keras.ops.square(centered), axis=spatial_axes, keepdims=True)
        normalized = centered * keras.ops.rsqrt(variance + self.epsilon)
        scale = keras.ops.cast(style_scale, "float32")
        bias = keras.ops.cast(style_bias, "float32")
        for _ in spatial_axes:  # [B, C] -> [B, 1, ..., 1, C], to broadcast over the spatial axes
            scale = keras.ops.expand_dims(scale, 1)
            bias = keras.ops.expand_dims(bias, 1)
        return keras.ops.cast(normalized * scale + bias, x.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
