"""benchmarks/mode_coverage.py's results cache: a partial run (--merge) adds rows and
keeps every earlier row exactly as the docs had it (the trainings are a benchmark,
not a test: the runs here are made up)."""

import argparse
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
import mode_coverage  # benchmarks/ is not a package: imported from its folder

OLD = ["gan minimax", "wgan"]
NEW = "gan + historical averaging"


def _run(modes, quality, seconds, num_modes=25):
    return {"modes": modes, "quality": quality, "num_modes": num_modes, "seconds": seconds,
            "raw_modes": modes - 1, "raw_quality": quality / 2}


def _old_section(tmp_path):
    """A docs section as a full run of the two OLD variants would write it."""
    rng = np.random.default_rng(0)
    results = {}
    for dataset in mode_coverage.DATASETS:
        k = 25 if "grid" in dataset else 8
        for label in OLD:
            results[dataset, label] = mode_coverage.summarize(
                [_run(int(rng.integers(0, k + 1)), float(rng.uniform(0, 1)),
                      float(rng.uniform(20, 90)), k) for _ in range(3)])
    texts = {label: f"optimizer text of {label}" for label in OLD}
    provenance = ["Produced by `python benchmarks/mode_coverage.py` on 2026-01-01 00:00 UTC in "
                  "1.0 minutes (12 trainings, each in a fresh process, one at a time). "
                  "Regenerate it with the same command.", "", "- Machine: a test machine (the "
                  "machine was shared, so wall times are indicative)."]
    section = mode_coverage.render_section(results, texts, 6000, 256, (0, 1, 2), provenance,
                                           "images/mode_coverage.png")
    markdown = tmp_path / "benchmarks.md"
    markdown.write_text("# Benchmarks\n\n" + section + "\nafter\n")
    return markdown, results


def _tables(markdown, dataset):
    text = markdown.read_text()
    block = text[text.index(f"### {dataset}"):].split("\n\n")[1]
    return {line.split(" | ")[0]: line for line in block.splitlines()[2:]}


def test_legacy_rows_parse_back_to_the_same_table(tmp_path):
    markdown, results = _old_section(tmp_path)
    legacy = mode_coverage.legacy_from_docs(markdown)
    assert legacy["config_texts"] == {label: f"optimizer text of {label}" for label in OLD}
    assert legacy["machine"] == "a test machine"
    for dataset in mode_coverage.DATASETS:
        parsed = {(dataset, label): dict(legacy["summaries"][f"{dataset}|{label}"])
                  for label in OLD}
        for summary in parsed.values():
            summary["modes"], summary["quality"] = tuple(summary["modes"]), tuple(summary["quality"])
        assert (mode_coverage.render_table(dataset, parsed)
                == mode_coverage.render_table(dataset, results))


def test_a_merged_run_adds_its_rows_and_keeps_the_old_ones(tmp_path):
    from PIL import Image

    markdown, _ = _old_section(tmp_path)
    (tmp_path / "images").mkdir()
    Image.new("RGB", (640, 320), "white").save(tmp_path / "images" / "mode_coverage.png")
    before = {dataset: _tables(markdown, dataset) for dataset in mode_coverage.DATASETS}
    cache = tmp_path / "results" / "mode_coverage.json"
    config = {"optimizer": "adam", "generator_lr": 0.003, "discriminator_lr": 0.001,
              "beta_1": 0.0, "beta_2": 0.999, "d_steps": 1, "loss": "non_saturating",
              "historical_averaging": 0.01}
    grid = "toy2d:grid25"
    runs = {(grid, NEW, seed): {**_run(20 + seed, 0.5 + seed / 10, 100.0),
                                "samples": np.zeros((5, 2), np.float32)}
            for seed in (0, 1, 2)}
    batch = {"command": "python benchmarks/mode_coverage.py --merge", "date": "2026-01-02 00:00 UTC",
             "minutes": 5.0, "trainings": 3, "lanes": "one at a time", "steps": 6000,
             "batch_size": 256, "seeds": [0, 1, 2], "machine": "another machine",
             "loads": ["1.0", "2.0"]}
    mode_coverage.store_runs(cache, runs, {(NEW, grid): config}, batch)
    args = argparse.Namespace(cache=cache, out=markdown, seeds=(0, 1, 2), steps=6000,
                              batch_size=256)
    assert mode_coverage.write_docs_from_cache(args) == 0

    after = {dataset: _tables(markdown, dataset) for dataset in mode_coverage.DATASETS}
    for dataset in mode_coverage.DATASETS:
        for label in OLD:
            assert after[dataset][f"| {label}"] == before[dataset][f"| {label}"]
    assert after[grid][f"| {NEW}"].startswith(f"| {NEW} | 21.0 ± 1.0 / 25 | 20, 21, 22 | 60.0 ± 10.0")
    assert f"| {NEW}" not in after["toy2d:ring8"]
    text = markdown.read_text()
    assert text.endswith("\nafter\n")  # only the section is rewritten
    assert f"Runs of {NEW}: `python benchmarks/mode_coverage.py --merge` on 2026-01-02" in text
    assert "Rows other than gan + historical averaging: produced by `python" in text
    absent = next(line for line in text.splitlines()
                  if line.startswith("- Not run on toy2d:ring8 (no row in its table): "))
    assert NEW in absent and "gan minimax" not in absent
    saved = json.loads(cache.read_text())
    assert set(saved["runs"]) == {f"{grid}|{NEW}|{seed}" for seed in (0, 1, 2)}
    # the old figure stays on top; the new rows' panels go under it
    with Image.open(tmp_path / "images" / "mode_coverage.png") as figure:
        assert figure.height > 320
