"""A training request, resolved: the model's config and the training settings of a run.

:func:`resolve_plan` merges the model's defaults, its preset, a ``--config`` file,
``--set`` values and the flags, validates all of it, and decides between a new run and
resuming the one in ``--out`` (the run directory itself is :mod:`keras_genzoo.runs`).

The model's config class is imported through the registry, only for the model asked for.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
import platform
from typing import Any

from keras_genzoo import config as config_lib
from keras_genzoo import __version__, registry, runs
from keras_genzoo.data import catalog, open_source
from keras_genzoo.data.pipeline import file_sha256
from keras_genzoo.data.style_pairs import StylePairSource
from keras_genzoo.data.tabular import open_domains
from keras_genzoo.errors import ConfigError, GenzooError
from keras_genzoo.training import strategy as strategy_lib

#: settings that must not change when a run is resumed
#: (mixed precision changes the checkpoint's optimizer state; data locations may move)
_FROZEN_SETTINGS = ("dataset", "style_dataset", "batch_size", "seed", "mixed_precision",
                    "domain_column", "label_column")


@dataclasses.dataclass
class TrainSettings:
    """How to train (not what): everything besides the model's hyper-parameters."""

    dataset: str = "digits"
    #: the style images of a style-transfer model (``data_kind == "style_pairs"``),
    #: paired with ``dataset``'s content images; None for every other model
    style_dataset: str | None = None
    epochs: int | None = None
    steps: int | None = None
    #: a wall-clock budget for this command (resuming gives the run this much more);
    #: with epochs or steps, whichever ends first; alone, it is the only bound
    minutes: float | None = None
    batch_size: int = 64
    seed: int = 0
    strategy: str = "default"
    xla: bool = False
    mixed_precision: bool = False
    data_dir: str | None = None
    manual_dir: str | None = None
    #: save a checkpoint every N steps as well as at each epoch end (0: epoch ends only)
    checkpoint_every: int = 0
    #: training steps per call into TensorFlow (one graph loop; 1: a call per step)
    steps_per_execution: int = 1
    #: write the sample grid (2-D models: the scatter plot) every N epochs and at the last
    #: one; history and TensorBoard scalars are still written at every epoch end (with
    #: ``thin_epoch_ends``: the epoch's checkpoint and held-out scores too)
    sample_every: int = 1
    #: the epoch's checkpoint and held-out scores only every ``sample_every`` epochs and
    #: at the last, for epochs so short that this work would weigh (history rows every
    #: epoch; a kill in between resumes from the last checkpoint and replays the epochs
    #: exactly). None: the model's ``thins_epoch_ends`` (RadialGAN: on)
    thin_epoch_ends: bool | None = None
    #: every N epochs, score the model with genzoo eval's metrics (0: never)
    eval_every: int = 0
    #: comma-separated metrics (None: fid,kid,prdc; autoencoders recon; 2-D models modes)
    eval_metrics: str | None = None
    eval_features: str = "inception"
    #: csv: tabular sources (RadialGAN): the columns naming each row's domain and label
    domain_column: str | None = None
    label_column: str | None = None
    #: samples and reference images per evaluation (None: 1,000; 2-D models 2,500)
    eval_num: int | None = None
    inception_weights: str | None = None
    #: the divergence guard: stop when a loss or a network weight exceeds this in
    #: absolute value (None: the model's ``divergence_bound``; 0: off)
    divergence_bound: float | None = None

    def validate(self):
        """Every setting in its range (docs/cli.md, "Ranges"; the bounds are
        :mod:`keras_genzoo.config`'s ``MAX_*``), and no evaluation setting without
        ``eval_every`` to use it."""
        count = config_lib.check_count
        if self.epochs is not None:
            count(self.epochs, "--epochs", config_lib.MAX_EPOCHS)
        if self.steps is not None:
            count(self.steps, "--steps", config_lib.MAX_STEPS)
        if self.minutes is not None and not (
                isinstance(self.minutes, (int, float)) and not isinstance(self.minutes, bool)
                and math.isfinite(self.minutes) and 0 < self.minutes <= config_lib.MAX_MINUTES):
            raise ConfigError(f"--minutes must be a positive number up to "
                              f"{config_lib.MAX_MINUTES}, got {self.minutes!r}")
        count(self.batch_size, "--batch-size", config_lib.MAX_BATCH_SIZE)
        config_lib.check_seed(self.seed)
        count(self.checkpoint_every, "--checkpoint-every", config_lib.MAX_STEPS, minimum=0)
        count(self.sample_every, "--sample-every", config_lib.MAX_EPOCHS)
        count(self.steps_per_execution, "--steps-per-execution", config_lib.MAX_STEPS)
        if self.thin_epoch_ends is not None and not isinstance(self.thin_epoch_ends, bool):
            raise ConfigError(f"thin_epoch_ends must be true or false, got "
                              f"{self.thin_epoch_ends!r}")
        count(self.eval_every, "--eval-every", config_lib.MAX_EPOCHS, minimum=0)
        if self.eval_num is not None:
            count(self.eval_num, "--eval-num", config_lib.MAX_EVAL_NUM)
        if self.divergence_bound is not None and not (
                math.isfinite(self.divergence_bound) and self.divergence_bound >= 0):
            raise ConfigError("--divergence-bound must be a finite number >= 0 (0: off), got "
                              f"{self.divergence_bound}")
        if not self.eval_every:
            unused = [flag for flag, key in _EVAL_FLAGS.items()
                      if getattr(self, key) != _DEFAULT_SETTINGS[key]]
            if unused:
                raise ConfigError(f"{unused[0]} goes with --eval-every (the evaluation it "
                                  "configures runs every N epochs)")


