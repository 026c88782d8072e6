"""Training speed of every GAN of the family on the embedded digits.

For each model's default preset (32x32 digits, batch 64) the script trains a
fixed number of generator steps through the library's own path (``resolve_plan``
then ``trainer.train``), each in a fresh process, and reports the trainer's
steady-state throughput (first step of each epoch and epoch-end artifacts
excluded), generator steps per second and the process's peak memory; the median
of ``--repeats`` processes. A GAN with ``d_steps = k`` (wgan, wgan-gp: 5) reads
k real batches per generator step, so its real images/s is k times its
generator steps/s times the batch.

    python benchmarks/gan_speed.py                # writes the gan_speed section
    python benchmarks/gan_speed.py --no-docs --steps 50 --repeats 1

Run it on an otherwise idle machine: the numbers are the machine's, not the code's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shlex
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from docs_section import machine_description, write_section  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- gan_speed:start -->", "<!-- gan_speed:end -->"
MODELS = ("gan", "dcgan", "wgan", "wgan-gp", "cgan")

_WORKER = r"""
import json, resource, sys
from keras_genzoo.training import run as run_lib, trainer
model, steps, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
plan = plan_lib.resolve_plan(model, steps=steps, out_dir=out)
result = trainer.train(plan, verbose=0)
from keras_genzoo.runs import build_model
d_steps = build_model(model, plan.config).real_batches_per_step()
print(json.dumps({"images_per_second": result.images_per_second, "d_steps": d_steps,
                  "batch_size": plan.settings.batch_size, "preset": plan.preset,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(model: str, steps: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        done = subprocess.run([sys.executable, "-c", _WORKER, model, str(steps), workdir],
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if done.returncode:
        raise SystemExit(f"{model} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def render(rows: list[dict], args, command: str) -> str:
    lines = [
        START,
        "## GAN family: training speed on digits",
        "",
        f"`{command}` ({datetime.date.today().isoformat()}): each model's default preset "
        f"(32x32 embedded digits, batch 64), {args.steps} generator steps, median of "
        f"{args.repeats} fresh processes. Real images/s counts every real image the "
        "critic reads (`d_steps` batches per generator step); the first step of each "
        "epoch (tracing) and the epoch-end checkpoint and sample grid are not timed.",
        "",
        f"- Machine: {machine_description()}",
        "",
        "| model | preset | d_steps | real images/s | generator steps/s | peak RSS (MB) |",
        "|-------|--------|--------:|--------------:|------------------:|--------------:|",
    ]
    for row in rows:
        per_step = row["batch_size"] * row["d_steps"]
        lines.append(f"| `{row['model']}` | {row['preset']} | {row['d_steps']} | "
                     f"{row['images_per_second']:,.0f} | {row['images_per_second'] / per_step:.1f} | "
                     f"{row['peak_rss_mb']:.0f} |")
    lines += ["", "The MLP models (`gan`, `cgan`) are several times faster than the conv "
              "models; `wgan` and `wgan-gp` do five critic updates per generator update, and "
              "the gradient penalty adds a double backward pass through the critic. Short runs on a shared 2-core machine are noisy (about +-20%): `benchmarks/throughput.py` times the dcgan step over longer runs against a hand-written loop.", END, ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args(argv)
    rows = []
    for model in args.models.split(","):
        runs = [measure(model, args.steps) for _ in range(args.repeats)]
        row = {"model": model, **runs[0],
               "images_per_second": statistics.median(r["images_per_second"] for r in runs),
               "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs)}
        rows.append(row)
        print(f"{model:8s} {row['images_per_second']:9.0f} real images/s  "
              f"{row['peak_rss_mb']:6.0f} MB", flush=True)
    if not args.no_docs:
        command = "python benchmarks/gan_speed.py " + shlex.join(argv or sys.argv[1:])
        write_section(DOCS, render(rows, args, command.strip()), START, END)
        print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
