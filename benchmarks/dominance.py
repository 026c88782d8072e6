"""Discriminator dominance: the minimax GAN's vanishing gradient next to WGAN.

The lecture's first warning about GAN training: when one network wins, the
other stops learning. Goodfellow et al. 2014 (section 3) name the case: early
in training D rejects the samples with high confidence, ``log(1 - D(G(z)))``
saturates, and the generator's gradient vanishes. This script trains, through
the genzoo trainer (``resolve_plan`` + ``trainer.train``, like ``genzoo
train``), four runs on the embedded digits at 32x32 that differ only in the
loss (and in the Lipschitz constraint that the Wasserstein loss needs):

* ``minimax``: ``gan`` with ``loss=minimax`` (eq. 1 as written), the
  discriminator given the upper hand: 5 discriminator updates per generator
  update (WGAN's ``n_critic``) and no Dropout;
* ``non-saturating``: the same, with ``loss=non_saturating``;
* ``wgan``: Arjovsky et al. 2017 (weight clipping, RMSProp, ``n_critic = 5``);
* ``wgan-gp``: Gulrajani et al. 2017 (gradient penalty, ``n_critic = 5``).

All four use the same MLP networks (the ``mlp`` architecture of ``gan``:
generator 100 -> 256 -> 512 -> 32x32, discriminator 1024 -> 512 -> 256 -> 1,
no Dropout), batch 64, seed 0. Each reads ``d_steps`` = 5 batches per generator
step, so one epoch of the 25 digit batches is 5 generator steps and one row
of ``history.csv``.

From each run's ``history.csv`` (epoch means of the logged diagnostics) it
prints a table of the final values and draws ``docs/images/dominance.png``:
the generator's gradient norm (log scale), D(x) and D(G(z)) of the logistic
runs, and the critics' scores, against the generator step.

    python benchmarks/dominance.py                        # about 4 minutes on 2 cores
    python benchmarks/dominance.py --epochs 5 --no-figure # smoke run
    python benchmarks/dominance.py --work-dir /tmp/dom    # keep the runs; a second
                                                          # call only redraws
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import pathlib
import shlex
import sys
import tempfile
import time

# run as `python benchmarks/<script>.py`, so this folder is on sys.path
from docs_section import machine_description

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_FIGURE = REPO / "docs" / "images" / "dominance.png"
DEFAULT_EPOCHS = 100
DIAGNOSTICS = ("d_real", "d_fake", "d_accuracy", "g_grad_norm", "g_loss")

# The discriminator's upper hand in the logistic runs: WGAN's n_critic and no
# Dropout, so that the four discriminators are the same network trained as often.
_DOMINANT_D = {"d_steps": "5", "dropout": "0"}


@dataclasses.dataclass(frozen=True)
class Run:
    key: str
    label: str
    model: str
    preset: str
    overrides: dict
    #: True when D's output is a probability (sigmoid of a logit), False for a critic
    logistic: bool
    color: str


RUNS = (
    Run("minimax", "gan, minimax loss", "gan", "minimax", _DOMINANT_D, True, "tab:red"),
    Run("non-saturating", "gan, non-saturating loss", "gan", "mlp", _DOMINANT_D, True,
        "tab:blue"),
    Run("wgan", "wgan (weight clipping)", "wgan", "mlp", {}, False, "tab:orange"),
    Run("wgan-gp", "wgan-gp (gradient penalty)", "wgan-gp", "mlp", {}, False, "tab:green"),
)


# ================================================================ training
def train_run(run: Run, work_dir: pathlib.Path, args) -> dict:
    """Train (or, when ``work_dir`` already holds the finished run, reuse) one run;
    return its per-epoch diagnostics."""
    import keras

    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    plan = plan_lib.resolve_plan(run.model, preset=run.preset, overrides=dict(run.overrides),
                                out_dir=str(work_dir / run.key), dataset="digits",
                                epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    keras.backend.clear_session()
    started = time.perf_counter()
    result = trainer.train(plan, verbose=0)
    seconds = time.perf_counter() - started
    history = read_history(plan.out_dir / "history.csv")
    return {"run": run, "history": history, "seconds": seconds,
            "trained": result.epochs_run > 0}


def read_history(path: pathlib.Path) -> dict[str, list[float]]:
    """Columns of ``history.csv`` as float lists (``step`` = generator steps)."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit(f"{path}: no epochs recorded")
    missing = [name for name in ("step", *DIAGNOSTICS) if name not in rows[0]]
    if missing:
        raise SystemExit(f"{path}: no column {', '.join(missing)}")
    return {name: [float(row[name]) for row in rows] for name in ("step", *DIAGNOSTICS)}


# ================================================================== report
def summary(result: dict) -> dict:
    """Final epoch's diagnostics, the largest epoch-mean gradient norm and the
    final/peak ratio: how far the generator's gradient fell from its best."""
    history = result["history"]
    norms = history["g_grad_norm"]
    peak = max(range(len(norms)), key=norms.__getitem__)
    final = {name: history[name][-1] for name in DIAGNOSTICS}
    return {**final, "steps": int(history["step"][-1]), "peak_norm": norms[peak],
            "peak_step": int(history["step"][peak]),
            "ratio": norms[-1] / norms[peak] if norms[peak] > 0 else float("nan")}


