"""The adversarial losses against hand computations (float64 NumPy) on fixed logits."""

import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo.losses.adversarial import (
    LOGISTIC_LOSSES,
    LOSS_NAMES,
    discriminator_logistic_loss,
    discriminator_loss,
    generator_loss,
    generator_minimax_loss,
    generator_non_saturating_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)

REAL = np.array([-3.0, -0.5, 0.0, 1.5, 4.0], np.float32)
FAKE = np.array([2.0, -1.0, 0.0, 0.7, -5.0], np.float32)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))


def _expected_discriminator(name, real, fake):
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if name in ("minimax", "non_saturating"):
        return -np.log(_sigmoid(real)) - np.log(1.0 - _sigmoid(fake))
    if name == "wasserstein":
        return fake - real
    return np.maximum(0.0, 1.0 - real) + np.maximum(0.0, 1.0 + fake)


def _expected_generator(name, fake):
    fake = np.asarray(fake, np.float64)
    return {
        "minimax": np.log(1.0 - _sigmoid(fake)),
        "non_saturating": -np.log(_sigmoid(fake)),
        "wasserstein": -fake,
        "hinge": -fake,
    }[name]


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_each_loss_matches_its_hand_computation(name):
    d = discriminator_loss(name, REAL, FAKE)
    g = generator_loss(name, FAKE)
    assert d.dtype == tf.float32 and d.shape == (5,)
    assert g.dtype == tf.float32 and g.shape == (5,)
    np.testing.assert_allclose(d, _expected_discriminator(name, REAL, FAKE), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, _expected_generator(name, FAKE), rtol=1e-5, atol=1e-6)


def test_values_worked_out_by_hand():
    # logit 0 is D = 1/2: -log(1/2) - log(1 - 1/2) = 2 log 2; minimax G: log(1/2)
    assert float(discriminator_loss("minimax", [0.0], [0.0])[0]) == pytest.approx(2 * np.log(2), rel=1e-6)
    assert float(generator_loss("minimax", [0.0])[0]) == pytest.approx(-np.log(2), rel=1e-6)
    assert float(generator_loss("non_saturating", [0.0])[0]) == pytest.approx(np.log(2), rel=1e-6)
    # critic scores real 1, 2 and fake 0.5, 3: L_C = -(D_REAL - D_FAKE)
    np.testing.assert_allclose(discriminator_loss("wasserstein", [1.0, 2.0], [0.5, 3.0]), [-0.5, 1.0])
    # hinge: real 0.5 is inside the margin by 0.5, fake -0.2 by 0.8; real 3 / fake -4 are outside
    np.testing.assert_allclose(discriminator_loss("hinge", [0.5, 3.0], [-0.2, -4.0]), [1.3, 0.0], rtol=1e-6)
    np.testing.assert_allclose(generator_loss("hinge", [0.5, -2.0]), [-0.5, 2.0])


def test_named_functions_are_what_the_dispatchers_use():
    pairs = [
        (discriminator_loss("minimax", REAL, FAKE), discriminator_logistic_loss(REAL, FAKE)),
        (discriminator_loss("non_saturating", REAL, FAKE), discriminator_logistic_loss(REAL, FAKE)),
        (discriminator_loss("wasserstein", REAL, FAKE), wasserstein_critic_loss(REAL, FAKE)),
        (discriminator_loss("hinge", REAL, FAKE), hinge_discriminator_loss(REAL, FAKE)),
        (generator_loss("minimax", FAKE), generator_minimax_loss(FAKE)),
        (generator_loss("non_saturating", FAKE), generator_non_saturating_loss(FAKE)),
        (generator_loss("wasserstein", FAKE), wasserstein_generator_loss(FAKE)),
        (generator_loss("hinge", FAKE), hinge_generator_loss(FAKE)),
    ]
    for dispatched, direct in pairs:
        np.testing.assert_array_equal(dispatched, direct)


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_column_logits_of_any_float_dtype_give_float32_per_example(dtype):
    real, fake = REAL[:, None].astype(dtype), FAKE[:, None].astype(dtype)
    for name in LOSS_NAMES:
        d, g = discriminator_loss(name, real, fake), generator_loss(name, fake)
        assert d.dtype == tf.float32 and d.shape == (5,)
        assert g.dtype == tf.float32 and g.shape == (5,)
        expected = _expected_discriminator(name, real[:, 0], fake[:, 0])
        np.testing.assert_allclose(d, expected, rtol=1e-5, atol=1e-6)


