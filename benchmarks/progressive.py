"""ProGAN and StyleGAN on real MNIST, phase by phase (issue 6).

Each model trains on the MNIST test set in ``../shared/data/mnist-t10k``
(resized to 32x32) from its ``digits`` preset: 4x4, then 8, 16 and 32, with
6,400 real images per fade-in and per stabilization, and then more steps at
32x32. Training runs in segments, one per phase, through the genzoo trainer
(resuming the run exactly, as `genzoo train` does); after each segment the
benchmark records the segment's training images/second, writes an 8x8 grid
of the EMA generator's samples at that phase's resolution, and scores
samples against the real images with classifier features (FID, KID,
precision, recall, density, coverage; samples below 32x32 are upsampled,
nearest, as the network's own fade-in does).

    python benchmarks/progressive.py                     # full run, writes the docs
    python benchmarks/progressive.py --quick --no-write  # smoke run

Section ``<!-- progressive:start -->`` ... ``<!-- progressive:end -->`` of
``docs/benchmarks.md``; grids in ``docs/images/progressive_<model>_<size>.png``.
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import sys
import tempfile
import time

from docs_section import machine_description, write_section  # noqa: E402
from quality import DEFAULT_DATA, in_fresh_process, train_classifier  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
START_MARKER, END_MARKER = "<!-- progressive:start -->", "<!-- progressive:end -->"
MODELS = ("progan", "stylegan")
IMAGE_SIZE, BATCH = 32, 64
FULL = {"fade": 6400, "stable": 6400, "extra_steps": 800, "num": 5000, "classifier_epochs": 3}
QUICK = {"fade": 128, "stable": 128, "extra_steps": 4, "num": 200, "classifier_epochs": 1}


def segment(job: dict) -> dict:
    """Train (or resume) ``job['model']`` to ``job['steps']``, then grid + scores."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator
    from keras_genzoo.training import images as image_io
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    overrides = {"fade_images": str(job["fade"]), "stable_images": str(job["stable"])}
    plan = plan_lib.resolve_plan(job["model"], preset="digits", overrides=overrides,
                                image_size=IMAGE_SIZE, dataset=job["dataset"],
                                steps=job["steps"], batch_size=BATCH, out_dir=job["out_dir"])
    started = time.perf_counter()
    result = trainer.train(plan, verbose=0)
    seconds = time.perf_counter() - started
    model, _ = runs.load_trained_model(plan.out_dir)
    image_io.save_grid(model.sample(64, seed=0), job["grid"], 8)
    settings = EvalSettings(metrics=("fid", "kid", "prdc"),
                            features=f"classifier:{job['classifier']}", num=job["num"],
                            dataset=job["dataset"], split="test", cache_dir=job["cache_dir"])
    evaluator = Evaluator(settings, image_size=IMAGE_SIZE, channels=1, generative=True)
    scores = evaluator.evaluate(model)
    images = (job["steps"] - job["start_step"]) * BATCH
    return {"size": model.current_size, "alpha": model.alpha, "steps": result.steps,
            "seconds": seconds, "images_per_second": images / seconds,
            "trainer_images_per_second": result.images_per_second, "scores": scores}


