"""Why RadialGAN does or does not help a scarce target: the translations themselves
(companion of `radialgan_augmentation.py`, the same runs' settings).

For `domains:synthetic` with the target's training rows N in {20, all}, a
radialgan is trained as in the augmentation benchmark and every source's
HELD-OUT rows are translated into the target. Three measurements of those
translations:

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

    python benchmarks/radialgan_diagnosis.py            # 3 seeds, writes the docs
    python benchmarks/radialgan_diagnosis.py --quick    # 1 seed, few steps, no docs
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

from docs_section import machine_description, write_section  # noqa: E402
from radialgan_augmentation import BATCH_SIZE, FULL, OVERRIDES, label_of  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
START_MARKER, END_MARKER = "<!-- radialgan-diagnosis:start -->", "<!-- radialgan-diagnosis:end -->"
DATASET = "domains:synthetic"


def run_job(job: dict) -> dict:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(job["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(job["threads"])
    from scipy.spatial.distance import cdist
    from scipy.stats import ks_2samp
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from keras_genzoo import runs
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    overrides = dict(OVERRIDES)
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

    def auroc(x, y):
        fitted = LogisticRegression(max_iter=5000).fit(x, y)
        return float(roc_auc_score(y_test, fitted.predict_proba(x_test)[:, 1]))

    rng = np.random.default_rng(job["seed"])
    translated, labels = [], []
    for i, domain in enumerate(splits["test"].domains):
        if i != t:
            features, _ = model.translate(domain.x, domain.y, i, t)
            translated.append(features)
            labels.append(domain.y)
    translated, labels = np.vstack(translated), np.concatenate(labels)
    # standardized units: the target's train statistics (the same for x_test and x_train)
    reference = x_test[rng.choice(len(x_test), min(len(x_train), len(x_test)), replace=False)]
    pull = float(cdist(translated, x_train).min(axis=1).mean()
                 / cdist(translated, reference).min(axis=1).mean())
    ks = sum(ks_2samp(translated[:, k], x_test[:, k]).pvalue < 0.05
             for k in range(x_test.shape[1]))
    return {"job": {k: v for k, v in job.items() if k != "out_dir"},
            "target_only": auroc(x_train, y_train),
            "full_target": auroc(full.domains[t].x, full.domains[t].y),
            "translated_only": auroc(translated, labels),
            "pull": pull, "ks_rejected": int(ks), "features": int(x_test.shape[1]),
            "train_rows": int(len(y_train)),
            "versions": {"tensorflow": tf.__version__, "keras": __import__("keras").__version__,
                         "gpus": ""}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    seeds, sizes, steps = ((0,), (20,), 60) if args.quick else ((0, 1, 2), (20, None),
                                                                 FULL["steps"])
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="genzoo-radialgan-diagnosis-") as tmp:
        jobs = [{"seed": seed, "size": size, "steps": steps, "threads": args.threads,
                 "out_dir": str(pathlib.Path(tmp) / f"{seed}-{label_of(size)}")}
                for size in sizes for seed in seeds]
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(args.workers, mp_context=context,
                                                    max_tasks_per_child=1) as pool:
            for result in pool.map(run_job, jobs):
                print({k: v for k, v in result.items() if k != "versions"}, flush=True)
                results.append(result)
    minutes = (time.perf_counter() - started) / 60
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START_MARKER, "## RadialGAN's translations for a scarce target", "",
             f"Produced by `python benchmarks/radialgan_diagnosis.py` on {stamp} in "
             f"{minutes:.1f} minutes; the runs of the section above (`{DATASET}`, "
             f"{steps} steps), seeds {', '.join(map(str, seeds))}. Held-out source rows "
             "translated into the target: a logistic regression fitted on them alone, scored "
             "on the target's test rows (against one on the target's N rows and one on its "
             "full train split); their pull towards the target's N training rows (nearest-row "
             "distance to those rows / to as many held-out target rows; 1 = none); features a "
             "KS test tells apart (p < 0.05).", "",
             f"- Machine: {machine_description(results[0]['versions'])}.", "",
             "| N | seed | AUROC: target's N rows | translated rows only | target's full train "
             "split | pull | KS: features told apart |", "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['train_rows']} | {r['job']['seed']} | {r['target_only']:.3f} | "
                     f"{r['translated_only']:.3f} | {r['full_target']:.3f} | {r['pull']:.2f} | "
                     f"{r['ks_rejected']} of {r['features']} |")
    lines += ["", END_MARKER]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.quick:
        write_section(args.out, section, START_MARKER, END_MARKER)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
