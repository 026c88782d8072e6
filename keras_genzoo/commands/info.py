"""``genzoo info PATH``: the summary of a run directory, or the signatures of an export."""

from __future__ import annotations

import json
import pathlib

from keras_genzoo import runs
from keras_genzoo.errors import GenzooError
from keras_genzoo.export.savedmodel import format_signatures


def run(args) -> int:
    print(describe(args.path))
    return 0


def describe(path) -> str:
    path = pathlib.Path(path)
    if not path.exists():
        raise GenzooError(f"no such file or directory: {path}")
    if runs.is_run_dir(path):
        saved = runs.read_run_config(path)
        return (f"run {path}: {saved['model']} (preset {saved.get('preset')})\n"
                + json.dumps({"config": saved["config"], "train": saved.get("train")}, indent=2))
    return format_signatures(path)
