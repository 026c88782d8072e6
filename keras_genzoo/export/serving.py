"""TF Serving's side of an export: warmup records, PredictRequests, REST JSON, version policies.

No TF Serving binary runs on our machines (it ships as a Docker image and an apt
package), so what TF Serving does with an export is reproduced here from its
own definitions: requests and warmup records are the protos of
``tensorflow-serving-api`` (``tensorflow_serving.apis``), and the REST JSON is
translated to and from tensors by the rules of TF Serving's
``tensorflow_serving/util/json_tensor.cc`` (summarised in docs/export.md,
"How TF Serving reads a request"):

- **row format** ``{"instances": [...]}``: one item per example. With several
  named inputs every item is an object holding exactly those names; with one
  input an item may also be the bare value. Each input's items are stacked
  along a new first (batch) dimension, so every input must be per-example: a
  scalar input cannot be sent this way. The answer is ``{"predictions": [...]}``,
  one item per example (an object of the outputs when there are several), and
  every output must share the batch size.
- **columnar format** ``{"inputs": {name: value}}`` (or the bare value when
  there is one input): each value is the whole tensor, of any shape. The answer
  is ``{"outputs": value}`` for one output, else ``{"outputs": {name: value}}``.
- Numbers take the signature's dtype: a float input accepts any JSON number, an
  integer input only integers; lists must be rectangular.

``tensorflow-serving-api`` pins the full ``tensorflow`` package, so it is not a
dependency of keras-genzoo: install it with ``pip install --no-deps
tensorflow-serving-api``. Without it, exports need ``--no-warmup``
(:func:`require_serving_api` says so in one line). Everything that does not
build a proto (REST translation, version policies) works without it.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any, Iterable

import numpy as np

from keras_genzoo.errors import ExportError

#: where TF Serving looks for warmup requests inside a version directory
WARMUP_FILE = "assets.extra/tf_serving_warmup_requests"
#: the batch size of each warmup request: the smallest request a client sends
WARMUP_BATCH = 1
SERVING_API_HINT = (
    "TF Serving warmup records need tensorflow-serving-api: pip install --no-deps "
    "'tensorflow-serving-api>=2.21,<3' (it pins the full tensorflow package; or pass --no-warmup)")
DEFAULT_SIGNATURE = "serving_default"
ROW, COLUMNAR = "row", "columnar"


class ServingRequestError(ExportError):
    """A request TF Serving would refuse (its INVALID_ARGUMENT / NOT_FOUND answers)."""


# ----------------------------------------------------------------------------
# The protos (tensorflow-serving-api)
# ----------------------------------------------------------------------------


def require_serving_api():
    """``tensorflow_serving.apis``'s modules, or the one-line install hint."""
    try:
        from tensorflow_serving.apis import predict_pb2, prediction_log_pb2
    except ImportError as error:
        raise ExportError(SERVING_API_HINT) from error
    return predict_pb2, prediction_log_pb2


def predict_request(signature_name: str, inputs: dict[str, Any], *, model_name: str,
                    version: int | None = None):
    """A ``PredictRequest`` as a gRPC client builds it: ``model_spec`` (name, signature,
    optional version) and one ``TensorProto`` per named input."""
    import tensorflow as tf

    predict_pb2, _ = require_serving_api()
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = int(version)
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(np.asarray(value)))
    return request


def warmup_requests(model_name: str, signature_inputs: dict[str, dict[str, np.ndarray]]) -> list:
    """One ``PredictRequest`` per signature, from its check inputs cut to
    :data:`WARMUP_BATCH` rows: small, and realistic because they are the inputs
    the export's parity check already runs (a model's own, e.g. RadialGAN's rows
    around each domain's mean, adain-style's images)."""
    return [predict_request(signature, {name: np.asarray(value)[:WARMUP_BATCH]
                                        for name, value in inputs.items()},
                            model_name=model_name)
            for signature, inputs in signature_inputs.items()]


