"""Model registry: CLI name -> model class, description, presets, test hooks.

This module is the mechanism only; the zoo itself lives in the model
families. Each family is a package ``keras_genzoo/models/<family>/`` whose
``__init__.py`` calls :func:`register` with a :class:`ModelSpec`; the first
lookup (:func:`get`, :func:`names`, :func:`all_specs`) imports every such
package. A family's ``__init__`` and ``presets`` are plain data, so
``genzoo list`` and ``genzoo --help`` never import TensorFlow: the model class
(``target``) and the hand-written reference step (``reference_step``) are
``"module:name"`` strings, imported only when a command or test needs them.

A preset is a named set of model-config overrides (``config``) together with
training defaults (``train``: dataset, epochs, batch size) that suit it. The
CLI applies, in order: the model's defaults, the preset, ``--config FILE``,
``--set key=value`` and the explicit flags such as ``--image-size``.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Any

from keras_genzoo.errors import GenzooError

#: the package whose sub-packages are the model families
FAMILIES_PACKAGE = "keras_genzoo.models"


@dataclasses.dataclass(frozen=True)
class Preset:
    description: str
    config: dict[str, Any] = dataclasses.field(default_factory=dict)
    train: dict[str, Any] = dataclasses.field(default_factory=dict)


def _load(target: str):
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    target: str  # "package.module:ClassName"
    kind: str  # "gan", "autoencoder", "classifier", "radialgan" or "style transfer"
    reference: str
    presets: dict[str, Preset]
    default_preset: str
    #: the family's tiny test configuration, as ``--set`` values on top of the
    #: default preset: a few steps trace and run in seconds on 2 CPU cores
    tiny: dict[str, str] = dataclasses.field(default_factory=dict)
    #: "package.module:function" of the family's hand-written reference step,
    #: ``function(model, optimizers, noise) -> step`` (benchmarks/hand_loops.py)
    reference_step: str = ""
    #: the family's page under docs/ (default ``models/<name>.md``)
    docs_page: str = ""

    @property
    def docs_path(self) -> str:
        return self.docs_page or f"models/{self.name}.md"

    def load_class(self):
        return _load(self.target)

    def load_reference_step(self):
        if not self.reference_step:
            raise GenzooError(f"{self.name} declares no reference step")
        return _load(self.reference_step)

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
_families_imported = False


def register(spec: ModelSpec) -> ModelSpec:
    if spec.name != spec.name.lower() or "_" in spec.name:
        raise ValueError(f"model names are lower-case with hyphens: {spec.name!r}")
    if spec.default_preset not in spec.presets:
        raise ValueError(f"{spec.name}: default preset {spec.default_preset!r} is not defined")
    _MODELS[spec.name] = spec
    return spec


def _import_families() -> None:
    """Import every family package once; each registers itself. The packages are
    found by walking ``keras_genzoo.models``, so a new family needs no entry here."""
    global _families_imported
    if _families_imported:
        return
    _families_imported = True
    package = importlib.import_module(FAMILIES_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        if module.ispkg:
            importlib.import_module(f"{FAMILIES_PACKAGE}.{module.name}")


def canonical_name(name: str) -> str:
    """Lower-case, hyphenated form of a model name (underscores are aliases)."""
    return name.strip().lower().replace("_", "-")


def get(name: str) -> ModelSpec:
    _import_families()
    key = canonical_name(name)
    if key not in _MODELS:
        raise GenzooError(f"unknown model '{name}'; valid models: " + ", ".join(sorted(_MODELS)))
    return _MODELS[key]


def names() -> list[str]:
    _import_families()
    return sorted(_MODELS)


def all_specs() -> list[ModelSpec]:
    return [_MODELS[name] for name in names()]
