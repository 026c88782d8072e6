"""The evaluator behind ``genzoo eval`` and ``--eval-every``: scores a model or an export
against real data.

A generative model (GAN, VAE) draws ``num`` samples from fixed latent codes
(``seed``); an autoencoder reconstructs ``num`` held-out images. Both are
compared with the first ``num`` images of the dataset split (the *reference*)
through a feature extractor (:mod:`keras_genzoo.metrics.features`):

==========  ==========================================================  =====================
metric      columns                                                     reference
==========  ==========================================================  =====================
``fid``     ``fid``                                                     Heusel et al. 2017
``kid``     ``kid``, ``kid_std`` (over subsets)                          Binkowski et al. 2018
``is``      ``is``, ``is_std`` (over splits; needs class probabilities)  Salimans et al. 2016
``prdc``    ``precision``, ``recall`` (k = 3), ``density``,              Kynkaanniemi et al.
            ``coverage`` (k = 5)                                        2019; Naeem et al. 2020
``recon``   ``mse``, ``psnr``, ``ssim`` of reconstructions (autoencoders) --
``modes``   ``modes_covered``, ``high_quality`` (toy2d point models)     Srivastava et al. 2017
==========  ==========================================================  =====================

Reference features are cached on disk per (dataset, split, features, image
size, channels, count), so the second evaluation against the same data only
embeds the generated images. The cache lives in ``--cache-dir``, else
``$GENZOO_CACHE``, else ``~/.cache/keras_genzoo``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pathlib
from typing import Any

import numpy as np

from keras_genzoo import runs
from keras_genzoo.data import open_held_out, open_source
from keras_genzoo.data.pipeline import cache_root
from keras_genzoo.errors import ConfigError
from keras_genzoo.metrics.features import make_extractor
from keras_genzoo.metrics.frechet import frechet_distance_of_features
from keras_genzoo.metrics.inception_score import inception_score
from keras_genzoo.metrics.kernel_distance import kernel_inception_distance
from keras_genzoo.metrics.mode_coverage import POINT_SAMPLES, mode_coverage
from keras_genzoo.metrics.prdc import prdc
from keras_genzoo.metrics.reconstruction import reconstruction_metrics

METRIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "fid": ("fid",),
    "kid": ("kid", "kid_std"),
    "is": ("is", "is_std"),
    "prdc": ("precision", "recall", "density", "coverage"),
    "recon": ("mse", "psnr", "ssim"),
    "modes": ("modes_covered", "high_quality"),
}
#: metrics that compare the features of the generated and the reference images
FEATURE_METRICS = ("fid", "kid", "prdc")
K_PRECISION_RECALL, K_DENSITY_COVERAGE = 3, 5


def parse_metrics(text) -> tuple[str, ...]:
    """``"fid,kid"`` -> ``("fid", "kid")``; an unknown name lists the valid ones."""
    names = text if isinstance(text, (list, tuple)) else str(text or "").split(",")
    chosen: list[str] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in METRIC_COLUMNS:
            raise ConfigError(f"unknown metric '{name}'; valid metrics: {', '.join(METRIC_COLUMNS)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ConfigError(f"--metrics is empty; valid metrics: {', '.join(METRIC_COLUMNS)}")
    return tuple(chosen)


def default_metrics(*, points: bool, generative: bool, reconstructs: bool) -> tuple[str, ...]:
    """What ``genzoo eval`` computes without ``--metrics``."""
    if points:
        return ("modes",)
    if reconstructs and not generative:
        return ("recon",)
    return ("fid", "kid", "prdc")


@dataclasses.dataclass
class EvalSettings:
    """What to compute and against which data (the ``genzoo eval`` flags)."""

    metrics: tuple[str, ...] | None = None  # None: default_metrics for the model
    features: str = "inception"
    num: int | None = None  # None: 10,000 images, or 2,500 points for mode coverage
    dataset: str | None = None  # None: the run's training dataset
    split: str | None = None  # None: "test", or "train" when there is no test split
    seed: int = 0
    inception_weights: str | None = None
    data_dir: str | None = None
    manual_dir: str | None = None
    cache_dir: str | None = None
    kid_subsets: int = 100
    kid_subset_size: int = 1000
    is_splits: int = 10


def cache_directory(explicit: str | None = None) -> pathlib.Path:
    return (pathlib.Path(explicit) if explicit else cache_root()) / "reference"


class Evaluator:
    """The reference set and the extractor for one evaluation setting.

    Construction validates everything that can be validated without data or
    a model (metric names, features, ``num`` against the k of the k-NN
    metrics, image shape against the extractor) so that a bad request fails
    before any work; the reference is loaded on first use and kept, which is
    what ``--eval-every`` needs.
    """

    def __init__(self, settings: EvalSettings, *, image_size: int, channels: int,
                 points: bool = False, generative: bool = True, reconstructs: bool = False):
        self.settings = settings
        self.image_size, self.channels, self.points = int(image_size), int(channels), points
        self.metrics = (parse_metrics(settings.metrics) if settings.metrics is not None
                        else default_metrics(points=points, generative=generative,
                                             reconstructs=reconstructs))
        if settings.num is None:  # PacGAN's 2,500 points for mode coverage, else 10,000
            settings = dataclasses.replace(settings, num=POINT_SAMPLES if points else 10_000)
            self.settings = settings
        if int(settings.num) < 1:
            raise ConfigError(f"--num must be a positive integer, got {settings.num}")
        self.num = int(settings.num)
        #: how many samples (or reconstructions) the last evaluation scored
        self.scored = None
        if points and not generative:
            raise ConfigError("genzoo eval scores the samples of point models (mode coverage); "
                              "an autoencoder of points draws none: its held-out "
                              "reconstruction error is history.csv's val_mse")
        if points and set(self.metrics) - {"modes"}:
            raise ConfigError("2-D point models are scored with --metrics modes only "
                              f"(asked: {','.join(self.metrics)})")
        if not points and "modes" in self.metrics:
            raise ConfigError("--metrics modes scores 2-D point models (toy2d datasets) only")
        if "recon" in self.metrics and not reconstructs:
            raise ConfigError("--metrics recon scores autoencoders (reconstructions of held-out "
                              "images); this model generates samples")
        self._check_num(self.num, "--num")
        self.extractor = None
        if settings.inception_weights is not None and settings.features != "inception":
            raise ConfigError(f"--inception-weights goes with --features inception, not "
                              f"{settings.features}")
        if not any(m in FEATURE_METRICS or m == "is" for m in self.metrics):
            unused = [flag for flag, given in (
                ("--features", settings.features != "inception"),
                ("--inception-weights", settings.inception_weights is not None),
                ("--cache-dir", settings.cache_dir is not None)) if given]
            if unused:
                raise ConfigError(f"{unused[0]} applies to fid, kid, is and prdc, and --metrics "
                                  f"{','.join(self.metrics)} uses no image features")
        else:
            self.extractor = make_extractor(settings.features,
                                            inception_weights=settings.inception_weights)
            self.extractor.check_images(self.image_size, self.channels)
            if "is" in self.metrics and not self.extractor.has_probabilities:
                raise ConfigError(f"--metrics is needs class probabilities, which --features "
                                  f"{settings.features} does not give; use classifier:RUN or "
                                  "inception (with its top)")
            if "is" in self.metrics and self.num < settings.is_splits:
                raise ConfigError(f"--metrics is splits the samples into {settings.is_splits} "
                                  f"parts: --num must be at least {settings.is_splits}")
        self._reference: tuple[np.ndarray, np.ndarray] | None = None
        self._reference_features: np.ndarray | None = None
        self.reference_split: str | None = None
        self.mixture = None

    def _check_num(self, count: int, what: str) -> None:
        if "prdc" in self.metrics and count <= K_DENSITY_COVERAGE:
            raise ConfigError(f"prdc needs more than k = {K_DENSITY_COVERAGE} samples per set "
                              f"(density/coverage; precision/recall use k = "
                              f"{K_PRECISION_RECALL}); {what} is {count}")
        if "kid" in self.metrics and count < 2:
            raise ConfigError(f"kid needs at least 2 samples per set; {what} is {count}")
        if "fid" in self.metrics and count < 2:
            raise ConfigError(f"fid needs at least 2 samples per set; {what} is {count}")

    # ------------------------------------------------------------ reference
    def open_reference_source(self):
        s = self.settings
        where = dict(image_size=self.image_size, channels=self.channels, data_dir=s.data_dir,
                     manual_dir=s.manual_dir)
        if s.split:
            return open_source(s.dataset, split=s.split, **where)
        return open_held_out(s.dataset, **where)

    def reference(self) -> tuple[np.ndarray, np.ndarray]:
        """``(images, labels)``: the first ``num`` examples of the split (fewer if smaller)."""
        if self._reference is None:
            source = self.open_reference_source()
            self.reference_split = source.split
            if getattr(source, "kind", "images") == "points":
                self.mixture = source.mixture
                self._reference = (np.zeros((0, 2), np.float32), np.zeros((0,), np.int32))
                return self._reference
            images, labels = source.take_examples(self.num)
            self._check_num(len(images), f"the reference ({self.settings.dataset} "
                                         f"{source.split}) size")
            self._reference = (images, labels)
        return self._reference

    def reference_features(self) -> np.ndarray:
        if self._reference_features is None:
            images, _ = self.reference()
            key = {"dataset": self.settings.dataset, "split": self.reference_split,
                   "features": self.extractor.identity, "image_size": self.image_size,
                   "channels": self.channels, "count": len(images)}
            digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
            path = cache_directory(self.settings.cache_dir) / f"{digest}.npz"
            features = _read_cached(path, key)
            if features is None:
                features, _ = self.extractor.features_and_probabilities(images)
                _write_cached(path, key, features)
            self._reference_features = features
        return self._reference_features

    # --------------------------------------------------------------- scores
    def score(self, generated: np.ndarray | None = None,
              reconstructions: np.ndarray | None = None) -> dict[str, float]:
        """Every chosen metric's columns, for ``generated`` samples (or points)
        and/or ``reconstructions`` of the reference images."""
        s = self.settings
        results: dict[str, float] = {}
        if "modes" in self.metrics:
            self.reference()
            coverage = mode_coverage(generated, self.mixture.modes, self.mixture.sigma)
            results.update(modes_covered=coverage.modes_covered,
                           high_quality=coverage.high_quality_fraction)
            return results
        if "recon" in self.metrics:
            originals = self.reference()[0][:len(reconstructions)]
            results.update(reconstruction_metrics(originals, reconstructions))
        if self.extractor is None:
            return results
        fake_features, fake_probabilities = self.extractor.features_and_probabilities(generated)
        self._check_num(len(fake_features), "the number of generated samples")
        if any(m in FEATURE_METRICS for m in self.metrics):
            real_features = self.reference_features()
        if "fid" in self.metrics:
            results["fid"] = frechet_distance_of_features(real_features, fake_features)
        if "kid" in self.metrics:
            results["kid"], results["kid_std"] = kernel_inception_distance(
                real_features, fake_features, num_subsets=s.kid_subsets,
                subset_size=s.kid_subset_size, seed=s.seed)
        if "is" in self.metrics:
            results["is"], results["is_std"] = inception_score(fake_probabilities,
                                                               splits=s.is_splits)
        if "prdc" in self.metrics:
            results.update(prdc(real_features, fake_features,
                                k_precision_recall=K_PRECISION_RECALL,
                                k_density_coverage=K_DENSITY_COVERAGE))
        return {name: float(value) for name, value in results.items()}

    def evaluate(self, producer) -> dict[str, float]:
        """Score a model (a run's, or an export's :class:`ExportedModel`)."""
        generated = reconstructions = None
        if self.points or self.metrics != ("recon",):
            generated = self._generated(producer)
        if "recon" in self.metrics:
            images, labels = self.reference()
            reconstructions = _in_chunks(producer.reconstruct, images, labels)
        self.scored = len(generated if generated is not None else reconstructions)
        return self.score(generated, reconstructions)

    def _generated(self, producer) -> np.ndarray:
        """Samples of a generative model; an autoencoder's reconstructions."""
        if self.points or producer.generative:
            return self._at_reference_size(producer.sample(self.num, seed=self.settings.seed))
        images, labels = self.reference()
        return _in_chunks(producer.reconstruct, images, labels)

    def _at_reference_size(self, images):
        """A progressive GAN mid-growth renders below the dataset's size: its samples
        are upsampled (nearest, as its own fade-in upsamples) to be scored."""
        if self.points or images.shape[1] == self.image_size:
            return images
        import tensorflow as tf

        return tf.image.resize(images, [self.image_size, self.image_size],
                               method="nearest").numpy()

    def describe(self) -> dict[str, Any]:
        """The setting, as recorded next to every value in eval.json."""
        reference = self._reference[0] if self._reference is not None else None
        return {"features": None if self.extractor is None else self.extractor.spec,
                "num": self.scored if self.scored is not None else self.num,
                "reference_num": None if reference is None or self.points else len(reference),
                "dataset": self.settings.dataset, "split": self.reference_split,
                "image_size": None if self.points else self.image_size,
                "channels": None if self.points else self.channels,
                "seed": self.settings.seed}


def _in_chunks(function, images, labels, size: int = 1000) -> np.ndarray:
    return np.concatenate([np.asarray(function(images[i:i + size], labels[i:i + size]))
                           for i in range(0, len(images), size)])


def _read_cached(path: pathlib.Path, key: dict) -> np.ndarray | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            if json.loads(str(stored["key"])) == key:
                return stored["features"]
    except (OSError, KeyError, ValueError):
        pass  # absent or unreadable: recompute (and overwrite)
    return None


def _write_cached(path: pathlib.Path, key: dict, features: np.ndarray) -> None:
    try:
        with runs.atomic_write(path, binary=True) as out:
            np.savez(out, key=json.dumps(key, sort_keys=True), features=features)
    except OSError:
        pass  # a read-only cache only costs time
