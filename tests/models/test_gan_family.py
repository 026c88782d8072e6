"""The GAN family (gan, wgan, wgan-gp, cgan, and dcgan through the shared step):
defaults from the papers, the shared train_step's math, EMA, conditioning,
distribution and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_DCGAN, assert_two_replicas_match_one_device, digit_batches, train_steps
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.models.dcgan.model import DCGAN
from keras_genzoo.models.cgan.model import CGAN
from keras_genzoo.models.gan.model import GAN
from keras_genzoo.models.wgan.model import WGAN
from keras_genzoo.models.wgan_gp.model import WGANGP

#: MLP networks small enough for many CPU tests (8x8 images)
TINY_MLP = {"image_size": 8, "channels": 1, "latent_dim": 8, "generator_units": [32],
            "discriminator_units": [32], "dropout": 0.0, "architecture": "mlp"}
TINY_CONV = {"image_size": 8, "channels": 1, "latent_dim": 8, "base_filters": 4,
             "architecture": "conv"}
FAMILY = {
    "gan": (GAN, TINY_MLP),
    "wgan": (WGAN, TINY_MLP),
    "wgan-gp": (WGANGP, TINY_CONV),
    "cgan": (CGAN, TINY_MLP),
    "dcgan": (DCGAN, TINY_DCGAN),
}


def _batches(count, batch=16, size=8, d_steps=1):
    return digit_batches(batch * d_steps, count, image_size=size)


# ------------------------------------------------------------------ defaults
def test_defaults_follow_the_papers():
    wgan = WGAN(TINY_MLP).prepare()
    assert (wgan.config.loss, wgan.config.clip_value, wgan.config.d_steps) == ("wasserstein", 0.01, 5)
    for optimizer in wgan.network_optimizers.values():
        assert isinstance(optimizer, keras.optimizers.RMSprop)
        assert float(optimizer.learning_rate) == pytest.approx(5e-5)
        assert optimizer.momentum == 0.0  # no momentum (Arjovsky et al. 2017, section 3)
    gp = WGANGP(TINY_CONV).prepare()
    assert (gp.config.loss, gp.config.gp_weight, gp.config.d_steps) == ("wasserstein", 10.0, 5)
    assert gp.config.normalization == "layer"  # no batch norm in a GP critic
    for optimizer in gp.network_optimizers.values():
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert (float(optimizer.learning_rate), float(optimizer.beta_1), float(optimizer.beta_2)) \
            == pytest.approx((1e-4, 0.0, 0.9))
    gan = GAN()
    assert gan.config.architecture == "mlp" and gan.config.dropout > 0
    assert any(isinstance(layer, keras.layers.Dropout) for layer in gan.discriminator.layers)


@pytest.mark.parametrize("override, message", [
    ({"n_critic": 0}, "d_steps \\(n_critic\\) must be at least 1"),
    ({"d_steps": -2}, "d_steps"),
    ({"gp_weight": -1.0}, "gp_weight must be >= 0"),
    ({"r1_gamma": -0.1}, "r1_gamma must be >= 0"),
    ({"r2_gamma": -3}, "r2_gamma must be >= 0"),
    ({"clip_value": -0.01}, "clip_value must be > 0"),
    ({"label_smoothing": 0.1, "loss": "wasserstein"}, "label_smoothing applies"),
    ({"ema_decay": 1.0}, "ema_decay"),
    ({"minibatch_stddev": 1}, "group size"),
])
def test_bad_config_is_a_one_line_error(override, message):
    with pytest.raises(ConfigError, match=message):
        GAN({**TINY_MLP, **override})


def test_wgan_rejects_no_clipping_and_wgan_gp_no_penalty():
    with pytest.raises(ConfigError, match="clip_value > 0"):
        WGAN({**TINY_MLP, "clip_value": 0})
    with pytest.raises(ConfigError, match="gp_weight > 0"):
        WGANGP({**TINY_CONV, "gp_weight": 0})
    with pytest.raises(ConfigError, match="per example"):
        WGANGP({**TINY_CONV, "normalization": "batch"})


def test_wgan_and_wgan_gp_train_with_the_wasserstein_loss_only():
    for model_class, config in ((WGAN, TINY_MLP), (WGANGP, TINY_CONV)):
        with pytest.raises(ConfigError, match="Wasserstein loss"):
            model_class({**config, "loss": "hinge"})


def test_each_paper_states_its_losses_in_the_engine_hooks():
    real, fake = tf.constant([1.0, 3.0]), tf.constant([0.5, -1.0])
    wgan = WGAN(TINY_MLP)  # Arjovsky et al. 2017, Algorithm 1
    np.testing.assert_allclose(wgan.discriminator_loss(real, fake), fake - real)
    np.testing.assert_allclose(wgan.generator_loss(fake), -fake)
    softplus = np.log1p(np.exp(fake.numpy()))
    minimax = GAN({**TINY_MLP, "loss": "minimax"})  # eq. 1: log(1 - sigmoid(l)) = -softplus(l)
    np.testing.assert_allclose(minimax.generator_loss(fake), -softplus, rtol=1e-6)
    non_saturating = GAN(TINY_MLP)  # section 3: -log sigmoid(l) = softplus(-l)
    np.testing.assert_allclose(non_saturating.generator_loss(fake),
                               np.log1p(np.exp(-fake.numpy())), rtol=1e-6)
    critic = WGANGP(TINY_CONV).prepare()  # the interpolation noise keys on the step
    images = tf.random.stateless_uniform([2, 8, 8, 1], seed=[0, 1])
    penalties = critic.critic_penalties(lambda x: tf.reduce_sum(x, axis=[1, 2, 3]),
                                        images, images * 0.5, real, 0)
    # a linear critic sum(x) has gradient 1 everywhere: ||grad|| = 8, penalty (8 - 1)^2
    weight, value = penalties["gradient_penalty"]
    assert weight == 10.0 and list(penalties) == ["gradient_penalty"]
    np.testing.assert_allclose(value, [49.0, 49.0], rtol=1e-5)


# ------------------------------------------------------- the shared train_step
def test_d_steps_critic_updates_per_generator_update_on_fresh_data():
    keras.utils.set_random_seed(0)
    model = WGAN({**TINY_MLP, "d_steps": 3}).prepare()
    assert model.real_batches_per_step() == 3
    seen = []
    original = model.discriminator_update

    def spy(real, labels, k):
        seen.append(real)
        return original(real, labels, k)

    model.discriminator_update = spy
    batches = _batches(2, d_steps=3)
    logs = [{k: float(v) for k, v in model.train_step(batch).items()} for batch in batches]
    assert model.steps_taken() == 2
    assert int(model.network_optimizers["discriminator"].iterations) == 6
    assert int(model.network_optimizers["generator"].iterations) == 2
    # the three critic batches of a step are the strided thirds of its 48 examples
    real = batches[0][0] * 2.0 - 1.0
    for k, chunk in enumerate(seen[:3]):
        np.testing.assert_array_equal(np.asarray(chunk), real[k::3])
    assert all(np.isfinite(list(log.values())).all() for log in logs)


def test_wgan_critic_weights_stay_in_the_clipping_box():
    keras.utils.set_random_seed(0)
    clip = 0.01
    model = WGAN({**TINY_MLP, "d_steps": 2, "discriminator_lr": 0.05}).prepare()
    train_steps(model, _batches(3, d_steps=2))
    values = np.concatenate([np.ravel(v) for v in model.discriminator.get_weights()])
    assert np.abs(values).max() <= clip + 1e-7
    # a large step pushes weights to the box's faces: the constraint is doing work
    assert np.mean(np.isclose(np.abs(values), clip, atol=1e-7)) > 0.5


def _g_grad_norm_with_a_confident_discriminator(loss):
    """One generator update against a D whose bias rejects every sample (D ~ 0)."""
    keras.utils.set_random_seed(3)
    model = GAN({**TINY_MLP, "loss": loss}).prepare()
    logit_layer = model.discriminator.get_layer("logit")
    kernel, bias = logit_layer.get_weights()
    logit_layer.set_weights([kernel, bias - 30.0])
    real = tf.convert_to_tensor(_batches(1)[0][0]) * 2.0 - 1.0
    return {k: float(v) for k, v in model.generator_update(real, None).items()}


def test_minimax_generator_gradient_vanishes_when_the_discriminator_dominates():
    """Goodfellow et al. 2014, section 3: log(1 - D(G(z))) saturates when D rejects
    G's samples confidently; -log D(G(z)) keeps a strong gradient there."""
    minimax = _g_grad_norm_with_a_confident_discriminator("minimax")
    non_saturating = _g_grad_norm_with_a_confident_discriminator("non_saturating")
    # d/dlogit of -softplus(l) is -sigmoid(l) ~ e^-30; of softplus(-l) it is ~ -1
    assert minimax["g_grad_norm"] < 1e-9
    assert non_saturating["g_grad_norm"] > 1e-3
    assert minimax["g_loss"] == pytest.approx(0.0, abs=1e-9)
    assert non_saturating["g_loss"] == pytest.approx(30.0, rel=0.1)


