"""Model configuration: dataclasses, ``--set key=value`` parsing, config files.

Every model declares a frozen dataclass of its hyper-parameters. Values come
from (in order) the dataclass defaults, the preset, a ``--config`` file and
``--set`` overrides; each key and each value type is checked here so that a
typo is a one-line :class:`ConfigError` listing the valid keys, never a
silently ignored setting.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import pathlib
import types
import typing
from typing import Any

from keras_genzoo.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# ------------------------------------------------------------------ ranges
# The bounds of the training and sampling settings (docs/cli.md, "Ranges"): the CLI's
# argument types and TrainSettings.validate both check them, so a value past them is
# one line (exit 2) whichever way it comes (a flag, a --config file, the Python API).
#: --steps and --checkpoint-every
MAX_STEPS = 10**9
#: --epochs, --sample-every and --eval-every
MAX_EPOCHS = 10**6
#: --minutes (about 1.9 years)
MAX_MINUTES = 10**6
#: --batch-size
MAX_BATCH_SIZE = 2**20
#: --image-size, and every model's image_size
MAX_IMAGE_SIZE = 4096
#: images in one PNG: genzoo sample --num, --interpolate
MAX_GRID_IMAGES = 10_000
#: samples of an evaluation: genzoo eval --num, train --eval-num
MAX_EVAL_NUM = 10**6
#: any integer model-config key (a width, a count of steps or images): TensorFlow's
#: shapes and counters are 32-bit, no hyper-parameter goes past it
MAX_CONFIG_INT = 2**31 - 1
#: the largest float32: a float config value beyond it is infinite in the networks
FLOAT32_MAX = 3.4028234663852886e38
#: genzoo manifold --num and --directions: rows of the tangent figure
MAX_MANIFOLD_ROWS = 100
#: seeds: --seed of train, sample, eval and manifold (NumPy and Keras seed with 32 bits)
MAX_SEED = 2**32 - 1
#: genzoo stylize --alpha-grid without values: the content-style trade-offs shown
STYLIZE_ALPHA_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def check_count(value, what: str, maximum: int, *, minimum: int = 1, error=ConfigError) -> int:
    """An integer in ``[minimum, maximum]``, else one line naming ``what`` (e.g. ``--steps``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or not minimum <= value <= maximum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}")
        raise error(f"{what} must be {kind} up to {maximum}, got {value!r}")
    return value


def check_seed(value, what: str = "--seed", *, error=ConfigError) -> int:
    """A seed: an integer in ``[0, 2**32 - 1]`` (NumPy's ``np.random.seed`` and therefore
    ``keras.utils.set_random_seed`` take no more, and no negative seed)."""
    return check_count(value, what, MAX_SEED, minimum=0, error=error)


def field_types(config_class) -> dict[str, Any]:
    hints = typing.get_type_hints(config_class)
    return {f.name: hints[f.name] for f in dataclasses.fields(config_class)}


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    if origin in (tuple, list):
        return f"a comma-separated list of {_type_name(typing.get_args(tp)[0])}s"
    if origin is typing.Literal:
        return "one of " + "|".join(str(a) for a in typing.get_args(tp))
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        tp, str(tp)
    )


def coerce(key: str, value: Any, tp, *, max_int: int | None = None) -> Any:
    """Convert ``value`` (a string from the command line, or a JSON/YAML value) to ``tp``.

    Floats must be finite: ``nan``, ``inf`` and ``-inf`` are refused (one line) for
    every float key of every config and training setting, so the range checks of the
    configs' ``validate()`` only ever see finite numbers. ``max_int`` bounds the
    magnitude of integers (model configs: :data:`MAX_CONFIG_INT`; the training settings
    have their own bounds, checked by ``TrainSettings.validate``).
    """
    origin = typing.get_origin(tp)
    bad = ConfigError(f"config key '{key}': expected {_type_name(tp)}, got {value!r}")
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            return None
        return coerce(key, value, args[0], max_int=max_int)
    if origin is typing.Literal:
        choices = typing.get_args(tp)
        if value not in choices:
            raise ConfigError(
                f"config key '{key}': expected one of {', '.join(map(str, choices))}, got {value!r}"
            )
        return value
    if origin in (tuple, list):
        (item_type, *_rest) = typing.get_args(tp)
        if isinstance(value, str):
            items = [v for v in value.replace(" ", "").split(",") if v != ""]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise bad
        try:
            return tuple(coerce(key, item, item_type, max_int=max_int) for item in items)
        except ConfigError:
            raise bad from None
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise bad
    if tp is int:
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            try:
                number = int(str(value))
            except ValueError:
                raise bad from None
        if max_int is not None and abs(number) > max_int:
            raise ConfigError(f"config key '{key}': expected an integer up to {max_int}, "
                              f"got {value!r}")
        return number
    if tp is float:
        # A NaN or infinite hyper-parameter is never meaningful (a NaN learning rate
        # trains to NaN weights, an infinite weight overflows the loss), and NaN slips
        # through every comparison of the range checks below: refuse both here.
        if isinstance(value, bool):
            raise bad
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad from None
        if not (math.isfinite(number) and abs(number) <= FLOAT32_MAX):
            # past float32's range a value is infinite on the device
            raise ConfigError(f"config key '{key}': expected a finite number, got {value!r}")
        return number
    if tp is str:
        if not isinstance(value, str):
            raise bad
        return value
    return value


