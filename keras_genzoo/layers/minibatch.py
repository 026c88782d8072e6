"""Layers that let a discriminator look at a whole minibatch, against mode collapse.

A discriminator that scores each example alone cannot tell that the generator
emits the same few samples over and over. These layers append statistics of
the minibatch to each example's features, so that a batch lacking variety
looks different from a real one:

* :class:`MinibatchDiscrimination`: Salimans, Goodfellow, Zaremba, Cheung,
  Radford & Chen 2016, "Improved Techniques for Training GANs"
  (arXiv:1606.03498), section 3.2: learned closeness of each example to
  every other one (summed over the batch as in the paper, or averaged: see the class).
* :class:`MinibatchStdDev`: Karras, Aila, Laine & Lehtinen 2018, "Progressive
  Growing of GANs" (arXiv:1710.10196), section 3: the average standard
  deviation of the features over a group of examples, no parameters.

Both are serializable (``get_config``, registered under ``keras_genzoo``) and
work inside functional models. Their batch statistics are computed in float32
whatever the compute dtype, then cast back.
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable("keras_genzoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends, per kernel, how close each example is to the rest of the minibatch.

    Salimans et al. 2016, section 3.2. For features ``f(x_i)`` (``[B, A]``), a
    learned tensor ``T`` (``A x num_kernels x kernel_dim``) gives
    ``M_i = f(x_i) T`` (``num_kernels x kernel_dim``); with ``M_i,b`` its row
    ``b`` and ``c_b(x_i, x_j) = exp(-||M_i,b - M_j,b||_L1)``, the appended
    feature ``o(x_i)_b`` is, by ``reduction``:

    * ``"sum"``, the paper's formula: ``o(x_i)_b = sum_{j=1}^{n} c_b(x_i, x_j)``,
      over EVERY ``j``, ``i`` itself included (it contributes ``exp(0) = 1``).
      Its values lie in ``[1, B]``;
    * ``"mean"`` (the default, ours): ``o(x_i)_b = mean over j != i of
      c_b(x_i, x_j)``, in ``[0, 1]``; a batch of one has no others and gets 0.

    The output is ``[f(x_i), o(x_i)]``: ``[B, A + num_kernels]``. A collapsed
    batch gives every closeness ``c_b`` close to 1 (sum: ``B``; mean: 1); a
    varied one, close to 0 (sum: 1, the example itself; mean: 0).

    Why the mean is the default: the sum grows with the batch size (about 53
    on a real batch of 64 at initialisation, against features of order 0.1
    from the rest of the discriminator), so it dominated the logit from the
    first step and the benchmark's GAN collapsed (docs/benchmarks.md, mode
    coverage). The mean keeps the feature in [0, 1] at every batch size, and
    leaving ``i`` out (as the authors' released code does) drops a constant
    that carries no information about the batch; the layer after it can learn
    any scale, so nothing the sum could express is lost.
    """

    REDUCTIONS = ("mean", "sum")

    def __init__(self, num_kernels: int, kernel_dim: int, reduction: str = "mean", **kwargs):
        super().__init__(**kwargs)
        if int(num_kernels) < 1 or int(kernel_dim) < 1:
            raise ValueError(
                f"num_kernels and kernel_dim must be >= 1, got {num_kernels} and {kernel_dim}"
            )
        if reduction not in self.REDUCTIONS:
            raise ValueError(f"reduction must be one of {', '.join(self.REDUCTIONS)}, "
                             f"got {reduction!r}")
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.reduction = reduction

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"MinibatchDiscrimination takes [batch, features] with known features, "
                f"got shape {tuple(input_shape)}"
            )
        # Small weights keep the L1 distances between examples of order 1 at the
        # start, where exp(-d) is sensitive to them. Large ones push every
        # distance far out: c_b(i, j) ~ 0 for j != i, o(x_i)_b = 1 for every
        # example, and the features carry neither information nor gradient.
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.02),
        )

    def call(self, inputs):
        projected = tf.matmul(inputs, self.kernel)
        # float32 for the distances: in float16 the differences of nearby rows cancel
        rows = tf.reshape(tf.cast(projected, tf.float32), [-1, self.num_kernels, self.kernel_dim])
        # [B, 1, K, D] - [1, B, K, D] -> L1 over D -> [B, B, K]
        distances = tf.reduce_sum(tf.abs(rows[:, None] - rows[None, :]), axis=-1)
        # the paper's sum over every j, c_b(i, i) = exp(0) = 1 included: [B, K]
        closeness = tf.reduce_sum(tf.exp(-distances), axis=1)
        if self.reduction == "mean":
            # minus c_b(i, i), divided by the B - 1 others
            others = tf.cast(tf.shape(rows)[0] - 1, tf.float32)
            closeness = (closeness - 1.0) / tf.maximum(others, 1.0)
        return tf.concat([inputs, tf.cast(closeness, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim, "reduction": self.reduction}


@keras.saving.register_keras_serializable("keras_genzoo")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the group's average feature standard deviation as one extra feature or channel.

    Karras et al. 2018, section 3: the batch is split into groups of
    ``group_size`` consecutive examples (the whole batch when its size is not
    a multiple of ``group_size``, which includes batches smaller than it;
    the size may be known only at run time). Within each group, the standard
    deviation over the group of every feature and position (biased, with
    1e-8 under the square root) is averaged into one number, which is given
    to every member of the group: ``[B, F] -> [B, F + 1]``, or as a constant
    channel ``[B, H, W, C] -> [B, H, W, C + 1]`` (any rank >= 2 works the
    same way, along the last axis).
    """

    def __init__(self, group_size: int = 4, **kwargs):
        super().__init__(**kwargs)
        # a group of one has no spread: the statistic would be a constant
        if int(group_size) < 2:
            raise ValueError(f"group_size must be >= 2, got {group_size}")
        self.group_size = int(group_size)

    def call(self, inputs):
        if inputs.shape.rank is None or inputs.shape.rank < 2:
            raise ValueError(f"MinibatchStdDev takes inputs of rank >= 2, got shape {inputs.shape}")
        batch = tf.shape(inputs)[0]
        group = tf.where(batch % self.group_size == 0, self.group_size, batch)
        group = tf.maximum(group, 1)  # an empty batch: avoid dividing by zero below
        num_groups = batch // group
        grouped = tf.reshape(tf.cast(inputs, tf.float32), [num_groups, group, -1])
        deviations = grouped - tf.reduce_mean(grouped, axis=1, keepdims=True)
        stddev = tf.sqrt(tf.reduce_mean(tf.square(deviations), axis=1) + 1e-8)  # [groups, features]
        per_group = tf.reduce_mean(stddev, axis=1)  # [groups]
        per_example = tf.reshape(tf.broadcast_to(per_group[:, None], [num_groups, group]), [-1])
        per_example = tf.reshape(per_example, [-1] + [1] * (inputs.shape.rank - 1))
        extra = tf.ones_like(inputs[..., :1]) * tf.cast(per_example, inputs.dtype)
        return tf.concat([inputs, extra], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        return (*input_shape[:-1], None if channels is None else channels + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}
