"""GET /api/v1/plans/{id}/progress: the dashboard's figures as JSON."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from bhrplan.conftest import build_plan_tree
from bhrplan.monitoring.tests.progress_data import scenario

PERSONAS = [
    "coordinator",
    "focal_point",
    "committee_member",
    "stakeholder",
    "outsider",
    "anonymous",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def data(published_plan, lead_org, other_org, stakeholder_org):
    return scenario(published_plan, lead_org, other_org, stakeholder_org)


def test_it_returns_the_figures_to_everyone(persona_clients, published_plan, data):
    url = reverse("api-1.0.0:plan_progress", args=[published_plan.pk])
    assert url == f"/api/v1/plans/{published_plan.pk}/progress"
    bodies = []
    for persona in PERSONAS:
        response = persona_clients[persona].get(url)
        assert response.status_code == 200, persona
        bodies.append(response.json())
    assert all(body == bodies[0] for body in bodies)
    body = bodies[0]
    assert body["progress"] == {
        "key": "plan",
        "label": "",
        "progress": 0.5,
        "actions": 8,
        "known": 4,
        "unknown": 3,
        "cancelled": 1,
    }
    assert body["status_distribution"]["no_report"] == 3
    assert [g["progress"] for g in body["groups"]["guideline"]] == [0.75, 0.25]
    first = body["actions"][0]
    assert first["status"] == "in_progress"
    assert first["indicators"][0]["value"] == "250.0000"
    assert first["indicators"][0]["attainment"] == 0.5
    # the submitted (unvalidated) report of the fourth action is not there
    assert body["actions"][3]["status"] is None
    assert body["actions"][3]["indicators"][0]["value"] is None


def test_it_hides_unpublished_and_unknown_plans(persona_clients, plan, lead_org):
    build_plan_tree(plan, lead_org)
    for persona in PERSONAS:
        client = persona_clients[persona]
        assert client.get(f"/api/v1/plans/{plan.pk}/progress").status_code == 404, persona
    assert persona_clients["anonymous"].get("/api/v1/plans/987654/progress").status_code == 404
    assert persona_clients["anonymous"].get("/api/v1/plans/abc/progress").status_code == 404


def test_it_refuses_other_methods(persona_clients, published_plan):
    for persona in ["outsider", "anonymous"]:
        url = f"/api/v1/plans/{published_plan.pk}/progress"
        assert persona_clients[persona].post(url).status_code == 405, persona


def test_it_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/plans/{plan_id}/progress" in paths
