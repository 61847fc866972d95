"""Monitoring pages: reporting periods, focal points' task lists and reports, evidence,
review, history and independent assessments. Each view finds its object through a
permission-checking selector (404 for anyone not allowed), validates a form, calls one
service and redirects."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bhrplan.accounts.models import Role
from bhrplan.monitoring import breakdowns, selectors, services
from bhrplan.monitoring.forms import (
    AssessmentForm,
    EvidenceForm,
    PeriodForm,
    PeriodGenerateForm,
    ReportForm,
    ReviewForm,
)
from bhrplan.monitoring.models import ProgressReport

COORDINATOR: list[str] = [Role.Kind.COORDINATOR]
FOCAL_POINT: list[str] = [Role.Kind.FOCAL_POINT]


def _show(form: BaseForm, error: ValidationError) -> None:
    """A service's ValidationError as form errors (per field when the form has it)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _found(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_with_links(request.user)
    return render(request, "monitoring/home.html", {"plans": plans})


# Periods (coordinators)


@require_GET
@login_required
def period_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _found(selectors.plan_for_role(request.user, plan_id, COORDINATOR))
    periods = selectors.periods_with_report_counts(plan)
    form = PeriodGenerateForm()
    return render(
        request, "monitoring/period_list.html", {"plan": plan, "periods": periods, "form": form}
    )


