"""Monitoring rows for the progress dashboard tests, written directly (plain rows: the
reporting services belong to the reporting workflow).

`scenario(plan, lead, co, stakeholder_org)` fills a published plan built by
`build_plan_tree` (8 actions A1..A8, one indicator each, baseline 0, target 500,
increasing) with the reports whose figures are worked out by hand in the tests:

| action | official report (latest) | value | progress | notes |
| A1 | P2 in progress | 250 | 0.5 | P1 value 100; P2 submitted late |
| A2 | P1 completed | 600 | 1 | raw attainment 1.2 |
| A3 | P1 cancelled | – | excluded | |
| A4 | – (only a submitted report) | – | unknown | |
| A5 | P2 delayed | – | 0.5 (fallback) | end date 2026-06-30 → delayed |
| A6 | P1 not started (lead) | 0 | 0 | co-responsible reported 300, in progress |
| A7 | – (only a draft) | – | unknown | end date 2026-03-31 → delayed |
| A8 | – | – | unknown | |
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bhrplan.monitoring.models import (
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
)
from bhrplan.plans.models import Action, Plan
from bhrplan.plans.selectors import version_actions, version_latest_published
from bhrplan.territories.models import Organization

TODAY = date(2026, 9, 1)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))


def make_period(plan: Plan, label: str, start: date, end: date, due: date) -> ReportingPeriod:
    return ReportingPeriod.objects.create(
        plan=plan, label=label, start_date=start, end_date=end, due_date=due
    )


def make_report(
    period: ReportingPeriod,
    action: Action,
    org: Organization,
    status: str,
    *,
    state: str = "validated",
    submitted: date | None = None,
    value: Decimal | int | None = None,
    breakdown: dict[str, Any] | None = None,
    narrative: str = "",
) -> ProgressReport:
    report = ProgressReport.objects.create(
        plan=period.plan,
        period=period,
        action=action,
        action_uid=action.uid,
        organization=org,
        status=status,
        state=state,
        narrative=narrative or f"Informe {action.code} {period.label}",
        submitted_at=at(submitted) if submitted else None,
        validated_at=at(submitted) if submitted and state == "validated" else None,
    )
    if value is not None:
        indicator = action.indicators.order_by("position", "id").first()
        assert indicator is not None
        IndicatorValue.objects.create(
            report=report,
            indicator=indicator,
            indicator_uid=indicator.uid,
            value=Decimal(value),
            breakdown=breakdown or {},
        )
    return report


def published_actions(plan: Plan) -> list[Action]:
    version = version_latest_published(plan)
    assert version is not None
    return list(
        version_actions(version).order_by(
            "objective__guideline__position", "objective__position", "position", "id"
        )
    )


def scenario(
    plan: Plan, lead: Organization, co: Organization, stakeholder_org: Organization
) -> dict[str, Any]:
    a = published_actions(plan)
    Action.objects.filter(pk=a[4].pk).update(end_date=date(2026, 6, 30))
    Action.objects.filter(pk=a[6].pk).update(end_date=date(2026, 3, 31))
    p1 = make_period(plan, "2025-S1", date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 15))
    p2 = make_period(plan, "2025-S2", date(2025, 7, 1), date(2025, 12, 31), date(2026, 1, 15))
    p3 = make_period(plan, "2026-S1", date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15))
    p4 = make_period(plan, "2026-S2", date(2026, 7, 1), date(2026, 12, 31), date(2027, 1, 15))
    make_report(p1, a[0], lead, "in_progress", submitted=date(2025, 7, 10), value=100)
    make_report(
        p2,
        a[0],
        lead,
        "in_progress",
        submitted=date(2026, 1, 20),
        value=250,
        breakdown={"sex": {"female": 150, "male": 100}},
    )
    make_report(p1, a[1], lead, "completed", submitted=date(2025, 7, 1), value=600)
    make_report(p1, a[2], lead, "cancelled", submitted=date(2025, 7, 1))
    make_report(
        p1, a[3], lead, "in_progress", state="submitted", submitted=date(2025, 7, 1), value=400
    )
    make_report(p2, a[4], lead, "delayed", submitted=date(2026, 1, 10))
    make_report(p1, a[5], lead, "not_started", submitted=date(2025, 7, 2), value=0)
    make_report(p1, a[5], co, "in_progress", submitted=date(2025, 7, 3), value=300)
    make_report(p1, a[6], lead, "completed", state="draft", value=500)
    IndependentAssessment.objects.create(
        plan=plan,
        period=p1,
        action=a[0],
        action_uid=a[0].uid,
        source="stakeholder",
        organization=stakeholder_org,
        rating="partial",
        narrative="Avance parcial verificado.",
    )
    IndependentAssessment.objects.create(
        plan=plan,
        period=p2,
        action=a[0],
        action_uid=a[0].uid,
        source="stakeholder",
        organization=stakeholder_org,
        rating="satisfactory",
        narrative="Borrador interno.",
        is_published=False,
    )
    IndependentAssessment.objects.create(
        plan=plan,
        period=p1,
        action=a[1],
        action_uid=a[1].uid,
        source="committee",
        rating="complete",
        narrative="Cumplida según el comité.",
    )
    return {"actions": a, "periods": [p1, p2, p3, p4]}
