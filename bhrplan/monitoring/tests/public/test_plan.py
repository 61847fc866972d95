"""The public plan dashboard: every persona sees the same public figures, nothing else."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bhrplan.conftest import build_plan_tree
from bhrplan.monitoring.tests.progress_data import (
    make_period,
    make_report,
    published_actions,
    scenario,
)
from bhrplan.plans import services as plan_services

PERSONAS = [
    "coordinator",
    "focal_point",
    "committee_member",
    "stakeholder",
    "outsider",
    "anonymous",
]


@pytest.fixture
def data(published_plan, lead_org, other_org, stakeholder_org):
    return scenario(published_plan, lead_org, other_org, stakeholder_org)


def test_it_shows_the_public_figures_to_everyone(persona_clients, published_plan, data):
    url = reverse("progress:plan", args=[published_plan.pk])
    pages = {persona: persona_clients[persona].get(url) for persona in PERSONAS}
    assert {p: r.status_code for p, r in pages.items()} == dict.fromkeys(PERSONAS, 200)
    html = pages["anonymous"].content.decode()
    # the same public page for everyone, whoever is signed in
    assert all(_main(r.content.decode()) == _main(html) for r in pages.values())
    assert "50 %" in html  # plan progress: mean of 0.5, 1, 0.5 and 0
    assert re.search(r"(sobre|based on) 4 (de|of) \d+ (acciones|actions)", html)
    assert "<svg" in html and "<title id=" in html and "<desc id=" in html
    assert "<caption>" in html
    # validated values only: 400 was only submitted, 500 only a draft
    assert ">250 <" in html
    assert ">400 <" not in html and ">500 <" not in html
    # the unpublished assessment stays hidden; the published ones sit beside the status
    assert "Satisfactoria" not in html and "Satisfactory" not in html
    assert "Parcial" in html or "Partial" in html
    for action in data["actions"][4], data["actions"][6]:
        assert action.code in html
    assert reverse("progress:download", args=[published_plan.pk, "reports", "csv"]) in html


def _main(html):
    return html.split('<main id="main"')[1].split("</main>")[0]


def test_it_renders_in_english(client, published_plan, data):
    response = client.get(
        reverse("progress:plan", args=[published_plan.pk]).replace("/es/", "/en/")
    )
    assert response.status_code == 200
    assert "Progress by strategic guideline" in response.content.decode()


def test_it_hides_plans_without_a_published_version(persona_clients, plan, lead_org):
    build_plan_tree(plan, lead_org)
    for persona in PERSONAS:
        response = persona_clients[persona].get(reverse("progress:plan", args=[plan.pk]))
        assert response.status_code == 404, persona


def test_it_refuses_other_methods(persona_clients, published_plan):
    url = reverse("progress:plan", args=[published_plan.pk])
    for persona in PERSONAS:
        assert persona_clients[persona].post(url).status_code == 405, persona


def test_it_answers_unknown_plans_with_404(client, db):
    assert client.get(reverse("progress:plan", args=[987654])).status_code == 404
    assert client.get("/es/progress/plans/abc/").status_code == 404


def test_it_stays_small(client, published_plan, data):
    import gzip

    response = client.get(reverse("progress:plan", args=[published_plan.pk]))
    css = b"".join(
        (settings.BASE_DIR / "static" / "css" / name).read_bytes()
        for name in ("bhrplan.css", "progress.css")
    )
    assert len(gzip.compress(response.content + css)) <= 100 * 1024


def _page_queries(client, plan):
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("progress:plan", args=[plan.pk]))
    assert response.status_code == 200
    return len(ctx)


def _fill(plan, lead, co, periods):
    made = [
        make_period(
            plan, f"P{n}", date(2025 + n, 1, 1), date(2025 + n, 12, 31), date(2026 + n, 1, 31)
        )
        for n in range(periods)
    ]
    for action in published_actions(plan):
        for period in made:
            make_report(period, action, lead, "in_progress", submitted=period.due_date, value=3)
            make_report(period, action, co, "delayed", submitted=period.end_date, value=4)


def test_it_does_not_grow_its_query_count_with_the_data(
    client, plan, territory, lead_org, other_org
):
    build_plan_tree(plan, lead_org, [other_org], guidelines=1, objectives=1, actions=5)
    plan_services.plan_publish(plan=plan, actor=None)
    _fill(plan, lead_org, other_org, periods=1)
    small = _page_queries(client, plan)
    big = plan_services.plan_create(
        territory=territory,
        title="Plan con más acciones",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    build_plan_tree(big, lead_org, [other_org], guidelines=5, objectives=2, actions=5)
    plan_services.plan_publish(plan=big, actor=None)
    _fill(big, lead_org, other_org, periods=4)
    assert _page_queries(client, big) == small
    assert small <= 20
