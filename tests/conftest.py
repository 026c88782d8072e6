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
        # Already initialised (e.g. a plugin touched TF first). The distribution
        # tests then fail with this reason (tests/helpers.py): they are required
        # behaviour, not optional, so they must not pass by skipping.
        pass


_split_cpu_into_two_logical_devices()


@pytest.fixture
def tmp_run_dir(tmp_path):
    """A fresh directory for a run (tests never write into the repository)."""
    return tmp_path / "run"


@pytest.fixture(autouse=True)
def _no_network_beyond_loopback(monkeypatch):
    """Tests never need the network (DESIGN.md 6): refuse any non-loopback connection."""
    import socket

    original_connect = socket.socket.connect

    def guarded_connect(sock, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or "/" in host
        ):
            raise OSError(f"tests may not connect to {host}")
        return original_connect(sock, address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
