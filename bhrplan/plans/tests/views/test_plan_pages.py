import pytest
from django.urls import reverse

from bhrplan.core.models import AuditEvent
from bhrplan.plans.models import Plan
from bhrplan.plans.tests.conftest import check_personas

PLAN_DATA = {
    "title": "Plan Regional de Empresas y Derechos Humanos",
    "title_en": "",
    "description": "",
    "description_en": "",
    "start_date": "2026-01-01",
    "end_date": "2030-12-31",
    "status": "drafting",
    "legal_instrument": "",
    "currency": "pen",
}


@pytest.mark.django_db
def test_it_lists_the_plans_i_coordinate(persona_clients, plan, django_assert_max_num_queries):
    url = reverse("plans:plan_list")
    with django_assert_max_num_queries(10):
        response = persona_clients["coordinator"].get(url)
    assert response.status_code == 200
    assert plan.title in response.content.decode()
    outsider = persona_clients["outsider"].get(url)
    assert outsider.status_code == 200 and plan.title not in outsider.content.decode()
    for name in ["focal_point", "committee_member", "stakeholder"]:
        assert persona_clients[name].get(url).status_code == 404
    assert persona_clients["anonymous"].get(url).status_code == 302
    assert persona_clients["coordinator"].post(url).status_code == 405


@pytest.mark.django_db
def test_it_creates_a_plan_in_a_territory_i_coordinate(persona_clients, territory):
    url = reverse("plans:plan_create")
    client = persona_clients["coordinator"]
    assert client.get(url).status_code == 200
    response = client.post(url, {**PLAN_DATA, "territory": territory.pk})
    plan = Plan.objects.get(title=PLAN_DATA["title"])
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("plans:plan_detail", args=[plan.pk]))
    assert plan.currency == "PEN" and plan.versions.count() == 1
    assert persona_clients["focal_point"].get(url).status_code == 404
    assert persona_clients["anonymous"].get(url).status_code == 302
    assert client.put(url).status_code == 405


@pytest.mark.django_db
def test_it_refuses_a_territory_i_do_not_coordinate(persona_clients, other_territory):
    response = persona_clients["coordinator"].post(
        reverse("plans:plan_create"), {**PLAN_DATA, "territory": other_territory.pk}
    )
    assert response.status_code == 200
    assert "territory" in response.context["form"].errors
    assert not Plan.objects.filter(title=PLAN_DATA["title"]).exists()


@pytest.mark.django_db
def test_it_shows_bad_plan_input_as_form_errors(persona_clients, territory):
    response = persona_clients["coordinator"].post(
        reverse("plans:plan_create"),
        {**PLAN_DATA, "territory": territory.pk, "end_date": "2020-01-01", "currency": "soles"},
    )
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "end_date" in errors and "currency" in errors


@pytest.mark.django_db
def test_it_edits_the_plan_details(persona_clients, plan, coordinator):
    url = reverse("plans:plan_edit", args=[plan.pk])
    data = {**PLAN_DATA, "title": "Plan editado", "legal_instrument": "Decreto Supremo 009-2021"}
    response = check_personas(persona_clients, "post", url, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Plan editado" and plan.legal_instrument.startswith("Decreto")
    assert AuditEvent.objects.filter(verb="plan.updated", actor=coordinator).exists()
    assert check_personas(persona_clients, "get", url).status_code == 200
    assert persona_clients["coordinator"].delete(url).status_code == 405


@pytest.mark.django_db
def test_it_deletes_a_plan_never_published(persona_clients, plan):
    url = reverse("plans:plan_delete", args=[plan.pk])
    assert check_personas(persona_clients, "get", url).status_code == 200
    response = check_personas(persona_clients, "post", url)
    assert response.status_code == 302
    assert not Plan.objects.filter(pk=plan.pk).exists()


@pytest.mark.django_db
def test_it_refuses_to_delete_a_published_plan_with_a_message(persona_clients, published_plan):
    url = reverse("plans:plan_delete", args=[published_plan.pk])
    response = persona_clients["coordinator"].post(url)
    assert response.status_code == 400
    assert Plan.objects.filter(pk=published_plan.pk).exists()
    assert persona_clients["coordinator"].put(url).status_code == 405


@pytest.mark.django_db
def test_it_lets_only_coordinators_open_the_new_plan_form(persona_clients):
    url = reverse("plans:plan_create")
    for name in ["focal_point", "committee_member", "stakeholder"]:
        assert persona_clients[name].get(url).status_code == 404
        assert persona_clients[name].post(url, PLAN_DATA).status_code == 404
    assert persona_clients["outsider"].get(url).status_code == 200  # for their own territory
    assert persona_clients["anonymous"].post(url, PLAN_DATA).status_code == 302
    assert not Plan.objects.filter(title=PLAN_DATA["title"]).exists()
