"""RadialGAN through the CLI: `genzoo train radialgan` on domains:breast_cancer
(M = 2 and M = 4) and on a csv: table whose domains have different features,
`genzoo radialgan augment` (labels carried exactly, features in the target
domain's original units), and the bad input of issue 7 (exit 2, one line,
nothing written)."""

import csv
import json
import math
import os
import shutil

import numpy as np
import pytest
from test_cli import _fails_cleanly  # tests/cli is on sys.path under pytest

from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs as run_files
from keras_genzoo.commands.radialgan import read_augmented
from keras_genzoo.errors import GenzooError
from zoo_cli.main import main

TINY = ["--set", "hidden_units=32,32", "--set", "latent_dim=8"]
#: the csv: table's columns per domain (empty elsewhere); `color` is categorical
CSV_FEATURES = {"north": ["age", "income", "color"], "south": ["age", "weight"],
                "west": ["income", "weight", "height", "color"]}
CSV_HEADER = ["site", "age", "income", "weight", "height", "color", "outcome"]


def _write_table(path, rows_per_domain=40, seed=0, overrides=None):
    """A csv: table of three domains with different feature columns; the label
    ("yes" / "no") follows age or income, so it is learnable in every domain.
    ``overrides`` maps (row index, column) to a replacement cell."""
    rng = np.random.default_rng(seed)
    rows = []
    for site, features in CSV_FEATURES.items():
        count = rows_per_domain[site] if isinstance(rows_per_domain, dict) else rows_per_domain
        for _ in range(count):
            values = {"age": rng.normal(50, 12), "income": rng.normal(3000, 800),
                      "weight": rng.normal(70, 10), "height": rng.normal(170, 9)}
            row = {"site": site, "outcome": "yes" if values["age"] + values["income"] / 100 > 80
                   else "no", "color": rng.choice(["red", "green", "blue"])}
            row.update({key: f"{value:.3f}" for key, value in values.items()})
            rows.append([row[column] if column in features or column in ("site", "outcome")
                         else "" for column in CSV_HEADER])
    for (index, column), value in (overrides or {}).items():
        rows[index][CSV_HEADER.index(column)] = value
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows)
    return path


