"""The run directory (DESIGN.md section 1) and the one way genzoo writes a file.

A run directory is what a user keeps::

    runs/<name>/config.json           resolved model config + training settings + versions
    runs/<name>/checkpoints/          full training state (tf.train.CheckpointManager)
    runs/<name>/logs/                 TensorBoard
    runs/<name>/samples/              PNG grids, one per epoch, from a fixed latent batch
    runs/<name>/history.csv           one row per epoch
    runs/<name>/data_statistics.json  a tabular run's standardization and label values
    runs/<name>/loss_curves.png

Every file genzoo writes (here, in exports, caches and benchmarks) goes through
:func:`atomic_write`: written beside its final name, then renamed over it, so a reader
never sees half a file and a killed process leaves the previous one intact.

This module sits below every layer that reads runs (training, metrics, export,
commands). It imports TensorFlow only inside the functions that restore checkpoints,
so the CLI can reject a bad request in one line before paying for the import; models
are built through the registry, which imports a model's module only when asked.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import pathlib
import re
import shutil
import sys
import tempfile
from typing import Any, Iterator

from keras_genzoo import registry
from keras_genzoo.errors import GenzooError

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
HISTORY_FILE = "history.csv"
SAMPLES_DIR = "samples"
LOGS_DIR = "logs"
LOSS_CURVES_FILE = "loss_curves.png"
DATA_STATISTICS_FILE = "data_statistics.json"


# ------------------------------------------------------------------ writing files
@contextlib.contextmanager
def atomic_write(path, *, binary: bool = False, newline: str | None = None,
                 permissions: int = 0o644) -> Iterator[Any]:
    """Open a temporary file beside ``path``; on a clean exit rename it over ``path``.

    ``permissions`` replaces mkstemp's private 0600, so that a shared cache or an
    export stays readable by others (TF Serving often runs as another user). On any
    error the temporary file is removed and ``path`` is left as it was.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding, newline=newline) as stream:
            yield stream
        os.chmod(temporary, permissions)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text(path, text: str) -> pathlib.Path:
    """``text`` into ``path`` through :func:`atomic_write`."""
    with atomic_write(path) as stream:
        stream.write(text)
    return pathlib.Path(path)


def write_json(path, data: Any) -> pathlib.Path:
    """``data`` as indented strict JSON (no NaN) into ``path``, atomically."""
    return write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def check_writable(directory, *, error=GenzooError, what: str = "") -> None:
    """Fail early (one line, ``error``) when ``directory`` could not be created or written.

    Permission bits say little when running as root, so this really writes a
    temporary file into the nearest existing ancestor, then removes it. ``what``
    names the directory's role in the message ("export directory ").
    """
    directory = pathlib.Path(directory).absolute()
    ancestor = directory
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise error(f"cannot create {what}{directory}: {ancestor} is not a directory")
    try:
        handle, probe = tempfile.mkstemp(dir=ancestor, prefix=".genzoo-write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError as failure:
        raise error(f"cannot write to {what}{directory}: {failure.strerror or failure}") from None


# ------------------------------------------------------------------ one process per directory
#: the lock files of a run directory, an export root and an eval.json's directory
TRAIN_LOCK, EXPORT_LOCK, EVAL_LOCK = ".genzoo-train.lock", ".genzoo-export.lock", ".genzoo-eval.lock"


@contextlib.contextmanager
def directory_lock(directory, lock_name: str, *, what: str) -> Iterator[pathlib.Path]:
    """Hold an exclusive OS lock on ``directory/lock_name`` for the ``with`` block.

    ``flock`` locks belong to the open file: the kernel releases them when the
    process ends, however it ends (kill -9 included), so a lock is never stale
    and nothing needs cleaning up. A second holder (another process, or a second
    open in this one) gets a one-line :class:`GenzooError` naming the holder's
    pid, which the lock file holds. ``what`` names the work ("training", "an
    export"). Creates ``directory`` if needed (callers lock just before writing).
    """
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / lock_name
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as failure:
        raise GenzooError(f"cannot lock {directory}: {failure.strerror or failure}") from None
    try:
        if not _try_lock(handle):
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "unknown"
            raise GenzooError(
                f"{directory} is in use by another genzoo process (pid {holder}, {what}); "
                "wait for it to finish or choose another directory")
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(handle)  # releases the lock


def _try_lock(handle: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock, also released when the process ends
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


# ------------------------------------------------------------------ config.json
def is_run_dir(path) -> bool:
    return (pathlib.Path(path) / CONFIG_FILE).is_file()


def read_run_config(run_dir) -> dict[str, Any]:
    path = pathlib.Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise GenzooError(f"not a genzoo run directory (no {CONFIG_FILE}): {run_dir}")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise GenzooError(f"corrupt {path}: {error.msg}") from None


def write_run_config(run_dir, data: dict[str, Any]) -> None:
    write_json(pathlib.Path(run_dir) / CONFIG_FILE, data)


def write_data_statistics(run_dir, statistics: dict[str, Any]) -> None:
    """A tabular source's standardization, feature names and label values."""
    write_json(pathlib.Path(run_dir) / DATA_STATISTICS_FILE, statistics)


def read_data_statistics(run_dir) -> dict[str, Any]:
    path = pathlib.Path(run_dir) / DATA_STATISTICS_FILE
    if not path.is_file():
        raise GenzooError(f"{run_dir} has no {DATA_STATISTICS_FILE}; train it first")
    return json.loads(path.read_text())


# ------------------------------------------------------------------ history.csv
def read_history(run_dir) -> list[dict[str, str]]:
    path = pathlib.Path(run_dir) / HISTORY_FILE
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def write_history(run_dir, rows: list[dict]) -> pathlib.Path:
    """One row per epoch; the columns are the union of every row's (``--eval-every``
    adds some only every N epochs)."""
    path = pathlib.Path(run_dir) / HISTORY_FILE
    fields = list(dict.fromkeys(name for row in rows for name in row))
    with atomic_write(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


# ------------------------------------------------------------------ checkpoints
def latest_checkpoint(run_dir) -> str | None:
    import tensorflow as tf

    return tf.train.latest_checkpoint(str(pathlib.Path(run_dir) / CHECKPOINT_DIR))


def checkpoint_step(run_dir) -> int | None:
    """The step of a run's latest checkpoint (None without one)."""
    tail = (latest_checkpoint(run_dir) or "").rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def build_model(model_name: str, config: dict[str, Any]):
    """An unbuilt model of the registered class with the given hyper-parameters."""
    return registry.get(model_name).load_class()(config=dict(config))


def load_trained_model(run_dir):
    """Rebuild a run's model (float32) and restore its networks from the latest checkpoint.

    Returns ``(model, saved_config_json)``. A run without checkpoints is a
    one-line :class:`GenzooError`.
    """
    import keras
    import tensorflow as tf

    run_dir = pathlib.Path(run_dir)
    saved = read_run_config(run_dir)
    latest = latest_checkpoint(run_dir)
    if latest is None:
        raise GenzooError(f"run {run_dir} has no checkpoints yet; train it first")
    keras.mixed_precision.set_global_policy("float32")
    model = build_model(saved["model"], saved["config"])
    model.seed = int(saved.get("train", {}).get("seed", 0))
    model.build()  # one forward pass creates every variable the checkpoint restores
    model.before_restore(latest)
    tf.train.Checkpoint(**model.networks(), **model.state_variables()).restore(
        latest).expect_partial()
    return model, saved
