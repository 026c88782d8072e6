"""Nothing lost, nothing mixed: the divergence guard, the run-directory lock, falling back
past damaged checkpoints, leftovers of killed processes, epoch ends redone after a kill,
SIGTERM and write errors (issue 17)."""

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import TINY_DCGAN, weights_of
from keras_genzoo import runs
from keras_genzoo.errors import GenzooError
from keras_genzoo.training import hooks as hooks_lib
from keras_genzoo.training import plan as plan_lib
from keras_genzoo.training import trainer

# digits train split: 1617 images -> 6 steps per epoch at batch 256
BATCH = 256


def _plan(out, **settings):
    settings.setdefault("batch_size", BATCH)
    overrides = {k: str(v) for k, v in TINY_DCGAN.items()}
    overrides.update(settings.pop("overrides", {}))
    return plan_lib.resolve_plan("dcgan", overrides=overrides, out_dir=str(out), **settings)


@pytest.fixture(autouse=True)
def _float32_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A 12-step run (checkpoints 6 and 12), trained once; tests copy it."""
    out = tmp_path_factory.mktemp("trained") / "run"
    trainer.train(_plan(out, steps=12), verbose=0)
    keras.mixed_precision.set_global_policy("float32")
    return out


def _copy(run, tmp_path):
    return pathlib.Path(shutil.copytree(run, tmp_path / "run"))


class _Poisoner(hooks_lib.EpochEndHook):
    """Sets the generator's first weight to ``value`` after step ``at_step`` (the model
    comes from the first epoch end, so ``at_step`` is in the second epoch or later)."""

    def __init__(self, at_step, value):
        self.at_step, self.value, self.model = at_step, value, None

    def on_epoch_end(self, end):
        self.model = end.model

    def on_step(self, step):
        if step == self.at_step:
            variable = self.model.generator.weights[0]
            variable.assign(tf.fill(variable.shape, self.value))


# ------------------------------------------------------------------ the divergence guard
def test_a_diverged_first_step_leaves_no_run_directory(tmp_path):
    """generator_lr=1e36: the losses of step 1 are finite, the weights after it are not
    (the old guard looked at the losses only and saved ckpt-1 with weights of 1e36)."""
    out = tmp_path / "run"
    plan = _plan(out, steps=10, checkpoint_every=1, overrides={"generator_lr": "1e36"})
    with pytest.raises(trainer.TrainingDiverged, match="no checkpoint was written"):
        trainer.train(plan, verbose=0)
    assert not out.exists()


def test_the_bound_catches_a_run_whose_values_are_still_finite(tmp_path):
    """lr 1e6: losses of 1e13 and weights of 1e25, all finite: the old guard saw nothing."""
    plan = _plan(tmp_path / "run", steps=10, checkpoint_every=2,
                 overrides={"generator_lr": "1e6", "discriminator_lr": "1e6"})
    with pytest.raises(trainer.TrainingDiverged, match=r"divergence bound 1e\+06"):
        trainer.train(plan, verbose=0)


@pytest.mark.parametrize("poison, problem", [(np.nan, r"a network weight is NaN or infinite"),
                                             (3e7, r"a network weight reached \d")])
def test_the_named_last_good_checkpoint_is_good(tmp_path, poison, problem):
    out = tmp_path / "run"
    # the first epoch (6 steps) is clean; the weight is poisoned after step 9
    poisoner = _Poisoner(at_step=9, value=poison)
    with pytest.raises(trainer.TrainingDiverged) as caught:
        trainer.train(_plan(out, steps=12, checkpoint_every=2), verbose=0, hooks=[poisoner],
                      on_step=poisoner.on_step)
    message = str(caught.value)
    assert re.search(problem, message), message
    assert message.endswith("try a lower learning rate with --set")
    assert f"the last good checkpoint is {out / 'checkpoints' / 'ckpt-8'}" in message
    assert runs.checkpoint_problem(str(out / "checkpoints" / "ckpt-8")) is None
    model, _ = runs.load_trained_model(out)  # sampleable
    assert model.outputs_are_finite()
    assert runs.find_checkpoint(out).step == 8  # nothing after the poison was saved


def test_divergence_bound_zero_turns_the_bound_off(tmp_path):
    out = tmp_path / "run"
    poisoner = _Poisoner(at_step=7, value=3e7)
    trainer.train(_plan(out, steps=8, checkpoint_every=2, divergence_bound=0.0), verbose=0,
                  hooks=[poisoner], on_step=poisoner.on_step)
    assert runs.find_checkpoint(out).step == 8


def test_a_model_whose_probe_output_is_not_finite_is_refused(tmp_path, trained_run):
    """A checkpoint whose weights are finite but so large that the output overflows:
    sample and export refuse it in one line."""
    out = _copy(trained_run, tmp_path)
    model, _ = runs.load_trained_model(out)
    for variable in model.generator.weights:
        variable.assign(tf.fill(variable.shape, 1e30))
    assert not model.outputs_are_finite()
    checkpoint = tf.train.Checkpoint(**model.networks())
    checkpoint.write(str(out / "checkpoints" / "ckpt-12"))
    with pytest.raises(GenzooError, match="gives NaN or Inf on a fixed probe batch"):
        runs.load_trained_model(out)


# ------------------------------------------------------------------ one process per run
def test_a_second_trainer_on_a_locked_run_directory_is_refused(tmp_path, trained_run):
    out = _copy(trained_run, tmp_path)
    with runs.directory_lock(out, runs.TRAIN_LOCK, what="training"):
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
        with pytest.raises(GenzooError, match=rf"in use by another genzoo process \(pid "
                                              rf"{os.getpid()}, training\)"):
            trainer.train(_plan(out, steps=18), verbose=0)
        assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_the_lock_dies_with_its_process(tmp_path):
    """kill -9 of the holder: the kernel releases the flock, no stale lock to clean."""
    script = textwrap.dedent(f"""
        import sys, time
        from keras_genzoo import runs
        with runs.directory_lock({str(tmp_path)!r}, runs.TRAIN_LOCK, what="training"):
            print("locked", flush=True)
            time.sleep(60)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(GenzooError, match=f"pid {holder.pid}"):
            with runs.directory_lock(tmp_path, runs.TRAIN_LOCK, what="training"):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        holder.kill()
    with runs.directory_lock(tmp_path, runs.TRAIN_LOCK, what="training"):
        pass


