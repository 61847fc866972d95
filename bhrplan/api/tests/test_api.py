import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bhrplan.plans import services as plan_services
from bhrplan.portal.tests.conftest import published_plan_of_size


@pytest.mark.django_db
def test_it_lists_published_plans_only(client, published_plan, draft_only_plan):
    response = client.get("/api/v1/plans")
    assert response.status_code == 200
    data = response.json()
    assert [p["id"] for p in data] == [published_plan.pk]
    assert data[0]["territory"]["code"] == "PE"
    assert data[0]["latest_version"] == 1
    assert data[0]["start_date"] == "2025-01-01"


@pytest.mark.django_db
def test_it_returns_the_whole_tree_of_the_latest_published_version(client, plan_with_draft):
    response = client.get(f"/api/v1/plans/{plan_with_draft.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["version"]["number"] == 1
    assert len(data["guidelines"]) == 2
    action = data["guidelines"][0]["objectives"][0]["actions"][0]
    assert action["code"] == "1.1.1"
    assert action["title_en"].startswith("Action 1.1.1")
    assert action["lead"]["name"] == "Ministerio de Justicia y Derechos Humanos"
    assert [o["name"] for o in action["co_responsible"]] == [
        "Ministerio de Trabajo y Promoción del Empleo"
    ]
    assert "UNGP-1" in action["provisions"] and "SDG-8.7" in action["provisions"]
    assert action["budget"] == "150000.00"
    assert action["indicators"][0]["target_value"] == "500"
    assert "Borrador confidencial" not in response.content.decode()
    assert "no publicado" not in response.content.decode()


@pytest.mark.django_db
def test_it_gives_404_for_drafts_and_unknown_plans(client, draft_only_plan):
    assert client.get(f"/api/v1/plans/{draft_only_plan.pk}").status_code == 404
    assert client.get("/api/v1/plans/999999").status_code == 404
    assert client.get("/api/v1/plans/abc").status_code in (404, 422)


@pytest.mark.django_db
def test_it_refuses_writes(client, published_plan):
    assert client.post("/api/v1/plans").status_code == 405
    assert client.delete(f"/api/v1/plans/{published_plan.pk}").status_code == 405


@pytest.mark.django_db
def test_it_serves_the_catalogs(client, catalogs):
    ungp = client.get("/api/v1/catalogs/ungp").json()
    assert len(ungp) == 31
    assert ungp[0]["code"] == "UNGP-1" and ungp[0]["pillar"] == 1
    assert ungp[0]["title_en"] and ungp[0]["title_es"]
    sdg = client.get("/api/v1/catalogs/sdg").json()
    assert len(sdg) == 17
    assert sum(len(goal["targets"]) for goal in sdg) == 169
    goal8 = next(g for g in sdg if g["number"] == "8")
    assert "8.7" in [t["number"] for t in goal8["targets"]]


@pytest.mark.django_db
def test_it_publishes_an_openapi_3_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/plans", "/api/v1/plans/{plan_id}", "/api/v1/catalogs/ungp"):
        assert path in doc["paths"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_it_uses_a_fixed_number_of_queries(client, plan, lead_org, other_org, catalogs):
    published_plan_of_size(plan, lead_org, other_org, 10)
    small = _queries(client, f"/api/v1/plans/{plan.pk}")
    small_list = _queries(client, "/api/v1/plans")
    other = plan_services.plan_create(
        territory=plan.territory,
        title="Otro plan",
        start_date=plan.start_date,
        end_date=plan.end_date,
        actor=None,
    )
    published_plan_of_size(other, lead_org, other_org, 100)
    assert _queries(client, f"/api/v1/plans/{other.pk}") == small
    assert _queries(client, "/api/v1/plans") == small_list
    assert _queries(client, "/api/v1/catalogs/sdg") <= 3


@pytest.mark.django_db
def test_it_serves_the_api_docs_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
