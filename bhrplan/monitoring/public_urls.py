"""Public progress pages, mounted at /<lang>/progress/ (namespace "progress")."""

from django.urls import path

from bhrplan.monitoring import public_views

app_name = "progress"
urlpatterns = [
    path("plans/<int:plan_id>/", public_views.plan, name="plan"),
    path(
        "plans/<int:plan_id>/indicators/<uuid:indicator_uid>/",
        public_views.indicator,
        name="indicator",
    ),
    path(
        "plans/<int:plan_id>/data/<str:dataset>.<str:fmt>",
        public_views.download,
        name="download",
    ),
    path("territories/<str:code>/", public_views.territory, name="territory"),
    path("networks/<int:network_id>/", public_views.network, name="network"),
]
