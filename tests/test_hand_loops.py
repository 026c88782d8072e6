"""The families' hand-written reference steps (``models/<family>/reference_step.py``),
through benchmarks/hand_loops.py, the throughput benchmark's harness.

Two kinds of checks. Every registered model: two hand steps on real batches give finite
losses and move every trainable variable (except those whose gradient is exactly zero
by the mathematics, listed with the reason). And for the autoencoders, the classifier,
the GANs and RadialGAN: from the same weights, ONE hand step and ONE genzoo
``train_step`` give the same weights, which is what "the same networks and losses"
means. Randomness is made equal by handing the hand step genzoo's own noise streams
(stateless draws keyed by the run seed, a per-draw salt and the step), through
``make_hand_step(noise=...)``.
"""

import math
import pathlib
import re
import sys

import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo import registry

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
import hand_loops  # benchmarks/ is not a package: imported from its folder

BATCH = 8
#: smaller than the default presets, the same code in a fraction of the time: the
#: progressive models grow to 8x8 (2 phases, a block faded in over the 4x4 one), the
#: WGANs take 2 critic updates per step instead of 5
# stylegan with its default config's loss (non-saturating + R1; its digits preset
# trains with WGAN-GP, which progan covers)
SMALLER = {"progan": {"image_size": 8},
           "stylegan": {"image_size": 8, "mapping_layers": 2, "loss": "non_saturating",
                        "r1_gamma": 10.0, "gp_weight": 0.0, "drift_weight": 0.0},
           "wgan": {"n_critic": 2}, "wgan-gp": {"n_critic": 2}}


def prepared(name, tmp_path, **overrides):
    return hand_loops.prepare_benchmark_model(
        name, batch_size=BATCH, out_dir=tmp_path / "run",
        overrides={key: str(value) for key, value in overrides.items()} or None)


def real_batches(plan, model, source, count):
    per_step = plan.settings.batch_size * model.real_batches_per_step()
    iterator = iter(source.batches(per_step, epoch=0, seed=plan.settings.seed))
    return [next(iterator) for _ in range(count)]


def trainable_values(model) -> dict[str, np.ndarray]:
    values = {f"{role}/{v.path}": np.array(v) for role, net in model.networks().items()
              for v in net.trainable_variables}
    assert len(values) == sum(len(net.trainable_variables) for net in model.networks().values())
    return values


def zero_gradient_variables(model) -> set[str]:
    """Trainable variables a correct step leaves EXACTLY unchanged."""
    name = model.registry_name
    if name in ("wgan", "wgan-gp"):
        # D(G(z)) - D(x): the critic's output bias cancels, and the gradient
        # penalty depends on input gradients only
        return {"discriminator/logit/bias"}
    if name == "radialgan":  # the same for each domain's WGAN-GP critic
        return {f"discriminator_{i}/D{i}_score/bias" for i in range(model.num_domains)}
    if name in ("progan", "stylegan"):
        # alpha = 1: the faded-out branch (the previous phase's to_rgb / from_rgb) is
        # weighted by 1 - alpha = 0, so its gradient is exactly 0 and Adam moves it by 0.
        # (progan's d_logit bias does move: the drift term eps * D(x)^2 depends on it.)
        old = model.phase - 1
        return {f"generator/g_to_rgb{old}/kernel", f"generator/g_to_rgb{old}/bias",
                f"discriminator/d_from_rgb{old}/kernel", f"discriminator/d_from_rgb{old}/bias"}
    return set()


def assert_genzoos_optimizers(model):
    """The hand loop's optimizers have genzoo's classes and hyper-parameters."""
    hand = hand_loops.hand_optimizers(model)
    if model.registry_name == "recirculation-ae":  # genzoo's SGD only counts steps
        assert hand == {}
        return
    genzoo = model.default_optimizers()
    assert hand.keys() == genzoo.keys()
    # fresh instances, not the model's (trained) ones
    assert not any(hand[role] is model.network_optimizers.get(role) for role in hand)
    for role in hand:
        assert type(hand[role]) is type(genzoo[role]), role
        mine, theirs = hand[role].get_config(), genzoo[role].get_config()
        mine.pop("name"), theirs.pop("name")
        assert mine == theirs, role


# ============================================== every model: runs and trains
def test_every_registered_model_has_a_hand_loop():
    assert set(hand_loops.hand_written_models()) == set(registry.names())


