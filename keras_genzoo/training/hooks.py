"""Epoch-end hooks: what the trainer does after each epoch's checkpoint.

The training loop (:func:`keras_genzoo.training.trainer.train`) only trains and
checkpoints; at every epoch end it hands an :class:`EpochEnd` to its hooks in order.
Hooks that score the model add columns to the epoch's history row; the hooks after
them write the row (``history.csv``), the pictures and TensorBoard. Pass your own
with ``train(plan, hooks=[...])``: they run after the defaults.

What a hook does for a model is the model's to say (its ``evaluation_metrics``,
``preview``, ``points``), so no hook asks which kind of model it holds.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

import tensorflow as tf

from keras_genzoo import runs
from keras_genzoo.data import open_held_out
from keras_genzoo.errors import GenzooError
from keras_genzoo.metrics.evaluate import EvalSettings, Evaluator
from keras_genzoo.metrics.mode_coverage import POINT_SAMPLES, mode_coverage
from keras_genzoo.metrics.optimal_discriminator import density_view
from keras_genzoo.training import diagnostic_figures
from keras_genzoo.training import images as image_io
from keras_genzoo.training import plan as plan_lib

#: latent seed and size of the fixed sample batch drawn at every epoch end
SAMPLE_SEED = 1234
SAMPLE_COUNT = 64
#: held-out examples a model with ``evaluates_held_out`` is scored on at every epoch end
HOLDOUT_EVAL_COUNT = 512
#: of which the reconstruction grid shows the first
HOLDOUT_PREVIEW_COUNT = 32


@dataclasses.dataclass
class EpochEnd:
    """An epoch that has just been checkpointed."""

    model: Any
    #: the epoch's history row (``epoch``, ``step``, ``seconds``, the losses); hooks add to it
    row: dict[str, Any]
    #: every row so far, this one included (a resumed run's earlier rows too)
    history: list[dict]
    run_dir: pathlib.Path
    #: True at the last epoch of this command (step bound reached or the clock ran out)
    final: bool
    _point_samples: Any = dataclasses.field(default=None, repr=False)
    _density_view: Any = dataclasses.field(default=None, repr=False)

    @property
    def epoch(self) -> int:
        return int(self.row["epoch"])

    def point_samples(self):
        """A 2-D model's samples of this epoch (fixed seed), drawn once for every hook
        that needs them (mode coverage, the scatter plot)."""
        if self._point_samples is None:
            self._point_samples = self.model.sample(POINT_SAMPLES, seed=SAMPLE_SEED)
        return self._point_samples

    def density_view(self, mixture):
        """A 1-D model's densities, D, D* and JS against ``mixture`` this epoch, computed
        once for every hook that needs them (the JS column, the figure)."""
        if self._density_view is None:
            self._density_view = density_view(mixture, self.point_samples(),
                                              self.model.discriminator_probability)
        return self._density_view


class EpochEndHook:
    """Called after every epoch's checkpoint; ``on_train_end`` once training is over."""

    #: True for hooks that write files: the trainer turns their file-system errors
    #: into one line naming the run directory (a full disk, permissions)
    writes_files = False

    def on_epoch_end(self, end: EpochEnd) -> None:
        pass

    def on_train_end(self, run_dir: pathlib.Path) -> None:
        pass


def default_hooks(plan: plan_lib.RunPlan, model, source) -> list[EpochEndHook]:
    """The chief's hooks for ``plan``: scores first (they fill the row), then the files."""
    settings = plan.settings
    hooks: list[EpochEndHook] = []
    held_out = None
    if model.evaluates_held_out:
        held_out = HeldOutMetrics.for_source(
            plan, source,
            every=settings.sample_every if plan_lib.thins_epoch_ends(settings, model) else 1,
            slow_every=settings.sample_every)
        hooks.append(held_out)
    if settings.eval_every:
        hooks.append(PeriodicEvaluation.for_plan(plan, model, source))
    # a GAN of 1-D points is drawn as densities with D and D*, and scored by JS
    one_dimensional = model.points and model.generative and source.data_dim == 1
    if model.points and model.generative and getattr(source.mixture, "modes", None) is not None:
        hooks.append(ModeCoverage(source.mixture))
    if one_dimensional:
        hooks.append(JSDivergence(source.mixture))
    hooks += [HistoryFile(), EpochPictures(held_out, every=settings.sample_every,
                                           mixture=getattr(source, "mixture", None),
                                           densities=one_dimensional),
              LossCurves()]
    return hooks


