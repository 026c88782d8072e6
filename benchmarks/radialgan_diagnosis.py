"""Why RadialGAN does or does not help a scarce target: the translations themselves
(companion of `radialgan_augmentation.py`, the same runs' settings).

For `domains:synthetic` with the target's training rows N in {20, 40, all}, three
radialgans are trained as in the augmentation benchmark, one with the paper's
losses, one with the shared-feature term (`shared_feature_weight=10`) and one with
the shared-feature and agreement terms and label-blind encoders, and
every source's HELD-OUT rows are translated into the target. Five measurements
of those translations:

* **label map**: a logistic regression fitted on the translated rows alone (with
  the labels they carry) and scored (AUROC) on the target's real test rows. If
  translation preserved what the label means in the target's features, this
  approaches the classifier fitted on the target's own full train split.
* **pull towards the training rows**: mean distance from a translated row to its
  nearest target TRAIN row, divided by the mean distance to its nearest row
  among as many held-out target rows (standardized units). Near 1: the
  translations are spread like the target's distribution; well below 1: they are
  drawn to the few rows the target discriminator saw (it memorised them).
* **KS**: how many of the target's features a two-sample Kolmogorov-Smirnov test
  tells apart from real held-out target rows (p < 0.05).
* **against the truth**: the generator knows every subject, so each held-out
  source row has a true counterpart (the same subject as the target would have
  recorded it, `synthetic_counterfactual`). Per target feature, the correlation
  of translated and true values, over the features the source records too and
  over those it does not, beside the best linear translator fitted on oracle
  pairs (the ceiling the noise leaves); the class signal: the target's
  full-data classifier scored on the translated rows and on their truths; and the
  label effect: how much the features the source does not record move with the
  label beyond what the source row says, in the translations and in the truth,
  and how far apart the two are feature by feature.
* **what the generated features do**: the benchmark's logistic regression on the
  target's N rows plus the sources' train rows translated, as is, with only
  the features each source records kept (the others at the target's mean), and
  with the others replaced by the truth.

With ``--oracle`` nothing is trained: the target's classifiers are fitted on its
N rows plus the sources' rows translated by ORACLES of known quality (the true
counterparts; only the features the source records, true or as the
shared-feature term pins them, the others at the target's mean; the best linear
translator, and the same plus a draw of its residual), for N in {20, 40}. That
bounds what any translation of a given quality can give the benchmark's
classifiers, and so what the criterion "beats
target only by more than its seed spread" asks of the translations.

    python benchmarks/radialgan_diagnosis.py            # 5 seeds, writes the docs
    python benchmarks/radialgan_diagnosis.py --steps 3000 --set learning_rate=1e-3
    python benchmarks/radialgan_diagnosis.py --quick    # 1 seed, few steps, no docs
    python benchmarks/radialgan_diagnosis.py --oracle   # no training, its own section
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import multiprocessing
import pathlib
import sys
import tempfile
import time

import numpy as np
from docs_section import machine_description, write_section  # noqa: E402
from radialgan_augmentation import (  # noqa: E402
    BATCH_SIZE,
    CLASSIFIERS,
    FULL,
    OVERRIDES,
    label_of,
    mean_std,
    parse_overrides,
    target_classifier,
)

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
START_MARKER, END_MARKER = "<!-- radialgan-diagnosis:start -->", "<!-- radialgan-diagnosis:end -->"
ORACLE_MARKERS = ("<!-- radialgan-oracle:start -->", "<!-- radialgan-oracle:end -->")
ORACLE_SIZES = (20, 40)
#: the oracle translators, in the table's order (oracle_job)
ORACLES = ("true counterparts", "recorded features true, the rest at the target's mean",
           "recorded features as the term pins them, the rest at the target's mean",
           "best linear translator",
           "best linear translator plus a draw of its residual")
DATASET = "domains:synthetic"
#: the paper's losses; with the shared-feature term; and with the shared-feature and
#: agreement terms and label-blind encoders (docs/models/radialgan.md)
ARMS = {"paper's losses": {}, "shared features": {"shared_feature_weight": "10"},
        "label-blind": {"shared_feature_weight": "10", "agreement_weight": "10",
                        "encode_label": "false"}}
#: the augmentation refitted with the sources' translations as they are, with every
#: feature the source does not record at the target's mean, and with those features
#: replaced by the truth (the recorded ones as translated)
AUGMENTATIONS = ("as is", "recorded features only", "unrecorded features true")


def run_job(job: dict) -> dict:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(job["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(job["threads"])
    from scipy.spatial.distance import cdist
    from scipy.stats import ks_2samp
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import roc_auc_score

    from keras_genzoo import runs
    from keras_genzoo.data.tabular import synthetic_counterfactual
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    overrides = {**OVERRIDES, **job["model_overrides"]}
    if job["size"] is not None:
        overrides["target_rows"] = str(job["size"])
    run_dir = pathlib.Path(job["out_dir"]) / "run"
    plan = plan_lib.resolve_plan("radialgan", dataset=DATASET, overrides=overrides,
                                steps=job["steps"], batch_size=BATCH_SIZE, seed=job["seed"],
                                sample_every=job["steps"], out_dir=str(run_dir))
    trainer.train(plan, verbose=0)
    model, _ = runs.load_trained_model(run_dir)
    splits = {split: plan_lib.open_training_domains(DATASET, plan.settings, plan.config,
                                                   split=split) for split in ("train", "test")}
    t = splits["train"].target
    x_train, y_train = splits["train"].domains[t].x, splits["train"].domains[t].y
    x_test, y_test = splits["test"].domains[t].x, splits["test"].domains[t].y
    full = plan_lib.open_training_domains(
        DATASET, plan.settings, {**plan.config, "target_rows": None}, split="train")
    # the whole train split in the N rows' standardized units (the run's, x_test's)
    full_x = splits["train"].domains[t].standardize(full.domains[t].to_original(
        full.domains[t].x))
    full_y = full.domains[t].y

    def auroc(x, y):
        fitted = target_classifier("logistic regression", job["seed"]).fit(x, y)
        return float(roc_auc_score(y_test, fitted.predict_proba(x_test)[:, 1]))

    rng = np.random.default_rng(job["seed"])
    target = splits["train"].domains[t]
    num_domains = len(splits["train"].domains)

    def truth(split, i):
        """Domain i's rows of ``split`` as the target would have recorded them,
        in the target's standardized units."""
        rows = splits[split].domains[i].rows
        return target.standardize(synthetic_counterfactual(i, t, rows, num_domains))

    translated, labels, truths, recorded = [], [], [], {}
    ceiling = {"recorded": [], "not recorded": []}
    label_effect = {"translated": [], "truth": [], "error": []}
    for i, domain in enumerate(splits["test"].domains):
        if i == t:
            continue
        features, _ = model.translate(domain.x, domain.y, i, t)
        translated.append(features)
        labels.append(domain.y)
        truths.append(truth("test", i))
        # the label's own effect on the features the source does not record, given the
        # source row: the coefficient of y in a regression on [x_source, y]
        unrecorded = [k for k, name in enumerate(target.feature_names)
                      if name not in splits["train"].domains[i].feature_names]
        regressors = np.column_stack([domain.x, domain.y])
        slopes = {name: LinearRegression().fit(regressors, values[:, unrecorded]).coef_[:, -1]
                  for name, values in (("translated", features), ("truth", truths[-1]))}
        for name, values in slopes.items():
            label_effect[name].append(float(np.mean(np.abs(values))))
        # per feature, how far the translations' label effect is from the truth's
        label_effect["error"].append(float(np.mean(np.abs(slopes["translated"]
                                                          - slopes["truth"]))))
        # the best linear translator: fitted on the source's TRAIN rows paired with their
        # truths, which no real method has; what the features' own noise leaves to learn
        best = LinearRegression().fit(splits["train"].domains[i].x, truth("train", i))
        best_test = best.predict(domain.x)
        names = splits["train"].domains[i].feature_names
        for k, name in enumerate(target.feature_names):
            group = "recorded" if name in names else "not recorded"
            recorded.setdefault(group, []).append((len(translated) - 1, k))
            ceiling[group].append(np.corrcoef(best_test[:, k], truths[-1][:, k])[0, 1])

    def correlations(group):
        return [np.corrcoef(translated[s][:, k], truths[s][:, k])[0, 1]
                for s, k in recorded.get(group, [])]

    per_feature = {group: (float(np.mean(correlations(group))), float(np.mean(ceiling[group])),
                           len(ceiling[group]))
                   for group in ("recorded", "not recorded") if ceiling[group]}
    # the target's full-data classifier scored on the translated rows and on their
    # truths, both with the source labels: how much of the class signal survives
    full_model = LogisticRegression(max_iter=5000).fit(full_x, full_y)
    labels_all = np.concatenate(labels)
    signal = {"translated": float(roc_auc_score(labels_all, full_model.decision_function(
        np.vstack(translated)))), "truth": float(roc_auc_score(
            labels_all, full_model.decision_function(np.vstack(truths))))}
    translated, labels = np.vstack(translated), labels_all
    # standardized units: the target's train statistics (the same for x_test and x_train)
    reference = x_test[rng.choice(len(x_test), min(len(x_train), len(x_test)), replace=False)]
    pull = float(cdist(translated, x_train).min(axis=1).mean()
                 / cdist(translated, reference).min(axis=1).mean())
    ks = sum(ks_2samp(translated[:, k], x_test[:, k]).pvalue < 0.05
             for k in range(x_test.shape[1]))
    # the benchmark's augmentation (the sources' TRAIN rows translated), with the linear
    # classifier: as is, with only the features each source records kept (the others
    # at the target's mean, 0), and with those others true: what the fills add or cost
    augmented = {name: [x_train] for name in AUGMENTATIONS}
    for i, domain in enumerate(splits["train"].domains):
        if i == t:
            continue
        features, _ = model.translate(domain.x, domain.y, i, t)
        kept, true_rest = np.zeros_like(features), truth("train", i)
        for k, name in enumerate(target.feature_names):
            if name in domain.feature_names:
                kept[:, k] = true_rest[:, k] = features[:, k]
        for name, rows in zip(AUGMENTATIONS, (features, kept, true_rest)):
            augmented[name].append(rows)
    augmented_y = np.concatenate([y_train] + [d.y for i, d in enumerate(
        splits["train"].domains) if i != t])
    augmentation = {name: auroc(np.vstack(rows), augmented_y)
                    for name, rows in augmented.items()}
    return {"job": {k: v for k, v in job.items() if k != "out_dir"},
            "target_only": auroc(x_train, y_train),
            "full_target": auroc(full_x, full_y),
            "translated_only": auroc(translated, labels),
            "pull": pull, "ks_rejected": int(ks), "features": int(x_test.shape[1]),
            "per_feature": per_feature, "class_signal": signal, "augmentation": augmentation,
            "label_effect": {name: float(np.mean(v)) for name, v in label_effect.items()},
            "train_rows": int(len(y_train)),
            "versions": {"tensorflow": tf.__version__, "keras": __import__("keras").__version__,
                         "gpus": ""}}


