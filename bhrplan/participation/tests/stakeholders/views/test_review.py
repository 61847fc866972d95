import pytest
from django.urls import reverse

from bhrplan.core.models import AuditEvent
from bhrplan.participation.tests.stakeholders.views.helpers import MANAGE_EXPECTED
from bhrplan.territories.models import Organization

QUEUE = "stakeholders:review_queue"
REVIEW = "stakeholders:review"


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_shows_the_queue_only_to_the_territory_coordinator(
    persona_clients, persona, pending_org
):
    response = persona_clients[persona].get(reverse(QUEUE))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    visible = "Colectivo Pendiente" in response.content.decode()
    assert visible == (persona == "coordinator")
    assert ("rosa.secreta@example.org" in response.content.decode()) == (persona == "coordinator")


def test_it_lists_the_queue_in_fixed_queries(
    client_for, coordinator, territory, django_assert_max_num_queries
):
    from bhrplan.participation import services_stakeholders as svc

    for i in range(8):
        svc.organization_register(
            territory=territory, name=f"Org {i}", stakeholder_group="media", address=f"10.0.0.{i}"
        )
    client = client_for(coordinator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse(QUEUE))
    assert response.content.decode().count("Org ") >= 8


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_decide(persona_clients, persona, pending_org):
    response = persona_clients[persona].post(
        reverse(REVIEW, args=[pending_org.pk]), {"decision": "approve"}
    )
    pending_org.refresh_from_db()
    if persona == "coordinator":
        assert response.status_code == 302
        assert pending_org.approval == Organization.Approval.APPROVED
        assert AuditEvent.objects.filter(verb="organization.approved").exists()
    else:
        assert response.status_code == MANAGE_EXPECTED[persona]
        assert pending_org.approval == Organization.Approval.PENDING


def test_it_rejects_with_a_reason(client_for, coordinator, pending_org):
    client_for(coordinator).post(
        reverse(REVIEW, args=[pending_org.pk]), {"decision": "reject", "reason": "Duplicada"}
    )
    pending_org.refresh_from_db()
    assert pending_org.approval == Organization.Approval.REJECTED


def test_it_refuses_an_unknown_decision(client_for, coordinator, pending_org):
    response = client_for(coordinator).post(
        reverse(REVIEW, args=[pending_org.pk]), {"decision": "maybe"}
    )
    assert response.status_code == 302
    pending_org.refresh_from_db()
    assert pending_org.approval == Organization.Approval.PENDING


def test_it_answers_wrong_methods_with_405(client_for, coordinator, pending_org):
    client = client_for(coordinator)
    assert client.post(reverse(QUEUE)).status_code == 405
    assert client.get(reverse(REVIEW, args=[pending_org.pk])).status_code == 405
