"""TF Serving's rules as keras_genzoo.export.serving reproduces them: the REST JSON
translation (json_tensor.cc), warmup records, models.config with version policies
(parsed with model_server_config_pb2), and the ModelServer stand-in behind HTTP
and gRPC."""

import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

from keras_genzoo.errors import ExportError
from keras_genzoo.export import serving
from keras_genzoo.export.model_server import ModelServer, read_models_config
from keras_genzoo.export.savedmodel import export_model, read_metadata
from serving_servers import grpc_server, rest_server

LATENT = 4

SIGNATURES = {  # read_signatures' shape of a two-input, two-output signature
    "serving_default": {
        "inputs": {"x": {"dtype": "float32", "shape": [None, 2]},
                   "label": {"dtype": "int32", "shape": [None]}},
        "outputs": {"features": {"dtype": "float32", "shape": [None, 3]},
                    "label_probabilities": {"dtype": "float32", "shape": [None, 2]}}},
    "encode": {"inputs": {"x": {"dtype": "float32", "shape": [None, 2]}},
               "outputs": {"z": {"dtype": "float32", "shape": [None, 1]}}},
}


# ------------------------------------------------------------------ REST, TF Serving's rules
def test_row_format_stacks_objects_along_a_new_batch_dimension():
    body = {"instances": [{"x": [1, 2.5], "label": 1}, {"x": [3, 4], "label": 0}]}
    name, arrays, request_format = serving.parse_rest_body(json.dumps(body), SIGNATURES)
    assert (name, request_format) == ("serving_default", serving.ROW)
    np.testing.assert_array_equal(arrays["x"], [[1, 2.5], [3, 4]])
    assert arrays["x"].dtype == np.float32 and arrays["label"].dtype == np.int32
    np.testing.assert_array_equal(arrays["label"], [1, 0])


def test_a_single_input_takes_plain_values_or_objects_in_either_format():
    for body in ({"signature_name": "encode", "instances": [[1, 2], [3, 4]]},
                 {"signature_name": "encode", "instances": [{"x": [1, 2]}, {"x": [3, 4]}]},
                 {"signature_name": "encode", "inputs": [[1, 2], [3, 4]]},
                 {"signature_name": "encode", "inputs": {"x": [[1, 2], [3, 4]]}}):
        _, arrays, _ = serving.parse_rest_body(body, SIGNATURES)
        np.testing.assert_array_equal(arrays["x"], [[1, 2], [3, 4]])


def test_columnar_values_are_whole_tensors_of_any_shape():
    signatures = {"serving_default": {"inputs": {
        "z": {"dtype": "float32", "shape": [None, 2]},
        "psi": {"dtype": "float32", "shape": []}}, "outputs": {}}}
    _, arrays, request_format = serving.parse_rest_body(
        {"inputs": {"z": [[0, 1], [2, 3], [4, 5]], "psi": 0.7, "unused": 1}}, signatures)
    assert request_format == serving.COLUMNAR
    assert arrays["z"].shape == (3, 2) and arrays["psi"].shape == ()
    assert set(arrays) == {"z", "psi"}  # names the signature lacks are ignored
    # the same scalar in the row format becomes [batch]: a scalar input cannot be sent so
    _, arrays, _ = serving.parse_rest_body(
        {"instances": [{"z": [0, 1], "psi": 0.7}, {"z": [2, 3], "psi": 0.5}]}, signatures)
    assert arrays["psi"].shape == (2,)
    with pytest.raises(serving.ServingRequestError, match="scalar inputs"):
        serving.rest_body("serving_default", {"z": np.zeros((2, 2)), "psi": np.float32(1)})


@pytest.mark.parametrize("body, message", [
    ({"instances": [{"x": [1, 2], "label": 1}], "inputs": {}}, "only one of"),
    ({"signature_name": "serving_default"}, "missing 'inputs' or 'instances'"),
    ({"instances": []}, "non-empty"),
    ({"instances": [[1, 2]]}, "plain list"),
    ({"instances": [{"x": [1, 2]}]}, "keys must be equal"),
    ({"instances": [{"x": [1, 2], "label": 1}, {"x": [1, 2, 3], "label": 1}]}, "shape"),
    ({"instances": [{"x": [1, 2], "label": 1.5}]}, "not of expected type int32"),
    ({"instances": [{"x": [1, 2], "label": 2**31}]}, "not of expected type int32"),
    ({"instances": [{"x": [1, True], "label": 1}]}, "not of expected type float32"),
    ({"instances": [{"x": [[1], 2], "label": 1}]}, "rectangular|level"),
    ({"inputs": {"x": [[1, 2]]}}, "missing named input: label"),
    ({"inputs": [[1, 2]]}, "plain value"),
    ({"signature_name": "decode", "inputs": {}}, "not found"),
    ("{not json", "JSON parse error"),
])
def test_requests_tf_serving_refuses(body, message):
    with pytest.raises(serving.ServingRequestError, match=message):
        serving.parse_rest_body(body if isinstance(body, str) else json.dumps(body), SIGNATURES)


