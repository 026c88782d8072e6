"""Model registry: CLI name -> model class, description and presets.

The registry is plain data so that ``genzoo list`` and ``genzoo --help`` never
import TensorFlow; the model class is imported only when a command needs it.

Adding a model means one entry here (name, one-line description, the
``module:Class`` that implements it, presets) plus its file in ``models/``.

A preset is a named set of model-config overrides (``config``) together with
training defaults (``train``: dataset, epochs, batch size) that suit it. The
CLI applies, in order: the model's defaults, the preset, ``--config FILE``,
``--set key=value`` and the explicit flags such as ``--image-size``.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from keras_genzoo.errors import GenzooError


@dataclasses.dataclass(frozen=True)
class Preset:
    description: str
    config: dict[str, Any] = dataclasses.field(default_factory=dict)
    train: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    target: str  # "package.module:ClassName"
    kind: str  # "gan" or "autoencoder"
    reference: str
    presets: dict[str, Preset]
    default_preset: str

    def load_class(self):
        module_name, class_name = self.target.split(":")
        return getattr(importlib.import_module(module_name), class_name)

    def preset(self, name: str | None) -> tuple[str, Preset]:
        name = name or self.default_preset
        key = name.replace("_", "-")
        if key not in self.presets:
            raise GenzooError(
                f"unknown preset '{name}' for {self.name}; valid presets: "
                + ", ".join(self.presets)
            )
        return key, self.presets[key]


_MODELS: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    if spec.name != spec.name.lower() or "_" in spec.name:
        raise ValueError(f"model names are lower-case with hyphens: {spec.name!r}")
    if spec.default_preset not in spec.presets:
        raise ValueError(f"{spec.name}: default preset {spec.default_preset!r} is not defined")
    _MODELS[spec.name] = spec
    return spec


def canonical_name(name: str) -> str:
    """Lower-case, hyphenated form of a model name (underscores are aliases)."""
    return name.strip().lower().replace("_", "-")


def get(name: str) -> ModelSpec:
    key = canonical_name(name)
    if key not in _MODELS:
        raise GenzooError(f"unknown model '{name}'; valid models: " + ", ".join(sorted(_MODELS)))
    return _MODELS[key]


def names() -> list[str]:
    return sorted(_MODELS)


def all_specs() -> list[ModelSpec]:
    return [_MODELS[name] for name in names()]


# --------------------------------------------------------------------------
# The zoo. Training defaults are sized so that each model's default preset
# finishes in a few minutes on 2 CPU cores on the embedded digits.
# --------------------------------------------------------------------------

register(
    ModelSpec(
        name="dcgan",
        description="Deep convolutional GAN: strided-conv D, transposed-conv G with BatchNorm, "
        "non-saturating loss",
        target="keras_genzoo.models.dcgan:DCGAN",
        kind="gan",
        reference="Radford, Metz & Chintala 2015, arXiv:1511.06434",
        presets={
            "digits": Preset(
                "32x32 grayscale, small widths: the CPU quick start on the embedded digits",
                config={"image_size": 32, "channels": 1, "base_filters": 32},
                train={"dataset": "digits", "epochs": 30, "batch_size": 64},
            ),
            "mnist": Preset(
                "32x32 grayscale MNIST (tfds)",
                config={"image_size": 32, "channels": 1, "base_filters": 64},
                train={"dataset": "mnist", "epochs": 10, "batch_size": 128},
            ),
            "celeba64": Preset(
                "64x64 RGB faces (tfds celeb_a) as in the paper, 64 base filters",
                config={"image_size": 64, "channels": 3, "base_filters": 64},
                train={"dataset": "celeb_a", "epochs": 5, "batch_size": 128},
            ),
        },
        default_preset="digits",
    )
)

register(
    ModelSpec(
        name="ae",
        description="Undercomplete autoencoder (convolutional or dense) trained on reconstruction "
        "error",
        target="keras_genzoo.models.autoencoder:Autoencoder",
        kind="autoencoder",
        reference="Goodfellow, Bengio & Courville 2016, Deep Learning, ch. 14.1",
        presets={
            "conv": Preset(
                "strided-conv encoder to a 16-d code, transposed-conv decoder",
                config={"architecture": "conv", "code_dim": 16, "filters": 32},
                train={"dataset": "digits", "epochs": 20, "batch_size": 64},
            ),
            "dense": Preset(
                "MLP encoder 256 -> 16-d code, MLP decoder",
                config={"architecture": "dense", "code_dim": 16, "hidden_units": [256]},
                train={"dataset": "digits", "epochs": 20, "batch_size": 64},
            ),
        },
        default_preset="conv",
    )
)
