"""A stand-in for TF Serving's model server, for checking clients and docs without Docker.

:class:`ModelServer` reads an export root's ``models.config`` with TF Serving's
own proto (``model_server_config_pb2``), finds each model's versions under its
``base_path`` (the container's ``/models/<name>`` mapped back to the export
root), serves the versions that its ``model_version_policy`` selects, and
answers ``PredictRequest``\\ s (:meth:`ModelServer.predict`) and REST predict
calls (:meth:`ModelServer.rest`, ``POST /v1/models/<name>[/versions/<v>]:predict``)
with the translation rules of :mod:`keras_genzoo.export.serving`.

It is not a server for production (no batching, no HTTP or gRPC of its own: the
tests wrap it in both); it is the contract our exports are tested against.
"""

from __future__ import annotations

import pathlib
import re

from keras_genzoo.errors import ExportError
from keras_genzoo.export import serving
from keras_genzoo.export.savedmodel import (
    MODELS_CONFIG, SERVING_MOUNT, version_dirs, read_signatures)

REST_PATH = re.compile(r"/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>[0-9]+))?:predict")


def read_models_config(path):
    """``models.config`` parsed with TF Serving's ``ModelServerConfig`` proto."""
    from google.protobuf import text_format

    try:
        from tensorflow_serving.config import model_server_config_pb2
    except ImportError as error:
        raise ExportError(serving.SERVING_API_HINT) from error
    path = pathlib.Path(path)
    try:
        return text_format.Parse(path.read_text(), model_server_config_pb2.ModelServerConfig())
    except (OSError, text_format.ParseError) as error:
        raise ExportError(f"cannot read {path} as a TF Serving model config: {error}") from None


def policy_of(config_entry) -> dict:
    """A ``ModelConfig``'s ``model_version_policy`` as :mod:`serving`'s dict (latest 1 if unset)."""
    policy = config_entry.model_version_policy
    choice = policy.WhichOneof("policy_choice")
    if choice == "all":
        return {"all": True}
    if choice == "specific":
        return {"specific": sorted(policy.specific.versions)}
    if choice == "latest" and policy.latest.num_versions:
        return {"latest": policy.latest.num_versions}
    return dict(serving.DEFAULT_POLICY)


class ModelServer:
    """What TF Serving serves from ``root`` (the directory mounted at ``/models``)."""

    def __init__(self, root, *, mount: str = SERVING_MOUNT):
        self.root = pathlib.Path(root)
        self.config = read_models_config(self.root / MODELS_CONFIG)
        self.versions: dict[str, dict[int, pathlib.Path]] = {}
        self.policies: dict[str, dict] = {}
        self._loaded: dict[tuple[str, int], tuple] = {}
        for entry in self.config.model_config_list.config:
            if not entry.base_path.startswith(f"{mount}/"):
                raise ExportError(f"model {entry.name}: base_path {entry.base_path} is not "
                                  f"under {mount}, where the export root is mounted")
            model_dir = self.root / entry.base_path[len(mount) + 1:]
            available = version_dirs(model_dir, require_saved_model=True)
            self.policies[entry.name] = policy_of(entry)
            self.versions[entry.name] = {
                version: available[version]
                for version in serving.served_versions(self.policies[entry.name], available)}

    def _model(self, name: str, version: int | None):
        if name not in self.versions:
            raise serving.ServingRequestError(f"Servable not found for request: Latest({name})")
        served = self.versions[name]
        if version is None:
            if not served:
                raise serving.ServingRequestError(f"no version of {name} is served")
            version = max(served)
        if version not in served:
            raise serving.ServingRequestError(
                f"Servable not found for request: Specific({name}, {version})")
        if (name, version) not in self._loaded:
            import tensorflow as tf

            path = served[version]
            self._loaded[(name, version)] = (tf.saved_model.load(str(path)),
                                             read_signatures(path))
        return version, *self._loaded[(name, version)]

    def signatures(self, name: str, version: int | None = None) -> dict:
        """``read_signatures`` of the version a request for ``name`` would reach."""
        return self._model(name, version)[2]

    def predict(self, request):
        """The ``PredictResponse`` to a ``PredictRequest`` (``ServingRequestError`` for
        what TF Serving refuses)."""
        version = (request.model_spec.version.value
                   if request.model_spec.HasField("version") else None)
        version, loaded, signatures = self._model(request.model_spec.name, version)
        return serving.predict(loaded, signatures, request, model_name=request.model_spec.name,
                               version=version)

    def rest(self, path: str, body) -> tuple[int, dict]:
        """``(HTTP status, JSON answer)`` of ``POST path`` with the JSON ``body``, as TF
        Serving's REST API answers: 200 with ``predictions``/``outputs``, else an
        ``{"error": ...}`` with 404 (no such model or version) or 400."""
        match = REST_PATH.fullmatch(path)
        if match is None:
            return 404, {"error": f"Malformed request: POST {path}"}
        name = match["name"]
        version = int(match["version"]) if match["version"] else None
        try:
            version, _, signatures = self._model(name, version)
        except serving.ServingRequestError as error:
            return 404, {"error": str(error)}
        try:
            signature, arrays, request_format = serving.parse_rest_body(body, signatures)
            request = serving.predict_request(signature, arrays, model_name=name, version=version)
            outputs = serving.response_arrays(self.predict(request))
            return 200, serving.rest_answer(outputs, request_format)
        except serving.ServingRequestError as error:
            return 400, {"error": str(error)}
