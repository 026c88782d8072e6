"""Autoencoder quality benchmark: every AE variant against PCA on held-out MNIST.

Data: the MNIST test set in ``../shared/data/mnist-t10k`` (IDX), split into its
first 8,000 images for training and its last 2,000 as held out. The two halves
are written as IDX files (``train-*`` / ``t10k-*``) into a temporary folder and
read through the ``idx:<folder>`` dataset spec, so training runs through the
real genzoo trainer (``resolve_plan`` + ``trainer.train``) like ``genzoo train``.

Every variant uses the same image size (28x28x1) and code size (16 by default),
its registry preset otherwise, and the same training budget (``--epochs``).
Measured on the 2,000 held-out images:

* **MSE** per pixel of ``g(f(x))`` and its PSNR, against PCA with as many
  components (fit on the same 8,000 images): the linear autoencoder should match
  PCA (Deep Learning 14.1), the nonlinear ones should beat it;
* **denoising PSNR**: inputs corrupted by ``x + 0.3 N(0, I)`` (fixed seed, not
  clipped: the ``gaussian`` preset's corruption), each model's reconstruction
  of the corrupted input scored against the clean image;
* **VAE NLL**: minus the importance-weighted bound (Burda et al. 2016, k = the
  model's ``iw_samples``) on the held-out images binarized at 0.5, in nats;
* **training images/second**: the trainer's steady-state figure
  (``TrainResult.images_per_second``).

Variants whose model file does not exist yet are skipped with a note.

    python benchmarks/autoencoders.py                 # full run, writes docs/benchmarks.md
    python benchmarks/autoencoders.py --quick --no-write   # smoke run

The table goes to stdout and, unless ``--no-write``, into the section of
``docs/benchmarks.md`` between ``<!-- autoencoders:start -->`` and
``<!-- autoencoders:end -->`` (other sections are left alone).
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import shlex
import sys
import tempfile
import time

# run as `python benchmarks/<script>.py`, so this folder is on sys.path
from docs_section import machine_description, write_section  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
DEFAULT_DATA = REPO.parent / "shared" / "data" / "mnist-t10k"
START_MARKER = "<!-- autoencoders:start -->"
END_MARKER = "<!-- autoencoders:end -->"
TRAIN_COUNT, HELD_OUT_COUNT = 8000, 2000
IMAGE_SIZE = 28
NOISE_SIGMA, NOISE_SEED = 0.3, 1234

#: (label, registry name, preset, extra config overrides); all get image_size and code_dim
VARIANTS = [
    ("ae conv", "ae", "conv", {}),
    ("ae dense", "ae", "dense", {}),
    ("ae linear", "ae", "linear", {"learning_rate": "0.001"}),
    ("sparse-ae l1", "sparse-ae", "l1", {}),
    ("denoising-ae gaussian", "denoising-ae", "gaussian", {}),
    # The one-layer `sigmoid` preset cannot be compared at this code size: with a
    # 16-unit sigmoid code it saturates and stays at the mean digit even with
    # lambda = 0 (an optimisation failure of that network, not of the penalty),
    # so the benchmark uses the `deep` preset (autodiff Jacobian) with a lambda
    # scaled to the 28x28 input and 16-unit code (the preset's 1e-3 halves the
    # Jacobian but costs too much reconstruction at this code size).
    ("contractive-ae deep", "contractive-ae", "deep", {"contractive_lambda": "0.0001"}),
    # the same network without the penalty: separates the sigmoid code's cost
    # from the penalty's
    ("contractive-ae deep, lambda 0", "contractive-ae", "deep", {"contractive_lambda": "0"}),
    ("vae conv", "vae", "conv", {}),
    ("recirculation-ae", "recirculation-ae", "digits8", {}),
]
#: variants that are linear maps (compared with PCA, not expected to beat it)
LINEAR = {"ae linear"}
FULL = {"epochs": 30}
QUICK = {"epochs": 1, "train_count": 1024}


# ================================================================== data
def write_split(source_dir: pathlib.Path, target: pathlib.Path, train_count: int) -> None:
    """The first ``train_count`` images as ``train-*``, the last 2,000 as ``t10k-*``."""
    from keras_genzoo.data import idx

    images_path = _find(source_dir, "t10k-images-idx3-ubyte")
    labels_path = _find(source_dir, "t10k-labels-idx1-ubyte")
    images, labels = idx.read_idx_images(images_path), idx.read_idx_labels(labels_path)
    if len(images) < TRAIN_COUNT + HELD_OUT_COUNT:
        raise SystemExit(f"{images_path}: expected 10,000 images, found {len(images)}")
    target.mkdir(parents=True, exist_ok=True)
    idx.write_idx(target / "train-images-idx3-ubyte", images[:train_count])
    idx.write_idx(target / "train-labels-idx1-ubyte", labels[:train_count].astype("uint8"))
    idx.write_idx(target / "t10k-images-idx3-ubyte", images[-HELD_OUT_COUNT:])
    idx.write_idx(target / "t10k-labels-idx1-ubyte", labels[-HELD_OUT_COUNT:].astype("uint8"))


def _find(directory: pathlib.Path, stem: str) -> pathlib.Path:
    for name in (stem, stem + ".gz"):
        if (directory / name).is_file():
            return directory / name
    raise SystemExit(f"no {stem}[.gz] in {directory}; pass --data")


# ============================================================ measurement
def psnr(clean, estimate) -> float:
    from keras_genzoo.losses.reconstruction import reconstruction_quality

    return reconstruction_quality(clean, estimate)["psnr"]


def held_out_metrics(reconstruct, clean, noisy) -> dict:
    import numpy as np

    recon = np.concatenate([reconstruct(clean[i : i + 500]) for i in range(0, len(clean), 500)])
    denoised = np.concatenate([reconstruct(noisy[i : i + 500])
                               for i in range(0, len(noisy), 500)])
    return {"mse": float(np.mean((clean - recon) ** 2)), "psnr": psnr(clean, recon),
            "denoised_psnr": psnr(clean, denoised)}


def pca_baseline(train_images, clean, noisy, code_dim) -> dict:
    from sklearn.decomposition import PCA

    flat = lambda a: a.reshape(len(a), -1)  # noqa: E731
    pca = PCA(code_dim, random_state=0).fit(flat(train_images))
    project = lambda a: pca.inverse_transform(pca.transform(flat(a))).reshape(a.shape)  # noqa: E731
    return held_out_metrics(project, clean, noisy)


def run_variant(label, name, preset, extra, *, data_spec, workdir, args, clean, noisy,
                labels) -> dict:
    import keras
    import numpy as np

    from keras_genzoo import registry
    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    spec = registry.get(name)
    try:
        spec.load_class()
    except ImportError as error:
        return {"label": label, "skipped": f"not available ({error})"}
    overrides = {"image_size": str(IMAGE_SIZE), "channels": "1",
                 "code_dim": str(args.code_dim), **extra}
    plan = plan_lib.resolve_plan(name, preset=preset, overrides=overrides,
                                out_dir=str(workdir / label.replace(" ", "_")),
                                dataset=data_spec, epochs=args.epochs,
                                batch_size=args.batch_size, seed=0)
    keras.backend.clear_session()
    started = time.perf_counter()
    result = trainer.train(plan, verbose=0)
    seconds = time.perf_counter() - started
    model, _ = runs.load_trained_model(plan.out_dir)
    row = {"label": label, "model": name, "preset": preset, "seconds": seconds,
           "steps": result.steps, "images_per_second": result.images_per_second,
           **held_out_metrics(model.reconstruct, clean, noisy)}
    if hasattr(model, "importance_weighted_bound"):
        binary = (clean > 0.5).astype(np.float32)
        k = getattr(model.config, "iw_samples", 50)
        conditional = getattr(model.config, "conditional", False)
        bound = model.importance_weighted_bound(binary, labels if conditional else None,
                                                k=k, seed=0)
        row["nll"], row["iw_k"] = float(-np.mean(bound)), k
    return row


# ================================================================ report
def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def render_table(rows, pca) -> str:
    header = ["model (preset)", "held-out MSE", "vs PCA", "PSNR dB", "denoising PSNR dB",
              "VAE NLL nats (binarized)", "train img/s", "train s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.append(f"| PCA ({pca['components']} components) | {pca['mse']:.5f} | 1.00x | "
                 f"{pca['psnr']:.2f} | {pca['denoised_psnr']:.2f} | - | - | - |")
    for row in rows:
        if "skipped" in row:
            lines.append(f"| {row['label']} | {row['skipped']} |" + " |" * (len(header) - 2))
            continue
        ratio = row["mse"] / pca["mse"]
        verdict = "" if row["label"] in LINEAR else (" (beats PCA)" if ratio < 1 else
                                                      " (**worse than PCA**)")
        nll = (f"{row['nll']:.1f} (k={row['iw_k']})" if row.get("nll") is not None else "-")
        lines.append(f"| {row['label']} | {row['mse']:.5f} | {ratio:.2f}x{verdict} | "
                     f"{row['psnr']:.2f} | {row['denoised_psnr']:.2f} | {nll} | "
                     f"{_fmt(row['images_per_second'], '.0f')} | {row['seconds']:.0f} |")
    lines.append(f"| noisy input itself | - | - | - | {pca['noisy_psnr']:.2f} | - | - | - |")
    return "\n".join(lines)


def reading(rows, pca) -> str:
    done = [r for r in rows if "skipped" not in r]
    nonlinear = [r for r in done if r["label"] not in LINEAR]
    losers = [r["label"] for r in nonlinear if r["mse"] >= pca["mse"]]
    parts = []
    if nonlinear:
        parts.append("Every nonlinear autoencoder beats PCA on held-out MSE."
                     if not losers else
                     f"Not beating PCA on held-out MSE: {', '.join(losers)}.")
    by_label = {r["label"]: r for r in done}
    if "ae linear" in by_label:
        ratio = by_label["ae linear"]["mse"] / pca["mse"]
        parts.append(f"The linear autoencoder's error is {ratio:.2f}x PCA's "
                     "(Deep Learning 14.1: it learns the principal subspace).")
    if "denoising-ae gaussian" in by_label and "ae conv" in by_label:
        d, a = by_label["denoising-ae gaussian"], by_label["ae conv"]
        parts.append(f"On inputs corrupted with sigma {NOISE_SIGMA} Gaussian noise the "
                     f"denoising autoencoder reaches {d['denoised_psnr']:.2f} dB against "
                     f"{a['denoised_psnr']:.2f} dB for the plain conv autoencoder "
                     f"(the noisy input itself: {pca['noisy_psnr']:.2f} dB).")
    skipped = [r["label"] for r in rows if "skipped" in r]
    if skipped:
        parts.append(f"Skipped (not available or failed when this ran): {', '.join(skipped)}.")
    return " ".join(parts)


def _shown(path: pathlib.Path) -> str:
    """``path`` relative to the repository when that is shorter (``../shared/...``)."""
    relative = os.path.relpath(pathlib.Path(path).resolve(), REPO)
    return relative if len(relative) < len(str(path)) else str(path)


def render_section(rows, pca, args, command, total_seconds) -> str:
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        START_MARKER,
        "## Autoencoders: held-out reconstruction, denoising and likelihood on MNIST",
        "",
        f"Produced by `{command}` on {date} in {total_seconds / 60:.1f} minutes"
        + (" (**quick smoke run: too short to be representative**)" if args.quick else "")
        + ". Regenerate it with the same command; only this section is rewritten.",
        "",
        f"- Machine: {machine_description()}",
        f"- Data: MNIST test set (`{_shown(args.data)}`), first {args.train_count:,} images for "
        f"training, last {HELD_OUT_COUNT:,} held out; {IMAGE_SIZE}x{IMAGE_SIZE}x1 in [0, 1].",
        f"- Every variant: its registry preset with `image_size={IMAGE_SIZE}` and "
        f"`code_dim={args.code_dim}` (plus the overrides in the script's `VARIANTS`), "
        f"{args.epochs} epoch(s) at batch {args.batch_size} through the genzoo trainer, seed 0.",
        "- MSE is per pixel on the held-out images; `vs PCA` divides it by PCA's with as "
        "many components (fit on the training images); the linear autoencoder is expected "
        "to match PCA, not beat it. Denoising PSNR scores each model's reconstruction of "
        f"`x + {NOISE_SIGMA} N(0, I)` (fixed seed, unclipped) against the clean `x`. VAE NLL "
        "is minus the importance-weighted bound (Burda et al. 2016) on the held-out images "
        "binarized at 0.5. Images/second: the trainer's steady-state figure.",
        "",
        render_table(rows, pca),
        "",
        reading(rows, pca),
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


# ================================================================== main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, help=f"epochs per variant (default {FULL['epochs']})")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK['epochs']} epoch on {QUICK['train_count']} images")
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA,
                        help="folder with t10k-images-idx3-ubyte[.gz] + labels")
    parser.add_argument("--code-dim", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--variants", help="comma-separated labels or model names (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--output", type=pathlib.Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = QUICK["epochs"] if args.quick else FULL["epochs"]
    args.train_count = QUICK["train_count"] if args.quick else TRAIN_COUNT
    if args.epochs < 1 or args.code_dim < 1 or args.batch_size < 1:
        parser.error("--epochs, --code-dim and --batch-size must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np

    from keras_genzoo.data import open_source

    argv = sys.argv[1:] if argv is None else list(argv)
    command = "python benchmarks/autoencoders.py" + "".join(" " + shlex.quote(a) for a in argv)
    chosen = VARIANTS
    if args.variants:
        wanted = {w.strip() for w in args.variants.split(",") if w.strip()}
        chosen = [v for v in VARIANTS if v[0] in wanted or v[1] in wanted]
        if not chosen:
            raise SystemExit(f"no variant matches {sorted(wanted)}; valid: "
                             + ", ".join(v[0] for v in VARIANTS))
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="genzoo-ae-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        write_split(args.data, tmp / "data", args.train_count)
        data_spec = f"idx:{tmp / 'data'}"
        held_out = open_source(data_spec, image_size=IMAGE_SIZE, channels=1, split="test")
        clean, labels = next(iter(held_out.elements().batch(HELD_OUT_COUNT)))
        clean, labels = clean.numpy(), labels.numpy()
        noise = np.random.default_rng(NOISE_SEED).standard_normal(clean.shape)
        noisy = (clean + NOISE_SIGMA * noise).astype(np.float32)
        train = open_source(data_spec, image_size=IMAGE_SIZE, channels=1, split="train")
        train_images = train.take_images(train.num_examples)
        pca = pca_baseline(train_images, clean, noisy, args.code_dim)
        pca.update(components=args.code_dim, noisy_psnr=psnr(clean, noisy))
        print(f"PCA({args.code_dim}): held-out MSE {pca['mse']:.5f}, denoising PSNR "
              f"{pca['denoised_psnr']:.2f} dB (noisy input {pca['noisy_psnr']:.2f} dB)",
              flush=True)
        for label, name, preset, extra in chosen:
            try:
                row = run_variant(label, name, preset, extra, data_spec=data_spec,
                                  workdir=tmp / "runs", args=args, clean=clean, noisy=noisy,
                                  labels=labels)
            except Exception as error:  # noqa: BLE001 - one broken variant must not stop the rest
                lines = [line.strip() for line in str(error).splitlines() if line.strip()]
                reason = (lines[-1] if lines else type(error).__name__)[:200]  # the cause
                row = {"label": label, "skipped": f"failed: {type(error).__name__}: {reason}"}
            rows.append(row)
            if "skipped" in row:
                print(f"  {label:24s} skipped: {row['skipped']}", flush=True)
            else:
                nll = f"  NLL {row['nll']:.1f}" if "nll" in row else ""
                print(f"  {label:24s} MSE {row['mse']:.5f} ({row['mse'] / pca['mse']:.2f}x PCA)"
                      f"  denoising {row['denoised_psnr']:.2f} dB{nll}  "
                      f"{row['images_per_second']:.0f} img/s  {row['seconds']:.0f} s", flush=True)
    total = time.perf_counter() - started
    print(f"total {total:.0f} s\n")
    print(render_table(rows, pca))
    print()
    print(reading(rows, pca))
    if not args.no_write:
        write_section(args.output, render_section(rows, pca, args, command, total),
                      START_MARKER, END_MARKER)
        print(f"\nwrote the autoencoders section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
