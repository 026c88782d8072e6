"""The TF Serving contract of every model's export, checked with TF Serving's own protos.

For each registered model (its tiny config, untrained: the contract is about
names, dtypes and shapes), a fresh export must have a warmup file that parses as
``PredictionLog`` records and replays on the SavedModel; and every signature,
asked as a gRPC client asks (a serialized ``PredictRequest``) and as a REST
client asks (row and columnar JSON, translated as TF Serving translates them),
must answer with the signature's output names, dtypes and shapes and with what
the signature itself computes.
"""

import json

import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

from keras_genzoo import registry
from keras_genzoo.export import serving
from keras_genzoo.export.savedmodel import export_model, read_signatures

from helpers import tiny_model

BATCH = 3


def _inputs(model, signatures, signature):
    """Inputs for ``signature``: the model's own check inputs where it has them (images
    whose sides suit adain-style, RadialGAN rows), else random ones of batch 3."""
    given = (model.export_parity_inputs() or {}).get(signature)
    if given is not None:
        return {key: np.asarray(value) for key, value in given.items()}
    rng = np.random.default_rng(1)
    feeds = {}
    for name, info in signatures[signature]["inputs"].items():
        shape = [BATCH if dim is None else dim for dim in info["shape"]]
        if info["dtype"] == "int32":
            feeds[name] = (np.arange(np.prod(shape)) % 2).reshape(shape).astype(np.int32)
        else:
            feeds[name] = rng.uniform(0.0, 1.0, shape).astype(np.float32)
    return feeds


@pytest.fixture(scope="module", params=registry.names())
def exported(request, tmp_path_factory):
    model = tiny_model(request.param).prepare()
    module, functions = model.export_signatures()
    result = export_model(module, functions, base_dir=tmp_path_factory.mktemp("exports"),
                          name=request.param, onnx=False,
                          parity_inputs=model.export_parity_inputs())
    loaded = tf.saved_model.load(str(result.path))
    return model, result, loaded, read_signatures(result.path)


def _direct(loaded, signature, inputs):
    outputs = loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()})
    return {key: value.numpy() for key, value in outputs.items()}


def _check_answer(outputs, expected, signature_outputs, batch):
    assert set(outputs) == set(signature_outputs)
    for name, info in signature_outputs.items():
        assert outputs[name].dtype == np.dtype(info["dtype"]), name
        shape = [batch if dim is None and i == 0 else dim for i, dim in enumerate(info["shape"])]
        assert len(outputs[name].shape) == len(shape), name
        assert all(want is None or want == got for want, got in zip(shape, outputs[name].shape))
        np.testing.assert_allclose(outputs[name], expected[name], rtol=1e-5, atol=1e-6)


def test_every_input_has_a_batch_dimension(exported):
    """TF Serving's row format stacks every named input along a batch dimension, so no
    signature may take a scalar (StyleGAN's truncation_psi is per example)."""
    _, _, _, signatures = exported
    for signature, io in signatures.items():
        for name, info in io["inputs"].items():
            assert info["shape"] and info["shape"][0] is None, (signature, name, info)


def test_the_warmup_file_parses_with_the_protos_and_replays(exported):
    model, result, loaded, signatures = exported
    path = result.path / "assets.extra" / "tf_serving_warmup_requests"
    assert result.warmup_file == path and path.is_file()
    logs = [prediction_log_pb2.PredictionLog.FromString(record.numpy())
            for record in tf.data.TFRecordDataset(str(path))]
    assert sorted(log.predict_log.request.model_spec.signature_name for log in logs) == \
        sorted(signatures)  # one request per signature
    for log in logs:
        assert log.WhichOneof("log_type") == "predict_log"
        request = log.predict_log.request
        assert request.model_spec.name == model.registry_name
        signature = request.model_spec.signature_name
        inputs = {key: tf.make_ndarray(tensor) for key, tensor in request.inputs.items()}
        assert set(inputs) == set(signatures[signature]["inputs"])
        assert {len(value) for value in inputs.values()} == {serving.WARMUP_BATCH}
        outputs = _direct(loaded, signature, inputs)  # replayed as TF Serving does at load
        assert set(outputs) == set(signatures[signature]["outputs"])
        assert all(np.isfinite(value).all() for value in outputs.values())


def test_grpc_predict_requests(exported):
    _, result, loaded, signatures = exported
    for signature in signatures:
        inputs = _inputs(exported[0], signatures, signature)
        request = serving.predict_request(signature, inputs, model_name=result.name)
        wire = predict_pb2.PredictRequest.FromString(request.SerializeToString())
        assert wire.model_spec.signature_name == signature
        response = predict_pb2.PredictResponse.FromString(
            serving.predict(loaded, signatures, wire, version=result.version).SerializeToString())
        assert response.model_spec.signature_name == signature
        assert response.model_spec.version.value == result.version
        outputs = serving.response_arrays(response)
        batch = len(next(iter(inputs.values())))
        _check_answer(outputs, _direct(loaded, signature, inputs),
                      signatures[signature]["outputs"], batch)


@pytest.mark.parametrize("request_format", [serving.ROW, serving.COLUMNAR])
def test_rest_requests_in_both_formats(exported, request_format):
    _, _, loaded, signatures = exported
    for signature in signatures:
        inputs = _inputs(exported[0], signatures, signature)
        if request_format == serving.ROW:  # adain-style's one style row serves any batch
            batch = max(len(value) for value in inputs.values())
            inputs = {k: np.repeat(v, batch // len(v), axis=0) for k, v in inputs.items()}
        body = json.dumps(serving.rest_body(signature, inputs, request_format))
        name, arrays, parsed_format = serving.parse_rest_body(body, signatures)
        assert (name, parsed_format) == (signature, request_format)
        for key, value in inputs.items():  # JSON carries float32 values exactly
            np.testing.assert_array_equal(arrays[key], value)
            assert arrays[key].dtype == np.dtype(signatures[signature]["inputs"][key]["dtype"])
        expected = _direct(loaded, signature, arrays)
        answer = json.loads(json.dumps(serving.rest_answer(expected, request_format)))
        assert set(answer) == {"predictions" if request_format == serving.ROW else "outputs"}
        outputs = serving.answer_arrays(answer, signatures[signature]["outputs"])
        _check_answer(outputs, expected, signatures[signature]["outputs"],
                      len(next(iter(arrays.values()))))