_DEFAULT_SETTINGS = {field.name: field.default for field in dataclasses.fields(TrainSettings)}
#: the settings of --eval-every's evaluation, by flag
_EVAL_FLAGS = {"--eval-metrics": "eval_metrics", "--eval-features": "eval_features",
               "--eval-num": "eval_num", "--inception-weights": "inception_weights"}


@dataclasses.dataclass
class RunPlan:
    """A fully resolved training request."""

    model: str
    preset: str
    config: dict[str, Any]  # the model's resolved hyper-parameters
    settings: TrainSettings
    out_dir: pathlib.Path
    resume: bool = False

    @property
    def spec(self) -> registry.ModelSpec:
        return registry.get(self.model)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "preset": self.preset,
            "config": self.config,
            "train": dataclasses.asdict(self.settings),
            "versions": _versions(),
        }


def _versions() -> dict[str, str]:
    import keras
    import tensorflow as tf

    return {
        "keras_genzoo": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
    }


def resolve_plan(
    model: str,
    *,
    preset: str | None = None,
    config_file: str | None = None,
    overrides: dict[str, str] | None = None,
    image_size: int | None = None,
    vgg_weights: str | None = None,
    out_dir: str | None = None,
    **settings: Any,
) -> RunPlan:
    """Merge defaults, preset, config file, ``--set`` and flags; validate everything.

    ``settings`` are :class:`TrainSettings` fields; ``None`` means "not given"
    (the preset's training default, then the dataclass default, applies).
    ``vgg_weights`` (``--vgg-weights PATH``) sets the config key of the same name, as
    an absolute path, so that the run's config.json names the file its encoder read.
    """
    spec = registry.get(model)
    file_data = config_lib.read_config_file(config_file) if config_file else {}
    if preset is None and isinstance(file_data.get("preset"), str) and "config" in file_data:
        preset = file_data["preset"]  # a run's config.json repeats its preset too
    preset_name, preset_entry = spec.preset(preset)
    for key in ("dataset", "style_dataset"):
        if settings.get(key) is not None:
            catalog.check_spec(settings[key])  # fast: no TensorFlow yet
    config_class = spec.load_class().config_class
    layers = [preset_entry.config]
    file_settings: dict[str, Any] = {}
    if config_file:
        file_config, file_settings = split_config_file(file_data)
        layers.append(file_config)
    layers.append(overrides or {})
    if image_size is not None:
        layers.append({"image_size": image_size})
    if vgg_weights is not None:
        layers.append({"vgg_weights": _weights_file(vgg_weights, config_class, spec)})

    given = {key: value for key, value in settings.items() if value is not None}
    unknown = set(given) - set(config_lib.field_types(TrainSettings))
    if unknown:
        raise TypeError(f"unknown training settings: {sorted(unknown)}")
    given = {**file_settings, **given}  # flags beat the file
    train = TrainSettings(**{**preset_entry.train, **given})
    if train.epochs is not None and train.steps is not None and "epochs" not in given:
        train.epochs = None  # --steps given: the preset's epoch count no longer applies
    if "minutes" in given and not {"epochs", "steps"} & set(given):
        train.epochs = train.steps = None  # --minutes alone: the clock is the only bound
    if train.epochs is None and train.steps is None and train.minutes is None:
        train.epochs = 1
    train.validate()
    catalog.check_spec(train.dataset)
    _check_style_dataset(spec, train, given)
    _check_flags_apply(spec, config_class, train, settings, image_size)
    layers.append(_data_shape_layer(spec, config_class, train.dataset))
    layers.append(_domain_shape_layer(spec, config_class, train, layers))
    model_config = config_lib.build_config(config_class, *layers)
    model_config = _record_weights_file(model_config)

    out = pathlib.Path(out_dir) if out_dir else pathlib.Path("runs") / spec.name
    plan = RunPlan(spec.name, preset_name, config_lib.to_dict(model_config), train, out)
    chief = True
    if train.strategy == "multiworker":
        # a bad TF_CONFIG is the user's mistake: say so before TensorFlow starts
        chief = strategy_lib.is_chief_task(strategy_lib.read_tf_config())
    _check_existing_run(plan, explicit=given, chief=chief)
    return plan


