"""ProGAN and StyleGAN through the CLI: training across growth phases, resuming, the
StyleGAN sampling figures, export, and the bad input of issue 6."""

import csv

import pytest
from PIL import Image

from zoo_cli.main import main

from test_cli import _fails_cleanly  # noqa: E402  (tests/cli is on sys.path under pytest)

#: 16x16 in three phases of 64 images per fade / stable part: growth within 9 steps at batch 8
TINY = ["--image-size", "16", "--set", "latent_dim=8", "--set", "filter_base=16", "--set",
        "max_filters=4", "--set", "fade_images=64", "--set", "stable_images=64",
        "--batch-size", "8"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("progressive-runs")
    assert main(["train", "stylegan", *TINY, "--set", "mapping_layers=2", "--steps", "40",
                 "--out", str(root / "stylegan")]) == 0
    assert main(["train", "progan", *TINY, "--steps", "12", "--out", str(root / "progan")]) == 0
    return root


def test_training_grows_to_the_full_size_and_writes_grids_per_phase(runs):
    with open(runs / "stylegan" / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # the digits preset's loss: WGAN-GP with the drift term
    assert all(float(row["gradient_penalty"]) >= 0 for row in rows)
    # 40 steps x 8 images = 320 >= 64 + 2 x 128: the last grid is at 16x16
    last = sorted((runs / "stylegan" / "samples").glob("*.png"))[-1]
    width, _ = Image.open(last).size
    assert width == 2 * (8 * 17 + 1)  # 8 columns of 16-pixel images, upscaled 2x


def test_resuming_a_progressive_run_continues_from_its_phase(runs, capsys):
    # 12 steps = 96 images: the progan run stopped in phase 1 mid-fade; extend it
    assert main(["train", "progan", *TINY, "--steps", "30", "--out", str(runs / "progan")]) == 0
    assert "resuming at step 12" in capsys.readouterr().out
    # a changed architecture is refused before anything happens
    _fails_cleanly(capsys, ["train", "progan", *TINY[:-2], "--set", "max_filters=8",
                            "--batch-size", "8", "--steps", "40", "--out", runs / "progan"],
                   "max_filters")


def test_stylegan_sampling_figures(runs, tmp_path):
    run = runs / "stylegan"
    assert main(["sample", str(run), "--truncation", "0.0", "--num", "4", "--out",
                 str(tmp_path / "t0.png")]) == 0
    assert main(["sample", str(run), "--style-mix", "--out", str(tmp_path / "mix.png")]) == 0
    width, height = Image.open(tmp_path / "mix.png").size
    assert (width, height) == (2 * (7 * 17 + 1), 2 * (5 * 17 + 1))  # (1 + 6) x (1 + 4) tiles
    assert main(["sample", str(run), "--interpolate", "6", "--out",
                 str(tmp_path / "lerp.png")]) == 0
    assert Image.open(tmp_path / "lerp.png").size == (2 * (6 * 17 + 1), 2 * (17 + 1))


def test_stylegan_export_and_sampling_it_with_truncation(runs, tmp_path, capsys):
    assert main(["export", str(runs / "stylegan"), "--to", str(tmp_path / "exports")]) == 0
    output = capsys.readouterr().out
    assert "onnx mapping" in output and "onnx synthesis" in output
    assert main(["sample", str(tmp_path / "exports" / "stylegan"), "--truncation", "0.5",
                 "--num", "4", "--out", str(tmp_path / "export.png")]) == 0


def test_bad_progressive_input(runs, tmp_path, capsys):
    for size in ("12", "4"):
        _fails_cleanly(capsys, ["train", "stylegan", "--image-size", size, "--out",
                                tmp_path / "never"], "power of two >= 8")
    assert not (tmp_path / "never").exists()
    _fails_cleanly(capsys, ["sample", runs / "stylegan", "--truncation", "1.5", "--out",
                            tmp_path / "x.png"], "[0, 1]", "--force-truncation")
    assert main(["sample", str(runs / "stylegan"), "--truncation", "1.5", "--force-truncation",
                 "--num", "2", "--out", str(tmp_path / "forced.png")]) == 0
    _fails_cleanly(capsys, ["sample", runs / "progan", "--style-mix", "--out",
                            tmp_path / "x.png"], "need a stylegan run")
    _fails_cleanly(capsys, ["sample", runs / "stylegan", "--crossover", "2", "--out",
                            tmp_path / "x.png"], "--crossover goes with --style-mix")
    _fails_cleanly(capsys, ["sample", runs / "stylegan", "--interpolate", "1", "--out",
                            tmp_path / "x.png"], "at least 2")
    assert not (tmp_path / "x.png").exists()
