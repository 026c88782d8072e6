"""``genzoo sample``: a PNG grid from a run directory or from an export.

GANs draw ``num`` images from fixed latent codes (``seed``); the same seed
gives the same images from a run and from its export. Autoencoders show
held-out inputs in one row and their reconstructions in the row below.
"""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True)
class StyleOptions:
    """StyleGAN's sampling controls (``genzoo sample --truncation/--style-mix/--interpolate``)."""

    truncation: float | None = None
    force_truncation: bool = False
    style_mix: bool = False
    crossover: int | None = None
    interpolate: int | None = None

    def any(self) -> bool:
        return (self.truncation is not None or self.style_mix or self.interpolate is not None
                or self.crossover is not None)


#: row and column sources of the style-mixing grid
STYLE_MIX_ROWS, STYLE_MIX_COLUMNS = 4, 6


def sample_grid(path, *, num: int, out, seed: int = 0, prior: bool = False,
                label: int | None = None, style: StyleOptions | None = None) -> pathlib.Path:
    """Write the sample grid of a run or export at ``path`` to ``out``; returns ``out``.

    ``prior`` (generative autoencoders such as the VAE) decodes draws from the
    prior instead of showing reconstructions; ``label`` fixes the class of a
    conditional model's samples; ``style`` holds StyleGAN's truncation,
    style-mixing grid and interpolation strip.
    """
    style = style or StyleOptions()
    if num <= 0:
        raise GenzooError(f"--num must be a positive integer, got {num}")
    if style.truncation is not None:
        from keras_genzoo.models.stylegan.model import check_truncation

        check_truncation(style.truncation, style.force_truncation)
    if style.interpolate is not None and style.interpolate < 2:
        raise GenzooError(f"--interpolate needs at least 2 steps, got {style.interpolate}")
    if style.crossover is not None and not style.style_mix:
        raise GenzooError("--crossover goes with --style-mix")
    if style.style_mix and style.interpolate is not None:
        raise GenzooError("--style-mix and --interpolate draw different figures: pick one")
    path, out = pathlib.Path(path), pathlib.Path(out)
    if not path.exists():
        raise GenzooError(f"no such run or export: {path}")
    check_writable(out.parent)
    if (path / CONFIG_FILE).is_file():
        if style.any():
            images, columns = _styles_from_run(path, num, seed, style)
        else:
            images, columns = _from_run(path, num, seed, prior, label)
    else:
        if prior or label is not None or style.style_mix or style.interpolate is not None:
            raise GenzooError("--prior, --label, --style-mix and --interpolate work on run "
                              "directories; sample the run")
        images, columns = _from_export(path, num, seed, style.truncation)
    if isinstance(columns, PointsFrom):
        return _save_points(images, out, columns.dataset)
    return image_io.save_grid(images, out, columns)


@dataclasses.dataclass(frozen=True)
class PointsFrom:
    """In place of a column count: the samples are 2-D points of this toy2d
    dataset, drawn as a scatter plot."""

    dataset: str


def _save_points(points: np.ndarray, out: pathlib.Path, dataset: str | None) -> pathlib.Path:
    """Scatter plot of a 2-D model's samples, with its mixture's modes and 3-sigma circles."""
    from keras_genzoo.data import catalog

    modes = sigma = None
    if dataset and catalog.is_point_dataset(dataset):
        from keras_genzoo.data.toy2d import MIXTURES

        mixture = MIXTURES[catalog.parse_spec(dataset)[1]]
        modes, sigma = mixture.modes, mixture.sigma
    return image_io.save_scatter(points, out, modes=modes, sigma=sigma,
                                 title=f"{len(points)} samples")


def _from_run(run_dir, num, seed, prior=False, label=None):
    model, saved = load_trained_model(run_dir)
    if label is not None:
        if not model.uses_labels():
            raise GenzooError(f"--label needs a conditional model; {run_dir} is not conditional")
        classes = model.num_classes()
        if not 0 <= label < classes:
            raise GenzooError(f"--label must be in [0, {classes - 1}], got {label}")
    if prior or model.kind == "gan":
        if not hasattr(model, "sample"):
            raise GenzooError(f"--prior needs a generative model (e.g. vae); "
                              f"{saved['model']} has no prior to sample")
        if getattr(model, "points", False):
            return model.sample(num, seed=seed, label=label), PointsFrom(
                saved.get("train", {}).get("dataset") or "")
        if not model.uses_labels():
            return model.sample(num, seed=seed), None
        # without --label a conditional model cycles through the classes: one per column
        columns = None if label is not None else model.num_classes()
        return model.sample(num, seed=seed, label=label), columns
    if model.kind == "autoencoder":
        train = saved.get("train", {})
        inputs, labels = holdout_examples(train.get("dataset", "digits"), num,
                                          model.config.image_size, model.config.channels,
                                          seed=seed, data_dir=train.get("data_dir"),
                                          manual_dir=train.get("manual_dir"))
        return interleave_rows(inputs, model.reconstruct(inputs, labels)), ROW
    if model.kind == "radialgan":
        raise GenzooError(f"{run_dir} is a radialgan run: it translates table rows, it draws no "
                          f"images; use genzoo radialgan augment {run_dir} --target I --out F.csv")
    if model.kind == "classifier":
        raise GenzooError(f"{run_dir} is a classifier: it has nothing to sample; use it as "
                          f"genzoo eval --features classifier:{run_dir}")
    raise GenzooError(f"don't know how to sample a {model.kind} model")


def _styles_from_run(run_dir, num, seed, style: StyleOptions):
    """A StyleGAN run's truncated samples, style-mixing grid or interpolation strip."""
    model, saved = load_trained_model(run_dir)
    if not hasattr(model, "style_mixing_grid"):
        raise GenzooError(f"--truncation, --style-mix and --interpolate need a stylegan run; "
                          f"{run_dir} is a {saved['model']} run")
    psi = 1.0 if style.truncation is None else style.truncation
    if style.style_mix:
        return model.style_mixing_grid(STYLE_MIX_ROWS, STYLE_MIX_COLUMNS, seed=seed,
                                       crossover=style.crossover, truncation=psi)
    if style.interpolate is not None:
        return model.interpolation(style.interpolate, seed=seed, truncation=psi), style.interpolate
    return model.sample(num, seed=seed, truncation=psi), None


def _from_export(path, num, seed, truncation=None):
    from keras_genzoo.metrics.evaluate import ExportedModel

    export = ExportedModel(path)
    inputs = export.inputs
    if truncation is not None and "truncation_psi" not in inputs:
        raise GenzooError(f"--truncation needs a stylegan export; {path} has no truncation_psi")
    if "z" in inputs:  # a conditional GAN cycles through the classes, one per column
        samples = export.sample(num, seed, truncation=1.0 if truncation is None else truncation)
        if export.points:
            return samples, PointsFrom(export.metadata.get("dataset") or "")
        return samples, export.num_classes if "label" in inputs else None
    images, labels = holdout_examples(export.metadata.get("dataset") or "digits", num,
                                      export.image_size, export.channels, seed=seed,
                                      data_dir=export.metadata.get("data_dir"),
                                      manual_dir=export.metadata.get("manual_dir"))
    return interleave_rows(images, export.reconstruct(images, labels)), ROW
