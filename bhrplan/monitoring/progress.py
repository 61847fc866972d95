"""Public progress reads: load compact inputs for `figures` in a fixed number of queries.

Every query filters by the set of plans at once, so the plan dashboard and the
territory overview issue the same number of queries whatever the number of actions,
periods, reports or plans. Heavy work (latest report per action, latest value per
indicator, on-time counts) is done by the database with window functions and GROUP BY;
Python only sees one row per action, indicator and (entity, action).

Results are cached per plan, keyed by a fingerprint of the plan's monitoring data
(latest published version, row counts and last change of periods, reports, values and
assessments), the language and the day, so a new validation shows at once.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bhrplan.frameworks.models import Provision
from bhrplan.monitoring import figures
from bhrplan.monitoring.models import (
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
)
from bhrplan.plans.models import Action, Indicator, Plan, PlanVersion
from bhrplan.territories.models import Network, Territory

VALIDATED = ProgressReport.State.VALIDATED


def cache_seconds() -> int:
    return int(getattr(settings, "PROGRESS_CACHE_SECONDS", 3600))


def _lang() -> str:
    return (get_language() or "es")[:2]


def _loc(row: dict[str, Any], es: str, en: str) -> str:
    spanish, english = row.get(es) or "", row.get(en) or ""
    return (english or spanish) if _lang() == "en" else (spanish or english)


# Public plans ---------------------------------------------------------------------------


def _published(q: Q) -> list[Plan]:
    """Plans with a published version matching `q`, each carrying its latest published
    version (so `latest_versions` needs no query), in one query."""
    found: dict[int, Plan] = {}
    versions = (
        PlanVersion.objects.filter(q, status=PlanVersion.Status.PUBLISHED)
        .select_related("plan__territory")
        .order_by("plan_id", "-number")
    )
    for version in versions:
        if version.plan_id not in found:
            version.plan._latest_published = version  # type: ignore[attr-defined]
            found[version.plan_id] = version.plan
    return sorted(
        found.values(),
        key=lambda p: (p.territory.code, -p.start_date.toordinal(), p.title),
    )


def plan_public(plan_id: int) -> Plan | None:
    """A plan the public may see (it has a published version), else None."""
    plans = _published(Q(plan_id=plan_id))
    return plans[0] if plans else None


def territory_public(code: str) -> Territory | None:
    return Territory.objects.filter(code__iexact=code).select_related("parent").first()


def network_public(network_id: int) -> Network | None:
    return Network.objects.filter(pk=network_id).first()


def plans_of_territory(territory: Territory) -> list[Plan]:
    """Published plans of a territory and of its sub-territories (two levels down)."""
    return _published(
        Q(plan__territory=territory)
        | Q(plan__territory__parent=territory)
        | Q(plan__territory__parent__parent=territory)
    )


def plans_of_network(network: Network) -> list[Plan]:
    return _published(Q(plan__territory__networks=network))


def latest_versions(plans: Iterable[Plan]) -> dict[int, PlanVersion]:
    """Each plan's latest published version, in one query (none when the plans came
    from the selectors above)."""
    plans = list(plans)
    if all(hasattr(p, "_latest_published") for p in plans):
        return {p.pk: p._latest_published for p in plans}  # type: ignore[attr-defined]
    found: dict[int, PlanVersion] = {}
    versions = PlanVersion.objects.filter(
        plan__in=[p.pk for p in plans], status=PlanVersion.Status.PUBLISHED
    ).order_by("plan_id", "-number")
    for version in versions:
        found.setdefault(version.plan_id, version)
    return found


# Fingerprints and cache -----------------------------------------------------------------


def fingerprint_seconds() -> int:
    return int(getattr(settings, "PROGRESS_FINGERPRINT_SECONDS", 10))


def fingerprints(versions: dict[int, PlanVersion], today: date) -> dict[int, str]:
    """A key per plan that changes whenever a figure of the plan could change.

    Indicator values belong to a report and the reporting workflow saves the report
    whenever its values change (new revision, validation), so the reports' count and
    last change cover them without scanning the much larger values table. The keys
    themselves are kept `PROGRESS_FINGERPRINT_SECONDS` (default 10 s): a new validation
    shows on the dashboard within that delay, and busy pages skip the aggregate queries."""
    ttl = fingerprint_seconds()
    ids = ",".join(f"{pid}:{v.pk}" for pid, v in sorted(versions.items()))
    micro = "progress-fp:" + hashlib.sha256(f"{ids}|{today}|{_lang()}".encode()).hexdigest()
    if ttl and (hit := cache.get(micro)) is not None:
        return dict(hit)
    parts: dict[int, list[str]] = {
        pid: [str(v.pk), today.isoformat(), _lang()] for pid, v in versions.items()
    }
    sources: list[QuerySet[Any]] = [
        ReportingPeriod.objects.filter(plan__in=parts).values("plan_id"),
        ProgressReport.objects.filter(plan__in=parts).values("plan_id"),
        IndependentAssessment.objects.filter(plan__in=parts).values("plan_id"),
    ]
    for number, qs in enumerate(sources):
        seen: dict[int, str] = {}
        for row in qs.annotate(n=Count("pk"), last=Max("updated_at")).order_by():
            seen[row["plan_id"]] = f"{row['n']}@{row['last'].isoformat() if row['last'] else ''}"
        for pid in parts:
            parts[pid].append(f"{number}:{seen.get(pid, '0')}")
    result = {
        pid: hashlib.sha256("|".join(p).encode()).hexdigest()[:32] for pid, p in parts.items()
    }
    if ttl:
        cache.set(micro, result, ttl)
    return result


@dataclass
class PlanProgress:
    """What the dashboard shows for one plan: the figures plus display rows."""

    plan_id: int
    version_id: int
    version_number: int
    fingerprint: str
    figures: figures.PlanFigures
    action_rows: list[dict[str, Any]]
    periods: list[dict[str, Any]]


def progress_for_plans(plans: list[Plan], today: date | None = None) -> dict[int, PlanProgress]:
    """Figures for several published plans, from the cache when their data has not changed."""
    today = today or timezone.localdate()
    versions = latest_versions(plans)
    if not versions:
        return {}
    keys = fingerprints(versions, today)
    cache_keys = {pid: f"progress:{pid}:{key}" for pid, key in keys.items()}
    cached = cache.get_many(list(cache_keys.values())) if cache_seconds() else {}
    result = {pid: cached[k] for pid, k in cache_keys.items() if k in cached}
    missing = {pid: v for pid, v in versions.items() if pid not in result}
    if missing:
        computed = _compute(missing, keys, today)
        if cache_seconds():
            cache.set_many(
                {cache_keys[pid]: value for pid, value in computed.items()}, cache_seconds()
            )
        result.update(computed)
    return result


def progress_for_plan(plan: Plan, today: date | None = None) -> PlanProgress | None:
    return progress_for_plans([plan], today).get(plan.pk)


def plans_key(plans: list[Plan], today: date | None = None) -> str | None:
    """One cache key for pages showing these plans: their data fingerprints plus their
    own last change (titles). None when none of them has a published version."""
    versions = latest_versions(plans)
    if not versions:
        return None
    keys = fingerprints(versions, today or timezone.localdate())
    parts = [f"{p.pk}:{p.updated_at.isoformat()}:{keys.get(p.pk, '')}" for p in plans]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Headline:
    """The few figures shown when plans are compared side by side."""

    progress: float | None
    known: int
    actions: int
    delayed: int
    on_time: int
    expected: int
    on_time_rate: float | None

    @classmethod
    def of(cls, f: figures.PlanFigures) -> "Headline":
        total = f.on_time_total
        return cls(
            progress=f.progress.progress,
            known=f.progress.known,
            actions=f.progress.actions,
            delayed=len(f.delayed),
            on_time=total.on_time,
            expected=total.expected,
            on_time_rate=total.rate,
        )


def headlines_for_plans(plans: list[Plan], today: date | None = None) -> dict[int, Headline]:
    """Headline figures of several plans; small cache entries, so a comparison of many
    plans reads little from the cache. Missing ones are computed together."""
    today = today or timezone.localdate()
    versions = latest_versions(plans)
    keys = fingerprints(versions, today)
    cache_keys = {pid: f"progress-headline:{pid}:{key}" for pid, key in keys.items()}
    cached = cache.get_many(list(cache_keys.values())) if cache_seconds() else {}
    result = {pid: cached[k] for pid, k in cache_keys.items() if k in cached}
    missing = {pid: v for pid, v in versions.items() if pid not in result}
    if missing:
        computed = {
            pid: Headline.of(p.figures) for pid, p in _compute(missing, keys, today).items()
        }
        if cache_seconds():
            cache.set_many({cache_keys[pid]: h for pid, h in computed.items()}, cache_seconds())
        result.update(computed)
    return result


# Loading --------------------------------------------------------------------------------


def _official_order(prefix: str = "") -> list[Any]:
    """Latest period first; within a period the lead entity's report, then the latest."""
    is_lead = Case(
        When(**{f"{prefix}organization_id": F(f"{prefix}action__lead_id")}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return [
        F(f"{prefix}period__start_date").desc(),
        is_lead.desc(),
        F(f"{prefix}validated_at").desc(nulls_last=True),
        F(f"{prefix}id").desc(),
    ]


def _latest_reports(plan_ids: list[int]) -> dict[str, dict[str, Any]]:
    rows = (
        ProgressReport.objects.filter(plan__in=plan_ids, state=VALIDATED)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("action_uid")], order_by=_official_order())
        )
        .filter(rank=1)
        .values("action_uid", "status", "period__label")
    )
    return {str(r["action_uid"]): r for r in rows}


