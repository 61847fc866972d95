import pytest
from django.urls import reverse

from bhrplan.conftest import make_org
from bhrplan.frameworks.models import Theme
from bhrplan.territories.models import Organization
from bhrplan.territories.services import territory_get_or_create_from_iso

ORG_DATA = {
    "name": "Sociedad Nacional de Minería, Petróleo y Energía",
    "name_en": "",
    "acronym": "SNMPE",
    "stakeholder_group": "business_association",
    "website": "",
}


@pytest.mark.django_db
def test_it_adds_an_organisation_from_the_plan_editor(persona_clients, plan, territory):
    url = reverse("plans:organization_create", args=[plan.pk])
    assert check_get(persona_clients, url) == 200
    mining = Theme.objects.filter(kind="sector").first()
    data = {**ORG_DATA, "territory": territory.pk, "sectors": [mining.pk]}
    response = persona_clients["coordinator"].post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("plans:plan_detail", args=[plan.pk]))
    org = Organization.objects.get(acronym="SNMPE")
    assert list(org.sectors.all()) == [mining]
    for name in ["focal_point", "committee_member", "stakeholder", "outsider"]:
        assert persona_clients[name].post(url, {**data, "name": "Otra"}).status_code == 404
    assert persona_clients["coordinator"].put(url).status_code == 405


def check_get(persona_clients, url):
    from bhrplan.plans.tests.conftest import check_personas

    return check_personas(persona_clients, "get", url).status_code


@pytest.mark.django_db
def test_it_returns_to_the_action_form_after_adding(persona_clients, plan, territory):
    url = reverse("plans:organization_create", args=[plan.pk])
    back = reverse("plans:guideline_create", args=[plan.pk])
    response = persona_clients["coordinator"].post(
        url, {**ORG_DATA, "territory": territory.pk, "next": back}
    )
    assert response["Location"] == back
    response = persona_clients["coordinator"].post(
        url, {**ORG_DATA, "name": "Otra", "acronym": "", "territory": territory.pk,
              "next": "https://evil.example/"}
    )  # fmt: skip
    assert response["Location"].endswith(reverse("plans:plan_detail", args=[plan.pk]))


@pytest.mark.django_db
def test_it_refuses_a_duplicate_name_as_a_form_error(persona_clients, plan, territory, lead_org):
    response = persona_clients["coordinator"].post(
        reverse("plans:organization_create", args=[plan.pk]),
        {
            **ORG_DATA,
            "name": "  ministerio de justicia y DERECHOS humanos ",
            "territory": territory.pk,
        },
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


@pytest.mark.django_db
def test_it_refuses_a_territory_outside_the_plan(persona_clients, plan, other_territory):
    response = persona_clients["coordinator"].post(
        reverse("plans:organization_create", args=[plan.pk]),
        {**ORG_DATA, "territory": other_territory.pk},
    )
    assert response.status_code == 200
    assert "territory" in response.context["form"].errors


@pytest.mark.django_db
def test_it_offers_organisations_of_sub_territories_to_the_plan(persona_clients, plan, coordinator):
    lima = territory_get_or_create_from_iso(code="PE-LIM", actor=None)
    regional = make_org(lima, "Gobierno Regional de Lima")
    from bhrplan.plans.selectors import plan_organizations

    assert regional in plan_organizations(plan)


@pytest.mark.django_db
def test_it_lists_the_organisations_i_may_edit(
    persona_clients, lead_org, other_territory, django_assert_max_num_queries
):
    foreign = make_org(other_territory, "Ministerio del Interior de Colombia")
    url = reverse("plans:organization_list")
    with django_assert_max_num_queries(8):
        response = persona_clients["coordinator"].get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert lead_org.name in body and foreign.name not in body
    outsider = persona_clients["outsider"].get(url).content.decode()
    assert foreign.name in outsider and lead_org.name not in outsider
    for name in ["focal_point", "committee_member", "stakeholder"]:
        assert persona_clients[name].get(url).status_code == 404
    assert persona_clients["anonymous"].get(url).status_code == 302
    assert persona_clients["coordinator"].post(url).status_code == 405


@pytest.mark.django_db
def test_it_edits_an_organisation_of_my_territory(persona_clients, lead_org, territory):
    url = reverse("plans:organization_edit", args=[lead_org.pk])
    from bhrplan.plans.tests.conftest import check_personas

    assert check_personas(persona_clients, "get", url).status_code == 200
    data = {**ORG_DATA, "name": "Ministerio de Justicia", "acronym": "MINJUSDH",
            "territory": territory.pk}  # fmt: skip
    assert check_personas(persona_clients, "post", url, data).status_code == 302
    lead_org.refresh_from_db()
    assert lead_org.acronym == "MINJUSDH" and lead_org.name == "Ministerio de Justicia"
    assert persona_clients["coordinator"].delete(url).status_code == 405
    missing = reverse("plans:organization_edit", args=[999999])
    assert persona_clients["coordinator"].get(missing).status_code == 404
