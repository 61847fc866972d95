"""Coordinators build plans here. Every view checks that the user coordinates the plan."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bhrplan.plans.selectors import plan_for_coordinator, version_tree, version_working


@require_GET
@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_coordinator(request.user, plan_id)
    if plan is None:
        raise Http404
    version = version_working(plan)
    tree = version_tree(version) if version else []
    return render(
        request, "plans/plan_detail.html", {"plan": plan, "version": version, "tree": tree}
    )
