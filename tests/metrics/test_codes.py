"""``encode_dataset`` (genzoo encode): codes, labels, metadata, the 2-D plot, errors."""

import numpy as np
import pytest

from helpers import TINY_DCGAN
from keras_genzoo.data import open_source
from keras_genzoo.errors import GenzooError
from keras_genzoo.commands.encode import encode_dataset
from keras_genzoo.metrics.codes import code_array
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import trainer

AE_2D = {"architecture": "dense", "image_size": "8", "code_dim": "2", "hidden_units": "16"}


@pytest.fixture(scope="module")
def ae_2d_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("codes") / "ae2d"
    plan = plan_lib.resolve_plan("ae", preset="dense", overrides=AE_2D, out_dir=str(out),
                                steps=3, batch_size=32)
    trainer.train(plan, verbose=0)
    return out


def test_codes_equal_model_encode_with_labels_and_metadata(ae_2d_run, tmp_path):
    out = encode_dataset(ae_2d_run, out=tmp_path / "codes.npz")
    assert out == tmp_path / "codes.npz"
    data = np.load(out)  # no pickles needed
    source = open_source("digits", image_size=8, channels=1, split="test")
    images, labels = next(iter(source.elements().batch(10_000)))
    model, _ = runs.load_trained_model(ae_2d_run)
    assert data["codes"].shape == (source.num_examples, 2) and data["codes"].dtype == np.float32
    np.testing.assert_allclose(data["codes"], model.encode(images.numpy()), atol=1e-6)
    np.testing.assert_array_equal(data["labels"], labels.numpy())
    assert set(np.unique(data["labels"])) == set(range(10))
    assert str(data["model"]) == "ae" and str(data["dataset"]) == "digits"
    assert str(data["split"]) == "test" and str(data["preset"]) == "dense"
    # 2-D codes: a scatter plot next to the file
    png = tmp_path / "codes.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_limit_and_other_split(ae_2d_run, tmp_path):
    out = encode_dataset(ae_2d_run, "digits", split="train", out=tmp_path / "train.npz",
                         limit=70)
    data = np.load(out)
    images = open_source("digits", image_size=8, channels=1, split="train").take_images(70)
    model, _ = runs.load_trained_model(ae_2d_run)
    np.testing.assert_allclose(data["codes"], model.encode(images), atol=1e-6)
    assert data["labels"].shape == (70,) and str(data["split"]) == "train"


def test_gan_run_is_refused_before_anything_is_written(tmp_path):
    plan = plan_lib.resolve_plan("dcgan", overrides={k: str(v) for k, v in TINY_DCGAN.items()},
                                out_dir=str(tmp_path / "gan"), steps=1)
    runs.write_run_config(plan.out_dir, plan.to_json())
    out = tmp_path / "out" / "codes.npz"
    with pytest.raises(GenzooError, match=r"needs an autoencoder run; .*gan is a gan \(dcgan\)"):
        encode_dataset(tmp_path / "gan", out=out)
    assert not out.exists() and not (tmp_path / "out").exists()


def test_bad_dataset_is_a_one_line_error_and_writes_nothing(ae_2d_run, tmp_path):
    with pytest.raises(GenzooError):
        encode_dataset(ae_2d_run, f"idx:{tmp_path / 'missing'}", out=tmp_path / "c.npz")
    assert not (tmp_path / "c.npz").exists()


def test_code_array_takes_the_posterior_mean():
    mean, log_var = np.ones((3, 2)), np.zeros((3, 2))
    np.testing.assert_array_equal(code_array((mean, log_var)), mean)
    np.testing.assert_array_equal(code_array({"mean": mean, "log_var": log_var}), mean)
    np.testing.assert_array_equal(code_array(mean), mean)


def test_vae_codes_are_the_posterior_mean(tmp_path):
    plan = plan_lib.resolve_plan("vae", preset="dense", out_dir=str(tmp_path / "vae"), steps=2,
                                batch_size=32, overrides={"image_size": "8", "code_dim": "3",
                                                          "hidden_units": "16"})
    trainer.train(plan, verbose=0)
    data = np.load(encode_dataset(tmp_path / "vae", out=tmp_path / "vae.npz", limit=40))
    model, _ = runs.load_trained_model(tmp_path / "vae")
    images = open_source("digits", image_size=8, channels=1, split="test").take_images(40)
    mean, _ = model.encode_distribution(images)
    np.testing.assert_allclose(data["codes"], mean, atol=1e-6)
    assert not (tmp_path / "vae.png").exists()  # 3-D codes: no scatter plot