def _weights_file(path: str, config_class, spec) -> str:
    """``--vgg-weights PATH`` as an absolute path to an existing file, else one line."""
    if "vgg_weights" not in config_lib.field_types(config_class):
        raise ConfigError(f"--vgg-weights applies to models with a VGG-19 encoder "
                          f"(adain-style); {spec.name} has none")
    file = pathlib.Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"--vgg-weights: no such file: {file}")
    return str(file.resolve())


def _record_weights_file(model_config):
    """A config whose ``vgg_weights`` is a file: the path made absolute and the file's
    SHA-256 recorded (``vgg_weights_sha256``), so that the run's config.json names exactly
    the encoder it trained with; on a resume a changed file is then a config mismatch."""
    weights = getattr(model_config, "vgg_weights", None)
    if weights in (None, "imagenet", "random"):
        return model_config
    file = pathlib.Path(weights).expanduser()
    if not file.is_file():
        raise ConfigError(f"vgg_weights: no such file: {file}")
    return dataclasses.replace(model_config, vgg_weights=str(file.resolve()),
                               vgg_weights_sha256=file_sha256(file))


def _check_style_dataset(spec, train: TrainSettings, given: dict[str, Any]) -> None:
    """A style-transfer model needs its style images; no other model takes any."""
    pairs = spec.load_class().data_kind == "style_pairs"
    if not pairs and train.style_dataset is not None:
        raise ConfigError(f"--style-dataset applies to style-transfer models (adain-style); "
                          f"{spec.name} trains on --dataset alone")
    if pairs and train.style_dataset is None:
        raise ConfigError(f"{spec.name} trains on content and style images: pass "
                          "--style-dataset SPEC (e.g. folder:PATH of paintings) with --dataset")
    if pairs:
        catalog.check_spec(train.style_dataset)
        if catalog.is_point_dataset(train.style_dataset) or catalog.is_domain_dataset(
                train.style_dataset):
            raise ConfigError(f"--style-dataset must be an image source, got "
                              f"{train.style_dataset}")


def _check_flags_apply(spec, config_class, train: TrainSettings, flags: dict[str, Any],
                       image_size: int | None) -> None:
    """Refuse a flag that this model or dataset would silently ignore (``flags``: the
    command line's, None where not given)."""
    if not train.eval_every:
        for flag, key in _EVAL_FLAGS.items():
            if flags.get(key) is not None:
                raise ConfigError(f"{flag} goes with --eval-every (the evaluation it "
                                  "configures runs every N epochs)")
    catalog.check_data_dirs(train.dataset, train.data_dir, train.manual_dir)
    if image_size is not None:
        if "image_size" not in config_lib.field_types(config_class):
            raise ConfigError(f"--image-size applies to image models; {spec.name} has no "
                              "image size")
        if catalog.is_point_dataset(train.dataset):
            raise ConfigError(f"--image-size applies to image datasets; {train.dataset} holds "
                              f"{catalog.point_dim(train.dataset)}-D points")
    model_class = spec.load_class()
    if flags.get("sample_every") is not None and not (draws_pictures(model_class)
                                                      or thins_epoch_ends(train, model_class)):
        raise ConfigError(f"--sample-every sets how often the sample grid is drawn, and "
                          f"{spec.name} draws none (with --thin-epoch-ends: how often its "
                          "epochs are checkpointed)")


def thins_epoch_ends(settings: TrainSettings, model) -> bool:
    """Whether a run checkpoints and scores its epochs only every ``--sample-every``:
    ``--thin-epoch-ends`` / ``--no-thin-epoch-ends``, else the model's default."""
    if settings.thin_epoch_ends is not None:
        return settings.thin_epoch_ends
    return model.thins_epoch_ends


def draws_pictures(model_class) -> bool:
    """Whether a model's runs get a sample grid (or a 2-D model's scatter plot) at
    epoch ends: the models that override ``GenzooModel.preview`` (GANs, autoencoders;
    not the classifier or radialgan)."""
    return model_class.preview.__qualname__ != "GenzooModel.preview"


