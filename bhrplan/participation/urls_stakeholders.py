from django.urls import path

from bhrplan.participation import views_stakeholders as views

app_name = "stakeholders"
plan = "manage/plans/<int:plan_id>/"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/thanks/", views.register_thanks, name="register_thanks"),
    path("manage/registrations/", views.review_queue, name="review_queue"),
    path("manage/registrations/<int:organization_id>/", views.review, name="review"),
    path(f"{plan}map/", views.stakeholder_map, name="map"),
    path(f"{plan}map/rate/", views.rate, name="rate"),
    path(f"{plan}map.csv", views.map_export, {"fmt": "csv"}, name="map_csv"),
    path(f"{plan}map.xlsx", views.map_export, {"fmt": "xlsx"}, name="map_xlsx"),
    path(f"{plan}working-groups/", views.groups, name="groups"),
    path(f"{plan}working-groups/new/", views.group_create, name="group_create"),
    path(f"{plan}working-groups/<int:group_id>/", views.group_edit, name="group_edit"),
    path(f"{plan}working-groups/<int:group_id>/delete/", views.group_delete, name="group_delete"),
    path(f"{plan}events/", views.events, name="events"),
    path(f"{plan}events/new/", views.event_create, name="event_create"),
    path(f"{plan}events/<int:event_id>/", views.event_edit, name="event_edit"),
    path(f"{plan}events/<int:event_id>/delete/", views.event_delete, name="event_delete"),
    path(f"{plan}events/<int:event_id>/attendance/", views.attendance, name="attendance"),
    path(f"{plan}statistics/", views.statistics, name="statistics"),
    path("plans/<int:plan_id>/events/", views.public_events, name="public_events"),
    path("plans/<int:plan_id>/events/<int:event_id>/minutes/", views.minutes, name="minutes"),
    path("plans/<int:plan_id>/working-groups/", views.public_groups, name="public_groups"),
    path("plans/<int:plan_id>/statistics/", views.public_statistics, name="public_statistics"),
]
