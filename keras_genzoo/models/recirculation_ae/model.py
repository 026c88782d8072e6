"""Recirculation (Hinton & McClelland 1987, "Learning representations by
recirculation", Neural Information Processing Systems 0, pp. 358-366).

A one-hidden-layer autoencoder trained WITHOUT backpropagation: the visible
vector is passed twice around the loop visible -> hidden -> visible -> hidden,
and each weight changes by its presynaptic activity times the difference of its
postsynaptic unit's activity on the two passes. Goodfellow, Bengio & Courville
(2016, *Deep Learning*, introduction of chapter 14) cite it (as Hinton and
McClelland, 1988, the proceedings' year) as an autoencoder trained by comparing
the activations on the original input with those on the reconstructed input,
"more biologically plausible than back-propagation".

With visible vector ``v``, hidden vector ``h``, logistic ``sigma``, encoder
(hidden-side, "recognition") weights ``W_hv`` with hidden biases ``b`` and
decoder (visible-side, "generative") weights ``W_vh`` with visible biases ``c``,
the paper's section 2 reads, one time step per equation:

    (1)  v(0) = x                                                  input clamped
         h(1) = sigma(W_hv v(0) + b)                                first pass up
    (2)  v(2) = lambda v(0) + (1 - lambda) sigma(W_vh h(1) + c)     "regression"
    (3)  h(3) = lambda h(1) + (1 - lambda) sigma(W_hv v(2) + b)     second pass up
    (4)  Delta W_vh = eps (v(0) - v(2)) h(1)^T,   Delta c = eps (v(0) - v(2))
    (5)  Delta W_hv = eps (h(1) - h(3)) v(2)^T,   Delta b = eps (h(1) - h(3))

``lambda`` (the ``regression`` config key, 0.75 in the paper's simulations)
makes the second visible state a blend of the input and its reconstruction, so
that ``v(2)`` stays close to ``v(0)`` and the second hidden pass sees nearly
the same input as the first: then ``h(1) - h(3)`` approximates the hidden
units' sensitivity to the reconstruction error, which is what makes rule (5)
approximate gradient descent on the reconstruction error without propagating
derivatives backwards. Equation (3) regresses the hidden units too, as in the
paper's formulation; ``regress_hidden=False`` drops that (``h(3) =
sigma(W_hv v(2) + b)``) for comparison. Rule (4) is the delta rule (without the
logistic's derivative) for the decoder scaled by ``1 - lambda``, because
``v(0) - v(2) = (1 - lambda) (v(0) - sigma(W_vh h(1) + c))``.

Our reading, stated where the brief leaves room: the biases (the paper's
thresholds) learn like weights from an always-on unit; the updates are
averaged over the GLOBAL minibatch (the paper updates after each sweep of its
training set, i.e. with a summed batch update; a mean keeps ``eps`` independent
of the batch size); and the weights live in two functional Keras models
(``encoder`` = Dense(code_dim, sigmoid) over the flattened pixels, ``decoder``
= Dense(pixels, sigmoid) + reshape) so that the usual autoencoder exports work.
No ``tf.GradientTape`` and no optimizer step is involved: ``train_step``
applies (4) and (5) with ``assign_add``. A plain SGD optimizer is still
attached, only as the holder of the step counter (``iterations``), which the
checkpoint, the stateless noise keys and resuming rely on.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.reconstruction import mean_squared_error
from keras_genzoo.models.base import AutoencoderBase


@dataclasses.dataclass(frozen=True)
class RecirculationConfig:
    image_size: int = 8
    channels: int = 1
    #: number of hidden (code) units
    code_dim: int = 16
    #: lambda of equations (2) and (3): weight of the first state in the second one
    regression: float = 0.75
    #: also regress the hidden units in equation (3)
    regress_hidden: bool = True
    #: epsilon of equations (4) and (5), per example of the batch mean
    learning_rate: float = 2.0
    #: "sigmoid" (the paper's logistic units) or "linear"
    activation: Literal["sigmoid", "linear"] = "sigmoid"

    def validate(self):
        config_lib.require_image_shape(self)
        config_lib.require_positive(self, "code_dim", "learning_rate")
        if not 0.0 <= self.regression < 1.0:
            # lambda = 1 would make v(2) = v(0): no reconstruction error ever reaches a weight
            raise ConfigError(f"regression (lambda) must be in [0, 1), got {self.regression}")


def recirculation_networks(c: RecirculationConfig):
    """Encoder ``x -> sigma(W_hv x + b)`` and decoder ``h -> sigma(W_vh h + c)``.

    Both are float32 whatever the global precision policy: the learning rule
    adds small differences of activities, which bfloat16 would round away.
    """
    pixels = c.image_size * c.image_size * c.channels
    x = keras.Input([c.image_size, c.image_size, c.channels], name="x")
    flat = keras.layers.Flatten(dtype="float32")(x)
    code = keras.layers.Dense(c.code_dim, activation=c.activation, name="code",
                              dtype="float32")(flat)
    encoder = keras.Model(x, code, name="encoder")

    h = keras.Input([c.code_dim], name="code")
    out = keras.layers.Dense(pixels, activation=c.activation, name="pixels", dtype="float32")(h)
    out = keras.layers.Reshape([c.image_size, c.image_size, c.channels], dtype="float32",
                               name="reconstruction")(out)
    decoder = keras.Model(h, out, name="decoder")
    return encoder, decoder


@keras.saving.register_keras_serializable("keras_genzoo")
class RecirculationAE(AutoencoderBase):
    """One hidden layer of logistic units trained by recirculation (no backprop)."""

    config_class = RecirculationConfig
    registry_name = "recirculation-ae"
    #: loss: MSE of the deterministic pass g(f(x)) (lambda = 0);
    #: hidden_change: mean (h(1) - h(3))^2, the signal that trains the encoder
    metric_names = ("loss", "hidden_change")

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.encoder, self.decoder = recirculation_networks(self.config)
        self._encoder_dense = self.encoder.get_layer("code")
        self._decoder_dense = self.decoder.get_layer("pixels")

    def mixed_precision_unsupported_reason(self):
        # Mixed precision speeds up the layers' float16/bfloat16 kernels and
        # loss-scales gradients; this rule has neither, so the flag would
        # silently change nothing.
        return ("the recirculation rule multiplies its float32 weights directly (no Keras layer "
                "call) and updates them without gradients or an optimizer, so there is nothing "
                "for a 16-bit policy or loss scaling to act on; drop --mixed-precision")

    def default_optimizers(self):
        # Never steps any weight: it only counts steps (see the module docstring).
        return {"autoencoder": keras.optimizers.SGD(self.config.learning_rate)}

    # ----------------------------------------------------------- the passes
    def _activate(self, pre):
        return tf.sigmoid(pre) if self.config.activation == "sigmoid" else pre

    def up(self, visible_flat):
        """Hidden activities ``sigma(W_hv v + b)`` for flattened visible vectors."""
        dense = self._encoder_dense
        return self._activate(tf.matmul(visible_flat, dense.kernel) + dense.bias)

    def down(self, hidden):
        """Visible activities ``sigma(W_vh h + c)`` (flattened)."""
        dense = self._decoder_dense
        return self._activate(tf.matmul(hidden, dense.kernel) + dense.bias)

    def recirculate(self, visible_flat):
        """Equations (1)-(3): ``(v0, h1, v2, h3)`` for flattened inputs ``v0``."""
        lam = self.config.regression
        v0 = visible_flat
        h1 = self.up(v0)
        v2 = lam * v0 + (1.0 - lam) * self.down(h1)
        h3 = self.up(v2)
        if self.config.regress_hidden:
            h3 = lam * h1 + (1.0 - lam) * h3
        return v0, h1, v2, h3

    def weight_updates(self, visible_flat):
        """Equations (4) and (5) summed over this replica's examples, with the count.

        Returns ``(sums, count, v0, h1, v2, h3)`` where ``sums`` are the
        un-normalized increments for (W_hv, b, W_vh, c), in the Keras kernel
        layouts ``[inputs, outputs]`` (so W_hv is stored transposed).
        """
        v0, h1, v2, h3 = self.recirculate(visible_flat)
        hidden_delta = h1 - h3  # postsynaptic change of the hidden units
        visible_delta = v0 - v2  # postsynaptic change of the visible units
        sums = (
            tf.matmul(v2, hidden_delta, transpose_a=True),  # sum_n v(2) (h1 - h3)^T
            tf.reduce_sum(hidden_delta, axis=0),
            tf.matmul(h1, visible_delta, transpose_a=True),  # sum_n h(1) (v0 - v2)^T
            tf.reduce_sum(visible_delta, axis=0),
        )
        count = tf.cast(tf.shape(visible_flat)[0], tf.float32)
        return sums, count, v0, h1, v2, h3

    # ------------------------------------------------------------ training
    def train_step(self, data):
        images, _ = self.unpack(data)
        flat = tf.reshape(images, [tf.shape(images)[0], -1])
        sums, count, v0, h1, _, h3 = self.weight_updates(flat)
        # Display only: the error of the deterministic pass g(f(x)) BEFORE this
        # update (computed here, ahead of the assign_adds below, which the
        # tf.function orders after these reads).
        reconstruction = tf.reshape(self.down(h1), tf.shape(images))
        per_example = mean_squared_error(images, reconstruction)
        # Sum the replicas' contributions and divide by the GLOBAL batch, so
        # every replica adds the same increment and the mirrored copies stay
        # equal: N replicas step exactly like one device with the whole batch.
        context = tf.distribute.get_replica_context()
        if context is not None:
            sums = context.all_reduce("sum", list(sums))
            count = context.all_reduce("sum", count)
        epsilon = self.config.learning_rate / count
        variables = (self._encoder_dense.kernel, self._encoder_dense.bias,
                     self._decoder_dense.kernel, self._decoder_dense.bias)
        for variable, increment in zip(variables, sums):
            variable.assign_add(epsilon * increment)
        self.step.assign_add(1)

        return self.record({
            "loss": tf.reduce_mean(per_example),
            "hidden_change": tf.reduce_mean(tf.square(h1 - h3)),
        })