def build_config(config_class, *layers: dict[str, Any]):
    """Apply override dicts in order on the defaults; validate keys and types."""
    types_by_key = field_types(config_class)
    # Another name a paper uses for a key (e.g. WGAN's n_critic for d_steps).
    aliases = getattr(config_class, "KEY_ALIASES", {})
    values: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            key = aliases.get(key, key)
            if key not in types_by_key:
                raise ConfigError(
                    f"unknown config key '{key}'; valid keys: " + ", ".join(sorted(types_by_key))
                )
            values[key] = coerce(key, value, types_by_key[key], max_int=MAX_CONFIG_INT)
    try:
        config = config_class(**values)
    except (TypeError, ValueError) as error:
        raise ConfigError(str(error)) from None
    validate = getattr(config, "validate", None)
    if validate is not None:
        validate()
    return config


# ------------------------------------------------------------------ validation
# The checks the configs' ``validate()`` methods share, each with the one-line message
# a user sees for a bad --set value.
def require_image_shape(config, *, min_size: int = 4) -> None:
    """Grayscale or RGB images of ``min_size`` to :data:`MAX_IMAGE_SIZE` pixels a side."""
    if config.channels not in (1, 3):
        raise ConfigError(f"channels must be 1 or 3, got {config.channels}")
    if config.image_size < min_size:
        raise ConfigError(f"image_size must be at least {min_size}, got {config.image_size}")
    if config.image_size > MAX_IMAGE_SIZE:
        raise ConfigError(f"image_size must be at most {MAX_IMAGE_SIZE}, got {config.image_size}")


def require_power_of_two(config, *, min_size: int = 8, why: str = "") -> None:
    """``image_size`` a power of two >= ``min_size`` (networks that halve it down to 4x4)."""
    size = config.image_size
    if size < min_size or size & (size - 1):
        raise ConfigError(f"image_size must be a power of two >= {min_size}{why}, got {size}")


def _finite(value) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def require_positive(config, *keys: str) -> None:
    """Each of ``keys`` finite and > 0; a tuple of layer widths: every entry > 0."""
    for key in keys:
        value = getattr(config, key)
        if isinstance(value, (tuple, list)):
            if any(entry <= 0 for entry in value):
                raise ConfigError(f"{key} must be positive, got {list(value)}")
        elif not (value > 0 and _finite(value)):
            raise ConfigError(f"{key} must be positive, got {value}")


def require_probability(config, *keys: str) -> None:
    """Each of ``keys`` a probability in [0, 1]."""
    for key in keys:
        value = getattr(config, key)
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{key} must be in [0, 1], got {value}")


def require_non_negative(config, *keys: str) -> None:
    """Each of ``keys`` finite and >= 0 (0 turns the term off)."""
    for key in keys:
        value = getattr(config, key)
        if not (value >= 0 and _finite(value)):
            raise ConfigError(f"{key} must be >= 0, got {value}")


def require_at_most(config, key: str, maximum: int, why: str = "") -> None:
    if getattr(config, key) > maximum:
        raise ConfigError(f"{key} must be at most {maximum}{why}, got {getattr(config, key)}")


def require_at_least(config, key: str, minimum: int) -> None:
    if getattr(config, key) < minimum:
        raise ConfigError(f"{key} must be at least {minimum}, got {getattr(config, key)}")


def require_fraction(config, key: str, what: str | None = None) -> None:
    """``key`` in [0, 1): a rate, a decay (Adam's betas, an EMA) or a probability that
    must not reach 1."""
    if not 0.0 <= getattr(config, key) < 1.0:
        raise ConfigError(f"{what or key} must be in [0, 1), got {getattr(config, key)}")


def parse_set_arguments(pairs: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}`` (values stay strings until coerced)."""
    overrides: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set expects key=value, got '{pair}'")
        overrides[key] = value.strip()
    return overrides


def load_config_file(path: str | pathlib.Path) -> dict[str, Any]:
    """The model-config overrides of a YAML or JSON file (its ``config:`` section if any)."""
    data = read_config_file(path)
    if "config" in data and isinstance(data["config"], dict):
        return data["config"]
    return data


def read_config_file(path: str | pathlib.Path) -> dict[str, Any]:
    """Read a YAML or JSON mapping, whole."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ConfigError(f"config file does not exist: {path}")
    text = path.read_text()
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as error:  # noqa: BLE001 - any parse error is the user's file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"cannot parse config file {path}: {reason}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of key: value")
    return data


def to_dict(config) -> dict[str, Any]:
    """JSON-friendly dict (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))
