"""Choosing a ``tf.distribute`` strategy and the precision policy (DESIGN.md 4)."""

from __future__ import annotations

import json
import os

import tensorflow as tf

from keras_genzoo.errors import GenzooError

STRATEGIES = ("default", "mirrored", "multiworker", "auto", "tpu")


def make_strategy(name: str) -> tf.distribute.Strategy:
    """``default`` (one device), ``mirrored`` (all local GPUs, else all logical
    CPUs), ``multiworker`` (from ``TF_CONFIG``), ``tpu`` or ``auto`` (mirrored
    over the GPUs when there are several, otherwise the default strategy)."""
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "auto":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        if gpus:
            return tf.distribute.MirroredStrategy(devices=[d.name for d in gpus])
        # CPU-only: replicas on the logical CPUs. The default collective
        # all-reduce can launch synchronized-BatchNorm and gradient reductions in
        # a different order on each replica ("Shape mismatch in the collective
        # instance"); reducing through one device has no such ordering.
        return tf.distribute.MirroredStrategy(
            devices=[d.name for d in tf.config.list_logical_devices("CPU")],
            cross_device_ops=tf.distribute.ReductionToOneDevice(),
        )
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise GenzooError("--strategy multiworker needs TF_CONFIG (cluster and task) in the environment")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError, RuntimeError) as error:
            raise GenzooError(f"--strategy tpu: no TPU found ({str(error).splitlines()[0]})") from None
        return tf.distribute.TPUStrategy(resolver)
    raise GenzooError(f"unknown strategy '{name}'; valid: {', '.join(STRATEGIES)}")


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Only the chief writes checkpoints, samples, logs and exports (DESIGN.md 4.5)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type in (None, "chief"):
        return True
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return task_type == "worker" and task_id == 0 and "chief" not in cluster


def describe(strategy: tf.distribute.Strategy) -> str:
    """E.g. "MirroredStrategy, 2 replicas" or "default strategy, 1 replica"."""
    replicas = strategy.num_replicas_in_sync
    name = type(strategy).__name__
    if name == "_DefaultDistributionStrategy":
        name = "default strategy"
    return f"{name}, {replicas} replica{'s' if replicas != 1 else ''}"


def set_precision(mixed_precision: bool) -> str:
    """Set Keras' global dtype policy; returns its name.

    float16 needs loss scaling and is fast on GPUs; CPU-only machines and
    TPUs get bfloat16, which has float32's exponent range.
    """
    import keras

    if not mixed_precision:
        policy = "float32"
    elif tf.config.list_physical_devices("GPU"):
        policy = "mixed_float16"
    else:
        policy = "mixed_bfloat16"
    keras.mixed_precision.set_global_policy(policy)
    return policy
