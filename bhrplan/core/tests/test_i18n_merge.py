"""scripts/i18n_merge.py fills catalogs from JSON: plurals, placeholders, fuzzy flags."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.conf import settings

PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\n"

#, python-format
msgid "Plan %(name)s was published."
msgstr ""

#, fuzzy
#| msgid "Old text"
msgid ""
"A long message that makemessages wraps over "
"several lines."
msgstr "Texto viejo"

#, python-format
msgid "%(count)s action"
msgid_plural "%(count)s actions"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""

msgctxt "verb"
msgid "Publish"
msgstr ""

msgid "Left alone"
msgstr ""
"""


@pytest.fixture(scope="module")
def merge() -> ModuleType:
    path = Path(settings.BASE_DIR) / "scripts" / "i18n_merge.py"
    spec = importlib.util.spec_from_file_location("i18n_merge", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def po(tmp_path: Path) -> polib.POFile:
    path = tmp_path / "django.po"
    path.write_text(PO, encoding="utf-8")
    return polib.pofile(str(path))


def test_it_fills_singulars_plurals_contexts_and_multiline_msgids(
    merge: ModuleType, po: polib.POFile
) -> None:
    filled, problems = merge.fill_spanish(
        po,
        {
            "Plan %(name)s was published.": "Se publicó el plan %(name)s.",
            "A long message that makemessages wraps over several lines.": "Un mensaje largo.",
            "%(count)s action||%(count)s actions": ["%(count)s acción", "%(count)s acciones"],
            "verb\x04Publish": "Publicar",
        },
    )
    assert (filled, problems) == (4, [])
    by_id = {e.msgid: e for e in po}
    long = by_id["A long message that makemessages wraps over several lines."]
    assert long.msgstr == "Un mensaje largo." and "fuzzy" not in long.flags
    assert long.previous_msgid is None
    plural = by_id["%(count)s action"]
    assert plural.msgstr_plural == {
        0: "%(count)s acción",
        1: "%(count)s acciones",
        2: "%(count)s acciones",
    }
    assert by_id["Publish"].msgstr == "Publicar"
    assert [e.msgid for e in merge.untranslated(po)] == ["Left alone"]


def test_it_refuses_a_translation_with_other_placeholders(
    merge: ModuleType, po: polib.POFile
) -> None:
    filled, problems = merge.fill_spanish(
        po,
        {
            "Plan %(name)s was published.": "Se publicó el plan %(nombre)s.",
            "%(count)s action||%(count)s actions": "acciones",
        },
    )
    assert filled == 0
    assert len(problems) == 2
    assert {e.msgid for e in merge.untranslated(po)} >= {"Plan %(name)s was published."}


def test_it_copies_english_msgids_into_the_english_catalog(
    merge: ModuleType, po: polib.POFile
) -> None:
    merge.fill_english(po)
    assert merge.untranslated(po) == []
    plural = next(e for e in po if e.msgid_plural)
    assert plural.msgstr_plural[0] == "%(count)s action"
    assert plural.msgstr_plural[2] == "%(count)s actions"


def test_it_lets_a_later_file_win(merge: ModuleType, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps({"Search": "Busca", "Plans": "Planes"}), encoding="utf-8")
    second.write_text(json.dumps({"Search": "Buscar"}), encoding="utf-8")
    assert merge.load_translations([first, second]) == {"Search": "Buscar", "Plans": "Planes"}