def write_warmup(version_dir, requests: Iterable) -> pathlib.Path:
    """``version_dir/assets.extra/tf_serving_warmup_requests``: a TFRecord file of
    ``PredictionLog`` records, one per request, which TF Serving replays when it
    loads the version, before it routes traffic to it (so the first client does
    not wait for the graph's first run)."""
    import tensorflow as tf

    _, prediction_log_pb2 = require_serving_api()
    path = pathlib.Path(version_dir) / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for request in requests:
            log = prediction_log_pb2.PredictionLog()
            log.predict_log.request.CopyFrom(request)
            writer.write(log.SerializeToString())
    return path


def read_warmup(version_dir) -> list:
    """The ``PredictionLog`` records of an export's warmup file, parsed with TF Serving's proto."""
    import tensorflow as tf

    _, prediction_log_pb2 = require_serving_api()
    path = pathlib.Path(version_dir) / WARMUP_FILE
    if not path.is_file():
        raise ExportError(f"{path} does not exist (exported with --no-warmup?)")
    logs = []
    for record in tf.data.TFRecordDataset(str(path)):
        log = prediction_log_pb2.PredictionLog()
        log.ParseFromString(record.numpy())
        logs.append(log)
    return logs


# ----------------------------------------------------------------------------
# What TF Serving's Predict does with a request
# ----------------------------------------------------------------------------


def request_arrays(request, signatures: dict) -> tuple[str, dict[str, np.ndarray]]:
    """``(signature name, {input: array})`` of a ``PredictRequest``, refused as TF Serving
    refuses it: an unknown signature, inputs that are not exactly the signature's,
    a dtype other than the signature's, a shape the signature does not accept.
    ``signatures``: :func:`keras_genzoo.export.savedmodel.read_signatures`."""
    import tensorflow as tf

    name = request.model_spec.signature_name or DEFAULT_SIGNATURE
    if name not in signatures:
        raise ServingRequestError(f'serving signature name "{name}" not found in signature '
                                  f"def (signatures: {', '.join(signatures)})")
    expected = signatures[name]["inputs"]
    sent = set(request.inputs)
    if sent != set(expected):
        raise ServingRequestError(
            f"input size does not match signature {name}: sent extra "
            f"{sorted(sent - set(expected))}, missing but required {sorted(set(expected) - sent)}")
    arrays = {}
    for key, info in expected.items():
        array = tf.make_ndarray(request.inputs[key])
        if array.dtype != np.dtype(info["dtype"]):
            raise ServingRequestError(f"input {key} of signature {name} must be "
                                      f"{info['dtype']}, got {array.dtype}")
        if not _shape_fits(array.shape, info["shape"]):
            raise ServingRequestError(
                f"input {key} of signature {name} has shape {list(array.shape)}; the "
                f"signature takes {['batch' if d is None else d for d in info['shape']]}")
        arrays[key] = array
    return name, arrays


def _shape_fits(shape, expected) -> bool:
    if expected is None:
        return True
    return len(shape) == len(expected) and all(e is None or e == d for d, e in zip(shape, expected))


def predict(loaded, signatures: dict, request, *, model_name: str | None = None,
            version: int | None = None):
    """The ``PredictResponse`` that TF Serving answers ``request`` with, from the loaded
    SavedModel ``loaded`` (``tf.saved_model.load``): the request's signature run on
    its tensors, every output (or those of ``output_filter``) as a ``TensorProto``,
    and ``model_spec`` naming the model, version and signature that answered."""
    import tensorflow as tf

    predict_pb2, _ = require_serving_api()
    name, arrays = request_arrays(request, signatures)
    outputs_wanted = list(request.output_filter) or sorted(signatures[name]["outputs"])
    unknown = sorted(set(outputs_wanted) - set(signatures[name]["outputs"]))
    if unknown:
        raise ServingRequestError(f"output tensor alias not found in signature: {unknown}")
    try:
        outputs = loaded.signatures[name](**{key: tf.constant(value)
                                             for key, value in arrays.items()})
    except tf.errors.InvalidArgumentError as error:  # the graph's own checks (label range)
        first_line = ((error.message or str(error)).strip().splitlines() or [""])[0]
        raise ServingRequestError(first_line) from None
    response = predict_pb2.PredictResponse()
    response.model_spec.name = model_name if model_name is not None else request.model_spec.name
    if version is not None:
        response.model_spec.version.value = int(version)
    response.model_spec.signature_name = name
    for key in outputs_wanted:
        response.outputs[key].CopyFrom(tf.make_tensor_proto(outputs[key].numpy()))
    return response


