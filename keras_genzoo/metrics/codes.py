"""Codes of a dataset under a trained autoencoder (what ``genzoo encode`` writes).

An autoencoder's encoder ``h = f(x)`` is a learned dimensionality reduction and
feature extractor (Goodfellow, Bengio & Courville 2016, sections 14.1 and 14.9):
``genzoo encode`` (:mod:`keras_genzoo.commands.encode`) runs it over every image of a dataset split and writes
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
import pathlib

import numpy as np

from keras_genzoo import runs
from keras_genzoo.errors import GenzooError

#: images encoded per call of the encoder
BATCH_SIZE = 256


def encode_source(model, source, limit=None):
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
    with runs.atomic_write(out, binary=True) as stream:
        figure.savefig(stream, format="png")
    plt.close(figure)
    return out
