"""The genzoo training loop (DESIGN.md 4.7).

Keras 3's ``model.fit`` does not run under MultiWorkerMirroredStrategy
(keras-team/keras#20585), so genzoo drives training itself, the same way for
every strategy: a ``tf.function`` calls ``strategy.run(model.train_step)`` on
batches of ``strategy.experimental_distribute_dataset``, and reduces the
returned logs. Around it: ``keras.utils.Progbar`` for progress and
``tf.train.CheckpointManager`` for the full training state; everything else an
epoch end does (history, pictures, TensorBoard, held-out scores) is an epoch-end
hook (:mod:`keras_genzoo.training.hooks`).

Resuming is exact: the step counter lives in the optimizers (checkpointed),
noise is a stateless function of (seed, step), and epoch ``e``'s batch order
is a function of (seed, e), so a resumed run rebuilds epoch ``e``, skips the
batches already seen and continues as if never interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pathlib
import shutil
import signal
import sys
import tempfile
import threading
import time
from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_genzoo import runs
from keras_genzoo.errors import GenzooError
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import strategy as strategy_lib
from keras_genzoo.training.hooks import EpochEnd, EpochEndHook, default_hooks


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
    #: what ``images_per_second`` counts: images, points or rows (per domain)
    unit: str = "images"


class Interrupted(Exception):
    """Training stopped early (Ctrl-C); the checkpoint at ``step`` is saved."""

    def __init__(self, step: int):
        super().__init__(f"interrupted at step {step}")
        self.step = step


class TrainingDiverged(GenzooError):
    """A loss or a weight became NaN, infinite or larger than the divergence bound; no
    checkpoint of the diverged state is written."""


#: failures of writing a file (Python's, and TensorFlow's file system errors):
#: a full disk, a read-only or immutable directory, a directory removed under the run
_WRITE_ERRORS = (OSError, tf.errors.PermissionDeniedError, tf.errors.ResourceExhaustedError,
                 tf.errors.NotFoundError, tf.errors.UnknownError,
                 tf.errors.FailedPreconditionError)


def _first_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    text = str(getattr(error, "message", "") or error).strip()
    return (text.splitlines() or [type(error).__name__])[0][:300]


class _Guard:
    """Decides whether the model may be checkpointed: every loss, every network weight
    and every optimizer slot finite, losses and weights within ``bound`` (0/None: no
    bound). Runs before every save, so that every checkpoint on disk is good."""

    def __init__(self, model, bound: float | None):
        self.model, self.bound = model, bound or None

    def _weights_and_slots(self):
        weights = [v for network in self.model.networks().values() for v in network.weights]
        slots = [v for optimizer in self.model.network_optimizers.values()
                 for v in optimizer.variables]
        return weights, slots

    def check(self, logs: dict[str, float], step: int, manager) -> None:
        log_bound = self.bound if self.model.bounded_logs else None
        problems = [f"{name}={value:g}" for name, value in logs.items()
                    if not np.isfinite(value) or (log_bound and abs(value) > log_bound)]
        weights, slots = self._weights_and_slots()
        largest, weights_finite = _largest_and_finite(weights)
        _, slots_finite = _largest_and_finite(slots)
        if not weights_finite:
            problems.append("a network weight is NaN or infinite")
        elif self.bound and largest > self.bound:
            problems.append(f"a network weight reached {largest:.3g}")
        if not slots_finite:
            problems.append("an optimizer slot is NaN or infinite")
        if not problems:
            return
        bound = f" (divergence bound {self.bound:g}, --divergence-bound)" if self.bound else ""
        last = manager.latest_checkpoint
        where = (f"the last good checkpoint is {last}" if last
                 else "no checkpoint was written")
        raise TrainingDiverged(
            f"training diverged at step {step}: {', '.join(problems)}{bound}; {where}; try a "
            "lower learning rate with --set")


def _largest_and_finite(variables) -> tuple[float, bool]:
    """``(max |v|, whether every value is finite)`` over ``variables``.

    Eager, over one concatenation of every value: a traced function would retrace
    whenever the variable list changes (each growth of a progressive model, each
    optimizer reset), and TensorFlow warns about frequent retracing."""
    values = [tf.reshape(tf.cast(tf.convert_to_tensor(v), tf.float32), [-1]) for v in variables]
    values = [v for v in values if v.shape.num_elements()]
    if not values:
        return 0.0, True
    flat = tf.concat(values, axis=0)
    return (float(tf.reduce_max(tf.abs(flat))),
            bool(tf.reduce_all(tf.math.is_finite(flat))))


def make_train_function(model, strategy, *, xla: bool):
    """One distributed step: ``strategy.run(train_step)``, logs averaged over replicas.

    With ``xla`` the per-replica step is compiled with ``jit_compile=True``
    (Keras' "auto" would switch XLA off on CPU and under strategies).
    """
    one_step = _reduced_step(model, strategy, xla)

    @tf.function(autograph=_needs_autograph(model))
    def distributed_step(batch):
        return one_step(batch)

    return distributed_step


def _reduced_step(model, strategy, xla: bool):
    """``step(batch)``: ``strategy.run`` of the replica step, its logs averaged over
    the replicas (called inside the trainer's ``tf.function``)."""
    replica_step = _replica_step(model, xla)

    def step(batch):
        logs = strategy.run(replica_step, args=(batch,))
        return {name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
                for name, value in logs.items()}

    return step


def _replica_step(model, xla: bool):
    """``model.train_step`` as a ``tf.function`` of its own: compiled with XLA when asked,
    and traced without autograph's source conversion for a model whose step has no
    Python control flow on tensors (``train_step_needs_autograph``)."""
    return tf.function(model.train_step, jit_compile=xla or None,
                       autograph=_needs_autograph(model))


def _needs_autograph(model) -> bool:
    # a plain keras.Model with a train_step of its own (tests, hand loops) is converted
    return getattr(model, "train_step_needs_autograph", True)


def make_multi_step_function(model, strategy, *, xla: bool):
    """``steps(iterator, n)``: ``n`` distributed steps in one call (``n >= 1``), the
    last step's logs. One graph loop instead of ``n`` calls from Python: where a step
    takes a few milliseconds (dense networks on CPU), the per-call dispatch and the
    host's wait for the next batch are about 30% of an epoch (Keras'
    ``steps_per_execution`` does the same for ``fit``)."""
    one_step = _reduced_step(model, strategy, xla)

    @tf.function(autograph=False)  # the loop is written out: nothing to convert
    def distributed_steps(iterator, n):
        first = one_step(next(iterator))
        names = sorted(first)

        def body(i, *values):
            logs = one_step(next(iterator))
            return (i + 1, *[logs[name] for name in names])

        out = tf.while_loop(lambda i, *values: i < n, body,
                            (tf.constant(1), *[first[name] for name in names]))
        return dict(zip(names, out[1:]))

    return distributed_steps


def train(plan: plan_lib.RunPlan, *, verbose: int | None = None,
          on_step: Callable[[int], None] | None = None,
          hooks: Sequence[EpochEndHook] = ()) -> TrainResult:
    """Train (or resume) the run described by ``plan``.

    Each epoch ends with a checkpoint, then the epoch-end hooks in order: the default
    ones (held-out metrics, ``--eval-every``, mode coverage, ``history.csv``, sample
    grid and TensorBoard; see :func:`default_hooks`), then ``hooks``. ``on_step(step)``
    is called after every step (tests use it to interrupt). Data problems surface as
    :class:`DataError` before anything is written.

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
    source = plan_lib.open_training_source(plan)
    if settings.batch_size % strategy.num_replicas_in_sync:
        raise GenzooError(
            f"--batch-size {settings.batch_size} is not divisible by the "
            f"{strategy.num_replicas_in_sync} replicas of the strategy"
        )
    # Non-chief workers write into a scratch directory that is removed at the end.
    write_dir = plan.out_dir if chief else pathlib.Path(tempfile.mkdtemp(prefix="genzoo-worker-"))
    model = _build_model(plan, strategy, source)
    # validated (e.g. --eval-every's features) before anything is written
    epoch_hooks = [*(default_hooks(plan, model, source) if chief else []), *hooks]
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    with contextlib.ExitStack() as held:
        if chief:
            held.enter_context(_RunDirectory(plan))
        held.enter_context(_terminate_as_interrupt())
        loop = None
        try:
            loop = _Loop(plan, model, strategy, source, write_dir, clock, chief=chief)
            if chief:
                with _writing(write_dir):
                    _start_run_directory(plan, model, source)
            if verbose:
                print(loop.start_line(policy), flush=True)
                # e.g. the columns a tabular source left out for their gaps
                for note in getattr(source, "start_notes", lambda: [])():
                    print(note, flush=True)
            history = runs.read_history(write_dir)
            if chief:
                history = _history_until(history, loop.start_step, write_dir)
            # A kill between an epoch's checkpoint and its history row, pictures and
            # TensorBoard scalars: do that epoch end now, as the first run would have.
            pending = loop.unfinished_epoch_end(history)
            if pending is not None:
                history = _end_epoch(pending, history, model, write_dir, epoch_hooks,
                                     final=loop.finished())
            while not loop.finished():
                logs = loop.run_epoch(verbose, on_step)
                row = loop.close_epoch(logs)
                history = _end_epoch(row, history, model, write_dir, epoch_hooks,
                                     final=loop.finished())
        except KeyboardInterrupt:
            if loop is None or (chief and not runs.is_run_dir(write_dir)):
                raise  # nothing started yet: nothing to resume
            with _writing(write_dir):
                step = loop.save_on_interrupt()
            raise Interrupted(step) from None
        finally:
            if not chief:
                shutil.rmtree(write_dir, ignore_errors=True)
        for hook in epoch_hooks:
            with _writing(write_dir) if hook.writes_files else contextlib.nullcontext():
                hook.on_train_end(write_dir)
    return TrainResult(plan.out_dir, loop.step, loop.epochs_run, history,
                       strategy_lib.describe(strategy), loop.examples_per_second(), chief,
                       out_of_time=loop.out_of_time, unit=source.unit)


def _row_step(row) -> int | None:
    try:
        return int(row["step"])
    except (KeyError, TypeError, ValueError):
        return None


def _history_until(history: list[dict], step: int, write_dir) -> list[dict]:
    """The history rows up to the restored checkpoint's ``step``; history.csv rewritten
    without the later ones. Rows past the checkpoint are of epochs that were never
    checkpointed (thinned epoch ends, ``--sample-every``, then a kill): the resumed
    run replays those epochs and writes their rows again, in order."""
    kept = [row for row in history if (_row_step(row) or 0) <= step]
    if len(kept) != len(history):
        with _writing(write_dir):
            if kept:
                runs.write_history(write_dir, kept)
            else:
                (pathlib.Path(write_dir) / runs.HISTORY_FILE).unlink()
    return kept


def _end_epoch(row, history, model, write_dir, hooks, *, final) -> list[dict]:
    """Hand a checkpointed epoch to the hooks; the history with its row."""
    history = [r for r in history if int(r["epoch"]) != row["epoch"]] + [row]
    end = EpochEnd(model, row, history, write_dir, final=final)
    for hook in hooks:
        # only the hooks that write files: a scoring hook's errors keep their meaning
        with _writing(write_dir) if hook.writes_files else contextlib.nullcontext():
            hook.on_epoch_end(end)
    return history


@contextlib.contextmanager
def _writing(run_dir):
    """Around the loop's writes (checkpoints, config, the epoch-end files): a failed
    write is one line naming the directory and the last checkpoint, which is intact
    (TensorFlow writes a checkpoint beside its final name and renames it)."""
    try:
        yield
    except _WRITE_ERRORS as failure:
        raise GenzooError(f"cannot write to {run_dir}: {_first_line(failure)}; "
                          f"{_last_checkpoint_words(run_dir)}") from None


def _last_checkpoint_words(run_dir) -> str:
    latest = tf.train.latest_checkpoint(str(pathlib.Path(run_dir) / runs.CHECKPOINT_DIR))
    return f"the last checkpoint, {latest}, is intact" if latest else "no checkpoint was written"


class _RunDirectory:
    """The chief's hold on its run directory for one training command.

    Takes the directory's lock (one training process per run directory), checks that
    no other process started a run there since the plan was resolved, removes what a
    killed process left half-written, and, if this command started the run and it
    ends without a single checkpoint (diverged at once, a write error, a crash),
    removes what it wrote, so that no run directory without a checkpoint is left.
    """

    def __init__(self, plan):
        self.plan = plan
        self.out = plan.out_dir
        self.existed = self.out.exists()
        self.before = set(self.out.iterdir()) if self.existed else set()
        self._lock = runs.directory_lock(self.out, runs.TRAIN_LOCK, what="training")

    def __enter__(self):
        self._lock.__enter__()
        try:
            if not self.plan.resume and runs.is_run_dir(self.out):
                raise GenzooError(f"another genzoo process started a run in {self.out} "
                                  "meanwhile; run the command again to resume it")
            runs.remove_leftovers(self.out)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind, value, traceback):
        try:
            if kind is not None and not self.plan.resume:
                # no checkpoint: nothing to resume (an interrupt saves one first)
                if runs.find_checkpoint(self.out).path is None:
                    self._remove_new_run()
        finally:
            self._lock.__exit__(kind, value, traceback)
        return False

    def _remove_new_run(self) -> None:
        if not self.existed:
            shutil.rmtree(self.out, ignore_errors=True)
            return
        for entry in set(self.out.iterdir()) - self.before:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a cluster's preemption, ``kill``) stops training like Ctrl-C: the
    checkpoint is saved and the same command resumes. Only the main thread can set
    signal handlers; elsewhere SIGTERM keeps its default."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _divergence_bound(model, settings) -> float | None:
    """``--divergence-bound`` if given (0: off), else the model's own."""
    if settings.divergence_bound is not None:
        return settings.divergence_bound or None
    return model.divergence_bound


def _build_model(plan, strategy, source):
    """The plan's model, compiled and built in the strategy's scope (DESIGN.md 4.3-4.4)."""
    settings = plan.settings
    with strategy.scope():
        model = runs.build_model(plan.model, plan.config)
        model.seed = settings.seed
        model.compile(mixed_precision=settings.mixed_precision)  # builds every optimizer
        model.adapt_to_source(source)
    if model.uses_labels():
        _check_labels(model, source)
    for flag, wanted, reason in (
            ("--xla", settings.xla, model.xla_unsupported_reason),
            ("--mixed-precision", settings.mixed_precision,
             model.mixed_precision_unsupported_reason)):
        if wanted and reason():
            raise GenzooError(f"{flag} is not supported for this {plan.model} model: {reason()}")
    return model


def _start_run_directory(plan, model, source) -> None:
    runs.write_run_config(plan.out_dir, plan.to_json())
    if source.kind == "domains":  # feature names, standardization and label values, for augment
        runs.write_data_statistics(plan.out_dir, source.statistics())


class _Loop:
    """The state of one training command: model, step function, checkpoint, clock.

    Restores the latest checkpoint on construction (every worker from the chief's
    directory, so all of them resume at the same step), then runs epochs on demand.
    """

    def __init__(self, plan, model, strategy, source, write_dir, clock, *, chief=True):
        self.plan, self.model, self.strategy, self.source = plan, model, strategy, source
        self.chief = chief
        self.settings, self.write_dir, self.clock = plan.settings, write_dir, clock
        # A GAN with d_steps = k takes k real batches per step (one per critic update).
        self.step_batch = self.settings.batch_size * model.real_batches_per_step()
        self.steps_per_epoch = source.steps_per_epoch(self.step_batch)
        # None: no step bound, only the clock (--minutes alone)
        self.target_steps = self.settings.steps or (
            self.settings.epochs * self.steps_per_epoch if self.settings.epochs else None)
        self.guard = _Guard(model, _divergence_bound(model, self.settings))
        # The running means of the epoch's logs and the last epoch end, checkpointed so
        # that a resumed epoch reports the means over all of its steps, and an epoch end
        # cut short by a kill can be redone. A separate root: runs from before it existed
        # restore without them.
        self.epoch_state = tf.train.Checkpoint(
            epoch_means={name: list(tracker.variables)
                         for name, tracker in model.trackers.items()},
            epoch_end=tf.Variable([-1, 0], dtype=tf.int64, trainable=False),
            epoch_seconds=tf.Variable(0.0, dtype=tf.float64, trainable=False))
        choice = runs.find_checkpoint(plan.out_dir)
        if choice.note():
            print(choice.note(), file=sys.stderr, flush=True)
        if choice.skipped and not choice.path:
            choice.require(plan.out_dir)  # none intact: one line, nothing touched
        latest = choice.path
        if choice.skipped and chief:
            # training continues from the intact one and would write these numbers again
            aside = runs.set_aside_checkpoints(plan.out_dir,
                                               [prefix for prefix, _ in choice.skipped])
            print(f"genzoo: the damaged checkpoint files were moved to {aside}",
                  file=sys.stderr, flush=True)
        elif chief and (plan.out_dir / runs.CHECKPOINT_DIR / "checkpoint").is_file() and not (
                runs.indexed_checkpoints_readable(plan.out_dir)):
            runs.set_aside_checkpoints(plan.out_dir, [])  # rewrites a garbled index
        if latest:
            with strategy.scope():
                model.before_restore(latest)  # a progressive model grows to the saved phase
        self._track_checkpoints()
        if latest:
            # every object that exists was restored (asserted); values for objects
            # created later (a progressive model's next phase) are not expected, nor
            # the optional state variables an older checkpoint lacks (restored apart,
            # when there: otherwise they keep what adapt_to_source set)
            items = model.checkpoint_items()
            optional = {name: items.pop(name) for name in model.state_variables_optional()
                        if name in items}
            tf.train.Checkpoint(**items).restore(
                latest).assert_existing_objects_matched().expect_partial()
            if optional:
                tf.train.Checkpoint(**optional).restore(latest).expect_partial()
            tf.train.Checkpoint(epoch_state=self.epoch_state).restore(latest).expect_partial()
        self.start_step = self.step = model.steps_taken()
        self._advance_schedule(self.start_step)  # e.g. the fade-in alpha at the resumed step
        # a model that changes its networks during training (progressive growing)
        # checks its schedule before every step. A grouped run sends a lone step (the
        # end of an epoch) through its loop too: one function to trace and compile.
        self.group = 1 if model.has_schedule else self.settings.steps_per_execution
        grouped = self.group > 1
        self.train_step = (None if grouped else
                           make_train_function(model, strategy, xla=self.settings.xla))
        self.train_steps = (make_multi_step_function(model, strategy, xla=self.settings.xla)
                            if grouped else None)
        self.epochs_run = 0
        #: the step that ends the current epoch (set by run_epoch)
        self.epoch_last_step = None
        self.out_of_time = False
        self._measured_examples, self._measured_seconds = 0, 0.0

    def _track_checkpoints(self) -> None:
        """The checkpoint of everything that resumes a run, and its manager (last 3 kept)."""
        self.checkpoint = tf.train.Checkpoint(**self.model.checkpoint_items(),
                                              epoch_state=self.epoch_state)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, str(self.write_dir / runs.CHECKPOINT_DIR), max_to_keep=3)

    def _advance_schedule(self, step: int) -> bool:
        """Progressive growing: True when the networks changed at ``step`` (new variables
        and optimizers, so the checkpoint must track the new networks)."""
        if not self.model.has_schedule:
            return False
        with self.strategy.scope():
            changed = self.model.advance_schedule(step * self.step_batch)
        if changed:
            self._track_checkpoints()
        return changed

    def finished(self) -> bool:
        return self.out_of_time or (self.target_steps is not None
                                    and self.step >= self.target_steps)

    def start_line(self, policy: str) -> str:
        if self.target_steps is not None and self.start_step >= self.target_steps:
            action = f"already trained to step {self.start_step}, nothing to do"
        elif self.start_step:
            action = f"resuming at step {self.start_step}"
        else:
            action = "starting"
        source, settings = self.source, self.settings
        cached = (" cached in " + source.cache_location if hasattr(source, "cache_location")
                  else "")
        return (f"genzoo: {self.plan.model} (preset {self.plan.preset}) on {source.name}: "
                f"{source.num_examples} {source.unit}{cached}, "
                f"{self.steps_per_epoch} steps/epoch, "
                f"{_length(self.target_steps, settings.minutes)}; "
                f"{strategy_lib.describe(self.strategy)}; {policy}; "
                f"XLA {'on' if settings.xla else 'off'}; {action}; run dir {self.plan.out_dir}")

    def run_epoch(self, verbose: int, on_step) -> dict[str, float]:
        """Train until the end of the current epoch (or the clock); the last step's logs."""
        model, settings = self.model, self.settings
        self.epoch = self.step // self.steps_per_epoch
        self.skip = self.step % self.steps_per_epoch
        epoch_start = self.epoch * self.steps_per_epoch
        steps_this_epoch = (self.steps_per_epoch if self.target_steps is None else
                            min(self.steps_per_epoch, self.target_steps - epoch_start))
        # a checkpoint at this step (--checkpoint-every, Ctrl-C) records the epoch end
        # too, so that a resume does not skip its epoch-end work
        self.epoch_last_step = epoch_start + steps_this_epoch
        dataset = self.source.batches(self.step_batch, epoch=self.epoch, seed=settings.seed)
        if self.skip:
            dataset = dataset.skip(self.skip)
        dataset = dataset.take(steps_this_epoch - self.skip)
        distributed = self.strategy.experimental_distribute_dataset(
            _epoch_pipeline_options(dataset))
        if not self.skip:  # a resumed epoch keeps the running means it was saved with
            for tracker in model.metrics:
                tracker.reset_state()
        progress = keras.utils.Progbar(
            steps_this_epoch, verbose=verbose, unit_name="step",
            stateful_metrics=list(model.metric_names) + [_Budget.PROGRESS_NAME])
        if verbose:
            of_epochs = (f"/{-(-self.target_steps // self.steps_per_epoch)}"
                         if self.target_steps is not None else "")
            print(f"Epoch {self.epoch + 1}{of_epochs}", flush=True)
        self.started = time.perf_counter()
        first_step_done = None
        first_call_steps = 0
        last_display = 0.0
        logs = {}
        batches = iter(distributed)
        while self.step < self.epoch_last_step:
            if self._advance_schedule(self.step):  # grown: new variables, new optimizers
                self.train_step = make_train_function(model, self.strategy, xla=settings.xla)
            group = self._group_size()
            if self.train_steps is None:
                batch = next(batches, None)
                if batch is None:
                    break
                logs = self.train_step(batch)
            else:
                logs = self.train_steps(batches, tf.constant(group))
            self.step += group
            done_in_epoch = self.step - epoch_start
            self.out_of_time = self.clock.expired(logs, self.strategy)
            now = time.perf_counter()
            if first_step_done is None:
                first_step_done, first_call_steps = now, group
            # Reading the logs forces the host to wait for the device, so the
            # bar refreshes at most every 0.2 s (and always on the last step).
            if verbose and (done_in_epoch == steps_this_epoch or self.out_of_time
                            or (verbose == 1 and now - last_display > 0.2)):
                progress.update(done_in_epoch, finalize=True if self.out_of_time else None,
                                values=[(k, float(v)) for k, v in logs.items()]
                                + self.clock.progress_values())
                last_display = now
            if settings.checkpoint_every and self.step % settings.checkpoint_every == 0:
                self.save({k: float(v) for k, v in logs.items()})
            if on_step is not None:
                on_step(self.step)
            if self.out_of_time:
                break
        logs_ready = {k: float(v) for k, v in logs.items()}  # waits for the last step
        self.ended = time.perf_counter()
        # Throughput excludes each epoch's first call (tracing, XLA
        # compilation, iterator start) and the epoch-end work.
        steps_timed = self.step - epoch_start - self.skip - first_call_steps
        if first_step_done is not None and steps_timed > 0:
            self._measured_examples += steps_timed * self.step_batch
            self._measured_seconds += self.ended - first_step_done
        return logs_ready

    def _group_size(self) -> int:
        """How many steps the next call runs: ``--steps-per-execution``, cut at the
        epoch's end and at the next ``--checkpoint-every`` step."""
        group = min(self.group, self.epoch_last_step - self.step)
        every = self.settings.checkpoint_every
        if every:
            group = min(group, every - self.step % every)
        return max(1, group)

    def save(self, logs: dict[str, float]) -> None:
        """Checkpoint the current step, once the guard has found the state good."""
        self.guard.check(logs, self.step, self.manager)
        if self.step == self.epoch_last_step:
            self._mark_epoch_end()
        with _writing(self.write_dir):
            self.manager.save(checkpoint_number=self.step)

    def close_epoch(self, logs: dict[str, float]) -> dict:
        """Checkpoint the epoch (unless it diverged); its history row."""
        self.epochs_run += 1
        row = {"epoch": self.epoch + 1, "step": self.step,
               "seconds": round(self.ended - self.started, 3), **logs}
        if plan_lib.thins_epoch_ends(self.settings, self.model) \
                and (self.epoch + 1) % self.settings.sample_every and not self.finished():
            # short epochs: checkpoint every --sample-every epochs and at the last; a kill
            # in between resumes from the last one and replays the epochs exactly
            return row
        self._mark_epoch_end(seconds=row["seconds"])
        self.save(logs)
        return row

    def _mark_epoch_end(self, seconds: float | None = None) -> None:
        """Record in the next checkpoint that it closes the current epoch."""
        if seconds is None:
            seconds = round(time.perf_counter() - self.started, 3)
        self.epoch_state.epoch_end.assign([self.step, self.epoch + 1])
        self.epoch_state.epoch_seconds.assign(seconds)

    def unfinished_epoch_end(self, history: list[dict]) -> dict | None:
        """The history row of the epoch the restored checkpoint closed, when its epoch
        end (history row, pictures, TensorBoard) never ran: the process was killed
        between the checkpoint and them. None otherwise."""
        step, epoch = (int(x) for x in self.epoch_state.epoch_end.numpy())
        if step < 0 or step != self.start_step:
            return None  # no epoch end, or a later mid-epoch checkpoint
        # Read on every worker (under MultiWorkerMirroredStrategy a metric's value is
        # a collective that all of them must join), decided by the history, which
        # only the chief writes.
        logs = {name: float(tracker.result()) for name, tracker in self.model.trackers.items()}
        if not self.chief or any(int(r["epoch"]) == epoch and int(r["step"]) == step
                                 for r in history):
            return None
        return {"epoch": epoch, "step": step,
                "seconds": round(float(self.epoch_state.epoch_seconds.numpy()), 3), **logs}

    def save_on_interrupt(self) -> int:
        # The interrupt may land between a finished step and `step += 1`:
        # the optimizers' counter is the truth.
        step = self.step = self.model.steps_taken()
        self.guard.check({}, step, self.manager)  # a diverged state is not saved either
        if step == self.epoch_last_step and (
                int(self.epoch_state.epoch_end[0]) != step):
            self._mark_epoch_end()  # stopped after the epoch's last step, before its end
        self.manager.save(checkpoint_number=step)
        return step

    def examples_per_second(self) -> float:
        return (self._measured_examples / self._measured_seconds if self._measured_seconds
                else 0.0)


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


def _check_labels(model, source) -> None:
    """A conditional model needs a labelled dataset whose classes fit its config."""
    if not source.num_classes:
        raise GenzooError(
            f"this {model.registry_name} model "
            f"{'is conditional and ' if model.generative or model.reconstructs else ''}needs a labelled "
            "dataset; "
            f"{source.name} has no labels"
        )
    wanted = model.num_classes()
    if source.num_classes > wanted:
        raise GenzooError(
            f"{source.name} has {source.num_classes} classes but the model's num_classes is "
            f"{wanted}; pass --set num_classes={source.num_classes}"
        )


def _epoch_pipeline_options(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """The options of an epoch's input pipeline: sharded by data (in-memory sources have
    no files to shard; multi-worker runs split batches), and without tf.data's
    model-based autotuner. Each epoch builds a pipeline of its own, and deleting its
    iterator joins the autotuner's thread: 70-600 ms per epoch on 2 cores (a fifth of
    a dense VAE's epoch), for a pipeline that, cached, only shuffles and batches.
    Prefetching still adapts its buffer (``prefetch(AUTOTUNE)``'s own tuner)."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.autotune.enabled = False
    return dataset.with_options(options)