@require_POST
@login_required
def period_generate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _found(selectors.plan_for_role(request.user, plan_id, COORDINATOR))
    form = PeriodGenerateForm(request.POST)
    if form.is_valid():
        try:
            periods = services.periods_generate(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _show(form, e)
        else:
            done = ngettext(
                "%(n)s reporting period created.", "%(n)s reporting periods created.", len(periods)
            )
            messages.success(request, done % {"n": len(periods)})
            return redirect("monitoring:period_list", plan.pk)
    periods = selectors.periods_with_report_counts(plan)
    context = {"plan": plan, "periods": periods, "form": form}
    return render(request, "monitoring/period_list.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def period_edit(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _found(selectors.period_for_role(request.user, period_id, COORDINATOR))
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_update(period=period, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _show(form, e)
        else:
            messages.success(request, _("The period was saved."))
            return redirect("monitoring:period_list", period.plan_id)
    status = 400 if form.errors else 200
    context = {"period": period, "plan": period.plan, "form": form}
    return render(request, "monitoring/period_form.html", context, status=status)


@require_POST
@login_required
def period_delete(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _found(selectors.period_for_role(request.user, period_id, COORDINATOR))
    try:
        services.period_delete(period=period, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The period was deleted."))
    return redirect("monitoring:period_list", period.plan_id)


# Focal points


@require_GET
@login_required
def task_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _found(selectors.plan_for_role(request.user, plan_id, FOCAL_POINT))
    organizations = selectors.focal_organizations(request.user, plan)
    if not organizations:
        raise Http404
    tasks = selectors.tasks_for(request.user, plan)
    context = {"plan": plan, "tasks": tasks, "organizations": organizations}
    return render(request, "monitoring/task_list.html", context)


def _report_target(user: Any, period_id: int, action_uid: UUID, org_id: int) -> tuple[Any, ...]:
    """(period, action, organisation) when the user is a focal point of the organisation and
    it leads or co-leads the action; else 404."""
    period = _found(selectors.period_get(period_id))
    orgs = [o for o in selectors.focal_organizations(user, period.plan) if o.pk == org_id]
    organization = _found(orgs[0] if orgs else None)
    action = _found(selectors.action_for_organization(period.plan, action_uid, organization))
    return period, action, organization


@require_http_methods(["GET", "POST"])
@login_required
def report_edit(
    request: HttpRequest, period_id: int, action_uid: UUID, org_id: int
) -> HttpResponse:
    period, action, org = _report_target(request.user, period_id, action_uid, org_id)
    report = selectors.report_find(period, action_uid, org)
    form = ReportForm(request.POST or None, action=action, plan=period.plan, report=report)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("status", "narrative")}
        submit = "submit" in request.POST
        try:
            report = services.report_save(
                period=period, action=action, organization=org, actor=request.user,
                values=form.values, submit=submit, **data,
            )  # fmt: skip
        except ValidationError as e:
            _show(form, e)
        else:
            done = _("The report was submitted.") if submit else _("Draft saved.")
            messages.success(request, done)
            return redirect("monitoring:report_detail", report.pk)
    context = {"period": period, "action": action, "organization": org, "report": report}
    context |= {"form": form, "plan": period.plan}
    status = 400 if form.errors else 200
    return render(request, "monitoring/report_form.html", context, status=status)


@require_POST
@login_required
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _found(selectors.report_for_focal_point(request.user, report_id))
    try:
        services.report_submit(report=report, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The report was submitted."))
    return redirect("monitoring:report_detail", report.pk)


@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _found(selectors.report_for_viewer(request.user, report_id))
    can_edit = selectors.can_edit_report(request.user, report)
    can_review = selectors.can_review(request.user, report.plan)
    internal = can_edit or can_review
    values = list(selectors.report_values(report))
    breakdowns.labelled(values, report.plan)
    context = {
        "report": report,
        "plan": report.plan,
        "values": values,
        "can_assess": bool(selectors.assessment_sources(request.user, report.plan)),
        "evidence": selectors.report_evidence(report, internal=internal),
        "assessments": selectors.assessments_for(report.period, report.action_uid),
        "can_edit": can_edit,
        "can_review": can_review and report.state == ProgressReport.State.SUBMITTED,
        "internal": internal,
        "evidence_form": EvidenceForm() if can_edit else None,
        "review_form": ReviewForm() if can_review else None,
        "max_mb": round(services.evidence_max_bytes() / (1024 * 1024), 1),
    }
    return render(request, "monitoring/report_detail.html", context)


@require_GET
@login_required
def report_history(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _found(selectors.report_for_internal(request.user, report_id))
    revisions = selectors.report_revisions(report)
    context = {"report": report, "plan": report.plan, "revisions": revisions}
    return render(request, "monitoring/report_history.html", context)


# Review (coordinators and committee)


@require_GET
@login_required
def review_queue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _found(selectors.plan_for_role(request.user, plan_id, selectors.REVIEWER_KINDS))
    reports = selectors.review_queue(plan)
    return render(request, "monitoring/review_queue.html", {"plan": plan, "reports": reports})


@require_POST
@login_required
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _found(selectors.report_for_reviewer(request.user, report_id))
    form = ReviewForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "validate":
                services.report_validate(report=report, actor=request.user, comment=comment)
            else:
                services.report_return(report=report, actor=request.user, comment=comment)
        except ValidationError as e:
            _show(form, e)
        else:
            messages.success(request, _("Your review was saved."))
            return redirect("monitoring:review_queue", report.plan_id)
    for error in form.errors.values():
        messages.error(request, " ".join(str(m) for m in error))
    return redirect("monitoring:report_detail", report.pk)


# Evidence


@require_POST
@login_required
def evidence_upload(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _found(selectors.report_for_focal_point(request.user, report_id))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                report=report, upload=form.cleaned_data["file"], actor=request.user,
                visibility=form.cleaned_data["visibility"],
                description=form.cleaned_data["description"],
            )  # fmt: skip
        except ValidationError as e:
            _show(form, e)
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(m) for m in errors))
    else:
        messages.success(request, _("The file was added."))
    return redirect("monitoring:report_detail", report.pk)


@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = _found(selectors.evidence_for_viewer(request.user, evidence_id))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as e:
        raise Http404 from e
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_POST
@login_required
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = _found(selectors.evidence_for_focal_point(request.user, evidence_id))
    try:
        services.evidence_delete(evidence=evidence, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("monitoring:report_detail", evidence.report_id)


# Independent assessments


@require_http_methods(["GET", "POST"])
@login_required
def assessment_edit(request: HttpRequest, period_id: int, action_uid: UUID) -> HttpResponse:
    period = _found(selectors.period_get(period_id))
    sources = selectors.assessment_sources(request.user, period.plan)
    action = _found(selectors.action_by_uid(period.plan, action_uid) if sources else None)
    form = AssessmentForm(
        request.POST or None, sources=sources, initial=_own_assessment(period, action, sources)
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["source"]
        source = "committee" if key == "committee" else "stakeholder"
        try:
            services.assessment_save(
                period=period, action=action, source=source, actor=request.user,
                organization=form.sources[key], rating=form.cleaned_data["rating"],
                narrative=form.cleaned_data["narrative"],
            )  # fmt: skip
        except ValidationError as e:
            _show(form, e)
        else:
            messages.success(request, _("Your assessment was saved."))
            return redirect("monitoring:assessment_edit", period.pk, action.uid)
    assessments = selectors.assessments_for(period, action.uid)
    context = {"period": period, "plan": period.plan, "action": action, "form": form}
    context["assessments"] = assessments
    status = 400 if form.errors else 200
    return render(request, "monitoring/assessment_form.html", context, status=status)


def _own_assessment(period: Any, action: Any, sources: list[Any]) -> dict[str, Any]:
    """Initial values: the user's existing assessment on behalf of the first source."""
    key, _label, org = sources[0]
    source = "committee" if key == "committee" else "stakeholder"
    existing = selectors.assessment_find(period, action.uid, source, org)
    if existing is None:
        return {"source": key}
    return {"source": key, "rating": existing.rating, "narrative": existing.narrative}
