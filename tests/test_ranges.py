"""Ranges: every hyper-parameter and setting with a meaningful range is checked, with
a one-line ConfigError (docs/cli.md, "Ranges")."""

import dataclasses
import math

import pytest

from keras_genzoo import config as config_lib
from keras_genzoo import registry
from keras_genzoo.data import catalog
from keras_genzoo.errors import ConfigError, DataError
from keras_genzoo.training.plan import TrainSettings, draws_pictures

MODELS = registry.names()


def _config_class(name):
    return registry.get(name).load_class().config_class


def _keys(name, predicate):
    return [key for key, tp in config_lib.field_types(_config_class(name)).items()
            if predicate(key, tp)]


def _learning_rate(key, tp):
    return tp is float and (key.endswith("_lr") or key == "learning_rate"
                            or key.endswith("lr_multiplier"))


def _refused(name, key, value):
    with pytest.raises(ConfigError) as error:
        config_lib.build_config(_config_class(name), {key: value})
    message = str(error.value)
    assert "\n" not in message and key in message, message
    return message


@pytest.mark.parametrize("name", MODELS)
def test_every_float_key_refuses_nan_and_infinity(name):
    floats = _keys(name, lambda key, tp: tp is float)
    assert floats, f"{name} has no float key"
    for key in floats:
        for bad in ("nan", "inf", "-inf", "1e39", float("nan"), float("inf")):
            assert "finite number" in _refused(name, key, bad)


@pytest.mark.parametrize("name", MODELS)
def test_every_learning_rate_is_positive(name):
    rates = _keys(name, _learning_rate)
    assert rates, f"{name} has no learning rate"
    for key in rates:
        for bad in ("0", "-1", "-1e-4"):
            assert "positive" in _refused(name, key, bad)
        config_lib.build_config(_config_class(name), {key: "1e-3"})


@pytest.mark.parametrize("name", [n for n in MODELS
                                  if _keys(n, lambda key, tp: key.startswith("beta_"))])
def test_adam_betas_are_in_zero_one(name):
    for key in _keys(name, lambda key, tp: key.startswith("beta_")):
        for bad in ("1", "5", "-0.1"):
            assert "[0, 1)" in _refused(name, key, bad)
        for good in ("0", "0.5", "0.999"):
            config_lib.build_config(_config_class(name), {key: good})


@pytest.mark.parametrize("name", [n for n in MODELS if "adam_epsilon" in
                                  config_lib.field_types(_config_class(n))])
def test_adam_epsilon_is_positive(name):
    assert "positive" in _refused(name, "adam_epsilon", "0")
    assert "positive" in _refused(name, "adam_epsilon", "-1e-8")


@pytest.mark.parametrize("name", [n for n in MODELS if "image_size" in
                                  config_lib.field_types(_config_class(n))])
def test_image_size_and_integer_keys_are_bounded(name):
    assert "at most 4096" in _refused(name, "image_size", str(2 * config_lib.MAX_IMAGE_SIZE)) \
        or "power of two" in _refused(name, "image_size", str(2 * config_lib.MAX_IMAGE_SIZE))
    assert "up to 2147483647" in _refused(name, "image_size", str(2**31))


def test_critic_steps_stay_within_the_noise_streams():
    config_lib.build_config(_config_class("wgan"), {"d_steps": 1000})
    assert "at most 1000" in _refused("wgan", "d_steps", 1001)


def test_probabilities_and_weights():
    assert "[0, 1)" in _refused("gan", "dropout", "1")
    assert "[0, 1]" in _refused("stylegan", "style_mixing", "1.5")
    assert ">= 0" in _refused("dcgan", "r1_gamma", "-1")
    assert ">= 0" in _refused("radialgan", "data_cycle_weight", "-0.5")
    config_lib.build_config(_config_class("stylegan"), {"style_mixing": "1"})


# ------------------------------------------------------------------ the helpers
def test_coerce_refuses_non_finite_floats_everywhere():
    for bad in ("nan", "NaN", "inf", "-Infinity", float("nan"), 1e300):
        with pytest.raises(ConfigError, match="finite number"):
            config_lib.coerce("x", bad, float)
    assert config_lib.coerce("x", "1e-3", float) == 1e-3
    assert config_lib.coerce("x", "-3.4e38", float) == -3.4e38
    with pytest.raises(ConfigError, match="finite number"):
        config_lib.coerce("x", "nan", float | None)
    with pytest.raises(ConfigError):
        config_lib.coerce("x", "1,nan", tuple[float, ...])


def test_coerce_bounds_integers_only_when_asked():
    assert config_lib.coerce("seed", str(2**40), int) == 2**40
    with pytest.raises(ConfigError, match="up to 10"):
        config_lib.coerce("n", "11", int, max_int=10)
    with pytest.raises(ConfigError, match="up to 10"):
        config_lib.coerce("n", "-11", int, max_int=10)