def _latest_values(plan_ids: list[int]) -> dict[str, dict[str, Any]]:
    rows = (
        IndicatorValue.objects.filter(report__plan__in=plan_ids, report__state=VALIDATED)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("indicator_uid")], order_by=_official_order("report__")
            )
        )
        .filter(rank=1)
        .values("indicator_uid", "value", "report__period__label")
    )
    return {str(r["indicator_uid"]): r for r in rows}


def _latest_assessments(plan_ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Each assessor's latest published assessment per action."""
    rows = (
        IndependentAssessment.objects.filter(plan__in=plan_ids, is_published=True)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("action_uid"), F("source"), F("organization_id")],
                order_by=[F("period__start_date").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values(
            "action_uid",
            "source",
            "rating",
            "period__label",
            "organization__name",
            "organization__name_en",
            "organization__acronym",
        )
        .order_by("source", "organization__name")
    )
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        found[str(r["action_uid"])].append(r)
    return found


def _org_label(row: dict[str, Any], prefix: str) -> str:
    name = _loc(row, f"{prefix}name", f"{prefix}name_en")
    acronym = row.get(f"{prefix}acronym") or ""
    return f"{name} ({acronym})" if acronym else name


def _compute(
    versions: dict[int, PlanVersion], keys: dict[int, str], today: date
) -> dict[int, PlanProgress]:
    plan_ids = list(versions)
    version_ids = [v.pk for v in versions.values()]
    in_versions = {"objective__guideline__version__in": version_ids}
    row: Any  # rows of .values() queries
    actions: list[Any] = list(
        Action.objects.filter(**in_versions)
        .order_by(
            "objective__guideline__position",
            "objective__guideline__id",
            "objective__position",
            "objective__id",
            "position",
            "id",
        )
        .values(
            "id",
            "uid",
            "code",
            "title",
            "title_en",
            "end_date",
            "lead_id",
            "lead__name",
            "lead__name_en",
            "lead__acronym",
            "objective__guideline__version__plan_id",
            "objective__guideline__uid",
            "objective__guideline__code",
            "objective__guideline__title",
            "objective__guideline__title_en",
        )
    )
    indicators: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Indicator.objects.filter(**{f"action__{k}": v for k, v in in_versions.items()})
        .order_by("position", "id")
        .values(
            "uid",
            "action_id",
            "name",
            "name_en",
            "unit",
            "direction",
            "baseline_value",
            "target_value",
        )
    ):
        indicators[row["action_id"]].append(row)
    links: dict[str, dict[int, list[dict[str, Any]]]] = {
        "provision": defaultdict(list),
        "theme": defaultdict(list),
        "approach": defaultdict(list),
        "co": defaultdict(list),
    }
    through_filter = {f"action__{k}": v for k, v in in_versions.items()}
    for row in Action.provisions.through.objects.filter(**through_filter).values(
        "action_id",
        framework=F("provision__framework__code"),
        code=F("provision__code"),
        number=F("provision__number"),
        kind=F("provision__kind"),
        pillar=F("provision__pillar"),
        pillar_es=F("provision__pillar_es"),
        pillar_en=F("provision__pillar_en"),
        title_es=F("provision__title_es"),
        title_en=F("provision__title_en"),
        sort_key=F("provision__sort_key"),
        parent_code=F("provision__parent__code"),
        parent_number=F("provision__parent__number"),
        parent_title_es=F("provision__parent__title_es"),
        parent_title_en=F("provision__parent__title_en"),
        parent_sort_key=F("provision__parent__sort_key"),
    ):
        links["provision"][row["action_id"]].append(row)
    for row in Action.themes.through.objects.filter(**through_filter).values(
        "action_id",
        slug=F("theme__slug"),
        label_es=F("theme__label_es"),
        label_en=F("theme__label_en"),
        kind=F("theme__kind"),
        position=F("theme__position"),
    ):
        links["theme"][row["action_id"]].append(row)
    for row in Action.approaches.through.objects.filter(**through_filter).values(
        "action_id",
        slug=F("approach__slug"),
        label_es=F("approach__label_es"),
        label_en=F("approach__label_en"),
        position=F("approach__position"),
    ):
        links["approach"][row["action_id"]].append(row)
    for row in Action.co_responsible.through.objects.filter(**through_filter).values(
        "action_id",
        "organization_id",
        "organization__name",
        "organization__name_en",
        "organization__acronym",
    ):
        links["co"][row["action_id"]].append(row)
    periods: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        ReportingPeriod.objects.filter(plan__in=plan_ids)
        .order_by("start_date")
        .values("plan_id", "label", "start_date", "end_date", "due_date")
    ):
        periods[row["plan_id"]].append(row)
    reports = _latest_reports(plan_ids)
    values = _latest_values(plan_ids)
    assessments = _latest_assessments(plan_ids)
    on_time: dict[tuple[str, str], int] = {}
    for row in (
        ProgressReport.objects.filter(
            plan__in=plan_ids,
            state=VALIDATED,
            period__due_date__lt=today,
            submitted_at__date__lte=F("period__due_date"),
        )
        .values("organization_id", "action_uid")
        .annotate(n=Count("id"))
        .order_by()
    ):
        on_time[(str(row["organization_id"]), str(row["action_uid"]))] = row["n"]

    return {
        pid: _plan_progress(
            version,
            keys[pid],
            [a for a in actions if a["objective__guideline__version__plan_id"] == pid],
            indicators,
            links,
            periods[pid],
            reports,
            values,
            assessments,
            on_time,
            today,
        )
        for pid, version in versions.items()
    }