def test_answers_in_both_formats():
    outputs = {"features": np.arange(6, dtype=np.float32).reshape(2, 3),
               "label_probabilities": np.array([[0.25, 0.75], [1, 0]], np.float32)}
    row = serving.rest_answer(outputs, serving.ROW)
    assert row == {"predictions": [
        {"features": [0, 1, 2], "label_probabilities": [0.25, 0.75]},
        {"features": [3, 4, 5], "label_probabilities": [1, 0]}]}
    columnar = serving.rest_answer(outputs, serving.COLUMNAR)
    assert columnar["outputs"]["features"] == [[0, 1, 2], [3, 4, 5]]
    single = {"z": np.array([[0.5], [1.5]], np.float32)}
    assert serving.rest_answer(single, serving.ROW) == {"predictions": [[0.5], [1.5]]}
    assert serving.rest_answer(single, serving.COLUMNAR) == {"outputs": [[0.5], [1.5]]}
    for answer in (row, columnar):
        read = serving.answer_arrays(answer, SIGNATURES["serving_default"]["outputs"])
        np.testing.assert_array_equal(read["features"], outputs["features"])
    with pytest.raises(serving.ServingRequestError, match="batch sizes"):
        serving.rest_answer({"a": np.zeros((2, 1)), "b": np.zeros((3, 1))}, serving.ROW)


# ------------------------------------------------------------------ exports
def _generator_export():
    inputs = tf.keras.Input((LATENT,))
    generator = tf.keras.Model(inputs, tf.keras.layers.Dense(3, activation="sigmoid")(inputs))
    module = tf.Module()
    module.generator = generator

    @tf.function(input_signature=[tf.TensorSpec([None, LATENT], tf.float32, name="z")])
    def serving_default(z):
        return {"images": generator(z)}

    return module, {"serving_default": serving_default}


def _export(base, name="gen", **kwargs):
    module, signatures = _generator_export()
    return export_model(module, signatures, base_dir=base, name=name, onnx=False, **kwargs)


def _config_entries(base):
    config = text_format.Parse((base / "models.config").read_text(),
                               model_server_config_pb2.ModelServerConfig())
    return {entry.name: entry for entry in config.model_config_list.config}


def test_models_config_with_several_models_versions_and_policies(tmp_path):
    for _ in range(3):
        _export(tmp_path, "gen")
    two = _export(tmp_path, "gen", version_policy="latest:2")
    assert (two.version, two.served_versions) == (4, [3, 4])
    _export(tmp_path, "other", version_policy="specific:1")
    _export(tmp_path, "other")  # a later export keeps the model's policy
    assert read_metadata(tmp_path / "other" / "2")["serving"]["version_policy"] == \
        {"specific": [1]}
    third = _export(tmp_path, "third", version_policy="all")
    entries = _config_entries(tmp_path)
    assert sorted(entries) == ["gen", "other", "third"]
    assert entries["gen"].model_version_policy.latest.num_versions == 2
    assert list(entries["other"].model_version_policy.specific.versions) == [1]
    assert entries["third"].model_version_policy.WhichOneof("policy_choice") == "all"
    assert third.served_versions == [1]

    server = ModelServer(tmp_path)  # what TF Serving would load from this config
    assert sorted(server.versions["gen"]) == [3, 4]
    assert sorted(server.versions["other"]) == [1]
    status, answer = server.rest("/v1/models/gen/versions/3:predict",
                                 {"instances": [[0.0] * LATENT]})
    assert status == 200 and np.asarray(answer["predictions"]).shape == (1, 3)
    status, answer = server.rest("/v1/models/gen/versions/1:predict",
                                 {"instances": [[0.0] * LATENT]})
    assert status == 404 and "Specific(gen, 1)" in answer["error"]
    assert server.rest("/v1/models/nope:predict", {"inputs": [[0.0] * LATENT]})[0] == 404
    assert server.rest("/v2/gen", {})[0] == 404
    status, answer = server.rest("/v1/models/gen:predict", {"inputs": [[0.0] * 3]})
    assert status == 400 and "shape" in answer["error"]