def test_dominance_diagnostics_on_fixed_logits():
    model = GAN(TINY_MLP)
    values = model.dominance(tf.constant([3.0, -1.0, 2.0, 4.0]), tf.constant([-2.0, 1.0, -5.0, -1.0]))
    sig = lambda x: 1 / (1 + np.exp(-np.asarray(x)))  # noqa: E731
    assert float(values["d_real"]) == pytest.approx(np.mean(sig([3, -1, 2, 4])), rel=1e-6)
    assert float(values["d_fake"]) == pytest.approx(np.mean(sig([-2, 1, -5, -1])), rel=1e-6)
    assert float(values["d_accuracy"]) == pytest.approx(0.5 * (3 / 4 + 3 / 4))
    critic = WGAN(TINY_MLP)  # scores have no scale: threshold at the midpoint of the means
    values = critic.dominance(tf.constant([10.0, 11.0]), tf.constant([9.0, 12.5]))
    assert float(values["d_real"]) == pytest.approx(10.5)
    assert float(values["d_accuracy"]) == pytest.approx(0.5 * (1 / 2 + 1 / 2))


def test_feature_matching_generator_loss_is_the_squared_mean_feature_distance():
    """Salimans et al. 2016, section 3.1: ||E f(x) - E f(G(z))||^2."""
    keras.utils.set_random_seed(5)
    model = GAN({**TINY_MLP, "feature_matching": True}).prepare()
    real = tf.convert_to_tensor(_batches(1)[0][0]) * 2.0 - 1.0
    z = model.replica_noise(16, [TINY_MLP["latent_dim"]], salt=3000)  # the update's noise
    _, real_features = model.discriminator(real, training=True)
    _, fake_features = model.discriminator(model.generator(z, training=True), training=True)
    expected = np.sum((np.mean(real_features, 0) - np.mean(fake_features, 0)) ** 2)
    assert float(model.generator_update(real, None)["g_loss"]) == pytest.approx(expected, rel=1e-5)


