"""The public site: published data only, no sign-in, works without JavaScript."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bhrplan.plans.selectors import plans_published


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"plans": plans_published()})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/search.html", {"query": request.GET.get("q", "")})
