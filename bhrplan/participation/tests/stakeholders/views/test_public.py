import pytest
from django.urls import reverse

from bhrplan.participation import services_stakeholders as svc
from bhrplan.participation.tests.stakeholders.views.helpers import (
    MANAGE_EXPECTED,
    PUBLIC_EXPECTED,
)

PUBLIC = [
    "stakeholders:public_events",
    "stakeholders:public_groups",
    "stakeholders:public_statistics",
]


@pytest.fixture
def attended(published_plan, event, private_event, stakeholder_org, pending_org):
    stakeholder_org.contact_email = "secreto@example.org"
    stakeholder_org.save()
    svc.event_attendance_set(
        event=event,
        organizations=[stakeholder_org, pending_org],
        counts={
            "gender": {"female": 14, "male": 3},
            "stakeholder_group": {"civil_society": 17},
            "region": {"PE-LMA": 2, "PE-CUS": 15},
        },
        actor=None,
    )
    svc.event_attendance_set(
        event=private_event, organizations=[], counts={"gender": {"female": 40}}, actor=None
    )
    event.working_group.members.add(pending_org)
    return published_plan


@pytest.mark.parametrize("persona", list(PUBLIC_EXPECTED))
@pytest.mark.parametrize("name", PUBLIC)
def test_it_shows_public_pages_to_everyone(persona_clients, persona, name, attended):
    response = persona_clients[persona].get(reverse(name, args=[attended.pk]))
    assert response.status_code == PUBLIC_EXPECTED[persona]
    html = response.content.decode()
    assert "Reunión bilateral reservada" not in html
    assert "Colectivo Pendiente" not in html
    assert "secreto@example.org" not in html and "rosa.secreta" not in html


@pytest.mark.parametrize("name", PUBLIC)
def test_it_hides_unpublished_plans(client, name, plan, event):
    assert client.get(reverse(name, args=[plan.pk])).status_code == 404


def test_it_lists_public_events_with_suppressed_counts(client, attended):
    html = client.get(reverse("stakeholders:public_events", args=[attended.pk])).content.decode()
    assert "Diálogo regional en Cusco" in html
    assert "Coordinadora Nacional de Derechos Humanos" in html
    assert "17" in html  # total people
    assert (
        reverse("stakeholders:minutes", args=[attended.pk, attended.events.get(is_public=True).pk])
        in html
    )


def test_it_lists_public_events_in_fixed_queries(
    client, attended, territory, django_assert_max_num_queries
):
    for i in range(5):
        svc.event_create(
            plan=attended,
            actor=None,
            kind="webinar",
            title=f"Webinar {i}",
            date=f"2025-07-0{i + 1}",
            territory=territory,
            modality="virtual",
            phase="drafting",
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("stakeholders:public_events", args=[attended.pk]))
    assert response.content.decode().count("Webinar ") >= 5


def test_it_lists_working_groups_with_approved_members(client, attended):
    html = client.get(reverse("stakeholders:public_groups", args=[attended.pk])).content.decode()
    assert "Mesa temática de minería" in html
    assert "Coordinadora Nacional de Derechos Humanos" in html


def test_it_suppresses_small_numbers_in_public_statistics(client, attended):
    html = client.get(
        reverse("stakeholders:public_statistics", args=[attended.pk])
    ).content.decode()
    assert "&lt;5" in html  # 3 men, 2 from Lima
    assert "<svg" in html and "<table" in html
    assert ">40<" not in html  # the private event is not counted


def test_it_shows_exact_numbers_to_the_coordinator(client_for, coordinator, attended):
    response = client_for(coordinator).get(reverse("stakeholders:statistics", args=[attended.pk]))
    html = response.content.decode()
    assert ">3<" in html and ">2<" in html
    assert "&lt;5" not in html
    assert "12 %" in html  # 2 of 17 people whose region was recorded came from Lima


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_shows_coordinator_statistics_only_to_the_coordinator(
    persona_clients, persona, attended
):
    response = persona_clients[persona].get(reverse("stakeholders:statistics", args=[attended.pk]))
    assert response.status_code == MANAGE_EXPECTED[persona]


def test_it_renders_statistics_in_fixed_queries(client, attended, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("stakeholders:public_statistics", args=[attended.pk]) + "?period=quarter"
        )
    assert response.status_code == 200


def test_it_tolerates_a_bad_period(client, attended):
    response = client.get(
        reverse("stakeholders:public_statistics", args=[attended.pk]) + "?period=<x>"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("persona", list(PUBLIC_EXPECTED))
def test_it_serves_minutes_of_public_events_to_everyone(persona_clients, persona, attended):
    event = attended.events.get(is_public=True)
    response = persona_clients[persona].get(
        reverse("stakeholders:minutes", args=[attended.pk, event.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("persona", list(PUBLIC_EXPECTED))
def test_it_serves_minutes_of_private_events_only_to_the_coordinator(
    persona_clients, persona, attended
):
    event = attended.events.get(is_public=False)
    response = persona_clients[persona].get(
        reverse("stakeholders:minutes", args=[attended.pk, event.pk])
    )
    assert response.status_code == (200 if persona == "coordinator" else 404)


def test_it_answers_404_for_minutes_of_unpublished_plans(client, plan, event):
    assert client.get(reverse("stakeholders:minutes", args=[plan.pk, event.pk])).status_code == 404


def test_it_answers_wrong_methods_with_405(client, attended):
    event = attended.events.get(is_public=True)
    for name in PUBLIC:
        assert client.post(reverse(name, args=[attended.pk])).status_code == 405
    assert (
        client.post(reverse("stakeholders:minutes", args=[attended.pk, event.pk])).status_code
        == 405
    )
    assert client.post(reverse("stakeholders:statistics", args=[attended.pk])).status_code == 405


def test_it_lists_working_groups_in_fixed_queries(
    client, attended, other_org, lead_org, django_assert_max_num_queries
):
    for i in range(4):
        svc.working_group_create(
            plan=attended, name=f"Grupo {i}", members=[other_org, lead_org], actor=None
        )
    with django_assert_max_num_queries(7):
        response = client.get(reverse("stakeholders:public_groups", args=[attended.pk]))
    assert response.content.decode().count("Ministerio de Trabajo") == 4
