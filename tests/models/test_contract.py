"""The model contract (DESIGN.md 3 and 5), once for every registered model.

Each family declares a tiny configuration (``ModelSpec.tiny``, ``--set`` values
on top of its default preset); every check here runs on every model built from
it: the config round trip, the export signatures' names and dtypes, the shape of
what the model generates or reconstructs, and, for the GANs, that the EMA
generator is what an export serves. A new family is covered by registering it.
"""

import itertools
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo import registry

from helpers import tiny_model

NAMES = registry.names()
GAN_NAMES = [name for name in NAMES if registry.get(name).kind == "gan"]


def test_every_family_declares_a_tiny_config_and_a_reference_step():
    for spec in registry.all_specs():
        assert spec.tiny, spec.name
        assert callable(spec.load_reference_step()), spec.name


# --------------------------------------------------------------- config round trip
@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip(name):
    model = tiny_model(name)
    model_class = type(model)
    clone = model_class.from_config(json.loads(json.dumps(model.get_config())))
    assert type(clone) is model_class and clone.config == model.config
    assert clone.networks().keys() == model.networks().keys()
    for role, network in model.networks().items():
        assert clone.networks()[role].count_params() == network.count_params(), role
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))
    assert type(restored) is model_class and restored.config == model.config


# ------------------------------------------------------------- export signatures
def _signature_io(function):
    """``({input name: TensorSpec}, {output name: TensorSpec})`` of a serving function."""
    concrete = function.get_concrete_function()
    inputs = {spec.name: spec for spec in concrete.structured_input_signature[0]}
    outputs = {name: tf.TensorSpec(tensor.shape, tensor.dtype)
               for name, tensor in concrete.structured_outputs.items()}
    return inputs, outputs


def _expected_signatures(model) -> dict[str, tuple[set[str], set[str]]]:
    """DESIGN.md 5: ``{signature: (input names, output names)}`` the model must serve."""
    c = model.config
    label = {"label"} if model.uses_labels() else set()
    if model.kind == "gan":
        extra = {"truncation_psi"} if model.registry_name == "stylegan" else set()
        output = "points" if model.points else "images"
        return {"serving_default": ({"z"} | label | extra, {output})}
    if model.kind == "autoencoder":
        code = {"mean", "log_var"} if model.registry_name == "vae" else {"code"}
        return {"serving_default": ({"x"} | label, {"reconstruction"}),
                "encode": ({"x"} | label, code),
                "decode": ({"code"} | label, {"reconstruction"})}
    if model.kind == "classifier":
        return {"serving_default": ({"x"}, {"probabilities", "features"})}
    if model.kind == "style transfer":
        stylize = ({"content", "style", "alpha"}, {"image"})
        return {"serving_default": stylize, "stylize": stylize,
                "encode": ({"image"}, {"features"}), "decode": ({"features"}, {"image"})}
    domains = range(len(c.feature_counts))  # radialgan
    expected = {f"encode_{i}": ({"x", "label"}, {"z"}) for i in domains}
    expected.update({f"decode_{i}": ({"z"}, {"features", "label_probabilities"})
                     for i in domains})
    expected.update({f"translate_{i}_to_{j}": ({"x", "label"},
                                               {"features", "label_probabilities"})
                     for i, j in itertools.permutations(domains, 2)})
    return expected


