"""Every fixture carries French for each English text: content is bilingual from the data up."""

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FILES = ["01_catalogue.json", "02_about.json", "03_places.json", "demo_postings.json"]
# Words spelled the same in both languages. Place names (03_places.json) often are too, so only
# prose fixtures are checked for text left in English.
SAME_IN_BOTH = {"CORCAN", "Construction"}
PROSE = ["01_catalogue.json", "02_about.json", "demo_postings.json"]


def text_pairs(node, where=""):
    """Yield (path, English, French) for every `<field>_en` key of a fixture, at any depth."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from text_pairs(item, f"{where}[{index}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_en") and isinstance(value, str):
                yield f"{where}.{key[:-3]}", value, node.get(f"{key[:-3]}_fr")
            else:
                yield from text_pairs(value, f"{where}.{key}")


@pytest.mark.parametrize("name", FILES)
def test_every_english_text_has_its_french_twin(name):
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    pairs = list(text_pairs(data))
    assert pairs, name
    missing = [path for path, english, french in pairs if english and not french]
    assert not missing, f"{len(missing)} texts without French in {name}, e.g. {missing[:5]}"


@pytest.mark.parametrize("name", PROSE)
def test_prose_is_not_left_in_english(name):
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    pairs = list(text_pairs(data))
    untranslated = [
        path
        for path, english, french in pairs
        if english and english == french and english not in SAME_IN_BOTH
    ]
    assert not untranslated, f"French identical to English in {name}: {untranslated[:5]}"


@pytest.mark.parametrize("name", FILES)
def test_french_keeps_the_lines_and_list_items_of_the_english(name):
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    for path, english, french in text_pairs(data):
        if english:
            assert french.count("\n") == english.count("\n"), f"{name} {path}"
