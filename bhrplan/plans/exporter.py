"""Export a plan version as the plan matrix (XLSX, CSV) or as a JSON tree.

The spreadsheet uses the importer's column headers in the active language, so an
exported file imports back into the same plan. Citations of procurement screenings are
not in the spreadsheet (a screening is a record of one installation, visible only to
its coordinators, so a matrix could not carry it to another plan); the JSON tree gives
their public aggregate figures. The portal's open-data downloads call
`export_version`, `content_type_for` and `filename_for`.
"""

import json
from decimal import Decimal
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from bhrplan.lib.tabular import write_csv, write_xlsx
from bhrplan.plans.importer import COLUMNS, field_label
from bhrplan.plans.models import Action, Indicator, Plan, PlanVersion
from bhrplan.plans.selectors import version_tree
from bhrplan.procurement.figures import ScreeningFigures

FORMATS = ("xlsx", "csv", "json")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def content_type_for(fmt: str) -> str:
    return CONTENT_TYPES[fmt]


def filename_for(plan: Plan, version: PlanVersion, fmt: str) -> str:
    base = slugify(plan.title)[:60].strip("-") or f"plan-{plan.pk}"
    return f"{base}-v{version.number}.{fmt}"


def export_version(version: PlanVersion, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}")
    if fmt == "json":
        data = version_as_dict(version)
        return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    rows = matrix_rows(version)
    if fmt == "csv":
        return write_csv(rows)
    return write_xlsx(rows, sheet_title=_("Plan matrix"))


def _number(value: Decimal | None) -> Decimal | None:
    """500.0000 → 500, 12.5000 → 12.5 (no exponent)."""
    if value is None:
        return None
    normalized = value.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def _provisions(action: Action, framework: str, labels: dict[int, str]) -> str:
    chosen = [p for p in action.provisions.all() if p.framework.code == framework]
    for provision in chosen:
        if provision.pk not in labels:
            labels[provision.pk] = provision.label
    return "; ".join(labels[p.pk] for p in chosen)


def _org_name(org: Any) -> str:
    return org.name if org is not None else ""


def matrix_rows(version: PlanVersion) -> list[list[Any]]:
    """The header row and one row per indicator (or per action without indicators)."""
    rows: list[list[Any]] = [[field_label(c.key) for c in COLUMNS]]
    # Translated labels looked up once, not once per row (3,000-row plans).
    kinds = {value: str(label) for value, label in Action.Kind.choices}
    directions = {value: str(label) for value, label in Indicator.Direction.choices}
    provision_labels: dict[int, str] = {}
    for guideline in version_tree(version):
        g_values = {
            "guideline_code": guideline.code,
            "guideline": guideline.title,
            "guideline_en": guideline.title_en,
            "guideline_description": guideline.description,
            "guideline_description_en": guideline.description_en,
        }
        objectives = list(guideline.objectives.all())
        if not objectives:
            rows.append([g_values.get(c.key) for c in COLUMNS])
        for objective in objectives:
            o_values = {
                **g_values,
                "objective_code": objective.code,
                "objective": objective.title,
                "objective_en": objective.title_en,
                "objective_description": objective.description,
                "objective_description_en": objective.description_en,
            }
            actions = list(objective.actions.all())
            if not actions:
                rows.append([o_values.get(c.key) for c in COLUMNS])
            for action in actions:
                base = {
                    **o_values,
                    "code": action.code,
                    "action": action.title,
                    "action_en": action.title_en,
                    "action_description": action.description,
                    "action_description_en": action.description_en,
                    "kind": kinds.get(action.kind, action.kind),
                    "lead": _org_name(action.lead),
                    "co_responsible": "; ".join(o.name for o in action.co_responsible.all()),
                    "ungp": _provisions(action, "ungp", provision_labels),
                    "sdg": _provisions(action, "sdg", provision_labels),
                    "themes": "; ".join(t.label for t in action.themes.all()),
                    "approaches": "; ".join(a.label for a in action.approaches.all()),
                    "start": action.start_date,
                    "end": action.end_date,
                    "budget": _number(action.budget),
                }
                indicators: list[Indicator | None] = list(action.indicators.all()) or [None]
                for indicator in indicators:
                    values = dict(base)
                    if indicator is not None:
                        values.update(_indicator_values(indicator, directions))
                    rows.append([values.get(c.key) for c in COLUMNS])
    return rows


