"""keras_genzoo.runs: the one atomic write, the writability check, config and history."""

import os
import stat

import pytest

from keras_genzoo import runs
from keras_genzoo.errors import ExportError, GenzooError


def test_atomic_write_replaces_the_file_only_on_success(tmp_path):
    path = tmp_path / "deep" / "config.json"
    runs.write_text(path, "first\n")
    assert path.read_text() == "first\n"
    with pytest.raises(RuntimeError):
        with runs.atomic_write(path) as stream:
            stream.write("half of the second")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "first\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.json"]  # no temp left


def test_atomic_write_gives_readable_permissions_and_binary_mode(tmp_path):
    path = tmp_path / "cache.bin"
    with runs.atomic_write(path, binary=True, permissions=0o640) as stream:
        stream.write(b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    runs.write_json(tmp_path / "a.json", {"x": 1})
    assert stat.S_IMODE(os.stat(tmp_path / "a.json").st_mode) == 0o644


def test_write_json_refuses_nan(tmp_path):
    with pytest.raises(ValueError):
        runs.write_json(tmp_path / "bad.json", {"x": float("nan")})
    assert not (tmp_path / "bad.json").exists()


def test_check_writable_names_the_blocker_with_the_callers_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(GenzooError, match=r"^cannot create .*file\.txt/run: .*not a directory"):
        runs.check_writable(blocker / "run")
    with pytest.raises(ExportError, match=r"^cannot create export directory "):
        runs.check_writable(blocker / "exports", error=ExportError, what="export directory ")
    runs.check_writable(tmp_path / "new" / "deeper")  # creatable: no error, nothing made
    assert not (tmp_path / "new").exists()


def test_history_round_trip_keeps_every_column(tmp_path):
    rows = [{"epoch": 1, "step": 10, "loss": 0.5},
            {"epoch": 2, "step": 20, "loss": 0.25, "eval_fid": 12.5}]
    runs.write_history(tmp_path, rows)
    back = runs.read_history(tmp_path)
    assert list(back[0]) == ["epoch", "step", "loss", "eval_fid"]
    assert back[0]["eval_fid"] == "" and back[1]["eval_fid"] == "12.5"
    assert runs.read_history(tmp_path / "missing") == []


def test_run_config_errors_are_one_line(tmp_path):
    with pytest.raises(GenzooError, match="not a genzoo run directory"):
        runs.read_run_config(tmp_path)
    (tmp_path / runs.CONFIG_FILE).write_text("{not json")
    with pytest.raises(GenzooError, match="corrupt"):
        runs.read_run_config(tmp_path)
    runs.write_run_config(tmp_path, {"model": "dcgan", "config": {}})
    assert runs.read_run_config(tmp_path) == {"model": "dcgan", "config": {}}
    assert runs.is_run_dir(tmp_path)
    assert runs.checkpoint_step(tmp_path) is None


@pytest.mark.parametrize("content, problem", [
    ("{}", "no model name"), ("[]", "expected a JSON object, got list"),
    ("null", "got NoneType"), ('"dcgan"', "got str"), ('{"model": 3}', "no model name"),
    ('{"model": "nope", "config": {}}', "unknown model 'nope'"),
    ('{"model": "dcgan"}', "'config' must be a JSON object"),
    ('{"model": "dcgan", "config": []}', "'config' must be a JSON object"),
    ('{"model": "dcgan", "config": {}, "train": 5}', "'train' must be a JSON object"),
    (b"\xff\xfe{", "corrupt"),
])
def test_a_damaged_config_json_is_one_line(tmp_path, content, problem):
    path = tmp_path / runs.CONFIG_FILE
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(GenzooError, match=problem) as caught:
        runs.read_run_config(tmp_path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
