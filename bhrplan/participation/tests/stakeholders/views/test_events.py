import pytest
from django.urls import reverse
from django.utils import translation

from bhrplan.participation.models import AttendanceCount, Event
from bhrplan.participation.tests.stakeholders.conftest import docx_upload, pdf_upload
from bhrplan.participation.tests.stakeholders.views.helpers import MANAGE_EXPECTED


def event_data(**extra):
    data = {
        "kind": "workshop",
        "title": "Taller de debida diligencia",
        "date": "2025-06-10",
        "territory": "PE-CUS",
        "modality": "in_person",
        "phase": "drafting",
        "is_public": "on",
    }
    data.update(extra)
    return data


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
@pytest.mark.parametrize(
    "name",
    [
        "stakeholders:events",
        "stakeholders:event_create",
        "stakeholders:event_edit",
        "stakeholders:attendance",
    ],
)
def test_it_shows_event_pages_only_to_the_coordinator(persona_clients, persona, name, plan, event):
    args = (
        [plan.pk]
        if name in {"stakeholders:events", "stakeholders:event_create"}
        else [plan.pk, event.pk]
    )
    response = persona_clients[persona].get(reverse(name, args=args))
    assert response.status_code == MANAGE_EXPECTED[persona]


def test_it_lists_events_in_fixed_queries(
    client_for,
    coordinator,
    plan,
    event,
    private_event,
    stakeholder_org,
    django_assert_max_num_queries,
):
    for e in (event, private_event):
        e.organizations.add(stakeholder_org)
        AttendanceCount.objects.create(event=e, dimension="gender", category="female", count=7)
    client = client_for(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("stakeholders:events", args=[plan.pk]))
    assert "Reunión bilateral reservada" in response.content.decode()


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_create_events(persona_clients, persona, plan):
    data = event_data(minutes=pdf_upload())
    response = persona_clients[persona].post(
        reverse("stakeholders:event_create", args=[plan.pk]), data
    )
    created = Event.objects.filter(plan=plan).first()
    if persona == "coordinator":
        assert response.status_code == 302
        assert created is not None and created.territory.code == "PE-CUS"
        assert created.minutes.name.endswith(".pdf")
    else:
        assert response.status_code == MANAGE_EXPECTED[persona]
        assert created is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"minutes": pdf_upload("acta.exe")}, "PDF, DOCX or ODT"),
        ({"minutes": pdf_upload("acta.docx")}, "does not match"),
        ({"territory": "XX-NOPE"}, "Select a valid choice"),
        ({"territory": "CO-ANT"}, "Select a valid choice"),
        ({"date": "not a date"}, "Enter a valid date"),
        ({"title": "x" * 301}, "at most 300"),
        ({"kind": "party"}, "Select a valid choice"),
    ],
)
def test_it_refuses_bad_events(client_for, coordinator, plan, extra, message):
    response = client_for(coordinator).post(
        en("stakeholders:event_create", plan.pk), event_data(**extra)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_it_refuses_oversize_minutes(client_for, coordinator, plan, settings):
    settings.PARTICIPATION_MINUTES_MAX_BYTES = 1000
    response = client_for(coordinator).post(
        en("stakeholders:event_create", plan.pk), event_data(minutes=pdf_upload(size=5000))
    )
    assert "too large" in response.content.decode()
    assert not Event.objects.exists()


def test_it_edits_an_event_and_replaces_minutes(client_for, coordinator, plan, event):
    response = client_for(coordinator).post(
        reverse("stakeholders:event_edit", args=[plan.pk, event.pk]),
        event_data(title="Diálogo corregido", minutes=docx_upload()),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Diálogo corregido"
    assert event.minutes.name.endswith(".docx")


def test_it_removes_minutes(client_for, coordinator, plan, event):
    client_for(coordinator).post(
        reverse("stakeholders:event_edit", args=[plan.pk, event.pk]),
        event_data(remove_minutes="on"),
    )
    event.refresh_from_db()
    assert not event.minutes


def test_it_does_not_edit_another_plans_event(client_for, outsider, plan, event):
    response = client_for(outsider).post(
        reverse("stakeholders:event_edit", args=[plan.pk, event.pk]), event_data(title="Hack")
    )
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.title != "Hack"


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_delete_events(persona_clients, persona, plan, event):
    response = persona_clients[persona].post(
        reverse("stakeholders:event_delete", args=[plan.pk, event.pk])
    )
    exists = Event.objects.filter(pk=event.pk).exists()
    if persona == "coordinator":
        assert response.status_code == 302 and not exists
    else:
        assert response.status_code == MANAGE_EXPECTED[persona] and exists


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_record_attendance(
    persona_clients, persona, plan, event, stakeholder_org
):
    response = persona_clients[persona].post(
        reverse("stakeholders:attendance", args=[plan.pk, event.pk]),
        {
            "organizations": [stakeholder_org.pk],
            "gender__female": "12",
            "gender__male": "",
            "group__trade_union": "4",
            "region__PE-CUS": "16",
        },
    )
    rows = {(c.dimension, c.category): c.count for c in event.counts.all()}
    if persona == "coordinator":
        assert response.status_code == 302
        assert rows == {
            ("gender", "female"): 12,
            ("stakeholder_group", "trade_union"): 4,
            ("region", "PE-CUS"): 16,
        }
        assert list(event.organizations.all()) == [stakeholder_org]
    else:
        assert response.status_code == MANAGE_EXPECTED[persona]
        assert rows == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"gender__female": "doce"}, "Enter a whole number"),
        ({"gender__female": "-3"}, "greater than or equal to 0"),
        ({"gender__female": "1e9"}, "Enter a whole number"),
        ({"gender__female": "999999999"}, "less than or equal to"),
        ({"organizations": ["999999"]}, "Select a valid choice"),
    ],
)
def test_it_refuses_bad_attendance(client_for, coordinator, plan, event, data, message):
    AttendanceCount.objects.create(event=event, dimension="gender", category="male", count=5)
    response = client_for(coordinator).post(en("stakeholders:attendance", plan.pk, event.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert [(c.category, c.count) for c in event.counts.all()] == [("male", 5)]


def test_it_ignores_unknown_regions(client_for, coordinator, plan, event):
    response = client_for(coordinator).post(
        reverse("stakeholders:attendance", args=[plan.pk, event.pk]),
        {"region__XX-NOPE": "10", "gender__female": "3"},
    )
    assert response.status_code == 302
    assert [c.category for c in event.counts.all()] == ["female"]


def test_it_answers_wrong_methods_with_405(client_for, coordinator, plan, event):
    client = client_for(coordinator)
    assert client.post(reverse("stakeholders:events", args=[plan.pk])).status_code == 405
    assert client.put(reverse("stakeholders:event_create", args=[plan.pk])).status_code == 405
    assert (
        client.put(reverse("stakeholders:event_edit", args=[plan.pk, event.pk])).status_code == 405
    )
    assert (
        client.get(reverse("stakeholders:event_delete", args=[plan.pk, event.pk])).status_code
        == 405
    )
    assert (
        client.put(reverse("stakeholders:attendance", args=[plan.pk, event.pk])).status_code == 405
    )
