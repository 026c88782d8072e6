"""genzoo's VAE against pythae's on binarized MNIST: held-out NLL and training time.

The split: the MNIST test set of ``../shared/data/mnist-t10k`` at 28x28,
binarized at 0.5; the first 8,000 images train, the last 2,000 are held out.
Both VAEs have pythae's default MLP networks (784 -> 512 -> 16-d Gaussian
code, 16 -> 512 -> 784 Bernoulli logits), batch 100, Adam 1e-3. Reported after
20 and after 100 epochs: minus the importance-weighted bound (Burda et al.
2016, k = 200) on the held-out images, in nats, and the training seconds.

genzoo trains through ``genzoo train vae --preset dense --xla`` (the library's
own trainer, an IDX folder written from the split; its time is the whole
``train`` call, with the checkpoint, held-out metrics and pictures of every fifth
epoch, and in brackets the training steps alone); pythae runs in a separate
virtual environment (it is not a dependency of genzoo). The two alternate
``--repeats`` times (default 3), each run in a fresh process as a user's command
would be, and each time reported is the median, its range beside it: on a shared
2-core machine one run's time varies by a fifth.

    python -m venv /tmp/pythae-venv
    /tmp/pythae-venv/bin/pip install torch==2.13.0 pythae
    python benchmarks/vae_likelihood.py --pythae-python /tmp/pythae-venv/bin/python

The section between ``<!-- vae-likelihood:start -->`` and ``<!-- vae-likelihood:end -->``
of ``docs/benchmarks.md`` is rewritten (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from docs_section import machine_description, write_section  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "mnist-t10k"
START_MARKER, END_MARKER = "<!-- vae-likelihood:start -->", "<!-- vae-likelihood:end -->"
TRAIN, HELD_OUT, K, BATCH = 8000, 2000, 200, 100
CHECKPOINTS = (20, 100)

PYTHAE_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import numpy as np, torch
    from pythae.models import VAE, VAEConfig
    from pythae.data.datasets import BaseDataset
    from pythae.trainers import BaseTrainer, BaseTrainerConfig
    torch.manual_seed(0)
    data = np.load(sys.argv[1])
    train = torch.tensor(data["train"]).reshape(-1, 1, 28, 28).float()
    train = BaseDataset(train, torch.zeros(len(train)))
    held_out = torch.tensor(data["held_out"]).reshape(-1, 1, 28, 28).float()
    rows = []
    for epochs in [int(e) for e in sys.argv[3].split(",")]:  # each from scratch
        torch.manual_seed(0)
        model = VAE(VAEConfig(input_dim=(1, 28, 28), latent_dim=16, reconstruction_loss="bce"))
        config = BaseTrainerConfig(output_dir=sys.argv[2], num_epochs=epochs,
                                   learning_rate=1e-3, per_device_train_batch_size=100,
                                   steps_saving=None, no_cuda=True)
        trainer = BaseTrainer(model=model, train_dataset=train, training_config=config)
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
        model = trainer._best_model if getattr(trainer, "_best_model", None) is not None \\
            else trainer.model
        model.eval()
        torch.manual_seed(1)
        # despite its name, get_nll returns the mean log-likelihood estimate
        nll = -float(model.get_nll(held_out, n_samples=200, batch_size=100))
        rows.append({"epochs": epochs, "nll": float(nll), "seconds": seconds})
    print("RESULT " + json.dumps(rows))
""")


def genzoo_runs(folder: pathlib.Path, held_out, out: pathlib.Path) -> list[dict]:
    """Train 20 epochs, then resume to 100; NLL and cumulative seconds at each."""
    import numpy as np

    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo import runs
    from keras_genzoo.training import trainer

    import csv

    rows, trained = [], 0.0
    for epochs in CHECKPOINTS:
        plan = plan_lib.resolve_plan("vae", preset="dense", dataset=f"idx:{folder}",
                                    image_size=28, epochs=epochs, batch_size=BATCH,
                                    out_dir=str(out), xla=True)
        started = time.perf_counter()
        trainer.train(plan, verbose=0)
        trained += time.perf_counter() - started
        # the epochs' own seconds: training steps only, without the epoch-end
        # held-out metrics, checkpoint and pictures
        with open(out / "history.csv", newline="") as handle:
            steps_only = sum(float(row["seconds"]) for row in csv.DictReader(handle))
        model, _ = runs.load_trained_model(out)
        bound = model.importance_weighted_bound(held_out, k=K, seed=0)
        rows.append({"epochs": epochs, "nll": float(-np.mean(bound)), "seconds": trained,
                     "steps_seconds": steps_only})
        print(f"  genzoo {epochs} epochs: NLL {rows[-1]['nll']:.2f} nats, "
              f"{trained:.0f} s ({steps_only:.0f} s in training steps)", flush=True)
    return rows