def oracle_job(job: dict) -> dict:
    """One seed and N of ``--oracle``: the benchmark's two classifiers fitted on the
    target's N rows plus every source's TRAIN rows translated by each oracle,
    scored (AUROC) on the target's test rows. Inputs in the target's standardized
    units (the classifiers standardize again, as in the benchmark)."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import roc_auc_score

    from keras_genzoo.data.tabular import synthetic_counterfactual
    from keras_genzoo.training import plan as plan_lib

    overrides = {**OVERRIDES, "target_rows": str(job["size"])}
    plan = plan_lib.resolve_plan("radialgan", dataset=DATASET, overrides=overrides, steps=1,
                                batch_size=BATCH_SIZE, seed=job["seed"], sample_every=1,
                                out_dir=job["out_dir"])
    splits = {split: plan_lib.open_training_domains(DATASET, plan.settings, plan.config,
                                                   split=split) for split in ("train", "test")}
    domains, t = splits["train"].domains, splits["train"].target
    target = domains[t]
    x_test, y_test = splits["test"].domains[t].x, splits["test"].domains[t].y
    translated = {name: [target.x] for name in ORACLES}
    labels = [target.y]
    rng = np.random.default_rng(job["seed"])
    for i, source in enumerate(domains):
        if i == t:
            continue
        truth = target.standardize(synthetic_counterfactual(i, t, source.rows, len(domains)))
        labels.append(source.y)
        recorded, pinned = np.zeros_like(truth), np.zeros_like(truth)  # 0: the target's mean
        for k, name in enumerate(target.feature_names):
            if name in source.feature_names:
                recorded[:, k] = truth[:, k]
                pinned[:, k] = source.x[:, source.feature_names.index(name)]
        linear = LinearRegression().fit(source.x, truth).predict(source.x)
        # a conditional draw instead of the conditional mean: what a generator that
        # samples the subject's unknown part, as a GAN's translation must, could give
        residual = rng.multivariate_normal(np.zeros(truth.shape[1]), np.cov((truth - linear).T),
                                           len(truth))
        for name, rows in zip(ORACLES, (truth, recorded, pinned, linear, linear + residual)):
            translated[name].append(rows)
    y = np.concatenate(labels)

    def auroc(kind, x, y):
        model = target_classifier(kind, job["seed"]).fit(x, y)
        return float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))

    scores = {kind: {"target only": auroc(kind, target.x, target.y),
                     **{name: auroc(kind, np.vstack(rows), y)
                        for name, rows in translated.items()}}
              for kind in CLASSIFIERS}
    return {"job": {k: v for k, v in job.items() if k != "out_dir"}, "scores": scores,
            "versions": {"tensorflow": tf.__version__, "keras": __import__("keras").__version__,
                         "gpus": ""}}


def oracle_section(argv, results, minutes) -> str:
    """The ``--oracle`` table: AUROC and the paired gain over target only."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/radialgan_diagnosis.py" + "".join(
        f" {arg}" for arg in (argv if argv is not None else sys.argv[1:]))
    seeds = sorted({r["job"]["seed"] for r in results})
    lines = [ORACLE_MARKERS[0], "## What translations a scarce target needs: oracles", "",
             f"Produced by `{command}` on {stamp} in {minutes:.1f} minutes (nothing is "
             f"trained). `{DATASET}` with {OVERRIDES['num_domains']} domains as in the "
             f"sections above, seeds {', '.join(map(str, seeds))}: the target's classifier "
             "(the benchmark's logistic regression and gradient-boosted trees) fitted on its "
             "N training rows plus every source's train rows translated by an oracle, scored "
             "on the target's test rows. The oracles: the true counterparts (the same "
             "subjects as the target would have recorded them, `synthetic_counterfactual`); "
             "only the features the source records too, true or as the shared-feature term "
             "pins them (the source's own standardized value), every other feature at the "
             "target's mean; the best linear translator, fitted on the sources' rows paired "
             "with their truths (its conditional mean), and the same plus a draw of its "
             "residual (a Gaussian with the residuals' covariance: a conditional draw, which "
             "a translation that matches the target's distribution must resemble, with the "
             "correlation with the truth of the mean's square). AUROC mean ± std over seeds; "
             "the gain over target only is paired by seed.", "",
             f"- Machine: {machine_description(results[0]['versions'])}.", "",
             "| N | translated by | logistic regression | gain over target only | "
             "gradient-boosted trees | gain over target only |", "|---|---|---|---|---|---|"]
    for size in ORACLE_SIZES:
        members = [r for r in results if r["job"]["size"] == size]
        for name in ("target only",) + ORACLES:
            cells = []
            for kind in CLASSIFIERS:
                values = [m["scores"][kind][name] for m in members]
                gains = [m["scores"][kind][name] - m["scores"][kind]["target only"]
                         for m in members]
                cells += [mean_std(values),
                          "—" if name == "target only" else mean_std(gains, signed=True)]
            label = "nothing (target only)" if name == "target only" else name
            lines.append(f"| {size} | {label} | " + " | ".join(cells) + " |")
    lines += ["", ORACLE_MARKERS[1]]
    return "\n".join(lines) + "\n"


