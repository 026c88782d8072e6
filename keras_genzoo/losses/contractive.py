"""The contractive penalty ``||J_f(x)||_F^2``, PER EXAMPLE.

Goodfellow, Bengio & Courville 2016, *Deep Learning*, section 14.2.3, eq. 14.18:

    Omega(h, x) = lambda * || d f(x) / d x ||_F^2

(Rifai, Vincent, Muller, Glorot & Bengio 2011, "Contractive auto-encoders",
ICML, eq. 2). Two ways to compute the squared Frobenius norm of the encoder's
Jacobian ``J_f(x)`` (shape ``code x pixels``):

* :func:`jacobian_frobenius_autodiff`: exact for ANY encoder, from a nested
  ``GradientTape.batch_jacobian``; the outer tape of ``train_step`` then
  differentiates through it (second derivatives of the encoder).
* :func:`jacobian_frobenius_sigmoid_dense`: the closed form of Rifai et al.
  2011 (section 3) for one sigmoid dense layer ``h = sigmoid(W^T x + b)``:
  ``dh_j / dx_i = h_j (1 - h_j) W_ij``, so
  ``||J||_F^2 = sum_j (h_j (1 - h_j))^2 sum_i W_ij^2`` -- one forward pass,
  no Jacobian tensor.

Both return float32 ``[batch]`` whatever the compute dtype: under mixed
precision the squares of small derivatives underflow in float16.
"""

from __future__ import annotations

import tensorflow as tf


def _sum_per_example(values):
    values = tf.cast(values, tf.float32)
    return tf.reduce_sum(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def code_and_jacobian_frobenius_autodiff(encoder, x, *, training: bool = False):
    """``(h, ||J_f(x)||_F^2)`` for every example, from one encoder pass.

    The code ``h = f(x)`` is returned so that ``train_step`` can decode the
    same forward pass the penalty was taken on. ``batch_jacobian`` relies on
    the examples being independent (no BatchNorm in training mode across the
    batch), which holds for the dense and conv encoders of this package.
    """
    x = tf.convert_to_tensor(x, tf.float32)
    with tf.GradientTape() as inner:
        inner.watch(x)
        code = encoder(x, training=training)
        code_32 = tf.cast(code, tf.float32)
    # [batch, *code_shape, *image_shape]: d h_j / d x_i for each example
    jacobian = inner.batch_jacobian(code_32, x)
    return code, _sum_per_example(tf.square(jacobian))


def jacobian_frobenius_autodiff(encoder, x, *, training: bool = False):
    """Exact ``||J_f(x)||_F^2`` per example (float32 ``[batch]``) for any encoder.

    Deep Learning eq. 14.18 without the ``lambda``.
    """
    return code_and_jacobian_frobenius_autodiff(encoder, x, training=training)[1]


def jacobian_frobenius_sigmoid_dense(x_flat, kernel, bias):
    """Closed-form ``||J_f(x)||_F^2`` for ``h = sigmoid(W^T x + b)``, per example.

    ``x_flat``: ``[batch, D]``; ``kernel``: ``W``, ``[D, k]`` (Keras' Dense
    layout, input by output); ``bias``: ``[k]``. Rifai et al. 2011, section 3:
    ``sum_j (h_j (1 - h_j))^2 sum_i W_ij^2``. Computed in float32.
    """
    x_flat = tf.cast(x_flat, tf.float32)
    kernel = tf.cast(kernel, tf.float32)
    bias = tf.cast(bias, tf.float32)
    h = tf.sigmoid(tf.matmul(x_flat, kernel) + bias)  # [batch, k]
    column_norms = tf.reduce_sum(tf.square(kernel), axis=0)  # [k]: sum_i W_ij^2
    return tf.reduce_sum(tf.square(h * (1.0 - h)) * column_norms, axis=1)
