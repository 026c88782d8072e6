"""Exporting trained runs: DESIGN.md section 5 signatures, reload, ONNX parity, sampling."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_AE, TINY_DCGAN
from keras_genzoo.errors import GenzooError
from keras_genzoo.commands.export import export_run
from keras_genzoo.export.onnx import run_onnx
from keras_genzoo.export.savedmodel import read_metadata, read_signatures
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import trainer
from keras_genzoo.commands.sample import holdout_examples, sample_grid
from keras_genzoo.models.base import interleave_rows


def _trained(model, config, out, steps=2):
    plan = plan_lib.resolve_plan(model, overrides={k: str(v) for k, v in config.items()},
                                out_dir=str(out), steps=steps, batch_size=64)
    trainer.train(plan, verbose=0)
    return out


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    return _trained("dcgan", TINY_DCGAN, tmp_path_factory.mktemp("dcgan") / "run")


@pytest.fixture(scope="module")
def ae_run(tmp_path_factory):
    return _trained("ae", TINY_AE, tmp_path_factory.mktemp("ae") / "run")


def test_dcgan_export_signature_reload_and_onnx(dcgan_run, tmp_path):
    result = export_run(dcgan_run, tmp_path / "exports")
    assert result.path == tmp_path / "exports" / "dcgan" / "1"
    signatures = read_signatures(result.path)
    assert list(signatures) == ["serving_default"]
    assert signatures["serving_default"]["inputs"] == {
        "z": {"dtype": "float32", "shape": [None, TINY_DCGAN["latent_dim"]]}
    }
    assert signatures["serving_default"]["outputs"]["images"]["shape"] == [None, 16, 16, 1]

    model, _ = runs.load_trained_model(dcgan_run)
    z = np.random.default_rng(0).normal(size=(5, TINY_DCGAN["latent_dim"])).astype(np.float32)
    served = tf.saved_model.load(str(result.path)).signatures["serving_default"](z=z)["images"]
    np.testing.assert_allclose(served.numpy(), model.generate(z).numpy(), atol=1e-6)
    assert 0.0 <= served.numpy().min() and served.numpy().max() <= 1.0

    onnx_images = run_onnx(result.onnx_files["serving_default"], {"z": z})["images"]
    assert np.max(np.abs(onnx_images - served.numpy())) <= 1e-4
    assert result.onnx_max_abs_diff["serving_default"] <= 1e-4
    metadata = read_metadata(result.path)
    assert metadata["model"] == "dcgan" and metadata["step"] == 2

    # a second export is version 2 and models.config lists the model once
    assert export_run(dcgan_run, tmp_path / "exports", onnx=False).version == 2
    assert (tmp_path / "exports" / "models.config").read_text().count('name: "dcgan"') == 1


def test_autoencoder_export_has_its_signatures(ae_run, tmp_path):
    result = export_run(ae_run, tmp_path / "exports", name="digits-ae", version=3)
    assert result.path.name == "3" and result.path.parent.name == "digits-ae"
    signatures = read_signatures(result.path)
    assert set(signatures) == {"serving_default", "encode", "decode", "decode_stochastic"}
    assert list(signatures["serving_default"]["inputs"]) == ["x"]
    assert list(signatures["serving_default"]["outputs"]) == ["reconstruction"]
    assert signatures["encode"]["outputs"]["code"]["shape"] == [None, TINY_AE["code_dim"]]
    assert list(signatures["decode"]["inputs"]) == ["code"]

    model, _ = runs.load_trained_model(ae_run)
    x = np.random.default_rng(1).uniform(size=(3, 16, 16, 1)).astype(np.float32)
    loaded = tf.saved_model.load(str(result.path))
    code = loaded.signatures["encode"](x=x)["code"].numpy()
    np.testing.assert_allclose(code, model.encode(x), atol=1e-5)
    np.testing.assert_allclose(loaded.signatures["decode"](code=code)["reconstruction"].numpy(),
                               model.decode(code), atol=1e-5)
    for signature, feeds in {"serving_default": {"x": x}, "encode": {"x": x},
                             "decode": {"code": code}}.items():
        tf_out = {k: v.numpy() for k, v in loaded.signatures[signature](**feeds).items()}
        onnx_out = run_onnx(result.onnx_files[signature], feeds)
        assert set(onnx_out) == set(tf_out)
        for key in tf_out:
            assert np.max(np.abs(onnx_out[key] - tf_out[key])) <= 1e-4, (signature, key)


def test_export_of_a_run_without_checkpoints_writes_nothing(tmp_path):
    plan = plan_lib.resolve_plan("ae", out_dir=str(tmp_path / "empty"), steps=1)
    runs.write_run_config(plan.out_dir, plan.to_json())
    with pytest.raises(GenzooError, match="no checkpoints"):
        export_run(tmp_path / "empty", tmp_path / "exports")
    assert not (tmp_path / "exports").exists()


def test_sample_from_run_and_from_export_agree(dcgan_run, tmp_path):
    from PIL import Image

    export = export_run(dcgan_run, tmp_path / "exports", onnx=False)
    a = sample_grid(dcgan_run, num=6, out=tmp_path / "a.png", seed=5)
    b = sample_grid(export.path.parent, num=6, out=tmp_path / "b.png", seed=5)
    pixels_a, pixels_b = np.asarray(Image.open(a)), np.asarray(Image.open(b))
    assert pixels_a.shape == pixels_b.shape
    assert np.abs(pixels_a.astype(int) - pixels_b.astype(int)).max() <= 1
    c = np.asarray(Image.open(sample_grid(dcgan_run, num=6, out=tmp_path / "c.png", seed=6)))
    assert not np.array_equal(pixels_a, c)


def test_autoencoder_sample_shows_inputs_above_reconstructions(ae_run, tmp_path):
    inputs = holdout_examples("digits", 8, 16, 1)[0]
    model, _ = runs.load_trained_model(ae_run)
    grid = interleave_rows(inputs, model.reconstruct(inputs))
    np.testing.assert_array_equal(grid[:8], inputs)
    np.testing.assert_allclose(grid[8:], model.reconstruct(inputs), atol=1e-6)
    out = sample_grid(ae_run, num=8, out=tmp_path / "ae.png")
    assert out.stat().st_size > 100


def test_autoencoder_sample_seed_picks_other_holdout_images():
    first = holdout_examples("digits", 8, 16, 1)[0]
    np.testing.assert_array_equal(first, holdout_examples("digits", 8, 16, 1, seed=0)[0])
    other = holdout_examples("digits", 8, 16, 1, seed=4)[0]
    assert other.shape == first.shape and not np.array_equal(other, first)
    np.testing.assert_array_equal(other, holdout_examples("digits", 8, 16, 1, seed=4)[0])


def test_cli_export_with_an_unsupported_opset_is_one_quiet_line(dcgan_run, tmp_path, capfd):
    """Refused before the run's model is restored and before tf2onnx runs: no
    tracebacks from tf2onnx, no export directory, no lock file."""
    from zoo_cli.main import main

    capfd.readouterr()
    code = main(["export", str(dcgan_run), "--to", str(tmp_path / "exports"), "--opset", "1"])
    captured = capfd.readouterr()
    assert code == 2, captured
    assert captured.err.strip() == (
        "genzoo: error: ONNX opset 1 is not supported: tf2onnx converts opsets 14 to 18 "
        "(pass --opset in that range, or --no-onnx)"), captured.err
    assert not (tmp_path / "exports").exists()


def test_export_run_passes_verbose_through(dcgan_run, tmp_path, monkeypatch):
    from keras_genzoo.commands import export as export_command

    seen = {}
    real = export_command.export_model

    def spy(*args, **kwargs):
        seen["verbose"] = kwargs["verbose"]
        return real(*args, **kwargs)

    monkeypatch.setattr(export_command, "export_model", spy)
    assert export_command.export_and_report(dcgan_run, tmp_path / "e", onnx=False,
                                            verbose=True) == 0
    assert seen == {"verbose": True}


def test_cli_export_prints_warmup_and_served_versions(dcgan_run, tmp_path, capsys):
    from zoo_cli.main import main

    exports = tmp_path / "exports"
    argv = ["export", str(dcgan_run), "--to", str(exports), "--no-onnx"]
    assert main(argv + ["--version-policy", "latest:2"]) == 0
    out = capsys.readouterr().out
    assert f"TF Serving warmup requests: {exports / 'dcgan' / '1'}" in out
    assert "models.config serves dcgan version(s) 1 (--version-policy latest:2)" in out
    assert main(argv + ["--no-warmup"]) == 0  # the policy is kept
    out = capsys.readouterr().out
    assert "warmup requests" not in out and "serves dcgan version(s) 1, 2 (--version-policy latest:2)" in out
    assert not (exports / "dcgan" / "2" / "assets.extra" / "tf_serving_warmup_requests").exists()
    assert main(argv + ["--version-policy", "specific:1"]) == 0
    out = capsys.readouterr().out
    assert "serves dcgan version(s) 1 (--version-policy specific:1)" in out
    assert "version 3 is not served" in out