def phase_ends(fade: int, stable: int, extra_steps: int) -> list[tuple[str, int]]:
    """(label, step) at the end of each phase: 4x4 stable, then fade + stable per size."""
    ends, images = [], stable
    ends.append(("4x4", images // BATCH))
    for size in (8, 16, 32):
        images += fade + stable
        ends.append((f"{size}x{size}", images // BATCH))
    ends.append(("32x32, more steps", ends[-1][1] + extra_steps))
    return ends


def render(args, rows, classifier, minutes, versions) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START_MARKER, "## ProGAN and StyleGAN: phase by phase on MNIST", "",
             f"Produced by `python benchmarks/progressive.py` on {stamp} in {minutes:.1f} minutes "
             "(each segment in a fresh process, resuming the run). Regenerate it with the same "
             "command; only this section and its grids are rewritten.", "",
             f"- Machine: {machine_description(versions)}.",
             f"- Data: `{args.dataset}` (the real MNIST test set, 10,000 images) at "
             f"{IMAGE_SIZE}x{IMAGE_SIZE}; batch {BATCH}; each model's `digits` preset: "
             f"{args.fade:,} real images per fade-in and {args.stable:,} per stabilization, then "
             f"{args.extra_steps} more steps at 32x32 (`genzoo train MODEL --dataset "
             f"{args.dataset} --batch-size {BATCH} --steps N`, resumed segment by segment).",
             "- Speed: real images per second over each segment, its growth step (new layers, "
             "a retraced step function) included; CPU only.",
             f"- Quality: {args.num:,} samples of the EMA generator (seed 0) against the first "
             f"{args.num:,} real images, `classifier` features (a `genzoo train classifier` run "
             f"on the same data at 32x32, {args.classifier_epochs} epochs, accuracy "
             f"{100 * float(classifier['row']['val_accuracy']):.1f}% on these images); samples "
             "below 32x32 are upsampled (nearest) first, so early phases are scored as the "
             "blocky images they are. KID is x1000.", ""]
    for model in MODELS:
        lines += [f"### {model}", "",
                  "| phase end | step | resolution (alpha) | segment img/s | FID | KID | "
                  "precision | recall | density | coverage |", "|---|---|---|---|---|---|---|---|---|---|"]
        for label, row in rows[model]:
            s = row["scores"]
            lines.append(
                f"| {label} | {row['steps']} | {row['size']}x{row['size']} ({row['alpha']:.2f}) | "
                f"{row['images_per_second']:,.0f} | {s['fid']:.1f} | {1000 * s['kid']:.1f} | "
                f"{s['precision']:.3f} | {s['recall']:.3f} | {s['density']:.3f} | "
                f"{s['coverage']:.3f} |")
        best_label, best = min(rows[model], key=lambda item: item[1]["scores"]["fid"])
        final = rows[model][-1][1]["scores"]
        lines += ["", f"**Reading ({model}).** Lowest FID {best['scores']['fid']:.1f} at the "
                  f"end of {best_label}; after the last segment FID {final['fid']:.1f}, recall "
                  f"{final['recall']:.3f}. A recall near 0 means the samples cover few of the "
                  "real digits' variations (mode collapse), whatever their precision. This is a "
                  "CPU budget of minutes, far from the papers' millions of images per phase.",
                  "", "Samples at the end of each phase:", ""]
        lines.append(" ".join(
            f"![{model} {label}](images/progressive_{model}_{index}.png)"
            for index, (label, _) in enumerate(rows[model])))
        lines.append("")
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.fade, args.stable, args.extra_steps = base["fade"], base["stable"], base["extra_steps"]
    args.num, args.classifier_epochs = base["num"], base["classifier_epochs"]
    if not args.data.is_dir():
        parser.exit(2, f"progressive.py: error: no MNIST folder at {args.data} (pass --data)\n")
    args.dataset = f"idx:{args.data.resolve()}"
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if set(models) - set(MODELS) or not models:
        parser.exit(2, f"progressive.py: error: --models among {', '.join(MODELS)}\n")
    write = not (args.no_write or args.quick or models != list(MODELS))
    figures = args.out.parent / "images"
    started = time.perf_counter()
    rows: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="genzoo-progressive-") as tmp:
        tmp = pathlib.Path(tmp)
        classifier = in_fresh_process(train_classifier, {
            "dataset": args.dataset, "image_size": IMAGE_SIZE,
            "epochs": args.classifier_epochs, "out_dir": str(tmp / "classifier")})
        for model in models:
            rows[model], previous = [], 0
            for index, (label, step) in enumerate(phase_ends(args.fade, args.stable,
                                                             args.extra_steps)):
                grid = (figures if write else tmp) / f"progressive_{model}_{index}.png"
                row = in_fresh_process(segment, {
                    "model": model, "dataset": args.dataset, "steps": step,
                    "start_step": previous, "fade": args.fade, "stable": args.stable,
                    "out_dir": str(tmp / model), "grid": str(grid), "num": args.num,
                    "classifier": str(tmp / "classifier"), "cache_dir": str(tmp / "cache")})
                previous = step
                rows[model].append((label, row))
                s = row["scores"]
                print(f"{model:<9} {label:<18} step {row['steps']:>5} {row['size']:>3}px "
                      f"alpha {row['alpha']:.2f}  {row['images_per_second']:7.0f} img/s  "
                      f"FID {s['fid']:8.2f}  P {s['precision']:.3f} R {s['recall']:.3f}",
                      flush=True)
    section = render(args, rows, classifier, (time.perf_counter() - started) / 60,
                     classifier["versions"])
    print(section)
    if write:
        write_section(args.out, section, START_MARKER, END_MARKER)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