class HeldOutMetrics(EpochEndHook):
    """``val_<name>`` columns: the model's ``held_out_metrics`` on held-out data, every
    ``every`` epochs and at the last (the other rows leave them empty), its slower
    estimates every ``slow_every`` epochs and at the last."""

    def __init__(self, data, every: int = 1, slow_every: int = 1):
        #: ``(images, labels)``, or for tabular domains a list of ``(x, y)`` per domain
        self.data, self.every, self.slow_every = data, every, slow_every

    @classmethod
    def for_source(cls, plan, source, every: int = 1,
                   slow_every: int = 1) -> "HeldOutMetrics":
        settings = plan.settings
        if source.kind == "domains":  # the validation rows of every domain
            validation = plan_lib.open_training_domains(
                settings.dataset, settings, plan.config, split="validation")
            return cls([(domain.x, domain.y) for domain in validation.domains], every,
                       slow_every)
        held_out = open_held_out(settings.dataset, image_size=plan.config["image_size"],
                                 channels=plan.config["channels"], data_dir=settings.data_dir,
                                 manual_dir=settings.manual_dir)
        return cls(held_out.take_examples(HOLDOUT_EVAL_COUNT), every, slow_every)

    def preview_examples(self):
        """The first held-out examples, for a reconstruction grid (None for domains)."""
        if isinstance(self.data, list):
            return None
        images, labels = self.data
        return images[:HOLDOUT_PREVIEW_COUNT], labels[:HOLDOUT_PREVIEW_COUNT]

    def on_epoch_end(self, end):
        if end.epoch % self.every and not end.final:
            return
        slow = end.final or end.epoch % self.slow_every == 0
        scores = end.model.held_out_metrics(self.data, slow=slow)
        # a score the model could not compute (None, or left out) stays empty in the row
        end.row.update({f"val_{name}": value for name, value in scores.items()
                        if value is not None})


class PeriodicEvaluation(EpochEndHook):
    """``eval_<name>`` columns every ``every`` epochs: genzoo eval's metrics
    (``--eval-every``), with the run's dataset as reference and the fixed seed of
    the epoch grids."""

    def __init__(self, evaluator: Evaluator, every: int):
        self.evaluator, self.every = evaluator, every

    @classmethod
    def for_plan(cls, plan, model, source) -> "PeriodicEvaluation":
        if not (model.generative or model.reconstructs):
            raise GenzooError(f"--eval-every scores generative models and autoencoders; "
                              f"{plan.model} is a {model.kind}")
        s = plan.settings
        points = source.kind == "points"
        settings = EvalSettings(metrics=s.eval_metrics, features=s.eval_features,
                                num=s.eval_num or (None if points else 1000),
                                dataset=s.dataset, seed=SAMPLE_SEED,
                                inception_weights=s.inception_weights, data_dir=s.data_dir,
                                manual_dir=s.manual_dir)
        evaluator = Evaluator(settings, image_size=plan.config["image_size"],
                              channels=plan.config["channels"], points=points,
                              generative=model.generative, reconstructs=model.reconstructs)
        return cls(evaluator, s.eval_every)

    def on_epoch_end(self, end):
        if end.epoch % self.every == 0:
            scores = self.evaluator.evaluate(end.model)
            end.row.update({f"eval_{name}": value for name, value in scores.items()})


class ModeCoverage(EpochEndHook):
    """Modes covered and the high-quality fraction of a 2-D model's samples
    (VEEGAN / PacGAN's protocol, 2,500 samples)."""

    def __init__(self, mixture):
        self.mixture = mixture

    def on_epoch_end(self, end):
        samples = end.point_samples()
        coverage = mode_coverage(samples, self.mixture.modes, self.mixture.sigma)
        end.row.update(modes_covered=coverage.modes_covered,
                       high_quality=round(coverage.high_quality_fraction, 4))


