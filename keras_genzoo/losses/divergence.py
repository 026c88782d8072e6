"""Log-densities and KL divergences for latent-variable models, PER EXAMPLE.

Every function sums over all axes but the first (the batch) and returns
``[batch]`` float32 values in nats. They are the building blocks of the
variational lower bound (Kingma & Welling 2014, arXiv:1312.6114, eq. 3 and
10; Goodfellow, Bengio & Courville 2016, "Deep Learning", section 19.4 and
20.10.3) and of the importance-weighted bound (Burda, Grosse & Salakhutdinov
2016, arXiv:1509.00519, eq. 8).

Gaussians are diagonal and parameterized by ``mean`` and ``log_var``
(log variance): a network can output any real ``log_var``, and ``exp`` keeps
the variance positive.
"""

import math

import tensorflow as tf

LOG_2PI = math.log(2.0 * math.pi)


def _sum_per_example(values):
    values = tf.cast(values, tf.float32)
    return tf.reduce_sum(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def gaussian_kl_standard_normal(mean, log_var):
    """``KL(N(mean, diag(exp(log_var))) || N(0, I))`` per example.

    Closed form of Kingma & Welling 2014, appendix B (the negative of the
    KL term in eq. 10)::

        KL = 1/2 * sum_j ( exp(log_var_j) + mean_j^2 - 1 - log_var_j )

    Zero exactly when ``mean = 0`` and ``log_var = 0``.
    """
    mean = tf.cast(mean, tf.float32)
    log_var = tf.cast(log_var, tf.float32)
    return 0.5 * _sum_per_example(tf.exp(log_var) + tf.square(mean) - 1.0 - log_var)


def gaussian_kl(mean_q, log_var_q, mean_p, log_var_p):
    """``KL(N(mean_q, exp(log_var_q)) || N(mean_p, exp(log_var_p)))`` for diagonal Gaussians.

    Per dimension: ``1/2 [ log(v_p / v_q) + (v_q + (m_q - m_p)^2) / v_p - 1 ]``,
    summed. With ``mean_p = 0, log_var_p = 0`` it equals
    :func:`gaussian_kl_standard_normal`.
    """
    mean_q, log_var_q, mean_p, log_var_p = (
        tf.cast(t, tf.float32) for t in (mean_q, log_var_q, mean_p, log_var_p)
    )
    ratio = (tf.exp(log_var_q) + tf.square(mean_q - mean_p)) * tf.exp(-log_var_p)
    return 0.5 * _sum_per_example(log_var_p - log_var_q + ratio - 1.0)


def gaussian_log_density(x, mean, log_var):
    """``log N(x; mean, diag(exp(log_var)))`` per example (``log_var`` may broadcast)."""
    x = tf.cast(x, tf.float32)
    mean = tf.cast(mean, tf.float32)
    log_var = tf.cast(log_var, tf.float32) + tf.zeros_like(x)
    return -0.5 * _sum_per_example(LOG_2PI + log_var + tf.square(x - mean) * tf.exp(-log_var))


def standard_normal_log_density(z):
    """``log N(z; 0, I)`` per example: the VAE prior ``log p(z)``."""
    z = tf.cast(z, tf.float32)
    return -0.5 * _sum_per_example(LOG_2PI + tf.square(z))


def bernoulli_log_likelihood(x, logits):
    """``sum_i [x_i log sigmoid(l_i) + (1 - x_i) log(1 - sigmoid(l_i))]`` per example.

    The log-likelihood of a Bernoulli decoder given its logits (Kingma & Welling
    2014, appendix C.1), computed as ``-sigmoid_cross_entropy_with_logits``,
    which never takes the log of 0. For ``x`` strictly between 0 and 1 (gray
    pixels) it is a cross-entropy rather than a normalized likelihood.
    """
    x = tf.cast(x, tf.float32)
    logits = tf.cast(logits, tf.float32)
    return -_sum_per_example(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits))


def log_mean_exp(values, axis=0):
    """``log((1/k) sum_i exp(values_i))`` along ``axis``, stably (``k`` = that axis's size)."""
    values = tf.cast(values, tf.float32)
    count = tf.cast(tf.shape(values)[axis], tf.float32)
    return tf.reduce_logsumexp(values, axis=axis) - tf.math.log(count)