# slow tier: the fast tier checks every model's hand step against train_step (below)
@pytest.mark.slow
@pytest.mark.parametrize("name", registry.names())
def test_two_hand_steps_train_every_network(name, tmp_path):
    plan, model, source = prepared(name, tmp_path, **SMALLER.get(name, {}))
    assert_genzoos_optimizers(model)
    step = hand_loops.make_hand_step(model, xla=False)
    before = trainable_values(model)
    ema_before = (None if getattr(model, "generator_ema", None) is None
                  else [np.array(v) for v in model.generator_ema.weights])
    for batch in real_batches(plan, model, source, 2):
        losses = step(batch)
        assert losses and all(math.isfinite(float(value)) for value in losses.values()), losses
    after = trainable_values(model)
    unchanged = {key for key in before if np.array_equal(before[key], after[key])}
    assert unchanged == zero_gradient_variables(model)
    if ema_before is not None:  # the EMA follows every generator weight that moved
        for old, new, source in zip(ema_before, model.generator_ema.weights,
                                    model.generator.weights):
            if source.trainable and f"generator/{source.path}" not in unchanged:
                assert not np.array_equal(old, np.array(new)), source.path
    if getattr(model.config, "clip_value", 0):  # WGAN: every critic weight in [-c, c]
        largest = max(float(np.max(np.abs(v))) for v in model.discriminator.trainable_variables)
        assert largest <= model.config.clip_value


def test_xla_refused_where_genzoo_refuses_it(tmp_path):
    model = prepared("contractive-ae", tmp_path, jacobian="autodiff")[1]
    with pytest.raises(ValueError, match="autodiff Jacobian"):
        hand_loops.make_hand_step(model, xla=True)
    hand_loops.make_hand_step(model, xla=False)  # fine without XLA


def test_a_growing_model_is_refused(tmp_path):
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs

    plan = plan_lib.resolve_plan("progan", out_dir=str(tmp_path / "run"), steps=1)
    model = runs.build_model(plan.model, plan.config)
    model.compile()
    model.prepare()  # still at 4x4
    with pytest.raises(ValueError, match="grow it to phase"):
        hand_loops.make_hand_step(model, xla=False)


def test_an_xla_hand_step_compiles_and_trains(tmp_path):
    plan, model, source = prepared("gan", tmp_path)
    before = trainable_values(model)
    losses = hand_loops.make_hand_step(model, xla=True)(real_batches(plan, model, source, 1)[0])
    assert all(math.isfinite(float(v)) for v in losses.values())
    after = trainable_values(model)
    assert all(not np.array_equal(before[key], after[key]) for key in before)


@pytest.mark.slow
@pytest.mark.parametrize("name", registry.names())
def test_every_xla_hand_step_compiles(name, tmp_path):
    plan, model, source = prepared(name, tmp_path)
    if model.xla_unsupported_reason():
        pytest.skip(model.xla_unsupported_reason())
    step = hand_loops.make_hand_step(model, xla=True)
    for batch in real_batches(plan, model, source, 2):
        assert all(math.isfinite(float(v)) for v in step(batch).values())


# ======================================= one hand step == one genzoo step
#: genzoo's salts (GenzooModel.replica_noise) of the hand loops' noise streams
_STREAM_SALTS = {"posterior": 1,  # vae
                 "corruption/gaussian": 11, "corruption/mask": 12,  # denoising-ae
                 "corruption/which": 13, "corruption/value": 14}
#: GANs: a draw's update (critic k: 1000 + k, generator: 3000), then an offset per draw
_GAN_OFFSETS = {"latent": 0, "interpolation": 1000, "mix_latent": 10_000,
                "mix_choice": 20_000, "crossover": 30_000}


def genzoo_salt(stream: str) -> int:
    if stream in _STREAM_SALTS:
        return _STREAM_SALTS[stream]
    found = re.fullmatch(r"interpolation:(\d+)", stream)  # radialgan, pair index
    if found:
        return 5000 + int(found[1])
    found = re.fullmatch(r"(critic:(\d+)|generator)/(\w+?)(?::(\d+))?", stream)
    assert found, f"unknown noise stream {stream}"
    base = 3000 if found[1] == "generator" else 1000 + int(found[2])
    if found[3] == "layer_noise":  # stylegan's per-layer noise images
        return base + 40_000 + int(found[4])
    return base + _GAN_OFFSETS[found[3]]


def genzoo_noise(model):
    """The draws genzoo's first step (step 0) makes on one device, by stream."""
    def draw(stream, shape, distribution):
        seed = tf.constant([model.seed * 1_000_003 + genzoo_salt(stream), 0], tf.int64)
        sample = (tf.random.stateless_uniform if distribution == "uniform"
                  else tf.random.stateless_normal)
        return sample(tf.cast(tf.stack(shape), tf.int32), seed=seed)
    return draw


def state(model) -> dict[str, list[np.ndarray]]:
    values = {role: net.get_weights() for role, net in model.networks().items()}
    # images_seen and train_steps are the schedule's bookkeeping, which the hand
    # loop leaves out
    values.update({name: [np.array(v)] for name, v in model.state_variables().items()
                   if name not in ("images_seen", "train_steps")})
    return values


