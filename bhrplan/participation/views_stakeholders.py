"""Stakeholder registration and map, working groups, events, attendance and statistics.

Public views read only published plans, public events and approved organisations; the
coordinator views check that the user coordinates the plan (404 otherwise).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bhrplan.core import ratelimit
from bhrplan.lib import tabular
from bhrplan.participation import charts_stakeholders as charts
from bhrplan.participation import selectors_stakeholders as sel
from bhrplan.participation import services_stakeholders as svc
from bhrplan.participation.forms_stakeholders import (
    AttendanceForm,
    EventForm,
    RatingForm,
    RegistrationForm,
    ReviewForm,
    WorkingGroupForm,
    event_initial,
    working_group_initial,
)
from bhrplan.participation.models import Event
from bhrplan.plans.forms import add_service_error
from bhrplan.plans.models import Plan

NS = "stakeholders"


def _coordinated(request: HttpRequest, plan_id: int) -> Plan:
    plan = sel.plan_coordinated(request.user, plan_id)
    if plan is None:
        raise Http404
    return plan


def _public(plan_id: int) -> Plan:
    plan = sel.plan_public(plan_id)
    if plan is None:
        raise Http404
    return plan


# Public registration


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("homepage"):
            return redirect(f"{NS}:register_thanks")  # a bot: say thanks, store nothing
        data["sectors"] = list(data["sectors"])
        try:
            svc.organization_register(
                **data, address=ratelimit.client_address(request), actor=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(f"{NS}:register_thanks")
    return render(request, "participation/stakeholders/register.html", {"form": form})


@require_GET
def register_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/stakeholders/register_thanks.html")


# Coordinator review of registrations


@require_GET
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    pending = list(sel.organizations_pending_for(request.user))
    return render(
        request,
        "participation/stakeholders/review_queue.html",
        {"pending": pending, "form": ReviewForm()},
    )


@require_POST
@login_required
def review(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = sel.organization_for_review(request.user, organization_id)
    if organization is None:
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to approve or reject the registration."))
        return redirect(f"{NS}:review_queue")
    approve = form.cleaned_data["decision"] == "approve"
    svc.organization_review(
        organization=organization,
        approve=approve,
        reason=form.cleaned_data["reason"],
        actor=request.user,
    )
    text = _("%(name)s was approved.") if approve else _("%(name)s was rejected.")
    messages.success(request, text % {"name": organization.name})
    return redirect(f"{NS}:review_queue")


# Stakeholder map


def _map_context(plan: Plan, form: RatingForm) -> dict[str, object]:
    rows = sel.stakeholder_map(plan)
    return {
        "plan": plan,
        "rows": rows,
        "form": form,
        "grid": charts.influence_interest_grid(rows),
        "graph": charts.organization_graph(rows),
    }


@require_GET
@login_required
def stakeholder_map(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    form = RatingForm(plan=plan)
    return render(request, "participation/stakeholders/map.html", _map_context(plan, form))


@require_POST
@login_required
def rate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    form = RatingForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            svc.stakeholder_rate(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The rating was saved."))
            return redirect(f"{NS}:map", plan_id=plan.pk)
    context = _map_context(plan, form)
    return render(request, "participation/stakeholders/map.html", context, status=400)


@require_GET
@login_required
def map_export(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    header, body = sel.stakeholder_map_table(sel.stakeholder_map(plan))
    name = f"stakeholder-map-{slugify(plan.title)[:40] or plan.pk}"
    if fmt == "csv":
        response = HttpResponse(
            tabular.write_csv([header, *body]), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            tabular.write_xlsx([header, *body], sheet_title=_("Stakeholder map")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# Working groups


@require_GET
@login_required
def groups(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    context = {"plan": plan, "groups": list(sel.working_groups_for_plan(plan))}
    return render(request, "participation/stakeholders/groups_manage.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def group_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    form = WorkingGroupForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            svc.working_group_create(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The working group was created."))
            return redirect(f"{NS}:groups", plan_id=plan.pk)
    context = {"plan": plan, "form": form, "heading": _("New working group"), "cancel": "groups"}
    return render(request, "participation/stakeholders/form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def group_edit(request: HttpRequest, plan_id: int, group_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    group = sel.working_group_of_plan(plan, group_id)
    if group is None:
        raise Http404
    form = WorkingGroupForm(request.POST or None, plan=plan, initial=working_group_initial(group))
    if request.method == "POST" and form.is_valid():
        try:
            svc.working_group_update(group=group, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The working group was saved."))
            return redirect(f"{NS}:groups", plan_id=plan.pk)
    context = {"plan": plan, "form": form, "heading": _("Edit working group"), "cancel": "groups"}
    return render(request, "participation/stakeholders/form.html", context)


@require_POST
@login_required
def group_delete(request: HttpRequest, plan_id: int, group_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    group = sel.working_group_of_plan(plan, group_id)
    if group is None:
        raise Http404
    svc.working_group_delete(group=group, actor=request.user)
    messages.success(request, _("The working group was deleted."))
    return redirect(f"{NS}:groups", plan_id=plan.pk)


# Events


@require_GET
@login_required
def events(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    context = {
        "plan": plan,
        "events": _with_totals(sel.events_for_plan(plan, public=False), public=False),
    }
    return render(request, "participation/stakeholders/events_manage.html", context)


def _with_totals(events: QuerySet[Event], *, public: bool) -> list[Event]:
    rows = list(events)
    for event in rows:
        event.people = sel.attendance_total(list(event.counts.all()))  # type: ignore[attr-defined]
        event.people_display = sel.shown(event.people, public=public)  # type: ignore[attr-defined]
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def event_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    form = EventForm(request.POST or None, request.FILES or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            event = svc.event_create(
                plan=plan,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The event was created. Now record who took part."))
            return redirect(f"{NS}:attendance", plan_id=plan.pk, event_id=event.pk)
    context = {
        "plan": plan,
        "form": form,
        "heading": _("New event"),
        "multipart": True,
        "cancel": "events",
    }
    return render(request, "participation/stakeholders/form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def event_edit(request: HttpRequest, plan_id: int, event_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    event = sel.event_of_plan(plan, event_id)
    if event is None:
        raise Http404
    form = EventForm(
        request.POST or None, request.FILES or None, plan=plan, initial=event_initial(event)
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.event_update(
                event=event,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                remove_minutes=form.cleaned_data["remove_minutes"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The event was saved."))
            return redirect(f"{NS}:events", plan_id=plan.pk)
    context = {
        "plan": plan,
        "form": form,
        "heading": _("Edit event"),
        "multipart": True,
        "cancel": "events",
    }
    return render(request, "participation/stakeholders/form.html", context)


@require_POST
@login_required
def event_delete(request: HttpRequest, plan_id: int, event_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    event = sel.event_of_plan(plan, event_id)
    if event is None:
        raise Http404
    svc.event_delete(event=event, actor=request.user)
    messages.success(request, _("The event was deleted."))
    return redirect(f"{NS}:events", plan_id=plan.pk)


@require_http_methods(["GET", "POST"])
@login_required
def attendance(request: HttpRequest, plan_id: int, event_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    event = sel.event_of_plan(plan, event_id)
    if event is None:
        raise Http404
    form = AttendanceForm(request.POST or None, plan=plan, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            svc.event_attendance_set(
                event=event,
                organizations=list(form.cleaned_data["organizations"]),
                counts=form.counts(),
                actor=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The attendance was saved."))
            return redirect(f"{NS}:events", plan_id=plan.pk)
    context = {"plan": plan, "event": event, "form": form}
    return render(request, "participation/stakeholders/attendance.html", context)


@require_GET
def minutes(request: HttpRequest, plan_id: int, event_id: int) -> HttpResponseBase:
    """Minutes of a public event of a published plan; coordinators get any event's."""
    plan = sel.plan_coordinated(request.user, plan_id)
    event = sel.event_of_plan(plan, event_id) if plan else None
    if event is None:
        event = sel.event_public(_public(plan_id), event_id)
    if event is None or not event.minutes:
        raise Http404
    try:
        handle = event.minutes.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    extension = event.minutes.name.rsplit(".", 1)[-1].lower()
    filename = f"{slugify(event.title)[:60] or 'minutes'}.{extension}"
    return FileResponse(handle, as_attachment=True, filename=filename)


