"""SavedModel export in TF Serving's layout, models.config, and reading exports back.

An export is ``<base_dir>/<name>/<version>/`` (DESIGN.md section 5)::

    exports/
      models.config                 TF Serving ModelServerConfig listing every model
      dcgan/
        1/                          integer version dir: what TF Serving loads
          saved_model.pb
          variables/
          assets.extra/
            genzoo.json             metadata + signature names/dtypes/shapes + ONNX parity
            tf_serving_warmup_requests   one PredictionLog per signature (serving.py)
            onnx/serving_default.onnx

The version directory is built in a staging directory inside ``base_dir``
(same filesystem, so the final ``os.rename`` is atomic) and only renamed into
place once the SavedModel, the ONNX files and their parity checks are all
done: TF Serving, which polls ``base_path`` for integer directories, never
sees a half-written version, and a failed export leaves nothing behind.
One export at a time writes into a ``base_dir``: it holds the hidden
``runs.EXPORT_LOCK`` file's lock (an ``flock``, released by the kernel when
the process dies) and, under it, removes staging directories that killed
exports left behind. The lock file is removed when the export ends; one that a
killed export left is reused, and nothing lists it (it is hidden and not an integer
directory).

TensorFlow is imported inside the functions so that importing this module stays
cheap for the CLI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import pathlib
import re
import shutil
import tempfile
from typing import Any

import numpy as np

from keras_genzoo import runs
from keras_genzoo.errors import ExportError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export import serving

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
SIGNATURE_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
VERSION_PATTERN = re.compile(r"[0-9]+")

# TF Serving ignores ``assets.extra`` (it is the documented place for extra
# files such as warm-up requests) and its version scanner only looks at
# integer-named directories under base_path, so files placed here travel with
# the version they describe (copy one directory, get everything) without ever
# being mistaken for a model version or breaking the SavedModel loader.
EXTRA_DIR = "assets.extra"
METADATA_FILE = f"{EXTRA_DIR}/genzoo.json"
ONNX_DIR = f"{EXTRA_DIR}/onnx"

MODELS_CONFIG = "models.config"
#: a version is built in ``base_dir/.staging-<name>-XXXX`` and renamed into place
STAGING_PREFIX = ".staging-"
_ONNX_HINT = "run with --verbose for tf2onnx's log, or pass --no-onnx to skip ONNX"
SERVING_MOUNT = "/models"
PARITY_BATCH = 4
PARITY_SEED = 0


@dataclasses.dataclass
class ExportResult:
    """Where an export went and how its ONNX files compare with TensorFlow."""

    path: pathlib.Path
    name: str
    version: int
    onnx_files: dict[str, pathlib.Path] = dataclasses.field(default_factory=dict)
    onnx_max_abs_diff: dict[str, float] = dataclasses.field(default_factory=dict)
    #: the warmup file (None with ``warmup=False``)
    warmup_file: pathlib.Path | None = None
    #: the model's version policy in models.config, and the versions it serves
    version_policy: dict = dataclasses.field(default_factory=lambda: dict(serving.DEFAULT_POLICY))
    served_versions: list[int] = dataclasses.field(default_factory=list)


# ----------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------


def version_dirs(model_dir: pathlib.Path, *, require_saved_model: bool) -> dict[int, pathlib.Path]:
    """Integer-named subdirectories (TF Serving's notion of a version)."""
    versions: dict[int, pathlib.Path] = {}
    if not model_dir.is_dir():
        return versions
    for child in model_dir.iterdir():
        if not (child.is_dir() and VERSION_PATTERN.fullmatch(child.name)):
            continue
        if require_saved_model and not (child / "saved_model.pb").is_file():
            continue
        versions[int(child.name)] = child
    return versions


def _concrete_function(signature_name: str, fn):
    """A ConcreteFunction for a signature given as a tf.function or a ConcreteFunction."""
    import tensorflow as tf

    if isinstance(fn, tf.types.experimental.ConcreteFunction):
        return fn
    if getattr(fn, "input_signature", None) is None:
        raise TypeError(
            f"signature {signature_name!r} must be a tf.function with an input_signature "
            "(or a ConcreteFunction)"
        )
    return fn.get_concrete_function()


def _signature_specs(signature_name: str, concrete) -> tuple[list, dict]:
    """(named input TensorSpecs in call order, {output name: TensorSpec})."""
    import tensorflow as tf

    args, kwargs = concrete.structured_input_signature
    inputs = list(args) + [kwargs[key] for key in sorted(kwargs)]
    for spec in inputs:
        if not isinstance(spec, tf.TensorSpec) or not spec.name:
            raise TypeError(f"signature {signature_name!r} needs named TensorSpec inputs, got {spec!r}")
    outputs = concrete.structured_outputs
    if not isinstance(outputs, dict):
        raise TypeError(f"signature {signature_name!r} must return a dict of named outputs")
    return inputs, {key: tf.TensorSpec.from_tensor(value) for key, value in outputs.items()}


def random_inputs(specs, *, batch: int = PARITY_BATCH,
                  other_free: int | None = None) -> dict[str, np.ndarray]:
    """Deterministic parity inputs from TensorSpecs: ``batch`` for an unknown first
    dimension, ``other_free`` (default: ``batch``) for other unknown ones (an image's
    height and width).

    Latents ("z") are standard normal, other floats uniform in [0, 1] (images),
    integers alternate 0, 1, 0, 1 ... (labels, class ids: valid for any model
    with two or more classes, and two classes exercise the label path),
    booleans are False.
    """
    rng = np.random.default_rng(PARITY_SEED)
    inputs = {}
    for spec in specs:
        dims = spec.shape.as_list() if spec.shape.rank is not None else [None]
        free = batch if other_free is None else other_free
        shape = [dim if dim is not None else batch if i == 0 else free
                 for i, dim in enumerate(dims)]
        dtype = spec.dtype.as_numpy_dtype
        if spec.dtype.is_floating:
            values = rng.standard_normal(shape) if spec.name == "z" else rng.uniform(0.0, 1.0, shape)
            inputs[spec.name] = values.astype(dtype)
        elif spec.dtype.is_integer:
            inputs[spec.name] = (np.arange(int(np.prod(shape))) % 2).reshape(shape).astype(dtype)
        else:
            inputs[spec.name] = np.zeros(shape, dtype=dtype)
    return inputs


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _remove_quietly(path: pathlib.Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# ----------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------


def export_model(
    module,
    signatures: dict,
    *,
    base_dir: str | os.PathLike,
    name: str,
    version: int | None = None,
    metadata: dict | None = None,
    onnx: bool = True,
    opset: int = 17,
    onnx_tolerance: float = 1e-4,
    parity_inputs: dict[str, dict[str, np.ndarray]] | None = None,
    signature_tolerances: dict[str, float] | None = None,
    warmup: bool = True,
    version_policy: dict | str | None = None,
    verbose: bool = False,
) -> ExportResult:
    """Write ``module`` as ``base_dir/name/version/`` and refresh ``base_dir/models.config``.

    ``module`` is a ``tf.Module`` holding the functional sub-networks (so their
    variables are saved); ``signatures`` maps signature names to tf.functions
    with a named ``input_signature`` (or ConcreteFunctions) returning a dict of
    named outputs. Each signature of the reloaded SavedModel is run once on the
    parity inputs (``parity_inputs[signature]``, else :func:`random_inputs`):
    an output holding NaN or Inf (a diverged model) fails the export. With
    ``onnx=True`` each signature is also converted to
    ``assets.extra/onnx/<signature>.onnx`` and checked on the same inputs in
    onnxruntime; a difference ``|onnx - tf| / max(1, |tf|)`` above
    ``onnx_tolerance`` (``signature_tolerances[signature]`` where given: a model's
    ``export_onnx_tolerances``), or a NaN/Inf on the ONNX side only, fails the export.
    tf2onnx's log stays off the terminal unless ``verbose``.

    With ``warmup=True`` (needs ``tensorflow-serving-api``) the version gets TF
    Serving's warmup file, one ``PredictRequest`` per signature built from the
    check inputs (:func:`serving.warmup_requests`), replayed against the reloaded
    SavedModel before the version is published. ``version_policy`` (a dict, or
    ``--version-policy`` text: ``latest:N``, ``all``, ``specific:V,...``) is the
    model's ``model_version_policy`` in models.config; without it the model keeps
    the policy its highest version recorded (latest 1 for a new model).

    The version appears atomically or not at all. One export at a time writes
    into ``base_dir``: the export holds ``runs.directory_lock(base_dir,
    runs.EXPORT_LOCK)`` (a hidden lock file, removed after) from just before it
    creates anything until ``models.config`` is written; under it, staging
    directories that a killed export left behind are removed. Bad requests
    (name, version taken, opset, missing ONNX extra, unwritable directory) fail
    before anything, the lock file included, is created.
    """
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ExportError(
            f"invalid export name {name!r}: "
            "use letters, digits, '_', '.', '-' (starting with a letter or digit)"
        )
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
        raise ExportError(f"invalid version {version!r}: must be a non-negative integer")
    if not signatures:
        raise ValueError("export_model needs at least one signature")
    for signature_name in signatures:
        if not SIGNATURE_NAME_PATTERN.fullmatch(signature_name):
            raise ValueError(f"invalid signature name {signature_name!r}")
    parity_inputs = parity_inputs or {}
    unknown = sorted(set(parity_inputs) - set(signatures))
    if unknown:
        raise ValueError(f"parity_inputs for unknown signatures {unknown}")
    tolerances = {key: (signature_tolerances or {}).get(key, onnx_tolerance) for key in signatures}

    concretes = {key: _concrete_function(key, fn) for key, fn in signatures.items()}
    specs = {key: _signature_specs(key, concrete) for key, concrete in concretes.items()}
    inputs = {key: parity_feed(key, specs[key][0], parity_inputs.get(key)) for key in signatures}
    if onnx:
        # Fail on a missing extra or an opset tf2onnx cannot write before writing anything.
        onnx_export.require_onnx_extra()
        onnx_export.check_opset(opset)
    if warmup:
        serving.require_serving_api()
    if isinstance(version_policy, str):
        version_policy = serving.parse_version_policy(version_policy)

    base_dir = pathlib.Path(base_dir)
    runs.check_writable(base_dir, error=ExportError, what="export directory ")
    model_dir = base_dir / name
    if version is not None and _version_taken(model_dir, version):
        raise ExportError(f"{model_dir / str(version)} already exists; pick another --version")
    _check_specific_versions(version_policy, model_dir, version)
    try:
        base_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create export directory {base_dir}: {error.strerror or error}") from None

    with contextlib.ExitStack() as locked:
        try:
            locked.enter_context(runs.directory_lock(base_dir, runs.EXPORT_LOCK, what="an export"))
        except OSError as error:  # the lock file itself could not be written (disk full)
            raise ExportError(f"cannot lock export directory {base_dir}: {error.strerror or error}") from None
        remove_leftovers(base_dir)
        # Under the lock: versions exported since the check above count.
        if version is None:
            version = _next_version(model_dir)
        elif _version_taken(model_dir, version):
            raise ExportError(f"{model_dir / str(version)} already exists; pick another --version")
        target = model_dir / str(version)
        if version_policy is None:  # the model keeps the policy it has
            version_policy = model_version_policy(model_dir)
        report = _write_version(module, concretes, signatures, specs, inputs, base_dir=base_dir,
                                model_dir=model_dir, target=target, name=name, version=version,
                                metadata=metadata, onnx=onnx, opset=opset,
                                tolerances=tolerances, warmup=warmup,
                                version_policy=version_policy, verbose=verbose)
        write_models_config(base_dir)
    return ExportResult(
        path=target,
        name=name,
        version=version,
        onnx_files={key: target / entry["file"] for key, entry in report.items()},
        onnx_max_abs_diff={key: entry["max_abs_diff"] for key, entry in report.items()},
        warmup_file=target / serving.WARMUP_FILE if warmup else None,
        version_policy=version_policy,
        served_versions=serving.served_versions(
            version_policy, version_dirs(model_dir, require_saved_model=True)),
    )


def _check_specific_versions(policy, model_dir: pathlib.Path, version: int | None) -> None:
    """``specific:`` versions must exist or be the one being exported (a typo would
    leave TF Serving waiting for a version that never appears)."""
    if not policy or "specific" not in policy:
        return
    existing = set(version_dirs(model_dir, require_saved_model=True))
    new = version if version is not None else _next_version(model_dir)
    missing = sorted(set(policy["specific"]) - existing - {new})
    if missing:
        listed = ", ".join(str(v) for v in sorted(existing)) or "none"
        raise ExportError(
            f"--version-policy names versions {missing} that {model_dir} does not have "
            f"(it has {listed}; this export is version {new})")


def model_version_policy(model_dir) -> dict:
    """The version policy a model has: the one its highest version's ``genzoo.json``
    recorded (``serving.version_policy``), else TF Serving's default, latest 1."""
    versions = version_dirs(pathlib.Path(model_dir), require_saved_model=True)
    if not versions:
        return dict(serving.DEFAULT_POLICY)
    try:
        recorded = json.loads((versions[max(versions)] / METADATA_FILE).read_text())
    except (OSError, ValueError):
        return dict(serving.DEFAULT_POLICY)
    return serving.check_version_policy((recorded.get("serving") or {}).get("version_policy"))


def _next_version(model_dir: pathlib.Path) -> int:
    """The version an export without ``--version`` takes: one above the highest."""
    return max(version_dirs(model_dir, require_saved_model=False), default=0) + 1


def _version_taken(model_dir: pathlib.Path, version: int) -> bool:
    return version in version_dirs(model_dir, require_saved_model=False) or (
        model_dir / str(version)).exists()


def remove_leftovers(base_dir) -> None:
    """Remove what killed exports left in ``base_dir``: ``.staging-*`` directories and
    ``models.config``'s temporary files. Only under the export lock, which
    guarantees that no other export is writing them."""
    base_dir = pathlib.Path(base_dir)
    try:
        children = list(base_dir.iterdir())
    except OSError:  # best effort: an unreadable or missing directory has nothing to clean
        return
    for child in children:
        if child.name.startswith(STAGING_PREFIX) and child.is_dir() and not child.is_symlink():
            _remove_quietly(child)
        elif child.name.startswith(f".{MODELS_CONFIG}.") and child.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                child.unlink()


def _write_version(module, concretes, signatures, specs, inputs, *, base_dir, model_dir, target,
                   name, version, metadata, onnx, opset, tolerances, warmup, version_policy,
                   verbose) -> dict[str, dict]:
    """Build the version in a staging directory, check it, rename it to ``target``;
    return the ONNX report. On any failure nothing of it is left."""
    import tensorflow as tf

    try:
        staging = pathlib.Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{name}-", dir=base_dir))
    except OSError as error:
        raise ExportError(f"export to {target} failed: {error.strerror or error}") from None
    model_dir_created = False
    try:
        tf.saved_model.save(module, str(staging), signatures=concretes)
        # TensorFlow's side of every check is the *reloaded* SavedModel: what TF Serving runs.
        loaded = tf.saved_model.load(str(staging))
        tf_outputs = {key: _run_signature(loaded, key, inputs[key]) for key in signatures}
        onnx_report: dict[str, dict[str, Any]] = {}
        if onnx:
            onnx_report = _export_onnx(staging, signatures, specs, inputs, tf_outputs, opset=opset,
                                       tolerances=tolerances, verbose=verbose)
        signature_defs = read_signatures(staging)
        if warmup:
            _write_and_replay_warmup(staging, loaded, signature_defs, inputs, name=name)
        document = dict(metadata or {})
        document["export"] = {
            "name": name,
            "version": version,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "tensorflow": tf.__version__,
        }
        document["signatures"] = signature_defs
        document["onnx"] = onnx_report
        document["serving"] = {"version_policy": version_policy,
                               "warmup_file": serving.WARMUP_FILE if warmup else None}
        runs.write_text(staging / METADATA_FILE,
                        json.dumps(document, indent=2, default=_json_default) + "\n")

        if not model_dir.is_dir():
            model_dir.mkdir()
            model_dir_created = True
        try:
            # rename() refuses a non-empty target, so a version that appeared
            # despite the lock (another tool) makes this export fail instead of mixing.
            os.rename(staging, target)
        except OSError as error:
            if target.exists():
                raise ExportError(f"{target} already exists; pick another --version") from error
            raise
    except (OSError, tf.errors.OpError) as error:
        # Disk trouble: Python I/O raises OSError, TensorFlow's file system OpError.
        _cleanup(staging, model_dir if model_dir_created else None)
        reason = error.strerror if isinstance(error, OSError) and error.strerror else (
            getattr(error, "message", None) or str(error))
        first_line = (reason.strip().splitlines() or [""])[0]
        raise ExportError(f"export to {target} failed: {first_line}") from error
    except BaseException:
        _cleanup(staging, model_dir if model_dir_created else None)
        raise
    return onnx_report


def _cleanup(staging: pathlib.Path, created_model_dir: pathlib.Path | None) -> None:
    _remove_quietly(staging)
    if created_model_dir is not None:
        try:
            created_model_dir.rmdir()  # only if still empty
        except OSError:
            pass


def _write_and_replay_warmup(staging, loaded, signature_defs, inputs, *, name) -> None:
    """Write the warmup file into ``staging`` and replay it as TF Serving will when it
    loads the version: every record parsed back and run on the reloaded SavedModel,
    answering with every output of its signature, finite."""
    serving.write_warmup(staging, serving.warmup_requests(name, inputs))
    for log in serving.read_warmup(staging):
        request = log.predict_log.request
        signature = request.model_spec.signature_name
        try:
            outputs = serving.response_arrays(serving.predict(loaded, signature_defs, request))
        except serving.ServingRequestError as error:
            raise ExportError(f"warmup request for signature {signature} fails: {error}") from None
        if set(outputs) != set(signature_defs[signature]["outputs"]):
            raise ExportError(f"warmup request for signature {signature} answered "
                              f"{sorted(outputs)}, not the signature's outputs")
        bad = onnx_export.first_nonfinite(outputs)
        if bad is not None:
            raise ExportError(f"warmup request for signature {signature}: output {bad!r} is not "
                              "finite (NaN/Inf); not exported")


def parity_feed(signature_name, input_specs, given) -> dict[str, np.ndarray]:
    """The inputs every check runs a signature on: ``given`` (a model's
    ``export_parity_inputs``) cast to the signature's dtypes, else random ones."""
    if given is None:
        return random_inputs(input_specs)
    missing = sorted({spec.name for spec in input_specs} - set(given))
    if missing:
        raise ValueError(f"parity_inputs[{signature_name!r}] lacks inputs {missing}")
    return {spec.name: np.asarray(given[spec.name], dtype=spec.dtype.as_numpy_dtype)
            for spec in input_specs}


def _run_signature(loaded, signature_name, inputs) -> dict[str, np.ndarray]:
    """The reloaded SavedModel's ``signature_name`` on ``inputs``; refuses NaN/Inf outputs."""
    import tensorflow as tf

    try:
        outputs = loaded.signatures[signature_name](
            **{key: tf.constant(value) for key, value in inputs.items()})
    except tf.errors.InvalidArgumentError as error:  # an assertion in the graph, a bad shape
        first_line = ((error.message or str(error)).strip().splitlines() or [""])[0]
        raise ExportError(f"signature {signature_name} fails on its check inputs: {first_line}") from None
    outputs = {key: value.numpy() for key, value in outputs.items()}
    bad = onnx_export.first_nonfinite(outputs)
    if bad is not None:
        raise ExportError(
            f"signature {signature_name} output {bad!r} is not finite (NaN/Inf) on finite check "
            "inputs: the model has diverged or its weights are broken; not exported "
            "(export an earlier checkpoint or retrain)")
    return outputs


def _export_onnx(staging, signatures, specs, inputs, tf_outputs, *, opset, tolerances,
                 verbose=False) -> dict[str, dict[str, Any]]:
    """Convert each signature to ONNX inside ``staging`` and check it against the SavedModel's
    outputs ``tf_outputs`` on the same ``inputs``, within ``tolerances[signature]``."""
    report = {}
    for signature_name, fn in signatures.items():
        tolerance = tolerances[signature_name]
        input_specs, output_specs = specs[signature_name]
        relative = f"{ONNX_DIR}/{signature_name}.onnx"
        try:
            onnx_path = onnx_export.convert_signature(
                fn, input_specs, staging / relative, opset=opset, output_names=sorted(output_specs),
                verbose=verbose,
            )
        except (ExportError, OSError):
            raise  # OSError: writing the file (disk full), reported as a write failure
        except Exception as error:  # tf2onnx raises many kinds; report one line
            first_line = (str(error).strip().splitlines() or [""])[0]
            raise ExportError(
                f"ONNX conversion failed for signature {signature_name}: {type(error).__name__}: "
                f"{first_line} ({_ONNX_HINT if not verbose else 'pass --no-onnx to skip ONNX'})"
            ) from error

        expected = tf_outputs[signature_name]
        try:
            with onnx_export.third_party_output(verbose):
                onnx_outputs = onnx_export.run_onnx(onnx_path, inputs[signature_name])
            diff = onnx_export.max_abs_diff(onnx_outputs, expected)
            scaled = onnx_export.max_scaled_diff(onnx_outputs, expected)
        except ExportError as error:
            raise ExportError(f"ONNX parity failed for signature {signature_name}: {error}") from error
        except Exception as error:  # onnxruntime cannot load/run the converted graph
            first_line = (str(error).strip().splitlines() or [""])[0]
            raise ExportError(
                f"ONNX model for signature {signature_name} does not run in onnxruntime: {first_line} "
                "(pass --no-onnx to skip ONNX)"
            ) from error
        bad = onnx_export.first_nonfinite(onnx_outputs)
        if bad is not None:  # TensorFlow's outputs are finite (checked)
            raise ExportError(
                f"ONNX parity failed for signature {signature_name}: ONNX output {bad!r} is not "
                "finite (NaN/Inf) where TensorFlow's is")
        if not scaled <= tolerance:
            # values up to 1 (images): the scaled difference is the absolute one
            relative = "" if scaled == diff else f" (relative to max(1, |value|): {scaled:.1e})"
            raise ExportError(
                f"ONNX parity failed for signature {signature_name}: "
                f"max abs diff {diff:.1e}{relative} > {tolerance:.0e}"
            )
        report[signature_name] = {"file": relative, "opset": opset, "max_abs_diff": diff}
    return report


# ----------------------------------------------------------------------------
# models.config
# ----------------------------------------------------------------------------


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _docker_line(base_dir: pathlib.Path) -> str:
    absolute = base_dir.resolve()
    try:
        mount = f"$PWD/{absolute.relative_to(pathlib.Path.cwd().resolve()).as_posix()}"
    except ValueError:
        mount = absolute.as_posix()
    return (
        f'docker run -p 8500:8500 -p 8501:8501 -v "{mount}:{SERVING_MOUNT}" tensorflow/serving '
        f"--model_config_file={SERVING_MOUNT}/{MODELS_CONFIG}"
    )


def write_models_config(base_dir) -> pathlib.Path:
    """(Re)write ``base_dir/models.config`` listing every exported model under ``base_dir``.

    A model is a directory (not hidden: staging dirs start with '.') holding
    at least one integer version directory with a ``saved_model.pb``; its
    ``model_version_policy`` is :func:`model_version_policy`'s. Paths
    are the container's (``/models/<name>``), where the docker line in the
    header mounts ``base_dir``. Written to a temporary file and
    written through ``runs.atomic_write`` so TF Serving never reads a partial config.
    """
    base_dir = pathlib.Path(base_dir)
    path = base_dir / MODELS_CONFIG
    try:
        names = sorted(
            child.name
            for child in (base_dir.iterdir() if base_dir.is_dir() else [])
            if child.is_dir()
            and not child.name.startswith(".")  # staging directories
            and version_dirs(child, require_saved_model=True)
        )
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
    lines = [
        "# TF Serving model config written by keras-genzoo (genzoo export); serve every model with:",
        f"#   {_docker_line(base_dir)}",
        "# Rewritten by every export into this directory (hand edits are lost): a model's",
        "# model_version_policy is set with genzoo export --version-policy.",
        "model_config_list {",
    ]
    for model_name in names:
        lines += [
            "  config {",
            f"    name: {_quote(model_name)}",
            f"    base_path: {_quote(f'{SERVING_MOUNT}/{model_name}')}",
            '    model_platform: "tensorflow"',
            f"    {serving.policy_text(model_version_policy(base_dir / model_name))}",
            "  }",
        ]
    lines.append("}")
    try:
        runs.write_text(path, "\n".join(lines) + "\n")
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
    return path


# ----------------------------------------------------------------------------
# Reading exports back
# ----------------------------------------------------------------------------


def resolve_version_dir(path) -> pathlib.Path:
    """A version dir (has saved_model.pb) -> itself; a model dir -> its largest version."""
    path = pathlib.Path(path)
    if (path / "saved_model.pb").is_file():
        return path
    versions = version_dirs(path, require_saved_model=True)
    if not versions:
        raise ExportError(f"not a SavedModel or model directory: {path}")
    return versions[max(versions)]


def _tensor_info(info) -> dict[str, Any]:
    import tensorflow as tf

    shape = (
        None
        if info.tensor_shape.unknown_rank
        else [None if dim.size < 0 else int(dim.size) for dim in info.tensor_shape.dim]
    )
    return {"dtype": tf.dtypes.as_dtype(info.dtype).name, "shape": shape}


def read_signatures(path) -> dict[str, dict]:
    """``{signature: {"inputs": {name: {"dtype", "shape"}}, "outputs": {...}}}``, serving_default first.

    Read from ``saved_model.pb``'s SignatureDefs (what TF Serving and
    ``saved_model_cli`` read) rather than by loading the SavedModel: same
    names, dtypes and shapes, without restoring variables or functions.
    """
    from tensorflow.core.protobuf import saved_model_pb2

    version_dir = resolve_version_dir(path)
    proto = saved_model_pb2.SavedModel()
    try:
        proto.ParseFromString((version_dir / "saved_model.pb").read_bytes())
    except Exception as error:
        raise ExportError(f"cannot read {version_dir / 'saved_model.pb'}: {error}") from error
    if not proto.meta_graphs:
        raise ExportError(f"{version_dir / 'saved_model.pb'} holds no graph")
    signature_defs = proto.meta_graphs[0].signature_def
    # "__saved_model_init_op" is TF's internal initializer, not a signature.
    keys = sorted(
        (key for key in signature_defs if not key.startswith("__")),
        key=lambda key: (key != "serving_default", key),
    )
    return {
        key: {
            "inputs": {
                name: _tensor_info(signature_defs[key].inputs[name])
                for name in sorted(signature_defs[key].inputs)
            },
            "outputs": {
                name: _tensor_info(signature_defs[key].outputs[name])
                for name in sorted(signature_defs[key].outputs)
            },
        }
        for key in keys
    }


def read_metadata(path) -> dict:
    """``assets.extra/genzoo.json`` of the resolved version dir ({} if absent)."""
    metadata_path = resolve_version_dir(path) / METADATA_FILE
    if not metadata_path.is_file():
        return {}
    try:
        return json.loads(metadata_path.read_text())
    except (OSError, ValueError) as error:
        raise ExportError(f"cannot read {metadata_path}: {error}") from error


def _format_shape(shape) -> str:
    if shape is None:
        return "unknown rank"
    # -1 for an unknown dimension, as saved_model_cli shows it.
    return (
        "("
        + ", ".join("-1" if dim is None else str(dim) for dim in shape)
        + (",)" if len(shape) == 1 else ")")
    )


def format_signatures(path) -> str:
    """What ``genzoo info`` prints: the export's signatures, inputs, outputs and ONNX files."""
    version_dir = resolve_version_dir(path)
    signatures = read_signatures(version_dir)
    metadata = read_metadata(version_dir)
    lines = [f"SavedModel: {version_dir}"]
    export = metadata.get("export") or {}
    if export:
        lines.append(
            f"  model {export.get('name')} version {export.get('version')} "
            f"(TensorFlow {export.get('tensorflow')})"
        )
    serving_info = metadata.get("serving") or {}
    if serving_info:
        warmup = serving_info.get("warmup_file")
        lines.append(f"  TF Serving: warmup {warmup if warmup else 'none (--no-warmup)'}; "
                     "model version policy "
                     f"{serving.format_version_policy(serving_info.get('version_policy'))}")
    onnx_report = metadata.get("onnx") or {}
    for key, signature in signatures.items():
        lines.append(f"signature {key!r}:")
        for direction in ("inputs", "outputs"):
            lines.append(f"  {direction}:")
            for tensor_name, info in signature[direction].items():
                lines.append(f"    {tensor_name}: {info['dtype']} {_format_shape(info['shape'])}")
        if key in onnx_report:
            entry = onnx_report[key]
            lines.append(
                f"  onnx: {entry.get('file')} (opset {entry.get('opset')}, "
                f"max abs diff vs TF {entry.get('max_abs_diff', float('nan')):.1e})"
            )
    return "\n".join(lines)


def load_export(path):
    """``(loaded SavedModel, read_signatures(...), read_metadata(...))`` for running an export."""
    import tensorflow as tf

    version_dir = resolve_version_dir(path)
    loaded = tf.saved_model.load(str(version_dir))
    return loaded, read_signatures(version_dir), read_metadata(version_dir)
