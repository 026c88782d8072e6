"""The run directory (DESIGN.md section 1) and the one way genzoo writes a file.

A run directory is what a user keeps::

    runs/<name>/config.json           resolved model config + training settings + versions
    runs/<name>/checkpoints/          full training state (tf.train.CheckpointManager)
    runs/<name>/logs/                 TensorBoard
    runs/<name>/samples/              PNG grids, one per epoch, from a fixed latent batch
    runs/<name>/history.csv           one row per epoch
    runs/<name>/data_statistics.json  a tabular run's standardization and label values
    runs/<name>/loss_curves.png
    runs/<name>/diagnostics.png       a GAN's dominance diagnostics against the step

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
DIAGNOSTICS_FILE = "diagnostics.png"
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
    process ends, however it ends (kill -9 included), so a lock is never stale.
    A second holder (another process, or a second open in this one) gets a one-line
    :class:`GenzooError` naming the holder's pid, which the lock file holds. ``what``
    names the work ("training", "an export"). Creates ``directory`` if needed
    (callers lock just before writing).

    The lock file is removed on release, so a command leaves none behind (a killed
    one does; the next holder reuses it). Removing it is safe because a holder checks,
    once locked, that the path still names the file it locked, and starts over if a
    releasing holder removed it in between.
    """
    directory = pathlib.Path(directory)
    path = directory / lock_name
    while True:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as failure:
            raise GenzooError(f"cannot lock {directory}: {failure.strerror or failure}") \
                from None
        if not _try_lock(handle):
            holder = _read_pid(handle)
            os.close(handle)
            raise GenzooError(
                f"{directory} is in use by another genzoo process (pid {holder}, {what}); "
                "wait for it to finish or choose another directory")
        try:
            same_file = os.path.samestat(os.fstat(handle), os.stat(path))
        except FileNotFoundError:
            same_file = False
        if same_file:
            break
        os.close(handle)  # a releasing holder removed it after we opened it: again
    try:
        try:
            os.lseek(handle, _PID_OFFSET, os.SEEK_SET)
            os.write(handle, f"{os.getpid():<20d}\n".encode())
        except OSError:
            pass  # the pid is a courtesy for the message; the lock itself is held
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(handle)  # releases the lock


#: where the holder's pid is written: past byte 0, which Windows locks (mandatory there)
_PID_OFFSET = 16


def _read_pid(handle: int) -> str:
    try:
        os.lseek(handle, _PID_OFFSET, os.SEEK_SET)
        return os.read(handle, 32).decode(errors="replace").strip() or "unknown"
    except OSError:
        return "unknown"