def open_training_source(plan: "RunPlan"):
    """The source a run trains on: the train split of its image or point dataset,
    or a multi-domain model's tabular domains (shared by the trainer and the
    benchmarks, so both feed the same data)."""
    settings = plan.settings
    data_kind = plan.spec.load_class().data_kind
    if data_kind == "domains":  # a multi-domain model (RadialGAN)
        return open_training_domains(settings.dataset, settings, plan.config)
    if data_kind == "style_pairs":  # a style-transfer model: content x style crops
        return open_style_pairs(settings, plan.config)
    return open_source(settings.dataset, image_size=plan.config["image_size"],
                       channels=plan.config["channels"], split="train",
                       data_dir=settings.data_dir, manual_dir=settings.manual_dir)


def open_style_pairs(settings: "TrainSettings", config: dict[str, Any]):
    """The content (``--dataset``) and style (``--style-dataset``) images of a style-transfer
    run, opened at ``load_size`` and paired as random ``image_size`` crops."""
    opened = [open_source(spec, image_size=config["load_size"], channels=3, split="train",
                          data_dir=settings.data_dir, manual_dir=settings.manual_dir)
              for spec in (settings.dataset, settings.style_dataset)]
    for spec, source in zip((settings.dataset, settings.style_dataset), opened):
        if getattr(source, "kind", None) != "images":
            raise ConfigError(f"a style-transfer model trains on images; {spec} holds "
                              f"{source.kind}")
    return StylePairSource(*opened, crop_size=config["image_size"])


#: the model-config keys that choose a tabular source's domains and rows, with the
#: value a run saved before the key existed (None: the dataset's default)
DOMAIN_OPTIONS = {"num_domains": None, "target_rows": None, "source_rows": None,
                  "overlap": None, "target_domain": 0, "source_domains": None,
                  "missing_threshold": None}


def open_training_domains(dataset: str, settings: "TrainSettings", config: dict[str, Any],
                          split="train"):
    """A tabular multi-domain source (csv: or domains:) with the run's column choices
    and the domain options of its model config (``plan.config``; a missing key takes
    its default, so runs saved before it existed still open); the run's ``--seed``
    also draws the 60/20/20 split of every domain and the target's subsample."""
    options = {key: config.get(key, default) for key, default in DOMAIN_OPTIONS.items()}
    return open_domains(dataset, split=split, domain_column=settings.domain_column,
                        label_column=settings.label_column, seed=settings.seed, **options)


def _domain_shape_layer(spec, config_class, settings, layers) -> dict[str, Any]:
    """A multi-domain model takes its domains' feature counts and classes from the data."""
    tabular = catalog.is_domain_dataset(settings.dataset)
    if spec.load_class().data_kind != "domains":
        if tabular:
            raise ConfigError(f"{settings.dataset} holds tabular domains and {spec.name} works on "
                              "images; train radialgan on it")
        if settings.domain_column or settings.label_column:
            raise ConfigError("--domain-column and --label-column apply to csv: datasets "
                              "(radialgan)")
        return {}
    if not tabular:
        raise ConfigError(f"{spec.name} trains on tabular domains: --dataset "
                          "domains:breast_cancer, domains:synthetic or csv:PATH with "
                          f"--domain-column and --label-column (got {settings.dataset})")
    config_lib.build_config(config_class, *layers)  # the options' bounds, before opening
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    # coerced like the config (``--set`` values are strings until build_config)
    types = config_lib.field_types(config_class)
    options = {key: config_lib.coerce(key, merged[key], types[key])
               for key in DOMAIN_OPTIONS if merged.get(key) is not None}
    # num_domains left unset: the dataset's own default (a csv: table has its own domains)
    source = open_training_domains(settings.dataset, settings, options)
    return {"feature_counts": list(source.feature_counts), "num_classes": source.num_classes,
            "num_domains": source.table_domains,
            "feature_names": [list(domain.feature_names) for domain in source.domains]}


def _data_shape_layer(spec, config_class, dataset: str) -> dict[str, Any]:
    """``data_dim`` follows the dataset: 2 for toy2d points, 1 for toy1d, 0 (images)
    otherwise.

    Models without a ``data_dim`` key generate images only, and say so.
    """
    points = catalog.point_dim(dataset)
    if "data_dim" not in config_lib.field_types(config_class):
        if points:
            point_models = ", ".join(name for name in registry.names()
                                     if _takes_points(registry.get(name)))
            raise ConfigError(f"{dataset} holds {points}-D points and {spec.name} works on images; "
                              f"train one of {point_models} on it")
        return {}
    return {"data_dim": points}