def run_oracles(args, argv) -> int:
    started = time.perf_counter()
    seeds = (0,) if args.quick else FULL["seeds"]
    with tempfile.TemporaryDirectory(prefix="genzoo-radialgan-oracle-") as tmp:
        jobs = [{"seed": seed, "size": size, "out_dir": str(pathlib.Path(tmp) / "run")}
                for size in ORACLE_SIZES for seed in seeds]
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(args.workers, mp_context=context) as pool:
            results = list(pool.map(oracle_job, jobs))
    section = oracle_section(argv, results, (time.perf_counter() - started) / 60)
    print(section)
    if not args.quick:
        write_section(args.out, section, *ORACLE_MARKERS)
        print(f"wrote {args.out}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=None, help="training steps per run")
    parser.add_argument("--set", dest="model_overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="a radialgan config value for every run")
    parser.add_argument("--oracle", action="store_true",
                        help="no training: what translations of known quality give the "
                             "classifiers (its own section)")
    args = parser.parse_args(argv)
    if args.oracle:
        return run_oracles(args, argv)
    seeds, sizes, steps = ((0,), (20,), 60) if args.quick else (FULL["seeds"],
                                                                 (20, 40, None), FULL["steps"])
    steps = args.steps or steps
    common = parse_overrides(parser, args.model_overrides)
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="genzoo-radialgan-diagnosis-") as tmp:
        jobs = [{"seed": seed, "size": size, "steps": steps, "threads": args.threads,
                 "arm": arm, "model_overrides": {**common, **extra},
                 "out_dir": str(pathlib.Path(tmp) / f"{arm}-{seed}-{label_of(size)}")}
                for arm, extra in ARMS.items() for size in sizes for seed in seeds]
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(args.workers, mp_context=context,
                                                    max_tasks_per_child=1) as pool:
            for result in pool.map(run_job, jobs):
                print({k: v for k, v in result.items() if k != "versions"}, flush=True)
                results.append(result)
    minutes = (time.perf_counter() - started) / 60
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/radialgan_diagnosis.py" + "".join(
        f" {arg}" for arg in (argv if argv is not None else sys.argv[1:]))
    settings = "".join(f" --set {key}={value}" for key, value in common.items())
    lines = [START_MARKER, "## RadialGAN's translations for a scarce target", "",
             f"Produced by `{command}` on {stamp} in {minutes:.1f} minutes: `{DATASET}` as in "
             f"the section above, `--steps {steps}{settings}`, seeds "
             f"{', '.join(map(str, seeds))}, {len(ARMS)} arms: " + "; ".join(
                 f"{arm} ({', '.join(f'{k}={v}' for k, v in extra.items()) or 'as is'})"
                 for arm, extra in ARMS.items()) + ". Held-out source rows "
             "translated into the target: a logistic regression fitted on them alone, scored "
             "on the target's test rows (against one on the target's N rows and one on its "
             "full train split); their pull towards the target's N training rows (nearest-row "
             "distance to those rows / to as many held-out target rows; 1 = none); features a "
             "KS test tells apart (p < 0.05).", "",
             f"- Machine: {machine_description(results[0]['versions'])}.", "",
             "| arm | N | seed | AUROC: target's N rows | translated rows only | target's full "
             "train split | pull | KS: features told apart |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['job']['arm']} | {r['train_rows']} | {r['job']['seed']} | "
                     f"{r['target_only']:.3f} | {r['translated_only']:.3f} | "
                     f"{r['full_target']:.3f} | {r['pull']:.2f} | "
                     f"{r['ks_rejected']} of {r['features']} |")
    lines += ["", "Against the truth: `domains:synthetic` generates its subjects, so every "
              "held-out source row has a true counterpart, the same subject as the target would "
              "have recorded it (`synthetic_counterfactual`). Per target feature, the correlation "
              "of the translated value with the true one, averaged over the features the source "
              "records too and over those it does not (pairs: a source and one target feature; the "
              "ceiling is the best linear translator, "
              "fitted on the source's train rows paired with their truths, which no real method "
              "has: the ceiling that the features' own noise leaves). Class signal: AUROC of the "
              "classifier fitted on the target's full train split, scored with the source labels "
              "on the translated rows and on their truths. Label effect: how much the features "
              "the source does not record move with the label beyond what the source row says "
              "(the mean absolute coefficient of y in a linear regression of each such feature "
              "on the source's features and y), in the translations and in their truths, and "
              "the mean absolute difference of the two coefficients, feature by feature. Mean "
              "± std over the seeds.", "",
              "| arm | N | recorded features: correlation | not recorded: correlation | "
              "class signal: translated | class signal: truth | label effect: translated | "
              "label effect: truth | label effect: error |",
              "|---|---|---|---|---|---|---|---|---|"]
    groups = {}
    for r in results:
        groups.setdefault((r["job"]["arm"], r["train_rows"]), []).append(r)
    for (arm, rows), members in groups.items():
        cells = []
        for group in ("recorded", "not recorded"):
            found = [m["per_feature"][group] for m in members if group in m["per_feature"]]
            if found:
                ceiling = np.mean([f[1] for f in found])
                cells.append(f"{mean_std([f[0] for f in found], 2)} (ceiling {ceiling:.2f}; "
                             f"{found[0][2]} pairs)")
            else:
                cells.append("—")
        lines.append(f"| {arm} | {rows} | {cells[0]} | {cells[1]} | "
                     f"{mean_std([m['class_signal']['translated'] for m in members])} | "
                     f"{mean_std([m['class_signal']['truth'] for m in members])} | "
                     f"{mean_std([m['label_effect']['translated'] for m in members], 2)} | "
                     f"{mean_std([m['label_effect']['truth'] for m in members], 2)} | "
                     f"{mean_std([m['label_effect']['error'] for m in members], 2)} |")
    lines += ["", "What the generated features do to the benchmark's linear classifier: "
              "logistic regression (standardized inputs) on the target's N rows plus every "
              "source's train rows translated: as is; with only the features the source "
              "records kept (every other translated feature at the target's mean); with those "
              "other features replaced by the truth (the recorded ones as translated). AUROC on "
              "the target's test rows; the gain over target only is paired by seed.", "",
              "| arm | N | target only | translated as is | gain | recorded features only | "
              "gain | unrecorded features true | gain |", "|---|---|---|---|---|---|---|---|---|"]
    for (arm, rows), members in groups.items():
        cells = [mean_std([m["target_only"] for m in members])]
        for name in AUGMENTATIONS:
            cells += [mean_std([m["augmentation"][name] for m in members]),
                      mean_std([m["augmentation"][name] - m["target_only"]
                                for m in members], signed=True)]
        lines.append(f"| {arm} | {rows} | " + " | ".join(cells) + " |")
    lines += ["", END_MARKER]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.quick:
        write_section(args.out, section, START_MARKER, END_MARKER)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