@pytest.mark.parametrize("name", NAMES)
def test_export_signature_names_and_dtypes(name):
    model = tiny_model(name).prepare()
    _, signatures = model.export_signatures()
    assert "serving_default" in signatures
    for signature, (input_names, output_names) in _expected_signatures(model).items():
        inputs, outputs = _signature_io(signatures[signature])
        assert set(inputs) == input_names, signature
        assert set(outputs) == output_names, signature
    for signature, function in signatures.items():
        inputs, outputs = _signature_io(function)
        for input_name, spec in inputs.items():  # labels are int32, everything else float32
            assert spec.dtype == (tf.int32 if input_name == "label" else tf.float32), \
                (signature, input_name)
        for output_name, spec in outputs.items():
            assert spec.dtype == tf.float32, (signature, output_name)
    if model.kind in ("gan", "autoencoder", "classifier") and not getattr(model, "points", 0):
        # images are NHWC; a progressive model serves its current resolution
        size = None if model.has_schedule else model.config.image_size
        shape = [None, size, size, model.config.channels]
        inputs, outputs = _signature_io(signatures["serving_default"])
        served = outputs["images"] if model.kind == "gan" else inputs["x"]
        assert [None if model.has_schedule and 0 < i < 3 else d
                for i, d in enumerate(served.shape.as_list())] == shape


# ------------------------------------------------------------------- sample shapes
@pytest.mark.parametrize("name", NAMES)
def test_what_a_model_makes_has_the_data_shape(name):
    model = tiny_model(name).prepare()
    c = model.config
    if model.kind == "gan":
        samples = model.sample(3, seed=1)
        shape = model.data_shape()
        if model.has_schedule:  # a progressive model samples at its current resolution
            shape = [*samples.shape[1:3], shape[-1]]
        assert samples.shape == (3, *shape)
        assert samples.min() >= 0.0 and samples.max() <= 1.0
        np.testing.assert_array_equal(samples, model.sample(3, seed=1))  # reproducible
        return
    images = np.random.default_rng(0).uniform(size=(3, c.image_size, c.image_size, c.channels)) \
        .astype(np.float32) if hasattr(c, "image_size") else None
    if model.kind == "autoencoder":
        labels = np.zeros(3, np.int32) if model.uses_labels() else None
        assert model.reconstruct(images, labels).shape == images.shape
        assert len(model.encode(images, labels)) == 3
    elif model.kind == "style transfer":  # several styles of their own sizes
        styles = [images[:1], images[:, :8]]
        assert model.stylize(images, styles, weights=[0.5, 0.5]).shape == images.shape
        assert model.encode(images).shape == (3, c.image_size // 8, c.image_size // 8, 512)
    elif model.kind == "classifier":
        probabilities, features = model.predict_batches(images)
        assert probabilities.shape == (3, model.num_classes())
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
        assert features.shape[0] == 3
    else:  # radialgan: domain 0's rows translated into domain 1
        x = np.zeros((3, c.feature_counts[0]), np.float32)
        features, probabilities = model.translate(x, np.zeros(3, np.int32), 0, 1)
        assert features.shape == (3, c.feature_counts[1])
        assert probabilities.shape == (3, c.num_classes)


# ------------------------------------------------------------- the EMA generator
def _serving_feeds(function, z):
    inputs, _ = _signature_io(function)
    feeds = {"z": z}
    if "label" in inputs:
        feeds["label"] = tf.zeros([z.shape[0]], tf.int32)
    if "truncation_psi" in inputs:  # psi = 1: no truncation
        feeds["truncation_psi"] = tf.ones([z.shape[0]], tf.float32)
    return feeds


@pytest.mark.parametrize("name", GAN_NAMES)
def test_the_ema_generator_is_what_ships(name):
    model = tiny_model(name, ema_decay=0.5).prepare()
    assert model.sampling_generator() is model.generator_ema
    _, signatures = model.export_signatures()
    serving = signatures["serving_default"]
    z = model.latent(2, seed=1)
    feeds = _serving_feeds(serving, z)
    output = "points" if model.points else "images"
    before = serving(**feeds)[output].numpy()
    for variable in model.generator.trainable_variables:  # the raw generator moves...
        variable.assign(variable + 0.5)
    np.testing.assert_array_equal(serving(**feeds)[output].numpy(), before)
    for ema_variable, variable in zip(model.generator_ema.weights, model.generator.weights):
        if variable.trainable:  # ...the EMA copy (not trainable itself) is what is served
            ema_variable.assign(ema_variable + 0.5)
    assert not np.allclose(serving(**feeds)[output].numpy(), before)
