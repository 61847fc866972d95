from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bhrplan.procurement.figures import ScreeningMetric
from bhrplan.procurement.models import Screening
from bhrplan.procurement.selectors import screenings_citable
from bhrplan.procurement.tests.conftest import finished_screening
from bhrplan.territories import services as territory_services

pytestmark = pytest.mark.django_db


def test_it_gives_the_aggregate_figures_kept_with_the_screening(territory, coordinator):
    screening = finished_screening(territory, coordinator)
    figures = screening.figures
    assert figures.dataset_name == "Compras públicas 2024 (OCDS)"
    assert figures.screened_on == screening.finished_at.astimezone(ZoneInfo("America/Lima")).date()
    assert (figures.processes_screened, figures.flagged_processes) == (11, 9)
    assert figures.flagged_share == Decimal("81.8")
    assert figures.value(ScreeningMetric.FLAGGED_CONTRACTS) == 13
    assert figures.value(ScreeningMetric.FLAGGED_BUYERS) == 4
    assert figures.value(ScreeningMetric.FLAGGED_SHARE) == Decimal("81.8")


def test_processes_screened_by_their_titles_count_as_screened(territory, coordinator):
    screening = finished_screening(
        territory,
        coordinator,
        summary={"tenders": 2, "buyers": 2},
        coverage={"tenders": 1, "titles_only": 1},
    )
    assert screening.figures.processes_screened == 2
    assert screening.figures.flagged_share == Decimal("100.0")


def test_it_says_not_available_rather_than_zero(territory, coordinator):
    # A screening run before "contracts" was counted, and one with no items at all.
    older = finished_screening(
        territory, coordinator, summary={"tenders": 2, "buyers": 1}, coverage={"tenders": 0}
    )
    assert older.figures.flagged_contracts is None
    assert older.figures.flagged_share is None
    assert older.figures.value(ScreeningMetric.FLAGGED_CONTRACTS) is None


def test_it_names_a_screening_by_dataset_and_date(territory, coordinator):
    screening = finished_screening(territory, coordinator)
    screening.finished_at = datetime(2024, 3, 1, 15, tzinfo=ZoneInfo("UTC"))
    assert screening.label == "Compras públicas 2024 (OCDS), screened on 03/01/2024"


def test_it_offers_finished_screenings_of_the_territory_and_its_parents_to_cite(
    territory, other_territory, coordinator, outsider
):
    region = territory_services.territory_get_or_create_from_iso(code="PE-LIM", actor=None)
    sibling = territory_services.territory_get_or_create_from_iso(code="PE-ARE", actor=None)
    national = finished_screening(territory, coordinator, name="Nacional")
    regional = finished_screening(region, coordinator, name="Lima")
    finished_screening(sibling, coordinator, name="Arequipa")
    finished_screening(region, coordinator, name="Lima en curso", finish=False)
    finished_screening(region, coordinator, name="Lima fallida", error="boom")
    colombia = finished_screening(other_territory, outsider, name="Colombia")
    assert set(screenings_citable(region, coordinator)) == {national, regional}
    assert set(screenings_citable(territory, coordinator)) == {national}
    # The outsider may see no Peruvian screening, the coordinator no Colombian one.
    assert not screenings_citable(region, outsider).exists()
    assert not screenings_citable(other_territory, coordinator).exists()
    assert set(screenings_citable(other_territory, outsider)) == {colombia}
    # A system write (no actor) is limited by territory and status only.
    assert set(screenings_citable(region, None)) == {national, regional}
    assert Screening.objects.count() == 6
