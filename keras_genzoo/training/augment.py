"""``genzoo radialgan augment``: a target domain's data augmented with every other
domain translated into it (Yoon, Jordon & van der Schaar 2018, section 5).

Each row of every other domain ``i`` (the chosen split, standardized with
domain i's training statistics) goes through ``G_target(F_i(x_i, y))``; the
result is turned back into the target domain's original units and written
with the row's own label (carried, in the data's original label values) and
the domain it came from. The CSV's columns are the target's features, then
the label column (the run's ``--label-column``, or ``label``) and
``source_domain``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import pathlib

import numpy as np

from keras_genzoo.errors import GenzooError
from keras_genzoo.training import run as run_lib


@dataclasses.dataclass
class AugmentResult:
    path: pathlib.Path
    rows: int
    target_name: str
    sources: list[str]


def augment_domain(run_dir, *, target: int, out, split: str = "train") -> AugmentResult:
    run_dir, out = pathlib.Path(run_dir), pathlib.Path(out)
    saved = run_lib.read_run_config(run_dir)
    if saved.get("model") != "radialgan":
        raise GenzooError(f"genzoo radialgan augment needs a radialgan run; {run_dir} is a "
                          f"{saved.get('model')} run")
    statistics_path = run_dir / run_lib.DATA_STATISTICS_FILE
    if not statistics_path.is_file():
        raise GenzooError(f"{run_dir} has no {run_lib.DATA_STATISTICS_FILE}; train it first")
    statistics = json.loads(statistics_path.read_text())
    names = [domain["name"] for domain in statistics["domains"]]
    if not 0 <= target < len(names):
        raise GenzooError(f"--target must be a domain index in [0, {len(names) - 1}] "
                          f"({', '.join(f'{i}: {n}' for i, n in enumerate(names))}), got {target}")
    if out.suffix.lower() != ".csv":
        raise GenzooError(f"--out must be a .csv file, got {out}")
    run_lib.check_writable(out.parent)
    model, _ = run_lib.load_trained_model(run_dir)
    train = run_lib.TrainSettings(**{k: v for k, v in saved.get("train", {}).items()
                                     if k in run_lib.config_lib.field_types(run_lib.TrainSettings)})
    source = run_lib.open_training_domains(train.dataset, train, saved["config"]["num_domains"],
                                           split=split)
    target_domain = source.domains[target]
    label_values = statistics["label_classes"]
    label_name = train.label_column or "label"
    rows, sources = [], []
    for i, domain in enumerate(source.domains):
        if i == target or not len(domain.y):
            continue
        features, _ = model.translate(domain.x, domain.y, i, target)
        original = target_domain.to_original(features)
        sources.append(domain.name)
        for values, label in zip(original, domain.y):
            rows.append([*(f"{v:.6g}" for v in values), label_values[int(label)], domain.name])
    temporary = out.with_name(out.name + ".tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*target_domain.feature_names, label_name, "source_domain"])
        writer.writerows(rows)
    os.replace(temporary, out)
    return AugmentResult(out, len(rows), target_domain.name, sources)


def read_augmented(path) -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """``(feature names, features [n, d], labels, source domains)`` of an augment CSV."""
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    features = np.array([[float(v) for v in row[:-2]] for row in body], np.float64).reshape(
        len(body), len(header) - 2)
    return header[:-2], features, [row[-2] for row in body], [row[-1] for row in body]
