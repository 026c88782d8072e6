"""genzoo's VAE against pythae's on binarized MNIST: held-out NLL and training time.

The split: the MNIST test set of ``../shared/data/mnist-t10k`` at 28x28,
binarized at 0.5; the first 8,000 images train, the last 2,000 are held out.
Both VAEs have pythae's default MLP networks (784 -> 512 -> 16-d Gaussian
code, 16 -> 512 -> 784 Bernoulli logits), batch 100, Adam 1e-3. Reported after
20 and after 100 epochs: minus the importance-weighted bound (Burda et al.
2016, k = 200) on the held-out images, in nats, and the training seconds.

genzoo trains through ``genzoo train vae --preset dense --xla`` (the library's
own trainer, an IDX folder written from the split; its time is the whole
``train`` call, with the held-out metrics, checkpoint and pictures of every
epoch, and in brackets the training steps alone); pythae runs in a separate
virtual environment (it is not a dependency of genzoo):

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


def render(rows_genzoo, rows_pythae, machine) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START_MARKER, "## VAE likelihood on binarized MNIST: genzoo against pythae", "",
             f"Produced by `python benchmarks/vae_likelihood.py` on {stamp}. Machine: {machine}.",
             "", f"The first {TRAIN:,} images of the MNIST test set, 28x28 binarized at 0.5, "
             f"train; the last {HELD_OUT:,} are held out. Both VAEs: 784-512-16 encoder, "
             "16-512-784 Bernoulli decoder, batch 100, Adam 1e-3, one after the other on the "
             "same machine: genzoo as `genzoo train vae --preset dense --xla`, its 100 epochs "
             "resuming its 20 exactly; pythae 0.1.2 on PyTorch (CPU, its own virtual "
             "environment), each row a run from scratch. Times: the whole training call, "
             "genzoo's including its per-epoch held-out metrics, checkpoints and pictures "
             "(in brackets: its training steps alone). NLL: "
             f"minus the importance-weighted bound with k = {K} on the held-out images, nats "
             "(lower is better).", "",
             "| epochs | genzoo NLL | pythae NLL | genzoo train s (steps only) | pythae train s |",
             "|---|---|---|---|---|"]
    for g, p in zip(rows_genzoo, rows_pythae):
        lines.append(f"| {g['epochs']} | {g['nll']:.2f} | {p['nll']:.2f} | {g['seconds']:.0f} "
                     f"({g['steps_seconds']:.0f}) | {p['seconds']:.0f} |")
    lines.append("")
    for g, p in zip(rows_genzoo, rows_pythae):
        nll = "at most" if g["nll"] <= p["nll"] else "above"
        lines.append(f"- {g['epochs']} epochs: genzoo's NLL is {nll} pythae's "
                     f"({g['nll'] - p['nll']:+.2f} nats); its whole training call takes "
                     f"{g['seconds'] / p['seconds']:.2f}x pythae's time, its training steps "
                     f"alone {g['steps_seconds'] / p['seconds']:.2f}x.")
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA)
    parser.add_argument("--pythae-python", required=True,
                        help="the python of a virtual environment with pythae installed")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np

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
        idx_lib.write_idx(folder / "train-images-idx3-ubyte", (train[..., 0] * 255).astype(np.uint8))
        idx_lib.write_idx(folder / "t10k-images-idx3-ubyte",
                          (held_out[..., 0] * 255).astype(np.uint8))
        print("pythae ...", flush=True)
        np.savez(tmp / "split.npz", train=train[..., 0], held_out=held_out[..., 0])
        done = subprocess.run([args.pythae_python, "-c", PYTHAE_SCRIPT, str(tmp / "split.npz"),
                               str(tmp / "pythae"), ",".join(map(str, CHECKPOINTS))],
                              capture_output=True, text=True, check=False)
        result = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode or not result:
            print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
            raise SystemExit("vae_likelihood.py: the pythae run failed")
        rows_pythae = json.loads(result[-1][len("RESULT "):])
        for row in rows_pythae:
            print(f"  pythae {row['epochs']} epochs: NLL {row['nll']:.2f} nats, "
                  f"{row['seconds']:.0f} s", flush=True)
        print("genzoo ...", flush=True)
        rows_genzoo = genzoo_runs(folder, held_out, tmp / "genzoo")
    section = render(rows_genzoo, rows_pythae, machine_description())
    print(section)
    if not args.no_write:
        write_section(args.out, section, START_MARKER, END_MARKER)
    return 0


if __name__ == "__main__":
    sys.exit(main())