@pytest.mark.parametrize("text, policy", [
    ("latest", {"latest": 1}), ("latest:3", {"latest": 3}), ("all", {"all": True}),
    ("specific:3,1,3", {"specific": [1, 3]})])
def test_version_policy_words(text, policy):
    assert serving.parse_version_policy(text) == policy
    assert serving.parse_version_policy(serving.format_version_policy(policy)) == policy
    entry = text_format.Parse(f"name: 'm' base_path: '/models/m' {serving.policy_text(policy)}",
                              model_server_config_pb2.ModelConfig())
    assert entry.model_version_policy.WhichOneof("policy_choice") == next(iter(policy))


@pytest.mark.parametrize("text", ["latest:0", "newest", "specific:", "specific:a", "all:2"])
def test_bad_version_policies(text):
    with pytest.raises(ExportError, match="--version-policy"):
        serving.parse_version_policy(text)


def test_a_specific_version_that_does_not_exist_fails_before_anything(tmp_path):
    _export(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(ExportError, match=r"names versions \[5\]"):
        _export(tmp_path, version_policy="specific:1,5")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert _export(tmp_path, version_policy="specific:1,2").served_versions == [1, 2]


def test_no_warmup_and_a_missing_serving_api(tmp_path, monkeypatch):
    result = _export(tmp_path, warmup=False)
    assert result.warmup_file is None
    assert not (result.path / serving.WARMUP_FILE).exists()
    assert read_metadata(result.path)["serving"]["warmup_file"] is None
    monkeypatch.setitem(sys.modules, "tensorflow_serving.apis", None)
    with pytest.raises(ExportError) as error:
        _export(tmp_path / "other")
    assert str(error.value) == serving.SERVING_API_HINT and "--no-deps" in str(error.value)
    assert not (tmp_path / "other").exists()
    assert _export(tmp_path / "other", warmup=False).version == 1  # --no-warmup needs no API


def test_a_warmup_that_fails_to_replay_leaves_nothing(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise serving.ServingRequestError("input z has shape [1, 5]")

    monkeypatch.setattr(serving, "predict", refuse)
    with pytest.raises(ExportError, match="warmup request for signature serving_default fails"):
        _export(tmp_path)
    assert not (tmp_path / "gen").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".staging")]


def test_grpc_and_rest_front_ends(tmp_path):
    """A real gRPC client (TF Serving's stub) and curl reach the stand-in."""
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    _export(tmp_path)
    server = ModelServer(tmp_path)
    z = np.random.default_rng(0).standard_normal((2, LATENT)).astype(np.float32)
    expected = tf.saved_model.load(str(tmp_path / "gen" / "1")).signatures["serving_default"](
        z=tf.constant(z))["images"].numpy()
    with grpc_server(server) as port, grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        request = serving.predict_request("serving_default", {"z": z}, model_name="gen")
        response = stub.Predict(request, timeout=30)
        np.testing.assert_allclose(tf.make_ndarray(response.outputs["images"]), expected,
                                   atol=1e-6)
        assert response.model_spec.version.value == 1
        request.inputs["z"].CopyFrom(tf.make_tensor_proto(z.astype(np.float64)))
        with pytest.raises(grpc.RpcError) as refused:
            stub.Predict(request, timeout=30)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    body = json.dumps(serving.rest_body("serving_default", {"z": z}))
    with rest_server(server) as port:
        answer = subprocess.run(["curl", "-s", "-d", body,
                                 f"localhost:{port}/v1/models/gen:predict"],
                                capture_output=True, text=True, check=True, timeout=60).stdout
    np.testing.assert_allclose(json.loads(answer)["predictions"], expected, atol=1e-6)


def test_read_models_config_refuses_what_tf_serving_would_not_parse(tmp_path):
    (tmp_path / "models.config").write_text("model_config_list { config { nme: 'x' } }")
    with pytest.raises(ExportError, match="cannot read .* as a TF Serving model config"):
        read_models_config(tmp_path / "models.config")
