"""The 1-D game through the CLI: the toy1d presets of gan (the optimal
discriminator's figure, the JS column, diagnostics.png) and the two sides of
dominance."""

import csv

import numpy as np
import pytest
from PIL import Image

from keras_genzoo import runs as run_files
from keras_genzoo.data.toy1d import MIXTURES
from keras_genzoo.metrics.mode_coverage import POINT_SAMPLES
from keras_genzoo.metrics.optimal_discriminator import density_view
from keras_genzoo.training.hooks import SAMPLE_SEED
from keras_genzoo.training.plan import resolve_plan
from zoo_cli.main import main

DOMINANCE_STEPS = "15"


def _rows(run):
    with open(run / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy1d-runs")
    # (the toy1d preset differs from these two in its hyper-parameters only)
    # the same number of generator steps and batch for both sides of dominance
    for preset in ("dominant-discriminator", "dominant-generator"):
        assert main(["train", "gan", "--preset", preset, "--steps", DOMINANCE_STEPS,
                     "--batch-size", "64", "--out", str(root / preset)]) == 0
    return root


@pytest.mark.parametrize("preset", ["toy1d", "dominant-discriminator", "dominant-generator"])
def test_toy1d_presets_resolve_to_1d_gans(preset, tmp_path):
    plan = resolve_plan("gan", preset=preset, out_dir=str(tmp_path / preset))
    assert plan.settings.dataset == "toy1d:bimodal"
    assert plan.config["data_dim"] == 1 and plan.config["dropout"] == 0.0


def test_toy1d_run_logs_js_and_draws_the_densities(runs, tmp_path):
    run = runs / "dominant-discriminator"
    row = _rows(run)[-1]
    # the column is the JS of the trainer's 2,500 samples of the final checkpoint
    model, saved = run_files.load_trained_model(run)
    mixture = MIXTURES[saved["train"]["dataset"].split(":", 1)[1]]
    expected = density_view(mixture, model.sample(POINT_SAMPLES, seed=SAMPLE_SEED)).js
    assert float(row["js_divergence"]) == pytest.approx(expected, abs=1e-4)
    assert 0.0 <= expected <= np.log(2) + 1e-9
    assert int(row["modes_covered"]) in (0, 1, 2)
    epoch_figure = Image.open(run / "samples" / "epoch_0001.png")
    assert epoch_figure.size[0] > 1.5 * epoch_figure.size[1]  # the density plot, not a scatter
    assert (run / "diagnostics.png").is_file() and (run / "loss_curves.png").is_file()
    out = tmp_path / "figure.png"
    assert main(["sample", str(run), "--out", str(out)]) == 0
    assert Image.open(out).size == epoch_figure.size
    # an export has no discriminator, and still draws p_data against p_g
    assert main(["export", str(run), "--to", str(tmp_path / "exports"), "--no-onnx"]) == 0
    assert main(["sample", str(tmp_path / "exports" / "gan"), "--out",
                 str(tmp_path / "export.png")]) == 0
    assert Image.open(tmp_path / "export.png").size == epoch_figure.size


def test_the_two_sides_of_dominance_differ_in_the_discriminator(runs):
    strong, weak = (_rows(runs / name)[-1] for name in
                    ("dominant-discriminator", "dominant-generator"))
    for row in (strong, weak):
        assert int(row["step"]) == int(DOMINANCE_STEPS)
    # D wins: after 150 D updates it separates real from fake almost surely, and the
    # fakes sit in the sigmoid's flat region
    assert float(strong["d_accuracy"]) > 0.9
    assert float(strong["d_fake"]) < 0.1
    # G wins: the 4-unit D at 1e-6 is no better than chance, and G's samples are
    # not on the data (JS far from 0)
    assert float(weak["d_accuracy"]) < 0.65
    assert abs(float(weak["d_real"]) - float(weak["d_fake"])) < 0.3
    assert float(weak["js_divergence"]) > 0.4
