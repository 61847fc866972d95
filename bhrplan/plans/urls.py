from django.urls import path

from bhrplan.plans import views

app_name = "plans"
urlpatterns = [
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
]

# Plan matrix import (helper "matrix").
from bhrplan.plans import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/preview/", import_views.import_preview, name="import_preview"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
]
