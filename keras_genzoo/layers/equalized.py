"""Dense and convolution layers with an equalized learning rate.

Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs"
(arXiv:1710.10196), section 4.1: instead of initialising each weight at He's
scale, every stored weight is drawn from N(0, 1) and multiplied at run time by
the He constant ``c = gain / sqrt(fan_in)``. Adam (and RMSProp) divide each
update by a running estimate of the gradient's scale, so a step moves a stored
weight by about the learning rate whatever that weight's scale; storing every
weight at unit scale therefore gives every layer the same learning speed
relative to its weights, where He initialisation would make layers with a
large fan-in learn relatively faster.

The learning-rate multiplier ``lr_multiplier`` (Karras, Laine & Aila 2019,
"A Style-Based Generator Architecture for GANs", arXiv:1812.04948, appendix C:
0.01 for the mapping network) extends the same trick: the stored weight is
drawn from N(0, (1 / lr_multiplier)^2) and multiplied at run time by
``c * lr_multiplier``. The effective weight has the same initial distribution
as before, but an optimizer step, still of about the learning rate in stored
units, moves it ``lr_multiplier`` times as far: the layer learns
``lr_multiplier`` times as fast. The bias is treated the same way (stored
divided by, used multiplied by ``lr_multiplier``), without the He constant.

Both layers are serializable (``get_config``, registered under
``keras_genzoo``). The activation may be any Keras activation, or ``"lrelu"``:
the leaky ReLU with slope 0.2 used throughout both papers.
"""

from __future__ import annotations

import math

import keras

#: slope of the leaky ReLU of ProGAN and StyleGAN (Karras et al. 2018, appendix A.1)
LEAKY_RELU_SLOPE = 0.2


def _leaky_relu(x):
    return keras.activations.leaky_relu(x, negative_slope=LEAKY_RELU_SLOPE)


def _resolve_activation(spec):
    """A callable for ``spec``: None (identity), ``"lrelu"`` or anything ``keras.activations.get`` takes."""
    if spec is None:
        return None
    if spec == "lrelu":
        return _leaky_relu
    return keras.activations.get(spec)


def _activation_config(spec):
    # names (including our "lrelu") are stored as given; a function is stored the Keras way
    if spec is None or isinstance(spec, str):
        return spec
    return keras.saving.serialize_keras_object(spec)


def _check_scales(**scales):
    """Each keyword's value > 0 (NaN fails the comparison, so it is refused too)."""
    for name, value in scales.items():
        if not float(value) > 0.0:
            raise ValueError(f"{name} must be > 0, got {value}")


