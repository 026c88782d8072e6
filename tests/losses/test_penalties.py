"""Gradient penalty and R1/R2 against their closed forms (weight clipping: tests/models/test_gan_family.py)."""

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo.losses.penalties import (
    gradient_penalty,
    r1_penalty,
    r2_penalty,
    squared_input_gradient_norm,
)

LAMBDA = 10.0  # Gulrajani et al. 2017's weight; the model applies it, the tests do too


def _linear_critic(w, b):
    """D(x) = w.x + b, scores [batch, 1]: its input gradient is w everywhere."""
    return lambda x: tf.matmul(x, w[:, None]) + b


def test_gradient_penalty_of_a_linear_critic_is_exactly_lambda_norm_minus_one_squared():
    rng = np.random.default_rng(0)
    w = tf.constant([1.5, -2.0, 0.5, 1.0])  # ||w||^2 = 7.5
    critic = _linear_critic(w, 0.3)
    real = rng.normal(size=(6, 4)).astype(np.float32)
    fake = rng.normal(size=(6, 4)).astype(np.float32) * 3
    expected = LAMBDA * (np.sqrt(7.5) - 1.0) ** 2
    for epsilon in (rng.uniform(size=6), np.zeros(6), np.ones(6)):
        penalty = LAMBDA * gradient_penalty(critic, real, fake, epsilon.astype(np.float32))
        assert penalty.dtype == tf.float32 and penalty.shape == (6,)
        np.testing.assert_allclose(penalty, np.full(6, expected), rtol=1e-6, atol=1e-6)
    # the target norm is a parameter: at ||w|| there is nothing to penalise
    at_target = gradient_penalty(critic, real, fake, rng.uniform(size=6), target_norm=np.sqrt(7.5))
    np.testing.assert_allclose(at_target, np.zeros(6), atol=1e-6)


def test_gradient_penalty_broadcasts_epsilon_over_image_axes():
    # D(x) = sum(W * x) + b on [batch, 4, 4, 2] images: the input gradient is W, ||W||_F per example
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(4, 4, 2)).astype(np.float32)
    critic = lambda x: tf.reduce_sum(x * kernel, axis=[1, 2, 3]) - 1.0  # noqa: E731
    real, fake = rng.uniform(size=(2, 3, 4, 4, 2)).astype(np.float32)
    penalty = gradient_penalty(critic, real, fake, rng.uniform(size=3).astype(np.float32))
    np.testing.assert_allclose(penalty, np.full(3, (np.linalg.norm(kernel) - 1.0) ** 2), rtol=1e-5)


def test_gradient_penalty_is_taken_at_the_interpolate_of_real_and_fake():
    # D(x) = 0.5 ||x||^2 has gradient x: the penalty reveals where it was evaluated
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1)  # noqa: E731
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(2, 5, 3))
    epsilon = np.array([0.0, 0.25, 0.5, 0.9, 1.0])
    x_hat = epsilon[:, None] * real + (1 - epsilon[:, None]) * fake  # Gulrajani et al. Algorithm 1, line 6
    expected = (np.linalg.norm(x_hat, axis=1) - 1.0) ** 2
    real, fake, epsilon = (a.astype(np.float32) for a in (real, fake, epsilon))
    penalty = gradient_penalty(critic, real, fake, epsilon)
    np.testing.assert_allclose(penalty, expected, rtol=1e-5)


def test_gradient_penalty_gradient_wrt_the_critic_weights_is_the_closed_form():
    """d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||, through the nested tapes, on a Keras critic."""
    critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    kernel, bias = critic.layers[0].kernel, critic.layers[0].bias
    kernel.assign([[0.5], [-1.0], [2.0], [0.25]])
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(2, 8, 4)).astype(np.float32)
    with tf.GradientTape() as outer:
        penalty = tf.reduce_mean(gradient_penalty(critic, real, fake, rng.uniform(size=8).astype(np.float32)))
    grad_kernel, grad_bias = outer.gradient(penalty, [kernel, bias])
    w = kernel.numpy()[:, 0].astype(np.float64)
    norm = np.linalg.norm(w)
    np.testing.assert_allclose(grad_kernel.numpy()[:, 0], 2 * (norm - 1) * w / norm, rtol=1e-5)
    # b does not move the input gradient (None: unconnected; Keras variables refuse zeros here)
    assert grad_bias is None or np.allclose(grad_bias, 0.0)


