"""Coordinators' view of a plan's versions, the draft included, and their differences."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bhrplan.plans.diff import VersionDiff, version_diff
from bhrplan.plans.forms import CompareForm
from bhrplan.plans.models import PlanVersion
from bhrplan.plans.selectors import versions_of
from bhrplan.plans.views import coordinated_plan


def compare(
    query: QueryDict, versions: list[PlanVersion]
) -> tuple[CompareForm, VersionDiff | None]:
    """The compare form and, when it is valid, the differences.

    With no choice yet, the two newest versions are compared. Bad values give form errors.
    """
    data: Any = query
    if "a" not in query and "b" not in query and len(versions) >= 2:
        data = {"a": str(versions[1].number), "b": str(versions[0].number)}
    form = CompareForm(data if ("a" in data or "b" in data) else None, versions=versions)
    if not form.is_bound or not form.is_valid():
        return form, None
    old, new = form.pair()
    return form, version_diff(old, new)


@require_GET
@login_required
def version_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    versions = list(versions_of(plan))
    form = CompareForm(versions=versions)
    context = {"plan": plan, "versions": versions, "form": form}
    return render(request, "plans/version_list.html", context)


@require_GET
@login_required
def version_compare(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    versions = list(versions_of(plan))
    form, diff = compare(request.GET, versions)
    status = 400 if form.errors else 200
    context = {"plan": plan, "versions": versions, "form": form, "diff": diff}
    return render(request, "plans/version_compare.html", context, status=status)
