"""``genzoo eval PATH``: score a run directory or an export; merge the scores into
``eval.json``.

A ``radialgan`` run is scored on its translations instead
(:mod:`keras_genzoo.metrics.translation`): per ordered pair of domains, on the
validation rows (``--split``), the shared-feature RMSE, the label agreement and
per-feature Kolmogorov-Smirnov tests against the target domain's real rows."""

from __future__ import annotations

import dataclasses
import datetime
import json
import pathlib
import time
from typing import Any

import numpy as np

from keras_genzoo import runs
from keras_genzoo.commands.radialgan import open_run_domains
from keras_genzoo.config import check_seed
from keras_genzoo.data.catalog import check_data_dirs
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.export.exported import ExportedModel
from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator
from keras_genzoo.metrics.translation import DomainRows, translation_quality

EVAL_FILE = "eval.json"
#: the columns that identify an evaluation setting: a new row replaces the old one
_ROW_KEY = ("metric", "features", "num", "dataset", "split", "image_size", "channels", "seed",
            "source", "target")
#: genzoo eval's default split for a radialgan run's translations (the test rows stay
#: untouched for a final report, as in the paper's section 5)
TRANSLATION_SPLIT = "validation"


def run(args) -> int:
    settings = EvalSettings(metrics=args.metrics, features=args.features, num=args.num,
                            dataset=args.dataset, split=args.split, seed=args.seed,
                            inception_weights=args.inception_weights, data_dir=args.data_dir,
                            manual_dir=args.manual_dir, cache_dir=args.cache_dir)
    report = evaluate_path(args.path, settings, out=args.out)
    print(format_report(report))
    print(f"genzoo: wrote {report.out} ({report.seconds:.1f} s)")
    return 0


@dataclasses.dataclass
class EvalReport:
    rows: list[dict[str, Any]]
    out: pathlib.Path | None
    seconds: float
    setting: dict[str, Any]


def evaluate_path(path, settings: EvalSettings, *, out=None) -> EvalReport:
    """Score the run directory or export at ``path``; write ``eval.json``.

    ``out`` defaults to ``<run>/eval.json``, or ``eval.json`` in the export's
    version directory. Entries of an earlier evaluation with the same metric
    and setting are replaced, others kept.
    """
    path = pathlib.Path(path)
    check_seed(settings.seed)
    if not path.exists():
        raise GenzooError(f"no such run or export: {path}")
    started = time.perf_counter()
    if runs.is_run_dir(path) and runs.read_run_config(path).get("model") == "radialgan":
        return evaluate_translation(path, settings, out=out, started=started)
    if runs.is_run_dir(path):
        producer, saved = runs.load_trained_model(path)
        if not (producer.generative or producer.reconstructs):
            raise ConfigError(f"genzoo eval scores generative models and autoencoders; {path} is "
                              f"a {saved['model']} run")
        train = saved.get("train", {})
        default_out = path / EVAL_FILE
        dataset, data_dir, manual_dir = (train.get("dataset"), train.get("data_dir"),
                                         train.get("manual_dir"))
        image_size, channels = producer.config.image_size, producer.config.channels
        step, source = runs.checkpoint_number(producer.checkpoint_path), {"run": str(path)}
    else:
        producer = ExportedModel(path)
        if not (producer.generative or producer.reconstructs):  # a style-transfer export
            raise ConfigError(f"genzoo eval scores generative models and autoencoders; {path} "
                              f"is an export of {producer.metadata.get('model', 'another model')}")
        metadata = producer.metadata
        default_out = producer.version_dir / EVAL_FILE
        dataset, data_dir, manual_dir = (metadata.get("dataset"), metadata.get("data_dir"),
                                         metadata.get("manual_dir"))
        image_size, channels = producer.image_size, producer.channels
        step, source = metadata.get("step"), {"export": str(producer.version_dir)}
    check_data_dirs(settings.dataset or dataset or "digits", settings.data_dir,
                    settings.manual_dir)
    settings = dataclasses.replace(
        settings, dataset=settings.dataset or dataset or "digits",
        data_dir=settings.data_dir or data_dir, manual_dir=settings.manual_dir or manual_dir)
    out = pathlib.Path(out) if out else default_out
    runs.check_writable(out.parent)
    evaluator = Evaluator(settings, image_size=image_size, channels=channels,
                          points=bool(producer.points), generative=producer.generative,
                          reconstructs=producer.reconstructs)
    values = evaluator.evaluate(producer)
    setting = {**evaluator.describe(), **source, "step": step}
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    rows = [{"metric": name, **_json_value(value), **setting, "time": stamp}
            for name, value in values.items()]
    write_eval_file(out, rows)
    return EvalReport(rows, out, time.perf_counter() - started, setting)


