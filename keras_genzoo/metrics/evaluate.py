"""``genzoo eval`` and ``--eval-every``: score a run or an export against real data.

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
import datetime
import hashlib
import json
import os
import pathlib
import tempfile
import time
from typing import Any

import numpy as np

from keras_genzoo.errors import ConfigError, DataError, GenzooError

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
#: mode coverage's thresholds (20 samples within 3 sigma) assume PacGAN's 2,500 samples
POINT_SAMPLES = 2500
EVAL_FILE = "eval.json"


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


def default_metrics(kind: str, *, points: bool, generative: bool) -> tuple[str, ...]:
    """What ``genzoo eval`` computes without ``--metrics``."""
    if points:
        return ("modes",)
    if kind == "autoencoder" and not generative:
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
    from keras_genzoo.data.sources import cache_root

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
                 points: bool = False, generative: bool = True, kind: str = "gan"):
        self.settings = settings
        self.image_size, self.channels, self.points = int(image_size), int(channels), points
        self.metrics = (parse_metrics(settings.metrics) if settings.metrics is not None
                        else default_metrics(kind, points=points, generative=generative))
        if settings.num is None:  # PacGAN's 2,500 points for mode coverage, else 10,000
            settings = dataclasses.replace(settings, num=POINT_SAMPLES if points else 10_000)
            self.settings = settings
        if int(settings.num) < 1:
            raise ConfigError(f"--num must be a positive integer, got {settings.num}")
        self.num = int(settings.num)
        #: how many samples (or reconstructions) the last evaluation scored
        self.scored = None
        if points and set(self.metrics) - {"modes"}:
            raise ConfigError("2-D point models are scored with --metrics modes only "
                              f"(asked: {','.join(self.metrics)})")
        if not points and "modes" in self.metrics:
            raise ConfigError("--metrics modes scores 2-D point models (toy2d datasets) only")
        if "recon" in self.metrics and kind != "autoencoder":
            raise ConfigError("--metrics recon scores autoencoders (reconstructions of held-out "
                              "images); this model generates samples")
        self._check_num(self.num, "--num")
        self.extractor = None
        if any(m in FEATURE_METRICS or m == "is" for m in self.metrics):
            from keras_genzoo.metrics.features import make_extractor

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
        from keras_genzoo.data import open_source

        s = self.settings
        where = dict(image_size=self.image_size, channels=self.channels, data_dir=s.data_dir,
                     manual_dir=s.manual_dir)
        if s.split:
            return open_source(s.dataset, split=s.split, **where)
        try:
            return open_source(s.dataset, split="test", **where)
        except DataError:
            return open_source(s.dataset, split="train", **where)

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
            from keras_genzoo.metrics.mode_coverage import mode_coverage

            self.reference()
            coverage = mode_coverage(generated, self.mixture.modes, self.mixture.sigma)
            results.update(modes_covered=coverage.modes_covered,
                           high_quality=coverage.high_quality_fraction)
            return results
        if "recon" in self.metrics:
            from keras_genzoo.metrics.reconstruction import reconstruction_metrics

            originals = self.reference()[0][:len(reconstructions)]
            results.update(reconstruction_metrics(originals, reconstructions))
        if self.extractor is None:
            return results
        fake_features, fake_probabilities = self.extractor.features_and_probabilities(generated)
        self._check_num(len(fake_features), "the number of generated samples")
        if any(m in FEATURE_METRICS for m in self.metrics):
            real_features = self.reference_features()
        if "fid" in self.metrics:
            from keras_genzoo.metrics.frechet import frechet_distance_of_features

            results["fid"] = frechet_distance_of_features(real_features, fake_features)
        if "kid" in self.metrics:
            from keras_genzoo.metrics.kernel_distance import kernel_inception_distance

            results["kid"], results["kid_std"] = kernel_inception_distance(
                real_features, fake_features, num_subsets=s.kid_subsets,
                subset_size=s.kid_subset_size, seed=s.seed)
        if "is" in self.metrics:
            from keras_genzoo.metrics.inception_score import inception_score

            results["is"], results["is_std"] = inception_score(fake_probabilities,
                                                               splits=s.is_splits)
        if "prdc" in self.metrics:
            from keras_genzoo.metrics.prdc import prdc

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
        if self.points or producer_is_generative(producer):
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


def producer_is_generative(model) -> bool:
    """GANs and models with a prior (VAE) draw samples; other autoencoders reconstruct."""
    if isinstance(model, ExportedModel):
        return model.generative
    return getattr(model, "kind", "") == "gan" or (
        getattr(model, "kind", "") == "autoencoder" and hasattr(model, "sample"))


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
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, key=json.dumps(key, sort_keys=True), features=features)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide a shared cache from others
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only cache only costs time


# ---------------------------------------------------------------- exports
class ExportedModel:
    """An export's signatures behind the same ``sample`` / ``reconstruct``
    calls as a trained model, fed the same latent codes: a GAN's
    ``serving_default(z[, label])``, a VAE's ``decode(code[, label])`` for
    prior samples, an autoencoder's ``serving_default(x[, label])``."""

    def __init__(self, path):
        from keras_genzoo.export.savedmodel import load_export, resolve_version_dir

        self.version_dir = resolve_version_dir(path)
        self.loaded, self.signatures, self.metadata = load_export(path)
        self.inputs = self.signatures["serving_default"]["inputs"]
        config = self.metadata.get("config", {})
        if self.metadata.get("kind") == "classifier" or not {"z", "x"} & set(self.inputs):
            raise ConfigError(f"{path} is a {self.metadata.get('model', 'model')} export: it "
                              "neither generates samples nor reconstructs images")
        self.kind = self.metadata.get("kind") or ("gan" if "z" in self.inputs else "autoencoder")
        self.points = "points" in self.signatures["serving_default"]["outputs"]
        self.image_size = int(config.get("image_size") or 0)
        self.channels = int(config.get("channels") or 1)
        if "x" in self.inputs:
            _, size, _, channels = self.inputs["x"]["shape"]
            self.image_size, self.channels = int(size), int(channels)
        # a conditional export without the metadata: MNIST-like, as cgan's default
        self.num_classes = int(config.get("num_classes") or (10 if "label" in self.inputs else 0))
        # a prior to sample: a GAN's latent input, or a VAE's decode(code)
        self.generative = "z" in self.inputs or (
            self.metadata.get("model") == "vae" and "decode" in self.signatures)

    def sample(self, num, seed=0, truncation=1.0):
        """The samples a run gives for ``seed``: the same latent codes, labels cycling
        0..K-1 for conditional models, StyleGAN's ``truncation`` psi (1: none)."""
        from keras_genzoo.training.sampling import latent_codes

        if "z" in self.inputs:
            function, latent, output = self.loaded.signatures["serving_default"], "z", (
                "points" if self.points else "images")
        elif self.generative:
            function, latent, output = self.loaded.signatures["decode"], "code", "reconstruction"
        else:
            raise ConfigError("this export has no prior to sample from")
        inputs = self.signatures["serving_default" if latent == "z" else "decode"]["inputs"]
        z = latent_codes(num, int(inputs[latent]["shape"][-1]), seed)
        chunks = []
        for start in range(0, num, 1000):
            feeds = {latent: z[start:start + 1000]}
            if "truncation_psi" in inputs:
                feeds["truncation_psi"] = np.float32(truncation)
            if "label" in inputs:  # the run's default: labels cycling 0..K-1
                feeds["label"] = (np.arange(start, start + len(feeds[latent]))
                                  % self.num_classes).astype(np.int32)
            chunks.append(np.asarray(function(**feeds)[output]))
        return np.concatenate(chunks)

    def reconstruct(self, images, labels=None):
        feeds = {"x": np.asarray(images, np.float32)}
        if "label" in self.inputs:
            feeds["label"] = np.asarray(labels, np.int32)
        return np.asarray(self.loaded.signatures["serving_default"](**feeds)["reconstruction"])


