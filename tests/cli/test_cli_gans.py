"""The GAN family through the CLI: toy2d runs with scatter plots and mode coverage,
cgan labels, exports, and the family's bad input."""

import csv

import pytest
from PIL import Image

from keras_genzoo.data.toy2d import MIXTURES
from keras_genzoo.metrics.mode_coverage import mode_coverage
from keras_genzoo import runs as run_files
from keras_genzoo.metrics.mode_coverage import POINT_SAMPLES
from keras_genzoo.training.hooks import SAMPLE_SEED
from zoo_cli.main import main

from test_cli import _fails_cleanly  # noqa: E402  (tests/cli is on sys.path under pytest)

TINY_MLP = ["--set", "generator_units=16", "--set", "discriminator_units=16", "--set",
            "latent_dim=4", "--image-size", "8"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("gan-runs")
    assert main(["train", "wgan-gp", "--preset", "toy2d", "--set", "generator_units=16",
                 "--set", "discriminator_units=16", "--steps", "2", "--batch-size", "64",
                 "--out", str(root / "points")]) == 0
    assert main(["train", "cgan", *TINY_MLP, "--steps", "2", "--out", str(root / "cgan")]) == 0
    return root


def test_toy2d_run_draws_scatter_plots_and_logs_mode_coverage(runs, tmp_path, capsys):
    run = runs / "points"
    with open(run / "history.csv", newline="") as handle:
        row = list(csv.DictReader(handle))[-1]
    # A 2-step WGAN-GP covers no particular number of modes (0 is as possible as 25): the
    # row must be the metric of the trainer's 2,500 samples of the final checkpoint
    model, saved = run_files.load_trained_model(run)
    mixture = MIXTURES[saved["train"]["dataset"].split(":", 1)[1]]
    expected = mode_coverage(model.sample(POINT_SAMPLES, seed=SAMPLE_SEED), mixture.modes,
                             mixture.sigma)
    assert int(row["modes_covered"]) == expected.modes_covered
    assert float(row["high_quality"]) == pytest.approx(round(expected.high_quality_fraction, 4))
    assert float(row["gradient_penalty"]) >= 0.0
    assert (run / "samples" / "epoch_0001.png").is_file()
    scatter = tmp_path / "scatter.png"
    assert main(["sample", str(run), "--num", "500", "--out", str(scatter)]) == 0
    width, height = Image.open(scatter).size
    assert 0.8 < width / height < 1.25  # a square scatter plot, not an image grid
    # the export serves points, and sampling it draws the same kind of plot
    assert main(["export", str(run), "--to", str(tmp_path / "exports")]) == 0
    assert main(["sample", str(tmp_path / "exports" / "wgan-gp"), "--num", "100",
                 "--out", str(tmp_path / "from_export.png")]) == 0
    assert Image.open(tmp_path / "from_export.png").size == (width, height)
    capsys.readouterr()
    assert main(["info", str(tmp_path / "exports" / "wgan-gp")]) == 0
    assert "points" in capsys.readouterr().out


def test_cgan_samples_one_class_per_column_and_by_label(runs, tmp_path, capsys):
    run = runs / "cgan"
    grid = tmp_path / "grid.png"
    assert main(["sample", str(run), "--num", "20", "--out", str(grid)]) == 0
    # 10 columns (one per class) of 8x8 images upscaled 2x with 1-pixel padding
    assert Image.open(grid).size[0] == 2 * (10 * 9 + 1)
    assert main(["sample", str(run), "--label", "3", "--num", "4", "--out",
                 str(tmp_path / "three.png")]) == 0
    _fails_cleanly(capsys, ["sample", run, "--label", "10", "--out", tmp_path / "bad.png"],
                   "--label must be in [0, 9]")
    assert not (tmp_path / "bad.png").exists()
    assert main(["export", str(run), "--to", str(tmp_path / "exports")]) == 0
    capsys.readouterr()
    assert main(["info", str(tmp_path / "exports" / "cgan")]) == 0
    assert "label" in capsys.readouterr().out  # the signature's inputs: z and label
    assert main(["sample", str(tmp_path / "exports" / "cgan"), "--num", "10",
                 "--out", str(tmp_path / "export_grid.png")]) == 0


@pytest.mark.parametrize("argv, fragments", [
    (["train", "wgan", "--set", "n_critic=0"], ["d_steps (n_critic) must be at least 1"]),
    (["train", "wgan-gp", "--set", "gp_weight=-10"], ["gp_weight must be >= 0"]),
    (["train", "gan", "--set", "r1_gamma=-1"], ["r1_gamma must be >= 0"]),
    (["train", "gan", "--set", "r2_gamma=-1"], ["r2_gamma must be >= 0"]),
    (["train", "wgan", "--set", "clip_value=0"], ["clip_value > 0"]),
    (["train", "wgan", "--set", "clip_value=-0.01"], ["clip_value"]),
    (["train", "gan", "--set", "loss=wasserstein", "--set", "label_smoothing=0.1"],
     ["label_smoothing applies"]),
    (["train", "gan", "--set", "loss=earth-mover"], ["loss", "minimax", "non_saturating"]),
    (["train", "dcgan", "--dataset", "toy2d:grid25"], ["2-D points", "gan", "wgan-gp"]),
    (["train", "gan", "--dataset", "toy2d:moons"], ["unknown toy2d set", "grid25"]),
])
def test_bad_gan_arguments(capsys, tmp_path, monkeypatch, argv, fragments):
    monkeypatch.chdir(tmp_path)
    _fails_cleanly(capsys, argv, *fragments)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even runs/


def test_cgan_needs_labels(capsys, tmp_path):
    folder = tmp_path / "unlabelled"
    folder.mkdir()
    for index in range(4):
        Image.new("L", (8, 8), color=index * 40).save(folder / f"{index}.png")
    out = tmp_path / "run"
    _fails_cleanly(capsys, ["train", "cgan", *TINY_MLP, "--batch-size", "2", "--dataset",
                            f"folder:{folder}", "--out", out],
                   "conditional", "needs a labelled dataset")
    assert not out.exists()
    # a labelled dataset with more classes than the model: told which key to set
    _fails_cleanly(capsys, ["train", "cgan", "--preset", "toy2d", "--set", "num_classes=8",
                            "--out", out], "25 classes", "num_classes=25")
    assert not out.exists()
