"""Coordinators build plans here. Every view checks that the user coordinates the plan.

Elements are addressed by their `uid`, which is the same in every version. A page shows
the working version (the draft, else the latest published one); a POST that changes an
element starts the draft first when there is none (services.node_*_in_draft), so a GET
never creates anything.
"""

import copy
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bhrplan.accounts.selectors import plans_coordinated_by, territories_coordinated_by
from bhrplan.plans import services
from bhrplan.plans.forms import (
    NODE_FORMS,
    MoveForm,
    PlanCreateForm,
    PlanForm,
    PublishForm,
    add_service_error,
)
from bhrplan.plans.models import Plan, PlanVersion
from bhrplan.plans.selectors import (
    plan_for_coordinator,
    plans_coordinated_overview,
    version_draft,
    version_node,
    version_nodes,
    version_tree,
    version_working,
)

PARENT_KIND = services.PARENT_KIND


def coordinated_plan(request: HttpRequest, plan_id: int) -> Plan:
    """The plan if the user coordinates it; 404 for everyone else."""
    plan = plan_for_coordinator(request.user, plan_id)
    if plan is None:
        raise Http404
    return plan


def working_node(plan: Plan, kind: str, uid: UUID) -> tuple[PlanVersion, Any]:
    """The element with `uid` in the plan's working version; 404 if it is not there."""
    version = version_working(plan)
    node = version_node(version, kind, uid)
    if version is None or node is None:
        raise Http404
    return version, node


def require_coordinator(request: HttpRequest) -> None:
    """Pages that are not about one plan are for people who coordinate something."""
    if not (
        territories_coordinated_by(request.user).exists()
        or plans_coordinated_by(request.user).exists()
    ):
        raise Http404


def editor_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("plans:plan_detail", args=[plan.pk])
    return f"{url}#{anchor}" if anchor else url


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else default


# Plans ---------------------------------------------------------------------------------


@require_GET
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require_coordinator(request)
    plans = plans_coordinated_overview(request.user)
    can_create = territories_coordinated_by(request.user).exists()
    return render(request, "plans/plan_list.html", {"plans": plans, "can_create": can_create})


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    territories = territories_coordinated_by(request.user).order_by("code")
    if not territories.exists():
        raise Http404
    form = PlanCreateForm(request.POST or None, territories=territories)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The plan was created. Now add its guidelines."))
            return redirect(editor_url(plan))
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    # The form works on a copy: validation sets the new values on its instance.
    form = PlanForm(request.POST or None, instance=copy.copy(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The plan's details were saved."))
            return redirect(editor_url(plan))
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
@login_required
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    error = None
    if request.method == "POST":
        try:
            services.plan_delete(plan=plan, actor=request.user)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, _("The plan was deleted."))
            return redirect("plans:plan_list")
    status = 400 if error else 200
    return render(request, "plans/plan_delete.html", {"plan": plan, "error": error}, status=status)


# The editor ---------------------------------------------------------------------------


@require_GET
@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    version = version_working(plan)
    tree = version_tree(version) if version else []
    counts = {"guidelines": len(tree), "objectives": 0, "actions": 0, "indicators": 0}
    for guideline in tree:
        for objective in guideline.objectives.all():
            counts["objectives"] += 1
            for action in objective.actions.all():
                counts["actions"] += 1
                counts["indicators"] += len(action.indicators.all())
    context = {"plan": plan, "version": version, "tree": tree, "counts": counts}
    return render(request, "plans/plan_detail.html", context)


@require_POST
@login_required
def draft_start(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    draft = services.draft_for_edit(plan=plan, actor=request.user)
    messages.success(request, _("Version %(number)s is now a draft.") % {"number": draft.number})
    return redirect(editor_url(plan))


def _siblings_for(kind: str, version: PlanVersion) -> Any:
    """Where an existing objective or action may move to: parents in the same version."""
    parent = PARENT_KIND.get(kind)
    if kind in {"objective", "action"} and parent:
        return version_nodes(version, parent).order_by("code", "position", "id")
    return []


@require_http_methods(["GET", "POST"])
@login_required
def node_create(
    request: HttpRequest, plan_id: int, kind: str, parent_uid: UUID | None = None
) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    version, parent = (
        working_node(plan, PARENT_KIND[kind], parent_uid)
        if parent_uid
        else (version_working(plan), None)
    )
    model = services.NODE_MODELS[kind]
    instance = model(**{PARENT_KIND[kind]: parent}) if parent else model()
    form = NODE_FORMS[kind](request.POST or None, instance=instance, plan=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_create_in_draft(
                plan=plan, node_type=kind, parent_uid=parent_uid, actor=request.user,
                **form.service_fields(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved: %(element)s") % {"element": node})
            return redirect(editor_url(plan, f"n-{node.uid}"))
    context = {"plan": plan, "form": form, "kind": kind, "parent": parent, "version": version}
    return render(request, "plans/node_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def node_edit(request: HttpRequest, plan_id: int, kind: str, uid: UUID) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    version, node = working_node(plan, kind, uid)
    siblings = _siblings_for(kind, version)
    form = NODE_FORMS[kind](
        request.POST or None, instance=node, plan=plan, siblings=siblings, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_update_in_draft(
                plan=plan, node_type=kind, uid=uid, actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved: %(element)s") % {"element": node})
            return redirect(editor_url(plan, f"n-{node.uid}"))
    context = {"plan": plan, "form": form, "kind": kind, "node": node, "version": version}
    return render(request, "plans/node_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def node_delete(request: HttpRequest, plan_id: int, kind: str, uid: UUID) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    version, node = working_node(plan, kind, uid)
    if request.method == "POST":
        try:
            services.node_delete_in_draft(plan=plan, node_type=kind, uid=uid, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deleted: %(element)s") % {"element": node})
        return redirect(editor_url(plan))
    context = {"plan": plan, "node": node, "kind": kind, "version": version}
    return render(request, "plans/node_delete.html", context)


@require_POST
@login_required
def node_move(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That element could not be moved."))
        return redirect(editor_url(plan))
    kind, uid, direction = form.cleaned_data["move"]
    try:
        services.node_move_in_draft(
            plan=plan, node_type=kind, uid=uid, direction=direction, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(editor_url(plan, f"n-{uid}"))


# Versions -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def version_publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    draft = version_draft(plan)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_publish(
                plan=plan, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Version %(number)s was published.") % {"number": version.number}
            )
            return redirect(editor_url(plan))
    status = 400 if form.errors else 200
    context = {"plan": plan, "draft": draft, "form": form}
    return render(request, "plans/publish.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def draft_discard(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    draft = version_draft(plan)
    error = None
    if request.method == "POST" and draft is not None:
        try:
            services.draft_discard(plan=plan, actor=request.user)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, _("The draft was discarded."))
            return redirect(editor_url(plan))
    context = {"plan": plan, "draft": draft, "error": error}
    return render(request, "plans/discard.html", context, status=400 if error else 200)


@require_POST
@login_required
def version_renumber(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    services.version_renumber(plan=plan, actor=request.user)
    messages.success(request, _("The codes were renumbered from the order of the elements."))
    return redirect(editor_url(plan))
