import pytest
from django.urls import reverse
from django.utils import translation

from bhrplan.plans import services
from bhrplan.plans.models import PlanVersion
from bhrplan.plans.selectors import version_draft, version_latest_published
from bhrplan.plans.tests.conftest import check_personas, first


def _second_version(plan, coordinator, title="Capacitar a jueces y fiscales"):
    action = first(plan, "action")
    services.node_update_in_draft(
        plan=plan, node_type="action", uid=action.uid, actor=coordinator, title=title
    )
    return action


@pytest.mark.django_db
def test_it_publishes_the_draft_with_a_note(persona_clients, tree_plan, coordinator):
    url = reverse("plans:version_publish", args=[tree_plan.pk])
    assert check_personas(persona_clients, "get", url).status_code == 200
    response = check_personas(persona_clients, "post", url, {"note": "Versión aprobada"})
    assert response.status_code == 302
    version = version_latest_published(tree_plan)
    assert version.number == 1 and version.note == "Versión aprobada"
    assert version.published_by == coordinator
    assert persona_clients["coordinator"].put(url).status_code == 405


@pytest.mark.django_db
def test_it_asks_for_the_note_and_refuses_an_empty_plan(persona_clients, plan):
    url = reverse("plans:version_publish", args=[plan.pk])
    client = persona_clients["coordinator"]
    response = client.post(url, {"note": ""})
    assert response.status_code == 400 and "note" in response.context["form"].errors
    response = client.post(url, {"note": "Primera"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert version_latest_published(plan) is None


@pytest.mark.django_db
def test_it_says_there_is_nothing_to_publish(persona_clients, published_plan):
    url = reverse("plans:version_publish", args=[published_plan.pk])
    response = persona_clients["coordinator"].post(url, {"note": "otra vez"})
    assert response.status_code == 400
    assert PlanVersion.objects.filter(plan=published_plan).count() == 1


@pytest.mark.django_db
def test_it_discards_a_draft_after_confirmation(persona_clients, published_plan, coordinator):
    services.draft_for_edit(plan=published_plan, actor=coordinator)
    url = reverse("plans:draft_discard", args=[published_plan.pk])
    assert check_personas(persona_clients, "get", url).status_code == 200
    assert version_draft(published_plan) is not None
    assert check_personas(persona_clients, "post", url).status_code == 302
    assert version_draft(published_plan) is None
    assert persona_clients["coordinator"].put(url).status_code == 405


@pytest.mark.django_db
def test_it_explains_why_the_first_draft_cannot_be_discarded(persona_clients, tree_plan):
    response = persona_clients["coordinator"].post(
        reverse("plans:draft_discard", args=[tree_plan.pk])
    )
    assert response.status_code == 400 and response.context["error"]
    assert version_draft(tree_plan) is not None


@pytest.mark.django_db
def test_it_lists_versions_including_the_draft(
    persona_clients, published_plan, coordinator, django_assert_max_num_queries
):
    _second_version(published_plan, coordinator)
    url = reverse("plans:version_list", args=[published_plan.pk])
    response = check_personas(persona_clients, "get", url)
    assert [v.number for v in response.context["versions"]] == [2, 1]
    with django_assert_max_num_queries(10):
        persona_clients["coordinator"].get(url)
    assert persona_clients["coordinator"].post(url).status_code == 405


@pytest.mark.django_db
def test_it_compares_the_draft_with_the_published_version(
    persona_clients, published_plan, coordinator
):
    _second_version(published_plan, coordinator)
    url = reverse("plans:version_compare", args=[published_plan.pk]) + "?a=1&b=2"
    response = check_personas(persona_clients, "get", url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Capacitar a jueces y fiscales" in body
    assert response.context["diff"].counts()["actions"]["changed"] == 1
    assert persona_clients["coordinator"].post(url).status_code == 405
    with translation.override("es"):
        url = reverse("plans:version_compare", args=[published_plan.pk]) + "?a=1&b=2"
    spanish = persona_clients["coordinator"].get(url).content.decode()
    assert "Acciones agregadas: 0; eliminadas: 0; modificadas: 1." in spanish


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?a=1&b=1", "?a=1&b=99", "?a=x&b=2", "?a=1", "?b=-3&a=%00"])
def test_it_answers_bad_version_numbers_with_a_message(
    persona_clients, published_plan, coordinator, query
):
    _second_version(published_plan, coordinator)
    url = reverse("plans:version_compare", args=[published_plan.pk]) + query
    response = persona_clients["coordinator"].get(url)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context["diff"] is None


# The public pages ------------------------------------------------------------------------


def _two_published(plan, coordinator):
    _second_version(plan, coordinator)
    services.plan_publish(plan=plan, actor=coordinator, note="Segunda versión")


@pytest.mark.django_db
def test_it_shows_the_public_versions_without_sign_in(
    persona_clients, published_plan, coordinator, django_assert_max_num_queries
):
    _two_published(published_plan, coordinator)
    _second_version(published_plan, coordinator, title="Borrador secreto")
    url = reverse("portal:versions", args=[published_plan.pk])
    for client in persona_clients.values():
        response = client.get(url)
        assert response.status_code == 200
        assert [v.number for v in response.context["versions"]] == [2, 1]
        assert "Segunda versión" in response.content.decode()
    with django_assert_max_num_queries(6):
        persona_clients["anonymous"].get(url)
    assert persona_clients["anonymous"].post(url).status_code == 405


@pytest.mark.django_db
def test_it_compares_published_versions_for_the_public(
    persona_clients, published_plan, coordinator
):
    _two_published(published_plan, coordinator)
    _second_version(published_plan, coordinator, title="Borrador secreto")
    base = reverse("portal:version_compare", args=[published_plan.pk])
    anonymous = persona_clients["anonymous"]
    response = anonymous.get(base)  # no choice yet: the two newest published versions
    body = response.content.decode()
    assert response.status_code == 200
    assert "Capacitar a jueces y fiscales" in body and "Borrador secreto" not in body
    assert response.context["diff"].counts()["actions"]["changed"] == 1
    assert anonymous.get(base + "?a=2&b=1").status_code == 200
    draft_query = anonymous.get(base + "?a=1&b=3")
    assert draft_query.status_code == 400
    assert "Borrador secreto" not in draft_query.content.decode()
    assert anonymous.post(base).status_code == 405


@pytest.mark.django_db
def test_it_hides_unpublished_plans_from_the_public(persona_clients, tree_plan):
    for name in ["portal:versions", "portal:version_compare"]:
        assert (
            persona_clients["anonymous"].get(reverse(name, args=[tree_plan.pk])).status_code == 404
        )
        assert (
            persona_clients["coordinator"].get(reverse(name, args=[tree_plan.pk])).status_code
            == 404
        )


@pytest.mark.django_db
def test_it_says_a_plan_with_one_version_has_nothing_to_compare(persona_clients, published_plan):
    response = persona_clients["anonymous"].get(
        reverse("portal:version_compare", args=[published_plan.pk])
    )
    assert response.status_code == 200 and response.context["diff"] is None


@pytest.mark.django_db
def test_it_compares_in_the_same_number_of_queries_for_a_bigger_plan(
    persona_clients, plan, lead_org, other_org, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bhrplan.conftest import build_plan_tree

    client = persona_clients["coordinator"]
    url = reverse("plans:version_compare", args=[plan.pk]) + "?a=1&b=2"
    build_plan_tree(plan, lead_org, [other_org], guidelines=1, objectives=1, actions=1)
    services.plan_publish(plan=plan, actor=coordinator, note="v1")
    _second_version(plan, coordinator)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    services.draft_discard(plan=plan, actor=coordinator)
    build_plan_tree(plan, lead_org, [other_org], guidelines=2, objectives=2, actions=3)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["diff"].counts()["actions"]["added"] == 12
    assert len(large) == len(small)
