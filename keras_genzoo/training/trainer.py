"""The genzoo training loop (DESIGN.md 4.7).

Keras 3's ``model.fit`` does not run under MultiWorkerMirroredStrategy
(keras-team/keras#20585), so genzoo drives training itself, the same way for
every strategy: a ``tf.function`` calls ``strategy.run(model.train_step)`` on
batches of ``strategy.experimental_distribute_dataset``, and reduces the
returned logs. Around it: ``keras.utils.Progbar`` for progress,
``tf.summary`` for TensorBoard, ``tf.train.CheckpointManager`` for the full
training state, sample grids and ``history.csv``.

Resuming is exact: the step counter lives in the optimizers (checkpointed),
noise is a stateless function of (seed, step), and epoch ``e``'s batch order
is a function of (seed, e), so a resumed run rebuilds epoch ``e``, skips the
batches already seen and continues as if never interrupted.
"""

from __future__ import annotations

import csv
import dataclasses
import pathlib
import shutil
import sys
import tempfile
import time
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo.data import open_source
from keras_genzoo.errors import DataError, GenzooError
from keras_genzoo.training import images as image_io
from keras_genzoo.training import run as run_lib
from keras_genzoo.training import strategy as strategy_lib

#: latent seed of the fixed sample batch drawn at every epoch end
SAMPLE_SEED = 1234
SAMPLE_COUNT = 64
#: held-out images an autoencoder or classifier is evaluated on at every epoch end
HOLDOUT_EVAL_COUNT = 512
HOLDOUT_KINDS = ("autoencoder", "classifier")
#: models that draw no sample images (only scalars go to TensorBoard)
IMAGELESS_KINDS = ("classifier", "radialgan")
#: what a source's examples are called in the start-up line
UNITS = {"images": "images", "points": "points", "domains": "rows"}


@dataclasses.dataclass
class TrainResult:
    out_dir: pathlib.Path
    steps: int
    epochs_run: int
    history: list[dict]
    strategy: str
    images_per_second: float
    #: False on the non-chief workers of a multi-worker run (they wrote nothing)
    chief: bool = True
    #: True when the ``--minutes`` budget ended training before its step or epoch bound
    out_of_time: bool = False


class Interrupted(Exception):
    """Training stopped early (Ctrl-C); the checkpoint at ``step`` is saved."""

    def __init__(self, step: int):
        super().__init__(f"interrupted at step {step}")
        self.step = step


class TrainingDiverged(GenzooError):
    """A loss became NaN or infinite; no checkpoint of the diverged state is written."""


def _check_finite(logs: dict[str, float], step: int, manager) -> None:
    """The NaN guard: refuse to checkpoint (and stop) once a loss is not finite."""
    bad = {name: value for name, value in logs.items() if not np.isfinite(value)}
    if bad:
        last = manager.latest_checkpoint
        where = f"the last good checkpoint is {last}" if last else "no checkpoint was written"
        values = ", ".join(f"{name}={value}" for name, value in bad.items())
        raise TrainingDiverged(
            f"training diverged at step {step} ({values}); {where}; try a lower learning rate "
            "with --set"
        )


def make_train_function(model, strategy, *, xla: bool):
    """One distributed step: ``strategy.run(train_step)``, logs averaged over replicas.

    With ``xla`` the per-replica step is compiled with ``jit_compile=True``
    (Keras' "auto" would switch XLA off on CPU and under strategies).
    """
    replica_step = tf.function(model.train_step, jit_compile=True) if xla else model.train_step

    @tf.function
    def distributed_step(batch):
        logs = strategy.run(replica_step, args=(batch,))
        return {
            name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
            for name, value in logs.items()
        }

    return distributed_step


