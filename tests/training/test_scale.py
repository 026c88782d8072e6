"""Issue 8, scale and speed: strategy selection, TF_CONFIG checks, chief-only
writes, mixed precision (finite, float32 penalties and exports) and XLA for
every registered model.

The two-process MultiWorkerMirroredStrategy run is in test_multiworker.py
(slow tier).
"""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import require_two_logical_cpus

from keras_genzoo import registry
from keras_genzoo.errors import GenzooError
from keras_genzoo.training import plan as plan_lib
from keras_genzoo import runs
from keras_genzoo.training import strategy as strategy_lib
from keras_genzoo.training import trainer
from zoo_cli.main import main

#: each family's tiny test configuration (``--set`` values), so that a few
#: steps of each trace and run in seconds on two CPU cores
TINY_ZOO = {spec.name: spec.tiny for spec in registry.all_specs()}
BATCH = 16
#: the models whose penalties must stay in float32: GP, R1 (gan with r1_gamma
#: and stylegan), contractive; plus a VAE (KL, sampling) and cgan (labels)
# wgan-gp and vae in the slow tier: gan and cgan cover the adversarial step in the fast
# tier, contractive-ae the autoencoders'
MIXED_PRECISION_MODELS = (pytest.param("wgan-gp", marks=pytest.mark.slow), "gan",
                          pytest.param("adain-style", marks=pytest.mark.slow),
                          pytest.param("stylegan", marks=pytest.mark.slow),
                          "contractive-ae", pytest.param("vae", marks=pytest.mark.slow), "cgan")
# stylegan's R1 is gan's (r1_gamma) in float32; its own bfloat16 run, the slowest of the
# file by far, is in the slow tier


@pytest.fixture(autouse=True)
def _float32_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


def _plan(model, out, **settings):
    settings.setdefault("batch_size", BATCH)
    return plan_lib.resolve_plan(model, overrides=dict(TINY_ZOO[model]), out_dir=str(out),
                                **settings)


def test_the_tiny_settings_cover_the_whole_registry():
    assert set(TINY_ZOO) == set(registry.names())


# ------------------------------------------------------------ strategies
def test_auto_is_the_default_strategy_with_at_most_one_gpu(monkeypatch):
    assert "default strategy, 1 replica" == strategy_lib.describe(strategy_lib.make_strategy("auto"))
    made = []
    monkeypatch.setattr(tf.config, "list_logical_devices",
                        lambda kind=None: ["/gpu:0"] if kind == "GPU" else [])
    strategy_lib.make_strategy("auto")
    monkeypatch.setattr(tf.config, "list_logical_devices",
                        lambda kind=None: ["/gpu:0", "/gpu:1"] if kind == "GPU" else [])
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", lambda *a, **k: made.append(k) or "M")
    assert strategy_lib.make_strategy("auto") == "M" and len(made) == 1


def test_mirrored_on_cpu_uses_every_logical_cpu():
    require_two_logical_cpus()
    strategy = strategy_lib.make_strategy("mirrored")
    assert strategy_lib.describe(strategy) == "MirroredStrategy, 2 replicas"


def test_unknown_strategy_and_tpu_without_a_tpu_are_one_line_errors():
    with pytest.raises(GenzooError, match="unknown strategy 'gpu'; valid: default"):
        strategy_lib.make_strategy("gpu")
    with pytest.raises(GenzooError, match="--strategy tpu: no TPU found") as error:
        strategy_lib.make_strategy("tpu")
    assert "\n" not in str(error.value)


GOOD_CLUSTER = {"worker": ["localhost:12345", "localhost:12346"]}


