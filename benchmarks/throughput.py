"""Training throughput across the zoo: genzoo's trainer against a minimal
hand-written loop, with and without XLA, with a constant batch instead of the
data pipeline, and under MirroredStrategy on one and on two logical CPU devices.

For every registered model (default preset, embedded data) each configuration
below runs in a fresh subprocess (this script re-invoked with ``--worker``), so
XLA caches, the dtype policy, the logical-device split and graph state never
leak between configurations and peak RSS is per configuration:

* ``genzoo``: the real trainer, ``resolve_plan(model, ...)`` then
  ``trainer.train(plan, verbose=0, on_step=...)`` in a fresh run directory;
* ``genzoo-xla``: the same with ``--xla`` (``jit_compile=True`` on the step);
* ``hand``: ``benchmarks/hand_loops.py``: the same networks (built by genzoo),
  fresh optimizers with the same settings, the same loss functions, written as
  one plain ``@tf.function`` step in a ``for batch in ds: step(batch)`` loop (no
  strategy, no metric trackers, no diagnostics, no per-step host sync);
* ``constant``: the genzoo trainer fed ONE batch over and over (a cached
  ``Dataset.from_tensors(batch).repeat()``), so that ``genzoo / constant``
  shows whether a step ever waits on the input pipeline;
* ``mirrored-1`` / ``mirrored-2``: the trainer with ``--strategy mirrored``
  after splitting the host CPU into one or two logical devices.

Progressive models (progan, stylegan) are timed at their final resolution:
their growth is squeezed into the warm-up (``fade_images=0``,
``stable_images`` = one batch), and the hand loop starts from the fully grown
networks.

Timing (``summarize``): a timestamp after every step; ``steady-state`` divides
the images of the timed steps by the sum of their step-to-step intervals,
leaving out the first step of each data epoch (for genzoo that interval also
holds the previous epoch's checkpoint, sample grid, history and TensorBoard
writes; for both it holds the new epoch's iterator set-up). A step's images
are all the real images it consumes (``batch x d_steps`` for the critics that
take one real batch per update). The 0.95x target applies to steady-state.

    python benchmarks/throughput.py                   # all models, writes docs/benchmarks.md
    python benchmarks/throughput.py --models dcgan,vae --no-write
    python benchmarks/throughput.py --quick --no-write  # smoke run

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

#: configuration -> (path, xla, logical CPU devices for mirrored or None)
CONFIGS = {
    "genzoo": ("genzoo", False, None),
    "hand": ("hand", False, None),
    "genzoo-xla": ("genzoo", True, None),
    "constant": ("constant", False, None),
    "mirrored-1": ("genzoo", False, 1),
    "mirrored-2": ("genzoo", False, 2),
}
#: the pair the target compares, repeated --repeats times; the rest --other-repeats times
PAIRED = ("genzoo", "hand")
TARGET_RATIO = 0.95
#: timed steps per run, by model: about 3-8 s of steps on a 2-core machine
TIMED_STEPS = {"progan": 30, "stylegan": 30, "wgan-gp": 40, "wgan": 60, "dcgan": 100,
               "contractive-ae": 100, "classifier": 150}
DEFAULT_TIMED_STEPS = 150
WARMUP = 10
QUICK = {"steps": 12, "warmup": 6, "repeats": 1, "other_repeats": 1}


def model_overrides(model_name: str, batch_size: int) -> dict[str, str]:
    """``--set`` values that make a progressive model reach its final resolution
    within the warm-up: no fade, one batch of stabilization per phase."""
    if model_name in ("progan", "stylegan"):
        return {"fade_images": "0", "stable_images": str(batch_size)}
    return {}


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


def _split_cpu(devices: int | None) -> None:
    """Before TensorFlow starts: ``devices`` logical CPU devices (mirrored runs)."""
    if devices is None:
        return
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * devices)


class ConstantBatches:
    """A source whose every batch is the first batch of ``source`` (the input
    pipeline taken out of the measurement); everything else is forwarded."""

    def __init__(self, source):
        self._source = source

    def __getattr__(self, name):
        return getattr(self._source, name)

    def batches(self, batch_size, **kwargs):
        import tensorflow as tf

        first = next(iter(self._source.batches(batch_size, **kwargs)))
        return tf.data.Dataset.from_tensors(first).repeat().prefetch(2)


def worker(model_name: str, config: str, args) -> dict:
    """Run one (model, configuration) in this fresh process; return its figures."""
    path, xla, devices = CONFIGS[config]
    _split_cpu(devices)
    import keras
    import tensorflow as tf

    from keras_genzoo.training import plan as plan_lib

    total = args.warmup + args.steps
    stamps: dict[int, float] = {}
    extra = {}
    with tempfile.TemporaryDirectory(prefix="genzoo-throughput-") as tmp:
        out = str(pathlib.Path(tmp) / "run")
        batch_size = plan_lib.resolve_plan(model_name, out_dir=out, steps=1).settings.batch_size
        overrides = model_overrides(model_name, batch_size)
        setup_start = time.perf_counter()
        if path == "hand":
            from hand_loops import make_hand_step, prepare_benchmark_model

            plan, model, source = prepare_benchmark_model(
                model_name, batch_size=batch_size, xla=xla, out_dir=out, overrides=overrides)
            step_batch = batch_size * model.real_batches_per_step()
            stamps = hand_written_loop(make_hand_step(model, xla=xla), source, plan,
                                       step_batch=step_batch, total=total,
                                       sync_at=(args.warmup, total))
        else:
            from keras_genzoo.training import trainer

            plan = plan_lib.resolve_plan(
                model_name, out_dir=out, steps=total, batch_size=batch_size, xla=xla,
                overrides=overrides, strategy="mirrored" if devices else "default")
            if path == "constant":  # the trainer opens its data through this function
                opener = plan_lib.open_training_source
                plan_lib.open_training_source = lambda plan: ConstantBatches(opener(plan))
            built = {}
            original_build = trainer.runs.build_model

            def keep(*a, **k):
                built["model"] = original_build(*a, **k)
                return built["model"]

            trainer.runs.build_model = keep

            def on_step(step):
                stamps[step] = time.perf_counter()

            result = trainer.train(plan, verbose=0, on_step=on_step)
            if result.steps != total:
                raise RuntimeError(f"trainer stopped at step {result.steps}, asked {total}")
            extra["trainer_images_per_second"] = result.images_per_second
            extra["strategy"] = result.strategy
            step_batch = batch_size * built["model"].real_batches_per_step()
            source = plan_lib.open_training_source(plan)
        steps_per_epoch = source.steps_per_epoch(step_batch)
        setup_seconds = stamps[1] - setup_start

    figures = summarize(stamps, warmup=args.warmup, steps=args.steps,
                        steps_per_epoch=steps_per_epoch, batch_size=step_batch)
    figures.update(extra)
    figures.update(
        model=model_name, config=config, path=path, xla=xla, devices=devices,
        batch_size=batch_size, step_batch=step_batch, steps_per_epoch=steps_per_epoch,
        image_size=plan.config.get("image_size"), dataset=plan.settings.dataset,
        first_step_seconds=setup_seconds,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        versions={"tensorflow": tf.__version__, "keras": keras.__version__,
                  "python": platform.python_version()},
        gpus=[d.name for d in tf.config.list_physical_devices("GPU")],
    )
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        figures["peak_gpu_memory_mb"] = tf.config.experimental.get_memory_info(
            gpus[0].name)["peak"] / 2**20
    return figures


def hand_written_loop(step, source, plan, *, step_batch: int, total: int,
                      sync_at) -> dict[int, float]:
    """The minimal loop genzoo is compared with; returns {step: time after it}.

    No per-step host synchronisation (a minimal loop has none). The outputs are
    fetched at the steps in ``sync_at`` (the timed window starts and ends with
    the device idle) and at the last step of every epoch, so that on an
    asynchronous device (GPU) the queued work lands in an ordinary step's
    interval, not in the next epoch's first one that ``summarize`` leaves out.
    """
    import tensorflow as tf

    steps_per_epoch = source.steps_per_epoch(step_batch)
    stamps, done, epoch = {}, 0, 0
    while done < total:
        for batch in source.batches(step_batch, epoch=epoch, seed=plan.settings.seed):
            outputs = step(batch)
            done += 1
            if done in sync_at or done % steps_per_epoch == 0:
                tf.nest.map_structure(lambda t: t.numpy(), outputs)
            stamps[done] = time.perf_counter()
            if done == total:
                break
        epoch += 1
    return stamps


def breakdown(model_name: str, rounds: int = 25) -> dict[str, float]:
    """Where genzoo's per-step cost over the hand-written loop goes, in ONE process.

    Median step interval (ms) of one data epoch, over ``rounds`` interleaved
    rounds, for: the hand step on a plain ``tf.data`` iterator; genzoo's step
    function (``trainer.make_train_function``: ``strategy.run(train_step)``,
    metric trackers, diagnostics, reduced logs) on the same plain iterator; and
    genzoo's step on the distributed iterator the trainer uses. Differences
    between the first two are in-graph work; between the last two, the input
    iterator. (Slow runs across processes add noise of their own: this is the
    resolution the per-process table cannot give for sub-millisecond steps.)
    """
    from hand_loops import make_hand_step, prepare_benchmark_model
    import tensorflow as tf

    from keras_genzoo.training import plan as plan_lib
    from keras_genzoo.training import trainer

    with tempfile.TemporaryDirectory(prefix="genzoo-breakdown-") as tmp:
        batch_size = plan_lib.resolve_plan(model_name, out_dir=tmp, steps=1).settings.batch_size
        plan, model, source = prepare_benchmark_model(
            model_name, batch_size=batch_size, out_dir=tmp,
            overrides=model_overrides(model_name, batch_size))
    step_batch = batch_size * model.real_batches_per_step()
    strategy = tf.distribute.get_strategy()
    steps = source.steps_per_epoch(step_batch)

    def plain():
        return source.batches(step_batch, epoch=0, seed=0)

    def distributed():
        return strategy.experimental_distribute_dataset(
            trainer._epoch_pipeline_options(source.batches(step_batch, epoch=0, seed=0).take(steps)))

    genzoo_step = trainer.make_train_function(model, strategy, xla=False)
    cases = {"hand step, plain iterator": (make_hand_step(model, xla=False), plain),
             "genzoo step, plain iterator": (genzoo_step, plain),
             "genzoo step, distributed iterator": (genzoo_step, distributed)}
    medians = {name: [] for name in cases}
    for function, make in cases.values():  # trace
        for batch in make():
            function(batch)
    for _ in range(rounds):
        for name, (function, make) in cases.items():
            stamps = []
            for batch in make():
                function(batch)
                stamps.append(time.perf_counter())
            intervals = [b - a for a, b in zip(stamps[1:], stamps[2:])]  # after the first
            medians[name].append(statistics.median(intervals) * 1e3)
    return {name: statistics.median(values) for name, values in medians.items()}


# ============================================================ orchestration
def run_worker(model_name: str, config: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="throughput-result-") as tmp:
        result_file = pathlib.Path(tmp) / "result.json"
        command = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker", config,
                   "--models", model_name, "--result-file", str(result_file),
                   "--steps", str(args.steps), "--warmup", str(args.warmup)]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        started = time.perf_counter()
        proc = subprocess.run(command, env=env, cwd=str(REPO), capture_output=True, text=True)
        if proc.returncode != 0 or not result_file.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-25:])
            raise RuntimeError(f"worker {model_name}/{config} failed (exit {proc.returncode}):"
                               f"\n{tail}")
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


def _fmt(value, spec=".0f", none="n/a"):
    return none if value is None else format(value, spec)


def _load_note(machine) -> str:
    start, end = machine.get("load_average_at_start"), machine.get("load_average")
    if not start or not end:
        return ""
    # other work on the machine shows up as noise: say how busy it was
    return f"; 1-min load average {start[0]:.1f} at start, {end[0]:.1f} at end"


def aggregate(results: dict[str, dict[str, list[dict]]]) -> dict[str, dict]:
    """{model: {config: {steady, min, max, rss, ...}}} from every run's figures."""
    table = {}
    for model, per_config in results.items():
        rows = {}
        for config, runs in per_config.items():
            if not runs:
                continue
            steady = [r["steady_images_per_second"] for r in runs]
            rows[config] = {
                "steady": _median(steady), "steady_min": min(steady), "steady_max": max(steady),
                "trainer": _median([r.get("trainer_images_per_second") for r in runs]),
                "first_step_seconds": _median([r["first_step_seconds"] for r in runs]),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "peak_gpu_memory_mb": _median([r.get("peak_gpu_memory_mb") for r in runs]),
                "strategy": runs[0].get("strategy"),
                "repeats": len(runs),
            }
        first = next(iter(per_config.values()))[0]
        rows["_info"] = {"image_size": first.get("image_size"), "dataset": first["dataset"],
                         "batch_size": first["batch_size"], "step_batch": first["step_batch"],
                         "steps": first["steady_steps"]}
        table[model] = rows
    return table


