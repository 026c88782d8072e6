"""DCGAN training throughput: the genzoo trainer versus a minimal hand-written loop.

Measures images/second of ``dcgan`` training (default preset: 32x32x1 digits,
base_filters 32, latent_dim 100, batch 64) two ways, on the same networks,
batch, data pipeline and machine, with and without XLA:

* **genzoo**: the real trainer, ``resolve_plan("dcgan", ...)`` then
  ``trainer.train(plan, verbose=0, on_step=...)`` in a fresh run directory;
* **hand-written**: ``dcgan_generator`` / ``dcgan_discriminator``, two Adam
  optimizers and one ``@tf.function(jit_compile=xla)`` step (D update, then G
  update on fresh ``tf.random.normal`` noise, ``tf.reduce_mean`` of the same
  per-example losses), fed by ``open_source("digits").batches(B, epoch=e)``
  in a plain Python ``for batch in ds: step(batch)`` loop.

Every (configuration, repeat) runs in a fresh subprocess (this script
re-invoked with ``--worker CONFIG``), so XLA caches, the dtype policy and graph
state never leak between configurations and peak RSS is per configuration.
Repeats are interleaved (A B C D, A B C D, ...) so that drift on a shared
machine hits every configuration alike; the table reports the median.

Both paths time themselves the same way: a timestamp after every step.
``steady-state`` divides the images of the timed steps by the sum of their
step-to-step intervals, leaving out the first step of each data epoch (for
genzoo that interval also holds the previous epoch's checkpoint, sample grid,
history and TensorBoard writes; for both it holds the new epoch's iterator
set-up). ``end-to-end`` is the wall time between two epoch boundaries, so it
holds whole epochs including all of that work. The 0.95x target applies to
steady-state.

    python benchmarks/throughput.py              # full run, writes docs/benchmarks.md
    python benchmarks/throughput.py --quick --no-write   # smoke run

The table goes to stdout and, unless ``--no-write``, into the section of
``docs/benchmarks.md`` between ``<!-- throughput:start -->`` and
``<!-- throughput:end -->`` (other sections of that file are left alone).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pathlib
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

# run as `python benchmarks/<script>.py`, so this folder is on sys.path
from docs_section import write_section  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
START_MARKER = "<!-- throughput:start -->"
END_MARKER = "<!-- throughput:end -->"

MODEL = "dcgan"
DATASET = "digits"
#: configuration name -> (path, xla)
CONFIGS = {
    "genzoo": ("genzoo", False),
    "hand": ("hand", False),
    "genzoo-xla": ("genzoo", True),
    "hand-xla": ("hand", True),
}
LABELS = {"genzoo": "genzoo trainer", "hand": "hand-written loop"}
TARGET_RATIO = 0.95

FULL = {"steps": 300, "warmup": 30, "repeats": 3}
#: quick: just long enough to hold one whole epoch (25 steps at batch 64) in the window
QUICK = {"steps": 45, "warmup": 5, "repeats": 1}


# ============================================================== measurement
def summarize(stamps, *, warmup, steps, steps_per_epoch, batch_size):
    """Throughput figures from ``stamps`` = {step: perf_counter after that step}.

    Steps ``warmup + 1 .. warmup + steps`` are timed; step ``s``'s interval is
    ``stamps[s] - stamps[s - 1]``.
    """
    total = warmup + steps
    missing = [s for s in range(warmup, total + 1) if s > 0 and s not in stamps]
    if missing:
        raise RuntimeError(f"no timestamp for steps {missing[:5]}...")
    steady, boundary = [], []
    for s in range(warmup + 1, total + 1):
        interval = stamps[s] - stamps[s - 1]
        # first step of an epoch: epoch-end work of the last one + new iterator
        (boundary if (s - 1) % steps_per_epoch == 0 else steady).append(interval)
    out = {
        "steady_images_per_second": batch_size * len(steady) / sum(steady),
        "steady_steps": len(steady),
        "step_ms_median": 1e3 * statistics.median(steady),
        "window_images_per_second": batch_size * steps / (stamps[total] - stamps[warmup]),
        "epoch_boundaries_in_window": len(boundary),
        # extra time of an epoch's first step over an ordinary step
        "epoch_boundary_ms": (1e3 * (statistics.mean(boundary) - statistics.mean(steady))
                              if boundary else None),
    }
    first = math.ceil(warmup / steps_per_epoch) * steps_per_epoch
    last = (total // steps_per_epoch) * steps_per_epoch
    if last > first:
        out["end_to_end_images_per_second"] = (
            batch_size * (last - first) / (stamps[last] - stamps[first]))
        out["end_to_end_steps"] = last - first
    else:
        out["end_to_end_images_per_second"] = None
        out["end_to_end_steps"] = 0
    return out


def worker(config: str, args) -> dict:
    """Run one configuration in this (fresh) process and return its figures."""
    path, xla = CONFIGS[config]
    import keras
    import tensorflow as tf

    from keras_genzoo.data import open_source
    from keras_genzoo.training import run as run_lib

    batch_size, total = args.batch_size, args.warmup + args.steps
    stamps: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="genzoo-throughput-") as tmp:
        plan = run_lib.resolve_plan(MODEL, out_dir=str(pathlib.Path(tmp) / "run"),
                                    steps=total, batch_size=batch_size, xla=xla,
                                    dataset=DATASET)
        c = plan.config
        source = open_source(DATASET, image_size=c["image_size"], channels=c["channels"])
        steps_per_epoch = source.steps_per_epoch(batch_size)
        extra = {}
        # from here on both paths do their own set-up: model, data pipeline, tracing
        setup_start = time.perf_counter()
        if path == "genzoo":
            from keras_genzoo.training import trainer

            def on_step(step):
                stamps[step] = time.perf_counter()

            result = trainer.train(plan, verbose=0, on_step=on_step)
            if result.steps != total:
                raise RuntimeError(f"trainer stopped at step {result.steps}, asked {total}")
            extra["trainer_images_per_second"] = result.images_per_second
        else:
            stamps = hand_written_loop(plan, source, total=total, sync_at=(args.warmup, total))
        setup_seconds = stamps[1] - setup_start

    figures = summarize(stamps, warmup=args.warmup, steps=args.steps,
                        steps_per_epoch=steps_per_epoch, batch_size=batch_size)
    figures.update(extra)
    figures.update(
        config=config,
        path=path,
        xla=xla,
        model_config=c,
        steps_per_epoch=steps_per_epoch,
        first_step_seconds=setup_seconds,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        versions={"tensorflow": tf.__version__, "keras": keras.__version__,
                  "python": platform.python_version()},
        gpus=[d.name for d in tf.config.list_physical_devices("GPU")],
    )
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        info = tf.config.experimental.get_memory_info(gpus[0].name)
        figures["peak_gpu_memory_mb"] = info["peak"] / 2**20
    return figures


def hand_written_loop(plan, source, *, total: int, sync_at) -> dict[int, float]:
    """The minimal loop genzoo is compared with; returns {step: time after it}.

    No per-step host synchronisation (a minimal loop has none). The outputs are
    fetched at the steps in ``sync_at`` (the timed window starts and ends with
    the device idle) and at the last step of every epoch, so that on an
    asynchronous device (GPU) the queued work lands in an ordinary step's
    interval, not in the next epoch's first one that ``summarize`` leaves out.
    """
    import keras
    import tensorflow as tf

    from keras_genzoo.losses.adversarial import (
        discriminator_logistic_loss,
        generator_non_saturating_loss,
    )
    from keras_genzoo.networks.convolutional import dcgan_discriminator, dcgan_generator

    c, settings = plan.config, plan.settings
    keras.utils.set_random_seed(settings.seed)
    latent_dim = c["latent_dim"]
    generator = dcgan_generator(latent_dim, c["image_size"], c["channels"], c["base_filters"])
    discriminator = dcgan_discriminator(c["image_size"], c["channels"], c["base_filters"])
    g_opt = keras.optimizers.Adam(c["generator_lr"], beta_1=c["beta_1"], beta_2=c["beta_2"])
    d_opt = keras.optimizers.Adam(c["discriminator_lr"], beta_1=c["beta_1"],
                                  beta_2=c["beta_2"])
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)

    @tf.function(jit_compile=settings.xla)
    def step(batch):
        images, _ = batch
        real = images * 2.0 - 1.0
        n = tf.shape(real)[0]
        z = tf.random.normal([n, latent_dim])
        with tf.GradientTape() as tape:
            fake = generator(z, training=True)
            d_loss = tf.reduce_mean(discriminator_logistic_loss(
                discriminator(real, training=True), discriminator(fake, training=True)))
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_opt.apply_gradients(zip(grads, discriminator.trainable_variables))

        z = tf.random.normal([n, latent_dim])
        with tf.GradientTape() as tape:
            g_loss = tf.reduce_mean(generator_non_saturating_loss(
                discriminator(generator(z, training=True), training=True)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_opt.apply_gradients(zip(grads, generator.trainable_variables))
        return d_loss, g_loss

    steps_per_epoch = source.steps_per_epoch(settings.batch_size)
    stamps, done, epoch = {}, 0, 0
    while done < total:
        for batch in source.batches(settings.batch_size, epoch=epoch, seed=settings.seed):
            d_loss, g_loss = step(batch)
            done += 1
            if done in sync_at or done % steps_per_epoch == 0:
                d_loss.numpy(), g_loss.numpy()
            stamps[done] = time.perf_counter()
            if done == total:
                break
        epoch += 1
    return stamps


# ============================================================ orchestration
def run_worker(config: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="throughput-result-") as tmp:
        result_file = pathlib.Path(tmp) / "result.json"
        command = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker", config,
                   "--result-file", str(result_file), "--steps", str(args.steps),
                   "--warmup", str(args.warmup), "--batch-size", str(args.batch_size)]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        started = time.perf_counter()
        proc = subprocess.run(command, env=env, cwd=str(REPO), capture_output=True, text=True)
        if proc.returncode != 0 or not result_file.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-25:])
            raise RuntimeError(f"worker {config} failed (exit {proc.returncode}):\n{tail}")
        result = json.loads(result_file.read_text())
        result["worker_seconds"] = time.perf_counter() - started
        return result


def machine_description(worker_result: dict | None) -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as handle:
            models = [line.split(":", 1)[1].strip() for line in handle
                      if line.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor() or "unknown"
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    info["cpu_count"] = os.cpu_count()
    try:
        info["cpu_affinity"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["cpu_affinity"] = None
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = int(line.split()[1]) / 2**20
                    break
    except OSError:
        pass
    if worker_result:
        info.update(tensorflow=worker_result["versions"]["tensorflow"],
                    keras=worker_result["versions"]["keras"],
                    gpus=worker_result["gpus"])
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        info["load_average"] = None
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return info


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(results: dict[str, list[dict]]) -> dict[str, dict]:
    table = {}
    for config, runs in results.items():
        steady = [r["steady_images_per_second"] for r in runs]
        table[config] = {
            "steady": _median(steady),
            "steady_min": min(steady),
            "steady_max": max(steady),
            "end_to_end": _median([r["end_to_end_images_per_second"] for r in runs]),
            "trainer": _median([r.get("trainer_images_per_second") for r in runs]),
            "step_ms": _median([r["step_ms_median"] for r in runs]),
            "epoch_boundary_ms": _median([r["epoch_boundary_ms"] for r in runs]),
            "first_step_seconds": _median([r["first_step_seconds"] for r in runs]),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "peak_gpu_memory_mb": _median([r.get("peak_gpu_memory_mb") for r in runs]),
            "repeats": len(runs),
        }
    return table


def ratios(table: dict[str, dict]) -> dict[bool, dict]:
    out = {}
    for xla in (False, True):
        suffix = "-xla" if xla else ""
        genzoo, hand = table.get("genzoo" + suffix), table.get("hand" + suffix)
        if genzoo and hand:
            out[xla] = {
                "steady": genzoo["steady"] / hand["steady"],
                "end_to_end": (genzoo["end_to_end"] / hand["end_to_end"]
                               if genzoo["end_to_end"] and hand["end_to_end"] else None),
            }
    return out


def _fmt(value, spec=".0f", none="n/a"):
    return none if value is None else format(value, spec)


def render_table(table, rates) -> str:
    gpu = any(row["peak_gpu_memory_mb"] is not None for row in table.values())
    header = ["configuration", "XLA", "steady-state img/s", "step ms (median)",
              "end-to-end img/s", "epoch-end cost ms/epoch", "trainer-reported img/s",
              "time to first step s", "peak RSS MB"] + (["peak GPU MB"] if gpu else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for xla in (False, True):
        for path in ("genzoo", "hand"):
            config = path + ("-xla" if xla else "")
            row = table.get(config)
            if row is None:
                continue
            steady = _fmt(row["steady"])
            if row["repeats"] > 1:
                steady += f" ({row['steady_min']:.0f}-{row['steady_max']:.0f})"
            cells = [LABELS[path], "on" if xla else "off", steady, _fmt(row["step_ms"], ".1f"),
                     _fmt(row["end_to_end"]), _fmt(row["epoch_boundary_ms"], ".0f"),
                     _fmt(row["trainer"], ".0f", "-"), _fmt(row["first_step_seconds"], ".1f"),
                     _fmt(row["peak_rss_mb"])]
            if gpu:
                cells.append(_fmt(row["peak_gpu_memory_mb"]))
            lines.append("| " + " | ".join(cells) + " |")
        if xla in rates:
            r = rates[xla]
            cells = ["**genzoo / hand**", "on" if xla else "off", f"**{r['steady']:.2f}x**", "",
                     _fmt(r["end_to_end"], ".2f") + ("x" if r["end_to_end"] else ""),
                     "", "", "", ""] + ([""] if gpu else [])
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reading(rates, args) -> str:
    if not rates:
        return "Only one path was measured, so there is no genzoo / hand-written ratio."
    parts = []
    for xla in (False, True):
        if xla in rates:
            parts.append(f"{rates[xla]['steady']:.2f}x the hand-written loop "
                         f"{'with' if xla else 'without'} XLA")
    met = all(r["steady"] >= TARGET_RATIO for r in rates.values())
    target = (f"the target of >= {TARGET_RATIO:.2f}x (overhead <= "
              f"{100 * (1 - TARGET_RATIO):.0f}%)")
    if args.quick:
        verdict = (f"{target} would be {'met' if met else 'missed'}, but a quick run is too "
                   "short and noisy to judge it")
    else:
        verdict = f"{target} is {'met' if met else 'NOT met'}"
    text = (f"In steady-state steps genzoo is {' and '.join(parts)} (median of "
            f"{args.repeats} run{'s' if args.repeats != 1 else ''} of {args.steps} timed steps "
            f"at batch {args.batch_size}); {verdict}.")
    e2e = [f"{r['end_to_end']:.2f}x {'with' if xla else 'without'} XLA"
           for xla, r in rates.items() if r["end_to_end"]]
    if e2e:
        text += (" Counting whole epochs, including genzoo's per-epoch checkpoint, sample grid, "
                 f"history and TensorBoard writes, it is {' and '.join(e2e)}.")
    return text


def describe_config(c: dict) -> str:
    return (f"{c['image_size']}x{c['image_size']}x{c['channels']}, base_filters "
            f"{c['base_filters']}, latent_dim {c['latent_dim']}")


def _load_note(machine) -> str:
    start, end = machine.get("load_average_at_start"), machine.get("load_average")
    if not start or not end:
        return ""
    # other work on the machine shows up as noise: say how busy it was
    return f"; 1-min load average {start[0]:.1f} at start, {end[0]:.1f} at end"


def render_section(table, rates, machine, args, command, model_config) -> str:
    gpus = ", ".join(machine.get("gpus") or []) or "none"
    affinity = machine.get("cpu_affinity")
    memory = machine.get("memory_gib")
    lines = [
        START_MARKER,
        "## Training throughput: genzoo trainer vs a hand-written loop",
        "",
        f"Produced by `{command}` on {machine['date']}"
        + (" (**quick smoke run: too short to be representative**)" if args.quick else "")
        + ". Regenerate it with the same command; only this section is rewritten.",
        "",
        f"- Machine: {machine['cpu']}, {machine['cpu_count']} CPUs"
        + (f" ({affinity} usable by this process)" if affinity is not None else "")
        + (f", {memory:.1f} GiB memory" if memory else "") + f"; GPUs: {gpus}"
        + _load_note(machine),
        f"- Software: {machine['platform']}, Python {machine['python']}, "
        f"TensorFlow {machine.get('tensorflow', '?')}, Keras {machine.get('keras', '?')}",
        f"- Workload: `{MODEL}` default preset ({DATASET}, "
        f"{describe_config(model_config)}), batch {args.batch_size}, {args.warmup} warm-up + "
        f"{args.steps} timed steps per run, {args.repeats} run(s) per configuration, "
        "each in a fresh process, interleaved; medians shown (min-max in brackets).",
        "",
        render_table(table, rates),
        "",
        reading(rates, args),
        "",
        "What each number includes:",
        "",
        "- **steady-state img/s**: images of the timed steps divided by the sum of their "
        "step-to-step intervals (a timestamp after every step: genzoo's `on_step` callback, "
        "the hand loop after each `step(batch)` call), leaving out the first step of each "
        "data epoch. For genzoo a step is everything its loop does per batch: "
        "`strategy.run(train_step)`, metric trackers, the progress-bar bookkeeping (logs "
        "are read back to the host only when the bar is drawn, at most every 0.2 s, and "
        "at each epoch end) and the `on_step` call. The hand loop reads its losses back "
        "only at the last step of each epoch. This is the figure the 0.95x target applies "
        "to. Both loops do the same work per step, so on this shared 2-core machine a "
        "ratio above 1 is run-to-run noise (see the overlapping min-max ranges) plus "
        "second-order differences such as genzoo's stateless noise op against the hand "
        "loop's stateful `tf.random.normal`; it does not mean the trainer adds negative "
        "overhead.",
        "- **end-to-end img/s**: wall time between the first and the last epoch boundary "
        "inside the run, so whole epochs: for genzoo including the per-epoch checkpoint, "
        "sample grid (PNG + TensorBoard image), `history.csv` and scalars; for both, the "
        "per-epoch rebuild of the shuffled `tf.data` iterator.",
        "- **epoch-end cost**: how much longer the first step of an epoch takes than an "
        "ordinary step (the work listed above, per epoch).",
        "- **trainer-reported img/s**: `TrainResult.images_per_second`, genzoo's own figure: "
        "the timed steps of every epoch except each epoch's first step (which holds the "
        "tracing, XLA compilation and iterator start), without the epoch-end writes; it "
        "covers the whole run including the warm-up steps.",
        "- **time to first step**: from building the plan to the end of step 1: data set-up, "
        "model building, tracing and XLA compilation.",
        "- **peak RSS**: `ru_maxrss` of the worker process (max over runs).",
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, help=f"timed steps per run (default {FULL['steps']})")
    parser.add_argument("--warmup", type=int,
                        help=f"untimed steps before them (default {FULL['warmup']})")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int,
                        help=f"runs per configuration, median reported (default {FULL['repeats']})")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: defaults become {QUICK}")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated subset of " + ", ".join(CONFIGS))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--output", type=pathlib.Path, default=DEFAULT_OUTPUT,
                        help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--json", type=pathlib.Path, help="also dump every run's raw figures here")
    parser.add_argument("--worker", choices=list(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.steps < 2 or args.warmup < 1 or args.repeats < 1 or args.batch_size < 1:
        parser.error("need --steps >= 2, --warmup >= 1, --repeats >= 1, --batch-size >= 1")
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = set(args.configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs {sorted(unknown)}; valid: {', '.join(CONFIGS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        args.result_file.write_text(json.dumps(worker(args.worker, args)))
        return 0

    argv = sys.argv[1:] if argv is None else list(argv)
    if "--json" in argv:  # where the raw dump went does not change the results
        del argv[argv.index("--json"):argv.index("--json") + 2]
    argv = [a for a in argv if not a.startswith("--json=")]
    command = "python benchmarks/throughput.py" + "".join(" " + shlex.quote(a) for a in argv)
    print(f"{MODEL} throughput: batch {args.batch_size}, {args.warmup} warm-up + {args.steps} "
          f"timed steps, {args.repeats} repeat(s), configs {', '.join(args.configs)}", flush=True)
    load_at_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    results: dict[str, list[dict]] = {c: [] for c in args.configs}
    started = time.perf_counter()
    for repeat in range(args.repeats):
        for config in args.configs:
            try:
                r = run_worker(config, args)
            except RuntimeError as error:
                print(error, file=sys.stderr)
                return 1
            results[config].append(r)
            e2e = _fmt(r["end_to_end_images_per_second"])
            print(f"  [{repeat + 1}/{args.repeats}] {config:11s} steady {r['steady_images_per_second']:7.0f} "
                  f"img/s  end-to-end {e2e:>5} img/s  step {r['step_ms_median']:.1f} ms  "
                  f"first step {r['first_step_seconds']:.1f} s  RSS {r['peak_rss_mb']:.0f} MB  "
                  f"({r['worker_seconds']:.0f} s)", flush=True)
    print(f"total {time.perf_counter() - started:.0f} s\n")

    first = next(iter(results.values()))[0]
    machine = machine_description(first)
    machine["load_average_at_start"] = load_at_start
    table = aggregate(results)
    rates = ratios(table)
    print(render_table(table, rates))
    print()
    print(reading(rates, args))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "args": vars(args) | {
            "output": str(args.output), "json": str(args.json), "result_file": None},
            "runs": results}, indent=2, default=str))
    if not args.no_write:
        section = render_section(table, rates, machine, args, command, first["model_config"])
        write_section(args.output, section, START_MARKER, END_MARKER)
        print(f"\nwrote the throughput section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