def _history(run):
    with open(run / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _domains(run, split="train"):
    """The run's data source, reopened the way the trainer opened it (a csv: table at
    the absolute path recorded at training time)."""
    saved = run_files.read_run_config(run)
    fields = plan_lib.config_lib.field_types(plan_lib.TrainSettings)
    settings = plan_lib.TrainSettings(**{k: v for k, v in saved["train"].items() if k in fields})
    statistics = run_files.read_data_statistics(run)
    dataset = (f"csv:{statistics['absolute_path']}" if "absolute_path" in statistics
               else settings.dataset)
    return plan_lib.open_training_domains(dataset, settings, saved["config"], split=split)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("radialgan-runs")
    assert main(["train", "radialgan", *TINY, "--set", "num_domains=2", "--set",
                 "learning_rate=1e-3", "--steps", "150", "--batch-size", "32",
                 "--out", str(root / "two")]) == 0
    _write_table(root / "table.csv")
    # trained from root with a RELATIVE path: augment and eval find it from anywhere
    here = os.getcwd()
    os.chdir(root)
    try:
        assert main(["train", "radialgan", *TINY, "--dataset", "csv:table.csv",
                     "--domain-column", "site", "--label-column", "outcome", "--steps", "4",
                     "--batch-size", "8", "--out", "table"]) == 0
    finally:
        os.chdir(here)
    return root


def test_m2_run_learns_both_cycles_and_keeps_labels(runs):
    run = runs / "two"
    history = _history(run)
    assert len(history) == 30 and int(history[-1]["step"]) == 150  # 171 train rows // 32
    # the preset's --sample-every 10: held-out scores (val_*) and the epoch's checkpoint
    # every 10 epochs; every row has the epoch's training means
    for row in history:
        evaluated = int(row["epoch"]) % 10 == 0
        for key, value in row.items():
            if key.startswith("val_") and not evaluated:
                assert value == "", row
            else:
                assert math.isfinite(float(value)), row
    checkpoints = sorted(int(path.name.split("-")[1].split(".")[0])
                         for path in (run / "checkpoints").glob("ckpt-*.index"))
    assert checkpoints == [50, 100, 150]
    assert float(history[-1]["data_cycle"]) < 0.8 * float(history[0]["data_cycle"])
    assert float(history[-1]["val_label_agreement"]) > 0.9
    model, saved = run_files.load_trained_model(run)
    assert saved["config"]["feature_counts"] == [20, 20] and len(model.networks()) == 6
    # the checkpointed standardization is the data source's (exports rely on it)
    domains = _domains(run)
    for i, domain in enumerate(domains.domains):
        np.testing.assert_allclose(model.feature_means[i].numpy(), domain.mean, rtol=1e-6)
        np.testing.assert_allclose(model.feature_stds[i].numpy(), domain.std, rtol=1e-6)


# slow tier: the two-domain run covers the CLI in the fast tier
@pytest.mark.slow
def test_m4_trains_with_four_sets_of_networks(tmp_path, capsys):
    run = tmp_path / "four"
    assert main(["train", "radialgan", *TINY, "--set", "num_domains=4", "--steps", "3",
                 "--batch-size", "16", "--out", str(run)]) == 0
    history = _history(run)
    assert int(history[-1]["step"]) == 3
    assert all(math.isfinite(float(value)) for value in history[-1].values())
    model, saved = run_files.load_trained_model(run)
    assert saved["config"]["num_domains"] == 4 and len(saved["config"]["feature_counts"]) == 4
    assert sorted(model.networks()) == sorted(f"{role}_{i}" for i in range(4) for role in
                                              ("encoder", "decoder", "discriminator"))
    statistics = json.loads((run / run_files.DATA_STATISTICS_FILE).read_text())
    assert [d["name"] for d in statistics["domains"]] == ["A", "B", "C", "D"]


def test_augment_writes_translations_in_the_target_units_with_the_source_labels(
        runs, tmp_path, capsys):
    run, out = runs / "two", tmp_path / "augmented.csv"
    assert main(["radialgan", "augment", str(run), "--target", "1", "--out", str(out)]) == 0
    assert "171 rows translated into domain B from A" in capsys.readouterr().out
    names, features, labels, sources = read_augmented(out)
    domains = _domains(run)
    source, target = domains.domains
    statistics = json.loads((run / run_files.DATA_STATISTICS_FILE).read_text())
    assert names == target.feature_names and sources == ["A"] * len(source.y)
    assert labels == [statistics["label_classes"][k] for k in source.y]
    assert set(labels) == {"malignant", "benign"}
    # the CSV holds G_B(F_A(x, y)) in domain B's original units (6 significant digits)
    model, _ = run_files.load_trained_model(run)
    expected = target.to_original(model.translate(source.x, source.y, 0, 1)[0])
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-9)
    # ... on domain B's scale: every column near B's mean, not near 0 as standardized
    # values would be (every column of B sits more than one std away from 0)
    assert np.all(np.abs(target.mean) > target.std)
    offset = np.abs(features.mean(axis=0) - target.mean) / target.std
    assert offset.max() < 0.5, offset
    spread = features.std(axis=0) / target.std
    assert np.all((spread > 0.1) & (spread < 3.0)), spread