# ------------------------------------------------------------- genzoo eval
@dataclasses.dataclass
class EvalReport:
    rows: list[dict[str, Any]]
    out: pathlib.Path | None
    seconds: float
    setting: dict[str, Any]


def evaluate_path(path, settings: EvalSettings, *, out=None) -> EvalReport:
    """``genzoo eval PATH``: score a run directory or an export; write ``eval.json``.

    ``out`` defaults to ``<run>/eval.json``, or ``eval.json`` in the export's
    version directory. Entries of an earlier evaluation with the same metric
    and setting are replaced, others kept.
    """
    from keras_genzoo.training.run import (CONFIG_FILE, check_writable, checkpoint_step,
                                           load_trained_model)

    path = pathlib.Path(path)
    if not path.exists():
        raise GenzooError(f"no such run or export: {path}")
    started = time.perf_counter()
    if (path / CONFIG_FILE).is_file():
        model, saved = load_trained_model(path)
        if model.kind not in ("gan", "autoencoder"):
            raise ConfigError(f"genzoo eval scores generative models and autoencoders; {path} is "
                              f"a {saved['model']} run")
        default_out = path / EVAL_FILE
        dataset = saved.get("train", {}).get("dataset")
        train = saved.get("train", {})
        producer, image_size, channels = model, model.config.image_size, model.config.channels
        points = bool(getattr(model, "points", False))
        data_dir, manual_dir = train.get("data_dir"), train.get("manual_dir")
        step = checkpoint_step(path)
        source = {"run": str(path)}
    else:
        producer = ExportedModel(path)
        default_out = producer.version_dir / EVAL_FILE
        dataset = producer.metadata.get("dataset")
        image_size, channels, points = producer.image_size, producer.channels, producer.points
        data_dir, manual_dir = producer.metadata.get("data_dir"), producer.metadata.get("manual_dir")
        step = producer.metadata.get("step")
        source = {"export": str(producer.version_dir)}
    settings = dataclasses.replace(
        settings, dataset=settings.dataset or dataset or "digits",
        data_dir=settings.data_dir or data_dir, manual_dir=settings.manual_dir or manual_dir)
    out = pathlib.Path(out) if out else default_out
    check_writable(out.parent)
    evaluator = Evaluator(settings, image_size=image_size, channels=channels, points=points,
                          generative=producer_is_generative(producer), kind=producer.kind)
    values = evaluator.evaluate(producer)
    setting = {**evaluator.describe(), **source, "step": step}
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    rows = [{"metric": name, **_json_value(value), **setting, "time": stamp}
            for name, value in values.items()]
    write_eval_file(out, rows)
    return EvalReport(rows, out, time.perf_counter() - started, setting)


