"""Import a plan matrix in the browser: upload → preview → confirm (coordinators only)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bhrplan.accounts.selectors import territories_coordinated_by
from bhrplan.plans.import_forms import ColumnMappingForm, ImportUploadForm
from bhrplan.plans.import_session import (
    pending_clear,
    pending_get,
    pending_options,
    pending_parse,
    pending_set_mapping,
    pending_store,
)
from bhrplan.plans.importer import matrix_save


def _pending_or_404(request: HttpRequest) -> tuple[dict[str, Any], Any]:
    """The user's uploaded matrix and its territory, which they must still coordinate."""
    pending = pending_get(request)
    if pending is None:
        raise Http404
    territory = territories_coordinated_by(request.user).filter(pk=pending["territory_id"]).first()
    if territory is None:
        pending_clear(request)
        raise Http404
    return pending, territory


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not territories_coordinated_by(request.user).exists():
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        pending_store(
            request, upload=form.cleaned_data["file"], options=pending_options(form.cleaned_data)
        )
        return redirect("plans:import_preview")
    return render(request, "plans/import_upload.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def import_preview(request: HttpRequest) -> HttpResponse:
    pending, territory = _pending_or_404(request)
    parsed, problem = pending_parse(pending, territory)
    form = ColumnMappingForm(request.POST or None, columns=parsed.columns if parsed else [])
    if request.method == "POST" and form.is_valid():
        mapping = {int(k): v for k, v in pending.get("mapping", {}).items()}
        pending_set_mapping(request, {**mapping, **form.mapping()})
        return redirect("plans:import_preview")
    context = {
        "pending": pending,
        "territory": territory,
        "parsed": parsed,
        "problem": problem,
        "counts": parsed.counts() if parsed else None,
        "form": form,
    }
    return render(request, "plans/import_preview.html", context)


@require_POST
@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    pending, territory = _pending_or_404(request)
    parsed, _problem = pending_parse(pending, territory)
    if parsed is None or not parsed.ok:
        messages.error(request, _("The matrix still has problems; nothing was imported."))
        return redirect("plans:import_preview")
    try:
        plan = matrix_save(
            parsed,
            territory=territory,
            title=pending["title"],
            title_en=pending["title_en"],
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:import_preview")
    pending_clear(request)
    messages.success(request, _("Plan %(title)s was imported.") % {"title": plan.title})
    return redirect("plans:plan_detail", plan_id=plan.pk)