def test_a_run_started_by_another_process_meanwhile_is_not_overwritten(tmp_path):
    out = tmp_path / "run"
    plan = _plan(out, steps=6)  # resolved while the directory was empty: a new run
    runs.write_run_config(out, {"model": "dcgan", "config": {}})
    with pytest.raises(GenzooError, match="started a run in .* meanwhile"):
        trainer.train(plan, verbose=0)
    assert runs.read_run_config(out) == {"model": "dcgan", "config": {}}


# ------------------------------------------------------------------ damaged checkpoints
def _truncate(prefix):
    data = next(iter(sorted(prefix.parent.glob(prefix.name + ".data-*"))))
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])


@pytest.mark.parametrize("damage", ["truncated", "deleted", "garbage index"])
def test_a_damaged_newest_checkpoint_falls_back_to_the_intact_one(tmp_path, capsys, damage,
                                                                  trained_run):
    out = _copy(trained_run, tmp_path)
    newest = out / "checkpoints" / "ckpt-12"
    if damage == "truncated":
        _truncate(newest)
    elif damage == "deleted":
        for path in out.glob("checkpoints/ckpt-12.*"):
            path.unlink()
    else:
        (out / "checkpoints" / "ckpt-12.index").write_bytes(b"not an index")
    capsys.readouterr()

    choice = runs.find_checkpoint(out)
    assert choice.step == 6 and [p for p, _ in choice.skipped] == [str(newest)]
    model, _ = runs.load_trained_model(out)
    note = capsys.readouterr().err.strip()
    assert note.startswith("genzoo: warning: skipped damaged checkpoint(s): ckpt-12 ")
    assert note.endswith("using ckpt-6") and "\n" not in note
    assert model.checkpoint_path == str(out / "checkpoints" / "ckpt-6")
    if damage != "truncated":
        return
    # train resumes from ckpt-6, writes step 12 again, and matches the undamaged run
    seen = []
    trainer.train(_plan(out, steps=12), verbose=0, on_step=seen.append)
    assert seen[0] == 7 and runs.find_checkpoint(out).skipped == []
    # the damaged files are kept aside, not deleted
    assert sorted(p.name for p in (out / "checkpoints" / "damaged").iterdir())[0].startswith(
        "ckpt-12.data-")
    a, _ = runs.load_trained_model(trained_run)
    b, _ = runs.load_trained_model(out)
    for wa, wb in zip(weights_of(a.generator), weights_of(b.generator)):
        np.testing.assert_allclose(wa, wb, atol=1e-5)


