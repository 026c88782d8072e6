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
