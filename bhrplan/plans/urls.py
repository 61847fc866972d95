from django.urls import path, register_converter

from bhrplan.plans import views, views_organizations, views_versions


class NodeKindConverter:
    """`guidelines` in the URL, `guideline` in the view."""

    regex = "guidelines|objectives|actions|indicators"

    def to_python(self, value: str) -> str:
        return value[:-1]

    def to_url(self, value: str) -> str:
        return f"{value}s"


register_converter(NodeKindConverter, "node")

app_name = "plans"
plan = "plans/<int:plan_id>/"
urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path(plan, views.plan_detail, name="plan_detail"),
    path(f"{plan}edit/", views.plan_edit, name="plan_edit"),
    path(f"{plan}delete/", views.plan_delete, name="plan_delete"),
    path(f"{plan}draft/", views.draft_start, name="draft_start"),
    path(f"{plan}publish/", views.version_publish, name="version_publish"),
    path(f"{plan}discard/", views.draft_discard, name="draft_discard"),
    path(f"{plan}renumber/", views.version_renumber, name="version_renumber"),
    path(f"{plan}move/", views.node_move, name="node_move"),
    path(
        f"{plan}guidelines/new/",
        views.node_create,
        {"kind": "guideline"},
        name="guideline_create",
    ),
    path(
        f"{plan}guidelines/<uuid:parent_uid>/objectives/new/",
        views.node_create,
        {"kind": "objective"},
        name="objective_create",
    ),
    path(
        f"{plan}objectives/<uuid:parent_uid>/actions/new/",
        views.node_create,
        {"kind": "action"},
        name="action_create",
    ),
    path(
        f"{plan}actions/<uuid:parent_uid>/indicators/new/",
        views.node_create,
        {"kind": "indicator"},
        name="indicator_create",
    ),
    path(f"{plan}<node:kind>/<uuid:uid>/edit/", views.node_edit, name="node_edit"),
    path(f"{plan}<node:kind>/<uuid:uid>/delete/", views.node_delete, name="node_delete"),
    path(f"{plan}versions/", views_versions.version_list, name="version_list"),
    path(f"{plan}versions/compare/", views_versions.version_compare, name="version_compare"),
    path(
        f"{plan}organizations/new/",
        views_organizations.organization_create,
        name="organization_create",
    ),
    path("organizations/", views_organizations.organization_list, name="organization_list"),
    path(
        "organizations/<int:organization_id>/edit/",
        views_organizations.organization_edit,
        name="organization_edit",
    ),
]

# Plan matrix import (helper "matrix").
from bhrplan.plans import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/preview/", import_views.import_preview, name="import_preview"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
]