def test_penalties_are_logged_and_added_to_the_critic_loss():
    keras.utils.set_random_seed(0)
    model = GAN({**TINY_MLP, "r1_gamma": 2.0, "r2_gamma": 1.0}).prepare()
    log = train_steps(model, _batches(1))[0]
    assert {"r1", "r2"} <= set(log) and "gradient_penalty" not in log
    assert log["r1"] > 0 and log["r2"] > 0
    plain = GAN(TINY_MLP)
    assert "r1" not in plain.metric_names


# ------------------------------------------------------------------------ EMA
def test_ema_generator_is_the_exponential_average_and_samples():
    keras.utils.set_random_seed(0)
    decay = 0.8
    model = GAN({**TINY_MLP, "ema_decay": decay, "generator_lr": 1e-2}).prepare()
    expected = [np.array(w) for w in model.generator.get_weights()]  # ema_0 = w_0
    for batch in _batches(4):
        train_steps(model, [batch])
        expected = [decay * e + (1 - decay) * np.array(w)
                    for e, w in zip(expected, model.generator.get_weights())]
    for got, want in zip(model.generator_ema.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # ...and differs from the raw generator, which moved with lr 1e-2
    assert not np.allclose(model.generator_ema.get_weights()[0], model.generator.get_weights()[0])

    z = model.latent(4, seed=1)
    ema_images = model.to_data_range(model.generator_ema(z)).numpy()
    np.testing.assert_allclose(model.generate(z).numpy(), ema_images, atol=1e-6)


# --------------------------------------------------------------- conditioning
@pytest.mark.parametrize("conditioning", ["concat", "projection"])
def test_cgan_output_depends_on_the_label_and_rejects_bad_labels(conditioning):
    keras.utils.set_random_seed(0)
    model = CGAN({**TINY_MLP, "conditioning": conditioning}).prepare()
    train_steps(model, _batches(2))
    z = np.repeat(model.latent(1, seed=2).numpy(), 3, axis=0)
    images = model.generate(z, labels=[0, 1, 2]).numpy()
    assert not np.allclose(images[0], images[1]) and not np.allclose(images[1], images[2])
    # the discriminator sees the label too
    logits_0 = model.discriminate(tf.constant(images), tf.constant([0, 0, 0]))[0].numpy()
    logits_5 = model.discriminate(tf.constant(images), tf.constant([5, 5, 5]))[0].numpy()
    assert not np.allclose(logits_0, logits_5)
    with pytest.raises(GenzooError, match="label 10 is out of range: this model has 10 classes"):
        model.sample(2, label=10)
    with pytest.raises(GenzooError, match="label -1"):
        model.sample(2, label=[-1, 0])

    _, signatures = model.export_signatures()
    serving = signatures["serving_default"]
    a = serving(z=tf.constant(z), label=tf.constant([0, 1, 2]))["images"].numpy()
    np.testing.assert_allclose(a, images, atol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="label must be in"):
        serving(z=tf.constant(z), label=tf.constant([0, 10, 2]))


def test_unconditional_model_refuses_a_label():
    with pytest.raises(GenzooError, match="needs a conditional model"):
        GAN(TINY_MLP).sample(2, label=1)


# --------------------------------------------------------------------- points
def test_point_models_generate_and_export_points():
    model = WGANGP({**TINY_MLP, "data_dim": 2}).prepare()
    assert model.points and model.data_shape() == [2]
    train_steps(model, [(np.random.default_rng(0).normal(size=(80, 2)).astype(np.float32),
                         np.zeros(80, np.int32))])
    samples = model.sample(5)
    assert samples.shape == (5, 2)
    _, signatures = model.export_signatures()
    out = signatures["serving_default"](model.latent(5))
    assert set(out) == {"points"}
    np.testing.assert_allclose(out["points"].numpy(), samples, atol=1e-6)


# -------------------------------------------------------------- distribution
@pytest.mark.parametrize("name, config", [
    ("gan", {**TINY_MLP, "loss": "minimax", "label_smoothing": 0.1}),
    ("wgan", {**TINY_MLP, "d_steps": 2}),
    # the penalty's nested tape under two replicas: slow tier (wgan covers d_steps here)
    pytest.param("wgan-gp", {**TINY_CONV, "d_steps": 2}, marks=pytest.mark.slow),
    ("cgan", {**TINY_MLP, "conditioning": "projection", "r1_gamma": 1.0}),
    ("dcgan", {**TINY_DCGAN, "image_size": 8, "ema_decay": 0.9}),
])
def test_two_replicas_train_exactly_like_one_device(name, config):
    """DESIGN.md 4, including the strided critic batches of d_steps > 1."""
    model_class = FAMILY[name][0]
    d_steps = config.get("d_steps", model_class.config_class().d_steps)
    batches = digit_batches(16 * d_steps, 2, image_size=8)
    assert_two_replicas_match_one_device(model_class, config, batches)
