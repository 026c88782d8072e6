"""The evaluation classifier: its loss is softmax cross-entropy, it trains the same on two
replicas as on one device, round-trips its config and exports with ONNX parity."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import assert_two_replicas_match_one_device, digit_batches
from keras_genzoo.errors import ConfigError
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import export_model, load_export, read_signatures
from keras_genzoo.models.classifier.model import FEATURE_LAYER, Classifier

TINY = {"image_size": 16, "channels": 1, "base_filters": 4, "feature_dim": 12, "dropout": 0.0}


def test_reported_loss_is_the_cross_entropy_before_the_step():
    keras.utils.set_random_seed(0)
    model = Classifier(TINY).prepare()
    images, labels = digit_batches(8, 1)[0]
    logits, _ = model.classifier(images, training=False)
    log_probs = tf.nn.log_softmax(logits).numpy().astype(np.float64)
    expected = -np.mean(log_probs[np.arange(8), labels])  # hand-written cross-entropy
    accuracy = np.mean(np.argmax(log_probs, axis=1) == labels)
    logs = model.train_step((tf.constant(images), tf.constant(labels)))
    assert float(logs["loss"]) == pytest.approx(expected, rel=1e-5)
    assert float(logs["accuracy"]) == pytest.approx(accuracy)
    # the step moved the weights in a direction that lowers the loss on this batch
    after = model.classifier(images, training=False)[0]
    after_loss = np.mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, after).numpy())
    assert after_loss < expected


def test_features_are_the_penultimate_layer_and_probabilities_sum_to_one():
    keras.utils.set_random_seed(1)
    model = Classifier(TINY).prepare()
    images = digit_batches(5, 1)[0][0]
    probabilities, features = model.predict_batches(images, batch_size=2)
    assert probabilities.shape == (5, 10) and features.shape == (5, 12)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    layer = keras.Model(model.classifier.input, model.classifier.get_layer(FEATURE_LAYER).output)
    np.testing.assert_allclose(features, layer(images), rtol=1e-5, atol=1e-6)


def test_two_replicas_train_like_one_device():
    batches = digit_batches(8, 3)
    assert_two_replicas_match_one_device(Classifier, TINY, batches)


def test_bad_config():
    with pytest.raises(ConfigError, match="num_classes"):
        Classifier({**TINY, "num_classes": 1})
    with pytest.raises(ConfigError, match="dropout"):
        Classifier({**TINY, "dropout": 1.0})


def test_export_signature_and_onnx_parity(tmp_path):
    keras.utils.set_random_seed(2)
    model = Classifier(TINY).prepare()
    module, signatures = model.export_signatures()
    result = export_model(module, signatures, base_dir=tmp_path, name="classifier")
    assert result.onnx_max_abs_diff["serving_default"] <= 1e-4
    serving = read_signatures(result.path)["serving_default"]
    assert set(serving["inputs"]) == {"x"}
    assert set(serving["outputs"]) == {"probabilities", "features"}
    images = digit_batches(4, 1)[0][0]
    loaded, _, _ = load_export(result.path)
    served = loaded.signatures["serving_default"](x=tf.constant(images))
    probabilities, features = model.predict_batches(images)
    np.testing.assert_allclose(served["probabilities"], probabilities, atol=1e-6)
    np.testing.assert_allclose(served["features"], features, atol=1e-5)
    onnx_out = onnx_export.run_onnx(result.onnx_files["serving_default"], {"x": images})
    np.testing.assert_allclose(onnx_out["features"], features, atol=1e-4)
