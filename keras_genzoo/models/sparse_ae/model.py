"""Sparse autoencoder (Goodfellow, Bengio & Courville 2016, "Deep Learning",
section 14.2.1).

The autoencoder of section 14.1 with a sparsity penalty on the code
``h = f(x)`` added to the reconstruction error::

    L(x, g(f(x))) + Omega(h)

``Omega`` penalises the code's ACTIVITY (not the weights), so the model is
pushed to explain each input with few active code units; this lets the code
be as wide as the input, or wider, without learning the identity. Two forms
(``penalty`` in the config, functions in :mod:`keras_genzoo.losses.sparsity`):

* ``l1``: ``Omega(h) = lambda * sum_i |h_i|`` per example -- the negative log
  of a Laplace prior on each code unit (section 14.2.1, eq. 14.6-14.7);
* ``kl``: ``Omega = beta * sum_j KL(rho || rho_hat_j)`` with ``rho_hat_j`` the
  mean activation of unit ``j`` over the batch (sigmoid codes), which drives
  every unit towards firing at the target rate ``rho`` (Ng 2011).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import config as config_lib
from keras_genzoo.errors import ConfigError
from keras_genzoo.losses.sparsity import (
    kl_sparsity_penalty,
    l1_code_penalty,
    near_zero_fraction,
)
from keras_genzoo.models.ae.model import Autoencoder, AutoencoderConfig

#: a code entry with |h_i| below this counts as "near zero" in the metrics
NEAR_ZERO_THRESHOLD = 1e-2


@dataclasses.dataclass(frozen=True)
class SparseAEConfig(AutoencoderConfig):
    #: "l1": lambda * sum|h_i| per example; "kl": beta * sum_j KL(rho || rho_hat_j)
    penalty: Literal["l1", "kl"] = "l1"
    #: lambda of the L1 penalty (the Laplace prior's rate)
    l1_lambda: float = 1e-3
    #: target mean activation of each code unit (KL penalty)
    rho: float = 0.05
    #: weight of the KL penalty
    beta: float = 1.0

    def validate(self):
        super().validate()
        config_lib.require_non_negative(self, "l1_lambda", "beta")  # NaN is refused too
        if not 0 < self.rho < 1:
            raise ConfigError(f"rho must be in (0, 1), got {self.rho}")
        if self.penalty == "kl" and self.code_activation != "sigmoid":
            raise ConfigError(
                "penalty=kl needs code_activation=sigmoid (the mean activation must be a rate "
                f"in (0, 1)), got code_activation={self.code_activation!r}"
            )


@keras.saving.register_keras_serializable("keras_genzoo")
class SparseAE(Autoencoder):
    """Autoencoder trained on ``L(x, g(f(x))) + Omega(h)`` (Deep Learning 14.2.1)."""

    config_class = SparseAEConfig
    registry_name = "sparse-ae"
    metric_names = ("loss", "reconstruction", "penalty", "mean_abs_code", "near_zero_fraction")

    # ------------------------------------------------------------ penalties
    @staticmethod
    def global_mean_activation(code):
        """``rho_hat``: the mean of ``code`` over the GLOBAL batch, shape ``[code_dim]``.

        Each replica sees only its slice of the batch, so the per-replica sums
        and counts are all-reduced. The gradient flows through this replica's
        own examples only (the other replicas' sum enters as a constant):
        each replica then adds the whole batch penalty to its loss, and the
        SUM of the replicas' gradients -- what the optimizer applies -- is
        ``dOmega/drho_hat * (1/N) * sum_n dh_n/dtheta`` over all N examples,
        the gradient a single device computes. (Differentiating through the
        all-reduce instead would give every replica the full sum, and the
        penalty would have to be divided by the replica count.)
        """
        code = tf.cast(code, tf.float32)
        local_sum = tf.reduce_sum(code, axis=0)
        local_count = tf.cast(tf.shape(code)[0], tf.float32)
        context = tf.distribute.get_replica_context()
        if context is None:  # cross-replica context: the batch is all here
            return local_sum / local_count
        total_sum, total_count = context.all_reduce(
            tf.distribute.ReduceOp.SUM, [tf.stop_gradient(local_sum), local_count]
        )
        return (local_sum + tf.stop_gradient(total_sum - local_sum)) / total_count

    def sparsity_penalty(self, code):
        """``(per_example, batch_scalar)``: exactly one of them is not None.

        ``l1``: ``lambda * sum_i |h_i|`` per example (``[batch]``);
        ``kl``: ``beta * sum_j KL(rho || rho_hat_j)``, one value for the batch.
        """
        c = self.config
        if c.penalty == "l1":
            return c.l1_lambda * l1_code_penalty(code), None
        return None, c.beta * kl_sparsity_penalty(self.global_mean_activation(code), c.rho)

    # --------------------------------------------------------------- training
    def train_step(self, data):
        images, _ = self.unpack(data)
        optimizer = self.network_optimizers["autoencoder"]
        with tf.GradientTape() as tape:
            code = self.encoder(images, training=True)
            reconstruction = self.decoder(code, training=True)
            per_example = self.reconstruction_loss(images, reconstruction)
            per_example_penalty, batch_penalty = self.sparsity_penalty(code)
            if batch_penalty is None:
                loss = self.average_over_global_batch(per_example + per_example_penalty)
                penalty = tf.reduce_mean(per_example_penalty)
            else:
                # Added whole on every replica; see global_mean_activation for
                # why the summed gradients are then the one-device gradient.
                loss = self.average_over_global_batch(per_example) + batch_penalty
                penalty = batch_penalty
            loss += self.weight_decay_penalty()
            scaled = self.scaled_loss(optimizer, loss)
        self.apply_gradients("autoencoder", tape, scaled)
        code = tf.cast(code, tf.float32)
        reconstruction_error = tf.reduce_mean(per_example)
        return self.record({
            "loss": reconstruction_error + penalty,
            "reconstruction": reconstruction_error,
            "penalty": penalty,
            "mean_abs_code": tf.reduce_mean(tf.abs(code)),
            "near_zero_fraction": tf.reduce_mean(near_zero_fraction(code, NEAR_ZERO_THRESHOLD)),
        })

    # ------------------------------------------------------------- evaluation
    def evaluation_metrics(self, images, labels=None) -> dict[str, float]:
        """The base MSE / PSNR plus the code's sparsity on held-out images.

        ``penalty`` is Omega over the whole held-out set (its mean per example
        for ``l1``; the KL of the held-out mean activation for ``kl``).
        """
        metrics = super().evaluation_metrics(images, labels)
        code = self.encode(np.asarray(images, np.float32)).astype(np.float64)
        c = self.config
        if c.penalty == "l1":
            penalty = c.l1_lambda * float(np.abs(code).reshape(len(code), -1).sum(axis=1).mean())
        else:
            penalty = c.beta * float(kl_sparsity_penalty(code.mean(axis=0), c.rho))
        metrics["penalty"] = penalty
        metrics["mean_abs_code"] = float(np.abs(code).mean())
        metrics["near_zero_fraction"] = float((np.abs(code) < NEAR_ZERO_THRESHOLD).mean())
        return metrics
