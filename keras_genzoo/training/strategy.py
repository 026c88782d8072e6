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
        read_tf_config()  # what is missing or wrong, in one line, before TF reads it
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


def read_tf_config() -> dict:
    """``TF_CONFIG`` parsed and checked: a cluster with workers as ``host:port``
    lists, and this process's task (type and index) inside it.

    TensorFlow's own errors for a bad TF_CONFIG surface late and deep in the
    collective set-up (or as a hang); this names what is missing first.
    """
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise GenzooError("--strategy multiworker needs TF_CONFIG in the environment, e.g. "
                          '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
                          '"task": {"type": "worker", "index": 0}}')
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise GenzooError(f"TF_CONFIG is not valid JSON ({error.msg} at character {error.pos})") \
            from None
    if not isinstance(config, dict):
        raise GenzooError("TF_CONFIG must be a JSON object with 'cluster' and 'task'")
    cluster, task = config.get("cluster"), config.get("task")
    if not isinstance(cluster, dict) or not cluster:
        raise GenzooError("TF_CONFIG has no 'cluster' (a mapping such as "
                          '{"worker": ["host1:port", "host2:port"]})')
    for job, addresses in cluster.items():
        if (not isinstance(addresses, list) or not addresses
                or not all(isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses)):
            raise GenzooError(f"TF_CONFIG cluster '{job}' must be a non-empty list of "
                              f"'host:port' strings, got {addresses!r}")
    if "worker" not in cluster and "chief" not in cluster:
        raise GenzooError("TF_CONFIG cluster has no 'worker' (or 'chief') list")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise GenzooError("TF_CONFIG has no 'task' with 'type' and 'index' (which of the "
                          "cluster's processes this one is)")
    task_type, index = task["type"], task["index"]
    if task_type not in cluster:
        raise GenzooError(f"TF_CONFIG task type '{task_type}' is not in the cluster "
                          f"(jobs: {', '.join(cluster)})")
    if not isinstance(index, int) or not 0 <= index < len(cluster[task_type]):
        raise GenzooError(f"TF_CONFIG task index {index!r} is out of range: the cluster's "
                          f"'{task_type}' list has {len(cluster[task_type])} entr{'y' if len(cluster[task_type]) == 1 else 'ies'}")
    return config


def is_chief_task(config: dict | None) -> bool:
    """Whether the process described by a TF_CONFIG dict is the chief: the
    ``chief`` task, or worker 0 of a cluster without one. No TF_CONFIG: True."""
    if not config:
        return True
    task_type, index = config["task"]["type"], config["task"]["index"]
    if task_type == "chief":
        return True
    return task_type == "worker" and index == 0 and "chief" not in config["cluster"]


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Only the chief writes checkpoints, samples, logs and exports (DESIGN.md 4.5)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    return is_chief_task(json.loads(os.environ.get("TF_CONFIG") or "{}"))


def describe(strategy: tf.distribute.Strategy) -> str:
    """E.g. "MirroredStrategy, 2 replicas", "default strategy, 1 replica" or
    "MultiWorkerMirroredStrategy, 4 replicas on 2 workers (this one: worker 1)"."""
    replicas = strategy.num_replicas_in_sync
    count = f"{replicas} replica{'s' if replicas != 1 else ''}"
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        # TF's class is CollectiveAllReduceStrategy; say what the user asked for
        config = json.loads(os.environ.get("TF_CONFIG") or "{}")
        workers = sum(len(v) for k, v in config.get("cluster", {}).items() if k in ("chief", "worker"))
        task = config.get("task", {})
        return (f"MultiWorkerMirroredStrategy, {count} on {workers} workers (this one: "
                f"{task.get('type')} {task.get('index')}"
                f"{', the chief' if is_chief_task(config) else ''})")
    name = type(strategy).__name__
    return f"{'default strategy' if name == '_DefaultDistributionStrategy' else name}, {count}"


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
