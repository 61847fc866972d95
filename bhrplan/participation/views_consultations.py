"""Public consultations, the suggestion form, receipts and the consideration report;
and the coordinators' pages to open, moderate and answer.

Public forms work without JavaScript and without an account. Coordinator pages 404 for
anyone who does not coordinate the plan.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bhrplan.accounts.selectors import plans_coordinated_by
from bhrplan.core import ratelimit
from bhrplan.participation import exports_consultations as exports
from bhrplan.participation import selectors_consultations as sel
from bhrplan.participation import services_consultations as svc
from bhrplan.participation.forms_consultations import (
    ConsultationForm,
    ContributionForm,
    ModerationForm,
    ReceiptLookupForm,
    ReportFilterForm,
    ResponseForm,
    SuggestionForm,
    new_form_token,
)
from bhrplan.participation.models import Consultation, Response
from bhrplan.plans.models import Plan, PlanVersion

T = "participation/consultations/"
PAGE_SIZE = 50


def _allowed(request: HttpRequest, scope: str) -> bool:
    limit, window = {
        "contribution": (
            getattr(settings, "CONTRIBUTION_RATE_LIMIT", 20),
            getattr(settings, "CONTRIBUTION_RATE_WINDOW", 3600),
        ),
        "receipt": (
            getattr(settings, "RECEIPT_LOOKUP_RATE_LIMIT", 30),
            getattr(settings, "RECEIPT_LOOKUP_RATE_WINDOW", 600),
        ),
    }[scope]
    return ratelimit.hit(
        scope=scope, address=ratelimit.client_address(request), limit=limit, window_seconds=window
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, T + "too_many.html", status=429)


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _page(request: HttpRequest, qs: Any) -> Page:
    """One page of a list: ids first (a narrow, index-friendly query), then the full rows.

    The rows are a plain list so they can be annotated for the template.
    """
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = qs.model._default_manager.none() if not ids else qs.filter(pk__in=ids)
    by_id = {row.pk: row for row in rows.order_by()}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page


def _public(consultation_id: int) -> Consultation:
    consultation = sel.consultation_public_get(consultation_id)
    if consultation is None:
        raise Http404
    return consultation


def _coordinated(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = sel.consultation_for_coordinator(request.user, consultation_id)
    if consultation is None:
        raise Http404
    return consultation


def _coordinated_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = plans_coordinated_by(request.user).select_related("territory").filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


# Public pages


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    consultations = list(sel.consultations_public())
    for c in consultations:
        c.state = sel.consultation_state(c)  # type: ignore[attr-defined]
    return render(request, T + "index.html", {"consultations": consultations})


@require_GET
def detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _public(consultation_id)
    context = {
        "consultation": consultation,
        "state": sel.consultation_state(consultation),
        "elements": sel.version_elements(consultation.version),
    }
    return render(request, T + "detail.html", context)


@require_http_methods(["GET", "POST"])
def comment(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _public(consultation_id)
    state = sel.consultation_state(consultation)
    if state != "open":
        status = 400 if request.method == "POST" else 200
        context = {"consultation": consultation, "state": state}
        return render(request, T + "comment.html", context, status=status)
    if request.method == "POST" and not _allowed(request, "contribution"):
        return _too_many(request)
    organization = sel.stakeholder_organization(request.user, consultation.plan)
    form = ContributionForm(
        request.POST or None,
        version=consultation.version,
        plan=consultation.plan,
        organization=organization,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contribution, _created = svc.contribution_submit(
                consultation=consultation,
                text=form.cleaned_data["text"],
                element=form.cleaned_data["element"],
                actor=request.user,
                **form.contributor_data(),
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            return render(request, T + "receipt.html", {"contribution": contribution, "new": True})
    if not form.is_bound:
        form.initial = {"element": request.GET.get("element", "plan"), "token": new_form_token()}
    context = {"consultation": consultation, "state": state, "form": form, "org": organization}
    return render(request, T + "comment.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def suggest(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = sel.plans_with_published_version().filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    if request.method == "POST" and not _allowed(request, "contribution"):
        return _too_many(request)
    organization = sel.stakeholder_organization(request.user, plan)
    form = SuggestionForm(request.POST or None, plan=plan, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            contribution, _created = svc.suggestion_submit(
                plan=plan,
                theme=form.cleaned_data["theme"],
                text=form.cleaned_data["text"],
                actor=request.user,
                **form.contributor_data(),
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            return render(request, T + "receipt.html", {"contribution": contribution, "new": True})
    if not form.is_bound:
        form.initial = {"token": new_form_token()}
    context = {"plan": plan, "form": form, "org": organization}
    return render(request, T + "suggest.html", context, status=400 if form.is_bound else 200)


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    form = ReceiptLookupForm(request.GET or None)
    contribution = None
    if form.is_valid():
        if not _allowed(request, "receipt"):
            return _too_many(request)
        contribution = sel.contribution_by_receipt(form.cleaned_data["code"])
    if contribution is not None and contribution.consultation is not None:
        _annotate([contribution], sel.element_labels(contribution.consultation.version))
    context = {"form": form, "contribution": contribution, "searched": form.is_valid()}
    return render(request, T + "receipt.html", context)


@require_GET
def report(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _public(consultation_id)
    elements = sel.version_elements(consultation.version)
    filters = ReportFilterForm(request.GET or None, elements=elements)
    qs = sel.contributions_public(consultation)
    if filters.is_valid():
        qs = sel.contributions_filtered(qs, **filters.cleaned_data)
    page = _page(request, qs.order_by("created_at", "id"))
    _annotate(page.object_list, {str(e.uid): e.label for e in elements})
    context = {
        "consultation": consultation,
        "filters": filters,
        "page": page,
        "counts": sel.consideration_counts(consultation),
        "count_titles": exports.count_titles(),
    }
    return render(request, T + "report.html", context)


def _annotate(contributions: Any, labels: dict[str, str]) -> None:
    """Set `about` and `changed` (element labels) on each contribution for the template."""
    changed_labels: dict[str, str] = {}
    versions = {c.response.changed_version_id for c in contributions if c.response}
    for version in PlanVersion.objects.filter(pk__in=[v for v in versions if v]):
        changed_labels.update(sel.element_labels(version))
    for c in contributions:
        c.about = labels.get(str(c.target_uid), "")  # type: ignore[attr-defined]
        c.group_label = exports.group_label(c.stakeholder_group)  # type: ignore[attr-defined]
        uid = c.response.changed_element_uid if c.response else None
        c.changed = changed_labels.get(str(uid), "") if uid else ""  # type: ignore[attr-defined]


@require_GET
def report_download(request: HttpRequest, consultation_id: int, fmt: str) -> HttpResponse:
    consultation = _public(consultation_id)
    name = f"consideration-report-{consultation.pk}"
    makers = {
        "csv": (exports.report_csv, "text/csv; charset=utf-8"),
        "xlsx": (
            exports.report_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "pdf": (exports.report_pdf, "application/pdf"),
    }
    make, content_type = makers[fmt]
    response = HttpResponse(make(consultation), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# Coordinator pages


@require_GET
@login_required
def manage_index(request: HttpRequest) -> HttpResponse:
    plans = list(plans_coordinated_by(request.user).select_related("territory"))
    consultations = list(sel.consultations_for_coordinator(request.user))
    for c in consultations:
        c.state = sel.consultation_state(c)  # type: ignore[attr-defined]
    context = {"plans": plans, "consultations": consultations}
    return render(request, T + "manage_index.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def consultation_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated_plan(request, plan_id)
    form = ConsultationForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = svc.consultation_create(
                plan=plan, actor=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("The consultation was saved."))
            return redirect("consultations:moderate", consultation_id=consultation.pk)
    context = {"plan": plan, "form": form, "heading": _("Open a consultation")}
    return render(request, T + "consultation_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def consultation_edit(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _coordinated(request, consultation_id)
    initial = {f: getattr(consultation, f) for f in svc.CONSULTATION_FIELDS}
    form = ConsultationForm(
        request.POST or None, initial=initial, plan=consultation.plan, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.consultation_update(
                consultation=consultation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("The consultation was saved."))
            return redirect("consultations:moderate", consultation_id=consultation.pk)
    context = {"plan": consultation.plan, "form": form, "heading": _("Edit the consultation")}
    return render(request, T + "consultation_form.html", context)


@require_POST
@login_required
def consultation_close(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _coordinated(request, consultation_id)
    try:
        svc.consultation_close(consultation=consultation, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The consultation is closed."))
    return redirect("consultations:moderate", consultation_id=consultation.pk)


@require_GET
@login_required
def moderate(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _coordinated(request, consultation_id)
    qs = sel.contributions_for_moderation(consultation).order_by("created_at", "id")
    page = _page(request, qs)
    _annotate(page.object_list, sel.element_labels(consultation.version))
    context = {
        "consultation": consultation,
        "state": sel.consultation_state(consultation),
        "page": page,
        "response_form": ResponseForm(plan=consultation.plan, after=consultation.version),
        "respond_url": "consultations:respond",
        "counts": sel.consideration_counts(consultation),
        "count_titles": exports.count_titles(),
    }
    return render(request, T + "moderate.html", context)


@require_POST
@login_required
def contribution_moderate(request: HttpRequest, contribution_id: int) -> HttpResponse:
    contribution = sel.contribution_for_coordinator(request.user, contribution_id)
    if contribution is None:
        raise Http404
    form = ModerationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose publish or hide."))
        svc.contribution_moderate(
            contribution=contribution, actor=request.user, **form.cleaned_data
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Contribution %(code)s updated.") % {"code": contribution})
    if contribution.consultation_id:
        return redirect("consultations:moderate", consultation_id=contribution.consultation_id)
    return redirect("consultations:suggestions", plan_id=contribution.plan_id)


def _respond(
    request: HttpRequest, plan: Plan, after: PlanVersion | None, back: HttpResponse
) -> HttpResponse:
    form = ResponseForm(request.POST, plan=plan, after=after)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        ids = form.cleaned_data["contributions"]
        contributions = list(sel.contributions_of_plan(plan, ids))
        if len(contributions) != len(ids):
            raise ValidationError(_("Some of the selected contributions are not in this list."))
        changed_version, changed_uid = form.change()
        svc.response_create(
            plan=plan,
            contributions=contributions,
            outcome=form.cleaned_data["outcome"],
            rationale=form.cleaned_data["rationale"],
            rationale_en=form.cleaned_data["rationale_en"],
            changed_version=changed_version,
            changed_element_uid=changed_uid,
            actor=request.user,
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        text = ngettext(
            "Answer saved for %(n)s contribution.",
            "Answer saved for %(n)s contributions.",
            len(ids),
        )
        messages.success(request, text % {"n": len(ids)})
    return back


@require_POST
@login_required
def respond(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _coordinated(request, consultation_id)
    back = redirect("consultations:moderate", consultation_id=consultation.pk)
    return _respond(request, consultation.plan, consultation.version, back)


@require_POST
@login_required
def suggestions_respond(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated_plan(request, plan_id)
    return _respond(request, plan, None, redirect("consultations:suggestions", plan_id=plan.pk))


@require_GET
@login_required
def suggestions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _coordinated_plan(request, plan_id)
    theme = request.GET.get("theme", "")
    qs = sel.suggestions_for_coordinator(request.user, plan, theme)
    page = _page(request, qs)
    _annotate(page.object_list, {})
    context: dict[str, Any] = {
        "plan": plan,
        "page": page,
        "theme": theme,
        "themes": sel.themes(),
        "response_form": ResponseForm(plan=plan, after=None),
        "outcomes": Response.Outcome,
    }
    return render(request, T + "suggestions.html", context)