def render_table(results: list[dict]) -> str:
    header = ["run", "G steps", "D(x)", "D(G(z))", "D accuracy", "g_grad_norm",
              "peak g_grad_norm (step)", "final / peak", "g_loss", "train s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        s = summary(result)
        seconds = f"{result['seconds']:.0f}" if result["trained"] else "(reused)"
        lines.append(
            f"| {result['run'].label} | {s['steps']} | {s['d_real']:.4g} | {s['d_fake']:.3g} | "
            f"{s['d_accuracy']:.3f} | {s['g_grad_norm']:.3g} | "
            f"{s['peak_norm']:.3g} ({s['peak_step']}) | {s['ratio']:.2g} | "
            f"{s['g_loss']:.3g} | {seconds} |")
    return "\n".join(lines)


# ================================================================== figure
def draw_figure(results: list[dict], path: pathlib.Path) -> pathlib.Path:
    """Three panels against the generator step: the generator's gradient norm
    (log scale); D(x) and D(G(z)) of the logistic runs (logit scale, which
    spreads out both ends, where the sigmoid saturates); the critics' raw
    scores."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, (norm_axis, logistic_axis, critic_axis) = plt.subplots(1, 3, figsize=(15, 4.2))
    # Values at exactly 0 or 1 (a float32 sigmoid saturates) have no place on a
    # logit axis; they are drawn at this distance from the edge.
    edge = 1e-6
    for result in results:
        run, history = result["run"], result["history"]
        steps = history["step"]
        norm_axis.plot(steps, history["g_grad_norm"], color=run.color, label=run.label)
        target = logistic_axis if run.logistic else critic_axis
        real, fake = np.asarray(history["d_real"]), np.asarray(history["d_fake"])
        if run.logistic:
            real, fake = np.clip(real, edge, 1 - edge), np.clip(fake, edge, 1 - edge)
        target.plot(steps, real, color=run.color, label=f"{run.label}: D(x)")
        target.plot(steps, fake, color=run.color, linestyle="--",
                    label=f"{run.label}: D(G(z))")

    norm_axis.set_yscale("log")
    norm_axis.set_title("generator gradient norm ||grad_theta L_G||")
    logistic_axis.set_yscale("logit")
    logistic_axis.set_title("logistic D: mean D(x) (solid), D(G(z)) (dashed)")
    critic_axis.set_title("critics: mean score on real (solid), fake (dashed)")
    for axis in (norm_axis, logistic_axis, critic_axis):
        axis.set_xlabel("generator step")
        axis.grid(alpha=0.3, which="both")
        if axis.lines:
            axis.legend(fontsize=7)
    figure.suptitle("Digits 32x32, MLP networks, 5 D updates per G update: one point per epoch "
                    "(epoch means)", fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


# ==================================================================== main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS,
                        help=f"epochs per run, 5 generator steps each ({DEFAULT_EPOCHS})")
    parser.add_argument("--runs", help="comma-separated subset of: "
                        + ", ".join(run.key for run in RUNS) + " (default: all)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=pathlib.Path,
                        help="keep the run directories here (default: a temporary folder); "
                        "finished runs found there are reused, not retrained")
    parser.add_argument("--figure", type=pathlib.Path, default=DEFAULT_FIGURE,
                        help="PNG to write (docs/images/dominance.png)")
    parser.add_argument("--no-figure", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be positive")
    keys = [run.key for run in RUNS]
    args.selected = list(RUNS)
    if args.runs:
        wanted = [key.strip() for key in args.runs.split(",") if key.strip()]
        unknown = [key for key in wanted if key not in keys]
        if unknown or not wanted:
            parser.error(f"unknown run(s) {', '.join(unknown) or '(none)'}; "
                         f"valid: {', '.join(keys)}")
        args.selected = [run for run in RUNS if run.key in wanted]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    command = "python benchmarks/dominance.py " + shlex.join(sys.argv[1:] if argv is None
                                                              else argv)
    with tempfile.TemporaryDirectory(prefix="genzoo-dominance-") as temporary:
        work_dir = args.work_dir or pathlib.Path(temporary)
        results = []
        for run in args.selected:
            print(f"training {run.label} ({run.model}, preset {run.preset}"
                  + (", " + " ".join(f"{k}={v}" for k, v in run.overrides.items())
                     if run.overrides else "") + ") ...", flush=True)
            results.append(train_run(run, work_dir, args))
    print(f"\n{command.strip()}: final epoch means (5 generator steps each); "
          "peak = largest epoch mean of g_grad_norm")
    print(f"machine: {machine_description()}\n")
    print(render_table(results))
    if not args.no_figure:
        print(f"\nwrote {draw_figure(results, args.figure)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
