from django.urls import path

from bhrplan.portal import views, views_versions

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("territories/<str:code>/", views.territory, name="territory"),
    path("plans/<int:plan_id>/", views.plan, name="plan"),
    path("plans/<int:plan_id>/actions/<uuid:uid>/", views.action, name="action"),
    path("plans/<int:plan_id>/principles/", views.coverage, name="coverage"),
    path("plans/<int:plan_id>/download.<str:fmt>", views.plan_download, name="plan_download"),
    path("search/", views.search, name="search"),
    path("plans/<int:plan_id>/versions/", views_versions.version_list, name="versions"),
    path(
        "plans/<int:plan_id>/versions/compare/",
        views_versions.version_compare,
        name="version_compare",
    ),
]
