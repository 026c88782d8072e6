"""RadialGAN's augmentation experiment (Yoon, Jordon & van der Schaar 2018, section 6)
on the embedded breast-cancer domains (issue 7).

For every seed (the run's seed also draws each domain's 60/20/20 split) a
`radialgan` is trained on `domains:breast_cancer` (3 domains with different,
overlapping feature windows and shifted distributions: keras_genzoo/data/tabular.py)
through the library's own path (`resolve_plan` + `trainer.train`), then, for
every target domain, `genzoo radialgan augment RUN --target t` translates the
other domains' training rows into the target's features. A logistic regression
(scikit-learn, standardized inputs) is trained on

* **target only**: the target's own training rows;
* **naive pooling**: the target's rows plus every other domain's rows, keeping
  the features it shares with the target (in its own units: no correction of
  the shift) and filling the others with the target's training mean;
* **RadialGAN**: the target's rows plus the translated rows;
* **RadialGAN, chosen on validation**: RadialGAN when its AUROC on the target's
  VALIDATION split beats target-only's, else target only (the test split never
  takes part in the choice).

Each is scored on the target's TEST split: AUROC and AUPRC (positive class:
malignant), mean and standard deviation over the seeds.

    python benchmarks/radialgan_augmentation.py            # 5 seeds, writes the docs
    python benchmarks/radialgan_augmentation.py --quick    # 2 seeds, few steps, no docs
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import sys
import tempfile
import time

from docs_section import machine_description, write_section  # noqa: E402
from quality import in_fresh_process  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
START_MARKER, END_MARKER = "<!-- radialgan:start -->", "<!-- radialgan:end -->"
DATASET = "domains:breast_cancer"
METHODS = ("target only", "naive pooling", "RadialGAN", "RadialGAN, chosen on validation")
FULL = {"seeds": (0, 1, 2, 3, 4), "epochs": 300}
QUICK = {"seeds": (0, 1), "epochs": 5}
POSITIVE_LABEL = "malignant"


def run_seed(job: dict) -> dict:
    """Train one radialgan, augment every target, score the four methods."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer
    from keras_genzoo.commands.radialgan import augment_domain, read_augmented

    out = pathlib.Path(job["out_dir"])
    plan = plan_lib.resolve_plan("radialgan", dataset=DATASET, epochs=job["epochs"],
                                seed=job["seed"], out_dir=str(out / "run"))
    started = time.perf_counter()
    result = trainer.train(plan, verbose=0)
    seconds = time.perf_counter() - started
    splits = {split: plan_lib.open_training_domains(DATASET, plan.settings, plan.config,
                                                   split=split)
              for split in ("train", "validation", "test")}
    positive = splits["train"].label_classes.index(POSITIVE_LABEL)

    def original(split, index):
        domain = splits[split].domains[index]
        return domain.to_original(domain.x), (domain.y == positive).astype(int)

    def fit(x, y):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        return model.fit(x, y)

    def scores(model, x, y):
        p = model.predict_proba(x)[:, 1]
        return {"auroc": roc_auc_score(y, p), "auprc": average_precision_score(y, p)}

    rows = {}
    train_domains = splits["train"].domains
    for t, target in enumerate(train_domains):
        x_train, y_train = original("train", t)
        x_val, y_val = original("validation", t)
        x_test, y_test = original("test", t)
        # naive pooling: shared features in the source's own units, the rest imputed
        pooled_x, pooled_y = [x_train], [y_train]
        for i, source in enumerate(train_domains):
            if i == t:
                continue
            x_i, y_i = original("train", i)
            filled = np.tile(x_train.mean(axis=0), (len(x_i), 1))
            for column, name in enumerate(target.feature_names):
                if name in source.feature_names:
                    filled[:, column] = x_i[:, source.feature_names.index(name)]
            pooled_x.append(filled)
            pooled_y.append(y_i)
        augmented = out / f"augment_{t}.csv"
        augment_domain(out / "run", target=t, out=augmented, split="train")
        names, x_new, labels, _ = read_augmented(augmented)
        assert names == list(target.feature_names)
        y_new = np.array([label == POSITIVE_LABEL for label in labels], int)
        only = fit(x_train, y_train)
        radial = fit(np.vstack([x_train, x_new]), np.concatenate([y_train, y_new]))
        naive = fit(np.vstack(pooled_x), np.concatenate(pooled_y))
        use_radial = scores(radial, x_val, y_val)["auroc"] > scores(only, x_val, y_val)["auroc"]
        rows[target.name] = {
            "target only": scores(only, x_test, y_test),
            "naive pooling": scores(naive, x_test, y_test),
            "RadialGAN": scores(radial, x_test, y_test),
            "RadialGAN, chosen on validation": scores(radial if use_radial else only,
                                                      x_test, y_test),
            "chosen": bool(use_radial),
            "sizes": {"train": len(y_train), "translated": len(y_new), "test": len(y_test),
                      "features": len(target.feature_names)},
        }
    last = result.history[-1]
    import keras
    import tensorflow as tf

    return {"rows": rows, "seconds": seconds, "steps": result.steps,
            "final": {k: float(last[k]) for k in ("latent_cycle", "data_cycle",
                                                  "val_label_agreement")},
            "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "gpus": ""}}


def summarize(results):
    import numpy as np

    targets = list(results[0]["rows"])
    table = {}
    for target in targets:
        table[target] = {}
        for method in METHODS:
            for metric in ("auroc", "auprc"):
                values = [r["rows"][target][method][metric] for r in results]
                table[target][(method, metric)] = (float(np.mean(values)),
                                                   float(np.std(values, ddof=1))
                                                   if len(values) > 1 else 0.0)
        table[target]["chosen"] = sum(r["rows"][target]["chosen"] for r in results)
        table[target]["sizes"] = results[0]["rows"][target]["sizes"]
    return targets, table


def figure(targets, table, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    width = 0.2
    for axis, metric in zip(axes, ("auroc", "auprc")):
        for k, method in enumerate(METHODS):
            means = [table[t][(method, metric)][0] for t in targets]
            stds = [table[t][(method, metric)][1] for t in targets]
            axis.bar(np.arange(len(targets)) + (k - 1.5) * width, means, width, yerr=stds,
                     capsize=3, label=method)
        axis.set_xticks(np.arange(len(targets)), [f"target {t}" for t in targets])
        low = min(table[t][(m, metric)][0] - table[t][(m, metric)][1]
                  for t in targets for m in METHODS)
        axis.set_ylim(max(0.0, low - 0.02), 1.0)
        axis.set_title(metric.upper() + " on the target's test split")
        axis.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def render(args, results, targets, table, minutes) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    seeds = ", ".join(map(str, args.seeds))
    lines = [START_MARKER, "## RadialGAN augmentation on the breast-cancer domains", "",
             f"Produced by `python benchmarks/radialgan_augmentation.py` on {stamp} in "
             f"{minutes:.1f} minutes. Regenerate it with the same command; only this section "
             "and its figure are rewritten.", "",
             f"- Machine: {machine_description(results[0]['versions'])}.",
             f"- Data: `{DATASET}` (scikit-learn's 569-row table cut into 3 domains with "
             "different, overlapping 20-feature windows and shifted distributions; "
             "keras_genzoo/data/tabular.py); every domain split 60/20/20 (train / validation / "
             f"test) by the seed. Seeds {seeds}: each draws the splits and trains its own model.",
             f"- Model: `genzoo train radialgan --dataset {DATASET} --epochs {args.epochs} "
             "--seed S` (the `breast-cancer` preset: wgan-gp, latent 16, 2 x 64 units; "
             f"{results[0]['steps']} steps, about {sum(r['seconds'] for r in results) / len(results):.0f} s "
             "each), then `genzoo radialgan augment RUN --target t` for every target.",
             "- Classifier: scikit-learn `LogisticRegression` on standardized inputs; positive "
             "class malignant. AUROC / AUPRC on the target's test split, mean ± std over seeds.",
             "- Methods: target only; naive pooling (other domains' rows on the features they "
             "share with the target, unshifted, the rest filled with the target's training "
             "mean); RadialGAN (the target's rows plus every other domain translated into "
             "it); RadialGAN chosen on validation (RadialGAN when its validation AUROC beats "
             "target-only's, else target only).", "",
             "| target (features; train rows + translated) | method | AUROC | AUPRC |",
             "|---|---|---|---|"]
    for t in targets:
        sizes = table[t]["sizes"]
        label = f"{t} ({sizes['features']}; {sizes['train']} + {sizes['translated']})"
        for method in METHODS:
            auroc, auprc = table[t][(method, "auroc")], table[t][(method, "auprc")]
            lines.append(f"| {label} | {method} | {auroc[0]:.3f} ± {auroc[1]:.3f} | "
                         f"{auprc[0]:.3f} ± {auprc[1]:.3f} |")
            label = ""
    lines += ["", "**Reading.** " + reading(targets, table, len(results)), "",
              "![AUROC and AUPRC per target and method](images/radialgan_augmentation.png)",
              "", END_MARKER]
    return "\n".join(lines) + "\n"


def reading(targets, table, seeds) -> str:
    parts = []
    for t in targets:
        only = table[t][("target only", "auroc")][0]
        radial = table[t][("RadialGAN", "auroc")][0]
        chosen = table[t][("RadialGAN, chosen on validation", "auroc")][0]
        naive = table[t][("naive pooling", "auroc")][0]
        verdict = ("helps" if radial > only + 0.005 else
                   "hurts" if radial < only - 0.005 else "makes no clear difference")
        parts.append(f"target {t}: RadialGAN augmentation {verdict} (AUROC {radial:.3f} vs "
                     f"{only:.3f} target only, {naive:.3f} naive pooling; chosen on validation "
                     f"in {table[t]['chosen']} of {seeds} seeds, {chosen:.3f})")
    rows = min(table[t]["sizes"]["train"] for t in targets)
    return ("; ".join(parts) + f". With {rows} or more training rows per target and a linear "
            "classifier this table is an easy task (target-only AUROC near 1), so there is "
            "little room for augmentation to help; the paper's gains come from small target "
            "domains. The std column says how much of each difference the seeds alone explain.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.seeds, args.epochs = base["seeds"], base["epochs"]
    write = not (args.quick or args.no_write)
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="genzoo-radialgan-") as tmp:
        for seed in args.seeds:
            result = in_fresh_process(run_seed, {"seed": seed, "epochs": args.epochs,
                                                 "out_dir": str(pathlib.Path(tmp) / str(seed))})
            results.append(result)
            summary = ", ".join(f"{t}: {r['target only']['auroc']:.3f} -> "
                                f"{r['RadialGAN']['auroc']:.3f}" for t, r in result["rows"].items())
            print(f"seed {seed}: {result['seconds']:.0f} s; AUROC target only -> RadialGAN: "
                  f"{summary}; {result['final']}", flush=True)
    targets, table = summarize(results)
    section = render(args, results, targets, table, (time.perf_counter() - started) / 60)
    print(section)
    if write:
        figure(targets, table, args.out.parent / "images" / "radialgan_augmentation.png")
        write_section(args.out, section, START_MARKER, END_MARKER)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