def _takes_points(spec) -> bool:
    """Whether a model builds for points: its config has ``data_dim`` and accepts 2 (the
    vae inherits the key from the autoencoders' config and refuses it)."""
    config_class = spec.load_class().config_class
    if "data_dim" not in config_lib.field_types(config_class):
        return False
    try:
        config_lib.build_config(config_class, {"data_dim": 2})
    except ConfigError:
        return False
    return True


def split_config_file(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ``--config`` file's model overrides and training settings.

    Either sections ``config:`` and ``train:`` (a run's ``config.json`` has
    this shape, so a run can be repeated from it), or one flat mapping in
    which the training keys (epochs, batch_size, dataset, ...) are recognised
    by name.
    """
    setting_types = config_lib.field_types(TrainSettings)
    if isinstance(data.get("config"), dict):
        model_part, train_part = data["config"], data.get("train") or {}
        if not isinstance(train_part, dict):
            raise ConfigError("the 'train' section of a config file must be a mapping")
        unknown = set(train_part) - set(setting_types)
        if unknown:
            raise ConfigError(
                f"unknown training setting '{sorted(unknown)[0]}'; valid: "
                + ", ".join(sorted(setting_types))
            )
    else:
        model_part = {k: v for k, v in data.items() if k not in setting_types}
        train_part = {k: v for k, v in data.items() if k in setting_types}
    train_part = {
        key: config_lib.coerce(key, value, setting_types[key])
        for key, value in train_part.items()
        if value is not None
    }
    return model_part, train_part


def _config_defaults(config_class) -> dict[str, Any]:
    """Each config field's default, JSON-shaped as in a run's config.json (tuples as
    lists); fields without one are left out."""
    defaults = {}
    for field in dataclasses.fields(config_class):
        if field.default is not dataclasses.MISSING:
            value = field.default
        elif field.default_factory is not dataclasses.MISSING:
            value = field.default_factory()
        else:
            continue
        try:
            defaults[field.name] = json.loads(json.dumps(value))
        except (TypeError, ValueError):
            defaults[field.name] = value
    return defaults


def _check_existing_run(plan: RunPlan, explicit: dict[str, Any], chief: bool = True) -> None:
    """Decide between a new run and resuming the one already in ``out_dir``.

    A multi-worker run's other workers start while the chief may already be
    filling ``out_dir`` (they only read it: its checkpoints, to resume), so for
    them a directory without config.json yet is not an error.
    """
    out = plan.out_dir
    if out.exists() and not out.is_dir():
        raise GenzooError(f"--out {out} is a file, not a directory")
    saved_path = out / runs.CONFIG_FILE
    if not saved_path.is_file():
        if chief and out.is_dir() and runs.foreign_entries(out):
            raise GenzooError(f"{out} exists and is not a genzoo run; choose another --out")
        runs.check_writable(out)
        return
    saved = runs.read_run_config(out)
    if registry.canonical_name(saved["model"]) != plan.model:
        raise GenzooError(f"{out} holds a {saved['model']} run, not {plan.model}; choose another --out")
    config_class = plan.spec.load_class().config_class
    defaults = _config_defaults(config_class)
    # keys set from the data that older runs did not record (RadialGAN's feature_names)
    unrecorded = getattr(config_class, "DATA_KEYS_ADDED_LATER", ())
    for key, value in plan.config.items():
        if key not in saved["config"] and key in unrecorded:
            continue
        # a key the run's config.json lacks was added to the model since: the run was
        # trained with its default
        was = saved["config"][key] if key in saved["config"] else defaults.get(key)
        if was != value:
            raise ConfigError(
                f"{out} was created with {key}={was!r} (asked: {value!r}); "
                "resume with the same settings or choose another --out"
            )
    saved_train = saved.get("train", {})
    for key in _FROZEN_SETTINGS:
        if key in saved_train and saved_train[key] != getattr(plan.settings, key):
            raise ConfigError(
                f"{out} was trained with {key}={saved_train[key]!r} (asked: "
                f"{getattr(plan.settings, key)!r}); resume with the same value or choose another --out"
            )
    # Keep the saved length unless this command asks for a different one.
    if not {"epochs", "steps", "minutes"} & set(explicit):
        plan.settings.epochs = saved_train.get("epochs")
        plan.settings.steps = saved_train.get("steps")
        plan.settings.minutes = saved_train.get("minutes")
    plan.preset = saved.get("preset", plan.preset)
    plan.resume = True