def _pair(value, name):
    """An int or a pair of ints, each >= 1, as a tuple of two ints."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(int(v) < 1 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value}")
    return tuple(int(v) for v in pair)


class _EqualizedMixin:
    """What both layers share: the run-time scale and the effective weights.

    Subclasses set ``self._fan_in`` in ``build``; ``kernel`` and (with
    ``use_bias``) ``bias`` are the stored weights.
    """

    @property
    def runtime_scale(self) -> float:
        """``gain / sqrt(fan_in) * lr_multiplier``: stored kernel -> effective kernel (known after build)."""
        if getattr(self, "_fan_in", None) is None:
            raise RuntimeError(f"{self.name} is not built yet: its fan-in, and so its scale, is unknown")
        return self.gain / math.sqrt(self._fan_in) * self.lr_multiplier

    def effective_kernel(self):
        """The kernel the layer multiplies its inputs by: ``kernel * runtime_scale``."""
        # a Keras variable in arithmetic reads its value in the compute dtype inside call()
        return self.kernel * self.runtime_scale

    def effective_bias(self):
        """The bias the layer adds: ``bias * lr_multiplier``; None without a bias."""
        if not self.use_bias:
            return None
        return self.bias * self.lr_multiplier

    def _finish(self, outputs):
        if self.use_bias:
            outputs = outputs + self.effective_bias()
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs


@keras.saving.register_keras_serializable("keras_genzoo")
class EqualizedDense(_EqualizedMixin, keras.layers.Layer):
    """A dense layer with an equalized learning rate (Karras et al. 2018, section 4.1).

    ``y = activation(x @ (kernel * runtime_scale) + bias * lr_multiplier)``
    with ``runtime_scale = gain / sqrt(fan_in) * lr_multiplier``, ``fan_in``
    the size of the last input axis (any input rank >= 2). The stored kernel
    is drawn from N(0, (1 / lr_multiplier)^2); the stored bias starts at
    ``bias_initializer_value / lr_multiplier``, so the effective bias starts
    at ``bias_initializer_value`` (StyleGAN initialises the bias of the
    affine layers that give AdaIN's scale at 1; Karras et al. 2019, section 2).
    ``gain`` is sqrt(2) for layers followed by a (leaky) ReLU, 1 for linear ones.
    ``kernel_initializer_scale`` (default 1, the papers') multiplies the stored
    kernel's initial standard deviation, so the layer starts closer to its bias
    without changing how fast it learns.
    """

    def __init__(
        self,
        units: int,
        *,
        lr_multiplier: float = 1.0,
        gain: float = math.sqrt(2),
        use_bias: bool = True,
        bias_initializer_value: float = 0.0,
        kernel_initializer_scale: float = 1.0,
        activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"units must be >= 1, got {units}")
        _check_scales(lr_multiplier=lr_multiplier, gain=gain,
                      kernel_initializer_scale=kernel_initializer_scale)
        self.kernel_initializer_scale = float(kernel_initializer_scale)
        self.units = int(units)
        self.lr_multiplier = float(lr_multiplier)
        self.gain = float(gain)
        self.use_bias = bool(use_bias)
        self.bias_initializer_value = float(bias_initializer_value)
        self.activation = activation
        self._activation_fn = _resolve_activation(activation)
        self._fan_in = None

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                "EqualizedDense takes inputs of rank >= 2 with a known last axis, "
                f"got shape {tuple(input_shape)}"
            )
        self._fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self._fan_in, self.units),
            initializer=keras.initializers.RandomNormal(
                stddev=self.kernel_initializer_scale / self.lr_multiplier),
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=keras.initializers.Constant(self.bias_initializer_value / self.lr_multiplier),
            )

    def call(self, inputs):
        return self._finish(keras.ops.matmul(inputs, self.effective_kernel()))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "lr_multiplier": self.lr_multiplier,
            "gain": self.gain,
            "use_bias": self.use_bias,
            "bias_initializer_value": self.bias_initializer_value,
            "kernel_initializer_scale": self.kernel_initializer_scale,
            "activation": _activation_config(self.activation),
        }


@keras.saving.register_keras_serializable("keras_genzoo")
class EqualizedConv2D(_EqualizedMixin, keras.layers.Layer):
    """A 2-D convolution (NHWC) with an equalized learning rate (Karras et al. 2018, section 4.1).

    The same contract as :class:`EqualizedDense` with
    ``fan_in = kernel_h * kernel_w * in_channels``, the number of inputs
    each output value sums over. The kernel is ``[kernel_h, kernel_w,
    in_channels, filters]``; ``padding`` is ``"same"`` or ``"valid"``; the
    bias starts at zero.
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        *,
        strides=1,
        padding: str = "same",
        lr_multiplier: float = 1.0,
        gain: float = math.sqrt(2),
        use_bias: bool = True,
        activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(filters) < 1:
            raise ValueError(f"filters must be >= 1, got {filters}")
        if padding not in ("same", "valid"):
            raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
        _check_scales(lr_multiplier=lr_multiplier, gain=gain)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = padding
        self.lr_multiplier = float(lr_multiplier)
        self.gain = float(gain)
        self.use_bias = bool(use_bias)
        self.activation = activation
        self._activation_fn = _resolve_activation(activation)
        self._fan_in = None

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                f"EqualizedConv2D takes NHWC inputs with known channels, got shape {tuple(input_shape)}"
            )
        in_channels = int(input_shape[-1])
        self._fan_in = self.kernel_size[0] * self.kernel_size[1] * in_channels
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
        )
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def call(self, inputs):
        outputs = keras.ops.conv(
            inputs,
            self.effective_kernel(),
            strides=self.strides,
            padding=self.padding,
            data_format="channels_last",
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        spatial = []
        for size, kernel, stride in zip(input_shape[1:3], self.kernel_size, self.strides):
            if size is None:
                spatial.append(None)
            elif self.padding == "same":
                spatial.append(-(-size // stride))  # ceil(size / stride)
            else:
                spatial.append((size - kernel) // stride + 1)
        return (input_shape[0], *spatial, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "lr_multiplier": self.lr_multiplier,
            "gain": self.gain,
            "use_bias": self.use_bias,
            "activation": _activation_config(self.activation),
        }
