"""The catalogs are complete and up to date, and Spanish pages show no English interface text."""

from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bhrplan.core.tests.i18n_checks import (
    assert_no_english,
    catalog_digest,
    catalog_path,
    english_msgids_in,
    extract_into_copy,
    untranslated_entries,
)
from bhrplan.plans.models import Plan


@pytest.mark.parametrize("language", ["es", "en"])
def test_it_has_no_untranslated_or_fuzzy_entry(language: str) -> None:
    po = polib.pofile(str(catalog_path(language)))
    assert len(po) > 100
    assert not po.metadata_is_fuzzy
    assert untranslated_entries(po) == []
    assert [e.msgid for e in po if "fuzzy" in e.flags] == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_it_ships_a_compiled_catalog_with_every_entry(language: str) -> None:
    po = polib.pofile(str(catalog_path(language)))
    mo = polib.mofile(str(catalog_path(language).with_suffix(".mo")))
    assert {e.msgid for e in po.translated_entries()} <= {e.msgid for e in mo}


def test_it_has_every_string_of_the_code_in_the_catalog(tmp_path: Path) -> None:
    before = catalog_digest()
    missing = untranslated_entries(extract_into_copy(tmp_path))
    assert catalog_digest() == before, "the check must not write the project's catalogs"
    assert missing == [], f"Strings missing from locale/es (run `make messages`): {missing}"


def test_it_notices_a_new_string_left_untranslated(tmp_path: Path) -> None:
    code = 'from django.utils.translation import gettext as _\n\nX = _("A brand new string")\n'
    po = extract_into_copy(tmp_path, {"bhrplan/core/brand_new.py": code})
    assert untranslated_entries(po) == ["A brand new string"]


def test_it_translates_the_home_page(published_plan: Plan) -> None:
    with translation.override("es"):
        url = reverse("portal:home")
    assert url.startswith("/es/")
    assert_no_english(Client().get(url))


def test_it_translates_the_login_page(db: Any) -> None:
    with translation.override("es"):
        url = reverse("accounts:login")
    response = Client().get(url)
    assert_no_english(response)
    assert "Iniciar sesión" in response.content.decode()


def test_it_finds_english_on_the_english_home_page(db: Any) -> None:
    with translation.override("en"):
        url = reverse("portal:home")
    html = Client().get(url).content.decode()
    assert "Skip to main content" in english_msgids_in(html)


def test_it_ignores_text_marked_as_another_language() -> None:
    html = '<p lang="en">Skip to main content</p><p>Saltar al contenido principal</p>'
    assert english_msgids_in(html) == []
    assert english_msgids_in("<p>Skip to main content</p>") == ["Skip to main content"]
