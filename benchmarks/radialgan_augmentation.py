"""RadialGAN's augmentation experiment for a scarce target domain (Yoon, Jordon &
van der Schaar 2018, section 6), on `domains:synthetic` and `domains:breast_cancer`.

The paper's question: a target domain has few labelled rows; other domains record
the same kind of subject with different (overlapping) features. Does translating
their rows into the target's feature space give a better target classifier than
using the target alone, or than the simpler ways of pooling the domains?

For every dataset (4 domains: the target, domain 0, and 3 sources), seed and
target size N (the target's training rows, `--set target_rows=N`, stratified;
its validation and test rows are untouched), a `radialgan` is trained through
the library's own path (`resolve_plan` + `trainer.train`), then the target's
classifier is fitted on

* **target only**: the target's own training rows;
* **simple combination**: every domain's training rows on the features that
  all the domains record (each in its own units);
* **pooling + mean imputation** / **pooling + iterative imputation**: every
  domain's rows in the target's feature space, the features a source does not
  record imputed (scikit-learn's `SimpleImputer` / `IterativeImputer`, fitted on
  the pooled rows);
* **RadialGAN**: the target's rows plus every source's rows translated into the
  target (`genzoo radialgan augment`);
* **RadialGAN, chosen on validation**: RadialGAN when its AUROC on the target's
  VALIDATION split beats target-only's, else target only (the test split never
  takes part in the choice).

Predictive models: logistic regression (standardized inputs) and gradient-boosted
trees (scikit-learn). Scores: AUROC and AUPRC on the target's TEST split, mean and
standard deviation over the seeds. At N = 20 the number of source domains also
varies (1, 2, 3: `--set source_domains=K`). For every run the translation quality
is recorded too: label agreement of the translated rows and the share of target
features where a two-sample Kolmogorov-Smirnov test tells translated from real
rows (p < 0.05), the diagnosis when RadialGAN does not help.

    python benchmarks/radialgan_augmentation.py            # 5 seeds, writes the docs
    python benchmarks/radialgan_augmentation.py --quick    # 2 seeds, N in {10, all}, few steps, no docs
    # a variant, written as its own section (and figure) of the docs:
    python benchmarks/radialgan_augmentation.py --sizes 10,20,40,all --steps 3000 \
        --set learning_rate=1e-3 --set shared_feature_weight=10 --section shared-features

RadialGAN's gain over the other methods is also given paired by seed (every
method of a seed sees the same split), which separates the gain's own spread
from the split-to-split spread that every method shares.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import multiprocessing
import pathlib
import re
import sys
import tempfile
import time

from docs_section import machine_description, write_section  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
FIGURE = "radialgan_scarce.png"
START_MARKER, END_MARKER = "<!-- radialgan:start -->", "<!-- radialgan:end -->"
DATASETS = {
    # the positive class of AUPRC, by its original label value
    "domains:synthetic": "1",
    "domains:breast_cancer": "malignant",
}
NUM_DOMAINS = 4
METHODS = ("target only", "simple combination", "pooling + mean imputation",
           "pooling + iterative imputation", "RadialGAN", "RadialGAN, chosen on validation")
CLASSIFIERS = ("logistic regression", "gradient-boosted trees")
FULL = {"seeds": (0, 1, 2, 3, 4), "sizes": (10, 20, 40, 80, None), "sources": (1, 2),
        "steps": 1500}
QUICK = {"seeds": (0, 1), "sizes": (10, None), "sources": (), "steps": 60}
SOURCES_AT = 20  # the target size at which the number of sources varies
#: model settings of every run: the preset's networks, more steps than a 3-domain
#: run needs (4 domains give 12 translation pairs per step)
OVERRIDES = {"num_domains": str(NUM_DOMAINS)}
BATCH_SIZE = 32


def command_tail(argv) -> str:
    """The arguments that say what was measured, for the docs: not --results FILE,
    a local file that only saves rerunning."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--results":
            skip = True
        elif not arg.startswith("--results="):
            kept.append(arg)
    return "".join(f" {arg}" for arg in kept)


def parse_overrides(parser, items) -> dict:
    """``--set KEY=VALUE`` items -> ``{KEY: VALUE}`` (a usage error otherwise)."""
    overrides = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not (equals and key):
            parser.error(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key] = value
    return overrides


