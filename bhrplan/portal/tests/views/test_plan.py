import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhrplan.frameworks.models import Theme
from bhrplan.plans import services as plan_services
from bhrplan.plans.models import Action
from bhrplan.portal.tests.conftest import published_plan_of_size


def url(plan, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("portal:plan", args=[plan.pk]) + (f"?{query}" if query else "")


def action_codes(response):
    return re.findall(
        r'class="tree-action"><a [^>]+><span class="code">([\d.]+)</span>',
        (response.content.decode()),
    )


@pytest.mark.django_db
def test_it_shows_the_tree_of_the_latest_published_version(client, published_plan):
    response = client.get(url(published_plan))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Plan Nacional de Acción" in html
    assert "Lineamiento 1" in html and "Objetivo 1.1" in html
    assert action_codes(response) == [
        "1.1.1",
        "1.1.2",
        "1.2.1",
        "1.2.2",
        "2.1.1",
        "2.1.2",
        "2.2.1",
        "2.2.2",
    ]
    assert "Ministerio de Justicia y Derechos Humanos" in html
    assert "Lineamientos: 2, objetivos: 4, acciones: 8, indicadores: " in html
    action = Action.objects.filter(objective__guideline__version__plan=published_plan).first()
    assert reverse("portal:action", args=[published_plan.pk, action.uid]) in html
    assert reverse("portal:coverage", args=[published_plan.pk]) in html
    assert reverse("portal:plan_download", args=[published_plan.pk, "csv"]) in html


@pytest.mark.django_db
def test_it_never_shows_draft_changes(client, plan_with_draft):
    html = client.get(url(plan_with_draft)).content.decode()
    assert "Borrador confidencial" not in html
    assert "Lineamiento todavía no publicado" not in html
    assert client.get(url(plan_with_draft, version=2)).status_code == 404


@pytest.mark.django_db
def test_it_shows_an_older_published_version_on_request(client, plan_with_draft):
    plan_services.plan_publish(plan=plan_with_draft, actor=None, note="Segunda versión")
    latest = client.get(url(plan_with_draft)).content.decode()
    assert "Borrador confidencial" in latest
    old = client.get(url(plan_with_draft, version=1))
    assert old.status_code == 200
    html = old.content.decode()
    assert "Borrador confidencial" not in html
    assert "?version=1" in html  # links stay on the old version
    assert reverse("portal:plan", args=[plan_with_draft.pk]) + '">' in html  # back to latest


@pytest.mark.django_db
def test_it_hides_plans_that_were_never_published(client, draft_only_plan):
    assert client.get(url(draft_only_plan)).status_code == 404
    assert client.get(reverse("portal:plan", args=[999999])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["abc", "0", "-1", "99", "1.5", "99999999999999999999"])
def test_it_gives_404_for_bad_version_numbers(client, published_plan, version):
    assert client.get(url(published_plan, version=version)).status_code == 404


@pytest.mark.django_db
def test_it_filters_by_principle(client, published_plan):
    response = client.get(url(published_plan, principle="UNGP-3"))
    assert action_codes(response) == ["1.2.1"]
    assert "1 acción coincide" in response.content.decode() or "1 action matches" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_it_filters_by_pillar_sdg_theme_approach_and_entity(client, published_plan, other_org):
    assert len(action_codes(client.get(url(published_plan, pillar=1)))) == 8
    assert len(action_codes(client.get(url(published_plan, sdg="SDG-8")))) == 8  # via targets
    assert len(action_codes(client.get(url(published_plan, sdg="SDG-8.7")))) == 8
    second_theme = Theme.objects.order_by("slug")[1]
    assert action_codes(client.get(url(published_plan, theme=second_theme.slug))) == [
        "1.1.2",
        "1.2.1",
        "2.1.1",
        "2.1.2",
        "2.2.2",
    ]
    assert len(action_codes(client.get(url(published_plan, entity=other_org.pk)))) == 8
    combined = client.get(url(published_plan, principle="UNGP-2", entity=other_org.pk, pillar=1))
    assert action_codes(combined) == ["1.1.2"]


@pytest.mark.django_db
def test_it_says_clearly_when_no_action_matches(client, published_plan):
    response = client.get(url(published_plan, pillar=2))
    assert response.status_code == 200
    assert action_codes(response) == []
    html = response.content.decode()
    assert 'class="card no-match"' in html
    assert "Lineamiento 1" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"entity": "999999"},
        {"entity": "abc"},
        {"principle": "UNGP-99"},
        {"sdg": "SDG-99.9"},
        {"theme": "no-such-theme"},
        {"approach": "x" * 500},
        {"pillar": "7"},
    ],
)
def test_it_reports_unknown_filter_values_without_failing(client, published_plan, params):
    response = client.get(url(published_plan, **params))
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert len(action_codes(response)) == 8  # the bad filter is ignored


@pytest.mark.django_db
def test_it_shows_the_same_public_page_to_every_persona(persona_clients, plan_with_draft):
    for name, client in persona_clients.items():
        response = client.get(url(plan_with_draft))
        assert response.status_code == 200, name
        assert "Borrador confidencial" not in response.content.decode(), name


@pytest.mark.django_db
def test_it_refuses_post(client, client_for, outsider, published_plan):
    assert client.post(url(published_plan)).status_code == 405
    assert client_for(outsider).post(url(published_plan)).status_code == 405


def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_it_keeps_its_query_count_flat_from_10_to_100_actions(
    client, plan, lead_org, other_org, catalogs
):
    published_plan_of_size(plan, lead_org, other_org, 10)
    filtered = {"pillar": 1, "principle": "UNGP-1", "sdg": "SDG-8", "entity": other_org.pk}
    small = _queries(client, url(plan))
    small_filtered = _queries(client, url(plan, **filtered))
    assert small <= 20
    assert small_filtered <= 20
    big = plan_services.plan_create(
        territory=plan.territory,
        title="Plan grande",
        start_date=plan.start_date,
        end_date=plan.end_date,
        actor=None,
    )
    published_plan_of_size(big, lead_org, other_org, 100)
    assert _queries(client, url(big)) == small
    assert _queries(client, url(big, **filtered)) == small_filtered