def test_csv_domains_with_different_features_train_and_augment(runs, tmp_path, capsys):
    run, out = runs / "table", tmp_path / "west.csv"
    saved = run_files.read_run_config(run)
    # north: age, income, color=blue/green/red; south: age, weight;
    # west: income, weight, height, color x 3
    assert saved["config"]["feature_counts"] == [5, 2, 6]
    assert main(["radialgan", "augment", str(run), "--target", "2", "--out", str(out)]) == 0
    statistics = json.loads((run / run_files.DATA_STATISTICS_FILE).read_text())
    categorical = statistics["categorical_columns"]
    assert categorical == {"color": ["blue", "green", "red"]}
    names, features, labels, sources = read_augmented(out, categorical)
    domains = _domains(run)
    west = domains.domains[2]
    assert names == ["income", "weight", "height", "color=blue", "color=green", "color=red"]
    with open(out, newline="") as handle:
        reader = csv.reader(handle)
        # the one-hot group comes back as ONE column of categories
        assert next(reader) == ["income", "weight", "height", "color", "outcome",
                                "source_domain"]
        assert {row[3] for row in reader} <= {"blue", "green", "red"}
    with pytest.raises(ValueError, match="column color"):
        read_augmented(out)
    # each translated row carries its own row's label, read back from the table itself
    with open(runs / "table.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    expected_labels, expected_features = [], []
    model, _ = run_files.load_trained_model(run)
    for i, domain in enumerate(domains.domains[:2]):
        expected_labels += [table[row]["outcome"] for row in domain.rows]
        expected_features.append(west.to_original(model.translate(domain.x, domain.y, i, 2)[0]))
    assert labels == expected_labels
    assert sources == ["north"] * len(domains.domains[0].y) + ["south"] * len(domains.domains[1].y)
    expected = np.concatenate(expected_features)
    np.testing.assert_allclose(features[:, :3], expected[:, :3], rtol=1e-5, atol=1e-9)
    # the category is the one with the largest translated score
    np.testing.assert_array_equal(features[:, 3:], np.eye(3)[np.argmax(expected[:, 3:], 1)])


# ---------------------------------------------------------------------------
# bad input: exit 2, one line, nothing written


@pytest.mark.parametrize("flags, fragments", [
    (["--domain-column", "region", "--label-column", "outcome"], ["domain column 'region'"]),
    (["--domain-column", "site", "--label-column", "target"], ["label column 'target'"]),
    (["--label-column", "outcome"], ["--domain-column"]),
    # (a batch larger than a domain's train rows is no longer an error: it repeats rows)
    (["--domain-column", "site", "--label-column", "outcome", "--set", "target_rows=1"],
     ["target_rows=1", "2 classes"]),
    (["--domain-column", "site", "--label-column", "outcome", "--set", "source_rows=50"],
     ["source_rows applies to domains:synthetic"]),
])
def test_bad_csv_training_input(tmp_path, monkeypatch, capsys, flags, fragments):
    monkeypatch.chdir(tmp_path)
    table = _write_table(tmp_path / "table.csv", {"north": 40, "south": 20, "west": 40})
    _fails_cleanly(capsys, ["train", "radialgan", "--dataset", f"csv:{table}", *flags,
                            "--steps", "1", "--out", tmp_path / "run"], *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_non_numeric_value_in_a_numeric_column(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # row 3 is a north row: it has an income, now a typo
    table = _write_table(tmp_path / "table.csv", overrides={(3, "income"): "3l00"})
    _fails_cleanly(capsys, ["train", "radialgan", "--dataset", f"csv:{table}", "--domain-column",
                            "site", "--label-column", "outcome", "--out", tmp_path / "run"],
                   "non-numeric value '3l00'", "column income", "line 5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


@pytest.mark.parametrize("argv, fragments", [
    (["train", "radialgan", "--dataset", "digits"], ["radialgan trains on tabular domains"]),
    (["train", "dcgan", "--dataset", "domains:breast_cancer"],
     ["domains:breast_cancer holds tabular domains", "radialgan"]),
    (["train", "dcgan", "--domain-column", "site"], ["--domain-column"]),
])
def test_models_and_datasets_that_do_not_fit(tmp_path, monkeypatch, capsys, argv, fragments):
    monkeypatch.chdir(tmp_path)
    _fails_cleanly(capsys, [*argv, "--steps", "1"], *fragments)
    assert list(tmp_path.iterdir()) == []


def test_augment_finds_the_table_from_another_directory(runs, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the run trained on csv:table.csv from runs/
    assert main(["radialgan", "augment", str(runs / "table"), "--target", "1", "--out",
                 "south.csv"]) == 0
    statistics = json.loads((runs / "table" / run_files.DATA_STATISTICS_FILE).read_text())
    assert statistics["absolute_path"] == str((runs / "table.csv").resolve())
    assert read_augmented(tmp_path / "south.csv")[0] == ["age", "weight"]


def _copy_of_table_run(runs, where):
    """The csv: run and its table copied under ``where``, the run pointing at the copy."""
    shutil.copy(runs / "table.csv", where / "table.csv")
    run = shutil.copytree(runs / "table", where / "run")
    path = run / run_files.DATA_STATISTICS_FILE
    statistics = json.loads(path.read_text())
    statistics["absolute_path"] = str(where / "table.csv")
    path.write_text(json.dumps(statistics))
    return run


def test_augment_and_eval_say_in_one_line_that_the_table_moved(runs, tmp_path, capsys):
    run = _copy_of_table_run(runs, tmp_path)
    assert main(["radialgan", "augment", str(run), "--target", "0", "--out",
                 str(tmp_path / "ok.csv")]) == 0
    capsys.readouterr()
    (tmp_path / "table.csv").rename(tmp_path / "moved.csv")
    for argv in (["radialgan", "augment", run, "--target", "0", "--out", tmp_path / "a.csv"],
                 ["eval", run]):
        _fails_cleanly(capsys, argv, "moved", str(tmp_path / "table.csv"), "csv:table.csv")
    assert not (tmp_path / "a.csv").exists() and not (run / "eval.json").exists()


def test_an_older_run_reopens_its_table_from_the_current_directory(runs, tmp_path,
                                                                   monkeypatch, capsys):
    run = _copy_of_table_run(runs, tmp_path)
    path = run / run_files.DATA_STATISTICS_FILE
    statistics = json.loads(path.read_text())
    del statistics["absolute_path"]  # written before genzoo recorded it
    path.write_text(json.dumps(statistics))
    monkeypatch.chdir(tmp_path)
    assert main(["radialgan", "augment", str(run), "--target", "0", "--out", "a.csv"]) == 0
    capsys.readouterr()
    monkeypatch.chdir(run)
    _fails_cleanly(capsys, ["radialgan", "augment", run, "--target", "0", "--out",
                            tmp_path / "b.csv"], "moved", str(run / "table.csv"))


def test_a_table_with_a_new_label_is_refused_not_mistranslated(runs, tmp_path, capsys):
    run = _copy_of_table_run(runs, tmp_path)
    table = (tmp_path / "table.csv").read_text().replace(",yes\n", ",maybe\n", 1)
    (tmp_path / "table.csv").write_text(table)
    _fails_cleanly(capsys, ["radialgan", "augment", run, "--target", "0", "--out",
                            tmp_path / "a.csv"], "changed since", "maybe")
    assert not (tmp_path / "a.csv").exists()
    # the model itself refuses a label index it has no class for
    model, _ = run_files.load_trained_model(run)
    domain = _domains(runs / "table").domains[0]
    with pytest.raises(GenzooError, match="label 2 is out of range"):
        model.translate(domain.x[:2], np.array([0, 2]), 0, 1)


def test_eval_reports_the_translation_quality_of_every_pair(runs, tmp_path, capsys):
    run = shutil.copytree(runs / "two", tmp_path / "two")
    assert main(["eval", str(run)]) == 0
    printed = capsys.readouterr().out
    assert "A -> B" in printed and "B -> A" in printed and "validation rows" in printed
    rows = json.loads((run / "eval.json").read_text())["evaluations"]
    assert sorted((r["source"], r["target"], r["metric"]) for r in rows) == sorted(
        (s, t, m) for s, t in (("A", "B"), ("B", "A"))
        for m in ("translation_rmse_shared", "translation_label_agreement",
                  "translation_ks_rejected"))
    by = {(r["source"], r["metric"]): r for r in rows}
    validation = _domains(run, "validation")
    model, _ = run_files.load_trained_model(run)
    source, target = validation.domains
    features, probabilities = model.translate(source.x, source.y, 0, 1)
    agreement = by["A", "translation_label_agreement"]
    assert agreement["split"] == "validation" and agreement["num"] == len(source.y)
    assert agreement["value"] == pytest.approx(np.mean(probabilities.argmax(1) == source.y))
    assert agreement["value"] > 0.9  # the fixture's run learned to keep the labels
    rmse = by["A", "translation_rmse_shared"]
    shared = [n for n in target.feature_names if n in source.feature_names]
    assert rmse["shared_features"] == shared and len(shared) > 0
    assert 0 < rmse["value"] < 5
    ks = by["A", "translation_ks_rejected"]
    assert set(ks["ks"]) == set(target.feature_names) and ks["ks_features"] == 20
    assert ks["value"] == sum(e["p_value"] < 0.05 for e in ks["ks"].values())
    for entry in ks["ks"].values():
        assert 0 <= entry["statistic"] <= 1 and 0 <= entry["p_value"] <= 1
    # --split test: new rows beside the validation ones
    assert main(["eval", str(run), "--split", "test"]) == 0
    rows = json.loads((run / "eval.json").read_text())["evaluations"]
    assert sorted({r["split"] for r in rows}) == ["test", "validation"] and len(rows) == 12


@pytest.mark.parametrize("flags, fragment", [
    (["--features", "random"], "--features does not apply to a radialgan run"),
    (["--metrics", "fid"], "--metrics does not apply"),
    (["--num", "10"], "--num does not apply"),
    (["--split", "holdout"], "holdout"),
])
def test_eval_of_a_radialgan_run_refuses_image_flags(runs, tmp_path, capsys, flags, fragment):
    run = shutil.copytree(runs / "two", tmp_path / "two")
    _fails_cleanly(capsys, ["eval", run, *flags], fragment)
    assert not (run / "eval.json").exists()


def test_export_metadata_names_domains_features_and_labels(runs, tmp_path, capsys):
    assert main(["export", str(runs / "table"), "--to", str(tmp_path / "exports"),
                 "--no-onnx"]) == 0
    capsys.readouterr()
    version = tmp_path / "exports" / "radialgan" / "1"
    metadata = json.loads((version / "assets.extra" / "genzoo.json").read_text())
    assert metadata["label_classes"] == ["no", "yes"]
    assert [d["name"] for d in metadata["domains"]] == ["north", "south", "west"]
    assert metadata["domains"][1]["feature_names"] == ["age", "weight"]
    assert metadata["domains"][2]["feature_names"] == [
        "income", "weight", "height", "color=blue", "color=green", "color=red"]
    assert metadata["categorical_columns"] == {"color": ["blue", "green", "red"]}
    assert metadata["label_column"] == "outcome"
    # the export works on its own: nothing in it points into the run for these
    # genzoo sample / eval of the export: one line, not a grid of cycling labels
    _fails_cleanly(capsys, ["sample", version, "--out", tmp_path / "s.png"],
                   "is a radialgan export")
    _fails_cleanly(capsys, ["eval", version], "is a radialgan export")


@pytest.mark.parametrize("target", ["2", "-1"])
def test_augment_target_outside_the_domains(runs, tmp_path, capsys, target):
    out = tmp_path / "augmented.csv"
    _fails_cleanly(capsys, ["radialgan", "augment", runs / "two", "--target", target,
                            "--out", out], "--target", "[0, 1]", "0: A, 1: B")
    assert list(tmp_path.iterdir()) == []


def test_augment_needs_a_radialgan_run(tmp_path, capsys):
    gan = tmp_path / "gan"
    assert main(["train", "dcgan", "--set", "base_filters=8", "--set", "latent_dim=8",
                 "--image-size", "8", "--steps", "1", "--out", str(gan)]) == 0
    capsys.readouterr()
    out = tmp_path / "augmented.csv"
    _fails_cleanly(capsys, ["radialgan", "augment", gan, "--target", "0", "--out", out],
                   "needs a radialgan run", "dcgan")
    assert not out.exists()


# ---------------------------------------------------------------------------
# review of issue 18: old runs, tiny domains, thinned epochs

TINIER = ["--set", "latent_dim=6", "--set", "hidden_units=16,16"]


def test_a_domain_without_validation_rows_leaves_the_val_scores_finite(tmp_path, capsys):
    """south has 2 rows (one per class): 2 train rows, no validation row. The val_*
    scores average the pairs whose source has rows (they were NaN for every domain);
    eval has no KS test for south's pairs: n/a, not 0/0."""
    path = _write_table(tmp_path / "tiny.csv", {"north": 40, "south": 2, "west": 40},
                        overrides={(40, "outcome"): "yes", (41, "outcome"): "no"})
    run = tmp_path / "run"
    assert main(["train", "radialgan", *TINIER, "--dataset", f"csv:{path}", "--domain-column",
                 "site", "--label-column", "outcome", "--steps", "2", "--batch-size", "8",
                 "--out", str(run)]) == 0
    assert [len(d.y) for d in _domains(run, "validation").domains] == [8, 0, 8]
    last = _history(run)[-1]
    for key in ("val_latent_cycle", "val_data_cycle_mse", "val_label_agreement"):
        assert math.isfinite(float(last[key])), last
    capsys.readouterr()
    assert main(["eval", str(run)]) == 0
    printed = capsys.readouterr().out
    rows = json.loads((run / "eval.json").read_text())["evaluations"]
    ks = {(r["source"], r["target"]): r["value"] for r in rows
          if r["metric"] == "translation_ks_rejected"}
    assert ks[("north", "south")] is None and ks[("south", "west")] is None
    assert isinstance(ks[("north", "west")], int)
    line = next(text for text in printed.splitlines() if text.startswith("north -> south"))
    assert line.endswith("n/a") and "0/0" not in printed


def _make_run_old(run):
    """What a run written before target_domain, the gap fills and the shared-feature
    term looks like: no target_domain, feature_names or shared_feature_weight in
    config.json, no fill in data_statistics.json (and, trained with the fills left out
    of state_variables, none in the checkpoints)."""
    config_path = run / run_files.CONFIG_FILE
    saved = json.loads(config_path.read_text())
    for key in ("target_domain", "feature_names", "shared_feature_weight"):
        del saved["config"][key]
    config_path.write_text(json.dumps(saved))
    statistics = run_files.read_data_statistics(run)
    for entry in statistics["domains"]:
        del entry["fill"]
    run_files.write_data_statistics(run, statistics)


def test_a_run_from_before_the_fills_and_target_domain_resumes_and_exports(
        tmp_path, monkeypatch, capsys):
    from keras_genzoo.models.radialgan.model import RadialGAN

    new_state = RadialGAN.state_variables

    def old_state(self):
        return {k: v for k, v in new_state(self).items() if not k.startswith("feature_fill")}

    run = tmp_path / "old"
    args = ["train", "radialgan", *TINIER, "--set", "num_domains=2", "--batch-size", "32",
            "--out", str(run)]
    with monkeypatch.context() as patch:
        patch.setattr(RadialGAN, "state_variables", old_state)
        assert main([*args, "--steps", "5"]) == 0
    _make_run_old(run)
    checkpoint = run_files.find_checkpoint(run).path
    names = [name for name, _ in tf_list_variables(checkpoint)]
    assert not any("feature_fill" in name for name in names)
    # loading (eval, export, augment): the fills are the means, not zeros
    model, _ = run_files.load_trained_model(run)
    for mean, fill in zip(model.feature_means, model.feature_fills):
        assert np.abs(mean.numpy()).max() > 1
        np.testing.assert_allclose(fill.numpy(), mean.numpy())
    # fills recorded in the statistics win
    statistics = run_files.read_data_statistics(run)
    for entry in statistics["domains"]:
        entry["fill"] = [value + 1.0 for value in entry["mean"]]
    run_files.write_data_statistics(run, statistics)
    model, _ = run_files.load_trained_model(run)
    np.testing.assert_allclose(model.feature_fills[1].numpy(),
                               np.asarray(statistics["domains"][1]["mean"]) + 1, rtol=1e-6)
    # resuming: no "target_domain=None (asked: 0)" nor "feature_names=[] (asked: [[...]])",
    # no assertion about the fills
    capsys.readouterr()
    assert main([*args, "--steps", "10"]) == 0
    assert "resuming at step 5" in capsys.readouterr().out
    assert int(_history(run)[-1]["step"]) == 10
    model, saved = run_files.load_trained_model(run)
    assert saved["config"]["target_domain"] == 0
    for i, domain in enumerate(_domains(run).domains):
        np.testing.assert_allclose(model.feature_fills[i].numpy(), domain.fill, rtol=1e-6)


def tf_list_variables(checkpoint):
    import tensorflow as tf

    return tf.train.list_variables(checkpoint)


def test_history_rows_past_the_restored_checkpoint_are_replaced_in_order(tmp_path, capsys):
    """Thinned epoch ends (--sample-every): rows for epochs after the last checkpoint
    (a kill before the next one) are dropped on resume and written again in order."""
    run = tmp_path / "thin"
    args = ["train", "radialgan", *TINIER, "--set", "num_domains=2", "--batch-size", "32",
            "--sample-every", "2", "--out", str(run)]
    assert main([*args, "--epochs", "2"]) == 0  # 5 steps an epoch: checkpoint at step 10
    history = _history(run)
    assert [(int(r["epoch"]), int(r["step"])) for r in history] == [(1, 5), (2, 10)]
    stale = [dict(history[-1], epoch=str(epoch), step=str(5 * epoch), d_loss="123")
             for epoch in (3, 4, 5)]  # epochs 3-5 ran, the kill came before step 20's save
    run_files.write_history(run, history + stale)
    assert main([*args, "--epochs", "3"]) == 0
    history = _history(run)
    assert [(int(r["epoch"]), int(r["step"])) for r in history] == [(1, 5), (2, 10), (3, 15)]
    assert history[-1]["d_loss"] != "123"
    # nothing to resume: the stale rows go all the same
    run_files.write_history(run, history + [dict(stale[-1], epoch="9", step="45")])
    assert main([*args, "--epochs", "3"]) == 0
    assert [int(r["epoch"]) for r in _history(run)] == [1, 2, 3]
