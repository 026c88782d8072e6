"""Sparsity penalties on an autoencoder's code ``h = f(x)`` (activity, not weights).

Goodfellow, Bengio & Courville 2016, *Deep Learning*, section 14.2.1: a sparse
autoencoder minimises ``L(x, g(f(x))) + Omega(h)``. Two forms of ``Omega``:

* :func:`l1_code_penalty` -- ``Omega(h) = lambda * sum_i |h_i|``, PER EXAMPLE.
  Section 14.2.1 reads it as the negative log of a factorial Laplace prior
  ``p(h_i) = lambda/2 * exp(-lambda |h_i|)`` (eq. 14.6-14.7): up to a constant
  that does not depend on the parameters, ``-log p(h) = lambda * sum_i |h_i|``.
* :func:`kl_sparsity_penalty` -- ``Omega = sum_j KL(rho || rho_hat_j)`` between
  a Bernoulli with the target rate ``rho`` and one with the mean activation
  ``rho_hat_j`` of code unit ``j`` (Ng, "Sparse autoencoder", CS294A lecture
  notes, 2011). ``rho_hat`` is a statistic of the whole BATCH, so this penalty
  is one scalar per batch, not a per-example value; the model that uses it
  must compute ``rho_hat`` over the global batch (see ``SparseAE``).
"""

from __future__ import annotations

import tensorflow as tf

#: rho_hat is clipped into [EPSILON, 1 - EPSILON] so the logarithms stay finite
EPSILON = 1e-6


def l1_code_penalty(h):
    """``sum_i |h_i|`` per example, shape ``[batch]`` (multiply by lambda outside).

    ``h`` has shape ``[batch, ...]``; every non-batch axis is summed.
    """
    h = tf.cast(h, tf.float32)
    return tf.reduce_sum(tf.abs(tf.reshape(h, [tf.shape(h)[0], -1])), axis=1)


def kl_sparsity_penalty(mean_activation, rho: float):
    """``sum_j KL(rho || rho_hat_j)``, a scalar (multiply by beta outside).

    ``KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))``,
    the divergence between Bernoulli(rho) and Bernoulli(q); it is zero exactly
    when ``q = rho`` and grows without bound as ``q`` nears 0 or 1.
    ``mean_activation`` is ``rho_hat``, shape ``[code_dim]``, values in (0, 1)
    (sigmoid codes); it is clipped to ``[EPSILON, 1 - EPSILON]``.
    """
    q = tf.clip_by_value(tf.cast(mean_activation, tf.float32), EPSILON, 1.0 - EPSILON)
    rho = tf.constant(rho, tf.float32)
    kl = rho * tf.math.log(rho / q) + (1.0 - rho) * tf.math.log((1.0 - rho) / (1.0 - q))
    return tf.reduce_sum(kl)


def near_zero_fraction(h, threshold: float):
    """Fraction of the code entries with ``|h_i| < threshold``, per example ``[batch]``."""
    h = tf.cast(h, tf.float32)
    flat = tf.reshape(h, [tf.shape(h)[0], -1])
    return tf.reduce_mean(tf.cast(tf.abs(flat) < threshold, tf.float32), axis=1)
