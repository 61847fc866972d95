from bhrplan.procurement.criteria import library, recommend, value_band
from bhrplan.procurement.reference import risk_categories


def test_it_loads_a_bilingual_criterion_for_every_stage():
    lib = library()
    assert [s.slug for s in lib.stages] == [
        "specification",
        "exclusion",
        "award",
        "contract",
        "monitoring",
        "code_of_conduct",
    ]
    slugs = {c.slug for c in risk_categories()}
    for criterion in lib.criteria:
        assert criterion.stage in {s.slug for s in lib.stages}
        assert criterion.title and criterion.title_es and criterion.text and criterion.text_es
        assert criterion.title != criterion.title_es
        assert set(criterion.categories) <= slugs, criterion.code
        assert criterion.min_band in ("low", "medium", "high")
    for stage in lib.stages:
        assert [c for c in lib.criteria if c.stage == stage.slug], stage.slug


def test_it_bands_contract_values_in_dollars():
    assert value_band(7_300_000, "PYG") == "low"  # USD 1 000
    assert value_band(2_809_999_999, "PYG") == "medium"  # about USD 385 000
    assert value_band(5_000_000_000, "COP") == "high"
    assert value_band(None, "PYG") == "unknown"
    assert value_band(100, "XXX") == "unknown"


def test_it_scales_recommendations_to_the_contract_value():
    small = {s.slug: [c.code for c in cs] for s, cs in recommend({"garments_footwear"}, "low")}
    large = {s.slug: [c.code for c in cs] for s, cs in recommend({"garments_footwear"}, "high")}
    assert small["contract"] == ["CONTRACT-1"]
    assert large["contract"] == ["CONTRACT-1", "CONTRACT-2"]
    assert "SPEC-2" in large["specification"] and "SPEC-2" not in small["specification"]
    assert "EXCL-3" not in large["exclusion"]  # services only


def test_it_treats_an_unknown_value_as_medium():
    unknown = {
        s.slug: [c.code for c in cs]
        for s, cs in recommend({"labour_intensive_services"}, "unknown")
    }
    assert "AWARD-1" in unknown["award"] and "AWARD-2" in unknown["award"]
    assert "CONTRACT-2" not in unknown["contract"]