def genzoo_process(tmp: pathlib.Path) -> list[dict]:
    """:func:`genzoo_runs` in a fresh process, as every ``genzoo train`` runs: the
    one-time costs of a process (TensorFlow's first XLA compilation among them) count
    in every repeat, as pythae's count in its."""
    done = subprocess.run([sys.executable, str(pathlib.Path(__file__).resolve()),
                           "--genzoo-side", str(tmp)], capture_output=True, text=True,
                          check=False)
    for line in done.stdout.splitlines():
        if line.startswith("  genzoo"):
            print(line, flush=True)
    return _result_rows(done, "genzoo")


def _result_rows(done: subprocess.CompletedProcess, side: str) -> list[dict]:
    """The rows a side's process printed on its ``RESULT`` line; its output and an
    exit when it failed."""
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not result:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"vae_likelihood.py: the {side} run failed")
    return json.loads(result[-1][len("RESULT "):])


def pythae_runs(python: str, tmp: pathlib.Path) -> list[dict]:
    done = subprocess.run([python, "-c", PYTHAE_SCRIPT, str(tmp / "split.npz"),
                           str(tmp / "pythae"), ",".join(map(str, CHECKPOINTS))],
                          capture_output=True, text=True, check=False)
    rows = _result_rows(done, "pythae")
    for row in rows:
        print(f"  pythae {row['epochs']} epochs: NLL {row['nll']:.2f} nats, "
              f"{row['seconds']:.0f} s", flush=True)
    return rows


def median_rows(repeats: list[list[dict]]) -> list[dict]:
    """Per checkpoint: the first run's NLL (both trainings are seeded: every repeat
    gives the same), each time's median and its ``(min, max)`` as ``<key>_range``."""
    import numpy as np

    rows = []
    for index, first in enumerate(repeats[0]):
        row = dict(first)
        for key in ("seconds", "steps_seconds"):
            if key in first:
                values = [run[index][key] for run in repeats]
                row[key] = float(np.median(values))
                row[f"{key}_range"] = (min(values), max(values))
        rows.append(row)
    return rows


def _spread(row, key) -> str:
    low, high = row[f"{key}_range"]
    return f"{row[key]:.0f}" if round(low) == round(high) else \
        f"{row[key]:.0f} ({low:.0f}-{high:.0f})"


def paired_ratios(runs_genzoo, runs_pythae, key="seconds") -> list[list[float]]:
    """Per checkpoint, genzoo's time over pythae's of the same repeat (the two ran back
    to back, so a slower spell of a shared machine weighs on both)."""
    return [[g[index][key] / p[index]["seconds"] for g, p in zip(runs_genzoo, runs_pythae)]
            for index in range(len(runs_genzoo[0]))]