def test_one_sided_label_smoothing():
    s = 0.1
    real, fake = REAL[:4], FAKE[:4]
    p, q = _sigmoid(real), _sigmoid(fake)
    expected = -((1 - s) * np.log(p) + s * np.log(1 - p)) - np.log(1 - q)
    for name in LOGISTIC_LOSSES:
        smoothed = discriminator_loss(name, real, fake, label_smoothing=s)
        np.testing.assert_allclose(smoothed, expected, rtol=1e-5)
    # at logit 0 the smoothed real term is still log 2, whatever s: cross-entropy of (1-s, s) with (1/2, 1/2)
    assert float(discriminator_loss("minimax", [0.0], [-50.0], label_smoothing=0.3)[0]) == pytest.approx(
        np.log(2), rel=1e-5
    )
    # one-sided: the fake term is untouched, so D's optimum on real data moves to D(x) = 1 - s
    optimum_logit = tf.Variable([np.log((1 - s) / s)], dtype=tf.float32)
    with tf.GradientTape() as tape:
        loss = discriminator_loss("non_saturating", optimum_logit, [0.0], label_smoothing=s)
    assert abs(float(tape.gradient(loss, optimum_logit)[0])) < 1e-6


def test_bad_names_and_smoothing_are_refused():
    with pytest.raises(ValueError, match="minimax, non_saturating, wasserstein, hinge"):
        discriminator_loss("least_squares", REAL, FAKE)
    with pytest.raises(ValueError, match="minimax, non_saturating, wasserstein, hinge"):
        generator_loss("non-saturating", FAKE)
    for name in ("wasserstein", "hinge"):
        with pytest.raises(ValueError, match="label_smoothing"):
            discriminator_loss(name, REAL, FAKE, label_smoothing=0.1)
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match="label_smoothing"):
            discriminator_loss("minimax", REAL, FAKE, label_smoothing=bad)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_extreme_logits_give_finite_losses_and_gradients(name):
    real = tf.Variable([100.0, -100.0, 100.0, -100.0])
    fake = tf.Variable([100.0, -100.0, -100.0, 100.0])
    smoothing = 0.1 if name in LOGISTIC_LOSSES else 0.0
    with tf.GradientTape(persistent=True) as tape:
        d = discriminator_loss(name, real, fake, label_smoothing=smoothing)
        g = generator_loss(name, fake)
    for value in (d, g, *tape.gradient(d, [real, fake]), tape.gradient(g, fake)):
        assert np.isfinite(value.numpy()).all()
    if name in LOGISTIC_LOSSES:
        # -log D(x) with D(x) = sigmoid(-100): the loss is ~100 (a naive log would give inf)
        assert float(discriminator_loss(name, [-100.0], [-100.0])[0]) == pytest.approx(100.0, rel=1e-6)


def test_minimax_generator_gradient_vanishes_when_d_rejects_the_fakes():
    """Goodfellow et al. 2014, section 3: d/dl log(1 - sigmoid(l)) = -sigmoid(l) -> 0 as l -> -inf,
    while d/dl -log sigmoid(l) = -(1 - sigmoid(l)) -> -1."""
    logits = tf.Variable([-10.0, -2.0, 0.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        minimax = tf.reduce_sum(generator_minimax_loss(logits))
        non_saturating = tf.reduce_sum(generator_non_saturating_loss(logits))
    d = _sigmoid(logits.numpy())
    np.testing.assert_allclose(tape.gradient(minimax, logits), -d, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(non_saturating, logits), -(1 - d), rtol=1e-5)
    assert abs(float(tape.gradient(minimax, logits)[0])) < 1e-4
    assert float(tape.gradient(non_saturating, logits)[0]) < -0.999