def _json_value(value) -> dict[str, Any]:
    """``{"value": v}``; strict JSON has no infinity (a perfect reconstruction's
    PSNR), so a non-finite value is null with its spelling beside it."""
    if isinstance(value, float) and not np.isfinite(value):
        return {"value": None, "value_text": str(value)}
    return {"value": value}


_ROW_KEY = ("metric", "features", "num", "dataset", "split", "image_size", "channels", "seed")


def write_eval_file(path: pathlib.Path, rows: list[dict[str, Any]]) -> None:
    """Merge ``rows`` into ``path`` (``{"evaluations": [...]}``), atomically."""
    existing: list[dict] = []
    if path.is_file():
        try:
            existing = list(json.loads(path.read_text()).get("evaluations", []))
        except (ValueError, AttributeError):
            existing = []  # unreadable: replaced by this evaluation
    new_keys = {tuple(row.get(k) for k in _ROW_KEY) for row in rows}
    kept = [row for row in existing if tuple(row.get(k) for k in _ROW_KEY) not in new_keys]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"evaluations": kept + rows}, indent=2, allow_nan=False)
                         + "\n")
    os.replace(temporary, path)


def format_report(report: EvalReport) -> str:
    """The table ``genzoo eval`` prints."""
    s = report.setting
    if s.get("features") and s.get("reference_num"):
        what = (f"{s['num']} samples vs {s['reference_num']} reference images "
                f"({s['dataset']} {s['split']}, {s['image_size']}x{s['image_size']}x"
                f"{s['channels']}), features {s['features']}, seed {s['seed']}")
    elif s.get("features"):  # the inception score needs no reference
        what = f"{s['num']} samples, features {s['features']}, seed {s['seed']}"
    else:
        what = f"{s['num']} samples, {s['dataset']} {s['split'] or ''}, seed {s['seed']}"
    lines = [what, f"{'metric':<14} value"]
    for row in report.rows:
        value = row["value"] if row["value"] is not None else float(row["value_text"])
        text = f"{value:d}" if isinstance(value, int) else f"{value:.6g}"
        lines.append(f"{row['metric']:<14} {text}")
    return "\n".join(lines)
