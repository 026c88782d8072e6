"""The model catalogue in README.md and docs/index.md is the registry: every registered
model, no other, each with a docs page that exists. Adding a family needs no edit of
either page by hand: `python -m keras_genzoo.commands.list_models` rewrites them."""

import pathlib

import pytest

from keras_genzoo import registry
from keras_genzoo.commands import list_models

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page", ["README.md", "docs/index.md"])
def test_the_catalogue_is_up_to_date(page):
    path = ROOT / page
    table = list_models.catalogue_pages(ROOT)[path]
    assert list_models.with_catalogue(path.read_text(encoding="utf-8"), table) == \
        path.read_text(encoding="utf-8"), (
            f"{page}'s model catalogue is stale: run python -m keras_genzoo.commands.list_models")


def test_every_model_has_its_row_and_its_page():
    table = list_models.catalogue_table("docs/")
    rows = [line for line in table.splitlines()[2:]]
    assert [row.split("`")[1] for row in rows] == registry.names()
    for spec in registry.all_specs():
        assert (ROOT / "docs" / spec.docs_path).is_file(), spec.name
    # a "|" inside a description would split its cell
    assert all(row.replace("\\|", "").count("|") == 5 for row in rows)


def test_update_rewrites_only_the_catalogue(tmp_path):
    (tmp_path / "docs").mkdir()
    for name in ("README.md", "docs/index.md"):
        (tmp_path / name).write_text(f"# {name}\n\n{list_models.CATALOGUE_START}\nold\n"
                                     f"{list_models.CATALOGUE_END}\n\ntail\n")
    changed = list_models.update_catalogues(tmp_path)
    assert sorted(p.name for p in changed) == ["README.md", "index.md"]
    text = (tmp_path / "README.md").read_text()
    assert text.startswith("# README.md\n\n") and text.endswith("\n\ntail\n")
    assert "| `wgan-gp` |" in text and "old" not in text
    assert list_models.update_catalogues(tmp_path) == []  # idempotent
