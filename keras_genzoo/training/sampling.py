"""``genzoo sample``: a PNG grid from a run directory or from an export.

GANs draw ``num`` images from fixed latent codes (``seed``); the same seed
gives the same images from a run and from its export. Autoencoders show
held-out inputs in one row and their reconstructions in the row below.
"""

from __future__ import annotations

import pathlib

import numpy as np

from keras_genzoo.errors import DataError, GenzooError
from keras_genzoo.training import images as image_io
from keras_genzoo.training.run import CONFIG_FILE, check_writable, load_trained_model

ROW = 8


def latent_codes(num: int, latent_dim: int, seed: int) -> np.ndarray:
    """The latent batch a seed stands for (same as ``GAN.latent``)."""
    import tensorflow as tf

    return tf.random.stateless_normal([num, latent_dim], seed=[seed, 0]).numpy()


#: autoencoder grids pick their inputs among this many held-out images
HOLDOUT_POOL = 1024


def holdout_images(dataset: str, num: int, image_size: int, channels: int, *, seed: int = 0,
                   data_dir: str | None = None, manual_dir: str | None = None) -> np.ndarray:
    """``num`` images the model did not train on (when the source has a test split)."""
    return holdout_examples(dataset, num, image_size, channels, seed=seed, data_dir=data_dir,
                            manual_dir=manual_dir)[0]


def holdout_examples(dataset: str, num: int, image_size: int, channels: int, *, seed: int = 0,
                     data_dir: str | None = None, manual_dir: str | None = None):
    """``(images, labels)`` of ``num`` held-out examples.

    Seed 0 takes the first ``num`` in order; another seed draws ``num`` at
    random from the first :data:`HOLDOUT_POOL`.
    """
    from keras_genzoo.data import open_source

    where = {"image_size": image_size, "channels": channels, "data_dir": data_dir,
             "manual_dir": manual_dir}
    try:
        source = open_source(dataset, split="test", **where)
    except DataError:
        source = open_source(dataset, split="train", **where)
    images, labels = source.take_examples(max(num, HOLDOUT_POOL) if seed else num)
    if seed:
        chosen = np.sort(np.random.default_rng(seed).choice(len(images),
                                                            size=min(num, len(images)),
                                                            replace=False))
        images, labels = images[chosen], labels[chosen]
    return images[:num], labels[:num]


def interleave_rows(inputs: np.ndarray, outputs: np.ndarray, row: int = ROW) -> np.ndarray:
    """Rows of ``row`` inputs, each followed by the row of their outputs."""
    parts = []
    for start in range(0, len(inputs), row):
        parts += [inputs[start : start + row], outputs[start : start + row]]
    return np.concatenate(parts)


def sample_grid(path, *, num: int, out, seed: int = 0, prior: bool = False,
                label: int | None = None) -> pathlib.Path:
    """Write the sample grid of a run or export at ``path`` to ``out``; returns ``out``.

    ``prior`` (generative autoencoders such as the VAE) decodes draws from the
    prior instead of showing reconstructions; ``label`` fixes the class of a
    conditional model's samples.
    """
    if num <= 0:
        raise GenzooError(f"--num must be a positive integer, got {num}")
    path, out = pathlib.Path(path), pathlib.Path(out)
    if not path.exists():
        raise GenzooError(f"no such run or export: {path}")
    check_writable(out.parent)
    if (path / CONFIG_FILE).is_file():
        images, columns = _from_run(path, num, seed, prior, label)
    else:
        if prior or label is not None:
            raise GenzooError("--prior and --label work on run directories; sample the run")
        images, columns = _from_export(path, num, seed)
    return image_io.save_grid(images, out, columns)


def _from_run(run_dir, num, seed, prior=False, label=None):
    model, saved = load_trained_model(run_dir)
    if label is not None:
        if not model.uses_labels():
            raise GenzooError(f"--label needs a conditional model; {run_dir} is not conditional")
        classes = getattr(model.config, "num_classes", None)
        if classes is not None and not 0 <= label < classes:
            raise GenzooError(f"--label must be in [0, {classes - 1}], got {label}")
    if prior or model.kind == "gan":
        if not hasattr(model, "sample"):
            raise GenzooError(f"--prior needs a generative model (e.g. vae); "
                              f"{saved['model']} has no prior to sample")
        if not model.uses_labels():
            return model.sample(num, seed=seed), None
        # without --label a conditional model cycles through the classes: one per column
        columns = None if label is not None else getattr(model.config, "num_classes", None)
        return model.sample(num, seed=seed, label=label), columns
    if model.kind == "autoencoder":
        train = saved.get("train", {})
        inputs, labels = holdout_examples(train.get("dataset", "digits"), num,
                                          model.config.image_size, model.config.channels,
                                          seed=seed, data_dir=train.get("data_dir"),
                                          manual_dir=train.get("manual_dir"))
        return interleave_rows(inputs, model.reconstruct(inputs, labels)), ROW
    raise GenzooError(f"don't know how to sample a {model.kind} model")


def _from_export(path, num, seed):
    from keras_genzoo.export.savedmodel import load_export

    loaded, signatures, metadata = load_export(path)
    serving = loaded.signatures["serving_default"]
    inputs = signatures["serving_default"]["inputs"]
    if "z" in inputs:
        z = latent_codes(num, int(inputs["z"]["shape"][-1]), seed)
        return np.asarray(serving(z=z)["images"]), None
    if "x" in inputs:
        _, size, _, channels = inputs["x"]["shape"]
        images, labels = holdout_examples(metadata.get("dataset") or "digits", num, int(size),
                                          int(channels), seed=seed,
                                          data_dir=metadata.get("data_dir"),
                                          manual_dir=metadata.get("manual_dir"))
        feeds = {"x": images}
        if "label" in inputs:  # conditional models
            feeds["label"] = labels.astype(np.int32)
        reconstruction = np.asarray(serving(**feeds)["reconstruction"])
        return interleave_rows(images, reconstruction), ROW
    raise GenzooError(f"don't know how to sample from {path}: serving_default takes {sorted(inputs)}")
