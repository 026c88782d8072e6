"""Export contract (DESIGN.md section 5): TF Serving layout, atomic writes,
models.config, signatures with contracted names, ONNX parity with TensorFlow."""

import json
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_genzoo import runs
from keras_genzoo.export import onnx as onnx_export
from keras_genzoo.export.savedmodel import (
    ExportError,
    export_model,
    format_signatures,
    load_export,
    read_metadata,
    read_signatures,
    resolve_version_dir,
    write_models_config,
)

LATENT = 8
IMAGE = (8, 8, 1)
CODE = 3


def _perturb_batch_norm(network, seed):
    """Give BatchNormalization non-trivial moving statistics so that a
    signature accidentally running in training mode differs from inference."""
    rng = np.random.default_rng(seed)
    for layer in network.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            size = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.normal(0.5, 0.2, size).astype("float32"))
            layer.moving_variance.assign(rng.uniform(1.5, 3.0, size).astype("float32"))
            layer.gamma.assign(rng.uniform(0.5, 1.5, size).astype("float32"))
            layer.beta.assign(rng.normal(0.0, 0.3, size).astype("float32"))


def _generator():
    z = keras.Input((LATENT,), name="z")
    h = keras.layers.Dense(16)(z)
    h = keras.layers.Reshape((4, 4, 1))(h)
    h = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")(h)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Conv2D(1, 1)(h)
    images = keras.layers.Activation("sigmoid")(h)
    network = keras.Model(z, images, name="generator")
    _perturb_batch_norm(network, seed=1)
    return network


def _encoder_decoder():
    # seeded: the parity messages below quote values, which must not depend on the tests
    # that ran earlier in the same process (the global Keras seed state)
    keras.utils.set_random_seed(0)
    x = keras.Input(IMAGE, name="x")
    h = keras.layers.Conv2D(2, 3, strides=2, padding="same")(x)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Flatten()(h)
    code = keras.layers.Dense(CODE)(h)
    encoder = keras.Model(x, code, name="encoder")

    c = keras.Input((CODE,), name="code")
    h = keras.layers.Dense(16, activation="relu")(c)
    h = keras.layers.Reshape((4, 4, 1))(h)
    h = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same")(h)
    reconstruction = keras.layers.Activation("sigmoid")(h)
    decoder = keras.Model(c, reconstruction, name="decoder")
    _perturb_batch_norm(encoder, seed=2)
    return encoder, decoder


def generator_export():
    module = tf.Module()
    module.generator = _generator()

    @tf.function(input_signature=[tf.TensorSpec([None, LATENT], tf.float32, name="z")])
    def serving_default(z):
        return {"images": module.generator(z, training=False)}

    return module, {"serving_default": serving_default}