def section_names(section):
    """The markers and figure of the default section, or of variant ``section``."""
    if not section:
        return START_MARKER, END_MARKER, FIGURE
    return (f"<!-- radialgan-{section}:start -->", f"<!-- radialgan-{section}:end -->",
            f"radialgan_scarce-{section}.png")


def label_of(size):
    return "all" if size is None else str(size)


def target_classifier(kind: str, seed: int):
    """The target's classifier ``kind`` (one of CLASSIFIERS), unfitted: logistic
    regression on standardized inputs, or gradient-boosted trees seeded by ``seed``."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic regression":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    return GradientBoostingClassifier(random_state=seed)


def mean_std(values, digits: int = 3, signed: bool = False) -> str:
    """``mean ± std`` over seeds (sample std; 0 for one seed), ``+`` shown when
    ``signed`` (a gain)."""
    import numpy as np

    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    sign = "+" if signed else ""
    return f"{np.mean(values):{sign}.{digits}f} ± {std:.{digits}f}"


def run_job(job: dict) -> dict:
    """Train one radialgan for one (dataset, seed, N, sources) and score every method."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    # two jobs share the CPU: one thread each beats two that contend
    tf.config.threading.set_intra_op_parallelism_threads(job["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(job["threads"])
    from scipy.stats import ks_2samp
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer, SimpleImputer
    from sklearn.metrics import average_precision_score, roc_auc_score

    from keras_genzoo import runs
    from keras_genzoo.commands.radialgan import augment_domain, read_augmented
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    out = pathlib.Path(job["out_dir"])
    overrides = {**OVERRIDES, **job["model_overrides"]}
    if job["size"] is not None:
        overrides["target_rows"] = str(job["size"])
    if job["sources"] is not None:
        overrides["source_domains"] = str(job["sources"])
    plan = plan_lib.resolve_plan("radialgan", dataset=job["dataset"], overrides=overrides,
                                steps=job["steps"], batch_size=BATCH_SIZE, seed=job["seed"],
                                sample_every=job["steps"], out_dir=str(out / "run"))
    started = time.perf_counter()
    result = trainer.train(plan, verbose=0)
    seconds = time.perf_counter() - started
    splits = {split: plan_lib.open_training_domains(job["dataset"], plan.settings, plan.config,
                                                   split=split)
              for split in ("train", "validation", "test")}
    train = splits["train"]
    t = train.target
    target = train.domains[t]
    positive = train.label_classes.index(job["positive"])

    def original(split, index):
        domain = splits[split].domains[index]
        return domain.to_original(domain.x), (domain.y == positive).astype(int)

    x_train, y_train = original("train", t)
    evaluation = {"validation": original("validation", t), "test": original("test", t)}
    sources = [i for i in range(len(train.domains)) if i != t]

    # simple combination: the features every domain records, each in its own units
    shared = [name for name in target.feature_names
              if all(name in train.domains[i].feature_names for i in sources)]

    def columns(index, names, x):
        domain = train.domains[index]
        return x[:, [domain.feature_names.index(name) for name in names]]

    def in_target_space(index, x):
        """A source's rows in the target's features, NaN where the source has none."""
        filled = np.full((len(x), len(target.feature_names)), np.nan)
        for column, name in enumerate(target.feature_names):
            if name in train.domains[index].feature_names:
                filled[:, column] = x[:, train.domains[index].feature_names.index(name)]
        return filled

    pooled_x, pooled_y, simple_x = [x_train], [y_train], [columns(t, shared, x_train)]
    for i in sources:
        x_i, y_i = original("train", i)
        pooled_x.append(in_target_space(i, x_i))
        pooled_y.append(y_i)
        simple_x.append(columns(i, shared, x_i))
    pooled_x, pooled_y = np.vstack(pooled_x), np.concatenate(pooled_y)

    augmented = out / "augment.csv"
    augment_domain(out / "run", target=t, out=augmented, split="train")
    names, x_new, labels, _ = read_augmented(augmented)
    assert names == list(target.feature_names), (names, target.feature_names)
    y_new = np.array([label == job["positive"] for label in labels], int)

    # translation quality: label agreement on held-out rows, per-feature KS against real rows
    model, _ = runs.load_trained_model(out / "run")
    agreement, rejected = [], 0
    translated_test = []
    for i in sources:
        domain = splits["test"].domains[i]
        features, probabilities = model.translate(domain.x, domain.y, i, t)
        agreement.append(float(np.mean(np.argmax(probabilities, -1) == domain.y)))
        translated_test.append(features)
    translated_test = np.vstack(translated_test)
    real_test = splits["test"].domains[t].x
    for column in range(len(target.feature_names)):
        if ks_2samp(translated_test[:, column], real_test[:, column]).pvalue < 0.05:
            rejected += 1

    def classifier(kind):
        return target_classifier(kind, job["seed"])

    def scores(model, x, y):
        p = model.predict_proba(x)[:, 1]
        return {"auroc": float(roc_auc_score(y, p)), "auprc": float(average_precision_score(y, p))}

    results = {}
    for kind in CLASSIFIERS:
        mean_imputer = SimpleImputer(strategy="mean").fit(pooled_x)
        iterative = IterativeImputer(random_state=job["seed"], max_iter=10).fit(pooled_x)
        fitted = {
            "target only": (classifier(kind).fit(x_train, y_train), None),
            "pooling + mean imputation": (
                classifier(kind).fit(mean_imputer.transform(pooled_x), pooled_y), None),
            "pooling + iterative imputation": (
                classifier(kind).fit(iterative.transform(pooled_x), pooled_y), None),
            "RadialGAN": (classifier(kind).fit(np.vstack([x_train, x_new]),
                                               np.concatenate([y_train, y_new])), None),
        }
        if shared:
            fitted["simple combination"] = (
                classifier(kind).fit(np.vstack(simple_x), pooled_y),
                lambda x: columns(t, shared, x))
        row = {}
        for method, (fit, view) in fitted.items():
            row[method] = {split: scores(fit, view(x) if view else x, y)
                           for split, (x, y) in evaluation.items()}
        use_radial = row["RadialGAN"]["validation"]["auroc"] > \
            row["target only"]["validation"]["auroc"]
        row["RadialGAN, chosen on validation"] = row["RadialGAN" if use_radial else "target only"]
        results[kind] = {method: value["test"] for method, value in row.items()}
        results[kind]["chosen"] = bool(use_radial)
    last = result.history[-1]
    import keras

    return {"job": {k: v for k, v in job.items() if k != "out_dir"}, "results": results,
            "seconds": seconds, "steps": result.steps,
            "sizes": {"target_train": len(y_train), "translated": len(y_new),
                      "target_test": len(evaluation["test"][1]),
                      "features": len(target.feature_names), "shared": len(shared),
                      "sources": len(sources)},
            "translation": {"label_agreement": float(np.mean(agreement)),
                            "ks_rejected": rejected, "features": len(target.feature_names),
                            "data_cycle": float(last["data_cycle"])},
            "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "gpus": ""}}


def jobs_for(args, tmp):
    jobs = []
    for dataset in args.datasets:
        for seed in args.seeds:
            variants = [(size, None) for size in args.sizes]
            variants += [(SOURCES_AT, k) for k in args.sources]
            for size, sources in variants:
                name = f"{dataset.split(':')[1]}-{seed}-{label_of(size)}-{sources or 'all'}"
                jobs.append({"dataset": dataset, "positive": DATASETS[dataset], "seed": seed,
                             "size": size, "sources": sources, "steps": args.steps,
                             "model_overrides": args.model_overrides,
                             "threads": args.threads, "out_dir": str(pathlib.Path(tmp) / name)})
    return jobs


def job_key(job):
    overrides = tuple(sorted(job.get("model_overrides", {}).items()))
    return (job["dataset"], job["seed"], job["size"], job["sources"], job["steps"], overrides)


def run_all(args, jobs):
    """Every job in its own fresh process (``max_tasks_per_child=1``), ``--workers`` at once.
    With ``--results FILE`` each finished job is appended to FILE (JSON lines), and jobs
    already there are not run again: an interrupted benchmark continues."""
    import json

    results = []
    args.resumed = 0
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
    if args.results and args.results.is_file():
        results = [json.loads(line) for line in args.results.read_text().splitlines() if line]
        args.resumed = len(results)
        done = {job_key(r["job"]) for r in results}
        jobs = [job for job in jobs if job_key(job) not in done]
        print(f"{len(results)} runs read from {args.results}; {len(jobs)} to go", flush=True)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(args.workers, mp_context=context,
                                                max_tasks_per_child=1) as pool:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            if args.results:
                with open(args.results, "a") as handle:
                    handle.write(json.dumps(result) + "\n")
            job = result["job"]
            lr = result["results"]["logistic regression"]
            print(f"{job['dataset']} seed {job['seed']} N={label_of(job['size'])} "
                  f"sources={job['sources'] or 'all'}: {result['seconds']:.0f} s; AUROC (LR) "
                  f"target only {lr['target only']['auroc']:.3f}, RadialGAN "
                  f"{lr['RadialGAN']['auroc']:.3f}; {result['translation']}", flush=True)
            results.append(result)
    return results


# ------------------------------------------------------------------ summary
def summarize(results):
    """``table[(dataset, size, sources)][classifier][method][metric] = (mean, std, n)``."""
    import numpy as np

    groups = {}
    for result in results:
        job = result["job"]
        groups.setdefault((job["dataset"], job["size"], job["sources"]), []).append(result)
    table = {}
    for key, members in groups.items():
        entry = {"sizes": members[0]["sizes"],
                 "seconds": float(np.mean([m["seconds"] for m in members])),
                 "translation": {name: float(np.mean([m["translation"][name] for m in members]))
                                 for name in members[0]["translation"]}}
        for kind in CLASSIFIERS:
            entry[kind] = {"chosen": sum(m["results"][kind]["chosen"] for m in members)}
            for method in METHODS:
                for metric in ("auroc", "auprc"):
                    values = [m["results"][kind][method][metric] for m in members
                              if method in m["results"][kind]]
                    if values:
                        entry[kind].setdefault(method, {})[metric] = (
                            float(np.mean(values)),
                            float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                            len(values))
        table[key] = entry
    return table


def beats(entry, kind, rival):
    """(margin, spread): RadialGAN's mean AUROC gain over ``rival`` and RadialGAN's seed std."""
    radial = entry[kind]["RadialGAN"]["auroc"]
    other = entry[kind].get(rival, {}).get("auroc")
    if other is None:
        return None
    return radial[0] - other[0], radial[1]


def figure(table, datasets, sizes, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(CLASSIFIERS), len(datasets),
                             figsize=(5.2 * len(datasets), 3.8 * len(CLASSIFIERS)), squeeze=False)
    for row, kind in enumerate(CLASSIFIERS):
        for col, dataset in enumerate(datasets):
            axis = axes[row][col]
            keys = [(dataset, size, None) for size in sizes if (dataset, size, None) in table]
            xs = [table[key]["sizes"]["target_train"] for key in keys]
            for colour, method in enumerate(METHODS):
                points = [(x, table[key][kind][method]["auroc"]) for x, key in zip(xs, keys)
                          if method in table[key][kind]]
                if not points:
                    continue
                # one colour per method in every panel, whichever methods a panel lacks
                axis.errorbar([p[0] for p in points], [p[1][0] for p in points],
                              yerr=[p[1][1] for p in points], marker="o", capsize=3,
                              label=method, color=f"C{colour}",
                              linewidth=2.2 if method == "RadialGAN" else 1.2)
            axis.set_xscale("log")
            # "all" on a second line: it can sit next to N = 80 (breast cancer: 86 rows)
            axis.set_xticks(xs, [f"\n{x} (all)" if key[1] is None else f"{x}"
                                 for x, key in zip(xs, keys)])
            axis.minorticks_off()
            axis.set_xlabel("target training rows N")
            axis.set_ylabel("AUROC on the target's test split")
            axis.set_title(f"{dataset}, {kind}", fontsize=10)
            axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def cell(value):
    return "—" if value is None else f"{value[0]:.3f} ± {value[1]:.3f}"


def render(args, results, table, minutes) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    seconds = sum(r["seconds"] for r in results) / len(results)
    extra = "".join(f" --set {key}={value}" for key, value in args.model_overrides.items())
    start_marker, end_marker, figure_name = section_names(args.section)
    took = (f"in {minutes:.1f} minutes ({args.workers} runs at a time)" if not args.resumed
            else f"from {len(results)} runs, {args.resumed} of them read back from --results "
            f"({args.workers} at a time)")
    lines = [
        start_marker, "## RadialGAN for a scarce target domain"
        + (f": {args.section}" if args.section else ""), "",
        f"Produced by `python benchmarks/radialgan_augmentation.py{args.command_tail}` "
        f"on {stamp} {took}. Regenerate it with the same command; only this section and its "
        "figure are rewritten.", "",
        f"- Machine: {machine_description(results[0]['versions'])}.",
        f"- Data: `domains:synthetic` and `domains:breast_cancer` with {NUM_DOMAINS} domains "
        "each (docs/data.md): domain 0 is the target, the other 3 are sources with different, "
        "overlapping features and shifted distributions. N is the target's training rows "
        "(`--set target_rows=N`, stratified; `all` is its whole train split); its validation "
        "and test rows never change. Seeds " + ", ".join(map(str, args.seeds)) + ": each "
        "draws the splits, the target's N rows and the model's initialization.",
        f"- Model: `genzoo train radialgan --dataset D --set num_domains={NUM_DOMAINS} "
        f"--set target_rows=N{extra} --steps {args.steps} --batch-size {BATCH_SIZE} --seed S` "
        f"(wgan-gp, latent 16, 2 x 64 units; about {seconds:.0f} s per run), then `genzoo "
        "radialgan augment RUN --target 0`.",
        "- Classifiers: scikit-learn `LogisticRegression` on standardized inputs and "
        "`GradientBoostingClassifier` (defaults). AUROC on the target's test split, mean ± std "
        "over seeds (AUPRC in the second table of each block).",
        "- Methods: target only; simple combination (all domains' rows on the features every "
        "domain records, in their own units); pooling with mean or iterative imputation (all "
        "rows in the target's features, the missing ones imputed by scikit-learn's "
        "`SimpleImputer` / `IterativeImputer` fitted on the pooled rows); RadialGAN (the "
        "target's rows plus the sources translated into it); RadialGAN chosen on validation "
        "(RadialGAN when its validation AUROC beats target-only's, else target only).", "",
        f"![AUROC against the target's training rows]({'images/' + figure_name})", ""]
    for dataset in args.datasets:
        keys = [(dataset, size, None) for size in args.sizes]
        keys += [(dataset, SOURCES_AT, k) for k in args.sources]
        keys = [key for key in keys if key in table]
        for kind in CLASSIFIERS:
            for metric in ("auroc", "auprc"):
                lines += [f"**{dataset}, {kind}, {metric.upper()}**", "",
                          "| N (sources) | " + " | ".join(METHODS) + " |",
                          "|---" * (len(METHODS) + 1) + "|"]
                for key in keys:
                    entry = table[key]
                    label = f"{entry['sizes']['target_train']} ({entry['sizes']['sources']})"
                    if key[1] is None:
                        label += " all"
                    cells = [cell(entry[kind].get(method, {}).get(metric)) for method in METHODS]
                    lines.append(f"| {label} | " + " | ".join(cells) + " |")
                lines.append("")
        rivals = ("target only", "simple combination", "pooling + iterative imputation")
        lines += [f"RadialGAN's gain on {dataset}, paired by seed (each seed draws one split "
                  "for every method): AUROC of RadialGAN minus the other method's, mean ± std "
                  "over seeds.", "",
                  "| N (sources) | " + " | ".join(f"{kind}: over {rival}" for kind in CLASSIFIERS
                                                  for rival in rivals) + " |",
                  "|---" * (1 + len(CLASSIFIERS) * len(rivals)) + "|"]
        for key in keys:
            entry = table[key]
            cells = [paired_gain(results, key, kind, rival) for kind in CLASSIFIERS
                     for rival in rivals]
            lines.append(f"| {entry['sizes']['target_train']} ({entry['sizes']['sources']}) | "
                         + " | ".join(cells) + " |")
        lines.append("")
        lines += [f"Translation quality on {dataset} (held-out source rows translated into the "
                  "target): label agreement, and how many of the target's features a "
                  "Kolmogorov-Smirnov test tells apart from real target rows (p < 0.05).", "",
                  "| N (sources) | label agreement | features told apart | shared features |",
                  "|---|---|---|---|"]
        for key in keys:
            entry = table[key]
            translation = entry["translation"]
            lines.append(f"| {entry['sizes']['target_train']} ({entry['sizes']['sources']}) | "
                         f"{translation['label_agreement']:.3f} | "
                         f"{translation['ks_rejected']:.1f} of {entry['sizes']['features']} | "
                         f"{entry['sizes']['shared']} |")
        lines.append("")
    lines += ["**Reading.** " + reading(args, table), "", end_marker]
    return "\n".join(lines) + "\n"


def paired_gain(results, key, kind, rival) -> str:
    """RadialGAN's AUROC minus ``rival``'s over the runs of ``key``, seed by seed: the
    spread of the gain itself, without the split-to-split spread both methods share."""
    gains = [r["results"][kind]["RadialGAN"]["auroc"] - r["results"][kind][rival]["auroc"]
             for r in results
             if (r["job"]["dataset"], r["job"]["size"], r["job"]["sources"]) == key
             and rival in r["results"][kind]]
    return mean_std(gains, signed=True) if gains else "—"


def reading(args, table) -> str:
    """The issue's check, computed: on domains:synthetic with N <= 40, does RadialGAN beat
    target only and simple combination by more than its seed spread?"""
    parts = []
    for dataset in args.datasets:
        for kind in CLASSIFIERS:
            verdicts = []
            for size in [s for s in args.sizes if s is not None and s <= 40]:
                entry = table.get((dataset, size, None))
                if entry is None:
                    continue
                checks = []
                for rival in ("target only", "simple combination", "pooling + mean imputation",
                              "pooling + iterative imputation"):
                    result = beats(entry, kind, rival)
                    if result is None:
                        continue
                    margin, spread = result
                    word = ("beats" if margin > spread else
                            "is above, within the spread," if margin > 0 else "does not beat")
                    checks.append(f"{word} {rival} ({margin:+.3f}, std {spread:.3f})")
                verdicts.append(f"N={size}: RadialGAN " + "; ".join(checks))
            if verdicts:
                parts.append(f"{dataset}, {kind}: " + " | ".join(verdicts))
    return ". ".join(parts) + "."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--workers", type=int, default=2,
                        help="runs at a time, each in its own process (default 2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="TensorFlow threads per run (default 1)")
    parser.add_argument("--steps", type=int, default=None, help="training steps per run")
    parser.add_argument("--results", type=pathlib.Path, default=None,
                        help="JSON-lines file of finished runs: appended to, and read to skip "
                             "the runs already done")
    parser.add_argument("--set", dest="model_overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="a radialgan config value for every run (repeatable), e.g. "
                             "shared_feature_weight=10; prints the section, writes no docs")
    parser.add_argument("--sizes", dest="only_sizes", default=None,
                        help="only these target sizes N, comma-separated (all: the whole "
                             "train split), without the source-count rows; writes no docs")
    parser.add_argument("--datasets", dest="only_datasets", default=None,
                        help="only these datasets, comma-separated; writes no docs")
    parser.add_argument("--section", default=None, metavar="NAME",
                        help="write the tables and figure as section NAME of the docs (a "
                             "variant: with --set, --sizes or --datasets), beside the default "
                             "command's section")
    parser.add_argument("--figure-only", action="store_true",
                        help="redraw the figure from --results FILE and stop")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.seeds, args.sizes, args.sources = base["seeds"], base["sizes"], base["sources"]
    args.steps = args.steps or base["steps"]
    args.command_tail = command_tail(argv if argv is not None else sys.argv[1:])
    overrides = args.model_overrides = parse_overrides(parser, args.model_overrides)
    args.datasets = list(DATASETS)
    if args.only_datasets:
        args.datasets = [name.strip() for name in args.only_datasets.split(",")]
        unknown = [name for name in args.datasets if name not in DATASETS]
        if unknown:
            parser.error(f"--datasets: {unknown[0]} is not one of {', '.join(DATASETS)}")
    if args.only_sizes:
        try:
            args.sizes = tuple(None if size.strip() == "all" else int(size)
                               for size in args.only_sizes.split(","))
        except ValueError:
            parser.error(f"--sizes takes numbers or all, got {args.only_sizes!r}")
        args.sources = ()
    if args.section is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.section):
        parser.error(f"--section takes lower-case letters, digits and dashes, got "
                     f"{args.section!r}")
    # the default section documents the default command; a variant writes its own
    write = not (args.quick or args.no_write) and (
        bool(args.section) or not (overrides or args.only_datasets or args.only_sizes))
    _, _, figure_name = section_names(args.section)
    if args.figure_only:
        import json

        if not (args.results and args.results.is_file()):
            parser.error("--figure-only needs --results FILE of a finished run")
        results = [json.loads(line) for line in args.results.read_text().splitlines() if line]
        figure(summarize(results), args.datasets, args.sizes,
               args.out.parent / "images" / figure_name)
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="genzoo-radialgan-") as tmp:
        results = run_all(args, jobs_for(args, tmp))
    table = summarize(results)
    section = render(args, results, table, (time.perf_counter() - started) / 60)
    print(section)
    if write:
        start_marker, end_marker, _ = section_names(args.section)
        figure(table, args.datasets, args.sizes, args.out.parent / "images" / figure_name)
        write_section(args.out, section, start_marker, end_marker)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
