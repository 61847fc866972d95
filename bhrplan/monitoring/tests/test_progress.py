"""The dashboard's figures loaded from the database, checked against hand-computed numbers."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bhrplan.conftest import build_plan_tree
from bhrplan.monitoring import progress
from bhrplan.monitoring.models import ProgressReport
from bhrplan.monitoring.tests.progress_data import (
    TODAY,
    make_period,
    make_report,
    published_actions,
    scenario,
)
from bhrplan.plans import services as plan_services
from bhrplan.plans.selectors import version_actions


@pytest.fixture
def data(published_plan, lead_org, other_org, stakeholder_org):
    return scenario(published_plan, lead_org, other_org, stakeholder_org)


def test_it_computes_the_scenario_figures(published_plan, data, lead_org, other_org):
    result = progress.progress_for_plan(published_plan, TODAY)
    assert result is not None
    f = result.figures
    by_code = {a.code: a for a in f.actions}
    a = data["actions"]
    assert [by_code[x.code].progress for x in a] == [0.5, 1.0, None, None, 0.5, 0.0, None, None]
    assert by_code[a[1].code].indicators[0].attainment.raw == pytest.approx(1.2)
    assert f.progress.progress == pytest.approx(0.5)
    assert (f.progress.known, f.progress.unknown, f.progress.cancelled) == (4, 3, 1)
    assert [x.code for x in f.delayed] == [a[4].code, a[6].code]
    assert dict(f.status_distribution) == {
        "not_started": 1,
        "in_progress": 1,
        "delayed": 1,
        "completed": 1,
        "cancelled": 1,
        "no_report": 3,
    }
    guidelines = [g.figure.progress for g in f.groups["guideline"]]
    assert guidelines == [pytest.approx(0.75), pytest.approx(0.25)]
    on_time = {row.key: (row.on_time, row.expected) for row in f.on_time}
    assert on_time == {str(lead_org.pk): (5, 24), str(other_org.pk): (1, 24)}
    assert f.on_time_total.rate == pytest.approx(6 / 48)
    rows = {r["uid"]: r for r in result.action_rows}
    assert [x["rating"] for x in rows[str(a[0].uid)]["assessments"]] == ["partial"]
    assert [x["source"] for x in rows[str(a[1].uid)]["assessments"]] == ["committee"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_it_follows_actions_into_a_new_published_version_by_uid(
    published_plan, data, lead_org, other_org
):
    draft = plan_services.draft_for_edit(plan=published_plan, actor=None)
    first = version_actions(draft).order_by(
        "objective__guideline__position", "objective__position", "position"
    )[0]
    plan_services.action_update(
        action=first, actor=None, title="Acción renombrada", title_en="Renamed action"
    )
    # a dropped action leaves the figures of the new version
    last = version_actions(draft).order_by(
        "-objective__guideline__position", "-objective__position", "-position"
    )[0]
    plan_services.node_delete(node=last, actor=None)
    plan_services.plan_publish(plan=published_plan, actor=None)
    result = progress.progress_for_plan(published_plan, TODAY)
    assert result is not None and result.version_number == 2
    f = result.figures
    assert f.actions[0].title == "Renamed action"  # tests run in English
    assert f.actions[0].progress == 0.5
    assert len(f.actions) == 7
    assert (f.progress.known, f.progress.unknown, f.progress.cancelled) == (4, 2, 1)


def test_it_shows_a_new_validation_at_once_despite_the_cache(
    published_plan, data, lead_org, settings
):
    settings.PROGRESS_FINGERPRINT_SECONDS = 0
    before = progress.progress_for_plan(published_plan, TODAY)
    assert before is not None
    with CaptureQueriesContext(connection) as cached:
        again = progress.progress_for_plan(published_plan, TODAY)
    assert again is not None and again.fingerprint == before.fingerprint
    assert len(cached) < 8
    report = ProgressReport.objects.get(action=data["actions"][3], state="submitted")
    ProgressReport.objects.filter(pk=report.pk).update(state="validated", updated_at=timezone.now())
    after = progress.progress_for_plan(published_plan, TODAY)
    assert after is not None and after.fingerprint != before.fingerprint
    assert after.figures.actions[3].progress == pytest.approx(0.8)


def test_it_builds_an_indicator_series_from_validated_values(published_plan, data):
    indicator = data["actions"][0].indicators.get()
    series = progress.indicator_series(published_plan, str(indicator.uid))
    assert series is not None
    assert [(p["period"], p["value"]) for p in series.points] == [
        ("2025-S1", Decimal(100)),
        ("2025-S2", Decimal(250)),
    ]
    assert series.attainment.progress == 0.5
    assert progress.indicator_series(published_plan, str(uuid.uuid4())) is None


def test_it_prefers_the_lead_entity_value_in_the_same_period(published_plan, data):
    indicator = data["actions"][5].indicators.get()
    series = progress.indicator_series(published_plan, str(indicator.uid))
    assert series is not None
    assert [p["value"] for p in series.points] == [Decimal(0)]


def _queries(plan, today=TODAY):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        progress.progress_for_plan(plan, today)
    return len(ctx)


def _fill(plan, lead, co, periods):
    start = date(2025, 1, 1)
    made = []
    for n in range(periods):
        begin = start.replace(month=1 + 3 * (n % 4), year=2025 + n // 4)
        made.append(make_period(plan, f"P{n}", begin, begin, begin))
    for action in published_actions(plan):
        for period in made:
            make_report(period, action, lead, "in_progress", submitted=period.due_date, value=7)
            make_report(period, action, co, "in_progress", submitted=period.due_date, value=9)


def test_it_loads_figures_in_a_fixed_number_of_queries(plan, territory, lead_org, other_org):
    build_plan_tree(plan, lead_org, [other_org], guidelines=1, objectives=1, actions=5)
    plan_services.plan_publish(plan=plan, actor=None)
    _fill(plan, lead_org, other_org, periods=1)
    small = _queries(plan)
    big_plan = plan_services.plan_create(
        territory=territory,
        title="Plan grande",
        start_date=date(2025, 1, 1),
        end_date=date(2029, 12, 31),
        actor=None,
    )
    build_plan_tree(big_plan, lead_org, [other_org], guidelines=5, objectives=2, actions=5)
    plan_services.plan_publish(plan=big_plan, actor=None)
    _fill(big_plan, lead_org, other_org, periods=4)
    assert progress.progress_for_plan(big_plan, TODAY).figures.progress.actions == 50
    assert _queries(big_plan) == small
    assert progress.progress_for_plans([plan, big_plan], TODAY).keys() == {plan.pk, big_plan.pk}


def test_it_follows_the_reporting_workflow(published_plan, lead_org, settings):
    """Reports written through the reporting services count once validated, and a new
    revision leaves the public figures until it is validated again."""
    from bhrplan.monitoring import services

    settings.PROGRESS_FINGERPRINT_SECONDS = 0
    action = published_actions(published_plan)[0]
    indicator = action.indicators.get()
    period = make_period(
        published_plan, "2025", date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 31)
    )

    def save(value):
        return services.report_save(
            period=period,
            action=action,
            organization=lead_org,
            actor=None,
            status="in_progress",
            narrative="Avance",
            values=[services.ValueInput(indicator=indicator, value=Decimal(value))],
            submit=True,
        )

    report = save(100)
    assert progress.progress_for_plan(published_plan, TODAY).figures.actions[0].progress is None
    services.report_validate(report=report, actor=None)
    assert progress.progress_for_plan(published_plan, TODAY).figures.actions[0].progress == 0.2
    save(400)  # a new revision, submitted but not validated yet
    assert progress.progress_for_plan(published_plan, TODAY).figures.actions[0].progress is None
    services.report_validate(report=ProgressReport.objects.get(pk=report.pk), actor=None)
    assert progress.progress_for_plan(published_plan, TODAY).figures.actions[0].progress == 0.8