def _preview(model, reference) -> tuple[np.ndarray, int]:
    """Images for the epoch's sample grid and the grid's column count.

    Autoencoders: held-out inputs, each row above its reconstructions
    (``reference`` = (images, labels)); GANs: a fixed latent batch.
    """
    if model.kind == "autoencoder":
        from keras_genzoo.training.sampling import ROW, interleave_rows

        images, labels = reference
        return interleave_rows(images, model.reconstruct(images, labels)), ROW
    if model.uses_labels():  # one class per column, labels cycling 0..K-1
        classes = model.num_classes()
        return model.sample(classes * max(1, SAMPLE_COUNT // classes), seed=SAMPLE_SEED), classes
    return model.sample(SAMPLE_COUNT, seed=SAMPLE_SEED), 8


def train(plan: run_lib.RunPlan, *, verbose: int | None = None,
          on_step: Callable[[int], None] | None = None) -> TrainResult:
    """Train (or resume) the run described by ``plan``.

    ``on_step(step)`` is called after every step (tests use it to interrupt).
    Data problems surface as :class:`DataError` before anything is written.

    ``settings.minutes`` is a wall-clock budget counted from this call: the
    clock is read after every step, and once it has run out the epoch is
    closed as usual (checkpoint, history row, sample grid), so the run can be
    sampled, exported or resumed like one that reached its step count.
    """
    settings = plan.settings
    clock = _Budget(settings.minutes)
    keras.utils.set_random_seed(settings.seed)
    policy = strategy_lib.set_precision(settings.mixed_precision)
    strategy = strategy_lib.make_strategy(settings.strategy)
    chief = strategy_lib.is_chief(strategy)

    # Open the data first: a bad dataset fails before the run directory exists.
    tabular = "feature_counts" in plan.config  # a multi-domain model (RadialGAN)
    source = run_lib.open_training_source(plan)
    if settings.batch_size % strategy.num_replicas_in_sync:
        raise GenzooError(
            f"--batch-size {settings.batch_size} is not divisible by the "
            f"{strategy.num_replicas_in_sync} replicas of the strategy"
        )
    reference = holdout_labels = holdout_images = holdout_domains = None
    if tabular:  # held-out cycle errors per epoch, on the validation rows
        validation = run_lib.open_training_domains(settings.dataset, settings,
                                                   plan.config["num_domains"], split="validation")
        holdout_domains = [(domain.x, domain.y) for domain in validation.domains]
    elif plan.spec.kind in HOLDOUT_KINDS:
        try:
            holdout = open_source(settings.dataset, image_size=plan.config["image_size"],
                                  channels=plan.config["channels"], split="test",
                                  data_dir=settings.data_dir, manual_dir=settings.manual_dir)
        except DataError:
            holdout = source
        holdout_images, holdout_labels = holdout.take_examples(HOLDOUT_EVAL_COUNT)
        reference = (holdout_images[:32], holdout_labels[:32])

    # Non-chief workers write into a scratch directory that is removed at the end.
    write_dir = plan.out_dir if chief else pathlib.Path(tempfile.mkdtemp(prefix="genzoo-worker-"))
    with strategy.scope():
        model = run_lib.build_model(plan.model, plan.config)
        model.seed = settings.seed
        model.compile(mixed_precision=settings.mixed_precision)
        model.prepare()
        if tabular:  # exports translate in original units: each domain's statistics
            model.set_standardization([d.mean for d in source.domains],
                                      [d.std for d in source.domains])
    if model.uses_labels():
        _check_labels(model, source)
    # --eval-every: validated (features, metrics, sizes) before anything is written
    evaluator = _make_evaluator(plan, model, source) if settings.eval_every else None
    # A GAN with d_steps = k takes k real batches per step (one per critic update).
    step_batch = settings.batch_size * model.real_batches_per_step()
    steps_per_epoch = source.steps_per_epoch(step_batch)
    # None: no step bound, only the clock (--minutes alone)
    target_steps = settings.steps or (settings.epochs * steps_per_epoch if settings.epochs
                                      else None)
    for flag, wanted, reason in (
            ("--xla", settings.xla, model.xla_unsupported_reason),
            ("--mixed-precision", settings.mixed_precision,
             model.mixed_precision_unsupported_reason)):
        if wanted and reason():
            raise GenzooError(f"{flag} is not supported for this {plan.model} model: {reason()}")
    # Every worker restores from the chief's directory (a shared filesystem in a
    # multi-worker run), so all of them resume at the same step.
    latest = tf.train.latest_checkpoint(str(plan.out_dir / run_lib.CHECKPOINT_DIR))
    if latest:
        with strategy.scope():
            model.before_restore(latest)  # a progressive model grows to the saved phase
    checkpoint, manager = _checkpointing(model, write_dir)
    if latest:
        # every object that exists was restored (asserted); values for objects
        # created later (a progressive model's next phase) are not expected
        checkpoint.restore(latest).assert_existing_objects_matched().expect_partial()
    start_step = model.steps_taken()
    if model.has_schedule:  # e.g. the fade-in alpha at the resumed step
        with strategy.scope():
            if model.advance_schedule(start_step * step_batch):
                # grown at a phase boundary: the checkpoint must hold the new networks
                checkpoint, manager = _checkpointing(model, write_dir)

    if chief:
        run_lib.write_run_config(plan)
        if tabular:  # feature names, standardization and label values, for augment
            run_lib.write_data_statistics(plan.out_dir, source.statistics())
        if model.kind not in IMAGELESS_KINDS:
            (write_dir / "samples").mkdir(exist_ok=True)
    summary_writer = tf.summary.create_file_writer(str(write_dir / "logs")) if chief else None
    history_path = write_dir / "history.csv"
    history = _read_history(history_path)
    train_step = make_train_function(model, strategy, xla=settings.xla)

    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    if verbose:
        if target_steps is not None and start_step >= target_steps:
            action = f"already trained to step {start_step}, nothing to do"
        elif start_step:
            action = f"resuming at step {start_step}"
        else:
            action = "starting"
        print(f"genzoo: {plan.model} (preset {plan.preset}) on {source.name}: "
              f"{source.num_examples} {UNITS.get(source.kind, source.kind)}"
              f"{' cached in ' + source.cache_location if hasattr(source, 'cache_location') else ''}, "
              f"{steps_per_epoch} steps/epoch, {_length(target_steps, settings.minutes)}; "
              f"{strategy_lib.describe(strategy)}; "
              f"{policy}; XLA {'on' if settings.xla else 'off'}; {action}; run dir {plan.out_dir}",
              flush=True)

    step = start_step
    epochs_run = 0
    measured_images, measured_seconds = 0, 0.0
    out_of_time = False
    try:
        while (target_steps is None or step < target_steps) and not out_of_time:
            epoch = step // steps_per_epoch
            skip = step % steps_per_epoch
            steps_this_epoch = (steps_per_epoch if target_steps is None else
                                min(steps_per_epoch, target_steps - epoch * steps_per_epoch))
            dataset = source.batches(step_batch, epoch=epoch, seed=settings.seed)
            if skip:
                dataset = dataset.skip(skip)
            dataset = dataset.take(steps_this_epoch - skip)
            distributed = strategy.experimental_distribute_dataset(_shard_by_data(dataset))
            for tracker in model.metrics:
                tracker.reset_state()
            progress = keras.utils.Progbar(
                steps_this_epoch, verbose=verbose, unit_name="step",
                stateful_metrics=list(model.metric_names) + [_Budget.PROGRESS_NAME])
            if verbose:
                of_epochs = (f"/{-(-target_steps // steps_per_epoch)}" if target_steps is not None
                             else "")
                print(f"Epoch {epoch + 1}{of_epochs}", flush=True)
            epoch_start = time.perf_counter()
            first_step_done = None
            last_display = 0.0
            logs = {}
            for batch in distributed:
                if model.has_schedule:
                    with strategy.scope():
                        changed = model.advance_schedule(step * step_batch)
                    if changed:  # grown: new variables, new optimizers
                        train_step = make_train_function(model, strategy, xla=settings.xla)
                        checkpoint, manager = _checkpointing(model, write_dir)
                logs = train_step(batch)
                step += 1
                done_in_epoch = step - epoch * steps_per_epoch
                out_of_time = clock.expired(logs, strategy)
                now = time.perf_counter()
                if first_step_done is None:
                    first_step_done = now
                # Reading the logs forces the host to wait for the device, so the
                # bar refreshes at most every 0.2 s (and always on the last step).
                if verbose and (done_in_epoch == steps_this_epoch or out_of_time
                                or (verbose == 1 and now - last_display > 0.2)):
                    progress.update(done_in_epoch, finalize=True if out_of_time else None,
                                    values=[(k, float(v)) for k, v in logs.items()]
                                    + clock.progress_values())
                    last_display = now
                if settings.checkpoint_every and step % settings.checkpoint_every == 0:
                    _check_finite({k: float(v) for k, v in logs.items()}, step, manager)
                    manager.save(checkpoint_number=step)
                if on_step is not None:
                    on_step(step)
                if out_of_time:
                    break
            logs_ready = {k: float(v) for k, v in logs.items()}  # waits for the last step
            epoch_end = time.perf_counter()
            seconds = epoch_end - epoch_start
            # Throughput excludes each epoch's first step (tracing, XLA
            # compilation, iterator start) and the epoch-end artifacts.
            steps_timed = step - epoch * steps_per_epoch - skip - 1
            if first_step_done is not None and steps_timed > 0:
                measured_images += steps_timed * step_batch
                measured_seconds += epoch_end - first_step_done
            epochs_run += 1
            _check_finite(logs_ready, step, manager)
            manager.save(checkpoint_number=step)
            row = {"epoch": epoch + 1, "step": step, "seconds": round(seconds, 3), **logs_ready}
            if holdout_images is not None and chief:
                held_out = model.evaluation_metrics(holdout_images, holdout_labels)
                row.update({f"val_{name}": value for name, value in held_out.items()})
            if holdout_domains is not None and chief:
                held_out = model.evaluation_metrics(holdout_domains)
                row.update({f"val_{name}": value for name, value in held_out.items()})
            if evaluator is not None and chief and (epoch + 1) % settings.eval_every == 0:
                scores = evaluator.evaluate(model)
                row.update({f"eval_{name}": value for name, value in scores.items()})
            if source.kind == "points" and chief:
                # one draw per epoch serves the mode-coverage row and the scatter plot
                point_samples = model.sample(POINT_SAMPLES, seed=SAMPLE_SEED)
                row.update(_mode_coverage_row(point_samples, source.mixture))
                reference = (source.mixture, point_samples)
            history = [r for r in history if int(r["epoch"]) != epoch + 1] + [row]
            if chief:
                _write_history(history_path, history)
                # A scatter plot costs ~0.2 s: with tiny epochs (toy2d at a large batch)
                # the pictures would take longer than the training (--sample-every).
                picture_due = ((epoch + 1) % settings.sample_every == 0 or out_of_time
                               or (target_steps is not None and step >= target_steps))
                _write_epoch_artifacts(model, reference, write_dir, summary_writer, row,
                                       with_picture=picture_due)
    except KeyboardInterrupt:
        # The interrupt may land between a finished step and `step += 1`:
        # the optimizers' counter is the truth.
        step = model.steps_taken()
        manager.save(checkpoint_number=step)
        raise Interrupted(step) from None
    finally:
        if not chief:
            shutil.rmtree(write_dir, ignore_errors=True)

    if chief and history:
        image_io.plot_history(history_path, write_dir / "loss_curves.png")
    if summary_writer is not None:
        summary_writer.flush()
    return TrainResult(plan.out_dir, step, epochs_run, history, strategy_lib.describe(strategy),
                       measured_images / measured_seconds if measured_seconds else 0.0, chief,
                       out_of_time=out_of_time)


#: the clock of the ``--minutes`` budget (tests replace it with a simulated one)
budget_clock = time.monotonic


class _Budget:
    """The ``--minutes`` clock: started when training is asked for, read after each step."""

    PROGRESS_NAME = "min_left"

    def __init__(self, minutes: float | None):
        self.deadline = None if minutes is None else budget_clock() + 60.0 * minutes
        self._any_worker = None

    def expired(self, logs, strategy) -> bool:
        if self.deadline is None:
            return False
        # A step is only dispatched until one of its results is read: wait for
        # it, so that the clock does not run out on steps still queued.
        if logs:
            np.asarray(next(iter(logs.values())))
        mine = budget_clock() >= self.deadline
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return mine
        # Every worker must stop after the same step, or the next step's
        # collectives would wait forever for the ones that stopped: the run
        # stops when any worker's clock has run out.
        if self._any_worker is None:
            @tf.function
            def any_worker(flag):
                votes = strategy.run(lambda: tf.identity(flag))
                return strategy.reduce(tf.distribute.ReduceOp.MAX, votes, axis=None)

            self._any_worker = any_worker
        return bool(self._any_worker(tf.constant(int(mine))).numpy())

    def progress_values(self) -> list[tuple[str, float]]:
        if self.deadline is None:
            return []
        return [(self.PROGRESS_NAME, max(0.0, (self.deadline - budget_clock()) / 60.0))]


def _length(target_steps: int | None, minutes: float | None) -> str:
    """The start-up line's account of how long the run trains."""
    budget = f"{minutes:g} minute{'s' if minutes != 1 else ''}" if minutes else ""
    if target_steps is None:
        return f"for {budget}"
    steps = f"{target_steps} step{'s' if target_steps != 1 else ''} in all"
    return f"{steps} or {budget}, whichever ends first" if budget else steps


def _checkpointing(model, write_dir):
    """The checkpoint of everything that resumes a run, and its manager (last 3 kept)."""
    checkpoint = tf.train.Checkpoint(**model.checkpoint_items())
    manager = tf.train.CheckpointManager(checkpoint, str(write_dir / run_lib.CHECKPOINT_DIR),
                                         max_to_keep=3)
    return checkpoint, manager


def _check_labels(model, source) -> None:
    """A conditional model needs a labelled dataset whose classes fit its config."""
    if not source.num_classes:
        raise GenzooError(
            f"this {model.registry_name} model "
            f"{'is conditional and ' if model.kind != 'classifier' else ''}needs a labelled "
            "dataset; "
            f"{source.name} has no labels"
        )
    wanted = model.num_classes()
    if source.num_classes > wanted:
        raise GenzooError(
            f"{source.name} has {source.num_classes} classes but the model's num_classes is "
            f"{wanted}; pass --set num_classes={source.num_classes}"
        )


def _shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    # In-memory sources have no files to shard; multi-worker runs split batches.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


#: samples drawn for the scatter plot and mode coverage of a 2-D model (PacGAN's N)
POINT_SAMPLES = 2500


def _mode_coverage_row(samples, mixture) -> dict[str, float]:
    """Modes covered and the high-quality fraction of 2,500 samples (VEEGAN / PacGAN)."""
    from keras_genzoo.metrics.mode_coverage import mode_coverage

    coverage = mode_coverage(samples, mixture.modes, mixture.sigma)
    return {"modes_covered": coverage.modes_covered,
            "high_quality": round(coverage.high_quality_fraction, 4)}


def _make_evaluator(plan, model, source):
    """The ``--eval-every`` evaluator: the run's dataset as reference, samples
    from the fixed seed of the epoch grids."""
    from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator, producer_is_generative

    if model.kind not in ("gan", "autoencoder"):
        raise GenzooError(f"--eval-every scores generative models and autoencoders; "
                          f"{plan.model} is a {model.kind}")
    s = plan.settings
    num = s.eval_num or (None if source.kind == "points" else 1000)
    settings = EvalSettings(metrics=s.eval_metrics, features=s.eval_features, num=num,
                            dataset=s.dataset, seed=SAMPLE_SEED,
                            inception_weights=s.inception_weights, data_dir=s.data_dir,
                            manual_dir=s.manual_dir)
    return Evaluator(settings, image_size=plan.config["image_size"],
                     channels=plan.config["channels"], points=source.kind == "points",
                     generative=producer_is_generative(model), kind=model.kind)


def _write_epoch_artifacts(model, reference, run_dir, writer, row, *, with_picture=True):
    """Every scalar of ``row`` in TensorBoard and, when ``with_picture``, the epoch's
    sample grid (or scatter plot) as a PNG and a TensorBoard image."""
    epoch = row["epoch"]
    path = run_dir / "samples" / f"epoch_{epoch:04d}.png"
    picture = None
    if not with_picture or model.kind in IMAGELESS_KINDS:
        pass  # scalars only
    elif getattr(model, "points", False):
        mixture, samples = reference
        image_io.save_scatter(samples, path, modes=mixture.modes, sigma=mixture.sigma,
                              title=f"{model.registry_name}, epoch {epoch}")
        picture = tf.io.decode_png(tf.io.read_file(str(path)), channels=3)
    else:
        images, columns = _preview(model, reference)
        image_io.save_grid(images, path, columns)
        picture = image_io.image_grid(images, columns)
    with writer.as_default(step=row["step"]):
        for name, value in row.items():
            if name not in ("epoch", "step", "seconds"):
                tf.summary.scalar(name, value)
        if picture is not None:
            tf.summary.image("samples", picture[None], max_outputs=1)
    writer.flush()


def _read_history(path: pathlib.Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _write_history(path: pathlib.Path, rows: list[dict]) -> None:
    # the union of every row's columns (--eval-every adds some only every N epochs)
    fields = list(dict.fromkeys(name for row in rows for name in row))
    temporary = path.with_suffix(".csv.tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    temporary.replace(path)