def _plan_progress(
    version: PlanVersion,
    fingerprint: str,
    actions: list[dict[str, Any]],
    indicators: dict[int, list[dict[str, Any]]],
    links: dict[str, dict[int, list[dict[str, Any]]]],
    periods: list[dict[str, Any]],
    reports: dict[str, dict[str, Any]],
    values: dict[str, dict[str, Any]],
    assessments: dict[str, list[dict[str, Any]]],
    on_time: dict[tuple[str, str], int],
    today: date,
) -> PlanProgress:
    labels: dict[str, dict[str, tuple[Any, str]]] = {d: {} for d in figures.DIMENSIONS}
    entities: dict[str, str] = {}
    inputs: list[figures.ActionInput] = []
    action_rows: list[dict[str, Any]] = []
    for a in actions:
        uid = str(a["uid"])
        groups: dict[str, list[str]] = defaultdict(list)
        g_uid = str(a["objective__guideline__uid"])
        g_title = _loc(a, "objective__guideline__title", "objective__guideline__title_en")
        labels["guideline"].setdefault(
            g_uid, (len(labels["guideline"]), f"{a['objective__guideline__code']} {g_title}")
        )
        groups["guideline"].append(g_uid)
        for p in links["provision"].get(a["id"], []):
            if p["framework"] == "ungp" and p["kind"] == Provision.Kind.PRINCIPLE:
                if p["pillar"]:
                    pillar = str(p["pillar"])
                    name = _loc(p, "pillar_es", "pillar_en")
                    label = _("Pillar %(number)s: %(name)s") % {"number": pillar, "name": name}
                    labels["pillar"].setdefault(pillar, (p["pillar"], label))
                    groups["pillar"].append(pillar)
                label = _("UNGP %(number)s") % {"number": p["number"]}
                labels["principle"].setdefault(
                    p["code"], (p["sort_key"], f"{label} {_loc(p, 'title_es', 'title_en')}")
                )
                groups["principle"].append(p["code"])
            elif p["framework"] == "sdg":
                if p["kind"] == Provision.Kind.GOAL:
                    code, number, sort_key = p["code"], p["number"], p["sort_key"]
                    title = _loc(p, "title_es", "title_en")
                elif p["parent_code"]:
                    code, number, sort_key = (
                        p["parent_code"],
                        p["parent_number"],
                        p["parent_sort_key"],
                    )
                    title = _loc(p, "parent_title_es", "parent_title_en")
                else:
                    continue
                label = _("SDG %(number)s") % {"number": number}
                labels["sdg"].setdefault(code, (sort_key, f"{label} {title}"))
                groups["sdg"].append(code)
        for t in links["theme"].get(a["id"], []):
            labels["theme"].setdefault(
                t["slug"], ((t["kind"], t["position"], t["slug"]), _loc(t, "label_es", "label_en"))
            )
            groups["theme"].append(t["slug"])
        for ap in links["approach"].get(a["id"], []):
            labels["approach"].setdefault(
                ap["slug"], ((ap["position"], ap["slug"]), _loc(ap, "label_es", "label_en"))
            )
            groups["approach"].append(ap["slug"])
        responsible: list[str] = []
        if a["lead_id"]:
            responsible.append(str(a["lead_id"]))
            entities.setdefault(str(a["lead_id"]), _org_label(a, "lead__"))
        for co in links["co"].get(a["id"], []):
            responsible.append(str(co["organization_id"]))
            entities.setdefault(str(co["organization_id"]), _org_label(co, "organization__"))
        responsible = list(dict.fromkeys(responsible))
        groups["entity"] = responsible
        report = reports.get(uid)
        action_input = figures.ActionInput(
            uid=uid,
            code=a["code"],
            title=_loc(a, "title", "title_en"),
            end_date=a["end_date"],
            status=report["status"] if report else None,
            status_period=report["period__label"] if report else "",
            indicators=[
                figures.IndicatorInput(
                    uid=str(i["uid"]),
                    name=_loc(i, "name", "name_en"),
                    unit=i["unit"],
                    direction=i["direction"],
                    baseline=i["baseline_value"],
                    target=i["target_value"],
                    value=values[str(i["uid"])]["value"] if str(i["uid"]) in values else None,
                    value_period=values.get(str(i["uid"]), {}).get("report__period__label", ""),
                )
                for i in indicators.get(a["id"], [])
            ],
            groups=dict(groups),
            responsible=responsible,
        )
        inputs.append(action_input)
        action_rows.append(
            {
                "uid": uid,
                "lead": _org_label(a, "lead__") if a["lead_id"] else "",
                "assessments": [
                    {
                        "source": r["source"],
                        "organization": _org_label(r, "organization__")
                        if r["organization__name"]
                        else "",
                        "rating": r["rating"],
                        "period": r["period__label"],
                    }
                    for r in assessments.get(uid, [])
                ],
            }
        )
    entity_order = sorted(entities.items(), key=lambda kv: kv[1].lower())
    labels["entity"] = {k: (n, name) for n, (k, name) in enumerate(entity_order)}
    ordered = {
        d: {k: label for k, (_key, label) in sorted(rows.items(), key=lambda kv: kv[1][0])}
        for d, rows in labels.items()
    }
    plan_input = figures.PlanInput(
        actions=inputs,
        labels=ordered,
        entities=dict(entity_order),
        passed_periods=sum(1 for p in periods if p["due_date"] < today),
        on_time=on_time,
    )
    return PlanProgress(
        plan_id=version.plan_id,
        version_id=version.pk,
        version_number=version.number,
        fingerprint=fingerprint,
        figures=figures.plan_figures(plan_input, today),
        action_rows=action_rows,
        periods=periods,
    )


