"""``genzoo radialgan augment RUN --target I --out F.csv``: a target domain's data augmented with every other
domain translated into it (Yoon, Jordon & van der Schaar 2018, section 5).

Each row of every other domain ``i`` (the chosen split, standardized with
domain i's training statistics) goes through ``G_target(F_i(x_i, y))``; the
result is turned back into the target domain's original units and written
with the row's own label (carried, in the data's original label values) and
the domain it came from. The CSV's columns are the target's features, then
the label column (the run's ``--label-column``, or ``label``) and
``source_domain``. A categorical column ``c`` of a ``csv:`` table, which the
networks see as one-hot columns ``c=v1, c=v2, ...``, comes back as ONE column
``c`` holding the category whose translated one-hot score is the largest (the
decoder's outputs are unconstrained reals, not a one-hot vector):
:func:`read_augmented` turns it back into the one-hot columns when asked.

The run's table is reopened from where the run was trained: ``genzoo train``
records a ``csv:`` table's absolute path in ``data_statistics.json``
(``absolute_path``); runs from before that reopen the path as given, from the
current directory. A table that moved, or changed since training (other
domains, features, labels or standardization), is a one-line error.
"""

from __future__ import annotations

import csv
import dataclasses
import pathlib

import numpy as np

from keras_genzoo import config as config_lib
from keras_genzoo import runs
from keras_genzoo.commands.sample import check_output_file
from keras_genzoo.data import catalog
from keras_genzoo.errors import DataError, GenzooError
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
    source = open_run_domains(run_dir, saved, statistics, split=split)
    model, _ = runs.load_trained_model(run_dir)
    target_domain = source.domains[target]
    label_values = statistics["label_classes"]
    label_name = saved.get("train", {}).get("label_column") or "label"
    columns = output_columns(target_domain.feature_names,
                             statistics.get("categorical_columns") or {})
    rows, sources = [], []
    for i, domain in enumerate(source.domains):
        if i == target or not len(domain.y):
            continue
        features, _ = model.translate(domain.x, domain.y, i, target)
        original = target_domain.to_original(features)
        sources.append(domain.name)
        for values, label in zip(original, domain.y):
            rows.append([*(_cell(values, column) for column in columns),
                         label_values[int(label)], domain.name])
    with runs.atomic_write(out, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*(column.name for column in columns), label_name, "source_domain"])
        writer.writerows(rows)
    return AugmentResult(out, len(rows), target_domain.name, sources)


@dataclasses.dataclass
class OutputColumn:
    """One column of the augment CSV: a numeric feature (one position of the domain's
    features) or a categorical column (the positions of its one-hot columns and the
    category each one stands for)."""

    name: str
    positions: list[int]
    categories: list[str] | None = None


def output_columns(feature_names, categorical_columns) -> list[OutputColumn]:
    """The augment CSV's feature columns for a domain's ``feature_names``: a one-hot
    group ``c=v1, c=v2, ...`` of a categorical column ``c`` (``categorical_columns``:
    the data statistics' ``{column: [values]}``) becomes one column ``c`` where its
    first member was."""
    columns: list[OutputColumn] = []
    groups: dict[str, OutputColumn] = {}
    one_hot = {f"{column}={value}": (column, value)
               for column, values in categorical_columns.items() for value in values}
    for position, name in enumerate(feature_names):
        if name not in one_hot:
            columns.append(OutputColumn(name, [position]))
            continue
        column, value = one_hot[name]
        if column not in groups:
            groups[column] = OutputColumn(column, [], [])
            columns.append(groups[column])
        groups[column].positions.append(position)
        groups[column].categories.append(value)
    return columns


def _cell(values, column: OutputColumn) -> str:
    if column.categories is None:
        return f"{values[column.positions[0]]:.6g}"
    # the translated one-hot scores are reals: the category is the largest one's
    return column.categories[int(np.argmax(values[column.positions]))]


def open_run_domains(run_dir, saved, statistics, *, split: str):
    """The run's domains, split ``split``, reopened as the trainer opened them, from
    where the run was trained; a one-line error if the table moved or changed."""
    train = plan_lib.TrainSettings(**{k: v for k, v in saved.get("train", {}).items()
                                      if k in config_lib.field_types(plan_lib.TrainSettings)})
    train = dataclasses.replace(train, dataset=_located_dataset(run_dir, train.dataset,
                                                                statistics))
    source = plan_lib.open_training_domains(train.dataset, train, saved["config"], split=split)
    _check_same_data(run_dir, source, statistics)
    return source


def _located_dataset(run_dir, dataset: str, statistics) -> str:
    """``csv:<path>`` at the absolute path recorded at training time (runs from before
    it was recorded: the path as given, from the current directory)."""
    kind, argument = catalog.parse_spec(dataset)
    if kind != "csv":
        return dataset
    recorded = statistics.get("absolute_path")
    path = pathlib.Path(recorded) if recorded else pathlib.Path(argument)
    if not path.is_file():
        where = ("recorded when it trained" if recorded
                 else "as given, from the current directory; the run is older than the "
                      "recorded absolute path")
        raise DataError(f"the table of {run_dir} moved: {path.absolute()} ({where}) is not a "
                        f"file; put csv:{argument} back there")
    return f"csv:{path}"


def _check_same_data(run_dir, source, statistics) -> None:
    """The reopened table must be the one the run trained on: the same domains,
    features and label values, and the same training-split standardization."""
    problem = None
    saved_domains = statistics.get("domains", [])
    if [d.name for d in source.domains] != [d["name"] for d in saved_domains]:
        problem = "its domains differ"
    elif list(source.label_classes) != list(statistics.get("label_classes", [])):
        problem = (f"its labels are {source.label_classes}, the run's "
                   f"{statistics.get('label_classes')}")
    else:
        for domain, entry in zip(source.domains, saved_domains):
            if list(domain.feature_names) != list(entry["feature_names"]):
                problem = f"domain {domain.name}'s features differ"
            elif not (np.allclose(domain.mean, entry["mean"], rtol=1e-6, atol=1e-9)
                      and np.allclose(domain.std, entry["std"], rtol=1e-6, atol=1e-9)):
                problem = f"domain {domain.name}'s training rows differ"
            if problem:
                break
    if problem:
        raise DataError(f"{source.name} changed since {run_dir} was trained ({problem}); "
                        "translate the table the run was trained on")


def read_augmented(path, categorical_columns=None) -> tuple[list[str], np.ndarray, list[str],
                                                            list[str]]:
    """``(feature names, features [n, d], labels, source domains)`` of an augment CSV.

    A categorical column holds category names: pass ``categorical_columns`` (the run's
    data statistics' ``{column: [values]}``) to get it back as the one-hot columns
    ``c=v`` (1.0 for the row's category, 0.0 elsewhere) that the run's domains use.
    Without it every feature column must be numeric (a ValueError names the first
    one that is not)."""
    categorical_columns = categorical_columns or {}
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    names, columns = [], []
    for position, name in enumerate(header[:-2]):
        cells = [row[position] for row in body]
        if name in categorical_columns:
            for value in categorical_columns[name]:
                names.append(f"{name}={value}")
                columns.append([1.0 if cell == value else 0.0 for cell in cells])
            continue
        try:
            columns.append([float(cell) for cell in cells])
        except ValueError:
            raise ValueError(f"column {name} of {path} is not numeric; pass the run's "
                             "categorical_columns to read it as one-hot columns") from None
        names.append(name)
    features = np.array(columns, np.float64).T.reshape(len(body), len(names))
    return names, features, [row[-2] for row in body], [row[-1] for row in body]