@pytest.mark.parametrize("tf_config, message", [
    (None, "needs TF_CONFIG in the environment"),
    ("{not json", "TF_CONFIG is not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    (json.dumps({"task": {"type": "worker", "index": 0}}), "TF_CONFIG has no 'cluster'"),
    (json.dumps({"cluster": {"worker": ["localhost"]}, "task": {"type": "worker", "index": 0}}),
     "'host:port' strings"),
    (json.dumps({"cluster": {"ps": ["a:1"]}, "task": {"type": "ps", "index": 0}}),
     "no 'worker' (or 'chief') list"),
    (json.dumps({"cluster": GOOD_CLUSTER}), "no 'task' with 'type' and 'index'"),
    (json.dumps({"cluster": GOOD_CLUSTER, "task": {"type": "chief", "index": 0}}),
     "task type 'chief' is not in the cluster (jobs: worker)"),
    (json.dumps({"cluster": GOOD_CLUSTER, "task": {"type": "worker", "index": 2}}),
     "task index 2 is out of range: the cluster's 'worker' list has 2 entries"),
])
def test_tf_config_problems_are_named(monkeypatch, tf_config, message):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    if tf_config is not None:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(GenzooError) as error:
        strategy_lib.read_tf_config()
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("cluster, task, chief", [
    (GOOD_CLUSTER, {"type": "worker", "index": 0}, True),
    (GOOD_CLUSTER, {"type": "worker", "index": 1}, False),
    ({"chief": ["a:1"], **GOOD_CLUSTER}, {"type": "worker", "index": 0}, False),
    ({"chief": ["a:1"], **GOOD_CLUSTER}, {"type": "chief", "index": 0}, True),
])
def test_the_chief_is_the_chief_task_or_worker_zero(monkeypatch, cluster, task, chief):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))
    assert strategy_lib.is_chief_task(strategy_lib.read_tf_config()) is chief


