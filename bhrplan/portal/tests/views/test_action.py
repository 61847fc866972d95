import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Action
from bhrplan.portal.tests.conftest import published_plan_of_size


def first_action(plan, status="published"):
    return (
        Action.objects.filter(
            objective__guideline__version__plan=plan, objective__guideline__version__status=status
        )
        .order_by("objective__guideline__position", "objective__position", "position")
        .first()
    )


def url(plan, action, **params):
    address = reverse("portal:action", args=[plan.pk, action.uid])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.django_db
def test_it_shows_everything_about_an_action(client, published_plan):
    action = first_action(published_plan)
    response = client.get(url(published_plan, action))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Acción 1.1.1: capacitar a funcionarios",
        "Ministerio de Justicia y Derechos Humanos",
        "Ministerio de Trabajo y Promoción del Empleo",
        "UNGP 1" if "UNGP 1" in html else "PR 1",
        "8.7",
        "150",
        "USD",
        "Número de funcionarios capacitados (1)",
        "personas",
        "(2024)",
        "(2029)",
        "<caption",
    ]:
        assert text in html, text


@pytest.mark.django_db
def test_it_shows_english_titles_in_english(client, published_plan):
    action = first_action(published_plan)
    html = client.get(url(published_plan, action).replace("/es/", "/en/", 1)).content.decode()
    assert "Action 1.1.1: train officials" in html
    assert "Lead entity" in html


@pytest.mark.django_db
def test_it_shows_the_published_text_not_the_draft(client, plan_with_draft):
    action = first_action(plan_with_draft)
    html = client.get(url(plan_with_draft, action)).content.decode()
    assert "Acción 1.1.1" in html
    assert "Borrador confidencial" not in html


@pytest.mark.django_db
def test_it_gives_404_for_unknown_or_unpublished_actions(client, plan_with_draft, draft_only_plan):
    unknown = reverse("portal:action", args=[plan_with_draft.pk, uuid.uuid4()])
    assert client.get(unknown).status_code == 404
    new_in_draft = Action.objects.get(title="Acción no publicada")
    assert client.get(url(plan_with_draft, new_in_draft)).status_code == 404
    assert (
        client.get(url(draft_only_plan, first_action(draft_only_plan, "draft"))).status_code == 404
    )
    action = first_action(plan_with_draft)
    assert client.get(url(plan_with_draft, action, version="x")).status_code == 404
    bad_uid = reverse("portal:plan", args=[plan_with_draft.pk]) + "actions/not-a-uuid/"
    assert client.get(bad_uid).status_code == 404


@pytest.mark.django_db
def test_it_keeps_an_older_version_on_request(client, plan_with_draft):
    plan_services.plan_publish(plan=plan_with_draft, actor=None)
    action = first_action(plan_with_draft)
    assert "Borrador confidencial" in client.get(url(plan_with_draft, action)).content.decode()
    old = client.get(url(plan_with_draft, action, version=1)).content.decode()
    assert "Borrador confidencial" not in old
    assert "?version=1" in old


@pytest.mark.django_db
def test_it_shows_the_same_page_to_every_persona(persona_clients, published_plan):
    action = first_action(published_plan)
    for name, client in persona_clients.items():
        assert client.get(url(published_plan, action)).status_code == 200, name


@pytest.mark.django_db
def test_it_refuses_post(client_for, outsider, published_plan):
    action = first_action(published_plan)
    assert client_for(outsider).post(url(published_plan, action)).status_code == 405


@pytest.mark.django_db
def test_it_keeps_its_query_count(client, plan, lead_org, other_org, catalogs):
    published_plan_of_size(plan, lead_org, other_org, 10)
    action = first_action(plan)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url(plan, action))
    assert len(ctx.captured_queries) <= 12
