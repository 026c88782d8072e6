"""docs/glossary.md maps the course's Greek terms to what genzoo implements: every term
the course uses is there, and every model, preset, config key, CLI option and link the
page names exists, so the glossary cannot drift from the code."""

import pathlib
import re
import unicodedata

import pytest

from keras_genzoo import registry
from keras_genzoo.config import field_types
from zoo_cli.main import build_parser

ROOT = pathlib.Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"

#: the terms as the course writes them (issue 19, part 8)
COURSE_TERMS = [
    "Αυτοκωδικοποιητής", "Υποπλήρης", "Υπερπλήρης", "Αραιός", "Ποινή αραιότητας",
    "ΑΚ απαλοιφής θορύβου", "Στοχαστικοί κωδικοποιητές", "Επανακυκλοφορία",
    "Πολλαπλότητα", "εφαπτόμενες", "Γεννήτορας", "Διευκρινιστής", "Κριτής",
    "Πρόβλημα κυριαρχίας", "Περιορισμένο εύρος αποτελεσμάτων", "μικρο-δέσμες",
    "Ποινή κλίσης", "Κανονικοποίηση", "Κλιμάκωση", "Ολίσθηση", "Μεταφορά στυλ μέσω νευρώνων",
]


def _text():
    return GLOSSARY.read_text(encoding="utf-8")


def _table_rows():
    """(greek, english, genzoo) cells of every table row below the headers."""
    rows = []
    for line in _text().splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells[0].startswith("Ελληνικά"):
            continue
        rows.append(cells)
    return rows


def _config_keys():
    keys = set()
    for spec in registry.all_specs():
        keys |= set(field_types(spec.load_class().config_class))
    return keys


def _cli_options():
    parser = build_parser()
    options = set()
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:
            options.update(action.option_strings)
            if action.choices and isinstance(action.choices, dict):
                stack.extend(p for p in action.choices.values() if hasattr(p, "_actions"))
    return options


def _slug(heading: str) -> str:
    """GitHub's anchor of a markdown heading."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_every_course_term_has_a_row():
    greek = " ".join(row[0] for row in _table_rows()).lower()
    missing = [term for term in COURSE_TERMS if term.lower() not in greek]
    assert not missing, f"course terms without a glossary row: {missing}"
    assert all(len(row) == 3 and all(row) for row in _table_rows()), "every row has 3 cells"


def test_no_placeholder_is_left():
    assert "{{" not in _text() and "TODO" not in _text()


def test_every_model_and_preset_named_exists():
    models = set(registry.names())
    for _, _, genzoo in _table_rows():
        for name, preset in re.findall(r"`([a-z0-9-]+) --preset ([a-z0-9-]+)`", genzoo):
            assert name in models, name
            registry.get(name).preset(preset)  # raises for an unknown preset
        for name in re.findall(r"\[`([a-z0-9-]+)`\]", genzoo):
            assert name in models, f"glossary links an unknown model {name}"


def test_every_config_key_and_cli_option_named_exists():
    keys, options = _config_keys(), _cli_options()
    for _, _, genzoo in _table_rows():
        for code in re.findall(r"`([^`]+)`", genzoo):
            for option in re.findall(r"(--[a-z][a-z0-9-]*)", code):
                assert option in options, f"glossary names an unknown CLI option {option}"
            match = re.fullmatch(r"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(=.*)?", code)
            if match:  # a snake_case config key, alone or as key=value
                assert match.group(1) in keys, f"glossary names an unknown config key {code}"


@pytest.mark.parametrize("target", sorted(set(
    re.findall(r"\]\(([^)#]+\.md)(#[^)]*)?\)", GLOSSARY.read_text(encoding="utf-8")))))
def test_every_link_resolves(target):
    page, anchor = target
    path = (GLOSSARY.parent / page).resolve()
    assert path.is_file(), page
    if anchor:
        headings = [_slug(line.lstrip("#")) for line in
                    path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        assert anchor[1:] in headings, f"{page}{anchor}: no such heading"
