import uuid

import pytest
from django.urls import reverse

from bhrplan.frameworks.models import Approach, Provision, Theme
from bhrplan.plans.models import Action, Guideline, Indicator, Objective
from bhrplan.plans.selectors import version_draft
from bhrplan.plans.tests.conftest import check_personas, draft_node, first


def action_data(_parent, **extra):
    data = {
        "code": "",
        "title": "Elaborar una guía de debida diligencia",
        "title_en": "Draft a due diligence guide",
        "description": "",
        "description_en": "",
        "kind": "prevent",
        "lead": "",
        "start_date": "2025-06-01",
        "end_date": "2026-12-31",
        "budget": "25000.50",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_it_adds_a_guideline_objective_action_and_indicator(persona_clients, plan, lead_org):
    client = persona_clients["coordinator"]
    response = check_personas(
        persona_clients,
        "post",
        reverse("plans:guideline_create", args=[plan.pk]),
        {"title": "Política pública", "code": ""},
    )
    assert response.status_code == 302
    guideline = Guideline.objects.get(version__plan=plan)
    assert guideline.code == "1"
    client.post(
        reverse("plans:objective_create", args=[plan.pk, guideline.uid]),
        {"title": "Fortalecer capacidades", "code": ""},
    )
    objective = Objective.objects.get(guideline=guideline)
    assert objective.code == "1.1"
    ungp = Provision.objects.get(code="UNGP-3")
    sdg = Provision.objects.get(code="SDG-8.7")
    theme = Theme.objects.filter(kind="sector").first()
    approach = Approach.objects.first()
    response = client.post(
        reverse("plans:action_create", args=[plan.pk, objective.uid]),
        {
            **action_data(objective, lead=lead_org.pk),
            "principles": [ungp.pk],
            "sdg_targets": [sdg.pk],
            "themes": [theme.pk],
            "approaches": [approach.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    action = Action.objects.get(objective=objective)
    assert action.code == "1.1.1" and action.lead == lead_org
    assert set(action.provisions.all()) == {ungp, sdg}
    assert list(action.themes.all()) == [theme] and list(action.approaches.all()) == [approach]
    response = client.post(
        reverse("plans:indicator_create", args=[plan.pk, action.uid]),
        {
            "name": "Guía publicada",
            "unit": "documento",
            "direction": "increase",
            "baseline_value": "0",
            "baseline_year": "2024",
            "target_value": "1",
            "target_year": "2026",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get(action=action).unit == "documento"


@pytest.mark.django_db
def test_it_shows_validation_as_form_errors(persona_clients, tree_plan, lead_org):
    client = persona_clients["coordinator"]
    objective = first(tree_plan, "objective")
    response = client.post(
        reverse("plans:action_create", args=[tree_plan.pk, objective.uid]),
        {
            **action_data(objective, title="", start_date="2031-01-01", end_date="2024-01-01"),
            "lead": lead_org.pk,
            "co_responsible": [lead_org.pk],
            "budget": "-5",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "start_date", "co_responsible", "budget"} <= set(errors)
    action = first(tree_plan, "action")
    response = client.post(
        reverse("plans:indicator_create", args=[tree_plan.pk, action.uid]),
        {"name": "X", "unit": "u", "direction": "decrease", "baseline_value": "1",
         "target_value": "5", "target_year": "2050"},
    )  # fmt: skip
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "target_value" in errors and "target_year" in errors


@pytest.mark.django_db
def test_it_shows_errors_in_the_users_language(persona_clients, tree_plan):
    objective = first(tree_plan, "objective")
    url = reverse("plans:action_create", args=[tree_plan.pk, objective.uid])
    client = persona_clients["coordinator"]
    spanish = client.post(url.replace("/en/", "/es/"), action_data(objective, title=""))
    english = client.post(url.replace("/es/", "/en/"), action_data(objective, title=""))
    assert "Este campo es obligatorio" in spanish.content.decode()
    assert "This field is required" in english.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["guideline", "objective", "action", "indicator"])
def test_it_edits_each_kind_of_element(persona_clients, tree_plan, kind):
    node = first(tree_plan, kind)
    url = reverse("plans:node_edit", args=[tree_plan.pk, kind, node.uid])
    form = check_personas(persona_clients, "get", url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    key = "name" if kind == "indicator" else "title"
    data[key] = "Texto corregido"
    response = check_personas(persona_clients, "post", url, data)
    assert response.status_code == 302, response.context["form"].errors
    node.refresh_from_db()
    assert getattr(node, key) == "Texto corregido"
    assert persona_clients["coordinator"].delete(url).status_code == 405


@pytest.mark.django_db
def test_it_keeps_the_links_of_an_action_edited_without_changing_them(persona_clients, tree_plan):
    action = first(tree_plan, "action")
    before = (set(action.provisions.all()), set(action.co_responsible.all()))
    url = reverse("plans:node_edit", args=[tree_plan.pk, "action", action.uid])
    form = persona_clients["coordinator"].get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    assert persona_clients["coordinator"].post(url, data).status_code == 302
    action.refresh_from_db()
    assert (set(action.provisions.all()), set(action.co_responsible.all())) == before


@pytest.mark.django_db
def test_it_edits_a_published_element_in_a_new_draft_on_post(persona_clients, published_plan):
    client = persona_clients["coordinator"]
    action = first(published_plan, "action")
    url = reverse("plans:node_edit", args=[published_plan.pk, "action", action.uid])
    target = Objective.objects.filter(guideline__version__plan=published_plan).order_by("code")[3]
    data = action_data(action.objective, code="2.2.9", objective=str(target.uid))
    response = client.post(url, data)
    assert response.status_code == 302
    copy = draft_node(published_plan, "action", action.uid)
    assert copy.code == "2.2.9" and copy.objective.uid == target.uid
    action.refresh_from_db()
    assert action.code == "1.1.1"


@pytest.mark.django_db
def test_it_starts_no_draft_when_the_edit_is_invalid(persona_clients, published_plan):
    action = first(published_plan, "action")
    url = reverse("plans:node_edit", args=[published_plan.pk, "action", action.uid])
    data = action_data(action.objective, title="", objective=str(action.objective.uid))
    assert persona_clients["coordinator"].post(url, data).status_code == 200
    assert version_draft(published_plan) is None


@pytest.mark.django_db
def test_it_refuses_an_unknown_parent_choice(persona_clients, tree_plan):
    objective = first(tree_plan, "objective")
    url = reverse("plans:node_edit", args=[tree_plan.pk, "objective", objective.uid])
    response = persona_clients["coordinator"].post(
        url, {"code": "1.1", "title": "T", "guideline": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    assert "guideline" in response.context["form"].errors


@pytest.mark.django_db
def test_it_answers_404_for_an_element_of_another_plan_or_unknown(persona_clients, tree_plan):
    from datetime import date

    from bhrplan.plans import services

    other = services.plan_create(
        territory=tree_plan.territory, title="Otro", start_date=date(2025, 1, 1),
        end_date=date(2026, 1, 1), actor=None,
    )  # fmt: skip
    foreign = services.guideline_create(plan=other, actor=None, title="Ajeno")
    client = persona_clients["coordinator"]
    for url in [
        reverse("plans:node_edit", args=[tree_plan.pk, "guideline", foreign.uid]),
        reverse("plans:node_delete", args=[tree_plan.pk, "guideline", foreign.uid]),
        reverse("plans:objective_create", args=[tree_plan.pk, foreign.uid]),
        reverse("plans:node_edit", args=[tree_plan.pk, "action", uuid.uuid4()]),
        reverse("plans:node_edit", args=[999999, "action", uuid.uuid4()]),
    ]:
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x"}).status_code == 404
    assert (
        client.get(f"/es/manage/plans/{tree_plan.pk}/planets/{uuid.uuid4()}/edit/").status_code
        == 404
    )


@pytest.mark.django_db
def test_it_deletes_after_a_confirmation_page(persona_clients, tree_plan):
    objective = first(tree_plan, "objective")
    url = reverse("plans:node_delete", args=[tree_plan.pk, "objective", objective.uid])
    page = check_personas(persona_clients, "get", url)
    assert page.status_code == 200 and objective.title in page.content.decode()
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert check_personas(persona_clients, "post", url).status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert not Action.objects.filter(objective=objective).exists()
    assert persona_clients["coordinator"].put(url).status_code == 405


@pytest.mark.django_db
def test_it_deletes_a_published_element_from_a_new_draft(persona_clients, published_plan):
    indicator = first(published_plan, "indicator")
    url = reverse("plans:node_delete", args=[published_plan.pk, "indicator", indicator.uid])
    assert persona_clients["coordinator"].post(url).status_code == 302
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    draft = version_draft(published_plan)
    assert not Indicator.objects.filter(
        action__objective__guideline__version=draft, uid=indicator.uid
    ).exists()


@pytest.mark.django_db
def test_it_lists_organisations_of_the_plan_territory_family_only(
    persona_clients, tree_plan, other_territory
):
    from bhrplan.conftest import make_org

    foreign = make_org(other_territory, "Ministerio de Colombia")
    action = first(tree_plan, "action")
    url = reverse("plans:node_edit", args=[tree_plan.pk, "action", action.uid])
    form = persona_clients["coordinator"].get(url).context["form"]
    assert foreign not in form.fields["lead"].queryset
    assert str(foreign.pk) not in form.fields["co_responsible"].objects
    assert len(form.fields["principles"].objects) == 31
    assert len(form.fields["sdg_targets"].objects) == 169


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["objective", "action", "indicator"])
def test_it_lets_only_the_coordinator_add_children(persona_clients, tree_plan, kind):
    parent = first(tree_plan, {"objective": "guideline", "action": "objective"}.get(kind, "action"))
    url = reverse(f"plans:{kind}_create", args=[tree_plan.pk, parent.uid])
    assert check_personas(persona_clients, "get", url).status_code == 200
    data = {"title": "Nuevo", "name": "Nuevo", "unit": "u", "direction": "maintain",
            "kind": "promote"}  # fmt: skip
    response = check_personas(persona_clients, "post", url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert persona_clients["coordinator"].put(url).status_code == 405


@pytest.mark.django_db
def test_it_survives_garbage_in_every_field(persona_clients, tree_plan):
    action = first(tree_plan, "action")
    garbage = {
        "code": "x" * 500,
        "title": "\x00",
        "kind": "destroy",
        "lead": "abc",
        "co_responsible": ["abc", "-1"],
        "principles": ["UNGP-99"],
        "sdg_targets": ["<script>"],
        "themes": ["1e9"],
        "approaches": [""],
        "start_date": "32/13/2025",
        "end_date": "yesterday",
        "budget": "1e400",
        "objective": "not-a-uuid",
    }
    client = persona_clients["coordinator"]
    for url in [
        reverse("plans:node_edit", args=[tree_plan.pk, "action", action.uid]),
        reverse("plans:action_create", args=[tree_plan.pk, action.objective.uid]),
        reverse(
            "plans:node_edit", args=[tree_plan.pk, "indicator", first(tree_plan, "indicator").uid]
        ),
        reverse("plans:indicator_create", args=[tree_plan.pk, action.uid]),
    ]:
        response = client.post(
            url,
            {**garbage, "name": "", "unit": "x" * 500, "direction": "up",
             "baseline_value": "NaN", "target_value": "inf", "baseline_year": "-1",
             "target_year": "99999"},
        )  # fmt: skip
        assert response.status_code == 200, url
        assert response.context["form"].errors


@pytest.mark.django_db
def test_it_keeps_a_linked_organisation_from_another_territory(
    persona_clients, tree_plan, other_territory
):
    from bhrplan.conftest import make_org
    from bhrplan.plans import services

    foreign = make_org(other_territory, "Agencia de Cooperación")
    action = first(tree_plan, "action")
    services.action_update(action=action, actor=None, lead=foreign)
    url = reverse("plans:node_edit", args=[tree_plan.pk, "action", action.uid])
    form = persona_clients["coordinator"].get(url).context["form"]
    assert foreign in form.fields["lead"].queryset
