"""The public progress dashboard: published plans and validated reports only, no sign-in,
no JavaScript. Figures come from `progress` (fixed number of queries, cached per plan)."""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from bhrplan.monitoring import charts, opendata, progress
from bhrplan.monitoring.figures import NO_REPORT, STATUS_ORDER
from bhrplan.monitoring.templatetags.progress_tags import status_label
from bhrplan.plans.models import Plan

# Whole pages are also kept a few seconds (micro-caching; `Vary: Cookie` keeps signed-in
# visitors apart), as long as the fingerprints: a validation shows within ~20 seconds.
page_cache = cache_page(10 if getattr(settings, "PROGRESS_CACHE_SECONDS", 3600) else 0)


@require_GET
@page_cache
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = progress.plan_public(plan_id)
    key = progress.plans_key([plan]) if plan else None
    if plan is None or key is None:
        raise Http404
    body = cache.get(f"progress-page:{plan.pk}:{key}") if progress.cache_seconds() else None
    if body is None:
        body = _plan_body(request, plan)
        if progress.cache_seconds():
            cache.set(f"progress-page:{plan.pk}:{key}", body, progress.cache_seconds())
    return render(request, "monitoring/progress/plan.html", {"plan": plan, "body": body})


def _plan_body(request: HttpRequest, plan: Plan) -> str:
    """The dashboard's content, the same for every visitor (cached under the plan's
    data fingerprint, which includes the language and the day)."""
    data = progress.progress_for_plan(plan)
    if data is None:
        raise Http404
    figs = data.figures
    labels = {s: status_label(s) for s in [*STATUS_ORDER, NO_REPORT]}
    context = {
        "plan": plan,
        "data": data,
        "figs": figs,
        "sections": charts.plan_sections(figs),
        "status_section": charts.status_section(figs, labels),
        "on_time_section": charts.on_time_section(figs),
        "actions": list(zip(figs.actions, data.action_rows, strict=True)),
        "datasets": list(opendata.DATASET_LABELS.items()),
        "formats": list(opendata.FORMATS),
    }
    return mark_safe(render_to_string("monitoring/progress/_plan_body.html", context, request))


@require_GET
@page_cache
def indicator(request: HttpRequest, plan_id: int, indicator_uid: str) -> HttpResponse:
    plan = progress.plan_public(plan_id)
    series = progress.indicator_series(plan, str(indicator_uid)) if plan else None
    if plan is None or series is None:
        raise Http404
    chart = charts.indicator_section(series)
    context = {"plan": plan, "series": series, "chart": chart}
    return render(request, "monitoring/progress/indicator.html", context)


@require_GET
@page_cache
def territory(request: HttpRequest, code: str) -> HttpResponse:
    place = progress.territory_public(code)
    if place is None:
        raise Http404
    body = _compare_body(request, progress.plans_of_territory(place), f"territory-{place.pk}")
    context = {"heading": place.display_name, "territory": place, "body": body}
    return render(request, "monitoring/progress/compare.html", context)


@require_GET
@page_cache
def network(request: HttpRequest, network_id: int) -> HttpResponse:
    group = progress.network_public(network_id)
    if group is None:
        raise Http404
    body = _compare_body(request, progress.plans_of_network(group), f"network-{group.pk}")
    context = {"heading": str(group), "network": group, "body": body}
    return render(request, "monitoring/progress/compare.html", context)


def _compare_body(request: HttpRequest, plans: list[Plan], scope: str) -> str:
    """Plans side by side (cached under the plans' fingerprints)."""
    key = f"progress-compare:{scope}:{progress.plans_key(plans)}"
    body = cache.get(key) if progress.cache_seconds() else None
    if body is None:
        found = progress.headlines_for_plans(plans)
        rows = [(p, found[p.pk]) for p in plans if p.pk in found]
        context = {"rows": rows, "chart": charts.compare_section(rows)}
        body = mark_safe(
            render_to_string("monitoring/progress/_compare_body.html", context, request)
        )
        if progress.cache_seconds():
            cache.set(key, body, progress.cache_seconds())
    return body


@require_GET
def download(request: HttpRequest, plan_id: int, dataset: str, fmt: str) -> HttpResponse:
    plan = progress.plan_public(plan_id)
    version = progress.latest_versions([plan]).get(plan.pk) if plan else None
    if plan is None or version is None or dataset not in opendata.DATASETS:
        raise Http404
    if fmt not in opendata.FORMATS:
        raise Http404
    body = opendata.export(plan, version, dataset, fmt)
    response = HttpResponse(body, content_type=opendata.FORMATS[fmt])
    filename = f"plan-{plan.pk}-{dataset}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
