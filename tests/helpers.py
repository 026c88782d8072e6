"""Helpers shared by the tests: tiny configs and short training runs."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

#: DCGAN small enough for a CPU test: 16x16 images, 8 base filters
TINY_DCGAN = {"image_size": 16, "channels": 1, "base_filters": 8, "latent_dim": 16}
TINY_AE = {"image_size": 16, "channels": 1, "filters": 8, "code_dim": 8}

#: The environment of a child process whose runs must agree to the last bit with each
#: other (resume and kill tests): TensorFlow on one thread, without its oneDNN kernels.
#: With its defaults, now and then one step of a run rounds a value differently from
#: another run's (a small ProGAN: about 1 run in 50, docs/benchmarks.md section run-to-run), and
#: a GAN's optimizer amplifies that last bit within steps. Both suspects are taken out:
#: the order in which threads finish, and oneDNN's choices among its kernels.
REPRODUCIBLE_TF_ENV = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_NUM_INTRAOP_THREADS": "1",
                       "TF_NUM_INTEROP_THREADS": "1"}


def digit_batches(batch_size: int, count: int, image_size: int = 16, seed: int = 0):
    """``count`` fixed batches of real digits as ``(images, labels)`` numpy pairs."""
    from keras_genzoo.data import open_source

    source = open_source("digits", image_size=image_size, channels=1)
    batches, epoch = [], 0
    while len(batches) < count:
        for images, labels in source.batches(batch_size, seed=seed, epoch=epoch):
            batches.append((images.numpy(), labels.numpy()))
        epoch += 1
    return batches[:count]


def train_steps(model, batches, strategy=None):
    """Run ``model.train_step`` on each batch under ``strategy`` through the trainer's step."""
    from keras_genzoo.training.trainer import make_train_function

    strategy = strategy or tf.distribute.get_strategy()
    step = make_train_function(model, strategy, xla=False)
    logs = []
    for images, labels in batches:
        dataset = tf.data.Dataset.from_tensors((images, labels))
        for batch in strategy.experimental_distribute_dataset(dataset):
            logs.append({k: float(v) for k, v in step(batch).items()})
    return logs


def weights_of(network) -> list[np.ndarray]:
    return [np.array(v) for v in network.weights]


def require_two_logical_cpus():
    """Fail (never skip) when tests/conftest.py could not split the CPU in two."""
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        import pytest

        pytest.fail("needs two logical CPU devices, but TensorFlow was initialised before "
                    "tests/conftest.py could split the CPU; run pytest from the repository root")
    return devices


def two_replica_strategy():
    devices = require_two_logical_cpus()
    from keras_genzoo.training.strategy import make_strategy

    strategy = make_strategy("mirrored")
    assert strategy.num_replicas_in_sync == len(devices)
    return strategy


def trained_under(model_class, config, strategy, batches, *, model_seed: int = 7):
    """Build ``model_class(config)`` in ``strategy``'s scope with fixed initial
    weights, train it on ``batches``; returns ``(model, logs)``."""
    import keras

    keras.utils.set_random_seed(42)  # identical initial weights for every strategy
    with strategy.scope():
        model = model_class(config=dict(config))
        model.seed = model_seed
        model.compile()
        model.prepare()
    return model, train_steps(model, batches, strategy)


#: logs that legitimately depend on the replica count: a GAN's g_grad_norm is
#: the replicas' mean gradient norm times N, an upper bound of the full norm
REPLICA_DEPENDENT_LOGS = ("g_grad_norm",)


def assert_two_replicas_match_one_device(model_class, config, batches, *, rel=1e-3, abs_=1e-4):
    """DESIGN.md 4: for the same global batch, two replicas train exactly like one device."""
    import pytest

    single, single_logs = trained_under(model_class, config, tf.distribute.get_strategy(), batches)
    double, double_logs = trained_under(model_class, config, two_replica_strategy(), batches)
    assert single.steps_taken() == double.steps_taken() == len(batches)
    for role, network in single.networks().items():
        for a, b in zip(weights_of(network), weights_of(double.networks()[role])):
            np.testing.assert_allclose(a, b, atol=2e-5, rtol=1e-4, err_msg=role)
    for a, b in zip(single_logs, double_logs):
        for key in set(a) - set(REPLICA_DEPENDENT_LOGS):
            assert a[key] == pytest.approx(b[key], rel=rel, abs=abs_), key
    return single, double


def tiny_model(name: str, **overrides):
    """``name``'s model from its default preset, its tiny config (``ModelSpec.tiny``) and
    ``overrides``, seeded: what the cross-model contract tests build."""
    import keras

    from keras_genzoo import config as config_lib
    from keras_genzoo import registry

    spec = registry.get(name)
    model_class = spec.load_class()
    _, preset = spec.preset(None)
    config = config_lib.build_config(model_class.config_class, preset.config, spec.tiny,
                                     overrides)
    keras.utils.set_random_seed(0)
    return model_class(config)
