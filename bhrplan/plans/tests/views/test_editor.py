import pytest
from django.urls import reverse

from bhrplan.conftest import build_plan_tree
from bhrplan.plans.models import Action, Guideline
from bhrplan.plans.selectors import version_draft
from bhrplan.plans.tests.conftest import check_personas, first


@pytest.mark.django_db
def test_it_shows_the_working_tree_to_the_coordinator_only(persona_clients, tree_plan):
    url = reverse("plans:plan_detail", args=[tree_plan.pk])
    response = check_personas(persona_clients, "get", url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Acción 1.1.1" in body and "Número de funcionarios capacitados" in body
    assert response.context["counts"] == {
        "guidelines": 2,
        "objectives": 4,
        "actions": 8,
        "indicators": 8,
    }
    assert persona_clients["coordinator"].post(url).status_code == 405


@pytest.mark.django_db
def test_it_does_not_start_a_draft_on_get(persona_clients, published_plan):
    client = persona_clients["coordinator"]
    action = first(published_plan, "action")
    for url in [
        reverse("plans:plan_detail", args=[published_plan.pk]),
        reverse("plans:node_edit", args=[published_plan.pk, "action", action.uid]),
        reverse("plans:node_delete", args=[published_plan.pk, "action", action.uid]),
        reverse("plans:indicator_create", args=[published_plan.pk, action.uid]),
        reverse("plans:version_publish", args=[published_plan.pk]),
    ]:
        assert client.get(url).status_code == 200
    assert version_draft(published_plan) is None


def _editor_queries(client, plan, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_it_renders_the_editor_in_a_fixed_number_of_queries(
    persona_clients, plan, lead_org, other_org, django_assert_max_num_queries
):
    client = persona_clients["coordinator"]
    build_plan_tree(plan, lead_org, [other_org], guidelines=1, objectives=1, actions=2)
    small = _editor_queries(client, plan, django_assert_max_num_queries, 20)
    build_plan_tree(plan, lead_org, [other_org], guidelines=3, objectives=2, actions=4)
    large = _editor_queries(client, plan, django_assert_max_num_queries, 20)
    assert Action.objects.filter(objective__guideline__version__plan=plan).count() == 26
    assert large == small


@pytest.mark.django_db
def test_it_moves_an_element_with_a_post_button(persona_clients, tree_plan):
    url = reverse("plans:node_move", args=[tree_plan.pk])
    second = Guideline.objects.filter(version__plan=tree_plan).order_by("position")[1]
    response = check_personas(persona_clients, "post", url, {"move": f"guideline:{second.uid}:up"})
    assert response.status_code == 302
    assert first(tree_plan, "guideline") == second
    assert persona_clients["coordinator"].get(url).status_code == 405


@pytest.mark.django_db
def test_it_moves_a_published_element_in_a_new_draft(persona_clients, published_plan):
    action = first(published_plan, "action")
    persona_clients["coordinator"].post(
        reverse("plans:node_move", args=[published_plan.pk]),
        {"move": f"action:{action.uid}:down"},
    )
    draft = version_draft(published_plan)
    assert draft is not None and draft.number == 2
    moved = Action.objects.get(objective__guideline__version=draft, uid=action.uid)
    assert moved.position == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["", "guideline", "guideline:not-a-uuid:up", "planet:" + "0" * 36 + ":up", "x" * 500],
)
def test_it_answers_a_bad_move_with_a_message(persona_clients, tree_plan, value):
    response = persona_clients["coordinator"].post(
        reverse("plans:node_move", args=[tree_plan.pk]), {"move": value}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])


@pytest.mark.django_db
def test_it_refuses_to_move_an_element_of_another_plan(persona_clients, tree_plan, published_plan):
    # published_plan is the same fixture plan; make a second plan to be sure.
    from datetime import date

    from bhrplan.plans import services

    other = services.plan_create(
        territory=tree_plan.territory, title="Otro", start_date=date(2025, 1, 1),
        end_date=date(2026, 1, 1), actor=None,
    )  # fmt: skip
    guideline = services.guideline_create(plan=other, actor=None, title="G")
    response = persona_clients["coordinator"].post(
        reverse("plans:node_move", args=[tree_plan.pk]),
        {"move": f"guideline:{guideline.uid}:up"},
        follow=True,
    )
    assert response.status_code == 200
    assert list(response.context["messages"])


@pytest.mark.django_db
def test_it_renumbers_the_codes(persona_clients, tree_plan):
    guideline = first(tree_plan, "guideline")
    guideline.code = "Z"
    guideline.save()
    url = reverse("plans:version_renumber", args=[tree_plan.pk])
    assert check_personas(persona_clients, "post", url).status_code == 302
    guideline.refresh_from_db()
    assert guideline.code == "1"
    assert persona_clients["coordinator"].get(url).status_code == 405


@pytest.mark.django_db
def test_it_starts_a_draft_on_request(persona_clients, published_plan):
    url = reverse("plans:draft_start", args=[published_plan.pk])
    assert check_personas(persona_clients, "post", url).status_code == 302
    assert version_draft(published_plan).number == 2
    assert persona_clients["coordinator"].get(url).status_code == 405


@pytest.mark.django_db
def test_it_links_every_element_to_working_urls(persona_clients, tree_plan):
    """The editor builds element URLs from its own URL; each must resolve to a page."""
    import re

    client = persona_clients["coordinator"]
    body = client.get(reverse("plans:plan_detail", args=[tree_plan.pk])).content.decode()
    links = set(re.findall(r'href="([^"]*/(?:edit|delete|new)/)"', body))
    assert len(links) > 40
    for link in links:
        assert client.get(link).status_code == 200, link
