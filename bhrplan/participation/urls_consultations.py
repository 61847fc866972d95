from django.urls import path

from bhrplan.participation import views_consultations as views

app_name = "consultations"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:consultation_id>/", views.detail, name="detail"),
    path("<int:consultation_id>/comment/", views.comment, name="comment"),
    path("<int:consultation_id>/report/", views.report, name="report"),
    *[
        path(
            f"<int:consultation_id>/report.{fmt}",
            views.report_download,
            {"fmt": fmt},
            name=f"report_{fmt}",
        )
        for fmt in ("csv", "xlsx", "pdf")
    ],
    path("receipt/", views.receipt, name="receipt"),
    path("plans/<int:plan_id>/suggest/", views.suggest, name="suggest"),
    path("manage/", views.manage_index, name="manage"),
    path("manage/plans/<int:plan_id>/new/", views.consultation_new, name="new"),
    path("manage/plans/<int:plan_id>/suggestions/", views.suggestions, name="suggestions"),
    path(
        "manage/plans/<int:plan_id>/suggestions/respond/",
        views.suggestions_respond,
        name="suggestions_respond",
    ),
    path("manage/<int:consultation_id>/", views.moderate, name="moderate"),
    path("manage/<int:consultation_id>/edit/", views.consultation_edit, name="edit"),
    path("manage/<int:consultation_id>/close/", views.consultation_close, name="close"),
    path("manage/<int:consultation_id>/respond/", views.respond, name="respond"),
    path(
        "manage/contributions/<int:contribution_id>/moderate/",
        views.contribution_moderate,
        name="contribution_moderate",
    ),
]