def _indicator_values(indicator: Indicator, directions: dict[str, str]) -> dict[str, Any]:
    return {
        "indicator": indicator.name,
        "indicator_en": indicator.name_en,
        "unit": indicator.unit,
        "direction": directions.get(indicator.direction, indicator.direction),
        "baseline": _number(indicator.baseline_value),
        "baseline_year": indicator.baseline_year,
        "target": _number(indicator.target_value),
        "target_year": indicator.target_year,
        "data_source": indicator.data_source,
    }


def _org(org: Any) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"id": org.pk, "name": org.name, "name_en": org.name_en, "acronym": org.acronym}


def _node(node: Any) -> dict[str, Any]:
    return {
        "uid": str(node.uid),
        "code": node.code,
        "title": node.title,
        "title_en": node.title_en,
        "description": node.description,
        "description_en": node.description_en,
    }


def version_as_dict(version: PlanVersion) -> dict[str, Any]:
    plan = version.plan
    return {
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "title_en": plan.title_en,
            "description": plan.description,
            "description_en": plan.description_en,
            "territory": {"code": plan.territory.code, "name": plan.territory.name},
            "start_date": plan.start_date.isoformat(),
            "end_date": plan.end_date.isoformat(),
            "status": plan.status,
            "currency": plan.currency,
        },
        "version": {
            "number": version.number,
            "status": version.status,
            "published_at": version.published_at.isoformat() if version.published_at else None,
            "note": version.note,
        },
        "guidelines": [
            {
                **_node(g),
                "objectives": [
                    {**_node(o), "actions": [_action(a) for a in o.actions.all()]}
                    for o in g.objectives.all()
                ],
            }
            for g in version_tree(version)
        ],
    }


def _action(action: Action) -> dict[str, Any]:
    return {
        **_node(action),
        "kind": action.kind,
        "lead": _org(action.lead),
        "co_responsible": [_org(o) for o in action.co_responsible.all()],
        "provisions": [p.code for p in action.provisions.all()],
        "themes": [t.slug for t in action.themes.all()],
        "approaches": [a.slug for a in action.approaches.all()],
        "start_date": action.start_date.isoformat() if action.start_date else None,
        "end_date": action.end_date.isoformat() if action.end_date else None,
        "budget": str(action.budget) if action.budget is not None else None,
        "procurement_screenings": [_screening(s.figures) for s in action.screenings.all()],
        "indicators": [
            {
                "uid": str(i.uid),
                "name": i.name,
                "name_en": i.name_en,
                "unit": i.unit,
                "direction": i.direction,
                "baseline_value": str(i.baseline_value) if i.baseline_value is not None else None,
                "baseline_year": i.baseline_year,
                "target_value": str(i.target_value) if i.target_value is not None else None,
                "target_year": i.target_year,
                "data_source": i.data_source,
                "screening_figure": _indicator_screening(i),
            }
            for i in action.indicators.all()
        ],
    }


def _screening(figures: ScreeningFigures) -> dict[str, Any]:
    """The aggregate figures the portal shows; screenings themselves are not public."""
    share = figures.flagged_share
    return {
        "dataset": figures.dataset_name,
        "screened_on": figures.screened_on.isoformat() if figures.screened_on else None,
        "processes_screened": figures.processes_screened,
        "flagged_processes": figures.flagged_processes,
        "flagged_share": str(share) if share is not None else None,
    }


def _indicator_screening(indicator: Indicator) -> dict[str, Any] | None:
    figures = indicator.screening_figures
    if figures is None:
        return None
    value = indicator.screening_figure
    return {
        "dataset": figures.dataset_name,
        "screened_on": figures.screened_on.isoformat() if figures.screened_on else None,
        "metric": indicator.screening_metric,
        "use": indicator.screening_role,
        "value": str(value) if value is not None else None,
    }
