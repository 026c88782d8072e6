"""StyleGAN's synthesis-network inputs: per-pixel noise and the learned constant.

Karras, Laine & Aila 2019, "A Style-Based Generator Architecture for
Generative Adversarial Networks" (arXiv:1812.04948):

* :class:`NoiseInjection`: section 2 and 3.2 ("stochastic variation"): a
  single-channel image of Gaussian noise is added to every feature map,
  scaled per feature map by a learned factor, after each convolution.
* :class:`LearnedConstant`: section 2: the synthesis network starts from a
  learned 4x4x512 constant instead of from the latent code; the code enters
  only through the styles (AdaIN).

The noise is an input of :class:`NoiseInjection`, never drawn inside it: the
model draws it (per replica, from a seed and the step: docs/architecture.md),
so the layer is deterministic, a graph or an export holds no hidden random
state, and fixing the noise fixes the image (ONNX parity, style mixing).
Both layers are serializable (``get_config``, registered under ``keras_genzoo``).
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable("keras_genzoo")
class NoiseInjection(keras.layers.Layer):
    """``NoiseInjection()([x, noise])`` returns ``x + scale * noise`` (Karras et al. 2019, section 2).

    ``x`` is ``[B, H, W, C]``, ``noise`` ``[B, H, W, 1]``: the same noise
    image for every channel, multiplied by the learned per-channel ``scale``
    (shape ``[C]``), which starts at zero, so a fresh layer passes ``x``
    through unchanged and training decides how much noise each feature map
    takes.
    """

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(shape, (list, tuple)) for shape in input_shape
        ):
            raise ValueError("NoiseInjection takes a list of two tensors: [x, noise]")
        x_shape, noise_shape = (tuple(shape) for shape in input_shape)
        if len(x_shape) < 2 or x_shape[-1] is None:
            raise ValueError(f"NoiseInjection takes x of shape [batch, ..., channels], got {x_shape}")
        if len(noise_shape) != len(x_shape) or noise_shape[-1] not in (1, None):
            raise ValueError(
                f"NoiseInjection needs noise of shape [batch, ..., 1] (one channel), got {noise_shape}"
            )
        self.scale = self.add_weight(name="scale", shape=(x_shape[-1],), initializer="zeros")

    def call(self, inputs):
        x, noise = inputs
        return x + self.scale * keras.ops.cast(noise, x.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])


@keras.saving.register_keras_serializable("keras_genzoo")
class LearnedConstant(keras.layers.Layer):
    """StyleGAN's learned constant input, ``[1, size, size, channels]``, repeated over the batch.

    Karras et al. 2019, section 2 (and table 1, configuration D): called on
    any tensor whose first axis is the batch (typically w, ``[B, D]``), it
    returns the constant (initialised to ones) tiled to ``[B, size, size,
    channels]``; only the batch size of the input is read, so the input's
    values do not matter. The gradient of every batch entry flows back into
    the one constant.
    """

    def __init__(self, size: int, channels: int, initializer="ones", **kwargs):
        super().__init__(**kwargs)
        if int(size) < 1 or int(channels) < 1:
            raise ValueError(f"size and channels must be >= 1, got {size} and {channels}")
        self.size = int(size)
        self.channels = int(channels)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(
                f"LearnedConstant takes a tensor with a batch axis, got shape {tuple(input_shape)}"
            )
        self.constant = self.add_weight(
            name="constant", shape=(1, self.size, self.size, self.channels),
            initializer=self.initializer)

    def call(self, inputs):
        batch = keras.ops.shape(inputs)[0]
        return keras.ops.tile(keras.ops.convert_to_tensor(self.constant), [batch, 1, 1, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "channels": self.channels,
                "initializer": keras.initializers.serialize(self.initializer)}


@keras.saving.register_keras_serializable("keras_genzoo")
class FixedNoise(keras.layers.Layer):
    """One fixed noise image ``[1, size, size, 1]``, repeated over the batch.

    StyleGAN's released generator keeps such a buffer per noise input (its
    "const" noise mode) so that a trained model renders reproducibly: genzoo
    samples and exports with these buffers, while training draws fresh noise
    for every example. The buffer is a non-trainable weight drawn from
    N(0, 1) with ``seed``, saved with the model; like
    :class:`LearnedConstant`, only the batch size of the input is read.
    """

    def __init__(self, size: int, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if int(size) < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.size = int(size)
        self.seed = int(seed)

    def build(self, input_shape):
        self.noise = self.add_weight(
            name="noise", shape=(1, self.size, self.size, 1), trainable=False,
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed))

    def call(self, inputs):
        batch = keras.ops.shape(inputs)[0]
        return keras.ops.tile(keras.ops.convert_to_tensor(self.noise), [batch, 1, 1, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, 1)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "seed": self.seed}
