from django.urls import path

from bhrplan.plans import views

app_name = "plans"
urlpatterns = [
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
]
