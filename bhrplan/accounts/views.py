from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bhrplan.accounts.selectors import (
    plans_coordinated_by,
    roles_of,
    territories_coordinated_by,
)


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A signed-in person's workspace: their roles and the plans they coordinate."""
    plans = plans_coordinated_by(request.user).select_related("territory")
    return render(
        request,
        "accounts/home.html",
        {
            "roles": roles_of(request.user),
            "plans": plans,
            "is_coordinator": territories_coordinated_by(request.user).exists(),
        },
    )
