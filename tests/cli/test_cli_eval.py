"""`genzoo eval` and `--eval-every` end to end, offline: a classifier trained on digits as
the feature space, runs and their exports scored alike, and every bad input in one line."""

import csv
import json

import numpy as np
import pytest

from keras_genzoo.data import open_source
from keras_genzoo.data.toy2d import MIXTURES
from keras_genzoo.metrics.mode_coverage import mode_coverage
from keras_genzoo.metrics.reconstruction import reconstruction_metrics
from keras_genzoo import runs as run_files
from zoo_cli.main import main

from test_cli import _fails_cleanly  # noqa: E402  (tests/cli is on sys.path under pytest)

TINY_DCGAN = ["--image-size", "16", "--set", "base_filters=8", "--set", "latent_dim=16"]


def _history(run):
    with open(run / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _evaluations(path):
    return {row["metric"]: row for row in json.loads(path.read_text())["evaluations"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval-runs")
    assert main(["train", "classifier", "--image-size", "16", "--out",
                 str(root / "classifier")]) == 0
    assert main(["train", "dcgan", *TINY_DCGAN, "--steps", "3", "--out", str(root / "dcgan")]) == 0
    assert main(["export", str(root / "dcgan"), "--to", str(root / "exports"), "--no-onnx"]) == 0
    assert main(["train", "vae", "--image-size", "16", "--set", "architecture=dense",
                 "--set", "hidden_units=32", "--steps", "3", "--out", str(root / "vae")]) == 0
    assert main(["export", str(root / "vae"), "--to", str(root / "exports"), "--no-onnx"]) == 0
    assert main(["train", "ae", "--preset", "dense", "--image-size", "16", "--steps", "3",
                 "--out", str(root / "ae")]) == 0
    assert main(["train", "gan", "--preset", "toy2d", "--set", "generator_units=16", "--set",
                 "discriminator_units=16", "--steps", "2", "--out", str(root / "points")]) == 0
    return root


def test_the_classifier_trains_on_digits_above_90_percent(runs):
    last = _history(runs / "classifier")[-1]
    assert float(last["val_accuracy"]) > 0.90, last


def test_eval_of_a_run_and_of_its_export_give_the_same_numbers(runs, tmp_path, capsys):
    features = f"classifier:{runs / 'classifier'}"
    common = ["--features", features, "--metrics", "fid,kid,is,prdc", "--num", "300",
              "--split", "all", "--cache-dir", str(tmp_path / "cache")]
    assert main(["eval", str(runs / "dcgan"), *common]) == 0
    printed = capsys.readouterr().out
    assert "fid" in printed and "coverage" in printed and "300 samples vs 300 reference" in printed
    from_run = _evaluations(runs / "dcgan" / "eval.json")
    assert set(from_run) == {"fid", "kid", "kid_std", "is", "is_std", "precision", "recall",
                             "density", "coverage"}
    row = from_run["fid"]
    assert (row["features"], row["num"], row["dataset"], row["split"], row["image_size"],
            row["seed"], row["step"]) == (features, 300, "digits", "all", 16, 0, 3)
    # a 3-step generator is far from digits: large FID and KID, little precision
    assert row["value"] > 1.0 and from_run["kid"]["value"] > 0
    assert 1.0 <= from_run["is"]["value"] <= 10.0
    export = runs / "exports" / "dcgan"
    assert main(["eval", str(export), *common]) == 0
    from_export = _evaluations(export / "1" / "eval.json")
    for name, entry in from_run.items():
        assert from_export[name]["value"] == pytest.approx(entry["value"], rel=1e-3, abs=1e-4), name
    # the reference features were cached once and reused
    assert len(list((tmp_path / "cache" / "reference").glob("*.npz"))) == 1


def test_eval_json_keeps_other_settings_and_replaces_the_same_one(runs, tmp_path):
    out = tmp_path / "scores.json"
    base = ["eval", str(runs / "dcgan"), "--features", "random", "--metrics", "fid", "--split",
            "all", "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert main([*base, "--num", "40"]) == 0
    assert main([*base, "--num", "50"]) == 0
    assert main([*base, "--num", "50"]) == 0
    rows = json.loads(out.read_text())["evaluations"]
    assert sorted(row["num"] for row in rows) == [40, 50]
    assert all(row["features"] == "random" and np.isfinite(row["value"]) for row in rows)


def test_vae_samples_from_its_prior_in_the_run_and_the_export(runs, tmp_path):
    common = ["--features", "random", "--metrics", "fid,prdc", "--num", "64", "--split", "all",
              "--cache-dir", str(tmp_path / "cache")]
    assert main(["eval", str(runs / "vae"), *common, "--out", str(tmp_path / "run.json")]) == 0
    assert main(["eval", str(runs / "exports" / "vae"), *common, "--out",
                 str(tmp_path / "export.json")]) == 0
    run, export = _evaluations(tmp_path / "run.json"), _evaluations(tmp_path / "export.json")
    for name in ("fid", "precision", "recall", "density", "coverage"):
        assert export[name]["value"] == pytest.approx(run[name]["value"], rel=1e-3, abs=1e-4)


def test_autoencoder_default_is_reconstruction_quality(runs, tmp_path, capsys):
    out = tmp_path / "ae.json"
    assert main(["eval", str(runs / "ae"), "--num", "50", "--out", str(out)]) == 0
    scores = _evaluations(out)
    assert set(scores) == {"mse", "psnr", "ssim"}
    # the first 50 images of the held-out split, reconstructed and scored here again
    row = scores["mse"]
    images = open_source(row["dataset"], image_size=row["image_size"], channels=row["channels"],
                         split=row["split"]).take_images(row["num"])
    assert len(images) == 50
    model, _ = run_files.load_trained_model(runs / "ae")
    reconstructions = model.reconstruct(images)
    per_image_mse = np.mean((images.astype(np.float64) - reconstructions) ** 2, axis=(1, 2, 3))
    assert 0 < scores["mse"]["value"] < 1
    assert scores["mse"]["value"] == pytest.approx(per_image_mse.mean(), rel=1e-6)
    # PSNR is the mean of the images' PSNRs (tf.image.psnr, in float32), not -10 log10 of the
    # mean MSE: by Jensen's inequality it is at least that, equal only if all MSEs are equal
    assert scores["psnr"]["value"] == pytest.approx(np.mean(-10 * np.log10(per_image_mse)),
                                                    rel=1e-5)
    assert scores["psnr"]["value"] >= -10 * np.log10(scores["mse"]["value"]) - 1e-4
    # a 3-step autoencoder is far from the identity's SSIM of 1, and its SSIM may be near 0
    # or below: no fixed bound holds, so the value must be that of these reconstructions
    assert scores["ssim"]["value"] < 1
    assert scores["ssim"]["value"] == pytest.approx(
        reconstruction_metrics(images, reconstructions)["ssim"], rel=1e-6, abs=1e-6)


def test_point_models_are_scored_by_mode_coverage(runs, tmp_path):
    out = tmp_path / "modes.json"
    assert main(["eval", str(runs / "points"), "--num", "500", "--out", str(out)]) == 0
    scores = _evaluations(out)
    assert set(scores) == {"modes_covered", "high_quality"}
    # A 2-step generator covers no particular number of modes (0 is as possible as 25):
    # the values must be the metric of the run's own 500 samples of the eval seed
    row = scores["modes_covered"]
    assert (row["num"], row["seed"]) == (500, 0)
    model, _ = run_files.load_trained_model(runs / "points")
    mixture = MIXTURES[row["dataset"].split(":", 1)[1]]
    expected = mode_coverage(model.sample(500, seed=0), mixture.modes, mixture.sigma)
    assert row["value"] == expected.modes_covered
    assert scores["high_quality"]["value"] == pytest.approx(expected.high_quality_fraction)


def test_eval_every_adds_the_metrics_to_history(runs, tmp_path):
    run = tmp_path / "run"
    assert main(["train", "dcgan", *TINY_DCGAN, "--epochs", "2", "--eval-every", "2",
                 "--eval-metrics", "fid,kid", "--eval-features",
                 f"classifier:{runs / 'classifier'}", "--eval-num", "40", "--out", str(run)]) == 0
    rows = _history(run)
    assert [row["eval_fid"] for row in rows][0] == ""  # epoch 1: not an evaluation epoch
    assert float(rows[1]["eval_fid"]) > 0 and "eval_kid_std" in rows[1]


def test_bad_eval_input_is_one_line_and_writes_nothing(runs, tmp_path, capsys):
    dcgan = runs / "dcgan"
    before = (dcgan / "eval.json").read_text() if (dcgan / "eval.json").exists() else None
    clf = f"classifier:{runs / 'classifier'}"
    _fails_cleanly(capsys, ["eval", dcgan, "--metrics", "fid,bleu"],
                   "unknown metric 'bleu'", "fid, kid, is, prdc")
    _fails_cleanly(capsys, ["eval", dcgan, "--features", "vgg"],
                   "unknown --features 'vgg'", "inception, classifier:RUN, random")
    _fails_cleanly(capsys, ["eval", dcgan, "--features", clf, "--metrics", "prdc", "--num", "4"],
                   "k = 5")
    _fails_cleanly(capsys, ["eval", dcgan, "--features", f"classifier:{dcgan}"],
                   "needs a classifier run", "dcgan run")
    _fails_cleanly(capsys, ["eval", runs / "points", "--metrics", "fid"], "modes only")
    _fails_cleanly(capsys, ["eval", dcgan, "--features", "random", "--metrics", "is"],
                   "class probabilities")
    _fails_cleanly(capsys, ["eval", dcgan, "--metrics", "modes"], "2-D point models")
    _fails_cleanly(capsys, ["eval", runs / "classifier", "--features", "random"],
                   "generative models and autoencoders")
    _fails_cleanly(capsys, ["eval", tmp_path / "nowhere"], "no such run or export")
    _fails_cleanly(capsys, ["sample", runs / "classifier", "--out", tmp_path / "x.png"],
                   "nothing to sample", "--features classifier:")
    after = (dcgan / "eval.json").read_text() if (dcgan / "eval.json").exists() else None
    assert after == before


def test_classifier_features_of_another_image_size_are_refused(runs, tmp_path, capsys):
    run = tmp_path / "big"
    assert main(["train", "dcgan", "--image-size", "8", "--set", "base_filters=4", "--steps", "1",
                 "--out", str(run)]) == 0
    _fails_cleanly(capsys, ["eval", run, "--features", f"classifier:{runs / 'classifier'}"],
                   "16x16x1", "8x8x1", "--image-size 8")
    assert not (run / "eval.json").exists()
    _fails_cleanly(capsys, ["train", "dcgan", "--image-size", "8", "--set", "base_filters=4",
                            "--steps", "1", "--eval-every", "1", "--eval-features",
                            f"classifier:{runs / 'classifier'}", "--out", tmp_path / "never"],
                   "--image-size 8")
    assert not (tmp_path / "never").exists()


def _eval_lock_conflict(directory):
    """Another evaluation writing into ``directory`` (flock conflicts within one process too)."""
    return run_files.directory_lock(directory, run_files.EVAL_LOCK, what="an evaluation")


def test_eval_file_is_not_merged_while_another_evaluation_writes(tmp_path):
    import os

    from keras_genzoo.commands import eval as eval_command
    from keras_genzoo.errors import GenzooError

    out = tmp_path / "eval.json"
    setting = {"features": "random", "num": 10, "dataset": "digits", "split": "test",
               "image_size": 16, "channels": 1, "seed": 0}
    eval_command.write_eval_file(out, [{"metric": "fid", "value": 3.0, **setting}])
    before = out.read_text()
    with _eval_lock_conflict(tmp_path):
        with pytest.raises(GenzooError) as info:
            eval_command.write_eval_file(out, [{"metric": "kid", "value": 1.0, **setting}])
    message = str(info.value)
    assert "\n" not in message and f"(pid {os.getpid()}, an evaluation)" in message
    assert out.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval.json"]  # lock released
    # released: the merge goes through and keeps the earlier row
    eval_command.write_eval_file(out, [{"metric": "kid", "value": 1.0, **setting}])
    assert set(_evaluations(out)) == {"fid", "kid"}


def test_eval_while_another_evaluation_writes_is_one_line(runs, tmp_path, capsys):
    import os

    out = tmp_path / "scores" / "scores.json"
    out.parent.mkdir()
    out.write_text('{"evaluations": []}\n')
    with _eval_lock_conflict(out.parent):
        _fails_cleanly(capsys, ["eval", runs / "dcgan", "--features", "random", "--metrics", "fid",
                                "--num", "40", "--split", "all", "--out", out,
                                "--cache-dir", tmp_path / "cache"],
                       "is in use by another genzoo process", f"pid {os.getpid()}",
                       "an evaluation")
    assert out.read_text() == '{"evaluations": []}\n'
    assert sorted(p.name for p in out.parent.iterdir()) == ["scores.json"]  # lock released