class JSDivergence(EpochEndHook):
    """``js_divergence``: JS(p_data || p_g) of a 1-D model's samples, the quantity
    the minimax game minimises (Goodfellow et al. 2014, Theorem 1), by integration
    on a grid with p_g a kernel density estimate."""

    def __init__(self, mixture):
        self.mixture = mixture

    def on_epoch_end(self, end):
        end.row["js_divergence"] = round(end.density_view(self.mixture).js, 5)


class HistoryFile(EpochEndHook):
    """``history.csv``: one row per epoch, rewritten atomically."""

    writes_files = True

    def on_epoch_end(self, end):
        runs.write_history(end.run_dir, end.history)


class EpochPictures(EpochEndHook):
    """TensorBoard scalars of every column and, every ``every`` epochs and at the last,
    the sample grid (2-D models: the scatter plot) as a PNG and a TensorBoard image.

    A scatter plot costs ~0.2 s: with tiny epochs (toy2d at a large batch) the pictures
    would take longer than the training, hence ``every`` (``--sample-every``).
    """

    writes_files = True

    def __init__(self, held_out: HeldOutMetrics | None, *, every: int = 1, mixture=None,
                 densities: bool = False):
        self.held_out = held_out.preview_examples() if held_out is not None else None
        #: an autoencoder of points draws its reconstruction field over all the held-out points
        self.held_out_points = (held_out.data[0] if held_out is not None
                                and not isinstance(held_out.data, list) else None)
        #: ``densities``: a 1-D model, drawn as its densities with D and D*
        self.every, self.mixture, self.densities = every, mixture, densities
        self.writer = None

    def on_epoch_end(self, end):
        if self.writer is None:
            self.writer = tf.summary.create_file_writer(str(end.run_dir / runs.LOGS_DIR))
        picture = None
        if end.epoch % self.every == 0 or end.final:
            picture = self._picture(end)
        with self.writer.as_default(step=int(end.row["step"])):
            for name, value in end.row.items():
                if name not in ("epoch", "step", "seconds"):
                    tf.summary.scalar(name, value)
            if picture is not None:
                tf.summary.image("samples", picture[None], max_outputs=1)
        self.writer.flush()

    def _picture(self, end):
        model = end.model
        path = end.run_dir / runs.SAMPLES_DIR / f"epoch_{end.epoch:04d}.png"
        if self.densities:
            diagnostic_figures.save_density_figure(
                end.density_view(self.mixture), path,
                title=f"{model.registry_name}, epoch {end.epoch}")
            return tf.io.decode_png(tf.io.read_file(str(path)), channels=3)
        if model.points and not model.generative:
            image_io.save_reconstruction_field(
                model, self.held_out_points, path,
                title=f"{model.registry_name}, epoch {end.epoch}: g(f(x)) - x")
            return tf.io.decode_png(tf.io.read_file(str(path)), channels=3)
        if model.points:
            samples = end.point_samples()
            image_io.save_scatter(samples, path, modes=self.mixture.modes,
                                  sigma=self.mixture.sigma,
                                  title=f"{model.registry_name}, epoch {end.epoch}")
            return tf.io.decode_png(tf.io.read_file(str(path)), channels=3)
        preview = model.preview(seed=SAMPLE_SEED, count=SAMPLE_COUNT, held_out=self.held_out)
        if preview is None:
            return None
        images, columns = preview
        image_io.save_grid(images, path, columns)
        return image_io.image_grid(images, columns)

    def on_train_end(self, run_dir):
        if self.writer is not None:
            self.writer.flush()


class LossCurves(EpochEndHook):
    """``loss_curves.png`` from ``history.csv`` once training is over, and for a GAN
    ``diagnostics.png``: its dominance diagnostics against the generator step."""

    writes_files = True

    def on_train_end(self, run_dir):
        if (run_dir / runs.HISTORY_FILE).is_file():
            image_io.plot_history(run_dir / runs.HISTORY_FILE, run_dir / runs.LOSS_CURVES_FILE)
            diagnostic_figures.plot_diagnostics(run_dir / runs.HISTORY_FILE,
                                                run_dir / runs.DIAGNOSTICS_FILE,
                                                title=run_dir.name)
