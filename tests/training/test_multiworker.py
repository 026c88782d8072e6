"""``--strategy multiworker`` end to end: two ``genzoo train`` processes on
loopback ports with ``TF_CONFIG`` (DESIGN.md 4.7), against one process with
the same global batch.

Slow tier: three TensorFlow processes start and trace (about a minute on two
cores).
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

TINY = ["--image-size", "16", "--set", "base_filters=8", "--set", "latent_dim=16"]
GLOBAL_BATCH = 32
STEPS = 6


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _train_command(out, *extra):
    return [sys.executable, "-m", "zoo_cli", "train", "dcgan", *TINY, "--batch-size",
            str(GLOBAL_BATCH), "--steps", str(STEPS), "--seed", "3", "--out", str(out), *extra]


@pytest.mark.slow
def test_two_workers_train_like_one_process_and_only_the_chief_writes(tmp_path):
    from keras_genzoo.runs import checkpoint_step, load_trained_model

    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    shared_out = tmp_path / "multiworker"
    worker_tmp = [tmp_path / f"tmp{index}" for index in range(2)]
    processes = []
    for index in range(2):
        worker_tmp[index].mkdir()
        env = dict(os.environ, TMPDIR=str(worker_tmp[index]), TF_CPP_MIN_LOG_LEVEL="2",
                   TF_CONFIG=json.dumps({"cluster": cluster,
                                         "task": {"type": "worker", "index": index}}))
        processes.append(subprocess.Popen(
            _train_command(shared_out, "--strategy", "multiworker"), env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    single_out = tmp_path / "single"
    single = subprocess.run(_train_command(single_out), capture_output=True, text=True,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), timeout=600)
    outputs = []
    for process in processes:
        output, _ = process.communicate(timeout=600)
        outputs.append(output)
        assert process.returncode == 0, output[-3000:]
    assert single.returncode == 0, single.stderr[-3000:]

    chief_log, other_log = outputs
    for log in outputs:
        assert "MultiWorkerMirroredStrategy, 2 replicas on 2 workers" in log, log[-2000:]
        assert f"trained to step {STEPS}" in log
    assert "the chief" in chief_log and "the chief" not in other_log.split("trained to step")[0]
    assert "samples:" in chief_log and "samples:" not in other_log

    # the chief's artifacts exist; the other worker's scratch directory is gone
    names = {p.name for p in shared_out.iterdir()}
    assert {"config.json", "checkpoints", "history.csv", "samples", "logs",
            "loss_curves.png"} <= names
    assert (shared_out / "checkpoints" / "checkpoint").is_file()
    assert sorted(p.name for p in (shared_out / "samples").iterdir()) == ["epoch_0001.png"]
    assert not [p for p in worker_tmp[1].iterdir() if p.name.startswith("genzoo-worker-")]

    # same global batch, same seed: the two workers trained like one process
    multi_model, _ = load_trained_model(shared_out)
    single_model, _ = load_trained_model(single_out)
    assert checkpoint_step(shared_out) == checkpoint_step(single_out) == STEPS
    for role, network in single_model.networks().items():
        other = multi_model.networks()[role]
        for a, b in zip(network.weights, other.weights):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=5e-5, rtol=1e-3,
                                       err_msg=f"{role}/{a.path}")
    np.testing.assert_allclose(multi_model.sample(16, seed=1), single_model.sample(16, seed=1),
                               atol=1e-4)
    with open(shared_out / "history.csv") as handle:
        multi_last = handle.read().splitlines()
    with open(single_out / "history.csv") as handle:
        single_last = handle.read().splitlines()
    header = multi_last[0].split(",")
    assert header == single_last[0].split(",")
    for name, a, b in zip(header, multi_last[-1].split(","), single_last[-1].split(",")):
        if name not in ("seconds", "g_grad_norm"):  # wall time; a replica-count bound
            assert float(a) == pytest.approx(float(b), rel=1e-3, abs=1e-4), name


@pytest.mark.slow
def test_a_time_budget_stops_every_worker_after_the_same_step(tmp_path):
    """--minutes alone: the workers' clocks start at different moments, but the run
    stops when the first of them runs out, on every worker after the same step (a
    worker that stopped alone would leave the other waiting in its collectives)."""
    import re

    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    out = tmp_path / "multiworker"
    processes = []
    for index in range(2):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
                   TF_CONFIG=json.dumps({"cluster": cluster,
                                         "task": {"type": "worker", "index": index}}))
        command = [sys.executable, "-m", "zoo_cli", "train", "dcgan", *TINY, "--batch-size",
                   str(GLOBAL_BATCH), "--minutes", "0.1", "--out", str(out),
                   "--strategy", "multiworker"]
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
    steps = []
    for process in processes:
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, output[-3000:]
        found = re.search(r"trained to step (\d+) .*budget ran out", output)
        assert found, output[-2000:]
        steps.append(int(found.group(1)))
    assert steps[0] == steps[1] > 0