def test_gradient_penalty_gradient_is_finite_where_the_critic_is_flat():
    # D(x) = c * sum(x) at c = 0: ||grad|| = 0 and d||grad||/dc = 0/0 without the epsilon under the sqrt
    c = tf.Variable(0.0)
    critic = lambda x: c * tf.reduce_sum(x, axis=1)  # noqa: E731
    real, fake = np.ones((2, 3, 5), np.float32)
    with tf.GradientTape() as outer:
        penalty = tf.reduce_mean(gradient_penalty(critic, real, fake, np.full(3, 0.5, np.float32)))
    np.testing.assert_allclose(penalty, 1.0, atol=1e-5)
    assert float(outer.gradient(penalty, c)) == 0.0


def test_gradient_penalty_does_not_train_the_generator():
    z = tf.constant(np.random.default_rng(4).normal(size=(4, 2)), tf.float32)
    g_weights = tf.Variable(tf.ones([2, 3]))
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1)  # noqa: E731
    with tf.GradientTape() as outer:
        fake = tf.matmul(z, g_weights)
        penalty = tf.reduce_sum(gradient_penalty(critic, tf.zeros([4, 3]), fake, tf.fill([4], 0.5)))
    assert outer.gradient(penalty, g_weights) is None


def test_gradient_penalty_of_a_mixed_precision_critic_is_float32():
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, dtype="mixed_float16")])
    critic.layers[0].kernel.assign([[2.0], [0.0], [-1.0]])
    real, fake = np.random.default_rng(5).normal(size=(2, 4, 3)).astype(np.float32)
    penalty = gradient_penalty(critic, real, fake, np.full(4, 0.3, np.float32))
    assert penalty.dtype == tf.float32
    np.testing.assert_allclose(penalty, np.full(4, (np.sqrt(5.0) - 1) ** 2), rtol=1e-3)


def _quadratic_case(seed):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(3, 3))
    a = (s + s.T).astype(np.float32)  # symmetric, so grad 0.5 x^T A x = A x
    b = rng.normal(size=3).astype(np.float32)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    closed_form = np.sum((x.astype(np.float64) @ a.T + b) ** 2, axis=1)  # ||A x_i + b||^2
    return a, b, x, closed_form


def _quadratic(a, b):
    return lambda x: 0.5 * tf.einsum("bi,ij,bj->b", x, a, x) + tf.reduce_sum(x * b, axis=1)


def test_r1_of_a_quadratic_critic_is_the_squared_norm_of_a_x_plus_b():
    a, b, x, closed_form = _quadratic_case(6)
    critic = _quadratic(a, b)
    penalty = r1_penalty(critic, x)
    assert penalty.dtype == tf.float32 and penalty.shape == (5,)
    np.testing.assert_allclose(penalty, closed_form, rtol=1e-5)
    np.testing.assert_allclose(squared_input_gradient_norm(critic, x), closed_form, rtol=1e-5)
    # and it is differentiable w.r.t. the critic: d/db sum_i ||A x_i + b||^2 = 2 sum_i (A x_i + b)
    b_var = tf.Variable(b)
    with tf.GradientTape() as outer:
        total = tf.reduce_sum(r1_penalty(_quadratic(a, b_var), x))
    np.testing.assert_allclose(outer.gradient(total, b_var), 2 * np.sum(x @ a.T + b, axis=0), rtol=1e-4)


def test_r2_is_the_same_penalty_on_fake_data_and_leaves_the_generator_alone():
    a, b, z, _ = _quadratic_case(7)
    critic = _quadratic(a, b)
    g_weights = tf.Variable(np.random.default_rng(8).normal(size=(3, 3)).astype(np.float32))
    with tf.GradientTape(persistent=True) as outer:
        fake = tf.matmul(z, g_weights)  # a linear "generator"
        r2 = r2_penalty(critic, fake)
        unstopped = squared_input_gradient_norm(critic, fake)
        r2_total, unstopped_total = tf.reduce_sum(r2), tf.reduce_sum(unstopped)
    fake_np = fake.numpy().astype(np.float64)
    np.testing.assert_allclose(r2, np.sum((fake_np @ a.T + b) ** 2, axis=1), rtol=1e-5)
    assert outer.gradient(r2_total, g_weights) is None
    # the same quantity without the stop does reach the generator: the test above can fail
    assert outer.gradient(unstopped_total, g_weights) is not None
