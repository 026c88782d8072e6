"""Adversarial losses, PER EXAMPLE (reduce them with the model's global-batch average).

Notation: ``real_logits = D(x)`` and ``fake_logits = D(G(z))`` are the
discriminator's pre-sigmoid outputs, shape ``[batch]`` or ``[batch, 1]``.
"""

import tensorflow as tf


def _flat(logits):
    return tf.reshape(tf.cast(logits, tf.float32), [-1])


def discriminator_logistic_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """``-log D(x) - log(1 - D(G(z)))`` (Goodfellow et al. 2014, eq. 1), per example.

    Written with softplus: ``-log sigmoid(l) = softplus(-l)`` and
    ``-log(1 - sigmoid(l)) = softplus(l)``, which never overflows.
    ``label_smoothing`` is one-sided (real targets ``1 - s``; Salimans et al. 2016).
    """
    real, fake = _flat(real_logits), _flat(fake_logits)
    real_target = 1.0 - label_smoothing
    real_term = real_target * tf.nn.softplus(-real) + (1.0 - real_target) * tf.nn.softplus(real)
    return real_term + tf.nn.softplus(fake)


def generator_non_saturating_loss(fake_logits):
    """``-log D(G(z))`` (Goodfellow et al. 2014, section 3), per example.

    Same fixed point as the minimax loss but strong gradients early in training,
    when D rejects the generator's samples confidently.
    """
    return tf.nn.softplus(-_flat(fake_logits))
