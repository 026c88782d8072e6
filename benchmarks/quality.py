"""Sample quality of every image GAN and the VAE on real MNIST (issue 5).

Every registered image GAN (``dcgan``, ``gan``, ``cgan``, ``wgan``,
``wgan-gp``) and the ``vae`` trains on the MNIST test set in
``../shared/data/mnist-t10k`` (10,000 images, 32x32 grayscale) for the same
budget of generator (VAE: optimizer) steps at the same batch size, each from
its default preset with the dataset swapped, then draws 10,000 samples that
are scored against the 10,000 real images with ``classifier`` features: a
``genzoo train classifier`` run on the same data (its penultimate layer,
128-d). Reported per model: FID, KID (mean ± std over 100 subsets of 1,000),
precision and recall (k = 3), density and coverage (k = 5), training minutes,
and an 8x8 sample grid. The real-data floor scores one half of the real set
against the other (5,000 vs 5,000: a floor for the metric's noise and its
small-sample bias, not a number a model can beat).

A second measurement checks the issue's speed target: FID + KID of 10,000
28x28 images against 10,000 references with classifier features, from
pixels to numbers (both sets embedded, no cache), in under 30 s on 2 cores.

Every training and evaluation runs in a fresh process, one at a time, through
the library's own path (``resolve_plan`` + ``trainer.train``, then
:class:`keras_genzoo.metrics.evaluate.Evaluator`), like ``genzoo train`` and
``genzoo eval``.

    python benchmarks/quality.py                    # full run (~15 minutes), writes the docs
    python benchmarks/quality.py --quick --no-write # smoke run

The table goes into the section of ``docs/benchmarks.md`` between
``<!-- quality:start -->`` and ``<!-- quality:end -->``; the grids go to
``docs/images/quality_<model>.png``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import multiprocessing
import os
import pathlib
import sys
import tempfile
import time

from docs_section import machine_description, write_section  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "mnist-t10k"
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
START_MARKER, END_MARKER = "<!-- quality:start -->", "<!-- quality:end -->"
IMAGE_SIZE = 32
#: (model, preset): the default preset of each, the dataset swapped for MNIST
MODELS = [("dcgan", "digits"), ("gan", "mlp"), ("cgan", "projection"), ("wgan", "conv"),
          ("wgan-gp", "conv"), ("vae", "conv")]
FULL = {"steps": 1500, "batch_size": 64, "num": 10_000, "classifier_epochs": 3}
QUICK = {"steps": 20, "batch_size": 64, "num": 500, "classifier_epochs": 1}
METRICS = ("fid", "kid", "prdc")


def _quiet():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _versions():
    import keras
    import tensorflow as tf

    return {"tensorflow": tf.__version__, "keras": keras.__version__,
            "gpus": ", ".join(d.name for d in tf.config.list_physical_devices("GPU"))}


# ------------------------------------------------------------ worker jobs
def train_classifier(job: dict) -> dict:
    """``genzoo train classifier`` on the benchmark data; returns its last history row."""
    _quiet()
    from keras_genzoo.training import run as run_lib
    from keras_genzoo.training import trainer

    plan = run_lib.resolve_plan("classifier", image_size=job["image_size"],
                                dataset=job["dataset"], epochs=job["epochs"], batch_size=128,
                                out_dir=job["out_dir"])
    started = time.perf_counter()
    result = trainer.train(plan, verbose=0)
    return {"row": result.history[-1], "seconds": time.perf_counter() - started,
            "versions": _versions()}


def train_and_score(job: dict) -> dict:
    """Train one model, then score 10,000 of its samples (EMA generator where there is one)."""
    _quiet()
    from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator, producer_is_generative
    from keras_genzoo.training import images as image_io
    from keras_genzoo.training import run as run_lib
    from keras_genzoo.training import trainer

    plan = run_lib.resolve_plan(job["model"], preset=job["preset"], image_size=IMAGE_SIZE,
                                dataset=job["dataset"], steps=job["steps"],
                                batch_size=job["batch_size"], out_dir=job["out_dir"])
    started = time.perf_counter()
    try:
        result = trainer.train(plan, verbose=0)
    except trainer.TrainingDiverged as error:
        return {"diverged": str(error), "seconds": time.perf_counter() - started}
    seconds = time.perf_counter() - started
    model, _ = run_lib.load_trained_model(plan.out_dir)
    settings = EvalSettings(metrics=METRICS, features=f"classifier:{job['classifier']}",
                            num=job["num"], dataset=job["dataset"], split="test",
                            cache_dir=job["cache_dir"])
    evaluator = Evaluator(settings, image_size=IMAGE_SIZE, channels=1,
                          generative=producer_is_generative(model), kind=model.kind)
    scoring = time.perf_counter()
    scores = evaluator.evaluate(model)
    image_io.save_grid(model.sample(64, seed=0), job["grid"], 8)
    return {"scores": scores, "seconds": seconds, "eval_seconds": time.perf_counter() - scoring,
            "images_per_second": result.images_per_second, "config": plan.config,
            "preset": plan.preset}


def real_floor(job: dict) -> dict:
    """The first half of the real images against the second half."""
    _quiet()
    from keras_genzoo.metrics.evaluate import (K_DENSITY_COVERAGE, K_PRECISION_RECALL,
                                               EvalSettings, Evaluator)
    from keras_genzoo.metrics.frechet import frechet_distance_of_features
    from keras_genzoo.metrics.kernel_distance import kernel_inception_distance
    from keras_genzoo.metrics.prdc import prdc

    settings = EvalSettings(metrics=METRICS, features=f"classifier:{job['classifier']}",
                            num=job["num"], dataset=job["dataset"], split="test",
                            cache_dir=job["cache_dir"])
    evaluator = Evaluator(settings, image_size=IMAGE_SIZE, channels=1)
    features = evaluator.reference_features()
    half = len(features) // 2
    a, b = features[:half], features[half:2 * half]
    kid, kid_std = kernel_inception_distance(a, b)
    return {"scores": {"fid": frechet_distance_of_features(a, b), "kid": kid, "kid_std": kid_std,
                       **prdc(a, b, k_precision_recall=K_PRECISION_RECALL,
                              k_density_coverage=K_DENSITY_COVERAGE)},
            "half": half}


def speed_target(job: dict) -> dict:
    """FID + KID, 10,000 vs 10,000 images at 28x28, classifier features, no cache."""
    _quiet()
    import numpy as np

    from keras_genzoo.data import open_source
    from keras_genzoo.metrics.features import make_extractor
    from keras_genzoo.metrics.frechet import frechet_distance_of_features
    from keras_genzoo.metrics.kernel_distance import kernel_inception_distance

    images = open_source(job["dataset"], image_size=28, channels=1).take_images(job["num"])
    # a second set as different as a generator's: the same digits, noised and shifted
    rng = np.random.default_rng(0)
    other = np.clip(np.roll(images, 2, axis=2) + rng.normal(0, 0.1, images.shape), 0, 1)
    extractor = make_extractor(f"classifier:{job['classifier']}")
    extractor.features_and_probabilities(images[:256])  # trace once, outside the timing
    started = time.perf_counter()
    real, _ = extractor.features_and_probabilities(images)
    fake, _ = extractor.features_and_probabilities(other.astype(np.float32))
    embedded = time.perf_counter()
    fid = frechet_distance_of_features(real, fake)
    fid_done = time.perf_counter()
    kid, kid_std = kernel_inception_distance(real, fake)
    done = time.perf_counter()
    return {"count": len(images), "embed_seconds": embedded - started,
            "fid_seconds": fid_done - embedded, "kid_seconds": done - fid_done,
            "total_seconds": done - started, "fid": fid, "kid": kid, "kid_std": kid_std}


def in_fresh_process(function, job: dict) -> dict:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, job).result()


# ---------------------------------------------------------------- report
def _fmt(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def render_section(args, classifier, classifier28, rows, floor, speed, minutes, versions,
                   figure_dir) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START_MARKER, "## Sample quality on MNIST: FID, KID, precision/recall, "
             "density/coverage with classifier features", "",
             f"Produced by `python benchmarks/quality.py` on {stamp} in {minutes:.1f} minutes "
             "(every training and evaluation in a fresh process, one at a time). Regenerate it "
             "with the same command; only this section and the grids are rewritten.", "",
             f"- Machine: {machine_description(versions)}.",
             f"- Data: `{args.dataset}` (the real MNIST test set, 10,000 images), at "
             f"{IMAGE_SIZE}x{IMAGE_SIZE} grayscale.",
             f"- Budget, the same for every model: {args.steps:,} generator steps (VAE: "
             f"optimizer steps) at batch {args.batch_size}, seed 0, from each model's default "
             "preset with the dataset swapped (`genzoo train MODEL --dataset "
             f"{args.dataset} --image-size {IMAGE_SIZE} --steps {args.steps} --batch-size "
             f"{args.batch_size}`). A `wgan` / `wgan-gp` step also makes its 5 critic updates, "
             "each on its own batch, so those two see 5x the real images.",
             f"- Features: `classifier:RUN`, a `genzoo train classifier --dataset {args.dataset} "
             f"--image-size {IMAGE_SIZE} --epochs {args.classifier_epochs}` run (128-d "
             f"penultimate layer; accuracy {100 * float(classifier['row']['val_accuracy']):.1f}% on "
             "these same images, since the folder holds no other split; trained in "
             f"{classifier['seconds']:.0f} s).",
             f"- Scoring: {args.num:,} samples per model (`seed 0`; cgan: labels cycling 0-9) "
             f"against the {args.num:,} real images: `genzoo eval RUN --features classifier:"
             f"CLASSIFIER --metrics fid,kid,prdc --num {args.num} --dataset {args.dataset}`. "
             "KID: mean ± std over 100 subsets of 1,000 (fewer when the sets are smaller). "
             f"The floor row scores the first {floor['half']:,} real images against the other "
             f"{floor['half']:,} (its FID carries the bias of {floor['half']:,}-sample "
             "covariances, so it is a lower bound on the noise, not a target). In MNIST's "
             "test set the first 5,000 digits come from NIST's SD-3 writers and the last "
             "5,000 from SD-1 (LeCun et al.'s notes: the first half is cleaner), so this "
             "floor also measures that difference; it is why its KID is clearly above 0.",
             "",
             "| model | preset | train min | train img/s | FID | KID (x1000) | precision | "
             "recall | density | coverage |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for model, preset, row in rows:
        if "diverged" in row:
            lines.append(f"| {model} | {preset} | {row['seconds'] / 60:.1f} | - | diverged | "
                         "| | | | |")
            continue
        s = row["scores"]
        lines.append(
            f"| {model} | {preset} | {row['seconds'] / 60:.1f} | "
            f"{row['images_per_second']:,.0f} | {s['fid']:.1f} | "
            f"{1000 * s['kid']:.1f} ± {1000 * s['kid_std']:.1f} | {_fmt(s['precision'])} | "
            f"{_fmt(s['recall'])} | {_fmt(s['density'])} | {_fmt(s['coverage'])} |")
    f = floor["scores"]
    lines.append(f"| real data floor ({floor['half']:,} vs {floor['half']:,}) | - | - | - | "
                 f"{f['fid']:.2f} | {1000 * f['kid']:.2f} ± {1000 * f['kid_std']:.2f} | "
                 f"{_fmt(f['precision'])} | {_fmt(f['recall'])} | {_fmt(f['density'])} | "
                 f"{_fmt(f['coverage'])} |")
    best = min((r for r in rows if "scores" in r[2]), key=lambda r: r[2]["scores"]["fid"],
               default=None)
    lines += ["", "**Reading.** Lower FID and KID are better; precision and density measure "
              "how many samples look real (fidelity), recall and coverage how much of the real "
              "variety the samples reach (diversity)."]
    if best is not None:
        lines[-1] += (f" At this budget {best[0]} has the lowest FID ({best[2]['scores']['fid']:.1f}"
                      f" against a floor of {f['fid']:.2f}).")
    lines += ["", f"Speed target (FID + KID of {speed['count']:,} 28x28 images against "
              f"{speed['count']:,} references, classifier features from a 28x28 classifier "
              f"trained in {classifier28['seconds']:.0f} s, both sets embedded, no cache): "
              f"**{speed['total_seconds']:.1f} s** (embedding {speed['embed_seconds']:.1f} s, "
              f"FID {speed['fid_seconds']:.1f} s, KID {speed['kid_seconds']:.1f} s; target "
              f"< 30 s: {'met' if speed['total_seconds'] < 30 else 'missed'}).", "",
              "Samples (seed 0, 8x8):", ""]
    for model, _, row in rows:
        if "scores" in row:
            lines.append(f"**{model}**<br>![{model} samples](images/quality_{model}.png)")
            lines.append("")
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny budget")
    parser.add_argument("--steps", type=int, help=f"steps per model (default {FULL['steps']})")
    parser.add_argument("--num", type=int, help=f"samples scored (default {FULL['num']})")
    parser.add_argument("--batch-size", type=int, help="batch size (default 64)")
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA,
                        help="folder of the MNIST IDX files (default ../shared/data/mnist-t10k)")
    parser.add_argument("--models", help="comma-separated subset (does not write the docs)")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.steps = args.steps or base["steps"]
    args.num = args.num or base["num"]
    args.batch_size = args.batch_size or base["batch_size"]
    args.classifier_epochs = base["classifier_epochs"]
    if not args.data.is_dir():
        parser.exit(2, f"quality.py: error: no MNIST folder at {args.data} (pass --data)\n")
    args.dataset = f"idx:{args.data.resolve()}"
    chosen = MODELS
    if args.models:
        wanted = [m.strip() for m in args.models.split(",") if m.strip()]
        unknown = set(wanted) - {m for m, _ in MODELS}
        if unknown:
            parser.exit(2, f"quality.py: error: unknown model(s) {sorted(unknown)}\n")
        chosen = [entry for entry in MODELS if entry[0] in wanted]
        args.no_write = True
    args.chosen = chosen
    if args.quick:
        args.no_write = True
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    figure_dir = args.out.parent / "images"
    with tempfile.TemporaryDirectory(prefix="genzoo-quality-") as tmp:
        tmp = pathlib.Path(tmp)
        common = {"dataset": args.dataset, "cache_dir": str(tmp / "cache"), "num": args.num}
        print("training the feature classifier ...", flush=True)
        classifier = in_fresh_process(train_classifier, {
            "dataset": args.dataset, "image_size": IMAGE_SIZE,
            "epochs": args.classifier_epochs, "out_dir": str(tmp / "classifier")})
        print(f"  accuracy {float(classifier['row']['val_accuracy']):.4f} "
              f"({classifier['seconds']:.0f} s)", flush=True)
        common["classifier"] = str(tmp / "classifier")
        rows = []
        for model, preset in args.chosen:
            grid = (figure_dir if not args.no_write else tmp) / f"quality_{model}.png"
            row = in_fresh_process(train_and_score, {
                **common, "model": model, "preset": preset, "steps": args.steps,
                "batch_size": args.batch_size, "out_dir": str(tmp / model), "grid": str(grid)})
            rows.append((model, preset, row))
            if "scores" in row:
                s = row["scores"]
                print(f"  {model:<8} FID {s['fid']:8.2f}  KID {1000 * s['kid']:7.2f}e-3  "
                      f"P {s['precision']:.3f} R {s['recall']:.3f} D {s['density']:.3f} "
                      f"C {s['coverage']:.3f}  train {row['seconds']:.0f} s, "
                      f"eval {row['eval_seconds']:.0f} s", flush=True)
            else:
                print(f"  {model:<8} diverged: {row['diverged']}", flush=True)
        floor = in_fresh_process(real_floor, common)
        print(f"  floor    FID {floor['scores']['fid']:8.3f}", flush=True)
        classifier28 = in_fresh_process(train_classifier, {
            "dataset": args.dataset, "image_size": 28, "epochs": args.classifier_epochs,
            "out_dir": str(tmp / "classifier28")})
        speed = in_fresh_process(speed_target, {**common, "classifier": str(tmp / "classifier28")})
        print(f"  speed: FID + KID of {speed['count']} vs {speed['count']} 28x28 images in "
              f"{speed['total_seconds']:.1f} s", flush=True)
    minutes = (time.perf_counter() - started) / 60
    section = render_section(args, classifier, classifier28, rows, floor, speed, minutes,
                             classifier["versions"], figure_dir)
    print(section)
    if not args.no_write:
        write_section(args.out, section, START_MARKER, END_MARKER)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    sys.exit(main())
