import re

import pytest

from bhrplan.procurement.reference import (
    CPV_DIVISIONS,
    country_code,
    dol_entries,
    keywords_pattern,
    risk_categories,
    unspsc_labels,
    unspsc_segments,
)


def test_it_parses_every_good_and_country_of_the_dol_list():
    entries = dol_entries()
    assert len(entries) == 467
    assert len({e.good for e in entries}) == 169
    assert all(e.country_code for e in entries), "every DoL country resolves to ISO"


def test_it_keeps_the_derived_flag_apart_from_the_direct_flags():
    by_key = {(e.good, e.country): e for e in dol_entries()}
    solar = by_key[("Solar Cells", "China")]
    assert solar.derived and solar.derived_country == "China"
    assert solar.risk_types == ()
    polysilicon = by_key[("Polysilicon", "China")]
    assert polysilicon.forced_labour and not polysilicon.derived
    bricks = by_key[("Bricks", "Paraguay")]
    assert bricks.child_labour and not bricks.forced_labour
    assert bricks.country_code == "PY"
    assert by_key[("Cattle", "Paraguay")].risk_types == ("child_labour", "forced_labour")


def test_it_maps_every_unspsc_code_of_the_risk_mapping_to_the_catalogue():
    labels = unspsc_labels()
    for category in risk_categories():
        assert category.unspsc, category.slug
        for code in category.unspsc:
            assert len(code) in (2, 4, 6), (category.slug, code)
            assert code in labels, (category.slug, code)


def test_it_writes_cpv_codes_as_division_group_or_class_prefixes():
    for category in risk_categories():
        for code in category.cpv:
            assert re.fullmatch(r"\d{2,8}", code), (category.slug, code)
            assert code[:2] in CPV_DIVISIONS, (category.slug, code)
        for code in (*category.unspsc, *category.dncp):
            assert code[:2] in unspsc_segments(), (category.slug, code)


def test_it_names_only_goods_that_are_on_the_dol_list():
    goods = {e.good for e in dol_entries()}
    for category in risk_categories():
        assert set(category.dol_goods) <= goods, category.slug


def test_it_gives_every_category_its_guidance_and_keywords_in_both_languages():
    slugs = [c.slug for c in risk_categories()]
    assert len(slugs) == len(set(slugs)) == 8
    for category in risk_categories():
        assert len(category.guidance) > 80
        assert category.keywords_es and category.keywords_en
        assert set(category.risk_types) <= {
            "child_labour",
            "forced_labour",
            "forced_child_labour",
            "labour_rights",
        }


def test_it_matches_keywords_as_whole_words_without_accents():
    pattern = re.compile(keywords_pattern(["guante*", "equipo* de proteccion personal", "oro"]))
    assert pattern.search("guantes de latex")
    assert pattern.search("equipos de proteccion personal")
    assert not pattern.search("decorado")  # "oro" inside a word
    assert pattern.search("lingote de oro")


def test_it_resolves_country_names_and_codes():
    assert country_code("Paraguay") == "PY"
    assert country_code("PY") == "PY"
    assert country_code("Brasil") == "BR"
    assert country_code("Congo, Democratic Republic of the") == "CD"
    assert country_code("") == ""
    assert country_code("Atlantis") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-", ""),  # pycountry's fuzzy search once made this France
        ("0", ""),  # … and this Sweden
        ("N/A", ""),
        ("Sin dato", ""),
        ("Central", ""),  # a department's name in several countries
        ("EE.UU.", "US"),
        ("EEUU", "US"),
        ("UK", "GB"),
        ("República Popular China", "CN"),
        ("Canadá", "CA"),
        ("Asunción", "PY"),  # an ISO 3166-2 subdivision of one country
        ("Korea, Republic of", "KR"),
        ("Türkiye", "TR"),
    ],
)
def test_country_codes_come_only_from_whole_names_and_codes(value, code):
    assert country_code(value) == code
