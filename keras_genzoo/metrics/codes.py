"""Codes of a dataset under a trained autoencoder (``genzoo encode``).

An autoencoder's encoder ``h = f(x)`` is a learned dimensionality reduction and
feature extractor (Goodfellow, Bengio & Courville 2016, sections 14.1 and 14.9):
:func:`encode_dataset` runs it over every image of a dataset split and writes
the codes, with the labels when the dataset has them, to a ``.npz`` file that a
downstream model (a classifier, a nearest-neighbour search, a plot) can read
without TensorFlow. For a variational autoencoder the code is the posterior
mean ``mu(x)`` (its ``encode``), the usual deterministic summary of
``q(z | x)``.

The ``.npz`` holds:

* ``codes``  float32 ``[N, code_dim]``;
* ``labels`` int32 ``[N]``, only when the dataset is labelled;
* ``model``, ``preset``, ``dataset``, ``split``, ``run``: strings (0-d arrays),
  so ``np.load(path)`` needs no ``allow_pickle``.

For two-dimensional codes a scatter plot coloured by label is written next to
it, as ``<stem>.png``.
"""

from __future__ import annotations

import inspect
import os
import pathlib
import tempfile

import numpy as np

from keras_genzoo import registry
from keras_genzoo.errors import GenzooError

#: images encoded per call of the encoder
BATCH_SIZE = 256


def encode_dataset(run_dir, dataset=None, *, split="test", out, limit=None, data_dir=None,
                   manual_dir=None) -> pathlib.Path:
    """Encode ``dataset`` (default: the run's own) with the run's encoder; write ``out``.

    ``limit`` keeps the first ``limit`` images of the split (file order, no
    shuffling). ``data_dir`` / ``manual_dir`` default to the run's own (they
    only matter to tensorflow-datasets sources). Raises :class:`GenzooError`
    (one line, nothing written) for a run that is not an autoencoder, a run
    without checkpoints, or a dataset that cannot be opened. Returns ``out``.
    """
    from keras_genzoo.training import run as run_lib

    run_dir = pathlib.Path(run_dir)
    out = pathlib.Path(out)
    if limit is not None and (isinstance(limit, bool) or int(limit) <= 0):
        raise GenzooError(f"--limit must be a positive integer, got {limit}")
    saved = run_lib.read_run_config(run_dir)
    spec = registry.get(saved["model"])
    if spec.kind != "autoencoder":
        raise GenzooError(
            f"genzoo encode needs an autoencoder run; {run_dir} is a {spec.kind} ({spec.name})"
        )
    if out.exists() and out.is_dir():
        raise GenzooError(f"--out {out} is a directory; give a file name such as codes.npz")
    run_lib.check_writable(out.parent)

    train = saved.get("train", {})
    dataset = dataset or train.get("dataset") or "digits"
    model, _ = run_lib.load_trained_model(run_dir)

    from keras_genzoo.data import open_source

    source = open_source(dataset, image_size=model.config.image_size,
                         channels=model.config.channels, split=split,
                         data_dir=data_dir or train.get("data_dir"),
                         manual_dir=manual_dir or train.get("manual_dir"))
    codes, labels = _encode_source(model, source, limit)
    arrays = {"codes": codes}
    if source.num_classes is not None:
        arrays["labels"] = labels
    arrays.update({
        "model": np.array(saved["model"]),
        "preset": np.array(str(saved.get("preset") or "")),
        "dataset": np.array(str(dataset)),
        "split": np.array(str(split)),
        "run": np.array(str(run_dir.resolve())),
    })
    _atomic_write(out, lambda handle: np.savez(handle, **arrays))
    if codes.ndim == 2 and codes.shape[1] == 2:
        title = f"{saved['model']} codes of {source.name} ({split}, {len(codes)} images)"
        plot_codes_2d(codes, arrays.get("labels"), out.with_suffix(".png"), title=title)
    return out


def _encode_source(model, source, limit):
    """``(codes [N, d] float32, labels [N] int32)`` over the source, in file order."""
    dataset = source.elements()
    if limit is not None:
        dataset = dataset.take(int(limit))
    wants_labels = _accepts_labels(model.encode)
    codes, labels = [], []
    for images, batch_labels in dataset.batch(BATCH_SIZE):
        batch_labels = batch_labels.numpy().astype(np.int32)
        output = model.encode(images, batch_labels) if wants_labels else model.encode(images)
        codes.append(code_array(output))
        labels.append(batch_labels)
    if not codes:
        raise GenzooError(f"{source.name} ({source.split}) has no images to encode")
    codes = np.concatenate(codes).astype(np.float32)
    return codes.reshape(len(codes), -1), np.concatenate(labels)


def code_array(output) -> np.ndarray:
    """The deterministic code in an ``encode`` result.

    A plain array is the code; a VAE may return ``(mean, log_var)`` or a dict
    with ``mean``: the posterior mean is used.
    """
    if isinstance(output, dict):
        for key in ("mean", "code", "z_mean"):
            if key in output:
                return np.asarray(output[key])
        raise GenzooError(f"encode returned {sorted(output)}; expected a 'mean' or 'code'")
    if isinstance(output, (tuple, list)):
        return np.asarray(output[0])
    return np.asarray(output)


def _accepts_labels(method) -> bool:
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return "labels" in parameters


def _atomic_write(path: pathlib.Path, write) -> None:
    """``write(handle)`` into a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def plot_codes_2d(codes, labels, out, *, title: str = "") -> pathlib.Path:
    """Scatter of 2-D codes, one colour per label (grey when unlabelled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = pathlib.Path(out)
    figure, axes = plt.subplots(figsize=(5.5, 5), dpi=100)
    if labels is None:
        axes.scatter(codes[:, 0], codes[:, 1], s=6, c="0.3", alpha=0.7, linewidths=0)
    else:
        classes = np.unique(labels)
        cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
        for index, label in enumerate(classes):
            keep = labels == label
            axes.scatter(codes[keep, 0], codes[keep, 1], s=6, color=cmap(index % cmap.N),
                         label=str(label), alpha=0.8, linewidths=0)
        axes.legend(title="label", markerscale=2.5, fontsize=7, loc="best", framealpha=0.8)
    axes.set_xlabel("code[0]")
    axes.set_ylabel("code[1]")
    if title:
        axes.set_title(title, fontsize=9)
    figure.tight_layout()
    _atomic_write(out, lambda stream: figure.savefig(stream, format="png"))
    plt.close(figure)
    return out
