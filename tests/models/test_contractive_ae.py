"""Contractive autoencoder (Deep Learning 14.2.3, eq. 14.18; Rifai et al. 2011).

The math: the closed-form penalty of one sigmoid dense layer equals the
autodiff ||J_f(x)||_F^2 (values and gradients), autodiff equals a float64
finite-difference Jacobian of a small MLP, and the penalty lowers the
Jacobian norm compared with lambda = 0 from the same initial weights.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import (
    assert_two_replicas_match_one_device,
    digit_batches,
    train_steps,
)
from keras_genzoo.config import build_config
from keras_genzoo.errors import ConfigError
from keras_genzoo.commands.export import export_run
from keras_genzoo.export.onnx import run_onnx
from keras_genzoo.export.savedmodel import read_signatures
from keras_genzoo.losses.contractive import (
    jacobian_frobenius_autodiff,
    jacobian_frobenius_sigmoid_dense,
)
from keras_genzoo.models.contractive_ae.model import ContractiveAE, ContractiveAEConfig
from keras_genzoo.registry import get
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import trainer

SIGMOID = {**get("contractive-ae").presets["sigmoid"].config, "image_size": 8, "code_dim": 12}
DEEP = {**get("contractive-ae").presets["deep"].config, "image_size": 8, "code_dim": 6,
        "hidden_units": [16]}


def _randomize(network, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    for variable in network.weights:
        variable.assign(rng.normal(0.0, scale, variable.shape).astype(np.float32))


def _inputs(count=5, size=8, seed=1):
    return np.random.default_rng(seed).uniform(size=(count, size, size, 1)).astype(np.float32)


def test_closed_form_equals_autodiff_for_a_sigmoid_dense_encoder():
    model = ContractiveAE(config=dict(SIGMOID))
    assert model.jacobian_mode == "closed_form"
    dense = model.encoder.get_layer("code")
    for seed in range(3):
        _randomize(model.encoder, seed, scale=0.4)  # pre-activations of a few units
        x = _inputs(seed=seed + 10)
        closed = jacobian_frobenius_sigmoid_dense(x.reshape(len(x), -1), dense.kernel, dense.bias)
        auto = jacobian_frobenius_autodiff(model.encoder, x)
        assert closed.shape == auto.shape == (5,) and closed.dtype == tf.float32
        np.testing.assert_allclose(closed.numpy(), auto.numpy(), rtol=1e-5, atol=1e-7)
        # by hand: sum_j (h_j (1 - h_j))^2 sum_i W_ij^2
        w, b = np.asarray(dense.kernel, np.float64), np.asarray(dense.bias, np.float64)
        h = 1.0 / (1.0 + np.exp(-(x.reshape(5, -1) @ w + b)))
        np.testing.assert_allclose(closed.numpy(), ((h * (1 - h)) ** 2 * (w ** 2).sum(0)).sum(1),
                                   rtol=1e-5)


def test_closed_form_and_autodiff_give_the_same_weight_gradients():
    """The outer tape differentiates through the nested batch_jacobian correctly."""
    model = ContractiveAE(config=dict(SIGMOID))
    _randomize(model.encoder, 3, scale=0.3)
    dense, x = model.encoder.get_layer("code"), _inputs(4, seed=2)
    with tf.GradientTape(persistent=True) as tape:
        closed = tf.reduce_sum(jacobian_frobenius_sigmoid_dense(x.reshape(4, -1), dense.kernel,
                                                                dense.bias))
        auto = tf.reduce_sum(jacobian_frobenius_autodiff(model.encoder, x))
    for a, b in zip(tape.gradient(closed, [dense.kernel, dense.bias]),
                    tape.gradient(auto, [dense.kernel, dense.bias])):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6)


def test_autodiff_matches_a_finite_difference_jacobian_of_a_small_mlp():
    inputs = keras.Input([3, 3, 1])
    h = keras.layers.Flatten()(inputs)
    h = keras.layers.Dense(7, activation="tanh")(h)
    h = keras.layers.Dense(4, activation="softplus")(h)
    encoder = keras.Model(inputs, h)
    _randomize(encoder, 5, scale=0.8)
    (w1, b1, w2, b2) = [np.asarray(v, np.float64) for v in encoder.weights]

    def f(flat):  # the same MLP in float64
        return np.logaddexp(0.0, np.tanh(flat @ w1 + b1) @ w2 + b2)

    x = _inputs(3, size=3, seed=4)
    eps = 1e-5
    expected = []
    for example in x.reshape(3, -1).astype(np.float64):
        columns = [(f(example + eps * e) - f(example - eps * e)) / (2 * eps) for e in np.eye(9)]
        expected.append(np.sum(np.square(columns)))
    np.testing.assert_allclose(jacobian_frobenius_autodiff(encoder, x).numpy(), expected, rtol=1e-4)


def test_config_validation():
    defaults = ContractiveAEConfig()
    assert defaults.contractive_lambda == 0.1 and defaults.jacobian == "auto"
    for bad in ({"contractive_lambda": -1.0}, {"contractive_lambda": float("nan")},
                {"jacobian": "closed_form", **DEEP}, {"jacobian": "numeric"}):
        with pytest.raises(ConfigError):
            build_config(ContractiveAEConfig, bad)
    with pytest.raises(ConfigError, match="closed_form"):
        plan_lib.resolve_plan("contractive-ae", preset="deep", overrides={"jacobian": "closed_form"},
                             steps=1)
    assert ContractiveAE(config=dict(DEEP)).jacobian_mode == "autodiff"
    assert ContractiveAE(config=dict(SIGMOID, jacobian="autodiff")).jacobian_mode == "autodiff"
    closed = ContractiveAE(config=dict(SIGMOID, jacobian="closed_form"))
    assert closed.jacobian_mode == "closed_form"


def _trained(config, lam, steps=60):
    # A small step: with lr 3e-3 the unpenalized sigmoid code saturates within 60
    # steps, which also zeroes its Jacobian and hides the comparison.
    keras.utils.set_random_seed(0)
    model = ContractiveAE(config=dict(config, image_size=16, contractive_lambda=lam,
                                      learning_rate=1e-3)).prepare()
    logs = train_steps(model, digit_batches(64, steps, image_size=16))
    return model, logs


@pytest.mark.parametrize("config", [SIGMOID, DEEP], ids=["closed_form", "autodiff"])
def test_contraction_lowers_the_jacobian_norm(config):
    held_out = digit_batches(128, 1, image_size=16, seed=9)[0][0]
    free, _ = _trained(config, 0.0)
    contracted, logs = _trained(config, 1.0)
    free_norm = free.evaluation_metrics(held_out)["jacobian_norm"]
    metrics = contracted.evaluation_metrics(held_out)
    assert metrics["jacobian_norm"] < 0.5 * free_norm, (metrics, free_norm)
    # the logs add up: loss = reconstruction + lambda ||J||^2, jacobian_norm = mean ||J||_F
    assert set(logs[-1]) == {"loss", "reconstruction", "penalty", "jacobian_norm"}
    assert logs[-1]["loss"] == pytest.approx(logs[-1]["reconstruction"] + logs[-1]["penalty"],
                                             rel=1e-5)
    squared = contracted.jacobian_frobenius(held_out)
    assert metrics["jacobian_norm"] == pytest.approx(float(np.mean(np.sqrt(squared))), rel=1e-5)


def test_penalty_is_float32_under_mixed_precision():
    x = _inputs(4, size=16)
    try:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        keras.utils.set_random_seed(0)
        mixed = ContractiveAE(config=dict(DEEP, image_size=16))
        code, squared = mixed.code_and_jacobian_frobenius(x)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(0)
    full = ContractiveAE(config=dict(DEEP, image_size=16))
    assert squared.dtype == tf.float32 and code.dtype == tf.float32
    reference = full.jacobian_frobenius(x)
    np.testing.assert_allclose(squared.numpy(), reference, rtol=0.05)


@pytest.mark.parametrize("config", [SIGMOID, DEEP], ids=["closed_form", "autodiff"])
def test_two_replicas_match_one_device(config):
    assert_two_replicas_match_one_device(
        ContractiveAE, dict(config, contractive_lambda=0.5, learning_rate=1e-2),
        digit_batches(32, 3, image_size=8))


@pytest.mark.parametrize("preset", ["sigmoid", "deep"])
def test_trainer_export_reload_and_onnx_parity(preset, tmp_path):
    plan = plan_lib.resolve_plan("contractive-ae", preset=preset, overrides={"image_size": "16"},
                                out_dir=str(tmp_path / "run"), steps=3, batch_size=32)
    result = trainer.train(plan, verbose=0)
    assert {"val_jacobian_norm", "penalty", "jacobian_norm"} <= set(result.history[-1])
    code_dim = plan.config["code_dim"]
    export = export_run(plan.out_dir, tmp_path / "exports")
    signatures = read_signatures(export.path)
    assert set(signatures) == {"serving_default", "encode", "decode", "decode_stochastic"}
    assert signatures["encode"]["outputs"]["code"]["shape"] == [None, code_dim]
    assert signatures["serving_default"]["outputs"]["reconstruction"]["shape"] == [None, 16, 16, 1]

    model, _ = runs.load_trained_model(plan.out_dir)
    x = _inputs(3, size=16)
    loaded = tf.saved_model.load(str(export.path))
    code = loaded.signatures["encode"](x=x)["code"].numpy()
    np.testing.assert_allclose(code, model.encode(x), atol=1e-5)
    assert np.all((code > 0) & (code < 1))  # sigmoid code
    for signature, feeds in {"serving_default": {"x": x}, "encode": {"x": x},
                             "decode": {"code": code}}.items():
        tf_out = {k: v.numpy() for k, v in loaded.signatures[signature](**feeds).items()}
        onnx_out = run_onnx(export.onnx_files[signature], feeds)
        for key in tf_out:
            assert np.max(np.abs(onnx_out[key] - tf_out[key])) <= 1e-4, (signature, key)
