"""What every data source shares: the cache folder, the batch-size check, the seeded
shuffle -> batch -> prefetch pipeline, and the offline probe.

A leaf of :mod:`keras_genzoo.data`: the sources (images, 2-D points, tabular domains)
import it, it imports none of them. TensorFlow is imported only by the function that
builds a pipeline, so the dataset catalog (``genzoo list``) stays free of it.
"""

import hashlib
import os
import pathlib
import socket
import threading

import numpy as np

from keras_genzoo.errors import DataError

MAX_SHUFFLE_BUFFER = 10_000


def cache_root() -> pathlib.Path:
    """genzoo's cache folder: ``$GENZOO_CACHE``, else ``~/.cache/keras_genzoo``."""
    return pathlib.Path(os.environ.get("GENZOO_CACHE")
                        or os.path.join(os.path.expanduser("~"), ".cache", "keras_genzoo"))


def check_batch_size(batch_size, num_examples, *, name, split, unit="images"):
    """``batch_size`` as an int, or DataError when it is not a positive
    integer or exceeds the split (shared by every source type)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise DataError(f"batch size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    if batch_size > num_examples:
        raise DataError(
            f"batch size {batch_size} is larger than the dataset "
            f"({name}, {split}: {num_examples} {unit})"
        )
    return batch_size


def batch_pipeline(elements, batch_size, *, num_examples, epoch, seed, shuffle,
                   drop_remainder):
    """shuffle (seeded by ``(seed, epoch)``, same order on every rebuild) ->
    batch -> prefetch over cached ``elements``; shared by every source type."""
    import tensorflow as tf

    ds = elements
    if shuffle:
        ds = ds.shuffle(
            buffer_size=max(1, min(num_examples, MAX_SHUFFLE_BUFFER)),
            seed=shuffle_seed(seed, epoch),
            reshuffle_each_iteration=False,
        )
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def shuffle_seed(seed, epoch):
    """A 31-bit shuffle seed that is a fixed function of ``(seed, epoch)``."""
    state = np.random.SeedSequence([int(seed) % 2**63, int(epoch) % 2**63])
    return int(state.generate_state(1, dtype=np.uint32)[0] & 0x7FFFFFFF)


def network_reachable(hosts, timeout=3.0):
    """True if a TCP connection to any of ``hosts`` opens within ``timeout``.

    Offline, tfds' downloader retries each URL with exponential backoff for
    minutes before it gives up; this probe fails in seconds instead. It runs
    in a daemon thread because name resolution has no timeout of its own.
    """
    reached = threading.Event()

    def probe():
        for host, port in hosts:
            try:
                socket.create_connection((host, port), timeout=timeout).close()
                reached.set()
                return
            except OSError:
                continue

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout * len(hosts) + 1.0)  # returns early when every host failed fast
    return reached.is_set()


def keras_cache_dir() -> pathlib.Path:
    """Where ``keras.utils.get_file`` keeps downloaded weights (``$KERAS_HOME/models``,
    default ``~/.keras/models``): the second place pretrained weights are looked for,
    after an explicit path, and before a download."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return pathlib.Path(home) / "models"


def file_sha256(path) -> str:
    """The SHA-256 of a file (pretrained weights): what a run records so that a later load
    can tell the file it trained with from another one at the same path."""
    digest = hashlib.sha256()
    with open(pathlib.Path(path).expanduser(), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
