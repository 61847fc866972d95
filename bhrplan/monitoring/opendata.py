"""Open data of a plan's monitoring: everything the dashboard's figures are computed from.

Datasets (one table each): `actions`, `indicators` and `periods` (the latest published
version's structure), `reports` (validated reports only), `values` (indicator values of
validated reports, with their breakdowns) and `assessments` (published independent
assessments). Formats: CSV (UTF-8 with BOM), XLSX and JSON, written by `bhrplan.lib.tabular`: text
cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading
apostrophe so a spreadsheet never runs them as formulas (numbers stay numbers).
Private contact fields of organisations are never exported.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bhrplan.lib import tabular
from bhrplan.monitoring.models import (
    IndependentAssessment,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
)
from bhrplan.plans.models import Action, Indicator, Plan, PlanVersion

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
VALIDATED = ProgressReport.State.VALIDATED


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    return value


def _actions(version: PlanVersion) -> list[dict[str, Any]]:
    rows: Any = (
        Action.objects.filter(objective__guideline__version=version)
        .order_by("objective__guideline__position", "objective__position", "position", "id")
        .values(
            "id",
            "uid",
            "code",
            "title",
            "title_en",
            "start_date",
            "end_date",
            "lead_id",
            guideline_code=F("objective__guideline__code"),
            lead_name=F("lead__name"),
        )
    )
    co: dict[int, list[tuple[int, str]]] = {}
    for link in Action.co_responsible.through.objects.filter(
        action__objective__guideline__version=version
    ).values("action_id", "organization_id", "organization__name"):
        co.setdefault(link["action_id"], []).append(
            (link["organization_id"], link["organization__name"])
        )
    result = []
    for r in rows:
        links = co.get(r.pop("id"), [])
        r["action_uid"] = str(r.pop("uid"))
        r["lead_name"] = r["lead_name"] or ""
        r["co_responsible_ids"] = " ".join(str(i) for i, _n in links)
        r["co_responsible_names"] = "; ".join(n for _i, n in links)
        result.append(r)
    return result


def _indicators(version: PlanVersion) -> list[dict[str, Any]]:
    rows = Indicator.objects.filter(action__objective__guideline__version=version).order_by(
        "action__objective__guideline__position",
        "action__objective__position",
        "action__position",
        "position",
        "id",
    )
    return [
        {
            "indicator_uid": str(r["uid"]),
            "action_uid": str(r["action__uid"]),
            "action_code": r["action__code"],
            "name": r["name"],
            "name_en": r["name_en"],
            "unit": r["unit"],
            "direction": r["direction"],
            "baseline_value": r["baseline_value"],
            "baseline_year": r["baseline_year"],
            "target_value": r["target_value"],
            "target_year": r["target_year"],
            "breakdowns": " ".join(r["disaggregations"] or []),
        }
        for r in rows.values(
            "uid",
            "action__uid",
            "action__code",
            "name",
            "name_en",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "disaggregations",
        )
    ]


def _periods(plan: Plan) -> list[dict[str, Any]]:
    rows: Any = (
        ReportingPeriod.objects.filter(plan=plan)
        .order_by("start_date")
        .values("label", "start_date", "end_date", "due_date")
    )
    return list(rows)


def _reports(plan: Plan) -> list[dict[str, Any]]:
    rows: Any = (
        ProgressReport.objects.filter(plan=plan, state=VALIDATED)
        .order_by("period__start_date", "action__code", "organization__name", "id")
        .values(
            "id",
            "action_uid",
            "status",
            "narrative",
            "revision",
            "submitted_at",
            "validated_at",
            "organization_id",
            period_label=F("period__label"),
            period_start=F("period__start_date"),
            due_date=F("period__due_date"),
            action_code=F("action__code"),
            organization_name=F("organization__name"),
            action_lead_id=F("action__lead_id"),
        )
    )
    result = []
    for r in rows:
        submitted = r["submitted_at"]
        lead_id = r.pop("action_lead_id")
        result.append(
            {
                "report_id": r.pop("id"),
                **r,
                "action_uid": str(r["action_uid"]),
                "reported_by_lead": r["organization_id"] == lead_id,
                "submitted_on_time": bool(
                    submitted and timezone.localdate(submitted) <= r["due_date"]
                ),
            }
        )
    return result


def _values(plan: Plan) -> list[dict[str, Any]]:
    rows: Any = (
        IndicatorValue.objects.filter(report__plan=plan, report__state=VALIDATED)
        .order_by("report__period__start_date", "report__action__code", "report_id", "id")
        .values(
            "report_id",
            "indicator_uid",
            "value",
            "breakdown",
            "note",
            action_uid=F("report__action_uid"),
            period_label=F("report__period__label"),
            period_start=F("report__period__start_date"),
            organization_id=F("report__organization_id"),
            lead_id=F("report__action__lead_id"),
            validated_at=F("report__validated_at"),
        )
    )
    result = []
    for r in rows:
        lead_id = r.pop("lead_id")
        r["indicator_uid"] = str(r["indicator_uid"])
        r["action_uid"] = str(r["action_uid"])
        r["reported_by_lead"] = r["organization_id"] == lead_id
        r["breakdown"] = json.dumps(r["breakdown"] or {}, ensure_ascii=False, sort_keys=True)
        result.append(r)
    return result


def _assessments(plan: Plan) -> list[dict[str, Any]]:
    rows = (
        IndependentAssessment.objects.filter(plan=plan, is_published=True)
        .order_by("period__start_date", "action__code", "source", "id")
        .values(
            "action_uid",
            "source",
            "rating",
            "narrative",
            "created_at",
            period_label=F("period__label"),
            action_code=F("action__code"),
            organization_name=F("organization__name"),
        )
    )
    return [
        {**r, "action_uid": str(r["action_uid"]), "organization_name": r["organization_name"] or ""}
        for r in rows
    ]


DATASETS: dict[str, Callable[[Plan, PlanVersion], list[dict[str, Any]]]] = {
    "actions": lambda plan, version: _actions(version),
    "indicators": lambda plan, version: _indicators(version),
    "periods": lambda plan, version: _periods(plan),
    "reports": lambda plan, version: _reports(plan),
    "values": lambda plan, version: _values(plan),
    "assessments": lambda plan, version: _assessments(plan),
}


DATASET_LABELS = {
    "actions": _("Actions"),
    "indicators": _("Indicators"),
    "periods": _("Reporting periods"),
    "reports": _("Validated progress reports"),
    "values": _("Indicator values"),
    "assessments": _("Independent assessments"),
}


def dataset_rows(plan: Plan, version: PlanVersion, dataset: str) -> list[dict[str, Any]]:
    return DATASETS[dataset](plan, version)


def _table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    if not rows:
        return []
    return [list(rows[0].keys()), *([_cell(v) for v in row.values()] for row in rows)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return tabular.write_csv(_table(rows))


def to_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    return tabular.write_xlsx(_table(rows), sheet_title=title)


def to_json(rows: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    """Decimals are written as strings so no precision is lost."""
    data = {**meta, "rows": [{k: _cell(v) for k, v in row.items()} for row in rows]}
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode("utf-8")


def export(plan: Plan, version: PlanVersion, dataset: str, fmt: str) -> bytes:
    rows = dataset_rows(plan, version, dataset)
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "xlsx":
        return to_xlsx(rows, dataset)
    meta = {"plan_id": plan.pk, "version": version.number, "dataset": dataset}
    return to_json(rows, meta)
