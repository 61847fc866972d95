"""The action and indicator editors cite procurement screenings."""

import pytest
from django.urls import reverse
from django.utils import translation

from bhrplan.plans import services
from bhrplan.plans.selectors import version_draft
from bhrplan.plans.tests.conftest import check_personas, draft_node, first
from bhrplan.procurement.tests.conftest import finished_screening

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(territory, coordinator):
    return finished_screening(territory, coordinator)


def initial_data(form):
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


def test_it_offers_the_coordinators_screenings_on_the_action_form(
    persona_clients, published_plan, screening, other_territory, outsider, territory, coordinator
):
    colombian = finished_screening(other_territory, outsider, name="Contratos de Colombia")
    finished_screening(territory, coordinator, name="Todavía en curso", finish=False)
    action = first(published_plan, "action")
    with translation.override("en"):
        url = reverse("plans:node_edit", args=[published_plan.pk, "action", action.uid])
    response = check_personas(persona_clients, "get", url)
    form = response.context["form"]
    assert list(form.fields["screenings"].objects.values()) == [screening]
    html = response.content.decode()
    assert "Compras públicas 2024 (OCDS)" in html and "processes flagged: 9 of 11" in html
    assert colombian.dataset.name not in html and "Todavía en curso" not in html
    data = initial_data(form) | {"screenings": [str(screening.pk)]}
    response = check_personas(persona_clients, "post", url, data)
    assert response.status_code == 302
    copy = draft_node(published_plan, "action", action.uid)
    assert list(copy.screenings.all()) == [screening]
    assert persona_clients["coordinator"].put(url).status_code == 405


def test_it_offers_no_screening_field_when_there_is_nothing_to_cite(
    persona_clients, published_plan, other_territory, outsider
):
    colombian = finished_screening(other_territory, outsider, name="Contratos de Colombia")
    action = first(published_plan, "action")
    url = reverse("plans:node_edit", args=[published_plan.pk, "action", action.uid])
    client = persona_clients["coordinator"]
    form = client.get(url).context["form"]
    assert "screenings" not in form.fields  # nothing the coordinator may cite yet
    response = client.post(url, initial_data(form) | {"screenings": [str(colombian.pk)]})
    assert response.status_code == 302  # an unknown field is ignored, nothing is cited
    assert not draft_node(published_plan, "action", action.uid).screenings.exists()


def test_it_refuses_an_unknown_screening_choice(persona_clients, tree_plan, screening):
    action = first(tree_plan, "action")
    url = reverse("plans:node_edit", args=[tree_plan.pk, "action", action.uid])
    client = persona_clients["coordinator"]
    form = client.get(url).context["form"]
    response = client.post(url, initial_data(form) | {"screenings": ["999999"]})
    assert response.status_code == 200
    assert "screenings" in response.context["form"].errors
    assert not action.screenings.exists()


def test_it_links_an_indicator_to_a_cited_screening(persona_clients, tree_plan, screening):
    action = first(tree_plan, "action")
    indicator = action.indicators.get()
    url = reverse("plans:node_edit", args=[tree_plan.pk, "indicator", indicator.uid])
    client = persona_clients["coordinator"]
    assert "screening" not in client.get(url).context["form"].fields  # no citation yet
    services.action_update(action=action, actor=None, screenings=[screening])
    form = check_personas(persona_clients, "get", url).context["form"]
    assert list(form.fields["screening"].queryset) == [screening]
    data = initial_data(form) | {
        "screening": str(screening.pk),
        "screening_metric": "flagged_share",
        "screening_role": "denominator",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "screening_metric" in response.context["form"].errors  # a share is not "n of N"
    data["screening_metric"] = "flagged_contracts"
    response = check_personas(persona_clients, "post", url, data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.screening == screening and indicator.screening_figure == 13
    create_url = reverse("plans:indicator_create", args=[tree_plan.pk, action.uid])
    assert "screening_metric" in client.get(create_url).context["form"].fields
    tree = client.get(reverse("plans:plan_detail", args=[tree_plan.pk])).content.decode()
    assert "cites 1 procurement screening" in tree or "cita 1 análisis" in tree


def test_it_keeps_the_editor_query_count_with_citations(
    persona_clients, tree_plan, screening, territory, coordinator, django_assert_max_num_queries
):
    client = persona_clients["coordinator"]
    url = reverse("plans:plan_detail", args=[tree_plan.pk])
    with django_assert_max_num_queries(20) as before:
        client.get(url)
    others = [finished_screening(territory, coordinator, name=f"D{n}") for n in range(3)]
    for action in (
        version_draft(tree_plan).guidelines.get(code="1").objectives.get(code="1.1").actions.all()
    ):
        services.action_update(action=action, actor=None, screenings=[screening, *others])
    with django_assert_max_num_queries(20) as after:
        client.get(url)
    assert len(after) == len(before)


def test_it_compares_versions_with_citations(persona_clients, published_plan, screening):
    action = first(published_plan, "action")
    services.node_update_in_draft(
        plan=published_plan, node_type="action", uid=action.uid, actor=None, screenings=[screening]
    )
    url = reverse("plans:version_compare", args=[published_plan.pk]) + "?a=1&b=2"
    response = check_personas(persona_clients, "get", url)
    html = response.content.decode()
    assert "Compras públicas 2024 (OCDS)" in html


def test_it_keeps_citations_a_regional_coordinator_may_not_see(
    client_for, coordinator, screening, lead_org
):
    from datetime import date

    from bhrplan.accounts.models import Role
    from bhrplan.conftest import make_user
    from bhrplan.territories import services as territory_services

    region = territory_services.territory_get_or_create_from_iso(code="PE-LIM", actor=None)
    regional_coordinator = make_user("lima@example.org")
    Role.objects.create(user=regional_coordinator, kind=Role.Kind.COORDINATOR, territory=region)
    regional = finished_screening(region, regional_coordinator, name="Compras de Lima")
    plan = services.plan_create(
        territory=region, title="Plan de Lima", start_date=date(2025, 1, 1),
        end_date=date(2028, 12, 31), actor=coordinator,
    )  # fmt: skip
    guideline = services.guideline_create(plan=plan, actor=coordinator, title="G")
    objective = services.objective_create(guideline=guideline, actor=coordinator, title="O")
    action = services.action_create(
        objective=objective, actor=coordinator, title="A", screenings=[screening]
    )
    with translation.override("en"):
        url = reverse("plans:node_edit", args=[plan.pk, "action", action.uid])
    client = client_for(regional_coordinator)
    response = client.get(url)
    form = response.context["form"]
    assert list(form.fields["screenings"].objects.values()) == [regional]
    assert "also cites 1 screening you may not see; it stays" in response.content.decode()
    response = client.post(url, initial_data(form) | {"screenings": [str(regional.pk)]})
    assert response.status_code == 302
    assert set(action.screenings.all()) == {screening, regional}