def response_arrays(response) -> dict[str, np.ndarray]:
    """``{output: array}`` of a ``PredictResponse``, as a client reads it."""
    import tensorflow as tf

    return {key: tf.make_ndarray(tensor) for key, tensor in response.outputs.items()}


# ----------------------------------------------------------------------------
# REST JSON, both formats
# ----------------------------------------------------------------------------


def rest_body(signature_name: str, inputs: dict[str, Any], request_format: str = ROW) -> dict:
    """The JSON body a REST client posts to ``/v1/models/<name>:predict``.

    ``row``: ``{"signature_name", "instances": [{input: value of example i}, ...]}``,
    every input split along its first (batch) dimension, which it must have;
    ``columnar``: ``{"signature_name", "inputs": {input: whole value}}``.
    """
    arrays = {name: np.asarray(value) for name, value in inputs.items()}
    if request_format == COLUMNAR:
        return {"signature_name": signature_name,
                "inputs": {name: array.tolist() for name, array in arrays.items()}}
    if request_format != ROW:
        raise ValueError(f"request format must be {ROW!r} or {COLUMNAR!r}, not {request_format!r}")
    scalars = sorted(name for name, array in arrays.items() if array.ndim == 0)
    if scalars:
        raise ServingRequestError(f"the row format cannot carry the scalar inputs {scalars}: "
                                  "every input needs a batch dimension (use the columnar format)")
    sizes = {len(array) for array in arrays.values()}
    if len(sizes) != 1:
        raise ServingRequestError("the row format needs every input to have the same batch "
                                  f"size, got {({k: len(v) for k, v in arrays.items()})}")
    return {"signature_name": signature_name,
            "instances": [{name: array[row].tolist() for name, array in arrays.items()}
                          for row in range(sizes.pop())]}


def parse_rest_body(body, signatures: dict) -> tuple[str, dict[str, np.ndarray], str]:
    """``(signature name, {input: array}, format)`` of a REST predict body (a dict, or
    the JSON text), translated as TF Serving translates it (module docstring): the
    tensors it would put in its ``PredictRequest``."""
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError as error:
            raise ServingRequestError(f"JSON parse error: {error}") from None
    if not isinstance(body, dict):
        raise ServingRequestError("the request body must be a JSON object")
    name = body.get("signature_name", DEFAULT_SIGNATURE)
    if not isinstance(name, str):
        raise ServingRequestError("'signature_name' must be a string")
    if name not in signatures:
        raise ServingRequestError(f'serving signature name "{name}" not found in signature def')
    infos = signatures[name]["inputs"]
    dtypes = {key: np.dtype(info["dtype"]) for key, info in infos.items()}
    if "instances" in body and "inputs" in body:
        raise ServingRequestError("expecting only one of 'inputs' or 'instances' keys")
    if "instances" in body:
        return name, _rows_to_arrays(body["instances"], dtypes), ROW
    if "inputs" in body:
        return name, _columns_to_arrays(body["inputs"], dtypes), COLUMNAR
    raise ServingRequestError("missing 'inputs' or 'instances' key")


