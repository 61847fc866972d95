import pytest
from django.urls import reverse
from django.utils import translation

from bhrplan.core.models import AuditEvent
from bhrplan.territories.models import Organization

URL = "stakeholders:register"


def form_data(place, **extra):
    data = {
        "name": "Asociación de Mujeres Mineras",
        "acronym": "AMM",
        "stakeholder_group": "civil_society",
        "territory": place.pk,
        "contact_name": "Ana Privada",
        "contact_email": "ana.privada@example.org",
        "contact_phone": "+51 1 555 0000",
        "homepage": "",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    "persona",
    ["coordinator", "focal_point", "committee_member", "stakeholder", "outsider", "anonymous"],
)
def test_it_shows_the_form_to_everyone(persona_clients, persona):
    response = persona_clients[persona].get(reverse(URL))
    assert response.status_code == 200
    assert b'name="homepage"' in response.content


def test_it_registers_a_pending_organisation(client, territory):
    response = client.post(reverse(URL), form_data(territory))
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:register_thanks")
    org = Organization.objects.get(acronym="AMM")
    assert org.approval == Organization.Approval.PENDING
    assert org.contact_email == "ana.privada@example.org"


def test_it_stores_nothing_when_the_honeypot_is_filled(client, territory):
    response = client.post(reverse(URL), form_data(territory, homepage="http://spam.example"))
    assert response.status_code == 302
    assert not Organization.objects.filter(acronym="AMM").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"territory": 999999}, "Select a valid choice"),
        ({"name": "x" * 301}, "at most 300 characters"),
        ({"contact_email": "not-an-email"}, "valid email"),
        ({"stakeholder_group": "aliens"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_it_refuses_bad_input_with_a_message(client, territory, extra, message):
    with translation.override("en"):
        url = reverse(URL)
    response = client.post(url, form_data(territory, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.filter(contact_name="Ana Privada").exists()


def test_it_refuses_a_duplicate_name(client, territory, stakeholder_org):
    response = client.post(reverse(URL), form_data(territory, name=stakeholder_org.name))
    assert response.status_code == 200
    assert Organization.objects.filter(normalized_name=stakeholder_org.normalized_name).count() == 1


def test_it_rate_limits_per_address(client, territory, settings):
    settings.PARTICIPATION_REGISTRATIONS_PER_HOUR = 1
    client.post(reverse(URL), form_data(territory))
    with translation.override("en"):
        url = reverse(URL)
    response = client.post(url, form_data(territory, name="Otra", acronym="OT"))
    assert response.status_code == 200
    assert "Too many registrations" in response.content.decode()
    assert AuditEvent.objects.filter(verb="organization.registered").count() == 1


def test_it_answers_wrong_methods_with_405(client):
    assert client.put(reverse(URL)).status_code == 405
    assert client.post(reverse("stakeholders:register_thanks")).status_code == 405


@pytest.mark.parametrize(
    "persona",
    ["coordinator", "focal_point", "committee_member", "stakeholder", "outsider", "anonymous"],
)
def test_it_thanks_everyone(persona_clients, persona):
    response = persona_clients[persona].get(reverse("stakeholders:register_thanks"))
    assert response.status_code == 200