def evaluate_translation(path: pathlib.Path, settings: EvalSettings, *, out=None,
                         started: float | None = None) -> EvalReport:
    """A radialgan run's translation quality on one split of its domains (validation
    unless ``settings.split``): three rows per ordered pair (source -> target) in
    ``eval.json``, ``translation_rmse_shared``, ``translation_label_agreement`` and
    ``translation_ks_rejected`` (with every feature's KS statistic and p-value)."""
    started = time.perf_counter() if started is None else started
    image_flags = [flag for flag, given in (
        ("--metrics", settings.metrics not in (None, "translation")),
        ("--features", settings.features != "inception"),
        ("--num", settings.num is not None), ("--dataset", settings.dataset is not None),
        ("--seed", settings.seed != 0),
        ("--inception-weights", settings.inception_weights is not None),
        ("--cache-dir", settings.cache_dir is not None),
        ("--data-dir", settings.data_dir is not None),
        ("--manual-dir", settings.manual_dir is not None)) if given]
    if image_flags:
        raise ConfigError(f"{image_flags[0]} does not apply to a radialgan run: genzoo eval "
                          "scores its translations on every domain's rows of --split "
                          f"(default {TRANSLATION_SPLIT})")
    saved = runs.read_run_config(path)
    statistics = runs.read_data_statistics(path)
    split = settings.split or TRANSLATION_SPLIT
    out = pathlib.Path(out) if out else path / EVAL_FILE
    runs.check_writable(out.parent)
    source = open_run_domains(path, saved, statistics, split=split)
    model, _ = runs.load_trained_model(path)
    pairs = translation_quality(model.translate,
                                [DomainRows.of(domain) for domain in source.domains])
    setting = {"features": None, "dataset": saved.get("train", {}).get("dataset"),
               "split": split, "image_size": None, "channels": None, "seed": None,
               "run": str(path), "step": runs.checkpoint_number(model.checkpoint_path)}
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    rows = []
    for pair in pairs:
        common = {"source": pair.source_name, "target": pair.target_name,
                  "source_index": pair.source, "target_index": pair.target,
                  "num": pair.rows, "reference_num": pair.reference_rows, **setting,
                  "time": stamp}
        rows += [
            {"metric": "translation_rmse_shared", "value": pair.rmse_shared,
             "shared_features": pair.shared_features, **common},
            {"metric": "translation_label_agreement", "value": pair.label_agreement, **common},
            {"metric": "translation_ks_rejected", "value": pair.ks_rejected,
             "alpha": pair.alpha, "ks_features": len(pair.ks), "ks": pair.ks, **common},
        ]
    write_eval_file(out, rows)
    return EvalReport(rows, out, time.perf_counter() - started,
                      {**setting, "evaluation": "translation"})


def _json_value(value) -> dict[str, Any]:
    """``{"value": v}``; strict JSON has no infinity (a perfect reconstruction's
    PSNR), so a non-finite value is null with its spelling beside it."""
    if isinstance(value, float) and not np.isfinite(value):
        return {"value": None, "value_text": str(value)}
    return {"value": value}


def write_eval_file(path: pathlib.Path, rows: list[dict[str, Any]]) -> None:
    """Merge ``rows`` into ``path`` (``{"evaluations": [...]}``), atomically.

    The read-merge-write holds ``runs.directory_lock(path.parent, runs.EVAL_LOCK)``
    (a hidden lock file, created only now and removed after), so that two evaluations
    finishing together cannot each drop the other's rows: the second one fails
    with a one-line error naming the first one's pid and leaves the file as it was.
    """
    path = pathlib.Path(path)
    try:
        with runs.directory_lock(path.parent, runs.EVAL_LOCK, what="an evaluation"):
            existing: list[dict] = []
            if path.is_file():
                try:
                    existing = list(json.loads(path.read_text()).get("evaluations", []))
                except (ValueError, AttributeError):
                    existing = []  # unreadable: replaced by this evaluation
            new_keys = {tuple(row.get(k) for k in _ROW_KEY) for row in rows}
            kept = [row for row in existing
                    if tuple(row.get(k) for k in _ROW_KEY) not in new_keys]
            runs.write_json(path, {"evaluations": kept + rows})
    except OSError as error:  # disk full, permissions: one line naming the file
        raise GenzooError(f"cannot write {path}: {error.strerror or error}") from None


def format_report(report: EvalReport) -> str:
    """The table ``genzoo eval`` prints."""
    s = report.setting
    if s.get("evaluation") == "translation":
        return _format_translation(report)
    if s.get("features") and s.get("reference_num"):
        what = (f"{s['num']} samples vs {s['reference_num']} reference images "
                f"({s['dataset']} {s['split']}, {s['image_size']}x{s['image_size']}x"
                f"{s['channels']}), features {s['features']}, seed {s['seed']}")
    elif s.get("features"):  # the inception score needs no reference
        what = f"{s['num']} samples, features {s['features']}, seed {s['seed']}"
    else:
        what = f"{s['num']} samples, {s['dataset']} {s['split'] or ''}, seed {s['seed']}"
    lines = [what, f"{'metric':<14} value"]
    for row in report.rows:
        value = row["value"] if row["value"] is not None else float(row["value_text"])
        text = f"{value:d}" if isinstance(value, int) else f"{value:.6g}"
        lines.append(f"{row['metric']:<14} {text}")
    return "\n".join(lines)


def _format_translation(report: EvalReport) -> str:
    """One line per ordered pair of a radialgan run's domains."""
    s = report.setting
    lines = [f"translations of {s['dataset']} ({s['split']} rows, step {s['step']}): "
             "rmse_shared on the features both domains record, in the target's standardized "
             "units; ks: target features whose KS test rejects at p < 0.05",
             f"{'pair':<16} {'rows':>5} {'shared':>6} {'rmse_shared':>11} "
             f"{'label_agreement':>15} {'ks p<0.05':>9}"]
    by_pair: dict[tuple, dict[str, dict]] = {}
    for row in report.rows:
        by_pair.setdefault((row["source"], row["target"]), {})[row["metric"]] = row

    def number(value):
        return "-" if value is None else f"{value:.4f}"

    for (source, target), metrics in by_pair.items():
        rmse = metrics["translation_rmse_shared"]
        ks = metrics["translation_ks_rejected"]
        lines.append(f"{f'{source} -> {target}':<16} {rmse['num']:>5} "
                     f"{len(rmse['shared_features']):>6} {number(rmse['value']):>11} "
                     f"{number(metrics['translation_label_agreement']['value']):>15} "
                     + (f"{'n/a':>9}" if ks["value"] is None
                        else f"{ks['value']:>4}/{ks['ks_features']}"))
    return "\n".join(lines)
