"""Contractive autoencoder (Rifai, Vincent, Muller, Glorot & Bengio 2011,
"Contractive auto-encoders: explicit invariance during feature extraction",
ICML; Goodfellow, Bengio & Courville 2016, *Deep Learning*, sections 14.2.3
and 14.7).

The regularized reconstruction criterion of section 14.2.3 (eq. 14.18):

    L(x, g(f(x))) + Omega(h, x),   Omega(h, x) = lambda * || d f(x) / d x ||_F^2

The penalty makes ``f`` locally contractive: small moves of ``x`` barely move
``h``. Reconstruction pulls the other way only along the directions in which
the data actually vary, so the encoder ends up sensitive to the tangent
directions of the data manifold and insensitive to the rest (section 14.7).

The penalty is computed per example, either in closed form for one sigmoid
dense layer or exactly by a nested ``GradientTape`` for any encoder (see
:mod:`keras_genzoo.losses.contractive`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.contractive import (
    code_and_jacobian_frobenius_autodiff,
    jacobian_frobenius_sigmoid_dense,
)
from keras_genzoo.models.ae.model import Autoencoder, AutoencoderConfig

#: held-out images per Jacobian batch in evaluation (bounds the [N, k, D] tensor)
EVAL_CHUNK = 128


@dataclasses.dataclass(frozen=True)
class ContractiveAEConfig(AutoencoderConfig):
    #: lambda of eq. 14.18: weight of ||J_f(x)||_F^2 against the reconstruction error
    contractive_lambda: float = 0.1
    #: "closed_form" (one sigmoid dense layer only), "autodiff" (any encoder) or
    #: "auto" (closed form when the encoder allows it, else autodiff)
    jacobian: Literal["auto", "closed_form", "autodiff"] = "auto"

    def is_single_sigmoid_dense(self) -> bool:
        """True when the encoder is Flatten -> Dense(code_dim, sigmoid)."""
        return (self.architecture == "dense" and len(self.hidden_units) == 0
                and self.code_activation == "sigmoid")

    def validate(self):
        super().validate()
        if not math.isfinite(self.contractive_lambda) or self.contractive_lambda < 0:
            raise ConfigError(
                f"contractive_lambda must be a finite number >= 0, got {self.contractive_lambda}"
            )
        if self.jacobian == "closed_form" and not self.is_single_sigmoid_dense():
            raise ConfigError(
                "jacobian=closed_form needs a single sigmoid dense encoder (architecture=dense, "
                "empty hidden_units, code_activation=sigmoid); use jacobian=auto or autodiff"
            )


def single_sigmoid_dense_layer(encoder: keras.Model):
    """The encoder's Dense layer if the encoder is exactly Flatten + Dense(sigmoid), else None.

    Checked on the built network itself, not only on the config, so that the
    closed form is never applied to a network it does not describe.
    """
    layers = [layer for layer in encoder.layers if not isinstance(layer, keras.layers.InputLayer)]
    if len(layers) != 2:
        return None
    flatten, dense = layers
    if not isinstance(flatten, keras.layers.Flatten) or not isinstance(dense, keras.layers.Dense):
        return None
    if getattr(dense.activation, "__name__", "") != "sigmoid":
        return None
    return dense


@keras.saving.register_keras_serializable("keras_genzoo")
class ContractiveAE(Autoencoder):
    """Autoencoder trained on ``L(x, g(f(x))) + lambda ||J_f(x)||_F^2`` (eq. 14.18)."""

    config_class = ContractiveAEConfig
    registry_name = "contractive-ae"
    metric_names = ("loss", "reconstruction", "penalty", "jacobian_norm")

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)  # builds encoder and decoder from the config
        dense = single_sigmoid_dense_layer(self.encoder)
        if self.config.jacobian == "closed_form" and dense is None:
            raise ConfigError("jacobian=closed_form needs an encoder that is exactly Flatten + "
                              "one sigmoid Dense layer")
        use_closed_form = dense is not None and self.config.jacobian != "autodiff"
        #: "closed_form" or "autodiff": how the penalty is computed for this encoder
        self.jacobian_mode = "closed_form" if use_closed_form else "autodiff"
        self._code_layer = dense if use_closed_form else None

    def xla_unsupported_reason(self):
        if self.jacobian_mode == "autodiff":
            # Measured on CPU: ~9 s per step with jit_compile=True against ~10 ms without.
            return ("the autodiff Jacobian penalty (nested GradientTape, batch_jacobian) runs "
                    "about 1000x slower under XLA; drop --xla or use the closed-form "
                    "'sigmoid' preset")
        return None

    # ----------------------------------------------------------- the penalty
    def code_and_jacobian_frobenius(self, images, training: bool = False):
        """``(h = f(x), ||J_f(x)||_F^2)`` per example (the latter float32 ``[batch]``)."""
        images = tf.cast(images, tf.float32)
        if self.jacobian_mode == "closed_form":
            code = self.encoder(images, training=training)
            flat = tf.reshape(images, [tf.shape(images)[0], -1])
            bias = self._code_layer.bias
            if bias is None:
                bias = tf.zeros([self._code_layer.units], tf.float32)
            return code, jacobian_frobenius_sigmoid_dense(flat, self._code_layer.kernel, bias)
        return code_and_jacobian_frobenius_autodiff(self.encoder, images, training=training)

    def jacobian_frobenius(self, images) -> np.ndarray:
        """``||J_f(x)||_F^2`` for each image (NumPy ``[N]``, inference mode)."""
        images = np.asarray(images, np.float32)
        parts = [
            self.code_and_jacobian_frobenius(tf.constant(images[start : start + EVAL_CHUNK]))[1]
            for start in range(0, len(images), EVAL_CHUNK)
        ]
        return np.concatenate([np.asarray(part) for part in parts]) if parts else np.zeros([0])

    # -------------------------------------------------------------- training
    def train_step(self, data):
        images, _ = self.unpack(data)
        optimizer = self.network_optimizers["autoencoder"]
        with tf.GradientTape() as tape:
            # The Jacobian is taken on the same forward pass that is decoded,
            # and the outer tape differentiates through it (a nested tape).
            code, frobenius_sq = self.code_and_jacobian_frobenius(images, training=True)
            reconstruction = self.decoder(code, training=True)
            reconstruction_loss = self.reconstruction_loss(images, reconstruction)
            penalty = self.config.contractive_lambda * frobenius_sq
            per_example = reconstruction_loss + penalty
            loss = self.average_over_global_batch(per_example) + self.weight_decay_penalty()
            scaled = self.scaled_loss(optimizer, loss)
        self.apply_gradients("autoencoder", tape, scaled)
        return self.record({
            "loss": tf.reduce_mean(per_example),
            "reconstruction": tf.reduce_mean(reconstruction_loss),
            "penalty": tf.reduce_mean(penalty),
            "jacobian_norm": tf.reduce_mean(tf.sqrt(frobenius_sq)),
        })

    def evaluation_metrics(self, images, labels=None) -> dict[str, float]:
        """Base MSE / PSNR plus the mean ``||J_f(x)||_F`` (not squared) on held-out images."""
        metrics = super().evaluation_metrics(images, labels)
        metrics["jacobian_norm"] = float(np.mean(np.sqrt(self.jacobian_frobenius(images))))
        return metrics