def autoencoder_export():
    module = tf.Module()
    module.encoder, module.decoder = _encoder_decoder()
    image_spec = tf.TensorSpec([None, *IMAGE], tf.float32, name="x")

    @tf.function(input_signature=[image_spec])
    def serving_default(x):
        code = module.encoder(x, training=False)
        return {"reconstruction": module.decoder(code, training=False)}

    @tf.function(input_signature=[image_spec])
    def encode(x):
        return {"code": module.encoder(x, training=False)}

    @tf.function(input_signature=[tf.TensorSpec([None, CODE], tf.float32, name="code")])
    def decode(code):
        return {"reconstruction": module.decoder(code, training=False)}

    # A ConcreteFunction is accepted as well as a polymorphic tf.function.
    return module, {
        "serving_default": serving_default,
        "encode": encode.get_concrete_function(),
        "decode": decode,
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """One generator and one autoencoder export with ONNX, shared by the read-only tests."""
    base = tmp_path_factory.mktemp("exports")
    gen_module, gen_signatures = generator_export()
    ae_module, ae_signatures = autoencoder_export()
    gen = export_model(gen_module, gen_signatures, base_dir=base, name="dcgan", metadata={"model": "dcgan"})
    ae = export_model(ae_module, ae_signatures, base_dir=base, name="ae", metadata={"model": "ae"})
    return base, (gen_module, gen), (ae_module, ae)


def _listing(base):
    return sorted(str(p.relative_to(base)) for p in base.rglob("*"))


def _models_config_entries(base):
    """``[(name, base_path)]`` of models.config, parsed with TF Serving's own proto."""
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = text_format.Parse((base / "models.config").read_text(),
                               model_server_config_pb2.ModelServerConfig())
    entries = config.model_config_list.config
    assert all(entry.model_platform == "tensorflow" for entry in entries)
    return [(entry.name, entry.base_path) for entry in entries]


# ----------------------------------------------------------------------------
# Layout, versions, models.config
# ----------------------------------------------------------------------------


def test_layout_and_models_config(exported):
    base, (_, gen), (_, ae) = exported
    assert gen.path == base / "dcgan" / "1" and gen.version == 1 and gen.name == "dcgan"
    assert (base / "dcgan" / "1" / "saved_model.pb").is_file()
    assert (base / "dcgan" / "1" / "variables").is_dir()
    assert (base / "ae" / "1" / "saved_model.pb").is_file()
    hidden = [p.name for p in base.iterdir() if p.name.startswith(".")]
    assert hidden == [], "staging, temp or lock leftovers"
    # Nothing but integer versions inside a model dir (TF Serving's scanner).
    assert sorted(p.name for p in (base / "ae").iterdir()) == ["1"]

    text = (base / "models.config").read_text()
    assert text.startswith("#")
    assert (
        'docker run -p 8500:8500 -p 8501:8501 -v "' in text
        and ':/models" tensorflow/serving --model_config_file=/models/models.config' in text
    )
    assert sorted(_models_config_entries(base)) == [("ae", "/models/ae"), ("dcgan", "/models/dcgan")]
    assert text.count("config {") == 2


def test_versions_increment_explicit_and_existing(tmp_path):
    module, signatures = generator_export()
    base = tmp_path / "exports"
    first = export_model(module, signatures, base_dir=base, name="gen", onnx=False)
    second = export_model(module, signatures, base_dir=base, name="gen", onnx=False)
    assert (first.version, second.version) == (1, 2)
    explicit = export_model(module, signatures, base_dir=base, name="gen", version=7, onnx=False)
    assert explicit.path == base / "gen" / "7" and (explicit.path / "saved_model.pb").is_file()
    assert export_model(module, signatures, base_dir=base, name="gen", onnx=False).version == 8
    assert explicit.onnx_files == {} and read_metadata(explicit.path)["onnx"] == {}

    before = _listing(base)
    config_before = (base / "models.config").read_text()
    with pytest.raises(ExportError, match=r"gen/2 already exists; pick another --version"):
        export_model(module, signatures, base_dir=base, name="gen", version=2, onnx=False)
    assert _listing(base) == before
    assert (base / "models.config").read_text() == config_before
    assert _models_config_entries(base) == [("gen", "/models/gen")]


@pytest.mark.parametrize("bad", ["", "../up", ".hidden", "a/b", "has space"])
def test_invalid_name(tmp_path, bad):
    module, signatures = generator_export()
    with pytest.raises(ExportError, match="invalid export name"):
        export_model(module, signatures, base_dir=tmp_path, name=bad, onnx=False)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_base_dir(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory")
    module, signatures = generator_export()
    with pytest.raises(ExportError, match=r"^cannot create export directory .*file\.txt/exports: "):
        export_model(module, signatures, base_dir=blocker / "exports", name="gen", onnx=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_models_config_lists_only_real_models(tmp_path):
    (tmp_path / "empty_model").mkdir()
    (tmp_path / "no_pb" / "1").mkdir(parents=True)
    (tmp_path / "ok" / "3").mkdir(parents=True)
    (tmp_path / "ok" / "3" / "saved_model.pb").write_bytes(b"")
    (tmp_path / ".staging-ok-x" / "1").mkdir(parents=True)
    (tmp_path / ".staging-ok-x" / "1" / "saved_model.pb").write_bytes(b"")
    path = write_models_config(tmp_path)
    assert path == tmp_path / "models.config"
    assert _models_config_entries(tmp_path) == [("ok", "/models/ok")]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["models.config"]


# ----------------------------------------------------------------------------
# Signatures: reload and compare with the Keras networks in inference mode
# ----------------------------------------------------------------------------


def test_generator_signature_matches_keras(exported):
    base, (module, _), _ = exported
    loaded = tf.saved_model.load(str(base / "dcgan" / "1"))
    assert list(loaded.signatures) == ["serving_default"]
    # Variables are saved as variables (not folded into constants), BN statistics included.
    saved = sorted(np.asarray(v).tobytes() for v in loaded.signatures["serving_default"].variables)
    assert saved == sorted(np.asarray(w).tobytes() for w in module.generator.weights)
    z = np.random.default_rng(5).standard_normal((3, LATENT)).astype("float32")
    outputs = loaded.signatures["serving_default"](z=tf.constant(z))
    assert list(outputs) == ["images"]
    assert outputs["images"].shape == (3, *IMAGE)
    expected = module.generator(z, training=False).numpy()
    np.testing.assert_allclose(outputs["images"].numpy(), expected, atol=1e-6)
    # The moving statistics matter: training-mode BN would give something else.
    # (A training call updates the moving statistics: restore them afterwards.)
    weights = module.generator.get_weights()
    try:
        assert np.abs(module.generator(z, training=True).numpy() - expected).max() > 1e-3
    finally:
        module.generator.set_weights(weights)


def test_autoencoder_signatures_match_keras(exported):
    base, _, (module, _) = exported
    loaded, signatures, metadata = load_export(base / "ae")
    assert list(signatures) == ["serving_default", "decode", "encode"]
    assert signatures["encode"] == {
        "inputs": {"x": {"dtype": "float32", "shape": [None, *IMAGE]}},
        "outputs": {"code": {"dtype": "float32", "shape": [None, CODE]}},
    }
    assert signatures["decode"]["inputs"] == {"code": {"dtype": "float32", "shape": [None, CODE]}}
    assert signatures["serving_default"]["outputs"] == {
        "reconstruction": {"dtype": "float32", "shape": [None, *IMAGE]}
    }
    assert metadata["model"] == "ae" and metadata["signatures"] == signatures

    x = np.random.default_rng(6).uniform(size=(5, *IMAGE)).astype("float32")
    code = module.encoder(x, training=False).numpy()
    encoded = loaded.signatures["encode"](x=tf.constant(x))
    assert list(encoded) == ["code"] and encoded["code"].shape == (5, CODE)
    np.testing.assert_allclose(encoded["code"].numpy(), code, atol=1e-6)
    decoded = loaded.signatures["decode"](code=tf.constant(code))
    np.testing.assert_allclose(decoded["reconstruction"].numpy(), module.decoder(code).numpy(), atol=1e-6)
    full = loaded.signatures["serving_default"](x=tf.constant(x))
    assert list(full) == ["reconstruction"] and full["reconstruction"].shape == (5, *IMAGE)
    np.testing.assert_allclose(full["reconstruction"].numpy(), module.decoder(code).numpy(), atol=1e-6)


# ----------------------------------------------------------------------------
# ONNX
# ----------------------------------------------------------------------------


def test_onnx_files_names_and_parity(exported):
    import onnx

    base, (gen_module, gen), (ae_module, ae) = exported
    contract = {
        ("dcgan", "serving_default"): (["z"], ["images"]),
        ("ae", "serving_default"): (["x"], ["reconstruction"]),
        ("ae", "encode"): (["x"], ["code"]),
        ("ae", "decode"): (["code"], ["reconstruction"]),
    }
    for result in (gen, ae):
        assert set(result.onnx_files) == {sig for (name, sig) in contract if name == result.name}
        metadata = read_metadata(result.path)
        for signature, path in result.onnx_files.items():
            assert path == result.path / "assets.extra" / "onnx" / f"{signature}.onnx" and path.is_file()
            model = onnx.load(str(path))
            inputs, outputs = contract[(result.name, signature)]
            assert [
                i.name for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}
            ] == inputs
            assert [o.name for o in model.graph.output] == outputs
            assert {op.version for op in model.opset_import if op.domain in ("", "ai.onnx")} == {17}
            assert 0.0 <= result.onnx_max_abs_diff[signature] <= 1e-4
            assert metadata["onnx"][signature]["file"] == f"assets.extra/onnx/{signature}.onnx"
            assert metadata["onnx"][signature]["max_abs_diff"] == pytest.approx(
                result.onnx_max_abs_diff[signature]
            )

    # Independent of the export's own check: ONNX vs the Keras networks.
    z = np.random.default_rng(7).standard_normal((6, LATENT)).astype("float32")
    images = onnx_export.run_onnx(gen.onnx_files["serving_default"], {"z": z})
    assert list(images) == ["images"]
    np.testing.assert_allclose(images["images"], gen_module.generator(z, training=False).numpy(), atol=1e-4)
    x = np.random.default_rng(8).uniform(size=(2, *IMAGE)).astype("float32")
    code = onnx_export.run_onnx(ae.onnx_files["encode"], {"x": x})["code"]
    np.testing.assert_allclose(code, ae_module.encoder(x, training=False).numpy(), atol=1e-4)


def test_onnx_names_are_restored_by_position(tmp_path):
    """Older tf2onnx releases name graph values after TF tensors ("z:0",
    "Identity:0"); the positional fallback must still give contracted names."""
    import onnx

    module, signatures = autoencoder_export()
    path = onnx_export.convert_signature(
        signatures["encode"],
        [tf.TensorSpec([None, *IMAGE], tf.float32, name="x")],
        tmp_path / "e.onnx",
        output_names=["code"],
    )
    model = onnx.load(str(path))
    onnx_export._rename_value(model.graph, "x", "x:0")
    onnx_export._rename_value(model.graph, "code", "Identity:0")
    onnx_export._fix_names(model, ["x"], ["code"], ["code"])
    assert [i.name for i in model.graph.input] == ["x"] and [o.name for o in model.graph.output] == ["code"]
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    x = np.random.default_rng(9).uniform(size=(2, *IMAGE)).astype("float32")
    np.testing.assert_allclose(
        onnx_export.run_onnx(path, {"x": x})["code"], module.encoder(x, training=False).numpy(), atol=1e-4
    )


def test_max_abs_diff():
    a = {"y": np.array([1.0, 2.0]), "w": np.zeros((2, 2))}
    assert onnx_export.max_abs_diff(a, {"y": np.array([1.0, 2.5]), "w": np.zeros((2, 2))}) == pytest.approx(
        0.5
    )
    assert onnx_export.max_abs_diff({"y": np.array([np.nan])}, {"y": np.array([np.nan])}) == 0.0
    assert onnx_export.max_abs_diff({"y": np.array([np.nan])}, {"y": np.array([0.0])}) == np.inf
    with pytest.raises(ExportError):
        onnx_export.max_abs_diff({"y": np.zeros(2)}, {"z": np.zeros(2)})
    with pytest.raises(ExportError):
        onnx_export.max_abs_diff({"y": np.zeros(2)}, {"y": np.zeros(3)})


def test_parity_failure_leaves_nothing(tmp_path, monkeypatch):
    base = tmp_path / "exports"
    module, signatures = autoencoder_export()
    export_model(module, signatures, base_dir=base, name="keep", onnx=False)
    before = _listing(base)
    real_run = onnx_export.run_onnx

    def perturbed(path, inputs):
        outputs = real_run(path, inputs)
        if "code" in outputs:  # only the encode signature drifts
            outputs["code"] = outputs["code"] + 3.2e-3
        return outputs

    monkeypatch.setattr(onnx_export, "run_onnx", perturbed)
    with pytest.raises(
        ExportError, match=r"^ONNX parity failed for signature encode: max abs diff 3\.2e-03 > 1e-04$"
    ):
        export_model(module, signatures, base_dir=base, name="ae", metadata={"model": "ae"})
    with pytest.raises(ExportError, match="ONNX parity failed for signature encode"):
        export_model(module, signatures, base_dir=base, name="keep")
    assert _listing(base) == before  # no ae/, no keep/2, no staging dir, same models.config
    assert _models_config_entries(base) == [("keep", "/models/keep")]


def test_conversion_failure_leaves_nothing(tmp_path, monkeypatch):
    base = tmp_path / "exports"

    def broken(*args, **kwargs):
        raise RuntimeError("unsupported op Foo\nmore detail")

    monkeypatch.setattr(onnx_export, "convert_signature", broken)
    module, signatures = generator_export()
    with pytest.raises(ExportError) as info:
        export_model(module, signatures, base_dir=base, name="gen")
    message = str(info.value)
    assert "\n" not in message and "serving_default" in message and "unsupported op Foo" in message
    assert [p.name for p in base.iterdir()] == []


def test_explicit_parity_inputs_are_used(tmp_path, monkeypatch):
    seen = {}
    real_run = onnx_export.run_onnx

    def spy(path, inputs):
        seen.update(inputs)
        return real_run(path, inputs)

    monkeypatch.setattr(onnx_export, "run_onnx", spy)
    module, signatures = generator_export()
    z = np.full((2, LATENT), 0.25, dtype="float64")
    result = export_model(
        module, signatures, base_dir=tmp_path, name="gen", parity_inputs={"serving_default": {"z": z}}
    )
    assert seen["z"].dtype == np.float32 and seen["z"].shape == (2, LATENT)
    assert result.onnx_max_abs_diff["serving_default"] <= 1e-4


def test_missing_onnx_extra(tmp_path, monkeypatch):
    import sys

    # A None entry in sys.modules makes "import tf2onnx" raise ImportError.
    monkeypatch.setitem(sys.modules, "tf2onnx", None)
    module, signatures = generator_export()
    hint = "ONNX export needs the 'onnx' extra: pip install 'keras-genzoo[onnx]' (or pass --no-onnx)"
    with pytest.raises(ExportError, match=f"^{re.escape(hint)}$"):
        export_model(module, signatures, base_dir=tmp_path, name="gen")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------
# Reading exports back
# ----------------------------------------------------------------------------


def test_resolve_version_dir(tmp_path, exported):
    base, (_, gen), _ = exported
    assert resolve_version_dir(gen.path) == gen.path
    # Model dir -> largest integer version with a saved_model.pb (numeric, not lexical order).
    model = tmp_path / "m"
    for version in ("2", "10", "9"):
        (model / version).mkdir(parents=True)
        (model / version / "saved_model.pb").write_bytes(b"")
    (model / "11").mkdir()  # no saved_model.pb: not a version
    assert resolve_version_dir(model) == model / "10"
    with pytest.raises(ExportError, match="^not a SavedModel or model directory: "):
        resolve_version_dir(tmp_path / "nowhere")
    (tmp_path / "random").mkdir()
    with pytest.raises(ExportError, match="^not a SavedModel or model directory: "):
        resolve_version_dir(tmp_path / "random")


def test_format_signatures_and_metadata(exported):
    base, _, (_, ae) = exported
    text = format_signatures(base / "ae")
    assert str(ae.path) in text
    for word in ("serving_default", "encode", "decode", "x", "code", "reconstruction", "float32"):
        assert word in text
    assert "(-1, 8, 8, 1)" in text and "(-1, 3)" in text
    assert "assets.extra/onnx/encode.onnx" in text
    assert text.index("'serving_default'") < text.index("'decode'") < text.index("'encode'")
    assert ("TF Serving: warmup assets.extra/tf_serving_warmup_requests; "
            "model version policy latest") in text

    metadata = json.loads((ae.path / "assets.extra" / "genzoo.json").read_text())
    assert metadata == read_metadata(ae.path)
    assert metadata["export"]["name"] == "ae" and metadata["export"]["version"] == 1
    assert set(metadata["signatures"]) == {"serving_default", "encode", "decode"}
    assert read_signatures(ae.path) == metadata["signatures"]


def test_disk_failure_at_rename_leaves_nothing(tmp_path, monkeypatch):
    import errno
    import os

    def full_disk(source, destination):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("keras_genzoo.export.savedmodel.os.rename", full_disk)
    module, signatures = generator_export()
    with pytest.raises(ExportError, match=r"^export to .*gen/1 failed: No space left on device$"):
        export_model(module, signatures, base_dir=tmp_path, name="gen", onnx=False)
    # no staging dir, no empty gen/, no models.config, no lock file
    assert [p.name for p in tmp_path.iterdir()] == []


def test_parity_is_absolute_up_to_one_and_relative_above():
    from keras_genzoo.export.onnx import max_scaled_diff

    # 2e-4 off a value of 1000 is float32 round-off (2e-7 relative): passes 1e-4
    assert max_scaled_diff({"y": np.array([1000.0002])}, {"y": np.array([1000.0])}) < 1e-6
    # the same 2e-4 off an image value of 0.5 stays absolute
    assert max_scaled_diff({"y": np.array([0.5002])}, {"y": np.array([0.5])}) == \
        pytest.approx(2e-4)
    assert max_scaled_diff({"y": np.array([np.nan])}, {"y": np.array([1.0])}) == np.inf


# ----------------------------------------------------------------------------
# One export at a time per root; leftovers; failures in one line
# ----------------------------------------------------------------------------


def test_a_locked_export_root_refuses_a_second_export(tmp_path):
    import os

    base = tmp_path / "exports"
    module, signatures = generator_export()
    export_model(module, signatures, base_dir=base, name="gen", onnx=False)
    before, config_before = _listing(base), (base / "models.config").read_text()
    # flock conflicts between two opens in one process too: this stands for another export
    with runs.directory_lock(base, runs.EXPORT_LOCK, what="an export"):
        with pytest.raises(runs.GenzooError) as info:
            export_model(module, signatures, base_dir=base, name="gen", onnx=False)
        with pytest.raises(runs.GenzooError, match="in use by another genzoo process"):
            export_model(module, signatures, base_dir=base, name="other", onnx=False)
    message = str(info.value)
    assert "\n" not in message and f"(pid {os.getpid()}, an export)" in message
    assert str(base) in message
    assert _listing(base) == before and (base / "models.config").read_text() == config_before
    # released: the next export goes through and takes the next version
    assert export_model(module, signatures, base_dir=base, name="gen", onnx=False).version == 2


@pytest.mark.parametrize("opset", [1, 13, 19])
def test_unsupported_opset_fails_before_anything_and_quietly(tmp_path, capfd, opset):
    base = tmp_path / "exports"
    module, signatures = generator_export()
    capfd.readouterr()
    with pytest.raises(ExportError) as info:
        export_model(module, signatures, base_dir=base, name="gen", opset=opset)
    message = str(info.value)
    assert message == (f"ONNX opset {opset} is not supported: tf2onnx converts opsets 14 to 18 "
                       "(pass --opset in that range, or --no-onnx)")
    assert not base.exists()  # no base dir, no lock file
    err = capfd.readouterr().err
    assert "tf2onnx" not in err and "Traceback" not in err


def test_bad_requests_create_neither_base_dir_nor_lock(tmp_path, monkeypatch):
    import sys

    base = tmp_path / "exports"
    module, signatures = generator_export()
    export_model(module, signatures, base_dir=base, name="gen", version=3, onnx=False)
    lock = base / runs.EXPORT_LOCK
    assert not lock.exists()  # released and removed
    before = _listing(base)
    with pytest.raises(ExportError, match="gen/3 already exists"):
        export_model(module, signatures, base_dir=base, name="gen", version=3, onnx=False)
    monkeypatch.setitem(sys.modules, "tf2onnx", None)
    with pytest.raises(ExportError, match="needs the 'onnx' extra"):
        export_model(module, signatures, base_dir=tmp_path / "new", name="gen")
    assert _listing(base) == before and not lock.exists() and not (tmp_path / "new").exists()


def test_leftover_staging_dirs_are_removed_under_the_lock(tmp_path):
    base = tmp_path / "exports"
    (base / ".staging-dcgan-abc").mkdir(parents=True)
    (base / ".staging-dcgan-abc" / "saved_model.pb").write_bytes(b"half")
    (base / ".staging-other-x" / "variables").mkdir(parents=True)
    (base / ".models.config.k2j3.tmp").write_text("half a config")
    (base / ".not-ours").mkdir()
    module, signatures = generator_export()
    export_model(module, signatures, base_dir=base, name="dcgan", onnx=False)
    assert sorted(p.name for p in base.iterdir()) == [".not-ours", "dcgan", "models.config"]


def test_lock_files_are_not_versions_or_models(exported, tmp_path):
    from keras_genzoo.export.exported import ExportedModel

    base, (_, gen), _ = exported
    assert resolve_version_dir(base / "dcgan") == gen.path
    # what killed processes leave: an export lock in the root, an eval lock in the
    # version dir, a stray lock file in the model dir
    (base / runs.EXPORT_LOCK).write_text("1\n")
    (gen.path / runs.EVAL_LOCK).write_text("1\n")
    (base / "dcgan" / runs.EXPORT_LOCK).write_text("1\n")
    try:
        assert resolve_version_dir(base / "dcgan") == gen.path
        assert ExportedModel(base / "dcgan").version_dir == gen.path
        assert "signature 'serving_default'" in format_signatures(base / "dcgan")
        copy = tmp_path / "copy"
        copy.mkdir()
        (copy / runs.EXPORT_LOCK).write_text("1\n")
        (copy / "m" / "1").mkdir(parents=True)
        (copy / "m" / "1" / "saved_model.pb").write_bytes(b"")
        write_models_config(copy)
        assert _models_config_entries(copy) == [("m", "/models/m")]
    finally:
        (base / runs.EXPORT_LOCK).unlink()
        (gen.path / runs.EVAL_LOCK).unlink()
        (base / "dcgan" / runs.EXPORT_LOCK).unlink()


def _nan_export(value=np.nan):
    module = tf.Module()
    module.scale = tf.Variable(value, dtype=tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def serving_default(x):
        return {"y": x * module.scale}

    return module, {"serving_default": serving_default}


@pytest.mark.parametrize("onnx", [False, True])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_a_diverged_model_is_not_exported(tmp_path, onnx, value):
    base = tmp_path / "exports"
    module, signatures = _nan_export(value)
    with pytest.raises(ExportError) as info:
        export_model(module, signatures, base_dir=base, name="diverged", onnx=onnx)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("signature serving_default output 'y' is not finite (NaN/Inf)")
    assert [p.name for p in base.iterdir()] == []
    # the same with the model's own parity inputs
    with pytest.raises(ExportError, match="is not finite"):
        export_model(module, signatures, base_dir=base, name="diverged", onnx=onnx,
                     parity_inputs={"serving_default": {"x": np.ones((2, 3))}})


def test_onnx_nan_where_tensorflow_is_finite_fails_parity(tmp_path, monkeypatch):
    base = tmp_path / "exports"
    real_run = onnx_export.run_onnx

    def one_nan(path, inputs):
        outputs = real_run(path, inputs)
        outputs["images"] = outputs["images"].copy()
        outputs["images"].flat[3] = np.nan  # otherwise identical
        return outputs

    monkeypatch.setattr(onnx_export, "run_onnx", one_nan)
    module, signatures = generator_export()
    with pytest.raises(ExportError, match=r"^ONNX parity failed for signature serving_default: "
                       r"ONNX output 'images' is not finite \(NaN/Inf\) where TensorFlow's is$"):
        export_model(module, signatures, base_dir=base, name="gen")
    assert [p.name for p in base.iterdir()] == []


def test_parity_diffs_count_one_sided_nan_and_inf():
    from keras_genzoo.export.onnx import first_nonfinite, max_scaled_diff

    # a NaN reference must not scale the difference away (it used to give 0.0)
    assert max_scaled_diff({"y": np.array([1.0])}, {"y": np.array([np.nan])}) == np.inf
    assert max_scaled_diff({"y": np.array([np.inf])}, {"y": np.array([5.0])}) == np.inf
    assert max_scaled_diff({"y": np.array([np.inf])}, {"y": np.array([-np.inf])}) == np.inf
    assert max_scaled_diff({"y": np.array([np.inf, 2.0])}, {"y": np.array([np.inf, 2.0])}) == 0.0
    assert onnx_export.max_abs_diff({"y": np.array([-np.inf])}, {"y": np.array([1.0])}) == np.inf
    assert first_nonfinite({"a": np.ones(2), "b": np.array([1.0, np.inf])}) == "b"
    assert first_nonfinite({"a": np.ones(2), "n": np.arange(3)}) is None


def _noisy_from_function(monkeypatch):
    """tf2onnx's conversion, preceded by noise on every channel tf2onnx and TF use."""
    import logging
    import os
    import sys

    import tf2onnx

    real = tf2onnx.convert.from_function

    def noisy(*args, **kwargs):
        logging.getLogger("tf2onnx.tfonnx").error("NOISE-LOG Failed to convert node")
        logging.getLogger("tf2onnx").warning("NOISE-WARN")
        print("NOISE-PRINT", file=sys.stderr)
        os.write(2, b"NOISE-FD E0000 cuda_platform.cc\n")
        import warnings

        warnings.warn("NOISE-WARNING")
        return real(*args, **kwargs)

    monkeypatch.setattr(tf2onnx.convert, "from_function", noisy)


@pytest.mark.filterwarnings("ignore:NOISE-WARNING")
@pytest.mark.parametrize("verbose", [False, True])
def test_tf2onnx_output_stays_off_the_terminal_unless_verbose(tmp_path, capfd, caplog,
                                                             monkeypatch, verbose):
    import logging

    _noisy_from_function(monkeypatch)
    caplog.set_level(logging.DEBUG)
    module, signatures = generator_export()
    capfd.readouterr()
    result = export_model(module, signatures, base_dir=tmp_path, name="gen", verbose=verbose)
    assert result.onnx_max_abs_diff["serving_default"] <= 1e-4
    err = capfd.readouterr().err + caplog.text
    for noise in ("NOISE-LOG", "NOISE-PRINT", "NOISE-FD"):
        assert (noise in err) == verbose, (noise, err)
    # the loggers are as they were
    assert not logging.getLogger("tf2onnx").disabled
    assert not logging.getLogger("tf2onnx.tfonnx").disabled
    assert logging.getLogger("tf2onnx").level != logging.CRITICAL + 1


def test_a_real_conversion_failure_is_one_quiet_line(tmp_path, capfd):
    """tf2onnx logs "Tensorflow op [Digamma] is not supported" (and converts anyway):
    onnxruntime then refuses the graph; the user sees one line only."""
    module = tf.Module()

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def serving_default(x):
        return {"y": tf.math.digamma(x + 1.0)}

    import logging
    import sys

    # the CLI's logging: a root handler on stderr (pytest's own handler would take the records)
    handler = logging.StreamHandler(sys.stderr)
    logging.getLogger().addHandler(handler)
    capfd.readouterr()
    try:
        with pytest.raises(ExportError) as info:
            export_model(module, {"serving_default": serving_default}, base_dir=tmp_path,
                         name="dg")
    finally:
        logging.getLogger().removeHandler(handler)
    assert "\n" not in str(info.value) and "serving_default" in str(info.value)
    err = capfd.readouterr().err
    assert "Digamma" not in err and "not supported" not in err and "Traceback" not in err, err
    assert [p.name for p in tmp_path.iterdir()] == []  # nothing left, the lock file included


def _leftovers(base):
    return [p.name for p in base.iterdir() if p.name != runs.EXPORT_LOCK]


def test_write_errors_are_one_line_naming_the_path(tmp_path, monkeypatch):
    import errno
    import os

    module, signatures = generator_export()

    def denied(*args, **kwargs):
        raise tf.errors.PermissionDeniedError(
            None, None, "/exports/.staging-gen-x/variables; Permission denied\nmore detail")

    with monkeypatch.context() as patch:
        patch.setattr(tf.saved_model, "save", denied)
        with pytest.raises(ExportError, match=r"^export to .*gen/1 failed: "
                           r"/exports/\.staging-gen-x/variables; Permission denied$"):
            export_model(module, signatures, base_dir=tmp_path, name="gen", onnx=False)
    assert _leftovers(tmp_path) == []

    import onnx

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(onnx, "save", full)
        with pytest.raises(ExportError, match=r"^export to .*gen/1 failed: No space left on device$"):
            export_model(module, signatures, base_dir=tmp_path, name="gen")
    assert _leftovers(tmp_path) == []

    with monkeypatch.context() as patch:
        patch.setattr(runs, "write_text", full)  # genzoo.json
        with pytest.raises(ExportError, match=r"^export to .*gen/1 failed: No space left on device$"):
            export_model(module, signatures, base_dir=tmp_path, name="gen", onnx=False)
    assert _leftovers(tmp_path) == []