# Statistics and public pages


def _statistics_context(plan: Plan, request: HttpRequest, *, public: bool) -> dict[str, object]:
    stats = sel.participation_statistics(
        plan, public=public, period=request.GET.get("period", "month")
    )
    titles = {
        "by_kind": _("Attendance by kind of event"),
        "by_group": _("Attendance by stakeholder group"),
        "by_gender": _("Attendance by gender"),
        "by_region": _("Attendance by region"),
        "over_time": _("Attendance over time"),
    }
    sections = [
        {
            "key": key,
            "title": title,
            "rows": getattr(stats, key),
            "svg": charts.bar_chart(getattr(stats, key), title=title, uid=f"chart-{key}"),
        }
        for key, title in titles.items()
    ]
    return {"plan": plan, "stats": stats, "sections": sections, "public": public}


@require_GET
@login_required
def statistics(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated(request, plan_id)
    context = _statistics_context(plan, request, public=False)
    return render(request, "participation/stakeholders/statistics.html", context)


@require_GET
def public_statistics(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _public(plan_id)
    context = _statistics_context(plan, request, public=True)
    return render(request, "participation/stakeholders/statistics.html", context)


@require_GET
def public_events(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _public(plan_id)
    context = {
        "plan": plan,
        "events": _with_totals(sel.events_for_plan(plan, public=True), public=True),
    }
    return render(request, "participation/stakeholders/public_events.html", context)


@require_GET
def public_groups(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _public(plan_id)
    context = {"plan": plan, "groups": list(sel.working_groups_for_plan(plan))}
    return render(request, "participation/stakeholders/public_groups.html", context)
