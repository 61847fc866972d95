from django.urls import path

from bhrplan.portal import views, views_versions

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("plans/<int:plan_id>/versions/", views_versions.version_list, name="versions"),
    path(
        "plans/<int:plan_id>/versions/compare/",
        views_versions.version_compare,
        name="version_compare",
    ),
]
