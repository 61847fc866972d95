"""Organisations a coordinator may pick as lead or co-responsible entities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bhrplan.accounts.selectors import territories_coordinated_by
from bhrplan.plans.forms import OrganizationForm, add_service_error
from bhrplan.plans.selectors import organizations_coordinated_by
from bhrplan.plans.views import coordinated_plan, editor_url, require_coordinator, safe_next
from bhrplan.territories import services


@require_http_methods(["GET", "POST"])
@login_required
def organization_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = coordinated_plan(request, plan_id)
    territories = territories_coordinated_by(request.user).filter(
        pk__in=[plan.territory_id, *plan.territory.children.values_list("pk", flat=True)]
    )
    form = OrganizationForm(
        request.POST or None, territories=territories, initial={"territory": plan.territory_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Organisation added: %(name)s") % {"name": org})
            return redirect(safe_next(request, editor_url(plan)))
    context = {"plan": plan, "form": form, "next": safe_next(request, "")}
    return render(request, "plans/organization_form.html", context)


@require_GET
@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    require_coordinator(request)
    organizations = organizations_coordinated_by(request.user)
    return render(request, "plans/organization_list.html", {"organizations": organizations})


@require_http_methods(["GET", "POST"])
@login_required
def organization_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = organizations_coordinated_by(request.user).filter(pk=organization_id).first()
    if organization is None:
        raise Http404
    territories = territories_coordinated_by(request.user)
    form = OrganizationForm(request.POST or None, instance=organization, territories=territories)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                organization=organization, actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Organisation saved: %(name)s") % {"name": organization})
            return redirect("plans:organization_list")
    context = {"plan": None, "form": form, "organization": organization}
    return render(request, "plans/organization_form.html", context)
