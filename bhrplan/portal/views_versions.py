"""The public history of a plan: its published versions and what changed between them.

No sign-in; drafts are never shown. The compare form is a plain GET form.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bhrplan.plans.forms import CompareForm
from bhrplan.plans.selectors import plan_published, versions_published
from bhrplan.plans.views_versions import compare


@require_GET
def version_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_published(plan_id)
    if plan is None:
        raise Http404
    versions = list(versions_published(plan))
    form = CompareForm(versions=versions)
    return render(
        request, "portal/versions.html", {"plan": plan, "versions": versions, "form": form}
    )


@require_GET
def version_compare(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_published(plan_id)
    if plan is None:
        raise Http404
    versions = list(versions_published(plan))
    form, diff = compare(request.GET, versions)
    context = {"plan": plan, "versions": versions, "form": form, "diff": diff}
    return render(
        request, "portal/version_compare.html", context, status=400 if form.errors else 200
    )
