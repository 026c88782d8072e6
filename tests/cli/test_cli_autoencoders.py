"""The autoencoder family through the CLI: manifold, encode, and its bad input."""


import numpy as np
import pytest

from zoo_cli.main import main

from test_cli import _fails_cleanly  # noqa: E402  (tests/cli is on sys.path under pytest)


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    assert main(["train", "dcgan", "--set", "base_filters=8", "--set", "latent_dim=8",
                 "--image-size", "8", "--steps", "1", "--out", str(root / "gan")]) == 0
    assert main(["train", "ae", "--preset", "dense", "--set", "code_dim=2", "--set",
                 "hidden_units=16", "--image-size", "8", "--steps", "3",
                 "--out", str(root / "ae")]) == 0
    return root


def test_manifold_and_encode_on_an_autoencoder(tiny_runs, tmp_path, capsys):
    assert main(["manifold", str(tiny_runs / "ae"), "--out", str(tmp_path / "m.png"),
                 "--num", "2", "--directions", "2"]) == 0
    assert (tmp_path / "m.png").stat().st_size > 0
    assert main(["encode", str(tiny_runs / "ae"), "--out", str(tmp_path / "codes.npz")]) == 0
    with np.load(tmp_path / "codes.npz") as codes:
        assert codes["codes"].shape == (180, 2) and codes["labels"].shape == (180,)
    assert (tmp_path / "codes.png").is_file()  # 2-D codes: a scatter plot beside them


@pytest.mark.parametrize("command", ["manifold", "encode"])
def test_autoencoder_tools_refuse_a_gan_run(tiny_runs, tmp_path, capsys, command):
    out = tmp_path / ("x.png" if command == "manifold" else "x.npz")
    _fails_cleanly(capsys, [command, tiny_runs / "gan", "--out", out], "autoencoder", "dcgan")
    assert not out.exists()


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["train", "ae", "--set", "code_dim=0"], ["code_dim", "positive"]),
        (["train", "sparse-ae", "--set", "code_dim=-3"], ["code_dim"]),
        (["train", "denoising-ae", "--set", "drop_probability=1.5"], ["drop_probability", "[0, 1]"]),
        (["train", "denoising-ae", "--set", "salt_pepper_probability=-0.1"],
         ["salt_pepper_probability"]),
    ],
)
def test_bad_autoencoder_settings(capsys, tmp_path, monkeypatch, argv, fragments):
    monkeypatch.chdir(tmp_path)
    _fails_cleanly(capsys, argv, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_conditional_vae_on_a_dataset_without_labels(capsys, tmp_path):
    from PIL import Image

    folder = tmp_path / "flat"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(8):
        Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(folder / f"{index}.png")
    out = tmp_path / "run"
    _fails_cleanly(capsys, ["train", "vae", "--preset", "conditional", "--dataset",
                            f"folder:{folder}", "--batch-size", "4", "--out", out], "labels")
    assert not out.exists()


def test_xla_is_refused_where_it_would_crawl(capsys, tmp_path):
    out = tmp_path / "run"
    _fails_cleanly(capsys, ["train", "contractive-ae", "--preset", "deep", "--xla", "--steps", "1",
                            "--out", out], "--xla", "batch_jacobian")
    assert not out.exists()


# ------------------------------------------------ stochastic decoding (genzoo sample)
def test_sample_stochastic_from_a_run_and_from_its_export(tiny_runs, tmp_path):
    from PIL import Image

    from keras_genzoo.export.exported import ExportedModel

    run = tiny_runs / "ae"  # dense, mse: a Gaussian decoder
    for argv in ([], ["--stochastic"]):
        out = tmp_path / f"grid{len(argv)}.png"
        assert main(["sample", str(run), "--num", "8", "--out", str(out), *argv]) == 0
    mean, drawn = (np.asarray(Image.open(tmp_path / f"grid{n}.png")) for n in (0, 1))
    assert mean.shape == drawn.shape
    rows = mean.shape[0] // 2  # the input row is the same, the reconstruction row is not
    np.testing.assert_array_equal(mean[:rows], drawn[:rows])
    assert not np.array_equal(mean[rows:], drawn[rows:])
    assert main(["export", str(run), "--to", str(tmp_path / "exports"), "--no-onnx"]) == 0
    export = ExportedModel(tmp_path / "exports" / "ae")
    assert export.metadata["decoder"] == {"distribution": "gaussian", "std": 0.1}
    images = np.random.default_rng(0).uniform(size=(4, 8, 8, 1)).astype(np.float32)
    from keras_genzoo import runs

    model, _ = runs.load_trained_model(run)
    np.testing.assert_allclose(export.reconstruct_stochastic(images, seed=3),
                               model.draw_from_decoder(model.reconstruct(images), seed=3),
                               atol=1e-5)
    out = tmp_path / "export_grid.png"
    assert main(["sample", str(tmp_path / "exports" / "ae"), "--stochastic", "--num", "8",
                 "--out", str(out)]) == 0
    assert out.stat().st_size > 0


def test_sample_stochastic_is_refused_without_a_decoder_distribution(tiny_runs, tmp_path, capsys):
    out = tmp_path / "x.png"
    _fails_cleanly(capsys, ["sample", tiny_runs / "gan", "--stochastic", "--out", out],
                   "--stochastic", "probabilistic decoder", "dcgan")
    run = tmp_path / "recirculation"
    assert main(["train", "recirculation-ae", "--steps", "1", "--out", str(run)]) == 0
    capsys.readouterr()
    _fails_cleanly(capsys, ["sample", run, "--stochastic", "--out", out], "deterministic")
    assert not out.exists()


# ------------------------------------------------- autoencoders on 2-D points
def test_a_denoising_autoencoder_on_a_curve_draws_its_field(tmp_path, capsys):
    run = tmp_path / "dae"
    assert main(["train", "denoising-ae", "--preset", "circle", "--steps", "40",
                 "--out", str(run)]) == 0
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["epoch_0001.png"]
    for argv, name in (([], "field.png"), (["--stochastic"], "draws.png")):
        assert main(["sample", str(run), "--out", str(tmp_path / name), *argv]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert main(["manifold", str(run), "--out", str(tmp_path / "manifold.png")]) == 0
    assert (tmp_path / "manifold.png").stat().st_size > 1000
    capsys.readouterr()
    _fails_cleanly(capsys, ["eval", run], "autoencoder of points", "val_mse")


def test_an_image_only_model_refuses_a_curve(capsys, tmp_path):
    _fails_cleanly(capsys, ["train", "vae", "--dataset", "toy2d:circle", "--out",
                            tmp_path / "run"], "vae works on images")


def test_an_image_model_on_points_names_the_models_that_take_them(capsys, tmp_path):
    message = _fails_cleanly(capsys, ["train", "classifier", "--dataset", "toy2d:circle",
                                      "--out", tmp_path / "run"], "works on images")
    named = message.split("train one of ", 1)[1].split(" on it")[0].split(", ")
    assert {"ae", "sparse-ae", "denoising-ae", "contractive-ae", "gan"} <= set(named)
    assert "vae" not in named and "classifier" not in named
