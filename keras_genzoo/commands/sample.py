"""``genzoo sample``: a PNG grid from a run directory or from an export.

GANs draw ``num`` images from fixed latent codes (``seed``); the same seed
gives the same images from a run and from its export. Autoencoders show
held-out inputs in one row and their reconstructions in the row below
(``--stochastic``: draws from the decoder's distribution instead of its mean); 2-D
models draw a scatter plot, 1-D models (``toy1d:``) their density figure: p_data,
p_g, D(x) and the optimal D*(x), with the JS estimate; autoencoders of points draw
their reconstruction field ``g(f(x)) - x`` as arrows over the data. What a run's model
shows is the model's ``sample_grid``; StyleGAN adds truncation, the style-mixing grid and the
interpolation strip.
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

from keras_genzoo import registry, runs
from keras_genzoo.config import MAX_GRID_IMAGES, check_count, check_seed
from keras_genzoo.data import catalog, open_held_out
from keras_genzoo.data.toy1d import MIXTURES as MIXTURES_1D
from keras_genzoo.data.toy2d import POINT_SETS
from keras_genzoo.errors import GenzooError
from keras_genzoo.export.exported import ExportedModel
from keras_genzoo.metrics.mode_coverage import POINT_SAMPLES
from keras_genzoo.metrics.optimal_discriminator import density_view
from keras_genzoo.models.base import GRID_ROW, interleave_rows
from keras_genzoo.models.stylegan.model import check_truncation
from keras_genzoo.training import diagnostic_figures
from keras_genzoo.training import images as image_io

#: autoencoder grids pick their inputs among this many held-out images
HOLDOUT_POOL = 1024
#: genzoo sample --num
DEFAULT_NUM = 64
#: row and column sources of the style-mixing grid
STYLE_MIX_ROWS, STYLE_MIX_COLUMNS = 4, 6


def run(args) -> int:
    style = StyleOptions(truncation=args.truncation, force_truncation=args.force_truncation,
                         style_mix=args.style_mix, crossover=args.crossover,
                         interpolate=args.interpolate)
    if args.num is not None and (style.style_mix or style.interpolate is not None):
        figure = "--style-mix draws a 4x6 grid" if style.style_mix else \
            "--interpolate draws STEPS images"
        raise GenzooError(f"--num does not apply: {figure}")
    num = DEFAULT_NUM if args.num is None else args.num
    out = sample_grid(args.path, num=num, out=args.out, seed=args.seed, prior=args.prior,
                      label=args.label, style=style, stochastic=args.stochastic)
    print(f"genzoo: wrote {out}")
    return 0


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

    def check(self) -> None:
        if self.truncation is not None:
            check_truncation(self.truncation, self.force_truncation)
        elif self.force_truncation:
            raise GenzooError("--force-truncation goes with --truncation")
        if self.interpolate is not None and not 2 <= self.interpolate <= MAX_GRID_IMAGES:
            raise GenzooError(f"--interpolate needs at least 2 steps (at most "
                              f"{MAX_GRID_IMAGES}), got {self.interpolate}")
        if self.crossover is not None and not self.style_mix:
            raise GenzooError("--crossover goes with --style-mix")
        if self.style_mix and self.interpolate is not None:
            raise GenzooError("--style-mix and --interpolate draw different figures: pick one")


def sample_grid(path, *, num: int, out, seed: int = 0, prior: bool = False,
                label: int | None = None, style: StyleOptions | None = None,
                stochastic: bool = False) -> pathlib.Path:
    """Write the sample grid of a run or export at ``path`` to ``out``; returns ``out``.

    ``prior`` (generative autoencoders such as the VAE) decodes draws from the
    prior instead of showing reconstructions; ``label`` fixes the class of a
    conditional model's samples; ``style`` holds StyleGAN's truncation,
    style-mixing grid and interpolation strip; ``stochastic`` (autoencoders with a
    probabilistic decoder) draws ``x ~ p_decoder(x | h)`` instead of its mean.
    An autoencoder of points draws its reconstruction field over held-out points
    (``stochastic``: draws around them).
    """
    style = style or StyleOptions()
    check_count(num, "--num", MAX_GRID_IMAGES)
    check_seed(seed)
    style.check()
    path, out = pathlib.Path(path), pathlib.Path(out)
    if not path.exists():
        raise GenzooError(f"no such run or export: {path}")
    check_output_file(out, "samples.png")
    if stochastic and style.any():
        raise GenzooError("--stochastic applies to autoencoders; --truncation, --style-mix "
                          "and --interpolate to stylegan")
    if runs.is_run_dir(path):
        if prior:
            _check_prior(runs.read_run_config(path))
        if stochastic:
            _check_stochastic(runs.read_run_config(path))
        model, saved = runs.load_trained_model(path)
        dataset = saved.get("train", {}).get("dataset")
        if model.points and model.reconstructs:
            return point_autoencoder_figure(model, saved, out, seed, stochastic)
        if _on_the_line(model, dataset) and not style.any():
            return _save_densities(model, num, seed, out, dataset,
                                   model.discriminator_probability)
        if style.any():
            if label is not None:
                raise GenzooError(f"--label needs a conditional model; this {saved['model']} "
                                  "run is not conditional")
            samples, columns = _styles(model, saved, num, seed, style)
        else:
            samples, columns = _from_model(model, saved, num, seed, prior, label, stochastic)
    else:
        if prior or label is not None or style.style_mix or style.interpolate is not None:
            raise GenzooError("--prior, --label, --style-mix and --interpolate work on run "
                              "directories; sample the run")
        model = ExportedModel(path)
        dataset = model.metadata.get("dataset")
        if model.stylizes:
            raise GenzooError(f"{model.version_dir} is a style-transfer export: it draws no "
                              "samples; use genzoo stylize EXPORT --content IMG --style IMG "
                              "--out OUT.png")
        if model.points and model.reconstructs:
            raise GenzooError("an export of an autoencoder of points has no picture here: "
                              "sample its run (the reconstruction field)")
        if _on_the_line(model, dataset) and style.truncation is None:
            # an export holds the generator only: no D(x) curve
            return _save_densities(model, num, seed, out, dataset, None)
        samples, columns = _from_export(model, num, seed, style.truncation, stochastic)
    if model.points:
        return _save_points(samples, out, dataset)
    return image_io.save_grid(samples, out, columns)


def check_output_file(out: pathlib.Path, example: str) -> None:
    """``--out`` must name a file that can be written (a directory there would make the
    final rename fail after all the work)."""
    if out.is_dir():
        raise GenzooError(f"--out {out} is a directory; give a file name such as {example}")
    runs.check_writable(out.parent)


def _check_prior(saved) -> None:
    """``--prior`` is for autoencoders with a prior (the VAE); a GAN always samples its
    prior and would ignore it."""
    model_class = registry.get(saved.get("model")).load_class()
    if not (model_class.generative and model_class.reconstructs):
        raise GenzooError(f"--prior needs a generative autoencoder (e.g. vae); a "
                          f"{saved.get('model')} run has no prior to switch to")


def _check_stochastic(saved) -> None:
    """``--stochastic`` draws from an autoencoder's decoder distribution; a GAN's
    generator has none (a model's own check follows for deterministic decoders)."""
    if not registry.get(saved.get("model")).load_class().reconstructs:
        raise GenzooError(f"--stochastic needs an autoencoder with a probabilistic decoder; "
                          f"a {saved.get('model')} run has none")


def point_autoencoder_figure(model, saved, out, seed=0, stochastic=False) -> pathlib.Path:
    """An autoencoder of points: its reconstruction field ``g(f(x)) - x`` over
    :data:`HOLDOUT_POOL` held-out points, or with ``stochastic`` one draw of
    ``p_decoder(x | f(x))`` for each of them (blue) over the points (grey)."""
    train = saved.get("train", {})
    points, _ = holdout_examples(train.get("dataset"), HOLDOUT_POOL, model.config.image_size,
                                 model.config.channels, seed=seed)
    name = f"{saved['model']} ({saved.get('preset') or 'custom'})"
    if stochastic:
        model.require_stochastic_decoder()
        draws = model.draw_from_decoder(model.reconstruct(points), seed)
        title = f"{name}: x ~ p_decoder(x | f(x))"
        if points.shape[1] == 1:
            return image_io.save_line_histograms(draws, points, out, title=title)
        return image_io.save_scatter(draws, out, real=points, title=title)
    return image_io.save_reconstruction_field(model, points, out,
                                              title=f"{name}: g(f(x)) - x")


def holdout_examples(dataset: str, num: int, image_size: int, channels: int, *, seed: int = 0,
                     data_dir: str | None = None, manual_dir: str | None = None):
    """``(images, labels)`` of ``num`` held-out examples.

    Seed 0 takes the first ``num`` in order; another seed draws ``num`` at
    random from the first :data:`HOLDOUT_POOL`.
    """
    source = open_held_out(dataset, image_size=image_size, channels=channels,
                           data_dir=data_dir, manual_dir=manual_dir)
    images, labels = source.take_examples(max(num, HOLDOUT_POOL) if seed else num)
    if seed:
        chosen = np.sort(np.random.default_rng(seed).choice(len(images),
                                                            size=min(num, len(images)),
                                                            replace=False))
        images, labels = images[chosen], labels[chosen]
    return images[:num], labels[:num]


def _from_model(model, saved, num, seed, prior, label, stochastic=False):
    if label is not None:
        if not model.uses_labels():
            raise GenzooError(f"--label needs a conditional model; this {saved['model']} run "
                              "is not conditional")
        classes = model.num_classes()
        if not 0 <= label < classes:
            raise GenzooError(f"--label must be in [0, {classes - 1}], got {label}")
    train = saved.get("train", {})

    def held_out(count, draw_seed):
        return holdout_examples(train.get("dataset", "digits"), count, model.config.image_size,
                                model.config.channels, seed=draw_seed,
                                data_dir=train.get("data_dir"), manual_dir=train.get("manual_dir"))

    # only autoencoders take ``stochastic`` (checked by _check_stochastic)
    extra = {"stochastic": True} if stochastic else {}
    return model.sample_grid(num, seed=seed, label=label, prior=prior, held_out=held_out,
                             **extra)


def _styles(model, saved, num, seed, style: StyleOptions):
    """A StyleGAN run's truncated samples, style-mixing grid or interpolation strip."""
    if not hasattr(model, "style_mixing_grid"):
        raise GenzooError(f"--truncation, --style-mix and --interpolate need a stylegan run; "
                          f"this is a {saved['model']} run")
    psi = 1.0 if style.truncation is None else style.truncation
    if style.style_mix:
        return model.style_mixing_grid(STYLE_MIX_ROWS, STYLE_MIX_COLUMNS, seed=seed,
                                       crossover=style.crossover, truncation=psi)
    if style.interpolate is not None:
        return model.interpolation(style.interpolate, seed=seed, truncation=psi), style.interpolate
    return model.sample(num, seed=seed, truncation=psi), None


def _from_export(export: ExportedModel, num, seed, truncation=None, stochastic=False):
    inputs = export.inputs
    if stochastic and not export.reconstructs:
        raise GenzooError(f"--stochastic needs an autoencoder with a probabilistic decoder; "
                          f"{export.version_dir} is a generator's export")
    if truncation is not None and "truncation_psi" not in inputs:
        raise GenzooError(f"--truncation needs a stylegan export; {export.version_dir} has no "
                          "truncation_psi")
    if "z" in inputs:  # a GAN; a conditional one shows one class per column
        samples = export.sample(num, seed, truncation=1.0 if truncation is None else truncation)
        return samples, export.num_classes if "label" in inputs else None
    images, labels = holdout_examples(export.metadata.get("dataset") or "digits", num,
                                      export.image_size, export.channels, seed=seed,
                                      data_dir=export.metadata.get("data_dir"),
                                      manual_dir=export.metadata.get("manual_dir"))
    if stochastic:
        outputs = np.clip(export.reconstruct_stochastic(images, labels, seed), 0.0, 1.0)
    else:
        outputs = export.reconstruct(images, labels)
    return interleave_rows(images, outputs), GRID_ROW


def _on_the_line(model, dataset) -> bool:
    """Whether ``model`` generates 1-D points (``toy1d:``), drawn as densities."""
    return bool(model.points and dataset and catalog.point_dim(dataset) == 1)


def _save_densities(model, num, seed, out, dataset, discriminator) -> pathlib.Path:
    """A 1-D model's density figure: p_g is a KDE of at least POINT_SAMPLES samples
    (64 would make a poor estimate), D(x) is drawn for a run's logistic discriminator."""
    mixture = MIXTURES_1D[catalog.parse_spec(dataset)[1]]
    count = max(num, POINT_SAMPLES)
    view = density_view(mixture, model.sample(count, seed), discriminator)
    return diagnostic_figures.save_density_figure(view, out,
                                                  title=f"{dataset}, {count} samples")


def _save_points(points: np.ndarray, out: pathlib.Path, dataset: str | None) -> pathlib.Path:
    """Scatter plot of a 2-D model's samples, with its mixture's modes and 3-sigma circles
    (a curve has no modes)."""
    modes = sigma = None
    if dataset and catalog.is_point_dataset(dataset):
        mixture = POINT_SETS[catalog.parse_spec(dataset)[1]]
        if mixture.modes is not None:
            modes, sigma = mixture.modes, mixture.sigma
    return image_io.save_scatter(points, out, modes=modes, sigma=sigma,
                                 title=f"{len(points)} samples")