def _rows_to_arrays(instances, dtypes) -> dict[str, np.ndarray]:
    if not isinstance(instances, list) or not instances:
        raise ServingRequestError("'instances' must be a non-empty list")
    objects = isinstance(instances[0], dict)
    if not objects and len(dtypes) > 1:
        raise ServingRequestError("instances is a plain list, but expecting list of objects as "
                                  "multiple input tensors required")
    rows: dict[str, list[np.ndarray]] = {key: [] for key in dtypes}
    for index, item in enumerate(instances):
        if isinstance(item, dict) != objects:
            raise ServingRequestError(f"item {index} of 'instances' is not like item 0 "
                                      "(objects and plain values mixed)")
        if not objects:
            item = {next(iter(dtypes)): item}
        if set(item) != set(dtypes):
            raise ServingRequestError(f"item {index} of 'instances': keys must be equal to "
                                      f"{','.join(sorted(dtypes))}")
        for key, value in item.items():
            array = _dense(value, dtypes[key], f"item {index} key {key} of 'instances'")
            if rows[key] and array.shape != rows[key][0].shape:
                raise ServingRequestError(
                    f"item {index} key {key} of 'instances': expecting shape "
                    f"{list(rows[key][0].shape)} but got {list(array.shape)}")
            rows[key].append(array)
    return {key: np.stack(values) for key, values in rows.items()}


def _columns_to_arrays(inputs, dtypes) -> dict[str, np.ndarray]:
    if not isinstance(inputs, dict):
        if len(dtypes) > 1:
            raise ServingRequestError("inputs is a plain value/list, but expecting an object as "
                                      "multiple input tensors required")
        inputs = {next(iter(dtypes)): inputs}
    arrays = {}
    for key, dtype in dtypes.items():  # names the signature lacks are ignored, as TF Serving does
        if key not in inputs:
            raise ServingRequestError(f"missing named input: {key} in 'inputs' object")
        arrays[key] = _dense(inputs[key], dtype, f"input {key}")
    return arrays


def _dense(value, dtype: np.dtype, where: str) -> np.ndarray:
    """A JSON value (number or nested lists) as an array of ``dtype``: rectangular,
    the shape read along the first elements, integers only for integer inputs."""
    shape = []
    probe = value
    while isinstance(probe, list):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    flat: list = []

    def fill(item, level):
        if isinstance(item, list):
            if level >= len(shape) or len(item) != shape[level]:
                raise ServingRequestError(f"{where}: lists are not rectangular "
                                          f"(expected shape {shape})")
            for element in item:
                fill(element, level + 1)
            return
        if level != len(shape):
            raise ServingRequestError(f"{where}: value {item!r} found at the wrong nesting level")
        number = isinstance(item, (int, float)) and not isinstance(item, bool)
        integer = np.issubdtype(dtype, np.integer)
        if not number or (integer and not isinstance(item, int)) or (
                integer and not np.iinfo(dtype).min <= item <= np.iinfo(dtype).max):
            raise ServingRequestError(f"{where}: {item!r} is not of expected type {dtype.name}")
        flat.append(item)

    fill(value, 0)
    return np.asarray(flat, dtype=dtype).reshape(shape)


def rest_answer(outputs: dict[str, np.ndarray], request_format: str) -> dict:
    """The JSON TF Serving answers with (``MakeJsonFromTensors``): ``predictions`` per
    example for a row request, ``outputs`` for a columnar one; a single output
    appears without its name."""
    names = sorted(outputs)
    if request_format == COLUMNAR:
        if len(names) == 1:
            return {"outputs": np.asarray(outputs[names[0]]).tolist()}
        return {"outputs": {key: np.asarray(outputs[key]).tolist() for key in names}}
    sizes = {key: np.asarray(outputs[key]).shape[:1] for key in names}
    if any(not size for size in sizes.values()) or len(set(sizes.values())) != 1:
        raise ServingRequestError(f"outputs have inconsistent batch sizes for the row format: "
                                  f"{sizes}")
    batch = sizes[names[0]][0]
    if len(names) == 1:
        return {"predictions": np.asarray(outputs[names[0]]).tolist()}
    return {"predictions": [{key: np.asarray(outputs[key])[row].tolist() for key in names}
                            for row in range(batch)]}


