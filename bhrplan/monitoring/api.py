"""`GET /api/v1/plans/{id}/progress`: the public dashboard's figures as JSON.

Registered in bhrplan/api/api.py with `api.add_router("/plans", progress_router)`.
Only plans with a published version; figures from validated reports only."""

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from bhrplan.monitoring import progress
from bhrplan.monitoring.figures import GroupFigure, PlanFigures

router = Router(tags=["progress"])


class GroupOut(Schema):
    key: str
    label: str
    progress: float | None
    actions: int
    known: int
    unknown: int
    cancelled: int


class IndicatorOut(Schema):
    uid: str
    name: str
    unit: str
    direction: str
    baseline: str | None
    target: str | None
    value: str | None
    value_period: str
    attainment: float | None
    progress: float | None


class ActionOut(Schema):
    uid: str
    code: str
    title: str
    end_date: date | None
    status: str | None
    status_period: str
    progress: float | None
    delayed: bool
    indicators: list[IndicatorOut]


class OnTimeOut(Schema):
    organization_id: int | None
    name: str
    on_time: int
    expected: int
    rate: float | None


class ProgressOut(Schema):
    plan_id: int
    version: int
    progress: GroupOut
    delayed_actions: list[str]
    status_distribution: dict[str, int]
    on_time: OnTimeOut
    on_time_by_entity: list[OnTimeOut]
    groups: dict[str, list[GroupOut]]
    actions: list[ActionOut]


def _group(key: str, label: str, g: GroupFigure) -> GroupOut:
    return GroupOut(
        key=key,
        label=label,
        progress=g.progress,
        actions=g.actions,
        known=g.known,
        unknown=g.unknown,
        cancelled=g.cancelled,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def progress_out(plan_id: int, version: int, f: PlanFigures) -> ProgressOut:
    def on_time(key: str, name: str, on: int, exp: int, rate: float | None) -> OnTimeOut:
        org = int(key) if key else None
        return OnTimeOut(organization_id=org, name=name, on_time=on, expected=exp, rate=rate)

    total = f.on_time_total
    return ProgressOut(
        plan_id=plan_id,
        version=version,
        progress=_group("plan", "", f.progress),
        delayed_actions=[a.code for a in f.delayed],
        status_distribution=dict(f.status_distribution),
        on_time=on_time("", "", total.on_time, total.expected, total.rate),
        on_time_by_entity=[
            on_time(r.key, r.name, r.on_time, r.expected, r.rate) for r in f.on_time
        ],
        groups={
            dim: [_group(r.key, r.label, r.figure) for r in rows] for dim, rows in f.groups.items()
        },
        actions=[
            ActionOut(
                uid=a.uid,
                code=a.code,
                title=a.title,
                end_date=a.end_date,
                status=a.status,
                status_period=a.status_period,
                progress=a.progress,
                delayed=a.delayed,
                indicators=[
                    IndicatorOut(
                        uid=i.uid,
                        name=i.name,
                        unit=i.unit,
                        direction=i.direction,
                        baseline=_text(i.baseline),
                        target=_text(i.target),
                        value=_text(i.value),
                        value_period=i.value_period,
                        attainment=i.attainment.raw,
                        progress=i.attainment.progress,
                    )
                    for i in a.indicators
                ],
            )
            for a in f.actions
        ],
    )


@router.get("/{int:plan_id}/progress", response=ProgressOut, url_name="plan_progress")
def plan_progress(request: HttpRequest, plan_id: int) -> ProgressOut:
    """Figures of a published plan (see docs/monitoring-figures.md for the rules)."""
    plan = progress.plan_public(plan_id)
    data = progress.progress_for_plan(plan) if plan else None
    if plan is None or data is None:
        raise Http404
    return progress_out(plan.pk, data.version_number, data.figures)
