from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from bhrplan.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("accounts/", include("bhrplan.accounts.urls")),
    path("manage/", include("bhrplan.plans.urls")),
    path("monitoring/", include("bhrplan.monitoring.urls")),
    path("procurement/", include("bhrplan.procurement.urls")),
    path("consultations/", include("bhrplan.participation.urls_consultations")),
    path("participation/", include("bhrplan.participation.urls_stakeholders")),
    path("progress/", include("bhrplan.monitoring.public_urls")),
    path("", include("bhrplan.portal.urls")),
    prefix_default_language=True,
)
urlpatterns += [path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg"))]