def test_require_helpers_refuse_non_finite_values_given_directly():
    @dataclasses.dataclass
    class Config:
        rate: float = math.inf
        weight: float = math.inf
        width: int = 10**400

    with pytest.raises(ConfigError, match="rate must be positive"):
        config_lib.require_positive(Config(), "rate")
    with pytest.raises(ConfigError, match="weight must be >= 0"):
        config_lib.require_non_negative(Config(), "weight")
    config_lib.require_positive(Config(), "width")  # a huge int is no overflow here
    with pytest.raises(ConfigError, match=r"rate must be in \[0, 1\]"):
        config_lib.require_probability(Config(rate=1.5), "rate")


@pytest.mark.parametrize("value", [-1, 2**32, 1.5, "3", True, None])
def test_seeds_are_32_bit_non_negative_integers(value):
    with pytest.raises(ConfigError, match="--seed must be a non-negative integer up to "
                                          "4294967295"):
        config_lib.check_seed(value)


def test_seed_bounds_are_included():
    assert config_lib.check_seed(0) == 0
    assert config_lib.check_seed(2**32 - 1) == 2**32 - 1
    import numpy as np

    np.random.default_rng(config_lib.MAX_SEED)  # NumPy takes the largest seed
    np.random.seed(config_lib.MAX_SEED)


# ------------------------------------------------------------------ training settings
@pytest.mark.parametrize("changes, fragment", [
    ({"steps": config_lib.MAX_STEPS + 1}, "--steps"),
    ({"steps": 0}, "--steps"),
    ({"epochs": config_lib.MAX_EPOCHS + 1}, "--epochs"),
    ({"minutes": math.nan}, "--minutes"),
    ({"minutes": config_lib.MAX_MINUTES * 2}, "--minutes"),
    ({"batch_size": config_lib.MAX_BATCH_SIZE + 1}, "--batch-size"),
    ({"seed": -5}, "--seed"),
    ({"seed": 2**32}, "--seed"),
    ({"checkpoint_every": -1}, "--checkpoint-every"),
    ({"checkpoint_every": config_lib.MAX_STEPS + 1}, "--checkpoint-every"),
    ({"sample_every": 0}, "--sample-every"),
    ({"steps_per_execution": 0}, "--steps-per-execution"),
    ({"steps_per_execution": 10**9 + 1}, "--steps-per-execution"),
    ({"eval_every": config_lib.MAX_EPOCHS + 1}, "--eval-every"),
    ({"eval_every": 1, "eval_num": config_lib.MAX_EVAL_NUM + 1}, "--eval-num"),
    ({"eval_num": 50}, "--eval-num goes with --eval-every"),
    ({"eval_metrics": "fid"}, "--eval-metrics goes with --eval-every"),
    ({"eval_features": "random"}, "--eval-features goes with --eval-every"),
    ({"inception_weights": "w.h5"}, "--inception-weights goes with --eval-every"),
])
def test_train_settings_are_bounded(changes, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("-", r"\-")):
        TrainSettings(**{"epochs": 1, **changes}).validate()


def test_train_settings_at_their_bounds_are_accepted():
    TrainSettings(steps=config_lib.MAX_STEPS, seed=config_lib.MAX_SEED,
                  batch_size=config_lib.MAX_BATCH_SIZE, minutes=config_lib.MAX_MINUTES,
                  checkpoint_every=config_lib.MAX_STEPS, sample_every=config_lib.MAX_EPOCHS,
                  steps_per_execution=config_lib.MAX_STEPS, eval_every=config_lib.MAX_EPOCHS,
                  eval_num=config_lib.MAX_EVAL_NUM,
                  eval_metrics="fid", eval_features="random").validate()
    TrainSettings(epochs=config_lib.MAX_EPOCHS).validate()


# ------------------------------------------------------------------ flags that apply
def test_data_dirs_apply_to_tfds_sources_only():
    catalog.check_data_dirs("mnist", "d", "m")
    catalog.check_data_dirs("tfds:cifar10", data_dir="d")
    catalog.check_data_dirs("digits")
    for spec in ("digits", "folder:x", "toy2d:grid25", "domains:breast_cancer"):
        with pytest.raises(DataError, match="--data-dir applies"):
            catalog.check_data_dirs(spec, data_dir="d")
    with pytest.raises(DataError, match="--manual-dir applies"):
        catalog.check_data_dirs("idx:x", manual_dir="m")


def test_models_that_draw_pictures():
    drawing = {name for name in MODELS if draws_pictures(registry.get(name).load_class())}
    assert drawing == set(MODELS) - {"classifier", "radialgan"}


def test_evaluation_flags_that_do_not_apply_are_refused():
    from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator

    def evaluator(**settings):
        return Evaluator(EvalSettings(dataset="digits", **settings), image_size=16,
                         channels=1, generative=False, reconstructs=True)

    evaluator(metrics="recon")  # the defaults are fine
    for settings in ({"features": "random"}, {"inception_weights": "w.h5"},
                     {"cache_dir": "c"}):
        with pytest.raises(ConfigError, match="uses no image features"):
            evaluator(metrics="recon", **settings)
    with pytest.raises(ConfigError, match="--inception-weights goes with --features inception"):
        evaluator(metrics="fid", features="random", inception_weights="w.h5")