def answer_arrays(answer: dict, signature_outputs: dict) -> dict[str, np.ndarray]:
    """``{output: array}`` read back from a REST answer, as a client reads it
    (``signature_outputs``: the signature's ``outputs`` from ``read_signatures``)."""
    names = sorted(signature_outputs)
    dtypes = {key: np.dtype(signature_outputs[key]["dtype"]) for key in names}
    if "outputs" in answer:
        values = answer["outputs"] if len(names) > 1 else {names[0]: answer["outputs"]}
        return {key: np.asarray(values[key], dtypes[key]) for key in names}
    rows = answer["predictions"]
    if len(names) == 1:
        return {names[0]: np.asarray(rows, dtypes[names[0]])}
    return {key: np.asarray([row[key] for row in rows], dtypes[key]) for key in names}


# ----------------------------------------------------------------------------
# Version policies (models.config's model_version_policy)
# ----------------------------------------------------------------------------

_POLICY_PATTERN = re.compile(r"(latest)(?::([0-9]+))?|(all)|(specific):([0-9]+(?:,[0-9]+)*)")
POLICY_HELP = "latest (the highest version), latest:N, all, or specific:V1,V2,..."
DEFAULT_POLICY = {"latest": 1}


def parse_version_policy(text: str) -> dict:
    """``--version-policy`` text as ``{"latest": N}``, ``{"all": True}`` or ``{"specific": [..]}``,
    the three choices of TF Serving's ``ServableVersionPolicy``."""
    match = _POLICY_PATTERN.fullmatch(str(text).strip())
    if match is None:
        raise ExportError(f"invalid --version-policy {text!r}: use {POLICY_HELP}")
    if match.group(1):
        count = int(match.group(2) or 1)
        if count < 1:
            raise ExportError(f"invalid --version-policy {text!r}: latest:N needs N >= 1")
        return {"latest": count}
    if match.group(3):
        return {"all": True}
    return {"specific": sorted({int(value) for value in match.group(5).split(",")})}


def check_version_policy(policy) -> dict:
    """A policy read back from a file, checked (anything else: the default, latest 1)."""
    if isinstance(policy, dict):
        if isinstance(policy.get("latest"), int) and policy["latest"] >= 1 and len(policy) == 1:
            return {"latest": policy["latest"]}
        if policy.get("all") is True and len(policy) == 1:
            return {"all": True}
        versions = policy.get("specific")
        if (isinstance(versions, list) and versions and len(policy) == 1
                and all(isinstance(v, int) and v >= 0 for v in versions)):
            return {"specific": sorted(set(versions))}
    return dict(DEFAULT_POLICY)


def format_version_policy(policy: dict) -> str:
    """The policy in ``--version-policy`` words (``latest:2``, ``all``, ``specific:1,3``)."""
    policy = check_version_policy(policy)
    if "latest" in policy:
        return "latest" if policy["latest"] == 1 else f"latest:{policy['latest']}"
    if "all" in policy:
        return "all"
    return "specific:" + ",".join(str(v) for v in policy["specific"])


def policy_text(policy: dict) -> str:
    """The policy as models.config's text-format ``model_version_policy`` field."""
    policy = check_version_policy(policy)
    if "latest" in policy:
        return f"model_version_policy {{ latest {{ num_versions: {policy['latest']} }} }}"
    if "all" in policy:
        return "model_version_policy { all {} }"
    versions = " ".join(f"versions: {v}" for v in policy["specific"])
    return f"model_version_policy {{ specific {{ {versions} }} }}"


def served_versions(policy: dict, available: Iterable[int]) -> list[int]:
    """The versions TF Serving serves under ``policy`` among ``available`` (ascending)."""
    policy = check_version_policy(policy)
    available = sorted(set(available))
    if "latest" in policy:
        return available[-policy["latest"]:]
    if "all" in policy:
        return available
    return [version for version in available if version in policy["specific"]]
