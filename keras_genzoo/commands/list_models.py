"""``genzoo list [MODEL]``: the models, their presets and the dataset sources; with a
model, its presets and every config key with its type and default. ``genzoo list
--markdown`` prints the model catalogue as a Markdown table: the README's table and the
list in docs/index.md are this catalogue (``python -m keras_genzoo.commands.list_models``
rewrites both; a test fails when they are stale), so a new family appears in them
from its registration alone.

Reads the registry and the dataset catalog only: it answers without TensorFlow,
except ``genzoo list MODEL``, which imports the model's class for its config keys.
"""

from __future__ import annotations

import dataclasses
import pathlib
import sys
import typing

from keras_genzoo import registry, runs
from keras_genzoo.config import field_types
from keras_genzoo.data.catalog import DATASET_SOURCES
from keras_genzoo.errors import GenzooError


#: the markers around the generated catalogue in README.md and docs/index.md
CATALOGUE_START, CATALOGUE_END = "<!-- models:start -->", "<!-- models:end -->"


def run(args) -> int:
    if getattr(args, "markdown", False) and args.model:
        raise GenzooError("--markdown prints the whole model catalogue; drop MODEL")
    if getattr(args, "markdown", False):
        print(catalogue_table(docs_prefix="docs/"))
        return 0
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


# ------------------------------------------------------------------ the catalogue
def catalogue_table(docs_prefix: str = "") -> str:
    """One Markdown row per registered model: name, presets (default first), what it
    is and where it comes from, its docs page (``docs_prefix`` + the family's page)."""
    lines = ["| model | presets (default first) | what it is | docs |",
             "|-------|-------------------------|------------|------|"]
    for spec in registry.all_specs():
        presets = [spec.default_preset] + [p for p in spec.presets if p != spec.default_preset]
        page = spec.docs_path
        what = f"{spec.description} ({spec.reference})".replace("|", "\\|")  # a cell's "|"
        lines.append(f"| `{spec.name}` | {', '.join(f'`{p}`' for p in presets)} | {what} | "
                     f"[{pathlib.PurePosixPath(page).name}]({docs_prefix}{page}) |")
    return "\n".join(lines)


def catalogue_pages(root) -> dict[pathlib.Path, str]:
    """The files that hold the catalogue, and the table each should hold."""
    root = pathlib.Path(root)
    return {root / "README.md": catalogue_table("docs/"),
            root / "docs" / "index.md": catalogue_table("")}


def with_catalogue(text: str, table: str) -> str:
    """``text`` with the part between the catalogue markers replaced by ``table``."""
    start, end = text.index(CATALOGUE_START), text.index(CATALOGUE_END)
    return text[:start + len(CATALOGUE_START)] + "\n" + table + "\n" + text[end:]


def update_catalogues(root) -> list[pathlib.Path]:
    """Rewrite the catalogue in every page that is out of date; the pages changed."""
    changed = []
    for path, table in catalogue_pages(root).items():
        text = path.read_text(encoding="utf-8")
        new = with_catalogue(text, table)
        if new != text:
            runs.write_text(path, new)
            changed.append(path)
    return changed


if __name__ == "__main__":  # python -m keras_genzoo.commands.list_models [REPO_ROOT]
    for page in update_catalogues(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(f"rewrote the model catalogue in {page}")