# Indicator detail ----------------------------------------------------------------------


@dataclass
class IndicatorSeries:
    indicator: Indicator
    points: list[dict[str, Any]]
    attainment: figures.Attainment


def indicator_series(plan: Plan, indicator_uid: str) -> IndicatorSeries | None:
    """An indicator of the plan's latest published version with its official value per
    period (validated reports only), oldest first."""
    version = latest_versions([plan]).get(plan.pk)
    if version is None:
        return None
    indicator = (
        Indicator.objects.filter(action__objective__guideline__version=version, uid=indicator_uid)
        .select_related("action", "action__lead", "action__objective__guideline")
        .first()
    )
    if indicator is None:
        return None
    rows = (
        IndicatorValue.objects.filter(
            report__plan=plan, report__state=VALIDATED, indicator_uid=indicator.uid
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("report__period_id")],
                order_by=_official_order("report__")[1:],
            )
        )
        .filter(rank=1)
        .values(
            "value",
            "breakdown",
            "report__period__label",
            "report__period__start_date",
            "report__period__end_date",
        )
        .order_by("report__period__start_date")
    )
    points = [
        {
            "period": r["report__period__label"],
            "date": r["report__period__end_date"],
            "value": r["value"],
            "breakdown": r["breakdown"],
        }
        for r in rows
    ]
    latest = points[-1]["value"] if points else None
    return IndicatorSeries(
        indicator=indicator,
        points=points,
        attainment=figures.indicator_attainment(
            indicator.direction, indicator.baseline_value, indicator.target_value, latest
        ),
    )