def render(rows_genzoo, rows_pythae, machine, repeats, ratios=None) -> str:
    import numpy as np

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START_MARKER, "## VAE likelihood on binarized MNIST: genzoo against pythae", "",
             f"Produced by `python benchmarks/vae_likelihood.py` on {stamp}. Machine: {machine}.",
             "", f"The first {TRAIN:,} images of the MNIST test set, 28x28 binarized at 0.5, "
             f"train; the last {HELD_OUT:,} are held out. Both VAEs: 784-512-16 encoder, "
             "16-512-784 Bernoulli decoder, batch 100, Adam 1e-3, one after the other on the "
             "same machine: genzoo as `genzoo train vae --preset dense --xla` (16 steps per "
             "call into TensorFlow; checkpoint, held-out scores (the k = 50 bound among them) "
             "and pictures every fifth epoch), its 100 epochs resuming its 20 exactly; "
             "pythae 0.1.2 on PyTorch (CPU, its own virtual environment; no held-out "
             "evaluation, no pictures, one checkpoint at the end), each row a run from "
             f"scratch. The two alternate {repeats} times, each run in a fresh process (as a "
             "command runs); each time is the median, its "
             "range in brackets. Times: the whole training call (genzoo's from the model's "
             "construction on; pythae's `trainer.train()` after it), and genzoo's training "
             "steps alone. NLL: minus the importance-weighted bound with "
             f"k = {K} on the held-out images, nats (lower is better).", "",
             "| epochs | genzoo NLL | pythae NLL | genzoo train s | pythae train s | "
             "genzoo steps only s |",
             "|---|---|---|---|---|---|"]
    for g, p in zip(rows_genzoo, rows_pythae):
        lines.append(f"| {g['epochs']} | {g['nll']:.2f} | {p['nll']:.2f} | "
                     f"{_spread(g, 'seconds')} | {_spread(p, 'seconds')} | "
                     f"{_spread(g, 'steps_seconds')} |")
    lines.append("")
    for index, (g, p) in enumerate(zip(rows_genzoo, rows_pythae)):
        nll = "at most" if g["nll"] <= p["nll"] else "above"
        paired = ""
        if ratios:
            paired = ("; repeat by repeat " + ", ".join(f"{r:.2f}x" for r in ratios[index])
                      + f" (median {float(np.median(ratios[index])):.2f}x)")
        lines.append(f"- {g['epochs']} epochs: genzoo's NLL is {nll} pythae's "
                     f"({g['nll'] - p['nll']:+.2f} nats); its whole training call takes "
                     f"{g['seconds'] / p['seconds']:.2f}x pythae's time (median against "
                     f"median){paired}; its training steps alone "
                     f"{g['steps_seconds'] / p['seconds']:.2f}x.")
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA)
    parser.add_argument("--pythae-python",
                        help="the python of a virtual environment with pythae installed")
    parser.add_argument("--genzoo-side", type=pathlib.Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--repeats", type=int, default=3,
                        help="alternating runs of each side; times are their medians")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np

    if args.genzoo_side:  # one repeat of genzoo's side, in the process genzoo_process starts
        held_out = np.load(args.genzoo_side / "split.npz")["held_out"][..., None]
        rows = genzoo_runs(args.genzoo_side / "idx", held_out, args.genzoo_side / "genzoo")
        print("RESULT " + json.dumps(rows))
        return 0
    if not args.pythae_python:
        parser.error("--pythae-python is required")

    from keras_genzoo.data import idx as idx_lib
    from keras_genzoo.data import open_source

    images = open_source(f"idx:{args.data.resolve()}", image_size=28, channels=1).take_images(
        TRAIN + HELD_OUT)
    binary = (images > 0.5).astype(np.float32)
    train, held_out = binary[:TRAIN], binary[TRAIN:]
    with tempfile.TemporaryDirectory(prefix="genzoo-vae-") as tmp:
        tmp = pathlib.Path(tmp)
        folder = tmp / "idx"
        folder.mkdir()
        idx_lib.write_idx(folder / "train-images-idx3-ubyte",
                          (train[..., 0] * 255).astype(np.uint8))
        idx_lib.write_idx(folder / "t10k-images-idx3-ubyte",
                          (held_out[..., 0] * 255).astype(np.uint8))
        np.savez(tmp / "split.npz", train=train[..., 0], held_out=held_out[..., 0])
        runs_pythae, runs_genzoo = [], []
        for repeat in range(args.repeats):  # alternating, so that both see the same load
            print(f"pythae ({repeat + 1}/{args.repeats}) ...", flush=True)
            runs_pythae.append(pythae_runs(args.pythae_python, tmp))
            print(f"genzoo ({repeat + 1}/{args.repeats}) ...", flush=True)
            shutil.rmtree(tmp / "genzoo", ignore_errors=True)
            runs_genzoo.append(genzoo_process(tmp))
    rows_pythae, rows_genzoo = median_rows(runs_pythae), median_rows(runs_genzoo)
    section = render(rows_genzoo, rows_pythae, machine_description(), args.repeats,
                     paired_ratios(runs_genzoo, runs_pythae))
    print(section)
    if not args.no_write:
        write_section(args.out, section, START_MARKER, END_MARKER)
    return 0


if __name__ == "__main__":
    sys.exit(main())
