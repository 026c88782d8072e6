"""The `genzoo` command: end to end through the console script, and bad input.

Bad input must give ONE line on stderr, exit code 2, no traceback, and
leave nothing half-written.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from keras_genzoo import runs
from zoo_cli.main import main

def _find_console_script():
    # pip puts console scripts beside the interpreter; PATH may only hold shims
    beside = os.path.join(os.path.dirname(os.path.realpath(sys.executable)), "genzoo")
    return beside if os.path.isfile(beside) else shutil.which("genzoo")


GENZOO = _find_console_script()
TINY = ["--set", "base_filters=8", "--set", "latent_dim=16", "--image-size", "16"]


def _console(*args, cwd=None, timeout=600):
    assert GENZOO, "the genzoo console script is not installed (pip install -e .)"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([GENZOO, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=env)


def test_help_and_list_answer_without_tensorflow():
    result = _console("--help")
    assert result.returncode == 0 and "train" in result.stdout and "export" in result.stdout
    listing = _console("list")
    assert listing.returncode == 0
    for expected in ("dcgan", "ae", "preset digits", "preset dense", "digits", "tfds:<name>",
                     "folder:<path>", "idx:<path>"):
        assert expected in listing.stdout
    # the lazy-import promise: list must not load TensorFlow
    probe = subprocess.run(
        [sys.executable, "-c",
         "import sys, contextlib, io\nfrom zoo_cli.main import main\n"
         "with contextlib.redirect_stdout(io.StringIO()): main(['list'])\n"
         "assert 'tensorflow' not in sys.modules"],
        capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr


def test_end_to_end_train_sample_export_info(tmp_path):
    run = tmp_path / "runs" / "dcgan"
    train = _console("train", "dcgan", *TINY, "--epochs", 1, "--batch-size", 256, "--out", run)
    assert train.returncode == 0, train.stderr
    assert "trained to step 6" in train.stdout
    assert "Epoch 1/1" in train.stdout  # Keras' progress bar, one line per epoch off a TTY
    assert (run / "samples" / "epoch_0001.png").is_file()
    assert json.loads((run / "config.json").read_text())["config"]["image_size"] == 16

    sample = _console("sample", run, "--num", 9, "--out", tmp_path / "grid.png", "--seed", 3)
    assert sample.returncode == 0, sample.stderr
    from PIL import Image

    assert Image.open(tmp_path / "grid.png").size[0] > 3 * 16

    export = _console("export", run, "--to", tmp_path / "exports")
    assert export.returncode == 0, export.stderr
    version = tmp_path / "exports" / "dcgan" / "1"
    assert (version / "saved_model.pb").is_file()
    assert (version / "assets.extra" / "onnx" / "serving_default.onnx").is_file()
    assert 'base_path: "/models/dcgan"' in (tmp_path / "exports" / "models.config").read_text()

    info = _console("info", tmp_path / "exports" / "dcgan")
    assert info.returncode == 0, info.stderr
    for expected in ("serving_default", "z", "images", "float32"):
        assert expected in info.stdout


def _fails_cleanly(capsys, argv, *fragments):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    captured = capsys.readouterr()
    assert code == 2, captured
    message = captured.err.strip()
    assert message.startswith("genzoo: error:") and "\n" not in message, message
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["train", "stylegan9"], ["unknown model 'stylegan9'", "dcgan", "ae"]),
        (["train", "dcgan", "--dataset", "imagenet21k:x"], ["unknown dataset source"]),
        (["train", "dcgan", "--set", "base_filter=8"], ["unknown config key 'base_filter'",
                                                        "base_filters", "latent_dim"]),
        (["train", "dcgan", "--set", "latent_dim=big"], ["latent_dim", "expected an integer"]),
        (["train", "dcgan", "--set", "latent_dim"], ["key=value"]),
        (["train", "dcgan", "--epochs", "0"], ["--epochs", "positive integer"]),
        (["train", "dcgan", "--batch-size", "-4"], ["--batch-size", "positive integer"]),
        (["train", "dcgan", "--minutes", "0"], ["--minutes", "positive number of minutes"]),
        (["train", "dcgan", "--minutes", "-1"], ["--minutes", "positive number of minutes"]),
        (["train", "dcgan", "--minutes", "soon"], ["--minutes", "positive number of minutes"]),
        (["train", "dcgan", "--minutes", "nan"], ["--minutes", "positive number of minutes"]),
        (["train", "dcgan", "--minutes", "inf"], ["--minutes", "positive number of minutes"]),
        (["train", "dcgan", "--preset", "huge"], ["unknown preset", "digits"]),
        (["train", "dcgan", "--image-size", "24"], ["power of two"]),
        (["sample", "/no/such/run"], ["no such run or export"]),
        (["info", "/no/such/export"], ["no such file or directory"]),
    ],
)
def test_bad_arguments(capsys, tmp_path, monkeypatch, argv, fragments):
    monkeypatch.chdir(tmp_path)
    _fails_cleanly(capsys, argv, *fragments)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even runs/


def test_missing_and_corrupt_data_paths(capsys, tmp_path):
    out = tmp_path / "run"
    _fails_cleanly(capsys, ["train", "ae", "--dataset", f"folder:{tmp_path / 'nope'}", "--out", out],
                   "does not exist", "nope")
    corrupt = tmp_path / "data" / "train-images-idx3-ubyte"
    corrupt.parent.mkdir()
    corrupt.write_bytes(b"\x00\x00\x08\x03garbage")
    _fails_cleanly(capsys, ["train", "ae", "--dataset", f"idx:{corrupt.parent}", "--out", out],
                   str(corrupt))
    empty = tmp_path / "empty"
    empty.mkdir()
    _fails_cleanly(capsys, ["train", "ae", "--dataset", f"folder:{empty}", "--out", out], str(empty))
    _fails_cleanly(capsys, ["train", "ae", "--batch-size", "4096", "--out", out], "larger than")
    assert not out.exists()


def test_unwritable_output_directory(capsys, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory")
    _fails_cleanly(capsys, ["train", "ae", "--out", blocker / "run"], "cannot create", "file.txt")
    _fails_cleanly(capsys, ["train", "ae", "--out", blocker], "is a file")
    assert blocker.read_text() == "not a directory"


def test_export_of_a_run_without_checkpoints(capsys, tmp_path):
    from keras_genzoo.training import plan as plan_lib

    plan = plan_lib.resolve_plan("ae", out_dir=str(tmp_path / "run"), steps=1)
    runs.write_run_config(plan.out_dir, plan.to_json())
    _fails_cleanly(capsys, ["export", tmp_path / "run", "--to", tmp_path / "exports"],
                   "no checkpoints")
    assert not (tmp_path / "exports").exists()
    _fails_cleanly(capsys, ["export", tmp_path / "nothing", "--to", tmp_path / "exports"],
                   "not a genzoo run")


def test_train_with_config_file_and_export_at_the_end(capsys, tmp_path):
    config = tmp_path / "tiny.yaml"
    config.write_text("code_dim: 4\nfilters: 4\n")
    out, exports = tmp_path / "run", tmp_path / "exports"
    code = main(["train", "ae", "--config", str(config), "--image-size", "16", "--steps", "2",
                 "--out", str(out), "--export", str(exports)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "exported ae version 1" in captured.out
    saved = json.loads((out / "config.json").read_text())
    assert saved["config"]["code_dim"] == 4 and saved["config"]["image_size"] == 16
    assert (exports / "ae" / "1" / "assets.extra" / "onnx" / "encode.onnx").is_file()
    # the same command again resumes the finished run: nothing to train, exports version 2
    assert main(["train", "ae", "--config", str(config), "--image-size", "16", "--steps", "2",
                 "--out", str(out), "--export", str(exports)]) == 0
    assert (exports / "ae" / "2" / "saved_model.pb").is_file()


def test_list_model_shows_presets_and_every_config_key(capsys):
    import dataclasses

    from keras_genzoo.models.dcgan.model import DCGANConfig

    assert main(["list", "dcgan"]) == 0
    out = capsys.readouterr().out
    for field in dataclasses.fields(DCGANConfig):
        assert field.name in out
    assert "celeba64" in out and "default 0.0002" in out
    _fails_cleanly(capsys, ["list", "nosuchmodel"], "unknown model")
