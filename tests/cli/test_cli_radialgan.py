"""RadialGAN through the CLI: `genzoo train radialgan` on domains:breast_cancer
(M = 2 and M = 4) and on a csv: table whose domains have different features,
`genzoo radialgan augment` (labels carried exactly, features in the target
domain's original units), and the bad input of issue 7 (exit 2, one line,
nothing written)."""

import csv
import json
import math

import numpy as np
import pytest
from test_cli import _fails_cleanly  # tests/cli is on sys.path under pytest

from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs as run_files
from keras_genzoo.commands.radialgan import read_augmented
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
    """The run's data source, reopened the way the trainer opened it."""
    saved = run_files.read_run_config(run)
    fields = plan_lib.config_lib.field_types(plan_lib.TrainSettings)
    settings = plan_lib.TrainSettings(**{k: v for k, v in saved["train"].items() if k in fields})
    return plan_lib.open_training_domains(settings.dataset, settings, saved["config"],
                                         split=split)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("radialgan-runs")
    assert main(["train", "radialgan", *TINY, "--set", "num_domains=2", "--set",
                 "learning_rate=1e-3", "--steps", "150", "--batch-size", "32",
                 "--out", str(root / "two")]) == 0
    table = _write_table(root / "table.csv")
    assert main(["train", "radialgan", *TINY, "--dataset", f"csv:{table}", "--domain-column",
                 "site", "--label-column", "outcome", "--steps", "4", "--batch-size", "8",
                 "--out", str(root / "table")]) == 0
    return root


def test_m2_run_learns_both_cycles_and_keeps_labels(runs):
    run = runs / "two"
    history = _history(run)
    assert len(history) == 30 and int(history[-1]["step"]) == 150  # 171 train rows // 32
    for row in history:
        assert all(math.isfinite(float(row[key])) for key in row), row
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
    names, features, labels, sources = read_augmented(out)
    domains = _domains(run)
    west = domains.domains[2]
    assert names == ["income", "weight", "height", "color=blue", "color=green", "color=red"]
    with open(out, newline="") as handle:
        assert next(csv.reader(handle))[-2:] == ["outcome", "source_domain"]
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
    np.testing.assert_allclose(features, np.concatenate(expected_features), rtol=1e-5, atol=1e-9)


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
