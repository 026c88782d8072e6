"""How often two runs of one command differ: a small ProGAN trained 14 steps, again and
again in one process, each run's state (weights, optimizer moments) compared after every
step with the first run's, per setting of TensorFlow's CPU kernels: its defaults (oneDNN
on, all cores), oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``), one thread
(``TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1``); each setting in a worker
process of its own, side by side.

Resuming is exact (the checkpoint holds every variable; noise and data order are
functions of the seed and the step), so the runs can only differ where TensorFlow's own
kernels do not round alike from one run to the next. Every other run is interrupted
after step 10 and resumed, as the resume test does.

    python benchmarks/run_to_run.py --runs 100 --settings NAME NAME   # writes its section
    python benchmarks/run_to_run.py --runs 4 --no-write

Reports, per setting, how many runs differ from the first in any bit, and from which
step.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer

REPO = pathlib.Path(__file__).resolve().parents[1]
START, END = "<!-- run-to-run:start -->", "<!-- run-to-run:end -->"
RESULT = "run-to-run:"
#: TensorFlow's two thread pools (ops side by side; each op's own threads) at one thread
SINGLE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
OVERRIDES = {"image_size": "16", "latent_dim": "8", "filter_base": "32", "max_filters": "4",
             "fade_images": "64", "stable_images": "64"}


def _state(model) -> list[np.ndarray]:
    arrays = [np.asarray(w) for net in model.networks().values() for w in net.weights]
    return arrays + [np.asarray(v) for optimizer in model.network_optimizers.values()
                     for v in optimizer.variables]


def _one_run(out: pathlib.Path, interrupt_at: int | None) -> dict[int, list[np.ndarray]]:
    """Every step's state of one run (interrupted after ``interrupt_at`` and resumed)."""
    built = {}
    build = trainer._build_model

    def keep(*args, **kwargs):
        built["model"] = build(*args, **kwargs)
        return built["model"]

    states = {}

    def on_step(step):
        states[step] = _state(built["model"])
        if step == interrupt_at:
            raise KeyboardInterrupt

    def plan():  # resolved again to resume: a plan knows whether its run is new
        return plan_lib.resolve_plan("progan", overrides=OVERRIDES, out_dir=str(out), steps=14,
                                     batch_size=8, dataset="digits")

    trainer._build_model = keep
    try:
        interrupted = False
        try:
            trainer.train(plan(), verbose=0, on_step=on_step)
        except trainer.Interrupted:
            interrupted = True
        if interrupted:  # outside the handler: the interrupted run's lock is released
            trainer.train(plan(), verbose=0, on_step=on_step)
    finally:
        trainer._build_model = build
    return states


def _first_difference(states, reference) -> int | None:
    for step in sorted(reference):
        if any(a.shape != b.shape or not np.array_equal(a, b)
               for a, b in zip(states[step], reference[step])):
            return step
    return None


def worker(runs: int) -> None:
    """One setting: print one line per run (the first differing step or "same")."""
    reference = None
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            states = _one_run(pathlib.Path(scratch) / f"run{run}", 10 if run % 2 else None)
            if reference is None:
                reference = states
                continue
            first = _first_difference(states, reference)
            print(f"{RESULT} {run} {first if first is not None else 'same'}", flush=True)


def _results(output: str) -> list[tuple[int, str]]:
    """``(run, first differing step or "same")`` per compared run."""
    return [(int(line.split()[1]), line.split()[2]) for line in output.splitlines()
            if line.startswith(RESULT)]


def main(argv=None) -> None:
    sys.path.insert(0, str(REPO))  # benchmarks.docs_section
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--settings", nargs="*", help="a subset of the settings, by name")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.runs)
        return
    settings = {"default (oneDNN on, all cores)": {},
                "oneDNN off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
                "one thread (oneDNN on)": SINGLE_THREAD}
    settings = {name: settings[name] for name in args.settings} if args.settings else settings
    workers = {name: subprocess.Popen(
        [sys.executable, __file__, "--worker", "--runs", str(args.runs)],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO), **env})
        for name, env in settings.items()}
    rows = []
    for name, process in workers.items():
        output, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"the {name} worker failed (exit {process.returncode})")
        results = _results(output)
        steps = sorted({int(r) for _, r in results if r != "same"})
        resumed = [r for run, r in results if run % 2]
        straight = [r for run, r in results if not run % 2]
        rows.append(f"| {name} | {len(results)} | {sum(r != 'same' for _, r in results)} | "
                    f"{sum(r != 'same' for r in straight)} of {len(straight)} | "
                    f"{sum(r != 'same' for r in resumed)} of {len(resumed)} | "
                    f"{', '.join(map(str, steps)) or '-'} |")
    chosen = "".join(f' "{name}"' for name in settings) if args.settings else ""
    if chosen:
        chosen = " --settings" + chosen
    from benchmarks.docs_section import machine_description

    text = "\n".join([
        START,
        "## Run to run: do two runs of one command agree to the last bit?",
        "",
        "Produced by `python benchmarks/run_to_run.py "
        f"--runs {args.runs}{chosen}`. A small `progan` (16x16 digits, `max_filters=4`, 14 steps "
        "of batch 8, through the fade-in of 8x8) trained again and again in one process; "
        "each run's weights and optimizer moments after every step compared with the first "
        "run's; every other run interrupted after step 10 and resumed. The settings "
        "ran side by side.",
        "",
        "| TensorFlow's CPU kernels | runs compared | differ in some bit | of them "
        "uninterrupted | of them resumed | from step |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        "A run that differs agrees bit for bit up to that step, then rounds a value "
        "differently, and Adam (beta1 = 0) carries the bit into weights 0.01-1 apart by "
        "step 14. The resume is not the cause (it restores every variable): uninterrupted "
        "runs differ too. The differences are rare enough that a hundred runs cannot tell "
        "the settings apart with confidence; the tests that compare two runs' weights take "
        "both suspects out, one thread and no oneDNN (`tests/helpers.py`, "
        "`REPRODUCIBLE_TF_ENV`).",
        "",
        f"Machine: {machine_description()}.",
        END,
    ])
    print(text)
    if not args.no_write:
        from benchmarks.docs_section import write_section

        write_section(REPO / "docs" / "benchmarks.md", text, START, END)


if __name__ == "__main__":
    main()
