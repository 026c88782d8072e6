"""``genzoo radialgan augment RUN --target I --out F.csv``: a target domain's data augmented with every other
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
import pathlib

import numpy as np

from keras_genzoo import config as config_lib
from keras_genzoo import runs
from keras_genzoo.commands.sample import check_output_file
from keras_genzoo.errors import GenzooError
from keras_genzoo.training import plan as plan_lib


def run(args) -> int:
    # ``genzoo radialgan TOOL``: argparse admits only the tools that exist (augment)
    result = augment_domain(args.run, target=args.target, out=args.out, split=args.split)
    print(f"genzoo: wrote {result.path}: {result.rows} rows translated into domain "
          f"{result.target_name} from {', '.join(result.sources)}")
    return 0


@dataclasses.dataclass
class AugmentResult:
    path: pathlib.Path
    rows: int
    target_name: str
    sources: list[str]


def augment_domain(run_dir, *, target: int, out, split: str = "train") -> AugmentResult:
    run_dir, out = pathlib.Path(run_dir), pathlib.Path(out)
    saved = runs.read_run_config(run_dir)
    if saved.get("model") != "radialgan":
        raise GenzooError(f"genzoo radialgan augment needs a radialgan run; {run_dir} is a "
                          f"{saved.get('model')} run")
    statistics = runs.read_data_statistics(run_dir)
    names = [domain["name"] for domain in statistics["domains"]]
    if not 0 <= target < len(names):
        raise GenzooError(f"--target must be a domain index in [0, {len(names) - 1}] "
                          f"({', '.join(f'{i}: {n}' for i, n in enumerate(names))}), got {target}")
    if out.suffix.lower() != ".csv":
        raise GenzooError(f"--out must be a .csv file, got {out}")
    check_output_file(out, "augmented.csv")
    model, _ = runs.load_trained_model(run_dir)
    train = plan_lib.TrainSettings(**{k: v for k, v in saved.get("train", {}).items()
                                      if k in config_lib.field_types(plan_lib.TrainSettings)})
    source = plan_lib.open_training_domains(train.dataset, train, saved["config"], split=split)
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
    with runs.atomic_write(out, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*target_domain.feature_names, label_name, "source_domain"])
        writer.writerows(rows)
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
