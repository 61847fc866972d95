import pytest
from django.urls import reverse

from bhrplan.participation.models import WorkingGroup
from bhrplan.participation.tests.stakeholders.views.helpers import MANAGE_EXPECTED


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
@pytest.mark.parametrize(
    "name", ["stakeholders:groups", "stakeholders:group_create", "stakeholders:group_edit"]
)
def test_it_shows_group_pages_only_to_the_coordinator(
    persona_clients, persona, name, plan, working_group
):
    args = [plan.pk, working_group.pk] if name == "stakeholders:group_edit" else [plan.pk]
    response = persona_clients[persona].get(reverse(name, args=args))
    assert response.status_code == MANAGE_EXPECTED[persona]


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_create_groups(
    persona_clients, persona, plan, stakeholder_org, other_org
):
    response = persona_clients[persona].post(
        reverse("stakeholders:group_create", args=[plan.pk]),
        {"name": "Mesa de pueblos indígenas", "members": [stakeholder_org.pk, other_org.pk]},
    )
    group = WorkingGroup.objects.filter(plan=plan).first()
    if persona == "coordinator":
        assert response.status_code == 302
        assert group is not None and group.members.count() == 2
    else:
        assert response.status_code == MANAGE_EXPECTED[persona]
        assert group is None


def test_it_edits_a_group(client_for, coordinator, plan, working_group, other_org):
    response = client_for(coordinator).post(
        reverse("stakeholders:group_edit", args=[plan.pk, working_group.pk]),
        {"name": "Mesa minera", "members": [other_org.pk]},
    )
    assert response.status_code == 302
    working_group.refresh_from_db()
    assert working_group.name == "Mesa minera"
    assert list(working_group.members.all()) == [other_org]


@pytest.mark.parametrize(
    "data", [{"name": ""}, {"name": "x" * 201}, {"name": "Mesa", "members": ["nope"]}]
)
def test_it_refuses_bad_groups(client_for, coordinator, plan, data):
    response = client_for(coordinator).post(
        reverse("stakeholders:group_create", args=[plan.pk]), data
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not WorkingGroup.objects.exists()


def test_it_does_not_offer_pending_organisations(client_for, coordinator, plan, pending_org):
    response = client_for(coordinator).post(
        reverse("stakeholders:group_create", args=[plan.pk]),
        {"name": "Mesa", "members": [pending_org.pk]},
    )
    assert response.status_code == 200
    assert not WorkingGroup.objects.exists()


@pytest.mark.parametrize("persona", list(MANAGE_EXPECTED))
def test_it_lets_only_the_coordinator_delete_groups(persona_clients, persona, plan, working_group):
    response = persona_clients[persona].post(
        reverse("stakeholders:group_delete", args=[plan.pk, working_group.pk])
    )
    exists = WorkingGroup.objects.filter(pk=working_group.pk).exists()
    if persona == "coordinator":
        assert response.status_code == 302 and not exists
    else:
        assert response.status_code == MANAGE_EXPECTED[persona] and exists


def test_it_answers_wrong_methods_with_405(client_for, coordinator, plan, working_group):
    client = client_for(coordinator)
    assert client.post(reverse("stakeholders:groups", args=[plan.pk])).status_code == 405
    assert client.put(reverse("stakeholders:group_create", args=[plan.pk])).status_code == 405
    assert (
        client.put(reverse("stakeholders:group_edit", args=[plan.pk, working_group.pk])).status_code
        == 405
    )
    assert (
        client.get(
            reverse("stakeholders:group_delete", args=[plan.pk, working_group.pk])
        ).status_code
        == 405
    )
