from django.urls import path

from bhrplan.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<int:plan_id>/periods/", views.period_list, name="period_list"),
    path("plans/<int:plan_id>/periods/generate/", views.period_generate, name="period_generate"),
    path("periods/<int:period_id>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:period_id>/delete/", views.period_delete, name="period_delete"),
    path("plans/<int:plan_id>/tasks/", views.task_list, name="task_list"),
    path("plans/<int:plan_id>/review/", views.review_queue, name="review_queue"),
    path(
        "periods/<int:period_id>/actions/<uuid:action_uid>/organisations/<int:org_id>/report/",
        views.report_edit,
        name="report_edit",
    ),
    path(
        "periods/<int:period_id>/actions/<uuid:action_uid>/assessment/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:report_id>/review/", views.report_review, name="report_review"),
    path("reports/<int:report_id>/history/", views.report_history, name="report_history"),
    path("reports/<int:report_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
