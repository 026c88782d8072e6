"""Fading in a new resolution block, as in progressive growing.

Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs"
(arXiv:1710.10196), section 2 and figure 2: when the generator and the
discriminator grow to twice the resolution, the new layers are not switched
on at once (their random weights would shock the well-trained smaller
networks). The new block's output is blended with the old path's output
(upsampled in the generator, downsampled in the discriminator) by a weight
``alpha`` that rises linearly from 0 to 1 over the fade-in phase.

``alpha`` is a non-trainable weight of the layer, not a Python number: the
compiled training step reads its current value without retracing, and it is
saved with the model's weights, so a checkpoint taken in the middle of a fade-in
resumes at the same alpha.
"""

from __future__ import annotations

import math
import numbers

import keras


@keras.saving.register_keras_serializable("keras_genzoo")
class FadeIn(keras.layers.Layer):
    """``FadeIn()([old, new])`` returns ``(1 - alpha) * old + alpha * new`` (Karras et al. 2018, figure 2).

    ``old`` and ``new`` have the same shape. ``alpha`` is a float32 scalar
    weight, not trainable, starting at 0 (only the old path: the network
    behaves as before it grew), cast to the inputs' dtype for the blend. The
    blend is written as a weighted sum, not as ``old + alpha * (new - old)``,
    so that alpha = 0 gives ``old`` and alpha = 1 gives ``new`` exactly.

    Under ``tf.distribute`` the weight is aggregated ONLY_FIRST_REPLICA: every
    replica computes the same alpha from the same step, so assigning it from
    inside a replica function takes the first replica's value rather than
    failing (the default aggregation refuses assignments in replica context).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # created here rather than in build(): its shape does not depend on the
        # inputs, and set_alpha() must work before the layer is first called
        self.alpha = self.add_weight(
            name="alpha",
            shape=(),
            initializer="zeros",
            dtype="float32",
            trainable=False,
            autocast=False,
            aggregation="only_first_replica",
        )

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(shape, (list, tuple)) for shape in input_shape
        ):
            raise ValueError("FadeIn takes a list of two tensors: [old, new]")
        old_shape, new_shape = (tuple(shape) for shape in input_shape)
        compatible = len(old_shape) == len(new_shape) and all(
            a is None or b is None or a == b for a, b in zip(old_shape, new_shape)
        )
        if not compatible:
            raise ValueError(f"FadeIn needs old and new of the same shape, got {old_shape} and {new_shape}")

    def call(self, inputs):
        old, new = inputs
        alpha = keras.ops.cast(self.alpha, old.dtype)
        return (1.0 - alpha) * old + alpha * keras.ops.cast(new, old.dtype)

    def set_alpha(self, value) -> None:
        """Assign alpha, clipped to [0, 1]. A Python number or a tensor (so a ``tf.function`` can call it)."""
        if isinstance(value, numbers.Real):
            if not math.isfinite(value):
                raise ValueError(f"alpha must be a finite number, got {value}")
            self.alpha.assign(min(max(float(value), 0.0), 1.0))
        else:
            self.alpha.assign(keras.ops.clip(keras.ops.cast(value, "float32"), 0.0, 1.0))

    @property
    def alpha_value(self) -> float:
        """The current alpha as a Python float (eager mode)."""
        # the variable itself, not its .value: under MirroredStrategy, after a replica
        # assigned it, .value is a distributed value that NumPy cannot read
        return float(keras.ops.convert_to_numpy(self.alpha))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])