def restore(model, values) -> None:
    networks, variables = model.networks(), model.state_variables()
    for name, weights in values.items():
        if name in networks:
            networks[name].set_weights(weights)
        else:
            variables[name].assign(weights[0])


def assert_one_step_matches_genzoo(name, tmp_path, **overrides):
    plan, model, source = prepared(name, tmp_path, **overrides)
    batch = real_batches(plan, model, source, 1)[0]
    start = state(model)
    hand_loops.make_hand_step(model, xla=False, noise=genzoo_noise(model))(batch)
    by_hand = state(model)
    restore(model, start)
    assert int(model.step.numpy()) == 0  # genzoo's noise keys on the step: this is step 0
    tf.function(model.train_step)(batch)
    by_genzoo = state(model)
    moved = 0
    for role in start:
        for index, (mine, theirs, initial) in enumerate(zip(by_hand[role], by_genzoo[role],
                                                            start[role])):
            # Two different graphs (the hand step and genzoo's train_step): bitwise equal
            # on this CPU, but another CPU's kernels (oneDNN / Eigen differ between Intel
            # and AMD) may round them differently, and one float32 ulp of a weight >= 1
            # already exceeds 1e-7. A few ulps (rtol 5e-7) + 1e-7 stay far below a first
            # Adam/RMSprop step (learning rate x sign(gradient) >= 5e-5) and a ProGAN EMA
            # step (1e-3 x learning rate = 1e-6 for weights of magnitude up to ~1.5)
            np.testing.assert_allclose(mine, theirs, rtol=5e-7, atol=1e-7,
                                       err_msg=f"{name}: {role} weight {index}")
            moved += not np.array_equal(theirs, initial)
    assert moved  # the comparison is not between two untouched models


@pytest.mark.parametrize("name, overrides", [
    ("ae", {}),
    ("sparse-ae", {}),  # l1
    ("sparse-ae", {"penalty": "kl", "code_activation": "sigmoid"}),
    ("contractive-ae", {}),  # closed form
    ("contractive-ae", {"jacobian": "autodiff"}),
    ("denoising-ae", {}),  # gaussian
    ("denoising-ae", {"corruption": "salt_pepper"}),
    ("vae", {}),
    ("recirculation-ae", {}),
    ("classifier", {"dropout": 0.0}),  # dropout masks are drawn by Keras, not by genzoo
    ("adain-style", {"image_size": 32, "load_size": 40}),  # the decoder only, Adam
])
def test_one_step_equals_genzoo_autoencoders_and_classifier(name, overrides, tmp_path):
    assert_one_step_matches_genzoo(name, tmp_path, **overrides)


@pytest.mark.parametrize("name, overrides", [
    # D's dropout masks are Keras' own draws, not genzoo's streams: dropout off
    ("gan", {"dropout": 0.0, "loss": "minimax", "r2_gamma": 1.0}),
    ("dcgan", {"ema_decay": 0.9}),  # BatchNorm statistics copied into the EMA generator
    ("wgan", SMALLER["wgan"]),  # RMSProp, clipping, strided critic batches
    ("wgan-gp", SMALLER["wgan-gp"]),  # gradient penalty on interpolates
    ("cgan", {"dropout": 0.0, "feature_matching": True, "label_smoothing": 0.1}),
    # Salimans et al. 2016: VBN (reference batch, statistics refreshed) and historical
    # averaging (running means; d_steps 2, so D's mean is past its first value)
    ("gan", {"dropout": 0.0, "virtual_batch_norm": 4, "historical_averaging": 0.5,
             "d_steps": 2, "ema_decay": 0.9}),
    ("cgan", {"dropout": 0.0, "virtual_batch_norm": 4, "historical_averaging": 0.5,
              "architecture": "conv", "minibatch_discrimination": 2,
              "minibatch_reduction": "sum"}),
    ("progan", SMALLER["progan"]),  # GP + drift, EMA, grown to 16x16
    # style mixing, layer noise, R1, w_avg; slow tier (progan covers growth in the fast one)
    pytest.param("stylegan", SMALLER["stylegan"], marks=pytest.mark.slow),
    ("radialgan", {"num_domains": 2}),  # two ordered pairs instead of six
    ("radialgan", {"num_domains": 2, "adversarial_loss": "bce"}),
    # the shared-feature term: two breast-cancer domains record 5 features in common
    ("radialgan", {"num_domains": 2, "shared_feature_weight": 3.0}),
    # label-blind encoders and the agreement term (three domains: a source, two others)
    ("radialgan", {"num_domains": 3, "shared_feature_weight": 3.0, "agreement_weight": 2.0,
                   "encode_label": False}),
])
def test_one_step_equals_genzoo_adversarial(name, overrides, tmp_path):
    assert_one_step_matches_genzoo(name, tmp_path, **overrides)
