"""The public site: published data only, no sign-in, works without JavaScript.

Every page reads through `bhrplan.portal.selectors`, which only ever returns published
versions; `?version=N` picks an older published version, anything else is a 404.
"""

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bhrplan.plans import exporter
from bhrplan.plans.models import Plan, PlanVersion
from bhrplan.plans.selectors import version_counts
from bhrplan.portal import selectors
from bhrplan.portal.forms import PlanFilterForm, SearchForm

DOWNLOAD_FORMATS = ("xlsx", "csv", "json")


def _version_query(request: HttpRequest, version: PlanVersion) -> str:
    """`?version=N` when an older version was asked for, so links stay on it."""
    return f"?version={version.number}" if request.GET.get("version") else ""


def _published_plan_and_version(request: HttpRequest, plan_id: int) -> tuple[Plan, PlanVersion]:
    """The published plan and the version asked for (`?version=N`, default the latest)."""
    plan = selectors.published_plan_get(plan_id)
    if plan is None:
        raise Http404
    version = selectors.published_version_get(plan, request.GET.get("version"))
    if version is None:
        raise Http404
    return plan, version


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"groups": selectors.territories_grouped(), "networks": selectors.networks_public()},
    )


@require_GET
def territory(request: HttpRequest, code: str) -> HttpResponse:
    place = selectors.territory_public_get(code)
    if place is None:
        raise Http404
    plans = list(selectors.territory_plans_public(place))
    children = [
        child
        for child in selectors.territory_children_public(place)
        if child.published_plans  # type: ignore[attr-defined]
    ]
    if not plans and not children:
        raise Http404
    return render(
        request,
        "portal/territory.html",
        {"territory": place, "plans": plans, "children": children},
    )


@require_GET
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, version = _published_plan_and_version(request, plan_id)
    form = PlanFilterForm(request.GET, choices=selectors.filter_choices(version))
    filters = form.active_filters()
    actions = selectors.actions_filtered(version, filters) if filters else None
    tree = selectors.plan_tree_public(version, actions)
    return render(
        request,
        "portal/plan.html",
        {
            "plan": plan,
            "version": version,
            "versions": list(selectors.published_versions(plan)),
            "form": form,
            "filters": filters,
            "tree": tree,
            "matching": selectors.tree_action_count(tree),
            "counts": version_counts(version),
            "formats": DOWNLOAD_FORMATS,
            "version_query": _version_query(request, version),
            "plan_url": reverse("portal:plan", args=[plan.pk]),  # action links: + actions/<uid>/
        },
    )


@require_GET
def action(request: HttpRequest, plan_id: int, uid: UUID) -> HttpResponse:
    plan, version = _published_plan_and_version(request, plan_id)
    found = selectors.version_action_get(version, uid)
    if found is None:
        raise Http404
    return render(
        request,
        "portal/action.html",
        {
            "plan": plan,
            "version": version,
            "action": found,
            "version_query": _version_query(request, version),
        },
    )


@require_GET
def coverage(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, version = _published_plan_and_version(request, plan_id)
    pillars = selectors.principle_coverage(version)
    return render(
        request,
        "portal/coverage.html",
        {
            "plan": plan,
            "version": version,
            "pillars": pillars,
            "covered": sum(p.covered for p in pillars),
            "principles": sum(len(p.principles) for p in pillars),
            "max_actions": selectors.coverage_max(pillars),
            "formats": DOWNLOAD_FORMATS,
            "version_query": _version_query(request, version),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
    groups = selectors.search_published(query) if query else []
    return render(
        request,
        "portal/search.html",
        {
            "form": form,
            "query": query,
            "groups": groups,
            "total": sum(len(g.hits) for g in groups),
        },
    )


@require_GET
def plan_download(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    """Open data: the shown published version as XLSX, CSV or JSON."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    plan, version = _published_plan_and_version(request, plan_id)

    response = HttpResponse(
        exporter.export_version(version, fmt), content_type=exporter.content_type_for(fmt)
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exporter.filename_for(plan, version, fmt)}"'
    )
    return response
