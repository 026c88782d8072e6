"""``genzoo list [MODEL]``: the models, their presets and the dataset sources; with a
model, its presets and every config key with its type and default.

Reads the registry and the dataset catalog only: it answers without TensorFlow,
except ``genzoo list MODEL``, which imports the model's class for its config keys.
"""

from __future__ import annotations

import dataclasses
import typing

from keras_genzoo import registry
from keras_genzoo.config import field_types
from keras_genzoo.data.catalog import DATASET_SOURCES


def run(args) -> int:
    if args.model:
        return _list_model(registry.get(args.model))
    width = 24
    print("Models (genzoo train MODEL [--preset PRESET]; genzoo list MODEL for config keys):")
    for spec in registry.all_specs():
        print(f"  {spec.name:<{width}} {spec.description}")
        print(f"  {'':<{width}} [{spec.kind}] {spec.reference}")
        for name, preset in spec.presets.items():
            mark = "*" if name == spec.default_preset else " "
            print(f"  {'':<{width}} {mark} preset {name:<10} {preset.description}")
    print("\nDataset sources (--dataset):")
    for source, description in DATASET_SOURCES:
        print(f"  {source:<{width}} {description}")
    print("\n* = default preset. Model names accept underscores for hyphens.")
    return 0


def _list_model(spec) -> int:
    """A model's presets and every config key with its type and default."""
    config_class = spec.load_class().config_class
    print(f"{spec.name}: {spec.description}\n  [{spec.kind}] {spec.reference}\n")
    print("Presets (--preset):")
    for name, preset in spec.presets.items():
        mark = "*" if name == spec.default_preset else " "
        print(f"  {mark} {name:<10} {preset.description}")
        if preset.config:
            print(f"    {'':<10} config: " + ", ".join(f"{k}={v}" for k, v in preset.config.items()))
        if preset.train:
            print(f"    {'':<10} train:  " + ", ".join(f"{k}={v}" for k, v in preset.train.items()))
    print("\nConfig keys (--set KEY=VALUE, or a --config YAML/JSON file):")
    types = field_types(config_class)
    for field in dataclasses.fields(config_class):
        kind = types[field.name]
        if typing.get_origin(kind) is typing.Literal:
            kind_name = "|".join(map(str, typing.get_args(kind)))
        elif typing.get_origin(kind) in (tuple, list):
            kind_name = "list of " + typing.get_args(kind)[0].__name__
        else:
            kind_name = getattr(kind, "__name__", str(kind))
        default = field.default
        if isinstance(default, tuple):
            default = ",".join(map(str, default))
        print(f"  {field.name:<22} {kind_name:<14} default {default}")
    return 0