def _try_lock(handle: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock, also released when the process ends
        import msvcrt

        try:
            os.lseek(handle, 0, os.SEEK_SET)
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
        saved = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise GenzooError(f"corrupt {path}: {getattr(error, 'msg', None) or error.reason}") \
            from None
    except OSError as error:
        raise GenzooError(f"cannot read {path}: {error.strerror or error}") from None
    problem = _run_config_problem(saved)
    if problem:
        raise GenzooError(f"corrupt {path}: {problem}")
    return saved


def _run_config_problem(saved: Any) -> str | None:
    """What makes a parsed config.json unusable (None: nothing)."""
    if not isinstance(saved, dict):
        return f"expected a JSON object, got {type(saved).__name__}"
    if not isinstance(saved.get("model"), str):
        return "no model name ('model')"
    if registry.canonical_name(saved["model"]) not in registry.names():
        return f"unknown model '{saved['model']}'"
    for key, required in (("config", True), ("train", False)):
        if (required or key in saved) and not isinstance(saved.get(key), dict):
            return f"'{key}' must be a JSON object"
    return None


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
_CHECKPOINT_NAME = re.compile(r"^ckpt-(\d+)\.index$")


@dataclasses.dataclass
class CheckpointChoice:
    """The newest intact checkpoint of a run, and the newer ones that had to be skipped."""

    #: checkpoint prefix (``.../checkpoints/ckpt-N``), None when no checkpoint is intact
    path: str | None
    #: ``(prefix, reason)`` of every newer checkpoint that is missing, truncated,
    #: unreadable or holds a NaN/Inf value
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def step(self) -> int | None:
        return checkpoint_number(self.path) if self.path else None

    def damage(self) -> str:
        """What is wrong with each skipped checkpoint, in one line."""
        return "; ".join(f"{pathlib.Path(prefix).name} {reason}" for prefix, reason in self.skipped)

    def note(self) -> str | None:
        """One line for the user when a damaged checkpoint was passed over for an intact
        one (None when none was, or when none is intact: that is an error of its own)."""
        if not self.skipped or not self.path:
            return None
        return (f"genzoo: warning: skipped damaged checkpoint(s): {self.damage()}; "
                f"using {pathlib.Path(self.path).name}")

    def require(self, run_dir, *, action: str = "train it first") -> str:
        """The intact checkpoint's prefix, or a one-line :class:`GenzooError`."""
        if self.path:
            return self.path
        if self.skipped:
            raise GenzooError(f"run {run_dir} has no intact checkpoint ({self.damage()}); "
                              "train again in a new directory")
        raise GenzooError(f"run {run_dir} has no checkpoints yet; {action}")


def checkpoint_number(prefix: str) -> int | None:
    tail = str(prefix).rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def find_checkpoint(run_dir) -> CheckpointChoice:
    """The newest checkpoint of ``run_dir`` that can really be restored.

    A kill, a full disk or a user's mistake can leave the newest checkpoint
    missing (the ``checkpoint`` index names files that are gone), truncated or
    unreadable; every tensor of each candidate is read, newest first, until one
    reads whole and holds only finite floats. TensorFlow's own
    ``latest_checkpoint`` trusts the index file and would hand back the damaged one.
    """
    directory = pathlib.Path(run_dir) / CHECKPOINT_DIR
    numbers: set[int] = set()
    if directory.is_dir():
        for entry in directory.iterdir():
            match = _CHECKPOINT_NAME.match(entry.name)
            if match:
                numbers.add(int(match.group(1)))
        for prefix in _indexed_checkpoints(directory):
            number = checkpoint_number(prefix)
            if number is not None:
                numbers.add(number)
    skipped = []
    for number in sorted(numbers, reverse=True):
        prefix = str(directory / f"ckpt-{number}")
        problem = checkpoint_problem(prefix)
        if problem is None:
            return CheckpointChoice(prefix, skipped)
        skipped.append((prefix, problem))
    return CheckpointChoice(None, skipped)


_INDEX_ENTRY = re.compile(r'^all_model_checkpoint_paths:\s*"(.*)"\s*$', re.MULTILINE)


def _indexed_checkpoints(directory: pathlib.Path) -> list[str]:
    """The checkpoints TensorFlow's ``checkpoint`` index file lists, read leniently: an
    empty or garbled index (a power cut, a truncated copy) lists none, where
    ``tf.train.get_checkpoint_state`` would raise or log warnings."""
    try:
        text = (directory / "checkpoint").read_text(errors="replace")
    except OSError:
        return []
    return _INDEX_ENTRY.findall(text)


_INDEX_LINE = re.compile(r"^(model_checkpoint_path|all_model_checkpoint_paths|"
                         r"all_model_checkpoint_timestamps|last_preserved_timestamp):\s*\S")


def indexed_checkpoints_readable(run_dir) -> bool:
    """False when the ``checkpoint`` index file is empty or garbled (TensorFlow's
    ``CheckpointManager`` would raise or log on it)."""
    try:
        lines = (pathlib.Path(run_dir) / CHECKPOINT_DIR / "checkpoint").read_text(
            errors="replace").splitlines()
    except OSError:
        return False
    lines = [line for line in lines if line.strip()]
    return bool(lines) and lines[0].startswith("model_checkpoint_path:") and all(
        _INDEX_LINE.match(line) for line in lines)


def checkpoint_problem(prefix: str) -> str | None:
    """Why the checkpoint at ``prefix`` cannot be used (None: it is intact and finite)."""
    import numpy as np
    import tensorflow as tf

    if not pathlib.Path(prefix + ".index").is_file():
        return "is missing"
    try:
        reader = tf.train.load_checkpoint(prefix)
        dtypes = reader.get_variable_to_dtype_map()
        for name, dtype in dtypes.items():
            value = reader.get_tensor(name)
            # the epoch's running means are bookkeeping, not the model
            if (dtype.is_floating and not name.startswith("epoch_state/")
                    and not np.all(np.isfinite(value))):
                return f"holds non-finite values ({name})"
    except Exception as failure:  # noqa: BLE001 - the reader raises IndexError, OpError ...
        reason = (str(getattr(failure, "message", "") or failure).strip().splitlines()
                  or [type(failure).__name__])[0]
        return f"is unreadable ({reason[:120]})"
    return None


def checkpoint_step(run_dir) -> int | None:
    """The step of a run's newest intact checkpoint (None without one)."""
    return find_checkpoint(run_dir).step


def set_aside_checkpoints(run_dir, prefixes) -> pathlib.Path | None:
    """Move the files of the (damaged) checkpoints at ``prefixes`` into
    ``checkpoints/damaged/`` and rewrite the ``checkpoint`` index from the intact ones
    that remain, so that TensorFlow never hands a damaged one back as the latest (and a
    garbled index does not stop ``CheckpointManager``). Moved, not deleted: a read can
    fail for a passing reason (a network file system), and the user decides. Call it
    only while holding the run's lock. Returns the folder they went to."""
    import tensorflow as tf

    directory = pathlib.Path(run_dir) / CHECKPOINT_DIR
    aside = directory / "damaged"
    doomed = {pathlib.Path(prefix).name for prefix in prefixes}
    for name in doomed:
        for path in directory.glob(f"{name}.*"):
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
    # names relative to the directory, as TensorFlow writes them: the run stays movable
    kept = sorted((entry.name[:-len(".index")] for entry in directory.glob("ckpt-*.index")
                   if _CHECKPOINT_NAME.match(entry.name)), key=checkpoint_number)
    if kept:
        tf.compat.v1.train.update_checkpoint_state(str(directory), kept[-1], kept)
    else:
        with contextlib.suppress(OSError):
            (directory / "checkpoint").unlink()
    return aside if doomed else None


def foreign_entries(directory) -> list[pathlib.Path]:
    """What ``directory`` holds besides genzoo's lock files and half-written temporary
    files (what a process killed before writing ``config.json`` leaves)."""
    return [entry for entry in pathlib.Path(directory).iterdir()
            if entry.name not in (TRAIN_LOCK, EXPORT_LOCK, EVAL_LOCK)
            and not (entry.name.startswith(".") and entry.name.endswith(".tmp"))]


def remove_leftovers(run_dir) -> list[pathlib.Path]:
    """Remove what a killed training process left half-written in ``run_dir``:
    TensorFlow's ``checkpoints/ckpt-N_temp/`` directories and the ``.NAME.*.tmp`` files
    of :func:`atomic_write` for the files training writes. Call it only while holding
    the run's train lock (no other training process is writing)."""
    run_dir = pathlib.Path(run_dir)
    removed = []
    # only what training itself writes: other commands (eval's eval.json, a sample or
    # an export written into the run directory) run under other locks
    for pattern in (f"{CHECKPOINT_DIR}/*_temp", f".{CONFIG_FILE}.*.tmp",
                    f".{HISTORY_FILE}.*.tmp", f".{DATA_STATISTICS_FILE}.*.tmp",
                    f".{LOSS_CURVES_FILE}.*.tmp", f".{DIAGNOSTICS_FILE}.*.tmp",
                    f"{SAMPLES_DIR}/.*.tmp"):
        for path in run_dir.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
            removed.append(path)
    return removed


def build_model(model_name: str, config: dict[str, Any]):
    """An unbuilt model of the registered class with the given hyper-parameters."""
    return registry.get(model_name).load_class()(config=dict(config))


def load_trained_model(run_dir, *, report=None):
    """Rebuild a run's model (float32) and restore its networks from the newest intact
    checkpoint (:func:`find_checkpoint`).

    Returns ``(model, saved_config_json)``; ``model.checkpoint_path`` is the checkpoint
    used. A skipped damaged checkpoint is reported in one line (``report``, default:
    stderr). A run without an intact checkpoint, or whose model's output on a fixed probe
    batch is not finite, is a one-line :class:`GenzooError`.
    """
    import keras
    import tensorflow as tf

    run_dir = pathlib.Path(run_dir)
    saved = read_run_config(run_dir)
    choice = find_checkpoint(run_dir)
    choice.require(run_dir)
    keras.mixed_precision.set_global_policy("float32")
    model = build_model(saved["model"], saved["config"])
    model.seed = int(saved.get("train", {}).get("seed", 0))
    model.build()  # one forward pass creates every variable the checkpoint restores
    model.before_restore(choice.path)
    try:
        tf.train.Checkpoint(**model.networks(), **model.state_variables()).restore(
            choice.path).expect_partial()
    except (tf.errors.OpError, ValueError, AssertionError) as failure:
        reason = (str(getattr(failure, "message", "") or failure).strip().splitlines() or [""])[0]
        raise GenzooError(f"cannot restore {choice.path}: {reason[:200]}") from None
    missing = missing_optional_state(model, choice.path)
    if missing:  # an older run's checkpoint: the model sets them from its statistics
        statistics = (read_data_statistics(run_dir)
                      if (run_dir / DATA_STATISTICS_FILE).is_file() else None)
        model.restore_missing_state(missing, statistics)
    model.checkpoint_path = choice.path
    if not model.outputs_are_finite():
        raise GenzooError(
            f"the model of {choice.path} gives NaN or Inf on a fixed probe batch: the run "
            "diverged before this checkpoint; train again with a lower learning rate")
    if choice.note():  # after the checks, so that a failure stays one line
        (report or _warn)(choice.note())
    return model, saved


def missing_optional_state(model, checkpoint_path: str) -> list[str]:
    """The model's optional state variables (``state_variables_optional``) that the
    checkpoint at ``checkpoint_path`` does not hold (it predates them)."""
    import tensorflow as tf

    names = list(model.state_variables_optional())
    if not names:
        return []
    reader = tf.train.load_checkpoint(checkpoint_path)
    return [name for name in names
            if not reader.has_tensor(f"{name}/.ATTRIBUTES/VARIABLE_VALUE")]


def _warn(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
