"""Shared pytest setup.

TensorFlow is configured once, before any test touches it: the host CPU is
split into two logical devices so that MirroredStrategy can be tested with two
replicas on a machine without GPUs (DESIGN.md section 4).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402


def _split_cpu_into_two_logical_devices():
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2
        )
    except RuntimeError:
        # Already initialised (e.g. a plugin touched TF first): tests that
        # need two replicas skip themselves when only one device exists.
        pass


_split_cpu_into_two_logical_devices()


@pytest.fixture
def tmp_run_dir(tmp_path):
    """A fresh directory for a run (tests never write into the repository)."""
    return tmp_path / "run"