def test_cli_refuses_a_bad_tf_config_before_writing_anything(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": GOOD_CLUSTER}))
    out = tmp_path / "run"
    code = main(["train", "dcgan", "--strategy", "multiworker", "--steps", "1", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("genzoo: error: TF_CONFIG has no 'task'"), err
    assert "\n" not in err and not out.exists()


def test_cli_tpu_without_a_tpu_is_one_line_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "run"
    code = main(["train", "dcgan", "--strategy", "tpu", "--steps", "1", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("genzoo: error: --strategy tpu: no TPU found"), err
    assert "\n" not in err and not out.exists()


def test_a_non_chief_worker_writes_nothing_and_removes_its_scratch_directory(
        tmp_path, monkeypatch):
    """Chief-only writes (DESIGN.md 4.5): a worker that is not the chief trains
    (every worker runs every step) but leaves no file behind."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(trainer.tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(strategy_lib, "is_chief", lambda strategy: False)
    out = tmp_path / "run"
    made = []
    original_mkdtemp = trainer.tempfile.mkdtemp
    monkeypatch.setattr(trainer.tempfile, "mkdtemp",
                        lambda **kw: made.append(original_mkdtemp(**kw)) or made[-1])
    result = trainer.train(_plan("dcgan", out, steps=3), verbose=0)
    assert result.steps == 3 and not result.chief
    assert len(made) == 1 and "genzoo-worker-" in made[-1]  # it had a scratch directory
    assert np.isfinite(float(result.history[-1]["d_loss"]))
    assert not out.exists()
    # the scratch checkpoints and logs are gone (autograph leaves its own files here)
    assert not [p for p in scratch.iterdir() if p.name.startswith("genzoo-worker-")]

    monkeypatch.setattr(strategy_lib, "is_chief", lambda strategy: True)
    trainer.train(_plan("dcgan", out, steps=3), verbose=0)
    assert {"config.json", "checkpoints", "history.csv", "samples", "logs"} <= {
        p.name for p in out.iterdir()}


# ------------------------------------------------------- mixed precision
def _signature_dtypes(export_dir):
    loaded = tf.saved_model.load(str(export_dir))
    dtypes = {}
    for name, function in loaded.signatures.items():
        inputs = function.structured_input_signature[1]
        dtypes[name] = ({k: spec.dtype for k, spec in inputs.items()},
                        {k: spec.dtype for k, spec in function.structured_outputs.items()})
    return dtypes


@pytest.mark.parametrize("model_name", MIXED_PRECISION_MODELS)
def test_mixed_precision_stays_finite_and_exports_float32(tmp_path, monkeypatch, model_name):
    """A short mixed-precision run (bfloat16 on this CPU machine): every
    optimizer loss-scaled, logs finite, and the export float32 at the boundary
    exactly like a float32 run's."""
    from keras_genzoo.commands.export import export_run

    built = {}
    original = runs.build_model

    def keep(*args, **kwargs):
        built["model"] = original(*args, **kwargs)
        return built["model"]

    monkeypatch.setattr(runs, "build_model", keep)
    result = trainer.train(_plan(model_name, tmp_path / "mixed", steps=4,
                                 mixed_precision=True), verbose=0)
    monkeypatch.setattr(runs, "build_model", original)
    model = built["model"]
    assert model.dtype_policy.name == "mixed_bfloat16"
    assert model.network_optimizers and all(
        isinstance(o, keras.optimizers.LossScaleOptimizer)
        for o in model.network_optimizers.values())
    logs = {k: float(v) for k, v in result.history[-1].items() if k not in ("epoch", "step")}
    assert np.isfinite(list(logs.values())).all(), logs

    keras.mixed_precision.set_global_policy("float32")
    trainer.train(_plan(model_name, tmp_path / "float32", steps=4), verbose=0)
    mixed = export_run(tmp_path / "mixed", tmp_path / "export-mixed", onnx=False)
    plain = export_run(tmp_path / "float32", tmp_path / "export-float32", onnx=False)
    mixed_dtypes = _signature_dtypes(mixed.path)
    assert mixed_dtypes == _signature_dtypes(plain.path)
    for inputs, outputs in mixed_dtypes.values():
        assert all(d == tf.float32 for d in outputs.values()), mixed_dtypes
        assert all(d in (tf.float32, tf.int32, tf.int64) for d in inputs.values()), mixed_dtypes


def test_penalties_are_float32_under_a_16_bit_policy():
    """GP and R1 go through a bfloat16 critic but come back in float32 and
    match the float32 closed forms to bfloat16's precision."""
    from keras_genzoo.losses.penalties import gradient_penalty, r1_penalty

    rng = np.random.default_rng(0)
    w = rng.normal(size=(6, 1)).astype(np.float32)
    real, fake = rng.normal(size=(2, 5, 6)).astype(np.float32)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    critic = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, use_bias=False)])
    critic.layers[0].kernel.assign(w)
    assert critic.layers[0].compute_dtype == "bfloat16"
    gp = gradient_penalty(critic, real, fake, rng.uniform(size=5).astype(np.float32))
    r1 = r1_penalty(critic, real)
    assert gp.dtype == tf.float32 and r1.dtype == tf.float32
    norm = np.linalg.norm(w)
    np.testing.assert_allclose(gp, (norm - 1.0) ** 2, rtol=3e-2)
    np.testing.assert_allclose(r1, norm ** 2, rtol=3e-2)


def test_mixed_precision_is_refused_where_it_would_do_nothing(capsys, tmp_path):
    out = tmp_path / "run"
    code = main(["train", "recirculation-ae", "--mixed-precision", "--steps", "1",
                 "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--mixed-precision is not supported for this recirculation-ae" in err
    assert "\n" not in err and not out.exists()


# ------------------------------------------------------------------- XLA
def _xla_models():
    return sorted(TINY_ZOO)


@pytest.mark.slow
@pytest.mark.parametrize("model_name", _xla_models())
def test_every_models_train_step_compiles_with_xla(tmp_path, model_name):
    """``--xla`` compiles ``train_step`` with ``jit_compile=True`` for every
    registered model (the contractive AE's autodiff preset is refused with a
    reason instead: test_cli_autoencoders)."""
    result = trainer.train(_plan(model_name, tmp_path / "x", steps=3, xla=True), verbose=0)
    assert result.steps == 3
    logs = {k: float(v) for k, v in result.history[-1].items() if k not in ("epoch", "step")}
    assert np.isfinite(list(logs.values())).all(), logs


def test_xla_really_compiles(monkeypatch):
    """Guard for the XLA test above: the trainer asks for jit_compile=True."""
    asked = []
    original = tf.function

    def spy(*args, **kwargs):
        asked.append(kwargs.get("jit_compile"))
        return original(*args, **kwargs)

    monkeypatch.setattr(tf, "function", spy)

    class Model:
        def train_step(self, batch):
            return {"x": tf.reduce_sum(batch)}

    step = trainer.make_train_function(Model(), tf.distribute.get_strategy(), xla=True)
    assert True in asked
    assert float(step(tf.ones([3]))["x"]) == 3.0