def _ratio(rows, a, b):
    if a in rows and b in rows and rows[b]["steady"]:
        return rows[a]["steady"] / rows[b]["steady"]
    return None


def _cell(rows, config):
    row = rows.get(config)
    if row is None:
        return "-"
    text = f"{row['steady']:.0f}"
    if row["repeats"] > 1:
        text += f" ({row['steady_min']:.0f}-{row['steady_max']:.0f})"
    return text


def render_table(table) -> str:
    gpu = any(r.get("peak_gpu_memory_mb") for rows in table.values()
              for k, r in rows.items() if k != "_info")
    header = ["model", "images/step", "genzoo img/s", "hand-written img/s", "genzoo / hand",
              "--xla img/s", "xla / genzoo", "constant batch img/s", "data / constant",
              "mirrored 1 CPU", "mirrored 2 CPUs", "2 / 1", "peak RSS MB (genzoo)"]
    if gpu:
        header.append("peak GPU MB")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for model, rows in table.items():
        info = rows["_info"]
        ratios = [_ratio(rows, "genzoo", "hand"), _ratio(rows, "genzoo-xla", "genzoo"),
                  _ratio(rows, "genzoo", "constant"), _ratio(rows, "mirrored-2", "mirrored-1")]
        ratio_text = [_fmt(r, ".2f") + ("x" if r is not None else "") for r in ratios]
        if ratios[0] is not None:
            ratio_text[0] = f"**{ratio_text[0]}**"
        rss = rows.get("genzoo", {}).get("peak_rss_mb")
        cells = [model, str(info["step_batch"]), _cell(rows, "genzoo"), _cell(rows, "hand"),
                 ratio_text[0], _cell(rows, "genzoo-xla"), ratio_text[1],
                 _cell(rows, "constant"), ratio_text[2], _cell(rows, "mirrored-1"),
                 _cell(rows, "mirrored-2"), ratio_text[3], _fmt(rss)]
        if gpu:
            cells.append(_fmt(rows.get("genzoo", {}).get("peak_gpu_memory_mb")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reading(table, args) -> str:
    """The verdicts, computed from the numbers (nothing hard-coded)."""
    genzoo_hand = {m: _ratio(rows, "genzoo", "hand") for m, rows in table.items()}
    measured = {m: r for m, r in genzoo_hand.items() if r is not None}
    if not measured:
        return "The hand-written loop was not measured, so there is no genzoo / hand ratio."
    below = {m: r for m, r in measured.items() if r < TARGET_RATIO}
    quick = " (a quick run is too short and noisy to judge it)" if args.quick else ""
    parts = [f"genzoo / hand-written ranges from {min(measured.values()):.2f}x to "
             f"{max(measured.values()):.2f}x over {len(measured)} models "
             f"(median {statistics.median(measured.values()):.2f}x)."]
    if below:
        parts.append(f"The target of >= {TARGET_RATIO:.2f}x is NOT met for "
                     + ", ".join(f"{m} ({r:.2f}x)" for m, r in sorted(below.items()))
                     + f"{quick}; it is met for the other {len(measured) - len(below)}.")
    else:
        parts.append(f"The target of >= {TARGET_RATIO:.2f}x is met for every model{quick}.")
    xla = {m: _ratio(rows, "genzoo-xla", "genzoo") for m, rows in table.items()}
    xla = {m: r for m, r in xla.items() if r is not None}
    if xla:
        faster = sorted(m for m, r in xla.items() if r > 1.05)
        slower = sorted(m for m, r in xla.items() if r < 0.95)
        parts.append(f"XLA is faster (> 1.05x) for {', '.join(faster) or 'no model'}; "
                     f"slower (< 0.95x) for {', '.join(slower) or 'no model'}.")
    data = {m: _ratio(rows, "genzoo", "constant") for m, rows in table.items()}
    data = {m: r for m, r in data.items() if r is not None}
    if data:
        waits = sorted(m for m, r in data.items() if r < TARGET_RATIO)
        parts.append("With real data the trainer runs at "
                     f"{min(data.values()):.2f}x-{max(data.values()):.2f}x of its speed on a "
                     "constant batch: "
                     + (f"below {TARGET_RATIO:.2f}x for {', '.join(waits)}."
                        if waits else "no model waits on its input pipeline."))
    return " ".join(parts)


def render_section(table, machine, args, command) -> str:
    gpus = ", ".join(machine.get("gpus") or []) or "none"
    affinity = machine.get("cpu_affinity")
    memory = machine.get("memory_gib")
    lines = [
        START_MARKER,
        "## Training throughput across the zoo: genzoo vs a hand-written loop, XLA, "
        "input pipeline, MirroredStrategy",
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
        f"- Workload: every registered model's default preset on its default dataset and "
        f"batch size, {args.warmup} warm-up steps, then "
        + ("the timed steps" if args.steps else
           f"{DEFAULT_TIMED_STEPS} timed steps ({', '.join(f'{m} {n}' for m, n in sorted(TIMED_STEPS.items()))})")
        + f"; genzoo and hand-written {args.repeats} run(s) each, the other configurations "
        f"{args.other_repeats}; every run in a fresh process; medians shown (min-max in "
        "brackets). Images/s counts every real image a step consumes (`images/step`: "
        "batch x critic steps for wgan / wgan-gp).",
        "",
        render_table(table),
        "",
        reading(table, args),
        "",
        "What each column is:",
        "",
        "- **genzoo**: the trainer as shipped (`genzoo train MODEL`): `strategy.run(train_step)` "
        "in its own `tf.function`, metric trackers and diagnostics, progress-bar bookkeeping "
        "(logs read back at most every 0.2 s), `on_step`. Steady-state: the first step of each "
        "data epoch (epoch-end checkpoint, samples, history, TensorBoard, new iterator) is left "
        "out.",
        "- **hand-written**: `benchmarks/hand_loops.py`, the overhead reference: the same "
        "networks, optimizers and loss functions in one plain `tf.function` step, no "
        "strategy, trackers or diagnostics, outputs fetched only at epoch ends.",
        "- **--xla**: genzoo with `jit_compile=True` on the per-replica step.",
        "- **constant batch**: genzoo fed one cached batch repeatedly; `data / constant` near 1 "
        "means no step waits on the `tf.data` pipeline (decoded once, cached, prefetched).",
        "- **mirrored 1 / 2 CPUs**: `--strategy mirrored` after splitting the host CPU into one "
        "or two logical devices. On CPU both replicas share the same cores (TensorFlow already "
        "uses every core inside one op), so two replicas cannot be faster; they measure the "
        "strategy's cost (per-replica graphs, cross-replica reductions through one device).",
        "- **peak RSS**: `ru_maxrss` of the genzoo worker process (max over runs).",
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv=None):
    from keras_genzoo import registry

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", help="comma-separated subset of the registry (default: all)")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated subset of " + ", ".join(CONFIGS))
    parser.add_argument("--steps", type=int,
                        help=f"timed steps per run (default: per model, {DEFAULT_TIMED_STEPS} "
                             "for most)")
    parser.add_argument("--warmup", type=int, help=f"untimed steps first (default {WARMUP})")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs of genzoo and hand-written per model (default 2)")
    parser.add_argument("--other-repeats", type=int, default=None,
                        help="runs of every other configuration (default 1)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK}")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--output", type=pathlib.Path, default=DEFAULT_OUTPUT,
                        help="markdown file to update (default docs/benchmarks.md)")
    parser.add_argument("--json", type=pathlib.Path, help="also dump every run's raw figures here")
    parser.add_argument("--breakdown", action="store_true",
                        help="instead of the table: for each of --models, split genzoo's per-step "
                             "cost over the hand loop into step function and input iterator, "
                             "in one process (prints only)")
    parser.add_argument("--worker", choices=list(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"steps": None, "warmup": WARMUP, "repeats": 2,
                                         "other_repeats": 1}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if (args.steps is not None and args.steps < 2) or args.warmup < 1 or args.repeats < 1 \
            or args.other_repeats < 1:
        parser.error("need --steps >= 2, --warmup >= 1, --repeats >= 1, --other-repeats >= 1")
    names = registry.names()
    args.models = [m.strip() for m in (args.models or ",".join(names)).split(",") if m.strip()]
    unknown = set(args.models) - set(names)
    if unknown:
        parser.error(f"unknown models {sorted(unknown)}; valid: {', '.join(names)}")
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = set(args.configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs {sorted(unknown)}; valid: {', '.join(CONFIGS)}")
    return args


def steps_for(model_name: str, args) -> int:
    return args.steps or TIMED_STEPS.get(model_name, DEFAULT_TIMED_STEPS)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        figures = worker(args.models[0], args.worker, args)
        args.result_file.write_text(json.dumps(figures))
        return 0
    if args.breakdown:
        for model_name in args.models:
            medians = breakdown(model_name)
            hand = medians["hand step, plain iterator"]
            print(f"{model_name}: " + "; ".join(
                f"{name} {ms:.3f} ms (+{1e3 * (ms - hand):.0f} us)" for name, ms in medians.items()),
                flush=True)
        return 0

    argv = sys.argv[1:] if argv is None else list(argv)
    if "--json" in argv:  # where the raw dump went does not change the results
        del argv[argv.index("--json"):argv.index("--json") + 2]
    argv = [a for a in argv if not a.startswith("--json=")]
    command = "python benchmarks/throughput.py" + "".join(" " + shlex.quote(a) for a in argv)
    print(f"throughput: {len(args.models)} models, configs {', '.join(args.configs)}; "
          f"{args.warmup} warm-up steps; repeats {args.repeats} (genzoo, hand) / "
          f"{args.other_repeats} (others)", flush=True)
    load_at_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    results: dict[str, dict[str, list[dict]]] = {}
    started = time.perf_counter()
    failures = []
    for model_name in args.models:
        results[model_name] = {c: [] for c in args.configs}
        worker_args = argparse.Namespace(steps=steps_for(model_name, args), warmup=args.warmup)
        # the paired configurations interleaved (A B A B) so drift hits both alike
        schedule = []
        most = max(args.repeats, args.other_repeats)
        for repeat in range(most):
            for config in args.configs:
                wanted = args.repeats if config in PAIRED else args.other_repeats
                if repeat < wanted:
                    schedule.append(config)
        for config in schedule:
            try:
                r = run_worker(model_name, config, worker_args)
            except RuntimeError as error:
                print(error, file=sys.stderr, flush=True)
                failures.append(f"{model_name}/{config}")
                continue
            results[model_name][config].append(r)
            print(f"  {model_name:16s} {config:11s} steady {r['steady_images_per_second']:8.0f} "
                  f"img/s  step {r['step_ms_median']:7.1f} ms  first step "
                  f"{r['first_step_seconds']:5.1f} s  RSS {r['peak_rss_mb']:5.0f} MB  "
                  f"({r['worker_seconds']:.0f} s)", flush=True)
        if not any(results[model_name].values()):
            del results[model_name]
    print(f"total {time.perf_counter() - started:.0f} s\n")
    if not results:
        print("no configuration ran", file=sys.stderr)
        return 1
    first = next(r for per in results.values() for runs in per.values() for r in runs)
    machine = machine_description(first)
    machine["load_average_at_start"] = load_at_start
    table = aggregate(results)
    print(render_table(table))
    print()
    print(reading(table, args))
    if failures:
        print(f"\nfailed: {', '.join(failures)}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "args": {
            k: str(v) for k, v in vars(args).items()}, "runs": results}, indent=2, default=str))
    if not args.no_write:
        if failures:
            print("not writing the docs section: some runs failed", file=sys.stderr)
            return 1
        write_section(args.output, render_section(table, machine, args, command),
                      START_MARKER, END_MARKER)
        print(f"\nwrote the throughput section of {args.output}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
