"""Derived monitoring figures: pure functions over compact inputs, no database access.

The rules (also in docs/monitoring-figures.md) are chosen so that every figure can be
recomputed by anyone from the open data files:

- Only validated reports count. For each action and period the *official report* is the
  lead entity's validated report, else the most recently validated report of a
  co-responsible entity. An action's *status* is the status of its latest official
  report (latest period); an indicator's *value* is the latest validated value.
- Indicator attainment (`indicator_attainment`): `(value − baseline) / (target − baseline)`.
  The same formula serves "increase" and "decrease" (both differences change sign).
  "Maintain" scores 1 when the value is within ±5 % of the target (exactly the target
  when the target is 0) and 0 otherwise. The raw figure is kept; progress is the raw
  figure clipped to [0, 1]. A missing baseline, target or value gives *unknown*
  (None), never 0.
- Action progress (`action_progress`): cancelled → excluded from every mean; completed
  → 1; otherwise the mean progress of its indicators with a known attainment; when none
  is known, a status fallback (not started 0, in progress 0.5, delayed 0.5); with no
  validated report at all → unknown.
- Group progress (guideline, UNGP pillar and principle, SDG goal, theme, approach,
  responsible entity, plan) is the plain mean of the progress of the group's actions
  whose progress is known; cancelled actions are left out and actions with unknown
  progress are counted apart (`unknown`), not as 0. An action linked to several members
  of a dimension (two principles, a lead and a co-responsible entity) counts once in
  each of them. Plan progress is the mean over all its actions (not a mean of means).
- Delayed action: its end date has passed and its status is neither completed nor
  cancelled (an action with no validated report is delayed too once its end date passed).
- On-time reporting rate of an entity: validated reports it submitted on or before the
  period's due date ÷ reports expected from it, where one report is expected per period
  whose due date has passed and per action the entity leads or co-leads.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

STATUS_ORDER = ["not_started", "in_progress", "delayed", "completed", "cancelled"]
NO_REPORT = "no_report"
COMPLETED = "completed"
CANCELLED = "cancelled"
STATUS_FALLBACK = {"not_started": 0.0, "in_progress": 0.5, "delayed": 0.5}
MAINTAIN_TOLERANCE = Decimal("0.05")
DIMENSIONS = ["guideline", "pillar", "principle", "sdg", "theme", "approach", "entity"]


@dataclass(frozen=True)
class Attainment:
    """`raw` is the unclipped ratio; `progress` is clipped to [0, 1]; both None if unknown."""

    raw: float | None
    progress: float | None


UNKNOWN = Attainment(None, None)


def indicator_attainment(
    direction: str,
    baseline: Decimal | None,
    target: Decimal | None,
    value: Decimal | None,
) -> Attainment:
    """How far an indicator went from its baseline towards its target."""
    if baseline is None or target is None or value is None:
        return UNKNOWN
    if direction == "maintain" or target == baseline:
        tolerance = abs(target) * MAINTAIN_TOLERANCE
        hit = 1.0 if abs(value - target) <= tolerance else 0.0
        return Attainment(hit, hit)
    raw = float((value - baseline) / (target - baseline))
    return Attainment(raw, min(1.0, max(0.0, raw)))


def action_progress(status: str | None, attainments: Iterable[float | None]) -> float | None:
    """Progress of one action in [0, 1], or None when unknown or cancelled (see module doc)."""
    if status is None or status == CANCELLED:
        return None
    if status == COMPLETED:
        return 1.0
    known = [a for a in attainments if a is not None]
    if known:
        return sum(known) / len(known)
    return STATUS_FALLBACK.get(status)


def is_delayed(end_date: date | None, status: str | None, today: date) -> bool:
    return end_date is not None and end_date < today and status not in (COMPLETED, CANCELLED)


def on_time_rate(on_time: int, expected: int) -> float | None:
    return None if expected == 0 else min(1.0, on_time / expected)


@dataclass(frozen=True)
class GroupFigure:
    """Mean progress of a set of actions and how many actions it rests on."""

    progress: float | None
    known: int
    unknown: int
    cancelled: int

    @property
    def actions(self) -> int:
        return self.known + self.unknown + self.cancelled


def group_figure(actions: Sequence["ActionFigure"]) -> GroupFigure:
    known = [a.progress for a in actions if a.progress is not None]
    cancelled = sum(1 for a in actions if a.status == CANCELLED)
    return GroupFigure(
        progress=sum(known) / len(known) if known else None,
        known=len(known),
        unknown=len(actions) - len(known) - cancelled,
        cancelled=cancelled,
    )


# Inputs ---------------------------------------------------------------------------------


@dataclass
class IndicatorInput:
    uid: str
    name: str
    unit: str
    direction: str
    baseline: Decimal | None
    target: Decimal | None
    value: Decimal | None = None
    value_period: str = ""


@dataclass
class ActionInput:
    uid: str
    code: str
    title: str
    end_date: date | None
    status: str | None = None
    status_period: str = ""
    indicators: list[IndicatorInput] = field(default_factory=list)
    # dimension → keys of the groups the action belongs to (see DIMENSIONS)
    groups: dict[str, list[str]] = field(default_factory=dict)
    # organisations expected to report on the action: the lead and the co-responsible
    responsible: list[str] = field(default_factory=list)


@dataclass
class PlanInput:
    actions: list[ActionInput]
    # dimension → ordered {key: label}
    labels: dict[str, dict[str, str]]
    # organisation key → display name
    entities: dict[str, str]
    passed_periods: int
    # (organisation key, action uid) → validated reports submitted on time
    on_time: dict[tuple[str, str], int]


# Outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorFigure:
    uid: str
    name: str
    unit: str
    direction: str
    baseline: Decimal | None
    target: Decimal | None
    value: Decimal | None
    value_period: str
    attainment: Attainment


@dataclass(frozen=True)
class ActionFigure:
    uid: str
    code: str
    title: str
    end_date: date | None
    status: str | None
    status_period: str
    progress: float | None
    delayed: bool
    indicators: tuple[IndicatorFigure, ...]


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    figure: GroupFigure


@dataclass(frozen=True)
class EntityOnTime:
    key: str
    name: str
    on_time: int
    expected: int
    rate: float | None


@dataclass(frozen=True)
class PlanFigures:
    progress: GroupFigure
    actions: tuple[ActionFigure, ...]
    groups: dict[str, tuple[GroupRow, ...]]
    status_distribution: tuple[tuple[str, int], ...]
    delayed: tuple[ActionFigure, ...]
    on_time: tuple[EntityOnTime, ...]
    on_time_total: EntityOnTime


def action_figure(action: ActionInput, today: date) -> ActionFigure:
    indicators = tuple(
        IndicatorFigure(
            uid=i.uid,
            name=i.name,
            unit=i.unit,
            direction=i.direction,
            baseline=i.baseline,
            target=i.target,
            value=i.value,
            value_period=i.value_period,
            attainment=indicator_attainment(i.direction, i.baseline, i.target, i.value),
        )
        for i in action.indicators
    )
    return ActionFigure(
        uid=action.uid,
        code=action.code,
        title=action.title,
        end_date=action.end_date,
        status=action.status,
        status_period=action.status_period,
        progress=action_progress(action.status, (i.attainment.progress for i in indicators)),
        delayed=is_delayed(action.end_date, action.status, today),
        indicators=indicators,
    )


def status_distribution(statuses: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    """Actions per status, in a fixed order, `no_report` for actions never validated."""
    counts = Counter(s or NO_REPORT for s in statuses)
    return tuple((s, counts.get(s, 0)) for s in [*STATUS_ORDER, NO_REPORT])


def on_time_figures(plan: PlanInput) -> tuple[tuple[EntityOnTime, ...], EntityOnTime]:
    expected: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    for action in plan.actions:
        for org in action.responsible:
            expected[org] += plan.passed_periods
            # never more on-time reports than periods due (one report per period counts)
            on_time[org] += min(plan.on_time.get((org, action.uid), 0), plan.passed_periods)
    rows = tuple(
        EntityOnTime(key, name, on_time[key], expected[key], on_time_rate(on_time[key], exp))
        for key, name in plan.entities.items()
        if (exp := expected[key])
    )
    total_on, total_exp = sum(on_time.values()), sum(expected.values())
    total = EntityOnTime("", "", total_on, total_exp, on_time_rate(total_on, total_exp))
    return rows, total


def plan_figures(plan: PlanInput, today: date) -> PlanFigures:
    """Every figure of the dashboard for one plan, from its compact inputs."""
    actions = tuple(action_figure(a, today) for a in plan.actions)
    members: dict[str, dict[str, list[ActionFigure]]] = {d: {} for d in DIMENSIONS}
    for source, figure in zip(plan.actions, actions, strict=True):
        for dimension, keys in source.groups.items():
            for key in dict.fromkeys(keys):
                members[dimension].setdefault(key, []).append(figure)
    groups = {
        dimension: tuple(
            GroupRow(key, label, group_figure(members[dimension][key]))
            for key, label in plan.labels.get(dimension, {}).items()
            if key in members[dimension]
        )
        for dimension in DIMENSIONS
    }
    rows, total = on_time_figures(plan)
    return PlanFigures(
        progress=group_figure(actions),
        actions=actions,
        groups=groups,
        status_distribution=status_distribution(a.status for a in actions),
        delayed=tuple(a for a in actions if a.delayed),
        on_time=rows,
        on_time_total=total,
    )
