import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhrplan.plans import services as plan_services
from bhrplan.portal.tests.conftest import published_plan_of_size


def url(plan, **params):
    address = reverse("portal:coverage", args=[plan.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def rows(html):
    """(principle number, actions, uncovered?) for each principle row."""
    found = re.findall(
        r'<tr( class="uncovered")?>\s*<th scope="row"><a [^>]+>\D+ (\d+)</a>.*?</th>\s*'
        r'<td class="num">(\d+)</td>',
        html,
        re.S,
    )
    return [(int(number), int(count), bool(uncovered)) for uncovered, number, count in found]


@pytest.mark.django_db
def test_it_counts_actions_for_each_of_the_31_principles(client, published_plan):
    response = client.get(url(published_plan))
    assert response.status_code == 200
    html = response.content.decode()
    table = rows(html)
    assert [number for number, _, _ in table] == list(range(1, 32))
    assert table[:8] == [(n, 1, False) for n in range(1, 9)]
    assert table[8:] == [(n, 0, True) for n in range(9, 32)]
    assert html.count("<caption") == 4  # totals + one table per pillar
    assert "8 de 31" in html or "8 of 31" in html


@pytest.mark.django_db
def test_it_makes_uncovered_principles_stand_out_by_text_too(client, published_plan):
    html = client.get(url(published_plan)).content.decode()
    assert html.count('class="uncovered"') == 23
    assert html.count("<strong>") >= 23  # "Not addressed", not only a colour


@pytest.mark.django_db
def test_it_totals_actions_per_pillar(client, published_plan):
    html = client.get(url(published_plan).replace("/es/", "/en/", 1)).content.decode()
    assert "8 actions address this pillar." in html
    assert "0 actions address this pillar." in html


@pytest.mark.django_db
def test_it_reads_published_versions_only(client, plan_with_draft, draft_only_plan):
    assert client.get(url(draft_only_plan)).status_code == 404
    assert client.get(url(plan_with_draft, version=2)).status_code == 404
    assert client.get(url(plan_with_draft, version="v")).status_code == 404
    plan_services.plan_publish(plan=plan_with_draft, actor=None)
    assert client.get(url(plan_with_draft, version=1)).status_code == 200


@pytest.mark.django_db
def test_it_shows_the_same_page_to_every_persona(persona_clients, published_plan):
    for name, client in persona_clients.items():
        assert client.get(url(published_plan)).status_code == 200, name


@pytest.mark.django_db
def test_it_refuses_post(client_for, outsider, published_plan):
    assert client_for(outsider).post(url(published_plan)).status_code == 405


@pytest.mark.django_db
def test_it_keeps_its_query_count_flat(client, plan, lead_org, other_org, catalogs):
    published_plan_of_size(plan, lead_org, other_org, 10)
    with CaptureQueriesContext(connection) as small:
        client.get(url(plan))
    big = plan_services.plan_create(
        territory=plan.territory,
        title="Plan grande",
        start_date=plan.start_date,
        end_date=plan.end_date,
        actor=None,
    )
    published_plan_of_size(big, lead_org, other_org, 100)
    with CaptureQueriesContext(connection) as large:
        client.get(url(big))
    assert len(small.captured_queries) <= 10
    assert len(large.captured_queries) == len(small.captured_queries)
