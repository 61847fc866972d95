"""The JSON API: `/api/v1/`, OpenAPI 3 at `/api/v1/openapi.json`, docs at `/api/v1/docs`.

Read-only and public: it serves published versions only, through the portal selectors.
Every endpoint runs a fixed number of queries, however large the plan.
"""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError

from bhrplan.api import schemas
from bhrplan.api.selectors import (
    plan_public_tree,
    plans_public_with_latest,
    sdg_goals_with_targets,
    ungp_principles,
)
from bhrplan.monitoring.api import router as progress_router
from bhrplan.plans.models import Action, Guideline, Indicator, Plan
from bhrplan.procurement.models import Screening
from bhrplan.territories.models import Organization

api = NinjaAPI(
    title="bhrplan API",
    version="1.0.0",
    description="Read-only public data of published Business and Human Rights action plans.",
    urls_namespace="api-1.0.0",
)
api.add_router("/plans", progress_router)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _plan_summary(plan: Plan, latest: int) -> dict[str, Any]:
    t = plan.territory
    return {
        "id": plan.pk,
        "title": plan.title,
        "title_en": plan.title_en,
        "territory": {"code": t.code, "name": t.name, "name_en": t.name_en, "level": t.level},
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "status": plan.status,
        "currency": plan.currency,
        "is_sample": plan.is_sample,
        "latest_version": latest,
    }


def _org(org: Organization) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "name_en": org.name_en, "acronym": org.acronym}


def _indicator(i: Indicator) -> dict[str, Any]:
    return {
        "uid": i.uid,
        "name": i.name,
        "name_en": i.name_en,
        "unit": i.unit,
        "direction": i.direction,
        "baseline_value": _decimal(i.baseline_value),
        "baseline_year": i.baseline_year,
        "target_value": _decimal(i.target_value),
        "target_year": i.target_year,
        "data_source": i.data_source,
        "screening_metric": i.screening_metric if i.screening_id else "",
        "screening_figure": _decimal(i.screening_figure),
    }


def _screening(s: Screening) -> dict[str, Any]:
    f = s.figures
    return {
        "dataset_name": f.dataset_name,
        "screened_on": f.screened_on,
        "processes_screened": f.processes_screened,
        "flagged_processes": f.flagged_processes,
        "flagged_share": None if f.flagged_share is None else str(f.flagged_share),
        "flagged_buyers": f.flagged_buyers,
        "flagged_contracts": f.flagged_contracts,
    }


def _action(a: Action) -> dict[str, Any]:
    return {
        "uid": a.uid,
        "code": a.code,
        "title": a.title,
        "title_en": a.title_en,
        "description": a.description,
        "description_en": a.description_en,
        "kind": a.kind,
        "lead": _org(a.lead) if a.lead else None,
        "co_responsible": [_org(o) for o in a.co_responsible.all()],
        "provisions": [p.code for p in a.provisions.all()],
        "themes": [t.slug for t in a.themes.all()],
        "approaches": [x.slug for x in a.approaches.all()],
        "start_date": a.start_date,
        "end_date": a.end_date,
        "budget": None if a.budget is None else str(a.budget),
        "indicators": [_indicator(i) for i in a.indicators.all()],
        "screenings": [_screening(s) for s in a.screenings.all()],
    }


def _guideline(g: Guideline) -> dict[str, Any]:
    return {
        "uid": g.uid,
        "code": g.code,
        "title": g.title,
        "title_en": g.title_en,
        "objectives": [
            {
                "uid": o.uid,
                "code": o.code,
                "title": o.title,
                "title_en": o.title_en,
                "actions": [_action(a) for a in o.actions.all()],
            }
            for o in g.objectives.all()
        ],
    }


@api.get("/plans", response=list[schemas.PlanSummaryOut], tags=["plans"])
def plans_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Plans with at least one published version."""
    return [_plan_summary(p, p.latest_version) for p in plans_public_with_latest()]  # type: ignore[attr-defined]


@api.get(
    "/plans/{plan_id}",
    response={200: schemas.PlanDetailOut, 404: schemas.ErrorOut},
    tags=["plans"],
)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """The whole tree of the latest published version of a plan."""
    found = plan_public_tree(plan_id)
    if found is None:
        raise HttpError(404, "Not found")
    plan, version, tree = found
    return {
        **_plan_summary(plan, version.number),
        "description": plan.description,
        "description_en": plan.description_en,
        "legal_instrument": plan.legal_instrument,
        "version": {
            "number": version.number,
            "published_at": version.published_at,
            "note": version.note,
        },
        "guidelines": [_guideline(g) for g in tree],
    }


@api.get("/catalogs/ungp", response=list[schemas.PrincipleOut], tags=["catalogs"])
def catalog_ungp(request: HttpRequest) -> list[Any]:
    """The 31 UN Guiding Principles with pillar and section."""
    return list(ungp_principles())


@api.get("/catalogs/sdg", response=list[schemas.SdgGoalOut], tags=["catalogs"])
def catalog_sdg(request: HttpRequest) -> list[dict[str, Any]]:
    """The 17 Sustainable Development Goals with their targets."""
    return [
        {
            "code": goal.code,
            "number": goal.number,
            "title_es": goal.title_es,
            "title_en": goal.title_en,
            "targets": list(goal.children.all()),
        }
        for goal in sdg_goals_with_targets()
    ]
