"""Penalties that keep a GAN's discriminator (critic) in check, PER EXAMPLE.

* :func:`gradient_penalty`: WGAN-GP, Gulrajani, Ahmed, Arjovsky, Dumoulin &
  Courville 2017, "Improved Training of Wasserstein GANs" (arXiv:1704.00028),
  eq. 3 and Algorithm 1: ``(||grad D(x_hat)||_2 - 1)^2`` on random
  interpolates ``x_hat`` between real and generated samples.
* :func:`r1_penalty` / :func:`r2_penalty`: Mescheder, Geiger & Nowozin 2018,
  "Which Training Methods for GANs do actually Converge?" (arXiv:1801.04406),
  eqs. 9 and 10: ``||grad D(x)||^2`` on real (R1) or generated (R2) data.

WGAN's weight clipping is not a penalty but a constraint applied after each critic
update: ``GANEngine.after_critic_update`` (``models/wgan/model.py``).

The penalty functions return float32 ``[batch]`` values WITHOUT their weight
(``lambda`` for the gradient penalty, ``gamma / 2`` for R1/R2): the model
multiplies and averages them over the global batch. They take the gradient of
the critic w.r.t. its INPUT in an inner ``tf.GradientTape`` and stay
differentiable, so the ``train_step``'s outer tape can take their gradient
w.r.t. the critic's weights (second derivatives of the critic).

The critic is any callable ``x -> scores`` of shape ``[batch]`` or
``[batch, 1]``; wrap it (``lambda x: critic(x, training=True)``) to choose the
training flag. Examples must be scored independently of one another, since the
gradient of the SUM of the scores is taken: no BatchNorm in training mode in a
penalised critic (the WGAN-GP paper, section 4, drops it for the same reason).
"""

from __future__ import annotations

import tensorflow as tf

#: added to the squared norm under the square root: the derivative of sqrt(s)
#: is 1 / (2 sqrt(s)), infinite at s = 0; with it the penalty's gradient stays
#: finite (and exactly 0) where the critic's input gradient vanishes
_NORM_EPSILON = 1e-12


def _input_gradient(critic, x):
    """``d D(x) / d x`` per example, float32, shape of ``x``, recorded for the outer tape."""
    with tf.GradientTape() as inner:
        inner.watch(x)
        scores = tf.cast(critic(x), tf.float32)
    # d sum_i D(x_i) / d x_j = d D(x_j) / d x_j, because examples are scored independently
    gradient = inner.gradient(scores, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return tf.cast(gradient, tf.float32)


def _sum_of_squares_per_example(gradient):
    flat = tf.reshape(gradient, [tf.shape(gradient)[0], -1])
    return tf.reduce_sum(tf.square(flat), axis=1)


def gradient_penalty(critic, real, fake, epsilon, target_norm: float = 1.0):
    """``(||grad_x_hat D(x_hat)||_2 - target_norm)^2`` per example (Gulrajani et al. 2017).

    Algorithm 1, lines 4-7: ``x_hat = epsilon * x + (1 - epsilon) * x~`` with
    ``epsilon ~ U[0, 1]`` drawn by the caller, one per example (shape
    ``[batch]``, broadcast over the other axes of ``real``), so the penalty is
    reproducible and the noise can follow the model's replica-noise rules.

    ``real`` and ``fake`` are treated as constants: the penalty constrains the
    critic only, so no gradient flows back to the generator that made ``fake``.
    Not multiplied by ``lambda`` (the paper uses 10).
    """
    real = tf.stop_gradient(tf.cast(real, tf.float32))
    fake = tf.stop_gradient(tf.cast(fake, tf.float32))
    # [batch] -> [batch, 1, ..., 1], whatever the rank of the samples
    broadcast_shape = tf.concat([[-1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    epsilon = tf.reshape(tf.stop_gradient(tf.cast(epsilon, tf.float32)), broadcast_shape)
    interpolates = epsilon * real + (1.0 - epsilon) * fake
    gradient = _input_gradient(critic, interpolates)
    norm = tf.sqrt(_sum_of_squares_per_example(gradient) + _NORM_EPSILON)
    return tf.square(norm - tf.cast(target_norm, tf.float32))


def squared_input_gradient_norm(critic, x):
    """``||grad_x D(x)||_2^2`` per example, float32 ``[batch]``; differentiable w.r.t. the critic."""
    return _sum_of_squares_per_example(_input_gradient(critic, tf.cast(x, tf.float32)))


def r1_penalty(critic, real):
    """R1 (Mescheder et al. 2018, eq. 9): ``||grad_x D(x)||^2`` on REAL data, per example.

    Unweighted: the model multiplies by ``gamma / 2``. Penalising the
    critic's gradient on the data manifold makes the GAN's equilibrium
    locally convergent (the paper's Theorem 4.1).
    """
    return squared_input_gradient_norm(critic, real)


def r2_penalty(critic, fake):
    """R2 (Mescheder et al. 2018, eq. 10): ``||grad_x D(x)||^2`` on GENERATED data, per example.

    ``fake`` is cut from the generator's graph first: the penalty constrains
    the critic, and the generator must not be trained to produce samples
    where the critic happens to be flat. Unweighted (the model multiplies by
    ``gamma / 2``).
    """
    return squared_input_gradient_norm(critic, tf.stop_gradient(fake))
