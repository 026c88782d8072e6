"""Virtual batch normalization: Salimans, Goodfellow, Zaremba, Cheung, Radford &
Chen 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498), section 3.5.

Batch normalization makes each output depend on the other examples of its
minibatch. Virtual batch normalization (VBN) normalizes each example ``x``
with the statistics of a REFERENCE batch, chosen once at the start of training
and fixed, together with ``x`` itself, so that an output depends on its own
input and the reference batch only.

The formula used here (and tested against NumPy): with the reference batch
of ``N`` examples ``r_1 .. r_N``, per channel ``c`` (the last axis) and with
``<.>`` the mean over an example's positions (all axes but the batch and the
channel; a ``[batch, features]`` input has one position),

    ``mu_ref = mean_n <r_n>``,  ``s_ref = mean_n <r_n^2>``,
    ``mu(x) = (N mu_ref + <x>) / (N + 1)``,
    ``s(x) = (N s_ref + <x^2>) / (N + 1)``,
    ``VBN(x) = gamma (x - mu(x)) / sqrt(s(x) - mu(x)^2 + epsilon) + beta``:

the mean and (biased) variance of the ``N + 1`` examples ``{r_1 .. r_N, x}``,
each weighted equally, which is "the statistics collected on a reference
batch ... and on x itself" of the paper (the authors' released code uses the
same ``1 / (N + 1)`` weights). The reference examples themselves are
normalized with the reference statistics alone (ordinary batch
normalization of the reference batch).

The reference statistics are a function of the network's current parameters,
so in training they are recomputed at every call, with gradients, from the
first ``reference_size`` rows of the input: the caller puts the reference
batch in front of the real batch (``training=True``), which is the paper's
second forward pass (VBN is expensive: "two minibatches of data" per update).
Each such call stores the reference statistics in non-trainable variables;
inference (``training=False``) normalizes every row with the stored ones, so
the result is deterministic and each example is independent of the others
(a SavedModel or ONNX export computes exactly this).
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable("keras_genzoo")
class VirtualBatchNormalization(keras.layers.Layer):
    """Normalizes each example with the statistics of a fixed reference batch plus
    itself (Salimans et al. 2016, section 3.5; formula in the module docstring).

    ``training=True``: the first ``reference_size`` rows ARE the reference batch
    (normalized with their own statistics, which are also stored); the rest are
    normalized example by example with the reference statistics and their own.
    ``training=False``: every row is normalized with the stored statistics.
    """

    def __init__(self, reference_size: int, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        if int(reference_size) < 1:
            raise ValueError(f"reference_size must be >= 1, got {reference_size}")
        self.reference_size = int(reference_size)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"VirtualBatchNormalization needs a known last (channel) axis, "
                             f"got shape {tuple(input_shape)}")
        channels = (input_shape[-1],)
        self.gamma = self.add_weight(name="gamma", shape=channels, initializer="ones",
                                     autocast=False)
        self.beta = self.add_weight(name="beta", shape=channels, initializer="zeros",
                                    autocast=False)
        # E[x] and E[x^2] of the reference batch under the parameters of the latest
        # training call; 0 and 1 (unit variance) until the first one
        self.reference_mean = self.add_weight(name="reference_mean", shape=channels,
                                              initializer="zeros", trainable=False,
                                              autocast=False)
        self.reference_mean_square = self.add_weight(name="reference_mean_square",
                                                     shape=channels, initializer="ones",
                                                     trainable=False, autocast=False)

    def _normalize(self, x, mean, mean_square):
        variance = tf.maximum(mean_square - tf.square(mean), 0.0)
        return (x - mean) * tf.math.rsqrt(variance + self.epsilon) * self.gamma + self.beta

    def call(self, inputs, training=False):
        # float32 statistics whatever the compute dtype (squares overflow float16)
        x = tf.cast(inputs, tf.float32)
        positions = list(range(1, len(x.shape) - 1))  # [] for [batch, features]
        n = float(self.reference_size)

        def per_example(values):
            return tf.reduce_mean(values, axis=positions, keepdims=True) if positions else values

        if training:
            reference, rest = x[:self.reference_size], x[self.reference_size:]
            batch_axes = [0, *positions]
            ref_mean = tf.reduce_mean(reference, axis=batch_axes)
            ref_square = tf.reduce_mean(tf.square(reference), axis=batch_axes)
            self.reference_mean.assign(tf.stop_gradient(ref_mean))
            self.reference_mean_square.assign(tf.stop_gradient(ref_square))
            normalized_reference = self._normalize(reference, ref_mean, ref_square)
        else:
            rest = x
            ref_mean, ref_square = self.reference_mean, self.reference_mean_square
        mean = (n * ref_mean + per_example(rest)) / (n + 1.0)
        mean_square = (n * ref_square + per_example(tf.square(rest))) / (n + 1.0)
        out = self._normalize(rest, mean, mean_square)
        if training:
            out = tf.concat([normalized_reference, out], axis=0)
        return tf.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size,
                "epsilon": self.epsilon}
