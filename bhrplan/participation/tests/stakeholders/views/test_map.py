import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bhrplan.participation import services_stakeholders as svc
from bhrplan.participation.models import StakeholderRating
from bhrplan.participation.tests.stakeholders.views.helpers import MANAGE_EXPECTED

MAP = "stakeholders:map"


@pytest.fixture
def rated(plan, stakeholder_org, working_group, event):
    stakeholder_org.contact_email = "secreto@example.org"
    stakeholder_org.contact_name = "Persona Secreta"
    stakeholder_org.save()
    event.organizations.add(stakeholder_org)
    return svc.stakeholder_rate(
        plan=plan, organization=stakeholder_org, influence=4, interest=5, actor=None
    )


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
@pytest.mark.parametrize("name", [MAP, "stakeholders:map_csv", "stakeholders:map_xlsx"])
def test_it_shows_the_map_only_to_the_coordinator(persona_clients, persona, name, plan, rated):
    response = persona_clients[persona].get(reverse(name, args=[plan.pk]))
    assert response.status_code == MANAGE_EXPECTED[persona]


def test_it_draws_the_grid_and_graph_with_a_table(client_for, coordinator, plan, rated):
    response = client_for(coordinator).get(reverse(MAP, args=[plan.pk]))
    html = response.content.decode()
    assert html.count("<svg") == 2
    assert '<title id="grid-t">' in html and '<desc id="graph-d">' in html
    assert "Coordinadora Nacional de Derechos Humanos" in html
    assert "Mesa temática de minería" in html
    assert "secreto@example.org" not in html and "Persona Secreta" not in html


def test_it_renders_the_map_in_fixed_queries(
    client_for, coordinator, plan, rated, other_org, lead_org, django_assert_max_num_queries
):
    for org in (other_org, lead_org):
        svc.stakeholder_rate(plan=plan, organization=org, influence=2, interest=2, actor=None)
    client = client_for(coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse(MAP, args=[plan.pk]))
    assert response.status_code == 200


def test_it_exports_csv_without_contact_data_and_escapes_formulas(
    client_for, coordinator, plan, rated
):
    rated.note = '=HYPERLINK("http://evil.example")'
    rated.save()
    response = client_for(coordinator).get(reverse("stakeholders:map_csv", args=[plan.pk]))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Coordinadora Nacional de Derechos Humanos" in text
    assert "'=HYPERLINK" in text
    assert "secreto@example.org" not in text and "Persona Secreta" not in text


def test_it_exports_xlsx_without_contact_data(client_for, coordinator, plan, rated):
    rated.note = "@SUM(A1)"
    rated.save()
    response = client_for(coordinator).get(reverse("stakeholders:map_xlsx", args=[plan.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Coordinadora Nacional de Derechos Humanos" in cells
    assert "'@SUM(A1)" in cells
    assert not any("secreto" in c or "Secreta" in c for c in cells)


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_rate(persona_clients, persona, plan, other_org):
    response = persona_clients[persona].post(
        reverse("stakeholders:rate", args=[plan.pk]),
        {"organization": other_org.pk, "influence": 3, "interest": 2},
    )
    stored = StakeholderRating.objects.filter(plan=plan).exists()
    if persona == "coordinator":
        assert response.status_code == 302
        assert stored
    else:
        assert response.status_code == MANAGE_EXPECTED[persona]
        assert not stored


@pytest.mark.parametrize(
    "data",
    [
        {"influence": "9", "interest": "2"},
        {"influence": "abc", "interest": "2"},
        {"influence": "3", "interest": ""},
    ],
)
def test_it_refuses_bad_ratings(client_for, coordinator, plan, other_org, data):
    response = client_for(coordinator).post(
        reverse("stakeholders:rate", args=[plan.pk]), {"organization": other_org.pk, **data}
    )
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not StakeholderRating.objects.exists()


def test_it_refuses_to_rate_a_pending_organisation(client_for, coordinator, plan, pending_org):
    response = client_for(coordinator).post(
        reverse("stakeholders:rate", args=[plan.pk]),
        {"organization": pending_org.pk, "influence": 3, "interest": 3},
    )
    assert response.status_code == 400
    assert not StakeholderRating.objects.exists()


def test_it_answers_wrong_methods_with_405(client_for, coordinator, plan):
    client = client_for(coordinator)
    assert client.post(reverse(MAP, args=[plan.pk])).status_code == 405
    assert client.get(reverse("stakeholders:rate", args=[plan.pk])).status_code == 405
    assert client.post(reverse("stakeholders:map_csv", args=[plan.pk])).status_code == 405
    assert client.post(reverse("stakeholders:map_xlsx", args=[plan.pk])).status_code == 405
