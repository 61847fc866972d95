"""The public indicator page: baseline → validated values → target."""

import uuid

import pytest
from django.urls import reverse

from bhrplan.monitoring.tests.progress_data import scenario

PERSONAS = [
    "coordinator",
    "focal_point",
    "committee_member",
    "stakeholder",
    "outsider",
    "anonymous",
]


@pytest.fixture
def data(published_plan, lead_org, other_org, stakeholder_org):
    return scenario(published_plan, lead_org, other_org, stakeholder_org)


def test_it_shows_the_line_of_validated_values(persona_clients, published_plan, data):
    indicator = data["actions"][0].indicators.get()
    url = reverse("progress:indicator", args=[published_plan.pk, indicator.uid])
    for persona in PERSONAS:
        assert persona_clients[persona].get(url).status_code == 200, persona
    html = persona_clients["outsider"].get(url).content.decode()
    assert "<svg" in html and "<caption>" in html
    assert ">100<" in html and ">250<" in html
    assert "female 150" in html


def test_it_never_shows_unvalidated_values(client, published_plan, data):
    indicator = data["actions"][3].indicators.get()  # only a submitted report: 400
    response = client.get(reverse("progress:indicator", args=[published_plan.pk, indicator.uid]))
    assert response.status_code == 200
    table = response.content.decode().split("<table>")[1]
    assert table.count('<th scope="row">') == 2  # the baseline and the target only
    assert ">400<" not in table


def test_it_answers_bad_ids_with_404(client, published_plan, plan, data):
    indicator = data["actions"][0].indicators.get()
    assert (
        client.get(
            reverse("progress:indicator", args=[published_plan.pk, uuid.uuid4()])
        ).status_code
        == 404
    )
    assert client.get(reverse("progress:indicator", args=[98765, indicator.uid])).status_code == 404
    assert (
        client.get(f"/es/progress/plans/{published_plan.pk}/indicators/not-a-uuid/").status_code
        == 404
    )


def test_it_refuses_other_methods(persona_clients, published_plan, data):
    indicator = data["actions"][0].indicators.get()
    url = reverse("progress:indicator", args=[published_plan.pk, indicator.uid])
    for persona in PERSONAS:
        assert persona_clients[persona].post(url).status_code == 405, persona


def test_it_hides_indicators_of_unpublished_plans(client, plan, lead_org, outsider, client_for):
    from bhrplan.conftest import build_plan_tree

    build_plan_tree(plan, lead_org)
    indicator = (
        plan.versions.get().guidelines.first().objectives.first().actions.first().indicators.get()
    )
    for c in (client, client_for(outsider)):
        assert (
            c.get(reverse("progress:indicator", args=[plan.pk, indicator.uid])).status_code == 404
        )