@pytest.mark.parametrize("index", ["", "garbage {{\n"])
def test_an_empty_or_garbled_checkpoint_index_is_read_around(tmp_path, capsys, trained_run,
                                                             index):
    """A power cut can leave ``checkpoints/checkpoint`` empty: TensorFlow's own reader
    raises on it (or logs warnings); the checkpoints themselves are fine."""
    out = _copy(trained_run, tmp_path)
    (out / "checkpoints" / "checkpoint").write_text(index)
    capsys.readouterr()
    model, _ = runs.load_trained_model(out)
    assert model.checkpoint_path.endswith("ckpt-12") and capsys.readouterr().err == ""
    result = trainer.train(_plan(out, steps=18), verbose=0)
    assert result.steps == 18 and runs.indexed_checkpoints_readable(out)
    assert tf.train.latest_checkpoint(str(out / "checkpoints")).endswith("ckpt-18")


def test_no_intact_checkpoint_is_one_line(tmp_path, trained_run):
    out = _copy(trained_run, tmp_path)
    for step in (6, 12):
        _truncate(out / "checkpoints" / f"ckpt-{step}")
    with pytest.raises(GenzooError, match=r"has no intact checkpoint \(ckpt-12 is unreadable"):
        runs.load_trained_model(out, report=lambda line: None)
    with pytest.raises(GenzooError, match="has no intact checkpoint .*; train again in a new"):
        trainer.train(_plan(out, steps=18), verbose=0)


def test_leftovers_of_a_killed_process_are_removed_by_the_next_run(tmp_path, trained_run):
    out = _copy(trained_run, tmp_path)
    temp_checkpoint = out / "checkpoints" / "ckpt-15_temp"
    temp_checkpoint.mkdir()
    (temp_checkpoint / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"x" * 100)
    half_written = out / ".history.csv.abc123.tmp"
    half_written.write_text("epoch,st")
    # another command's file in flight (genzoo eval, under its own lock) is not ours
    evaluating = out / ".eval.json.x1y2.tmp"
    evaluating.write_text("{")
    result = trainer.train(_plan(out, steps=12), verbose=0)  # nothing left to train
    assert result.epochs_run == 0
    assert not temp_checkpoint.exists() and not half_written.exists()
    assert evaluating.exists()


