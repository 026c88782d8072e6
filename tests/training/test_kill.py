"""kill -9 at random moments of training and export (slow tier).

Each case runs the real command in a child process and kills it: at random moments
(seeded, so a failure can be replayed), and once exactly between an epoch's checkpoint
and its epoch-end artifacts. The same command is then run again until it finishes.
The result must be what one uninterrupted run gives: the same weights, the same
history, a sample grid for every epoch, and nothing half-written left behind.
"""

import dataclasses
import os
import pathlib
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from helpers import REPRODUCIBLE_TF_ENV, TINY_DCGAN, weights_of
from keras_genzoo import runs

pytestmark = pytest.mark.slow

STEPS, BATCH = 18, 256  # 6 steps per epoch on the digits: 3 epochs
TRAIN_ARGS = ["train", "dcgan", *[a for k, v in TINY_DCGAN.items() if k != "image_size"
                                  for a in ("--set", f"{k}={v}")],
              "--image-size", str(TINY_DCGAN["image_size"]), "--steps", str(STEPS),
              "--batch-size", str(BATCH), "--checkpoint-every", "4", "--seed", "3"]

#: runs the CLI; with GENZOO_TEST_KILL_EPOCH=N it SIGKILLs itself at epoch N's end,
#: after the checkpoint and before any epoch-end hook (once: a marker file remembers)
CHILD = textwrap.dedent("""
    import os, pathlib, signal, sys
    from keras_genzoo.training import trainer
    epoch, marker = os.environ.get("GENZOO_TEST_KILL_EPOCH"), os.environ.get("GENZOO_TEST_MARKER")
    if epoch and not pathlib.Path(marker).exists():
        end_epoch = trainer._end_epoch
        def killed_before_the_epoch_end(row, *args, **kwargs):
            if row["epoch"] == int(epoch):
                pathlib.Path(marker).write_text("killed")
                os.kill(os.getpid(), signal.SIGKILL)
            return end_epoch(row, *args, **kwargs)
        trainer._end_epoch = killed_before_the_epoch_end
    from zoo_cli.main import main
    sys.exit(main(sys.argv[1:]))
""")


def _start(args, env=None):
    return subprocess.Popen([sys.executable, "-c", CHILD, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **REPRODUCIBLE_TF_ENV,
                                 "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})})


def _run_with_kills(args, rng, *, kills, window, env=None):
    """Start ``args``, SIGKILL it after a random delay in ``window`` seconds, ``kills``
    times (or until it finishes on its own); then run it to the end. Returns how many
    kills landed."""
    landed = 0
    for _ in range(kills):
        child = _start(args, env)
        delay = rng.uniform(*window)
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            landed += 1
        child.communicate()
        if child.returncode == 0:
            return landed
        assert child.returncode in (-signal.SIGKILL, 0), child.stderr
    child = _start(args, env)
    _, err = child.communicate(timeout=900)
    assert child.returncode == 0, err
    return landed


def _leftovers(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")
                  if p.name.endswith("_temp") or (p.name.startswith(".") and p.name.endswith(".tmp"))
                  or p.name.startswith(".staging-"))


def _assert_same_run(run, reference):
    from keras_genzoo import runs as runs_lib

    assert runs_lib.find_checkpoint(run).step == STEPS
    rows, expected = runs_lib.read_history(run), runs_lib.read_history(reference)
    assert [(r["epoch"], r["step"]) for r in rows] == [(r["epoch"], r["step"]) for r in expected]
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose([float(r[name]) for r in rows],
                                   [float(r[name]) for r in expected], rtol=1e-5, err_msg=name)
    a, _ = runs_lib.load_trained_model(reference)
    b, _ = runs_lib.load_trained_model(run)
    for role in ("generator", "discriminator"):
        for wa, wb in zip(weights_of(a.networks()[role]), weights_of(b.networks()[role])):
            np.testing.assert_allclose(wa, wb, atol=1e-5, err_msg=role)
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        f"epoch_{e:04d}.png" for e in (1, 2, 3)]
    assert _leftovers(run) == []


def _timed(args) -> float:
    """Run ``args`` to the end in a child; its wall time, start-up included."""
    started = time.perf_counter()
    child = _start(args)
    _, err = child.communicate(timeout=900)
    assert child.returncode == 0, err
    return time.perf_counter() - started


@dataclasses.dataclass(frozen=True)
class Reference:
    """The uninterrupted run, and how long it took on this machine."""
    run: pathlib.Path
    seconds: float


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    return Reference(out, _timed([*TRAIN_ARGS, "--out", out]))


def test_killed_between_a_checkpoint_and_its_epoch_end_artifacts(tmp_path, reference):
    out = tmp_path / "run"
    env = {"GENZOO_TEST_KILL_EPOCH": "2", "GENZOO_TEST_MARKER": str(tmp_path / "killed")}
    child = _start([*TRAIN_ARGS, "--out", out], env)
    child.communicate(timeout=900)
    assert child.returncode == -signal.SIGKILL and (tmp_path / "killed").exists()
    assert runs.find_checkpoint(out).step == 12
    assert [r["epoch"] for r in runs.read_history(out)] == ["1"]  # epoch 2's row never came
    _run_with_kills([*TRAIN_ARGS, "--out", out], random.Random(0), kills=0, window=(0, 0),
                    env=env)
    _assert_same_run(out, reference.run)


def test_killed_at_random_moments_of_training(tmp_path, reference):
    """The kills fall between 0.3 and 0.75 of an uninterrupted run's time on this
    machine: past TensorFlow's import (several seconds), into training, checkpoints and
    epoch ends; a resumed child has less left to do, so some may finish first."""
    out = tmp_path / "run"
    started = time.perf_counter()
    landed = _run_with_kills([*TRAIN_ARGS, "--out", out], random.Random(17), kills=6,
                             window=(0.3 * reference.seconds, 0.75 * reference.seconds))
    assert landed >= 3
    _assert_same_run(out, reference.run)
    print(f"{landed} kills and the finishing run: {time.perf_counter() - started:.0f} s")


def test_killed_at_random_moments_of_export(tmp_path, reference):
    exports = tmp_path / "exports"
    seconds = _timed(["export", reference.run, "--to", tmp_path / "timed"])
    landed = _run_with_kills(["export", reference.run, "--to", exports], random.Random(5), kills=5,
                             window=(0.35 * seconds, 0.9 * seconds))
    assert landed >= 3
    assert _leftovers(exports) == []
    versions = sorted(p.name for p in (exports / "dcgan").iterdir())
    assert versions and all((exports / "dcgan" / v / "saved_model.pb").is_file()
                            for v in versions)
    assert 'base_path: "/models/dcgan"' in (exports / "models.config").read_text()
