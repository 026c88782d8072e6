"""Rewrite one marked section of docs/benchmarks.md, leaving the others alone.

Each benchmark script owns the text between its own ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers.
"""

from __future__ import annotations

import os
import pathlib
import platform

from keras_genzoo import runs


def write_section(path: pathlib.Path, section: str, start_marker: str, end_marker: str) -> None:
    """Replace (or append) the section between the markers; atomic."""
    if path.is_file():
        text = path.read_text()
        start, end = text.find(start_marker), text.find(end_marker)
        if start == -1 and end == -1:
            text = text.rstrip("\n") + "\n\n" + section
        elif start != -1 and end > start:
            text = text[:start] + section.rstrip("\n") + text[end + len(end_marker):]
            if not text.endswith("\n"):
                text += "\n"
        else:
            raise SystemExit(f"{path}: unmatched {start_marker} / {end_marker} markers; "
                             "fix the file by hand")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "# Benchmarks\n\n" + section
    runs.write_text(path, text)


def machine_description(versions: dict | None = None) -> str:
    """CPU model, core counts, GPUs, OS and library versions: the line every table cites.

    ``versions`` (keys ``tensorflow``, ``keras``, ``gpus``) comes from worker
    processes when the caller does not import TensorFlow itself.
    """
    try:
        with open("/proc/cpuinfo") as handle:
            models = [line.split(":", 1)[1].strip() for line in handle
                      if line.startswith("model name")]
        cpu = models[0] if models else platform.processor() or "unknown CPU"
    except OSError:
        cpu = platform.processor() or "unknown CPU"
    if versions is None:
        import keras
        import tensorflow as tf

        versions = {"tensorflow": tf.__version__, "keras": keras.__version__,
                    "gpus": ", ".join(d.name for d in tf.config.list_physical_devices("GPU"))}
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return (f"{cpu}, {os.cpu_count()} CPUs ({usable} usable); "
            f"GPUs: {versions.get('gpus') or 'none'}; "
            f"{platform.platform()}, Python {platform.python_version()}, "
            f"TensorFlow {versions.get('tensorflow', '?')}, Keras {versions.get('keras', '?')}")