# ------------------------------------------------------------------ exact artifacts
class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs, no checkpoint is saved."""


def test_an_epoch_end_cut_short_is_redone_on_resume(tmp_path, monkeypatch):
    """Killed after epoch 2's checkpoint, before its history row, grid and scalars."""
    straight = tmp_path / "straight"
    trainer.train(_plan(straight, steps=18), verbose=0)

    out = tmp_path / "run"
    write_history = hooks_lib.HistoryFile.on_epoch_end

    def killed_at_epoch_2(self, end):
        if end.epoch == 2:
            raise _Killed
        write_history(self, end)

    monkeypatch.setattr(hooks_lib.HistoryFile, "on_epoch_end", killed_at_epoch_2)
    with pytest.raises(_Killed):
        trainer.train(_plan(out, steps=18), verbose=0)
    assert runs.find_checkpoint(out).step == 12
    assert [r["epoch"] for r in runs.read_history(out)] == ["1"]
    assert not (out / "samples" / "epoch_0002.png").exists()
    monkeypatch.setattr(hooks_lib.HistoryFile, "on_epoch_end", write_history)

    trainer.train(_plan(out, steps=18), verbose=0)
    rows, expected = runs.read_history(out), runs.read_history(straight)
    assert [r["step"] for r in rows] == [r["step"] for r in expected] == ["6", "12", "18"]
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose([float(r[name]) for r in rows],
                                   [float(r[name]) for r in expected], rtol=1e-5, err_msg=name)
    assert sorted(p.name for p in (out / "samples").iterdir()) == [
        "epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]
    scalar_steps = set()
    for event_file in (out / "logs").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            if any(value.tag == "d_loss" for value in event.summary.value):
                scalar_steps.add(event.step)
    assert scalar_steps == {6, 12, 18}


def test_stopped_after_an_epochs_last_step_the_resume_still_ends_that_epoch(tmp_path,
                                                                              trained_run):
    """Ctrl-C right after step 6 (the first epoch's last), before its epoch end: the
    checkpoint of step 6 records the epoch end, and the resumed run writes its row."""
    out = tmp_path / "run"

    def interrupt(step):
        if step == 6:
            raise KeyboardInterrupt

    with pytest.raises(trainer.Interrupted):
        trainer.train(_plan(out, steps=12), verbose=0, on_step=interrupt)
    assert runs.read_history(out) == []
    trainer.train(_plan(out, steps=12), verbose=0)
    rows, expected = runs.read_history(out), runs.read_history(trained_run)
    assert [r["step"] for r in rows] == ["6", "12"]
    for name in ("d_loss", "g_loss"):
        np.testing.assert_allclose([float(r[name]) for r in rows],
                                   [float(r[name]) for r in expected], rtol=1e-5)
    assert sorted(p.name for p in (out / "samples").iterdir()) == [
        "epoch_0001.png", "epoch_0002.png"]


def test_sigterm_saves_a_checkpoint_like_ctrl_c(tmp_path):
    out = tmp_path / "run"

    def terminate(step):
        if step == 4:
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(trainer.Interrupted) as stop:
        trainer.train(_plan(out, steps=12), verbose=0, on_step=terminate)
    assert stop.value.step == 4 and runs.find_checkpoint(out).step == 4
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler restored


@pytest.mark.parametrize("error", [
    tf.errors.PermissionDeniedError(None, None, "ckpt-12_temp; Permission denied [Op:SaveV2]"),
    OSError(28, "No space left on device"),
])
def test_a_write_error_mid_training_is_one_line_and_keeps_the_last_checkpoint(
        tmp_path, monkeypatch, error):
    out = tmp_path / "run"
    save = tf.train.CheckpointManager.save

    def failing_save(self, checkpoint_number=None, **kwargs):
        if checkpoint_number == 12:
            raise error
        return save(self, checkpoint_number=checkpoint_number, **kwargs)

    monkeypatch.setattr(tf.train.CheckpointManager, "save", failing_save)
    with pytest.raises(GenzooError) as caught:
        trainer.train(_plan(out, steps=18), verbose=0)
    message = str(caught.value)
    assert message.startswith(f"cannot write to {out}: ") and "\n" not in message
    assert message.endswith(f"the last checkpoint, {out / 'checkpoints' / 'ckpt-6'}, is intact")
    assert runs.find_checkpoint(out).step == 6


def test_the_guard_measures_variable_lists_of_any_length_and_shape():
    """The guard's measure: the largest magnitude over every variable, empty ones skipped,
    and whether every value is finite; lists of different lengths and shapes (a grown
    progressive model, a reset optimizer) are measured alike."""
    variables = [tf.Variable([[-3.0, 2.0]]), tf.Variable(tf.zeros([0])), tf.Variable([1.5])]
    assert trainer._largest_and_finite(variables) == (3.0, True)
    assert trainer._largest_and_finite(variables[2:]) == (1.5, True)
    variables.append(tf.Variable([np.inf, 0.0]))
    assert trainer._largest_and_finite(variables)[1] is False
    assert trainer._largest_and_finite([]) == (0.0, True)
