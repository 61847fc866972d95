"""Plans side by side: per territory (with its sub-territories) and per network."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhrplan.conftest import build_plan_tree
from bhrplan.monitoring.tests.progress_data import scenario
from bhrplan.plans import services as plan_services
from bhrplan.territories import services as territory_services
from bhrplan.territories.models import Network

PERSONAS = [
    "coordinator",
    "focal_point",
    "committee_member",
    "stakeholder",
    "outsider",
    "anonymous",
]


def _published(territory, lead, title):
    plan = plan_services.plan_create(
        territory=territory,
        title=title,
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    build_plan_tree(plan, lead, guidelines=1, objectives=1, actions=2)
    plan_services.plan_publish(plan=plan, actor=None)
    return plan


@pytest.fixture
def places(published_plan, territory, other_territory, lead_org, other_org, stakeholder_org):
    scenario(published_plan, lead_org, other_org, stakeholder_org)
    region = territory_services.territory_get_or_create_from_iso(code="PE-CUS", actor=None)
    regional = _published(region, lead_org, "Plan Regional de Cusco")
    foreign = _published(other_territory, lead_org, "Plan Nacional de Colombia")
    draft = plan_services.plan_create(
        territory=territory,
        title="Plan en borrador",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    network = Network.objects.create(name="Red andina de planes")
    network.territories.add(territory, other_territory)
    return {"regional": regional, "foreign": foreign, "draft": draft, "network": network}


def test_it_shows_a_territory_and_its_sub_territories_to_everyone(
    persona_clients, published_plan, territory, places
):
    url = reverse("progress:territory", args=[territory.code])
    for persona in PERSONAS:
        assert persona_clients[persona].get(url).status_code == 200, persona
    html = persona_clients["outsider"].get(url).content.decode()
    assert reverse("progress:plan", args=[published_plan.pk]) in html
    assert "Plan Regional de Cusco" in html
    assert "Plan Nacional de Colombia" not in html
    assert "Plan en borrador" not in html
    assert "<svg" in html and "<caption>" in html
    assert "50 %" in html
    assert reverse("progress:network", args=[places["network"].pk]) in html


def test_it_shows_the_plans_of_a_network(persona_clients, published_plan, places):
    url = reverse("progress:network", args=[places["network"].pk])
    for persona in PERSONAS:
        assert persona_clients[persona].get(url).status_code == 200, persona
    html = persona_clients["anonymous"].get(url).content.decode()
    assert "Plan Nacional de Colombia" in html
    assert "Plan Regional de Cusco" not in html  # Cusco is not a member of the network
    assert "Plan en borrador" not in html


def test_it_answers_unknown_places_and_other_methods(persona_clients, places, territory):
    client = persona_clients["outsider"]
    assert client.get(reverse("progress:territory", args=["XX-NOPE"])).status_code == 404
    assert client.get(reverse("progress:network", args=[987654])).status_code == 404
    assert client.post(reverse("progress:territory", args=[territory.code])).status_code == 405
    url = reverse("progress:network", args=[places["network"].pk])
    assert persona_clients["anonymous"].post(url).status_code == 405


def test_it_compares_plans_in_a_fixed_number_of_queries(client, territory, lead_org, places):
    from django.core.cache import cache

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get(reverse("progress:territory", args=[territory.code])).status_code == 200
            )
        return len(ctx)

    before = count()
    for n in range(3):
        _published(territory, lead_org, f"Plan adicional {n}")
    assert count() == before
